package shardlog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSegmentRecovery feeds arbitrary bytes to recovery as a segment file.
// Properties (after kfake's persist fuzz test):
//   - it never panics;
//   - the valid prefix it reports is never longer than the input;
//   - re-reading the valid prefix alone gives the same records, and finds
//     it wholly valid;
//   - a log opened on that file serves exactly those records and can append.
func FuzzSegmentRecovery(f *testing.F) {
	seg := appendSegHeader(nil, 7)
	for i := uint64(0); i < 5; i++ {
		seg = appendRecord(seg, 7+i, 1000+int64(i), keyFor(i), payload(i, int(i*13)))
	}
	f.Add(seg)
	f.Add(seg[:len(seg)-3])                     // torn last record
	f.Add(seg[:segHeaderSize])                  // header only
	f.Add(seg[:11])                             // torn header
	f.Add([]byte{})                             // empty file
	f.Add(append(bytes.Clone(seg), 0, 0, 0, 0)) // zero tail
	flipped := bytes.Clone(seg)
	flipped[segHeaderSize+40] ^= 1
	f.Add(flipped) // damaged first record
	v2 := bytes.Clone(seg)
	v2[8] = 2
	f.Add(v2) // unknown version
	f.Add(append(appendSegHeader(nil, 0), appendRecord(nil, 0, -5, "", nil)...))

	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := scanSegment(bytes.NewReader(data), int64(len(data)), make([]byte, 64), noLimit, allRecs)
		if err != nil {
			if !errors.Is(err, errShort) && !errors.Is(err, errBad) && !errors.Is(err, ErrUnsupportedVersion) {
				t.Fatalf("header error of unexpected kind: %v", err)
			}
			return
		}
		if res.end > int64(len(data)) || res.end < segHeaderSize {
			t.Fatalf("valid prefix %d bytes of a %d-byte input", res.end, len(data))
		}
		if res.stop == nil && res.end != int64(len(data)) {
			t.Fatalf("scan stopped at %d of %d without a reason", res.end, len(data))
		}
		want := collect(t, data[:res.end], res.base)
		if uint64(len(want)) != res.next-res.base {
			t.Fatalf("scan counted %d records, re-read found %d", res.next-res.base, len(want))
		}
		res2, err := scanSegment(bytes.NewReader(data[:res.end]), res.end, nil, noLimit, allRecs)
		if err != nil || res2.stop != nil || res2.end != res.end || res2.next != res.next {
			t.Fatalf("re-scan of the valid prefix = %+v, %v; first scan %+v", res2, err, res)
		}

		// The log's view of the same file.
		cfs := NewCrashFS()
		dir := "/fuzz"
		cfs.MkdirAll(dir, 0o755)
		fl, err := cfs.OpenFile(filepath.Join(dir, segName(res.base)), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		fl.Write(data)
		fl.Close()
		l, err := Open(dir, Options{FS: cfs, Sync: SyncNever})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer l.Close()
		first, next := l.Bounds()
		if first != res.base || next != res.next {
			t.Fatalf("Bounds = %d, %d; scan found %d, %d", first, next, res.base, res.next)
		}
		got, err := l.Read(first, 0, 0, nil)
		if err != nil || len(got) != len(want) {
			t.Fatalf("Read = %d records, %v; want %d", len(got), err, len(want))
		}
		for i := range got {
			if got[i].Offset != want[i].Offset || got[i].Timestamp != want[i].Timestamp ||
				got[i].PartitionKey != want[i].PartitionKey || !bytes.Equal(got[i].Data, want[i].Data) {
				t.Fatalf("record %d differs: %+v vs %+v", i, got[i], want[i])
			}
		}
		if off, _, err := l.Append([]Entry{{PartitionKey: "k", Data: []byte("v")}}); err != nil || off != next {
			t.Fatalf("Append after recovery = %d, %v; want %d", off, err, next)
		}

		// The same bytes as a sealed segment, followed by an active one that
		// starts right after the valid prefix, or with a gap.
		for _, gap := range []uint64{0, 3} {
			if gap == 0 && res.next == res.base {
				continue // the active segment would take the sealed one's name
			}
			dir := fmt.Sprintf("/sealed%d", gap)
			cfs.MkdirAll(dir, 0o755)
			fl, _ := cfs.OpenFile(filepath.Join(dir, segName(res.base)), os.O_RDWR|os.O_CREATE, 0o644)
			fl.Write(data)
			fl.Close()
			nb := res.next + gap
			fl, _ = cfs.OpenFile(filepath.Join(dir, segName(nb)), os.O_RDWR|os.O_CREATE, 0o644)
			fl.Write(appendRecord(appendSegHeader(nil, nb), nb, 1<<50, "k", []byte("active")))
			fl.Close()
			l, err := Open(dir, Options{FS: cfs, Sync: SyncNever})
			if err != nil {
				t.Fatalf("Open with a sealed segment: %v", err)
			}
			if first, next := l.Bounds(); first != res.base || next != nb+1 {
				t.Fatalf("Bounds = %d, %d; want %d, %d", first, next, res.base, nb+1)
			}
			got, err := l.Read(res.base, 0, 0, nil)
			if len(got) == 0 && err != nil {
				// The sealed segment has no valid record: the damage is
				// reported at once.
				if len(want) != 0 || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Read of sealed segment = %v, want %d records", err, len(want))
				}
			} else if err != nil || len(got) < len(want) {
				t.Fatalf("Read of sealed segment = %d records, %v; want at least %d", len(got), err, len(want))
			}
			for i := range want {
				if got[i].Offset != want[i].Offset || !bytes.Equal(got[i].Data, want[i].Data) {
					t.Fatalf("sealed record %d differs", i)
				}
			}
			if gap > 0 {
				if _, err := l.Read(res.next, 1, 0, nil); !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Read in the gap = %v, want ErrCorrupt", err)
				}
			}
			l.Close()
		}
	})
}

// collect decodes every record of a valid segment.
func collect(t *testing.T, seg []byte, base uint64) []Record {
	t.Helper()
	var sr segReader
	sr.reset(bytes.NewReader(seg), segHeaderSize, int64(len(seg)), nil)
	var out []Record
	for {
		v, _, err := sr.next(true)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("valid prefix does not decode: %v", err)
		}
		out = append(out, Record{Offset: v.offset, Timestamp: v.ts, PartitionKey: string(v.key), Data: bytes.Clone(v.data)})
	}
}
