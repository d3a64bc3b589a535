package stream

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"sync"
	"testing"
)

func seqBig(s string) *big.Int {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("bad sequence number " + s)
	}
	return b
}

// checkStream verifies the invariants every stream keeps: open shards tile
// the key space; every child's parents cover exactly its range; every
// child's sequence numbers start above its parents' last.
func checkStream(t *testing.T, st Stream) {
	t.Helper()
	byID := map[string]Shard{}
	var open []hashRange
	for _, sh := range st.Shards {
		byID[sh.ID] = sh
		if sh.Open() {
			open = append(open, hashRange{sh.HashKeyStart, sh.HashKeyEnd})
		}
	}
	sort.Slice(open, func(i, j int) bool { return open[i].Start.Cmp(open[j].Start) < 0 })
	checkTiles(t, open)
	if st.OpenShardCount != len(open) {
		t.Fatalf("OpenShardCount %d, %d open shards", st.OpenShardCount, len(open))
	}
	for _, c := range st.Shards {
		if c.ParentShardID == "" {
			continue
		}
		p, ok := byID[c.ParentShardID]
		if !ok {
			continue // expired past retention
		}
		if p.Open() {
			t.Fatalf("%s: parent %s missing or open", c.ID, c.ParentShardID)
		}
		if seqBig(c.StartingSequence).Cmp(seqBig(p.EndingSequence)) <= 0 {
			t.Fatalf("%s starts at %s, not above parent %s's end %s", c.ID, c.StartingSequence, p.ID, p.EndingSequence)
		}
		if c.AdjacentParentShardID == "" {
			if c.HashKeyStart.Cmp(p.HashKeyStart) < 0 || c.HashKeyEnd.Cmp(p.HashKeyEnd) > 0 {
				t.Fatalf("split child %s is not inside parent %s", c.ID, p.ID)
			}
			continue
		}
		a, ok := byID[c.AdjacentParentShardID]
		if !ok {
			continue
		}
		if a.Open() {
			t.Fatalf("%s: adjacent parent %s missing or open", c.ID, c.AdjacentParentShardID)
		}
		if seqBig(c.StartingSequence).Cmp(seqBig(a.EndingSequence)) <= 0 {
			t.Fatalf("%s does not start above adjacent parent %s", c.ID, a.ID)
		}
		lo, hi := p, a
		if a.HashKeyStart.Cmp(p.HashKeyStart) < 0 {
			lo, hi = a, p
		}
		if lo.HashKeyEnd.Add1() != hi.HashKeyStart || c.HashKeyStart != lo.HashKeyStart || c.HashKeyEnd != hi.HashKeyEnd {
			t.Fatalf("merge child %s does not equal the union of %s and %s", c.ID, p.ID, a.ID)
		}
	}
}

func describe(t *testing.T, e *Engine, name string) Stream {
	t.Helper()
	st, err := e.Describe(testRegion, name)
	if err != nil {
		t.Fatal(err)
	}
	checkStream(t, st)
	return st
}

