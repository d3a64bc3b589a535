package kinesis

// DescribeAccountSettings: the account's minimum throughput billing
// commitment in the caller's region (DISABLED until UpdateAccountSettings
// enables it).
//
// Deliberately not: the setting lives in this process's memory (the engine
// has no account-level store yet), so a restart forgets it; caudal bills
// nothing, so it changes nothing else.

import (
	"context"
	"time"

	"github.com/caudal/caudal/protocol"
)

// accountSettings is one region's MinimumThroughputBillingCommitment.
type accountSettings struct {
	status                     string // ENABLED, DISABLED, ENABLED_UNTIL_EARLIEST_ALLOWED_END
	startedAt, endedAt, minEnd time.Time
}

type commitmentOut struct {
	Status               string              `json:"Status"`
	StartedAt            *protocol.Timestamp `json:"StartedAt,omitempty"`
	EndedAt              *protocol.Timestamp `json:"EndedAt,omitempty"`
	EarliestAllowedEndAt *protocol.Timestamp `json:"EarliestAllowedEndAt,omitempty"`
}

type accountSettingsOutput struct {
	MinimumThroughputBillingCommitment *commitmentOut `json:"MinimumThroughputBillingCommitment,omitempty"`
}

func (s *service) describeAccountSettings(ctx context.Context, c *protocol.Call) (any, error) {
	var in empty
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "*"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	a := s.settingsLocked(region(c))
	s.mu.Unlock()
	return &accountSettingsOutput{MinimumThroughputBillingCommitment: a.out()}, nil
}

// settingsLocked returns the region's settings, settling a commitment whose
// earliest end has passed. s.mu must be held.
func (s *service) settingsLocked(reg string) accountSettings {
	a, ok := s.accounts[reg]
	if !ok {
		return accountSettings{status: "DISABLED"}
	}
	if a.status == "ENABLED_UNTIL_EARLIEST_ALLOWED_END" && !now().Before(a.minEnd) {
		a.status = "DISABLED"
		s.accounts[reg] = a
	}
	return a
}

func (a accountSettings) out() *commitmentOut {
	o := &commitmentOut{Status: a.status}
	if !a.startedAt.IsZero() {
		o.StartedAt = tsPtr(a.startedAt)
	}
	if !a.endedAt.IsZero() {
		o.EndedAt = tsPtr(a.endedAt)
	}
	if !a.minEnd.IsZero() && a.status != "DISABLED" {
		o.EarliestAllowedEndAt = tsPtr(a.minEnd)
	}
	return o
}
