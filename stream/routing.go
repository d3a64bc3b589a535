package stream

import (
	"fmt"
	"sort"
	"sync/atomic"

	"github.com/caudal/caudal/shardlog"
)

// routeLocked returns the open shard whose hash range holds k. Open shards
// tile the key space without gaps or overlaps, so the one with the greatest
// start ≤ k is it.
func (s *streamState) routeLocked(k HashKey) *shardState {
	i := sort.Search(len(s.open), func(i int) bool { return s.open[i].rng.Start.Cmp(k) > 0 })
	if i == 0 {
		return nil
	}
	sh := s.open[i-1]
	if !sh.rng.contains(k) {
		return nil
	}
	return sh
}

// putGroup is the part of one PutRecords call bound for one shard.
type putGroup struct {
	sh      *shardState
	pos     []int // request positions, in request order
	entries []shardlog.Entry
	first   uint64
	err     error
}

// PutRecords routes and durably appends entries. A non-nil error fails the
// whole call (stream missing, bad hash key, oversized record); per-record
// failures (throttling, storage errors) are in the results.
//
// Each shard's records go to its log in one Append, and the shards are
// appended concurrently, so a call costs about one group-committed fsync.
// Nothing of entries is kept once it returns (shardlog.Log.Append copies),
// so callers may reuse their Data.
func (e *Engine) PutRecords(region, name string, entries []PutEntry) ([]PutResult, error) {
	s, err := e.lookup(region, name)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.gone {
		return nil, e.notFound(name)
	}
	if st := s.meta.Status; st != StatusActive && st != StatusUpdating {
		return nil, e.notFound(name)
	}
	maxSize := s.meta.MaxRecordSizeKiB << 10
	quotas := e.cfg.Quotas && s.meta.Mode == ModeProvisioned
	now := e.cfg.Now()

	results := make([]PutResult, len(entries))
	route := make([]*shardState, len(entries))
	for i := range entries {
		en := &entries[i]
		if en.PartitionKey == "" {
			// An empty stored key marks a sealed record (encryption.go).
			return nil, &Error{Kind: ErrValidation, Message: fmt.Sprintf(
				"1 validation error detected: Value '' at 'records.%d.member.partitionKey' failed to satisfy constraint: "+
					"Member must have length greater than or equal to 1", i+1)}
		}
		if size := len(en.Data) + len(en.PartitionKey); size > maxSize {
			return nil, &Error{Kind: ErrValidation, Message: fmt.Sprintf(
				"1 validation error detected: Value at 'records.%d.member.data' failed to satisfy constraint: "+
					"Member must have length less than or equal to %d", i+1, maxSize)}
		}
		var k HashKey
		if en.ExplicitHashKey != "" {
			var ok bool
			if k, ok = ParseHashKey(en.ExplicitHashKey); !ok {
				return nil, &Error{Kind: ErrInvalidArgument, Message: "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was " + en.ExplicitHashKey}
			}
		} else {
			k = PartitionKeyHash(en.PartitionKey)
		}
		sh := s.routeLocked(k)
		if sh == nil {
			// Open shards always cover the space; reaching here is a bug.
			return nil, &Error{Kind: ErrInternal, Message: fmt.Sprintf("stream %s: no open shard for hash key %s", name, k)}
		}
		route[i] = sh
	}

	groups := make([]*putGroup, 0, len(s.open))
	byShard := make(map[*shardState]*putGroup, len(s.open))
	for i, sh := range route {
		if quotas && !sh.quota.takeWrite(now, len(entries[i].Data)+len(entries[i].PartitionKey)) {
			results[i].Err = e.throttled(name, sh.id)
			continue
		}
		g := byShard[sh]
		if g == nil {
			g = &putGroup{sh: sh}
			byShard[sh] = g
			groups = append(groups, g)
		}
		g.pos = append(g.pos, i)
		g.entries = append(g.entries, shardlog.Entry{PartitionKey: entries[i].PartitionKey, Data: entries[i].Data})
	}

	if s.meta.ActiveDataKey != 0 {
		for _, g := range groups {
			if err := s.sealEntries(g.entries); err != nil {
				return nil, &Error{Kind: ErrInternal, Message: "Internal service failure.", Err: err}
			}
		}
	}
	tag := s.meta.SeqTag
	finish := func(g *putGroup) {
		first, err := g.first, g.err
		if err != nil {
			for _, p := range g.pos {
				results[p].Err = &Error{Kind: ErrInternal, Message: "Internal service failure.", Err: fmt.Errorf("stream: append to %s/%s: %w", name, g.sh.id, err)}
			}
			return
		}
		seqs := make([]byte, 0, len(g.pos)*seqLen)
		for j := range g.pos {
			if j == 0 {
				seqs = appendSeq(seqs, tag, g.sh.index, first)
			} else {
				seqs = appendNextSeq(seqs)
			}
		}
		all := string(seqs)
		for j, p := range g.pos {
			results[p].ShardID = g.sh.id
			results[p].SequenceNumber = all[j*seqLen : (j+1)*seqLen]
		}
	}
	switch len(groups) {
	case 0: // every record throttled
		return results, nil
	case 1:
		g := groups[0]
		g.first, _, g.err = g.sh.log.Append(g.entries)
		finish(g)
		return results, nil
	}
	// Every shard's append is queued at once and the last one to commit
	// releases the caller: one wake-up per call instead of a goroutine
	// (and its wake-up) per shard. The entries stay valid meanwhile: the
	// caller owns them until this returns.
	var pending atomic.Int32
	pending.Store(int32(len(groups)))
	done := make(chan struct{})
	for _, g := range groups {
		g.sh.log.AppendAsync(g.entries, func(first uint64, _ int64, err error) {
			g.first, g.err = first, err
			if pending.Add(-1) == 0 {
				close(done)
			}
		})
	}
	<-done
	for _, g := range groups {
		finish(g)
	}
	return results, nil
}
