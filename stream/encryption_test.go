package stream

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/shardlog"
)

// readAll reads every record of a one-shard stream from TRIM_HORIZON.
func readAll(t *testing.T, e *Engine, name string) []Record {
	t.Helper()
	it := iter(t, e, name, ShardID(0), Position{Type: TrimHorizon})
	res, err := e.GetRecords(testRegion, it, 0)
	if err != nil {
		t.Fatalf("GetRecords: %v", err)
	}
	out := append([]Record(nil), res.Records...)
	for i := range out {
		out[i].Data = bytes.Clone(out[i].Data)
	}
	return out
}

// diskHolds reports whether any file under dir contains marker.
func diskHolds(t *testing.T, dir, marker string) bool {
	t.Helper()
	found := false
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(marker)) {
			found = true
		}
		return nil
	})
	return found
}

func TestStreamEncryptionAtRest(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	put(t, e, "s", "PLAIN-MARKER-before", 2)
	if err := e.SetEncryption(testRegion, "s", "KMS", "alias/aws/kinesis"); err != nil {
		t.Fatal(err)
	}
	entries := []PutEntry{{PartitionKey: "SECRET-KEY-MARKER", Data: []byte("SECRET-DATA-MARKER-1")}, {PartitionKey: "pk", Data: []byte("SECRET-DATA-MARKER-2")}}
	if _, err := e.PutRecords(testRegion, "s", entries); err != nil {
		t.Fatal(err)
	}
	if err := e.SetEncryption(testRegion, "s", "NONE", ""); err != nil {
		t.Fatal(err)
	}
	put(t, e, "s", "PLAIN-MARKER-after", 1)

	check := func(e *Engine) {
		t.Helper()
		recs := readAll(t, e, "s")
		want := []struct{ key, data, enc string }{
			{"pk-0", "PLAIN-MARKER-before-0", ""}, {"pk-1", "PLAIN-MARKER-before-1", ""},
			{"SECRET-KEY-MARKER", "SECRET-DATA-MARKER-1", "KMS"}, {"pk", "SECRET-DATA-MARKER-2", "KMS"},
			{"pk-0", "PLAIN-MARKER-after-0", ""},
		}
		if len(recs) != len(want) {
			t.Fatalf("%d records, want %d", len(recs), len(want))
		}
		for i, w := range want {
			if recs[i].PartitionKey != w.key || string(recs[i].Data) != w.data || recs[i].EncryptionType != w.enc {
				t.Errorf("record %d = %q %q %q, want %v", i, recs[i].PartitionKey, recs[i].Data, recs[i].EncryptionType, w)
			}
		}
	}
	check(e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// Sealed records are not on disk in the clear; plaintext ones are (so
	// the scan can see what it looks for).
	for _, m := range []string{"SECRET-DATA-MARKER", "SECRET-KEY-MARKER"} {
		if diskHolds(t, cfg.Dir, m) {
			t.Errorf("%s found on disk", m)
		}
	}
	if !diskHolds(t, cfg.Dir, "PLAIN-MARKER-before-1") || !diskHolds(t, cfg.Dir, "PLAIN-MARKER-after-0") {
		t.Fatal("control records not found on disk: the scan cannot see records")
	}
	// Across a restart, with the same key store.
	check(openEngine(t, cfg))
}

func TestStreamEncryptionTamperAndKeys(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	err := e.SetEncryption(testRegion, "s", "KMS", "alias/missing")
	if !errors.Is(err, ErrKMSNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	k, _ := cfg.Keys.CreateKey(keystoreOpts())
	cfg.Keys.SetEnabled(k.ID, "", false)
	if err := e.SetEncryption(testRegion, "s", "KMS", k.ARN); !errors.Is(err, ErrKMSDisabled) {
		t.Fatalf("disabled key: %v", err)
	}
	cfg.Keys.SetEnabled(k.ID, "", true)
	if err := e.SetEncryption(testRegion, "s", "KMS", k.ARN); err != nil {
		t.Fatal(err)
	}
	if _, err := e.PutRecords(testRegion, "s", []PutEntry{{PartitionKey: "", Data: []byte("x")}}); !errors.Is(err, ErrValidation) {
		t.Fatalf("empty partition key: %v", err)
	}
	s, _ := e.lookup(testRegion, "s")
	// A sealed envelope with a flipped byte fails authentication.
	s.mu.RLock()
	ents := []shardlogEntry{{PartitionKey: "k", Data: []byte("data")}}
	if err := s.sealEntries(ents); err != nil {
		t.Fatal(err)
	}
	for i := range ents[0].Data {
		bad := bytes.Clone(ents[0].Data)
		bad[i] ^= 1
		if _, _, _, err := s.openRecordLocked(bad, nil); err == nil {
			t.Errorf("tampered byte %d opened", i)
		}
	}
	if k, d, _, err := s.openRecordLocked(ents[0].Data, nil); err != nil || k != "k" || string(d) != "data" {
		t.Errorf("open = %q %q %v", k, d, err)
	}
	s.mu.RUnlock()
}

type shardlogEntry = shardlog.Entry

func keystoreOpts() keystore.CreateOptions { return keystore.CreateOptions{} }

// A disabled KMS key does not stop the engine from opening; its records
// fail to read until the key is enabled again.
func TestStreamEncryptionDisabledKeyAtOpen(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	k, _ := cfg.Keys.CreateKey(keystoreOpts())
	if err := e.SetEncryption(testRegion, "s", "KMS", k.ID); err != nil {
		t.Fatal(err)
	}
	put(t, e, "s", "sealed", 1)
	e.Close()
	cfg.Keys.SetEnabled(k.ID, "", false)
	e2 := openEngine(t, cfg)
	it := iter(t, e2, "s", ShardID(0), Position{Type: TrimHorizon})
	_, err := e2.GetRecords(testRegion, it, 0)
	var se *Error
	if !errors.Is(err, ErrInternal) || !errors.As(err, &se) || !strings.Contains(fmt.Sprint(se.Err), "disabled") {
		t.Fatalf("read under a disabled key: %v", err)
	}
	e2.Close()
	cfg.Keys.SetEnabled(k.ID, "", true)
	e3 := openEngine(t, cfg)
	if recs := readAll(t, e3, "s"); len(recs) != 1 || string(recs[0].Data) != "sealed-0" {
		t.Fatalf("after enabling: %v", recs)
	}
}

// BenchmarkEncryptedRecords: PutRecords of 500 records of 1 KiB and
// GetRecords of 500 records into and out of an encrypted one-shard stream
// on the memory log, so the cost shown is sealing and opening.
func BenchmarkEncryptedRecords(b *testing.B) {
	cfg := Config{Dir: b.TempDir(), RetentionInterval: -1, OpenLog: memoryLogs, Keys: testKeys(b)}
	e := openEngine(b, cfg)
	if err := e.CreateStream(testRegion, "s", CreateOptions{ShardCount: 1}); err != nil {
		b.Fatal(err)
	}
	if err := e.SetEncryption(testRegion, "s", "KMS", "alias/aws/kinesis"); err != nil {
		b.Fatal(err)
	}
	entries := make([]PutEntry, 500)
	for i := range entries {
		entries[i] = PutEntry{PartitionKey: fmt.Sprintf("key-%d", i), Data: make([]byte, 1024)}
	}
	b.Run("put", func(b *testing.B) {
		b.SetBytes(500 * 1024)
		b.ReportAllocs()
		for b.Loop() {
			if res, err := e.PutRecords(testRegion, "s", entries); err != nil || res[0].Err != nil {
				b.Fatal(err, res[0].Err)
			}
		}
	})
	b.Run("get", func(b *testing.B) {
		b.SetBytes(500 * 1024)
		b.ReportAllocs()
		for b.Loop() {
			it, _ := e.GetShardIterator(testRegion, "s", ShardID(0), Position{Type: TrimHorizon})
			r, err := e.GetRecords(testRegion, it, 500)
			if err != nil || len(r.Records) != 500 || r.Records[0].EncryptionType != "KMS" {
				b.Fatal(err, len(r.Records))
			}
			r.Release()
		}
	})
}
