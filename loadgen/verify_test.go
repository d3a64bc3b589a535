package loadgen

import (
	"errors"
	"slices"
	"testing"
)

func TestBitmap(t *testing.T) {
	var b bitmap
	in := []uint64{0, 1, 63, 64, 65535, 65536, 1 << 20, 5_000_000}
	for _, c := range in {
		if b.set(c) {
			t.Fatalf("fresh %d reported as already set", c)
		}
	}
	if !b.set(64) {
		t.Fatal("second set of 64 not reported")
	}
	var got []uint64
	b.each(func(c uint64) { got = append(got, c) })
	if !slices.Equal(got, in) {
		t.Fatalf("each = %v, want %v", got, in)
	}
	if b.has(2) || b.has(10_000_000) || !b.has(5_000_000) {
		t.Fatal("has disagrees with set")
	}
	// Memory follows the counters reached: chunks between are nil.
	allocated := 0
	for _, ch := range b.chunks {
		if ch != nil {
			allocated++
		}
	}
	if allocated != 4 {
		t.Fatalf("%d chunks allocated, want 4", allocated)
	}
}

func TestVerifyExactlyOnce(t *testing.T) {
	tr := newTracker(2)
	tr.acked(0, []uint64{0, 1, 2, 3})
	tr.acked(1, []uint64{0, 1})
	for _, id := range []recordID{{0, 0}, {0, 1}, {0, 2}, {0, 3}, {1, 1}, {1, 0}} {
		tr.saw(passReadBack, id)
	}
	v := tr.verify(passReadBack, "read-back", 0, 3)
	if !v.OK || v.Acked != 6 || v.ReadOnce != 6 || v.Foreign != 3 {
		t.Fatalf("clean pass: %+v", v)
	}
	// The other pass saw nothing: everything is missing.
	if v := tr.verify(passConsumers, "consumers", 0, 0); v.OK || v.Missing != 6 || v.FirstMissing != "producer 0 counter 0" {
		t.Fatalf("empty pass: %+v", v)
	}
}

func TestVerifyFindsMissingDuplicateCorrupt(t *testing.T) {
	tr := newTracker(1)
	tr.acked(0, []uint64{0, 1, 2})
	tr.saw(passReadBack, recordID{0, 0})
	tr.saw(passReadBack, recordID{0, 0}) // duplicate
	tr.saw(passReadBack, recordID{0, 2})
	tr.saw(passReadBack, recordID{0, 7}) // never acknowledged: reported, not a failure
	if tr.saw(passReadBack, recordID{5, 0}) {
		t.Fatal("a producer the run never had was accepted")
	}
	v := tr.verify(passReadBack, "read-back", 0, 0)
	if v.OK || v.Missing != 1 || v.Duplicates != 1 || v.Unacked != 1 || v.FirstMissing != "producer 0 counter 1" {
		t.Fatalf("got %+v", v)
	}
	// Unacknowledged sightings alone do not fail a pass; corruption does.
	tr2 := newTracker(1)
	tr2.saw(passReadBack, recordID{0, 9})
	if v := tr2.verify(passReadBack, "read-back", 0, 0); !v.OK || v.Unacked != 1 {
		t.Fatalf("unacked only: %+v", v)
	}
	if v := tr2.verify(passReadBack, "read-back", 1, 0); v.OK {
		t.Fatalf("corrupt record passed: %+v", v)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	const run, size = 0xC0FFEE, 100
	buf := make([]byte, size)
	id := recordID{producer: 3, counter: 1<<40 + 77}
	encodeRecord(buf, run, id)
	got, err := decodeRecord(buf, run, size)
	if err != nil || got != id {
		t.Fatalf("decode = %v, %v", got, err)
	}
	if _, err := decodeRecord(buf, run+1, size); !errors.Is(err, errForeign) {
		t.Fatalf("other run: %v", err)
	}
	if _, err := decodeRecord([]byte("hello"), run, size); !errors.Is(err, errForeign) {
		t.Fatalf("short foreign data: %v", err)
	}
	if _, err := decodeRecord(buf[:size-1], run, size); !errors.Is(err, errCorrupt) {
		t.Fatalf("truncated: %v", err)
	}
	buf[size-1] ^= 1
	if _, err := decodeRecord(buf, run, size); !errors.Is(err, errCorrupt) {
		t.Fatalf("flipped byte: %v", err)
	}
	// Padding depends on the counter: a header moved onto another record's
	// body is caught.
	other := make([]byte, size)
	encodeRecord(other, run, recordID{producer: 3, counter: id.counter + 1})
	copy(other, buf[:headerSize])
	if _, err := decodeRecord(other, run, size); !errors.Is(err, errCorrupt) {
		t.Fatalf("swapped header: %v", err)
	}
}

// BenchmarkTrackerSaw is the per-record cost of checking off a record read
// back (decode + bitmap under the producer's lock): the generator pays it
// for every record of every read pass.
func BenchmarkTrackerSaw(b *testing.B) {
	const run, size = 7, 1024
	tr := newTracker(4)
	buf := make([]byte, size)
	b.SetBytes(size)
	for i := range b.N {
		id := recordID{producer: uint32(i % 4), counter: uint64(i / 4)}
		encodeRecord(buf, run, id)
		got, err := decodeRecord(buf, run, size)
		if err != nil || !tr.saw(passReadBack, got) {
			b.Fatal("record not accepted")
		}
	}
}
