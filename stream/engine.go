package stream

import "time"

// Engine owns every stream under Config.Dir. It is safe for concurrent use.
//
// TODO(engine): the bodies below are the contract the kinesis skin codes
// against; replace them, keep the signatures.
type Engine struct {
	cfg Config
}

var errTODO = &Error{Kind: ErrInternal, Message: "not implemented"}

// Open opens (or creates) the engine's state under cfg.Dir and recovers
// every shard log.
func Open(cfg Config) (*Engine, error) { return &Engine{cfg: cfg}, nil }

// Close flushes and closes every shard log.
func (e *Engine) Close() error { return nil }

// CreateStream creates a stream. ErrResourceInUse if the name exists in region.
func (e *Engine) CreateStream(region, name string, opts CreateOptions) error { return errTODO }

// DeleteStream deletes a stream and its data.
func (e *Engine) DeleteStream(region, name string) error { return errTODO }

// Describe returns a snapshot of a stream.
func (e *Engine) Describe(region, name string) (Stream, error) { return Stream{}, errTODO }

// ListStreams returns every stream in region, sorted by name.
func (e *Engine) ListStreams(region string) []Stream { return nil }

// PutRecords routes and durably appends entries. A non-nil error fails the
// whole call (stream missing or not writable); per-record failures are in
// the results.
func (e *Engine) PutRecords(region, name string, entries []PutEntry) ([]PutResult, error) {
	return nil, errTODO
}

// GetShardIterator returns an opaque, tamper-evident iterator token that
// expires five minutes after it is issued.
func (e *Engine) GetShardIterator(region, name, shardID string, pos Position) (string, error) {
	return "", errTODO
}

// GetRecords reads from an iterator: at most limit records (1..10,000) and
// 10 MiB of data.
func (e *Engine) GetRecords(region, iterator string, limit int) (Records, error) {
	return Records{}, errTODO
}

// SplitShard splits an open shard at newStartingHashKey.
func (e *Engine) SplitShard(region, name, shardID string, newStartingHashKey HashKey) error {
	return errTODO
}

// MergeShards merges two adjacent open shards.
func (e *Engine) MergeShards(region, name, shardID, adjacentShardID string) error { return errTODO }

// UpdateShardCount scales uniformly to target open shards within AWS's
// rules and returns the open shard count before the change.
func (e *Engine) UpdateShardCount(region, name string, target int) (int, error) { return 0, errTODO }

// IncreaseRetention and DecreaseRetention change the retention period
// (24..8760 hours), following AWS's direction rules.
func (e *Engine) IncreaseRetention(region, name string, hours int) error { return errTODO }
func (e *Engine) DecreaseRetention(region, name string, hours int) error { return errTODO }

// UpdateStreamMode switches between PROVISIONED and ON_DEMAND.
func (e *Engine) UpdateStreamMode(region, name string, mode Mode) error { return errTODO }

// AddTags adds or replaces tags (at most 50 per stream); RemoveTags removes keys.
func (e *Engine) AddTags(region, name string, tags map[string]string) error { return errTODO }
func (e *Engine) RemoveTags(region, name string, keys []string) error       { return errTODO }

// SetEncryption records the stream's encryption settings ("KMS" with a key
// id, or "NONE").
func (e *Engine) SetEncryption(region, name, encryptionType, keyID string) error { return errTODO }

// SetShardLevelMetrics enables or disables enhanced-monitoring metrics
// ("ALL" expands to every metric) and returns the sets before and after.
func (e *Engine) SetShardLevelMetrics(region, name string, metrics []string, enable bool) (before, after []string, err error) {
	return nil, nil, errTODO
}

// SetMaxRecordSize sets the stream's maximum record size in KiB (1024..10240).
func (e *Engine) SetMaxRecordSize(region, name string, kib int) error { return errTODO }

// PutPolicy, GetPolicy and DeletePolicy manage the stream's resource policy.
func (e *Engine) PutPolicy(region, name, policy string) error   { return errTODO }
func (e *Engine) GetPolicy(region, name string) (string, error) { return "", errTODO }
func (e *Engine) DeletePolicy(region, name string) error        { return errTODO }

// Limits returns the account's shard and on-demand limits in region.
func (e *Engine) Limits(region string) Limits { return Limits{} }

var _ = time.Now
