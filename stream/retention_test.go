package stream

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRetentionExpiry(t *testing.T) {
	for _, memory := range []bool{false, true} {
		t.Run(map[bool]string{false: "file", true: "memory"}[memory], func(t *testing.T) {
			cfg, clk := testConfig(t)
			cfg.SegmentBytes = 4096
			if memory {
				cfg.OpenLog = memoryLogs
			}
			e := openEngine(t, cfg)
			mustCreate(t, e, "s", 1)
			const sh = "shardId-000000000000"
			old := make([]PutResult, 0, 40)
			for i := 0; i < 40; i++ {
				old = append(old, putTo(t, e, "s", "0", strings.Repeat("o", 500))...)
			}
			clk.Advance(23 * time.Hour)
			young := putTo(t, e, "s", "0", "young")
			clk.Advance(2 * time.Hour) // old records are 25 h old, young 2 h

			// Before any expiry pass, GetRecords already hides the old records.
			recs, _ := getAll(t, e, iter(t, e, "s", sh, Position{Type: TrimHorizon}))
			if len(recs) != 1 || string(recs[0].Data) != "young" {
				t.Fatalf("TRIM_HORIZON past retention read %d records", len(recs))
			}
			// A sequence number below the trim horizon reads from the horizon.
			recs, _ = getAll(t, e, iter(t, e, "s", sh, Position{Type: AtSequenceNumber, SequenceNumber: old[3].SequenceNumber}))
			if len(recs) != 1 || recs[0].SequenceNumber != young[0].SequenceNumber {
				t.Fatalf("AT_SEQUENCE_NUMBER below trim horizon read %d records", len(recs))
			}

			e.ExpireNow()
			_, err := e.GetShardIterator(testRegion, "s", sh, Position{Type: AtSequenceNumber, SequenceNumber: old[0].SequenceNumber})
			if err != nil {
				t.Fatalf("expired sequence number: %v", err)
			}
			recs, _ = getAll(t, e, iter(t, e, "s", sh, Position{Type: TrimHorizon}))
			if len(recs) != 1 {
				t.Fatalf("after expiry read %d records", len(recs))
			}
			if !memory {
				// Expired segments are gone from disk: far less than the 20 KB
				// written remains.
				var size int64
				filepath.Walk(filepath.Join(cfg.Dir, regionsDir), func(p string, fi os.FileInfo, err error) error {
					if err == nil && !fi.IsDir() && strings.Contains(p, shardsSubdir) {
						size += fi.Size()
					}
					return nil
				})
				if size > 8192 {
					t.Fatalf("%d bytes of shard data remain after expiry", size)
				}
			}

			// Longer retention keeps data.
			if err := e.IncreaseRetention(testRegion, "s", 48); err != nil {
				t.Fatal(err)
			}
			putTo(t, e, "s", "0", "kept")
			clk.Advance(30 * time.Hour)
			e.ExpireNow()
			recs, _ = getAll(t, e, iter(t, e, "s", sh, Position{Type: TrimHorizon}))
			if len(recs) != 2 {
				t.Fatalf("48 h retention, records 30-32 h old: read %d, want 2", len(recs))
			}
		})
	}
}

func TestRetentionRemovesClosedShards(t *testing.T) {
	cfg, clk := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	putTo(t, e, "s", "0", "a")
	if err := e.SplitShard(testRegion, "s", "shardId-000000000000", HashKey{Hi: 1 << 63}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(23 * time.Hour)
	if n := e.ExpireNow(); n != 0 {
		t.Fatalf("removed %d shards within retention", n)
	}
	clk.Advance(59 * time.Minute)
	it := iter(t, e, "s", "shardId-000000000000", Position{Type: TrimHorizon})
	clk.Advance(2 * time.Minute)
	if n := e.ExpireNow(); n != 1 {
		t.Fatalf("removed %d shards, want the closed parent", n)
	}
	st := describe(t, e, "s")
	if len(st.Shards) != 2 || st.Shards[0].ID != "shardId-000000000001" || st.Shards[0].ParentShardID != "shardId-000000000000" {
		t.Fatalf("after expiry: %+v", st.Shards)
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, regionsDir, testRegion)); err != nil {
		t.Fatal(err)
	}
	_, err := e.GetRecords(testRegion, it, 10)
	wantErr(t, err, ErrStreamNotFound, "Shard shardId-000000000000 in stream s")
	// The removal is durable.
	e.Close()
	e = openEngine(t, cfg)
	if st := describe(t, e, "s"); len(st.Shards) != 2 {
		t.Fatalf("after reopen: %d shards", len(st.Shards))
	}
}

func TestRetentionLoopRuns(t *testing.T) {
	cfg, clk := testConfig(t)
	cfg.RetentionInterval = time.Millisecond
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	if err := e.SplitShard(testRegion, "s", "shardId-000000000000", HashKey{Hi: 1 << 63}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(25 * time.Hour)
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ := e.Describe(testRegion, "s")
		if len(st.Shards) == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("background loop did not remove the expired closed shard")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A closed shard whose records have all passed retention still ends: its
// reader gets no records, a null iterator and the children.
func TestClosedShardWithExpiredRecordsEnds(t *testing.T) {
	cfg, clk := testConfig(t)
	cfg.SegmentBytes = 4096
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	for i := 0; i < 20; i++ {
		putTo(t, e, "s", "0", strings.Repeat("o", 500))
	}
	clk.Advance(25 * time.Hour)
	if err := e.SplitShard(testRegion, "s", "shardId-000000000000", HashKey{Hi: 1 << 63}); err != nil {
		t.Fatal(err)
	}
	for _, expire := range []bool{false, true} {
		if expire {
			e.ExpireNow()
		}
		r, err := e.GetRecords(testRegion, iter(t, e, "s", "shardId-000000000000", Position{Type: TrimHorizon}), 100)
		if err != nil || len(r.Records) != 0 || r.NextIterator != "" || len(r.ChildShards) != 2 {
			t.Fatalf("expire=%v: %+v %v", expire, r, err)
		}
	}
}
