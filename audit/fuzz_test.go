package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRecoverSegments feeds arbitrary bytes as a journal segment left by
// a crash. Properties: recovery never panics; a kept segment is a prefix
// of the input that ends in a newline (the last complete line) and the
// longest such prefix; a segment with no complete line is removed.
func FuzzRecoverSegments(f *testing.F) {
	whole, _ := testEvent("PutRecord").appendJSON(nil)
	f.Add(append(append([]byte(nil), whole...), '\n'))
	f.Add(append(append(append([]byte(nil), whole...), '\n'), whole[:20]...))
	f.Add([]byte(`{"eventVersion":"1.0`))
	f.Add([]byte{})
	f.Add([]byte("\n\n\x00\xff"))
	// One directory for the whole run (not t.TempDir per input: its
	// mkdir and removal dominated the cost); each input rewrites the file.
	dir := f.TempDir()
	name := "20261126T0350Z_0123456789abcdef" + journalExt
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
		names, err := recoverSegments(dir)
		if err != nil {
			t.Fatal(err)
		}
		want := data[:bytes.LastIndexByte(data, '\n')+1]
		got, err := os.ReadFile(filepath.Join(dir, name))
		if len(want) == 0 {
			if len(names) != 0 || !os.IsNotExist(err) {
				t.Fatalf("a segment with no complete line was kept: %v, %v", names, err)
			}
			return
		}
		if err != nil || len(names) != 1 || names[0] != name {
			t.Fatalf("segment not kept: names %v, err %v", names, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("recovered %q from %q, want %q", got, data, want)
		}
	})
}