func TestSplitShard(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	before := putTo(t, e, "s", "5", "a", "b", "c")
	it := iter(t, e, "s", "shardId-000000000000", Position{Type: TrimHorizon})
	mid := HashKey{Hi: 1 << 63}
	if err := e.SplitShard(testRegion, "s", "shardId-000000000000", mid); err != nil {
		t.Fatal(err)
	}
	st := describe(t, e, "s")
	if len(st.Shards) != 3 || seqBig(st.Shards[0].EndingSequence).Cmp(seqBig(before[2].SequenceNumber)) <= 0 {
		t.Fatalf("after split: %+v", st.Shards)
	}
	c1, c2 := st.Shards[1], st.Shards[2]
	if c1.ID != "shardId-000000000001" || c1.ParentShardID != "shardId-000000000000" || c1.HashKeyEnd != mid.Sub1() ||
		c2.ID != "shardId-000000000002" || c2.HashKeyStart != mid || c2.HashKeyEnd != MaxHashKey {
		t.Fatalf("children: %+v %+v", c1, c2)
	}
	after := putTo(t, e, "s", "5", "d")
	if after[0].ShardID != c1.ID || seqBig(after[0].SequenceNumber).Cmp(seqBig(before[2].SequenceNumber)) <= 0 {
		t.Fatalf("after split a record went to %s with %s", after[0].ShardID, after[0].SequenceNumber)
	}
	// Reading the closed parent: its records, then the end with children.
	r, err := e.GetRecords(testRegion, it, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Records) != 3 || r.NextIterator != "" || len(r.ChildShards) != 2 ||
		r.ChildShards[0].ShardID != c1.ID || r.ChildShards[0].ParentShards[0] != "shardId-000000000000" || r.ChildShards[1].HashKeyStart != mid {
		t.Fatalf("end of closed shard: %+v", r)
	}
	// LATEST on a closed shard is its end, too.
	r, _ = e.GetRecords(testRegion, iter(t, e, "s", "shardId-000000000000", Position{Type: Latest}), 100)
	if len(r.Records) != 0 || r.NextIterator != "" || len(r.ChildShards) != 2 {
		t.Fatalf("LATEST on closed shard: %+v", r)
	}

	// Validation, with AWS's wording.
	sh1 := st.Shards[1]
	err = e.SplitShard(testRegion, "s", sh1.ID, sh1.HashKeyStart.Add1())
	wantErr(t, err, ErrInvalidArgument, "used in SplitShard() on shard shardId-000000000001 in stream s under account 000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey")
	wantErr(t, e.SplitShard(testRegion, "s", sh1.ID, sh1.HashKeyEnd), ErrInvalidArgument, "is not both greater")
	wantErr(t, e.SplitShard(testRegion, "s", "shardId-000000000000", HashKey{Lo: 7}), ErrInvalidArgument, "has already been merged or split")
	wantErr(t, e.SplitShard(testRegion, "s", "shardId-000000000042", HashKey{Lo: 7}), ErrStreamNotFound,
		"Could not find shard shardId-000000000042 in stream s under account 000000000000.")
	wantErr(t, e.SplitShard(testRegion, "x", "shardId-000000000000", HashKey{Lo: 7}), ErrStreamNotFound, "Stream x under account")
	if err := e.SplitShard(testRegion, "s", sh1.ID, sh1.HashKeyStart.Add1().Add1()); err != nil {
		t.Fatalf("smallest valid split key: %v", err)
	}
	describe(t, e, "s")
}

func TestSplitShardLimit(t *testing.T) {
	cfg, _ := testConfig(t)
	cfg.ShardLimit = 2
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 2)
	wantErr(t, e.SplitShard(testRegion, "s", "shardId-000000000000", HashKey{Hi: 1}), ErrLimitExceeded, "would exceed the shard limit")
}

func TestMergeShards(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 3)
	wantErr(t, e.MergeShards(testRegion, "s", "shardId-000000000000", "shardId-000000000002"), ErrInvalidArgument,
		"Shards shardId-000000000000 and shardId-000000000002 in stream s under account 000000000000 are not an adjacent pair of shards eligible for merging")
	wantErr(t, e.MergeShards(testRegion, "s", "shardId-000000000000", "shardId-000000000000"), ErrInvalidArgument, "not an adjacent pair")
	wantErr(t, e.MergeShards(testRegion, "s", "shardId-000000000000", "shardId-000000000007"), ErrStreamNotFound, "Could not find shard shardId-000000000007")
	p1 := putTo(t, e, "s", MaxHashKey.String(), "x", "y")
	// The higher shard first: AWS accepts either order.
	if err := e.MergeShards(testRegion, "s", "shardId-000000000002", "shardId-000000000001"); err != nil {
		t.Fatal(err)
	}
	st := describe(t, e, "s")
	c := st.Shards[3]
	if c.ID != "shardId-000000000003" || c.ParentShardID != "shardId-000000000002" || c.AdjacentParentShardID != "shardId-000000000001" ||
		c.HashKeyStart != st.Shards[1].HashKeyStart || c.HashKeyEnd != MaxHashKey {
		t.Fatalf("merge child: %+v", c)
	}
	if seqBig(st.Shards[2].EndingSequence).Cmp(seqBig(p1[1].SequenceNumber)) <= 0 {
		t.Fatalf("parent ending %s, not above its last record %s", st.Shards[2].EndingSequence, p1[1].SequenceNumber)
	}
	// The ending sequence number: AT reads the end, AFTER is refused as on AWS.
	r0, _ := e.GetRecords(testRegion, iter(t, e, "s", "shardId-000000000002", Position{Type: AtSequenceNumber, SequenceNumber: st.Shards[2].EndingSequence}), 10)
	if len(r0.Records) != 0 || r0.NextIterator != "" || len(r0.ChildShards) != 1 {
		t.Fatalf("AT_SEQUENCE_NUMBER EndingSequenceNumber: %+v", r0)
	}
	_, err := e.GetShardIterator(testRegion, "s", "shardId-000000000002", Position{Type: AfterSequenceNumber, SequenceNumber: st.Shards[2].EndingSequence})
	wantErr(t, err, ErrInvalidArgument, "Invalid SequenceNumber for ShardIteratorType AFTER_SEQUENCE_NUMBER, SequenceNumber has reached max possible value for the shard.")
	r, _ := e.GetRecords(testRegion, iter(t, e, "s", "shardId-000000000001", Position{Type: TrimHorizon}), 10)
	if r.NextIterator != "" || len(r.ChildShards) != 1 || len(r.ChildShards[0].ParentShards) != 2 {
		t.Fatalf("empty closed parent: %+v", r)
	}
	wantErr(t, e.MergeShards(testRegion, "s", "shardId-000000000001", "shardId-000000000000"), ErrInvalidArgument, "has already been merged or split")
}

