package stream

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestIteratorTypes(t *testing.T) {
	for _, memory := range []bool{false, true} {
		name := map[bool]string{false: "file", true: "memory"}[memory]
		t.Run(name, func(t *testing.T) {
			cfg, clk := testConfig(t)
			if memory {
				cfg.OpenLog = memoryLogs
			}
			e := openEngine(t, cfg)
			mustCreate(t, e, "s", 1)
			const sh = "shardId-000000000000"
			first := putTo(t, e, "s", "0", "r0", "r1", "r2")
			clk.Advance(time.Second)
			mid := clk.Now()
			second := putTo(t, e, "s", "0", "r3", "r4")
			latest := iter(t, e, "s", sh, Position{Type: Latest})
			putTo(t, e, "s", "0", "r5")

			data := func(rs []Record) string {
				var b []string
				for _, r := range rs {
					b = append(b, string(r.Data))
				}
				return strings.Join(b, ",")
			}
			cases := []struct {
				pos  Position
				want string
			}{
				{Position{Type: TrimHorizon}, "r0,r1,r2,r3,r4,r5"},
				{Position{Type: AtSequenceNumber, SequenceNumber: first[1].SequenceNumber}, "r1,r2,r3,r4,r5"},
				{Position{Type: AfterSequenceNumber, SequenceNumber: first[1].SequenceNumber}, "r2,r3,r4,r5"},
				{Position{Type: AfterSequenceNumber, SequenceNumber: second[1].SequenceNumber}, "r5"},
				{Position{Type: AtTimestamp, Timestamp: mid}, "r3,r4,r5"},
				{Position{Type: AtTimestamp, Timestamp: mid.Add(-time.Hour)}, "r0,r1,r2,r3,r4,r5"},
				{Position{Type: AtTimestamp, Timestamp: mid.Add(time.Hour)}, ""},
			}
			for _, c := range cases {
				recs, _ := getAll(t, e, iter(t, e, "s", sh, c.pos))
				if got := data(recs); got != c.want {
					t.Errorf("%v %s: got %q, want %q", c.pos.Type, c.pos.SequenceNumber, got, c.want)
				}
			}
			recs, _ := getAll(t, e, latest)
			if got := data(recs); got != "r5" {
				t.Errorf("LATEST: got %q", got)
			}
			// Records carry arrival times and keys.
			recs, _ = getAll(t, e, iter(t, e, "s", sh, Position{Type: TrimHorizon}))
			if !recs[0].ArrivalTime.Equal(mid.Add(-time.Second)) || !recs[3].ArrivalTime.Equal(mid) || recs[0].PartitionKey != "k" {
				t.Errorf("record metadata: %+v", recs[0])
			}
		})
	}
}

func TestGetShardIteratorErrors(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 2)
	mustCreate(t, e, "other", 1)
	r0 := putTo(t, e, "s", "0", "a")
	r1 := putTo(t, e, "s", MaxHashKey.String(), "b")
	ro := putTo(t, e, "other", "0", "c")
	const sh = "shardId-000000000000"
	g := func(shard string, p Position) error {
		_, err := e.GetShardIterator(testRegion, "s", shard, p)
		return err
	}
	wantErr(t, g("shardId-000000000009", Position{Type: TrimHorizon}), ErrStreamNotFound,
		"Shard shardId-000000000009 in stream s under account 000000000000 does not exist")
	wantErr(t, g(sh, Position{Type: Latest, SequenceNumber: r0[0].SequenceNumber}), ErrInvalidArgument,
		"Request specified LATEST and also a StartingSequenceNumber.")
	wantErr(t, g(sh, Position{Type: AtSequenceNumber}), ErrInvalidArgument, "Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.")
	wantErr(t, g(sh, Position{Type: AtSequenceNumber, SequenceNumber: "12345"}), ErrInvalidArgument,
		"StartingSequenceNumber 12345 used in GetShardIterator on shard shardId-000000000000 in stream s under account 000000000000 is invalid.")
	wantErr(t, g(sh, Position{Type: AtSequenceNumber, SequenceNumber: r1[0].SequenceNumber}), ErrInvalidArgument,
		"Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard with shardId-000000000000")
	wantErr(t, g(sh, Position{Type: AtSequenceNumber, SequenceNumber: ro[0].SequenceNumber}), ErrInvalidArgument,
		"is invalid because it did not come from this stream.")
	sq, _ := parseSeq(r0[0].SequenceNumber)
	future := formatSeq(sq.tag, 0, sq.offset+5)
	wantErr(t, g(sh, Position{Type: AtSequenceNumber, SequenceNumber: future}), ErrInvalidArgument, "is invalid.")
	wantErr(t, g(sh, Position{Type: AtTimestamp}), ErrInvalidArgument, "Must specify timestampInMillis parameter")
	wantErr(t, g(sh, Position{Type: "SIDEWAYS"}), ErrValidation, "1 validation error detected")
	_, err := e.GetShardIterator(testRegion, "nope", sh, Position{Type: TrimHorizon})
	wantErr(t, err, ErrStreamNotFound, "Stream nope under account 000000000000 not found.")
}

