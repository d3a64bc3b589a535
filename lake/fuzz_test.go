package lake

import (
	"bytes"
	"errors"
	"hash/fnv"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzKeyPath checks the key → data path mapping for any key bytes:
// either the key is refused with ErrInvalidKey, or its path stays inside
// the bucket directory, no segment is over 255 bytes, directory names
// never hold the '#' that marks data files, and (for the seeds and one
// input in 32, to keep iterations cheap) the object round-trips
// through PutObject, GetObject, List and Path.
func FuzzKeyPath(f *testing.F) {
	for _, k := range edgeKeys() {
		f.Add([]byte(k))
	}
	f.Add([]byte("bad\xff"))
	f.Add([]byte(""))
	f.Add(bytes.Repeat([]byte("/."), 600))
	l := openTestLake(f, f.TempDir())
	mustBucket(f, l, "fuzz")
	seeds := make(map[string]bool)
	for _, k := range edgeKeys() {
		seeds[k] = true
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		key := string(raw)
		err := checkKey(key)
		h := fnv.New32a()
		h.Write(raw)
		real := seeds[key] || h.Sum32()%32 == 0
		if err != nil {
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("checkKey(%q) = %v, not ErrInvalidKey", key, err)
			}
			if real {
				if _, err := l.PutObject(t.Context(), "fuzz", key, strings.NewReader("x"), PutOptions{}); !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("PutObject(%q) = %v, want ErrInvalidKey", key, err)
				}
			}
			return
		}
		rel := objectRelPath("fuzz", key, "0123456789abcdef")
		checkRelPath(t, key, rel)
		if !real {
			return
		}
		if _, err := l.PutObject(t.Context(), "fuzz", key, bytes.NewReader(raw), PutOptions{}); err != nil {
			t.Fatalf("PutObject(%q): %v", key, err)
		}
		if got := get(t, l, "fuzz", key); !bytes.Equal(got, raw) {
			t.Fatalf("GetObject(%q) = %q", key, got)
		}
		res, err := l.List("fuzz", ListOptions{Prefix: key, MaxKeys: 1})
		if err != nil || len(res.Objects) != 1 || res.Objects[0].Key != key {
			t.Fatalf("List(prefix %q) = %+v, %v", key, res, err)
		}
		p, err := l.Path("fuzz", key)
		if err != nil {
			t.Fatal(err)
		}
		rel, err = filepath.Rel(l.impl.dir, p)
		if err != nil {
			t.Fatal(err)
		}
		checkRelPath(t, key, filepath.ToSlash(rel))
		if err := l.DeleteObject("fuzz", key); err != nil {
			t.Fatal(err)
		}
	})
}

func checkRelPath(t *testing.T, key, rel string) {
	t.Helper()
	if !insideDir(rel, "objects/fuzz") {
		t.Fatalf("key %q maps to %q, outside objects/fuzz/ or not clean", key, rel)
	}
	segs := strings.Split(rel, "/")
	if len(segs) > 3+maxDirDepth {
		t.Fatalf("key %q maps to %d levels", key, len(segs))
	}
	for i, s := range segs {
		if len(s) > 255 || s == "" || s == "." || s == ".." {
			t.Fatalf("key %q: bad segment %q in %q", key, s, rel)
		}
		last := i == len(segs)-1
		if hash := strings.Contains(s, "#"); hash != last {
			t.Fatalf("key %q: segment %q of %q: '#' only in the file name", key, s, rel)
		}
	}
	if len(rel) > 2048 {
		t.Fatalf("key %q maps to a %d-byte path", key, len(rel))
	}
}
