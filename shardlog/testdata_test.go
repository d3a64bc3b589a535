package shardlog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestFormatV1Testdata opens a log written by the v1 writer and committed
// under testdata/v1-log: two sealed segments and an active one. It must stay
// readable by every later build (keep version N-1 readable). Regenerate it
// only for a new format version, into a new directory, with
// SHARDLOG_WRITE_TESTDATA=1.
func TestFormatV1Testdata(t *testing.T) {
	const src = "testdata/v1-log"
	if os.Getenv("SHARDLOG_WRITE_TESTDATA") == "1" {
		os.RemoveAll(src)
		clk := newClock(1_700_000_000_000)
		l := mustOpen(t, src, Options{SegmentBytes: 600, StartOffset: 1000, Now: clk.Now})
		for i := range uint64(30) {
			clk.set(1_700_000_000_000 + int64(i)*10)
			off := 1000 + i
			if _, _, err := l.Append([]Entry{v1Entry(off)}); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(ents) < 3 {
		t.Fatalf("testdata holds %d segments, want >= 3", len(ents))
	}
	l := mustOpen(t, dir, Options{})
	if first, next := l.Bounds(); first != 1000 || next != 1030 {
		t.Fatalf("Bounds = %d, %d; want 1000, 1030", first, next)
	}
	recs, err := l.Read(1000, 0, 0, nil)
	if err != nil || len(recs) != 30 {
		t.Fatalf("Read = %d records, %v", len(recs), err)
	}
	for i, r := range recs {
		want := v1Entry(1000 + uint64(i))
		if r.Offset != 1000+uint64(i) || r.PartitionKey != want.PartitionKey || !bytes.Equal(r.Data, want.Data) {
			t.Fatalf("record %d: got %d %q %x", i, r.Offset, r.PartitionKey, r.Data)
		}
		if ts := 1_700_000_000_000 + int64(i)*10; r.Timestamp != ts {
			t.Fatalf("record %d timestamp %d, want %d", r.Offset, r.Timestamp, ts)
		}
	}
	if off, err := l.SeekTime(1_700_000_000_000 + 155); err != nil || off != 1016 {
		t.Fatalf("SeekTime = %d, %v; want 1016", off, err)
	}
}

// v1Entry is the content of record off in testdata/v1-log. It must never
// change: the files hold its output.
func v1Entry(off uint64) Entry {
	return Entry{PartitionKey: fmt.Sprintf("pk-%d", off%7), Data: bytes.Repeat([]byte{byte(off)}, int(off%50))}
}
