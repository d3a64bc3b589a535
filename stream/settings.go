package stream

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IncreaseRetention and DecreaseRetention change the retention period
// (24..8760 hours). As on AWS, Increase refuses a shorter period and
// Decrease a longer one; the same period is accepted by both.
func (e *Engine) IncreaseRetention(region, name string, hours int) error {
	return e.setRetention(region, name, hours, true)
}

func (e *Engine) DecreaseRetention(region, name string, hours int) error {
	return e.setRetention(region, name, hours, false)
}

func (e *Engine) setRetention(region, name string, hours int, increase bool) error {
	s, err := e.lockActive(region, name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	inv := func(msg string, args ...any) error {
		return &Error{Kind: ErrInvalidArgument, Message: fmt.Sprintf(msg, args...)}
	}
	cur := s.meta.RetentionHours
	switch {
	case hours < MinRetentionHours:
		return inv("Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", MinRetentionHours, hours)
	case hours > MaxRetentionHours:
		return inv("Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.", MaxRetentionHours, hours)
	case increase && hours < cur:
		return inv("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, name, cur)
	case !increase && hours > cur:
		return inv("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, name, cur)
	}
	return e.updateLocked(s, func(m *streamMeta) error {
		m.RetentionHours = hours
		return nil
	})
}

// UpdateStreamMode switches between PROVISIONED and ON_DEMAND. The switch
// is immediate (no UPDATING phase) and keeps the shards as they are.
func (e *Engine) UpdateStreamMode(region, name string, mode Mode) error {
	if mode != ModeProvisioned && mode != ModeOnDemand {
		return e.badMode(mode)
	}
	s, err := e.lockActive(region, name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if s.meta.Mode == mode {
		return nil
	}
	if mode == ModeOnDemand {
		e.mu.RLock()
		n := e.onDemandCountLocked(region)
		e.mu.RUnlock()
		if n >= e.cfg.OnDemandStreamCountLimit {
			return &Error{Kind: ErrLimitExceeded, Message: fmt.Sprintf(
				"This request would exceed the on-demand stream count limit for the account %s in %s. Limit: %d.",
				e.cfg.AccountID, region, e.cfg.OnDemandStreamCountLimit)}
		}
	}
	err = e.updateLocked(s, func(m *streamMeta) error {
		m.Mode = mode
		return nil
	})
	s.onDemand.Store(s.meta.Mode == ModeOnDemand)
	return err
}

// checkTags validates tags about to be added to a stream holding existing.
func (e *Engine) checkTags(name string, existing, add map[string]string) error {
	inv := func(msg string, args ...any) error {
		return &Error{Kind: ErrInvalidArgument, Message: fmt.Sprintf(msg, args...)}
	}
	keys := make([]string, 0, len(add))
	for k := range add {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := add[k]
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			return inv("Tag keys must be between 1 and 128 characters. Invalid key: %s", k)
		}
		if utf8.RuneCountInString(v) > 256 {
			return inv("Tag values must be at most 256 characters. Invalid value for key %s", k)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return inv("Failed to add tags to stream %s under account %s because some tag keys start with the reserved prefix 'aws:'.", name, e.cfg.AccountID)
		}
		if !validTagText(k) || !validTagText(v) {
			return inv("Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - %% @.")
		}
	}
	total := len(existing)
	for k := range add {
		if _, ok := existing[k]; !ok {
			total++
		}
	}
	if total > MaxTagsPerStream {
		return inv("Failed to add tags to stream %s under account %s because a given stream cannot have more than %d tags associated with it.", name, e.cfg.AccountID, MaxTagsPerStream)
	}
	return nil
}

// validTagText applies AWS's tag character set: letters, digits, white
// space and _ . : / = + - @ (and %, which Kinesis accepts in values).
func validTagText(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("_.:/=+-@% ", r):
		case r > 127 && (unicodeLetterOrDigitOrSpace(r)):
		default:
			return false
		}
	}
	return true
}

// AddTags adds or replaces tags (at most 50 per stream); RemoveTags removes keys.
func (e *Engine) AddTags(region, name string, tags map[string]string) error {
	s, err := e.lockActive(region, name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if err := e.checkTags(name, s.meta.Tags, tags); err != nil {
		return err
	}
	return e.updateLocked(s, func(m *streamMeta) error {
		for k, v := range tags {
			m.Tags[k] = v
		}
		return nil
	})
}

func (e *Engine) RemoveTags(region, name string, keys []string) error {
	s, err := e.lockActive(region, name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	return e.updateLocked(s, func(m *streamMeta) error {
		for _, k := range keys {
			delete(m.Tags, k)
		}
		return nil
	})
}

// SetEncryption sets the stream's encryption: "KMS" with a KMS key id
// (key id, key ARN, alias or alias ARN) seals every record appended
// afterwards under a new data key made under that key; "NONE" stops
// sealing new records (sealed ones stay sealed and readable). See
// encryption.go.
func (e *Engine) SetEncryption(region, name, encryptionType, keyID string) error {
	switch encryptionType {
	case "KMS":
		if keyID == "" {
			return &Error{Kind: ErrInvalidArgument, Message: "KeyId must be specified when EncryptionType is KMS."}
		}
	case "NONE":
		keyID = ""
	default:
		return &Error{Kind: ErrValidation, Message: fmt.Sprintf(
			"1 validation error detected: Value '%s' at 'encryptionType' failed to satisfy constraint: Member must satisfy enum value set: [KMS, NONE]", encryptionType)}
	}
	s, err := e.lockActive(region, name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if encryptionType == "KMS" {
		return e.startEncryptionLocked(s, keyID)
	}
	return e.updateLocked(s, func(m *streamMeta) error {
		m.EncryptionType, m.KeyID, m.ActiveDataKey = encryptionType, keyID, 0
		return nil
	})
}

// ShardLevelMetricNames are the enhanced-monitoring metrics "ALL" stands for.
var ShardLevelMetricNames = []string{
	"IncomingBytes", "IncomingRecords", "IteratorAgeMilliseconds", "OutgoingBytes",
	"OutgoingRecords", "ReadProvisionedThroughputExceeded", "WriteProvisionedThroughputExceeded",
}

// SetShardLevelMetrics enables or disables enhanced-monitoring metrics
// ("ALL" expands to every metric) and returns the sets before and after.
func (e *Engine) SetShardLevelMetrics(region, name string, metrics []string, enable bool) (before, after []string, err error) {
	var want []string
	for _, m := range metrics {
		switch {
		case m == "ALL":
			want = append(want, ShardLevelMetricNames...)
		case slices.Contains(ShardLevelMetricNames, m):
			want = append(want, m)
		default:
			return nil, nil, &Error{Kind: ErrValidation, Message: fmt.Sprintf(
				"1 validation error detected: Value '[%s]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: "+
					"[Member must satisfy enum value set: [IncomingBytes, OutgoingRecords, IteratorAgeMilliseconds, IncomingRecords, ReadProvisionedThroughputExceeded, WriteProvisionedThroughputExceeded, OutgoingBytes, ALL]]",
				strings.Join(metrics, ", "))}
		}
	}
	s, err := e.lockActive(region, name)
	if err != nil {
		return nil, nil, err
	}
	defer s.mu.Unlock()
	before = append([]string{}, s.meta.ShardLevelMetrics...)
	set := map[string]bool{}
	for _, m := range before {
		set[m] = true
	}
	for _, m := range want {
		set[m] = enable
	}
	after = []string{}
	for m, on := range set {
		if on {
			after = append(after, m)
		}
	}
	sort.Strings(after)
	if err := e.updateLocked(s, func(m *streamMeta) error {
		m.ShardLevelMetrics = after
		return nil
	}); err != nil {
		return nil, nil, err
	}
	return before, append([]string{}, after...), nil
}

// SetMaxRecordSize sets the stream's maximum record size in KiB (1024..10240).
func (e *Engine) SetMaxRecordSize(region, name string, kib int) error {
	if kib < DefaultMaxRecordSizeKiB || kib > MaxRecordSizeKiBLimit {
		return &Error{Kind: ErrValidation, Message: fmt.Sprintf(
			"1 validation error detected: Value '%d' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value between %d and %d",
			kib, DefaultMaxRecordSizeKiB, MaxRecordSizeKiBLimit)}
	}
	s, err := e.lockActive(region, name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	return e.updateLocked(s, func(m *streamMeta) error {
		m.MaxRecordSizeKiB = kib
		return nil
	})
}

// PutPolicy, GetPolicy and DeletePolicy manage the stream's resource
// policy. The policy is stored, not enforced (that comes with auth).
func (e *Engine) PutPolicy(region, name, policy string) error {
	if !json.Valid([]byte(policy)) {
		return &Error{Kind: ErrInvalidArgument, Message: "Policy is not a valid JSON document."}
	}
	s, err := e.lockActive(region, name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	return e.updateLocked(s, func(m *streamMeta) error {
		m.Policy = policy
		return nil
	})
}

func (e *Engine) GetPolicy(region, name string) (string, error) {
	s, err := e.lookup(region, name)
	if err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.gone {
		return "", e.notFound(name)
	}
	return s.meta.Policy, nil
}

func (e *Engine) DeletePolicy(region, name string) error {
	s, err := e.lockActive(region, name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if s.meta.Policy == "" {
		return &Error{Kind: ErrStreamNotFound, Message: fmt.Sprintf("No resource policy found for resource %s.", e.ARN(region, name))}
	}
	return e.updateLocked(s, func(m *streamMeta) error {
		m.Policy = ""
		return nil
	})
}

// Limits returns the account's shard and on-demand limits in region.
func (e *Engine) Limits(region string) Limits {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return Limits{
		ShardLimit:               e.cfg.ShardLimit,
		OpenShardCount:           e.openShardCountLocked(region),
		OnDemandStreamCount:      e.onDemandCountLocked(region),
		OnDemandStreamCountLimit: e.cfg.OnDemandStreamCountLimit,
	}
}

func unicodeLetterOrDigitOrSpace(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r)
}