func TestUpdateShardCount(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 4)
	steps := []int{8, 5, 3, 6, 12, 7, 4}
	cur := 4
	for _, target := range steps {
		put(t, e, "s", "d", 50)
		prev, err := e.UpdateShardCount(testRegion, "s", target)
		if err != nil {
			t.Fatalf("%d → %d: %v", cur, target, err)
		}
		if prev != cur {
			t.Fatalf("UpdateShardCount returned %d, want %d", prev, cur)
		}
		st := describe(t, e, "s")
		var open []hashRange
		for _, sh := range st.Shards {
			if sh.Open() {
				open = append(open, hashRange{sh.HashKeyStart, sh.HashKeyEnd})
			}
		}
		sort.Slice(open, func(i, j int) bool { return open[i].Start.Cmp(open[j].Start) < 0 })
		want := evenSplit(HashKey{}, MaxHashKey, target)
		if fmt.Sprint(open) != fmt.Sprint(want) {
			t.Fatalf("%d → %d: open ranges are not AWS's even split", cur, target)
		}
		cur = target
	}
	_, err := e.UpdateShardCount(testRegion, "s", 9)
	wantErr(t, err, ErrLimitExceeded, "cannot scale up over double")
	_, err = e.UpdateShardCount(testRegion, "s", 1)
	wantErr(t, err, ErrLimitExceeded, "cannot scale down below half")
	for _, target := range []int{5, 4, 5} { // the 8th, 9th and 10th in 24 hours
		if _, err := e.UpdateShardCount(testRegion, "s", target); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.UpdateShardCount(testRegion, "s", 4)
	wantErr(t, err, ErrLimitExceeded, "maximum number of UpdateShardCount operations (10)")

	// Every record written along the way is readable exactly once.
	st := describe(t, e, "s")
	total := 0
	for _, sh := range st.Shards {
		recs, _ := getAll(t, e, iter(t, e, "s", sh.ID, Position{Type: TrimHorizon}))
		total += len(recs)
	}
	if total != 50*len(steps) {
		t.Fatalf("read %d records, wrote %d", total, 50*len(steps))
	}

	if err := e.CreateStream(testRegion, "od", CreateOptions{Mode: ModeOnDemand}); err != nil {
		t.Fatal(err)
	}
	_, err = e.UpdateShardCount(testRegion, "od", 8)
	wantErr(t, err, ErrValidation, "ON_DEMAND")
}

// Sequence numbers keep growing across a restart and into child shards.
func TestSequenceAcrossRestartAndSplit(t *testing.T) {
	cfg, _ := testConfig(t)
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e, "s", 1)
	a := putTo(t, e, "s", "1", "a1", "a2")
	e.Close()
	e = openEngine(t, cfg)
	b := putTo(t, e, "s", "1", "b1")
	if err := e.SplitShard(testRegion, "s", "shardId-000000000000", HashKey{Hi: 1 << 63}); err != nil {
		t.Fatal(err)
	}
	c := putTo(t, e, "s", "1", "c1")
	e.Close()
	e = openEngine(t, cfg)
	d := putTo(t, e, "s", "1", "d1")
	seqs := []string{a[0].SequenceNumber, a[1].SequenceNumber, b[0].SequenceNumber, c[0].SequenceNumber, d[0].SequenceNumber}
	for i := 1; i < len(seqs); i++ {
		if seqBig(seqs[i]).Cmp(seqBig(seqs[i-1])) <= 0 {
			t.Fatalf("sequence %d (%s) is not above %d (%s)", i, seqs[i], i-1, seqs[i-1])
		}
	}
	describe(t, e, "s")
}

