package kinesis

// UpdateAccountSettings: enables or disables the minimum throughput billing
// commitment. Enabling starts a commitment whose earliest allowed end is
// 24 hours later; disabling before then answers
// ENABLED_UNTIL_EARLIEST_ALLOWED_END and the commitment ends at that time.
//
// Deliberately not: kept in memory only (see describe_account_settings.go).

import (
	"context"
	"time"

	"github.com/caudal/caudal/protocol"
)

type updateAccountSettingsInput struct {
	MinimumThroughputBillingCommitment *struct {
		Status *string `json:"Status,omitempty"`
	} `json:"MinimumThroughputBillingCommitment,omitempty"`
}

// minCommitment is how long a commitment lasts at least.
const minCommitment = 24 * time.Hour

func (s *service) updateAccountSettings(ctx context.Context, c *protocol.Call) (any, error) {
	var in updateAccountSettingsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	if m := in.MinimumThroughputBillingCommitment; v.required("minimumThroughputBillingCommitment", m != nil) {
		v.enumReq("minimumThroughputBillingCommitment.status", m.Status, enumCommitmentStatus)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "*"); err != nil {
		return nil, err
	}
	want := *in.MinimumThroughputBillingCommitment.Status
	reg := region(c)
	t := now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.settingsLocked(reg)
	switch {
	case want == "ENABLED" && a.status != "ENABLED":
		a = accountSettings{status: "ENABLED", startedAt: t, minEnd: t.Add(minCommitment)}
	case want == "DISABLED" && a.status == "ENABLED":
		if t.Before(a.minEnd) {
			a.status, a.endedAt = "ENABLED_UNTIL_EARLIEST_ALLOWED_END", a.minEnd
		} else {
			a.status, a.endedAt = "DISABLED", t
		}
	}
	s.accounts[reg] = a
	return &accountSettingsOutput{MinimumThroughputBillingCommitment: a.out()}, nil
}
