package stream

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestWriteQuota(t *testing.T) {
	cfg, clk := testConfig(t)
	cfg.Quotas = true
	cfg.OpenLog = memoryLogs
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 2)
	entries := make([]PutEntry, 500)
	for i := range entries {
		entries[i] = PutEntry{PartitionKey: "k", ExplicitHashKey: "0", Data: []byte("x")}
	}
	for i := 0; i < 2; i++ {
		res, err := e.PutRecords(testRegion, "s", entries)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				t.Fatalf("within 1,000 records/s: %v", r.Err)
			}
		}
	}
	res, err := e.PutRecords(testRegion, "s", []PutEntry{
		{PartitionKey: "k", ExplicitHashKey: "0", Data: []byte("x")},
		{PartitionKey: "k", ExplicitHashKey: MaxHashKey.String(), Data: []byte("x")},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, res[0].Err, ErrThroughputExceeded, "Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.")
	if res[0].SequenceNumber != "" || res[1].Err != nil || res[1].ShardID != "shardId-000000000001" {
		t.Fatalf("the other shard has its own quota: %+v", res)
	}
	clk.Advance(100 * time.Millisecond) // refills 100 records
	res, _ = e.PutRecords(testRegion, "s", entries[:101])
	failed := 0
	for _, r := range res {
		if r.Err != nil {
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("after 100 ms %d of 101 records failed, want 1", failed)
	}

	// 1 MiB/s counts data plus partition key.
	clk.Advance(10 * time.Second)
	big := []PutEntry{{PartitionKey: "kk", ExplicitHashKey: "0", Data: make([]byte, 1<<19-2)}} // 512 KiB with the key
	for i, want := range []bool{true, true, false} {
		res, _ := e.PutRecords(testRegion, "s", big)
		if (res[0].Err == nil) != want {
			t.Fatalf("512 KiB record %d: %v", i, res[0].Err)
		}
	}

	// ON_DEMAND streams are not held to provisioned per-shard quotas.
	if err := e.CreateStream(testRegion, "od", CreateOptions{Mode: ModeOnDemand, ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		res, _ := e.PutRecords(testRegion, "od", entries)
		for _, r := range res {
			if r.Err != nil {
				t.Fatalf("on-demand write throttled: %v", r.Err)
			}
		}
	}
}

func TestReadQuota(t *testing.T) {
	cfg, clk := testConfig(t)
	cfg.Quotas = true
	cfg.OpenLog = memoryLogs
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	const sh = "shardId-000000000000"
	it := iter(t, e, "s", sh, Position{Type: TrimHorizon})
	for i := 0; i < 5; i++ {
		if _, err := e.GetRecords(testRegion, it, 1); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	_, err := e.GetRecords(testRegion, it, 1)
	wantErr(t, err, ErrThroughputExceeded, "Rate exceeded for shard shardId-000000000000 in stream s")
	clk.Advance(200 * time.Millisecond)
	if _, err := e.GetRecords(testRegion, it, 1); err != nil {
		t.Fatalf("after 200 ms: %v", err)
	}

	// A large read puts the byte bucket in debt: 2 MiB/s.
	clk.Advance(10 * time.Second)
	for i := 0; i < 4; i++ {
		putTo(t, e, "s", "0", strings.Repeat("z", 1<<20-1))
		clk.Advance(time.Second)
	}
	r, err := e.GetRecords(testRegion, iter(t, e, "s", sh, Position{Type: TrimHorizon}), 100)
	if err != nil || len(r.Records) != 4 {
		t.Fatalf("4 MiB read: %v", err)
	}
	_, err = e.GetRecords(testRegion, r.NextIterator, 100)
	if !errors.Is(err, ErrThroughputExceeded) {
		t.Fatalf("read right after 4 MiB: %v", err)
	}
	clk.Advance(1100 * time.Millisecond)
	if _, err = e.GetRecords(testRegion, r.NextIterator, 100); err != nil {
		t.Fatalf("read after the debt is repaid: %v", err)
	}
}