// Producers keep writing while the stream is resharded; every acknowledged
// record is readable exactly once afterwards, with its data.
func TestPutsWhileResharding(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 2)
	var mu sync.Mutex
	acked := map[string]string{} // seq → data
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				entries := make([]PutEntry, 10)
				for j := range entries {
					entries[j] = PutEntry{PartitionKey: fmt.Sprintf("p%d-%d", p, j), Data: []byte(fmt.Sprintf("p%d-%d-%d", p, i, j))}
				}
				res, err := e.PutRecords(testRegion, "s", entries)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for j, r := range res {
					if r.Err == nil {
						acked[r.SequenceNumber] = string(entries[j].Data)
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, target := range []int{4, 3, 6, 4} {
		if _, err := e.UpdateShardCount(testRegion, "s", target); err != nil {
			t.Fatal(err)
		}
		st, _ := e.Describe(testRegion, "s")
		for _, sh := range st.Shards {
			if sh.Open() {
				if err := e.SplitShard(testRegion, "s", sh.ID, sh.HashKeyStart.Add1().Add1()); err != nil && !errors.Is(err, ErrInvalidArgument) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	close(stop)
	wg.Wait()
	st := describe(t, e, "s")
	seen := 0
	for _, sh := range st.Shards {
		recs, _ := getAll(t, e, iter(t, e, "s", sh.ID, Position{Type: TrimHorizon}))
		for _, r := range recs {
			if acked[r.SequenceNumber] != string(r.Data) {
				t.Fatalf("record %s: %q, acked %q", r.SequenceNumber, r.Data, acked[r.SequenceNumber])
			}
			seen++
		}
	}
	if seen != len(acked) || seen == 0 {
		t.Fatalf("read %d records, %d acknowledged", seen, len(acked))
	}
}

// Administrative calls racing on the same names never deadlock and never
// fail with anything but the expected kinds.
func TestConcurrentAdministration(t *testing.T) {
	cfg, _ := testConfig(t)
	cfg.OpenLog = memoryLogs
	e := openEngine(t, cfg)
	var wg sync.WaitGroup
	ok := func(err error) {
		if err != nil && !errors.Is(err, ErrStreamNotFound) && !errors.Is(err, ErrResourceInUse) &&
			!errors.Is(err, ErrLimitExceeded) && !errors.Is(err, ErrInvalidArgument) {
			t.Error(err)
		}
	}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				name := fmt.Sprintf("s%d", i%2)
				switch (w + i) % 7 {
				case 0:
					ok(e.CreateStream(testRegion, name, CreateOptions{ShardCount: 2}))
				case 1:
					ok(e.DeleteStream(testRegion, name))
				case 2:
					_, err := e.UpdateShardCount(testRegion, name, 3)
					ok(err)
				case 3:
					ok(e.SplitShard(testRegion, name, "shardId-000000000000", HashKey{Hi: 1}))
				case 4:
					ok(e.UpdateStreamMode(testRegion, name, ModeProvisioned))
				case 5:
					_, err := e.PutRecords(testRegion, name, []PutEntry{{PartitionKey: "k", Data: []byte("x")}})
					ok(err)
				case 6:
					e.ListStreams(testRegion)
					e.Limits(testRegion)
					e.ExpireNow()
				}
			}
		}()
	}
	wg.Wait()
}

// Children start their logs at or above every parent's end offset, so
// offsets, not only sequence numbers, grow along each lineage.
func TestChildOffsetsAboveParents(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 2)
	put(t, e, "s", "a", 100)
	if _, err := e.UpdateShardCount(testRegion, "s", 3); err != nil {
		t.Fatal(err)
	}
	put(t, e, "s", "b", 100)
	if err := e.MergeShards(testRegion, "s", ShardID(e.mustOpen(t, "s")[0]), ShardID(e.mustOpen(t, "s")[1])); err != nil {
		t.Fatal(err)
	}
	s, _ := e.lookup(testRegion, "s")
	s.mu.RLock()
	defer s.mu.RUnlock()
	end := map[string]uint64{}
	for _, sm := range s.meta.Shards {
		if sm.Closed {
			end[ShardID(sm.Index)] = sm.EndOffset
		}
	}
	for _, sm := range s.meta.Shards {
		for _, p := range []string{sm.Parent, sm.AdjacentParent} {
			if p != "" && sm.StartOffset < end[p] {
				t.Fatalf("%s starts at offset %d below parent %s's end %d", ShardID(sm.Index), sm.StartOffset, p, end[p])
			}
		}
	}
}

// mustOpen lists the open shards' indexes by hash start.
func (e *Engine) mustOpen(t *testing.T, name string) []int {
	s, err := e.lookup(testRegion, name)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []int
	for _, sh := range s.open {
		out = append(out, sh.index)
	}
	return out
}