func TestIteratorTamperAndExpiry(t *testing.T) {
	cfg, clk := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	putTo(t, e, "s", "0", "a")
	it := iter(t, e, "s", "shardId-000000000000", Position{Type: TrimHorizon})

	raw, _ := base64.StdEncoding.DecodeString(it)
	for i := range raw {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		_, err := e.GetRecords(testRegion, base64.StdEncoding.EncodeToString(b), 10)
		wantErr(t, err, ErrInvalidArgument, "Invalid ShardIterator.")
	}
	for _, g := range []string{"", "x", "!!!!", it + "A", it[:len(it)-4], strings.Repeat("A", 400), base64.StdEncoding.EncodeToString(make([]byte, 80))} {
		_, err := e.GetRecords(testRegion, g, 10)
		wantErr(t, err, ErrInvalidArgument, "Invalid ShardIterator.")
	}
	// A token is bound to its region.
	_, err := e.GetRecords("eu-west-1", it, 10)
	wantErr(t, err, ErrInvalidArgument, "Invalid ShardIterator.")

	// Survives a restart (the key is on disk) ...
	e.Close()
	e = openEngine(t, cfg)
	r, err := e.GetRecords(testRegion, it, 10)
	if err != nil || len(r.Records) != 1 {
		t.Fatalf("iterator after restart: %v %v", r, err)
	}
	// ... and expires five minutes after issue.
	clk.Advance(5 * time.Minute)
	if _, err := e.GetRecords(testRegion, it, 10); err != nil {
		t.Fatalf("iterator at exactly 5 minutes: %v", err)
	}
	clk.Advance(time.Millisecond)
	_, err = e.GetRecords(testRegion, it, 10)
	wantErr(t, err, ErrExpiredIterator, "Iterator expired. The iterator was created at time Wed Nov 25 12:00:00 UTC 2026 while right now it is Wed Nov 25 12:05:00 UTC 2026 which is further in the future than the tolerated delay of 300000 milliseconds.")
	// NextIterator is fresh on every call.
	it2 := iter(t, e, "s", "shardId-000000000000", Position{Type: TrimHorizon})
	r, _ = e.GetRecords(testRegion, it2, 10)
	clk.Advance(4 * time.Minute)
	if _, err := e.GetRecords(testRegion, r.NextIterator, 10); err != nil {
		t.Fatal(err)
	}
}

func TestGetRecordsLimits(t *testing.T) {
	cfg, clk := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	const sh = "shardId-000000000000"
	for i := 0; i < 25; i++ {
		putTo(t, e, "s", "0", strings.Repeat("x", 100))
	}
	it := iter(t, e, "s", sh, Position{Type: TrimHorizon})
	clk.Advance(3 * time.Second)
	r, err := e.GetRecords(testRegion, it, 10)
	if err != nil || len(r.Records) != 10 || r.NextIterator == "" {
		t.Fatalf("limit 10: %d records, %v", len(r.Records), err)
	}
	if r.MillisBehindLatest != 3000 {
		t.Fatalf("MillisBehindLatest = %d, want 3000 while behind", r.MillisBehindLatest)
	}
	r, _ = e.GetRecords(testRegion, r.NextIterator, 100)
	if len(r.Records) != 15 || r.MillisBehindLatest != 0 || r.NextIterator == "" {
		t.Fatalf("rest: %d records, behind %d", len(r.Records), r.MillisBehindLatest)
	}
	r, _ = e.GetRecords(testRegion, r.NextIterator, 100)
	if len(r.Records) != 0 || r.NextIterator == "" || r.ChildShards != nil {
		t.Fatalf("at the tip of an open shard: %+v", r)
	}
	_, err = e.GetRecords(testRegion, it, 10001)
	wantErr(t, err, ErrValidation, "less than or equal to 10000")
	_, err = e.GetRecords(testRegion, it, -1)
	wantErr(t, err, ErrValidation, "greater than or equal to 1")

	// 10 MiB per call: 11 records of 1 MiB come back in two calls.
	mustCreate(t, e, "big", 1)
	big := strings.Repeat("y", 1<<20-1)
	for i := 0; i < 11; i++ {
		putTo(t, e, "big", "0", big)
	}
	r, err = e.GetRecords(testRegion, iter(t, e, "big", sh, Position{Type: TrimHorizon}), 10000)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Records); n != 10 {
		t.Fatalf("10 MiB cap returned %d records of 1 MiB", n)
	}
}

