package stream

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Resharding.
//
// Every reshard happens under the stream's write lock, so no append is in
// flight: a parent is closed at its log's exact next offset, which becomes
// its EndOffset, and its EndingSequenceNumber is its last record's.
// Children get the next shard indexes and start their logs at the largest
// next offset among the shards the operation closes, so sequence numbers
// grow along every lineage.
//
// UpdateShardCount is performed as AWS describes it: by splitting shards at
// the target boundaries and then merging, inside each target range, the
// pieces left to right. This produces short-lived intermediate shards (as
// on AWS) but keeps the lineage exact: every child has at most two parents
// whose ranges are precisely its own, which is what KCL's ordering relies
// on. Closing every open shard and creating target children directly was
// rejected because a child can then overlap three parents, which
// ParentShardId/AdjacentParentShardId cannot express.
//
// The operation is atomic: children's logs are created first and meta.json
// is written last; on failure the new logs are removed and nothing changes.
// Status stays ACTIVE throughout: a reshard completes before the call returns.

// reshardTxn accumulates one reshard on a copy of the stream's metadata.
type reshardTxn struct {
	e       *Engine
	s       *streamState
	m       streamMeta
	created []*shardState
	now     time.Time
}

func (e *Engine) beginReshard(s *streamState) *reshardTxn {
	return &reshardTxn{e: e, s: s, m: s.meta.clone(), now: e.cfg.Now().UTC()}
}

// nextOffset is where the shard's log stands (or stood, if closed).
func (t *reshardTxn) nextOffset(i int) uint64 {
	sm := &t.m.Shards[i]
	if sm.Closed {
		return sm.EndOffset
	}
	for _, c := range t.created {
		if c.index == sm.Index {
			return sm.StartOffset // created in this txn: empty
		}
	}
	_, next := t.s.shards[sm.Index].log.Bounds()
	return max(next, sm.StartOffset)
}

// close marks the shard at meta position i closed and returns its end.
func (t *reshardTxn) close(i int) uint64 {
	end := t.nextOffset(i)
	sm := &t.m.Shards[i]
	sm.Closed, sm.EndOffset, sm.ClosedAt = true, end, t.now
	return end
}

// add creates an open child shard and returns its meta position.
func (t *reshardTxn) add(parent, adjacent string, r hashRange, start uint64) (int, error) {
	sm := shardMeta{
		Index: t.m.NextShardIndex, Parent: parent, AdjacentParent: adjacent,
		HashStart: r.Start.String(), HashEnd: r.End.String(), StartOffset: start, CreatedAt: t.now,
	}
	sh, err := t.e.openShard(t.s, sm)
	if err != nil {
		return 0, err
	}
	t.m.NextShardIndex++
	t.created = append(t.created, sh)
	t.m.Shards = append(t.m.Shards, sm)
	return len(t.m.Shards) - 1, nil
}

// split closes the shard at position i and adds its two children.
func (t *reshardTxn) split(i int, at HashKey) error {
	p := t.m.Shards[i]
	start, _ := ParseHashKey(p.HashStart)
	end, _ := ParseHashKey(p.HashEnd)
	off := t.close(i)
	id := ShardID(p.Index)
	if _, err := t.add(id, "", hashRange{start, at.Sub1()}, off); err != nil {
		return err
	}
	_, err := t.add(id, "", hashRange{at, end}, off)
	return err
}

// merge closes the shards at positions i (lower range) and j (the range
// right after it) and adds their child.
func (t *reshardTxn) merge(i, j int) (int, error) {
	a, b := t.m.Shards[i], t.m.Shards[j]
	start, _ := ParseHashKey(a.HashStart)
	end, _ := ParseHashKey(b.HashEnd)
	off := max(t.close(i), t.close(j))
	return t.add(ShardID(a.Index), ShardID(b.Index), hashRange{start, end}, off)
}

func (t *reshardTxn) abort() {
	for _, sh := range t.created {
		sh.log.Close()
		os.RemoveAll(filepath.Join(t.s.dir, shardsSubdir, sh.id))
	}
}