func TestIteratorErrorsAreOnlyInvalidOrExpired(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	for _, s := range []string{"AAAA", "AQ==", strings.Repeat("/", 100)} {
		_, err := e.GetRecords(testRegion, s, 1)
		if !errors.Is(err, ErrInvalidArgument) {
			t.Fatalf("%q: %v", s, err)
		}
	}
}

// FuzzIteratorToken: decoding arbitrary strings never panics and fails only
// with ErrInvalidArgument or ErrExpiredIterator; a valid token still works.
func FuzzIteratorToken(f *testing.F) {
	cfg, clk := testConfig(f)
	cfg.OpenLog = memoryLogs
	e := openEngine(f, cfg)
	mustCreate(f, e, "s", 1)
	putTo(f, e, "s", "0", "a")
	it := iter(f, e, "s", "shardId-000000000000", Position{Type: TrimHorizon})
	f.Add(it)
	f.Add("")
	f.Add("AAAAAAAAAAE=")
	raw, _ := base64.StdEncoding.DecodeString(it)
	f.Add(base64.StdEncoding.EncodeToString(raw[:len(raw)-1]))
	f.Fuzz(func(t *testing.T, s string) {
		_ = clk
		r, err := e.GetRecords(testRegion, s, 5)
		if err != nil {
			if !errors.Is(err, ErrInvalidArgument) && !errors.Is(err, ErrExpiredIterator) {
				t.Fatalf("GetRecords(%q) = %v", s, err)
			}
			return
		}
		if s != it {
			t.Fatalf("forged token %q accepted: %+v", s, r)
		}
	})
}

// TestGetRecordsRelease: released read memory is reused by later reads,
// which still answer correctly; answers not released are never touched by
// later reads; and an engine of memory logs (whose Data alias the log)
// keeps its records intact across released reads.
func TestGetRecordsRelease(t *testing.T) {
	for _, memory := range []bool{false, true} {
		t.Run(map[bool]string{false: "file", true: "memory"}[memory], func(t *testing.T) {
			cfg, _ := testConfig(t)
			if memory {
				cfg.OpenLog = memoryLogs
			}
			e := openEngine(t, cfg)
			mustCreate(t, e, "s", 2)
			const top = "340282366920938463463374607431768211455"
			putTo(t, e, "s", "0", "a0", "a1", "a2")
			putTo(t, e, "s", top, "bbbbbb0", "bbbbbb1")
			read := func(shard string) Records {
				t.Helper()
				r, err := e.GetRecords(testRegion, iter(t, e, "s", shard, Position{Type: TrimHorizon}), 0)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			data := func(r Records) string {
				var b []string
				for _, rec := range r.Records {
					b = append(b, string(rec.Data)+"/"+rec.PartitionKey+"/"+rec.SequenceNumber[len(rec.SequenceNumber)-3:])
				}
				return strings.Join(b, ",")
			}
			a := read("shardId-000000000000")
			wantA := data(a)
			a.Release()
			if a.Records != nil {
				t.Error("Release left the records in place")
			}
			b := read("shardId-000000000001")
			wantB := data(b)
			kept := read("shardId-000000000000") // not released
			b.Release()
			for range 3 {
				r := read("shardId-000000000001")
				if got := data(r); got != wantB {
					t.Errorf("after reuse: got %q, want %q", got, wantB)
				}
				r.Release()
			}
			if got := data(kept); got != wantA {
				t.Errorf("an answer not released changed: got %q, want %q", got, wantA)
			}
			if got := data(read("shardId-000000000000")); got != wantA {
				t.Errorf("records changed under reuse: got %q, want %q", got, wantA)
			}
			if !strings.HasPrefix(wantA, "a0/k/") || !strings.HasPrefix(wantB, "bbbbbb0/k/") {
				t.Errorf("unexpected records %q, %q", wantA, wantB)
			}
		})
	}
}