// commit makes the reshard durable and current.
func (t *reshardTxn) commit() error {
	if err := writeMeta(t.s.dir, &t.m); err != nil {
		t.abort()
		return internalErr(err, "stream: reshard %s", t.s.name)
	}
	t.s.meta = t.m
	for _, sh := range t.created {
		t.s.shards[sh.index] = sh
	}
	t.s.rebuildOpenLocked()
	return nil
}

// openPositions returns the meta positions of open shards, by hash start.
func (t *reshardTxn) openPositions() []int {
	var out []int
	for i, sm := range t.m.Shards {
		if !sm.Closed {
			out = append(out, i)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		x, _ := ParseHashKey(t.m.Shards[out[a]].HashStart)
		y, _ := ParseHashKey(t.m.Shards[out[b]].HashStart)
		return x.Cmp(y) < 0
	})
	return out
}

// SplitShard splits an open shard at newStartingHashKey: the children get
// [start, key-1] and [key, end]. As on AWS, the key must be greater than
// start+1 and less than end.
func (e *Engine) SplitShard(region, name, shardID string, newStartingHashKey HashKey) error {
	s, err := e.lockActive(region, name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	i := s.meta.shardIndex(shardID)
	if i < 0 {
		return e.couldNotFindShard(name, shardID)
	}
	sm := s.meta.Shards[i]
	if sm.Closed {
		return &Error{Kind: ErrInvalidArgument, Message: fmt.Sprintf(
			"Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for splitting.",
			ShardID(sm.Index), name, e.cfg.AccountID)}
	}
	if cur := e.openShardCountExceptLocked(region, s) + len(s.open); cur+1 > e.cfg.ShardLimit {
		return e.shardLimitErr(region, cur, 1)
	}
	start, _ := ParseHashKey(sm.HashStart)
	end, _ := ParseHashKey(sm.HashEnd)
	if newStartingHashKey.Cmp(start.Add1()) <= 0 || newStartingHashKey.Cmp(end) >= 0 {
		return &Error{Kind: ErrInvalidArgument, Message: fmt.Sprintf(
			"NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
			newStartingHashKey, ShardID(sm.Index), name, e.cfg.AccountID, sm.HashStart, sm.HashEnd)}
	}
	t := e.beginReshard(s)
	if err := t.split(i, newStartingHashKey); err != nil {
		t.abort()
		return internalErr(err, "stream: reshard %s", name)
	}
	return t.commit()
}

// MergeShards merges two adjacent open shards. shardID's range may lie on
// either side of adjacentShardID's; the child's ParentShardId is shardID.
func (e *Engine) MergeShards(region, name, shardID, adjacentShardID string) error {
	s, err := e.lockActive(region, name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	i := s.meta.shardIndex(shardID)
	if i < 0 {
		return e.couldNotFindShard(name, shardID)
	}
	j := s.meta.shardIndex(adjacentShardID)
	if j < 0 {
		return e.couldNotFindShard(name, adjacentShardID)
	}
	a, b := s.meta.Shards[i], s.meta.Shards[j]
	for _, sm := range []shardMeta{a, b} {
		if sm.Closed {
			return &Error{Kind: ErrInvalidArgument, Message: fmt.Sprintf(
				"Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging",
				ShardID(sm.Index), name, e.cfg.AccountID)}
		}
	}
	aStart, _ := ParseHashKey(a.HashStart)
	aEnd, _ := ParseHashKey(a.HashEnd)
	bStart, _ := ParseHashKey(b.HashStart)
	bEnd, _ := ParseHashKey(b.HashEnd)
	var lo, hi int
	switch {
	case i != j && aEnd != MaxHashKey && aEnd.Add1() == bStart:
		lo, hi = i, j
	case i != j && bEnd != MaxHashKey && bEnd.Add1() == aStart:
		lo, hi = j, i
	default:
		return &Error{Kind: ErrInvalidArgument, Message: fmt.Sprintf(
			"Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging",
			ShardID(a.Index), ShardID(b.Index), name, e.cfg.AccountID)}
	}
	t := e.beginReshard(s)
	// Lineage names the shard the caller asked to merge as the parent.
	start, end := s.meta.Shards[lo].HashStart, s.meta.Shards[hi].HashEnd
	off := max(t.close(i), t.close(j))
	rs, _ := ParseHashKey(start)
	re, _ := ParseHashKey(end)
	if _, err := t.add(ShardID(a.Index), ShardID(b.Index), hashRange{rs, re}, off); err != nil {
		t.abort()
		return internalErr(err, "stream: reshard %s", name)
	}
	return t.commit()
}

// UpdateShardCount scales uniformly to target open shards within AWS's
// rules and returns the open shard count before the change. The result is
// target open shards with AWS's even ranges (see evenSplit).
func (e *Engine) UpdateShardCount(region, name string, target int) (int, error) {
	s, err := e.lockActive(region, name)
	if err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	cur := len(s.open)
	if s.meta.Mode == ModeOnDemand {
		return 0, &Error{Kind: ErrValidation, Message: "UpdateShardCount is not supported for streams with ON_DEMAND capacity mode."}
	}
	lim := func(msg string, args ...any) (int, error) {
		return 0, &Error{Kind: ErrLimitExceeded, Message: fmt.Sprintf(msg, args...)}
	}
	switch {
	case target < 1:
		return 0, &Error{Kind: ErrValidation, Message: fmt.Sprintf(
			"1 validation error detected: Value '%d' at 'targetShardCount' failed to satisfy constraint: Member must have value greater than or equal to 1", target)}
	case target > 2*cur:
		return lim("UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: %d Target shard count: %d", cur, target)
	case 2*target < cur:
		return lim("UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: %d Target shard count: %d", cur, target)
	}
	others := e.openShardCountExceptLocked(region, s)
	if others+target > e.cfg.ShardLimit {
		return e.shardLimitErrN(region, others+cur, target-cur)
	}
	now := e.cfg.Now().UTC()
	recent := s.meta.ShardCountUpdates[:0:0]
	for _, at := range s.meta.ShardCountUpdates {
		if now.Sub(at) < 24*time.Hour {
			recent = append(recent, at)
		}
	}
	if len(recent) >= 10 {
		return lim("Exceeded the maximum number of UpdateShardCount operations (10) for stream %s under account %s in a rolling 24-hour period.", name, e.cfg.AccountID)
	}

	t := e.beginReshard(s)
	if err := t.uniform(target); err != nil {
		t.abort()
		return 0, internalErr(err, "stream: reshard %s", name)
	}
	t.m.ShardCountUpdates = append(recent, now)
	return cur, t.commit()
}

// uniform reshapes the open shards into n even ranges by splits then merges.
func (t *reshardTxn) uniform(n int) error {
	targets := evenSplit(HashKey{}, MaxHashKey, n)
	// Splits: cut every open shard that a target boundary falls strictly
	// inside.
	for _, r := range targets[1:] {
		b := r.Start
		for _, i := range t.openPositions() {
			sm := t.m.Shards[i]
			start, _ := ParseHashKey(sm.HashStart)
			end, _ := ParseHashKey(sm.HashEnd)
			if start.Cmp(b) < 0 && b.Cmp(end) <= 0 {
				if err := t.split(i, b); err != nil {
					return err
				}
				break
			}
		}
	}
	// Merges: every open shard now lies inside one target range; fold each
	// range's pieces left to right.
	for _, r := range targets {
		for {
			var in []int
			for _, i := range t.openPositions() {
				start, _ := ParseHashKey(t.m.Shards[i].HashStart)
				if r.contains(start) {
					in = append(in, i)
				}
			}
			if len(in) <= 1 {
				break
			}
			if _, err := t.merge(in[0], in[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// openShardCountExceptLocked counts open shards in region outside s. It
// reads other streams' atomic counters, never their locks, so two streams
// resharding at once cannot deadlock; the count may be momentarily stale.
func (e *Engine) openShardCountExceptLocked(region string, s *streamState) int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := 0
	for _, o := range e.regions[region] {
		if o != s {
			n += int(o.openCount.Load())
		}
	}
	return n
}

func (e *Engine) shardLimitErrN(region string, cur, add int) (int, error) {
	return 0, e.shardLimitErr(region, cur, add)
}
