package lake

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caudal/caudal/keystore"
)

func openSealedLake(t testing.TB, dir string, ks *keystore.Store) *Lake {
	t.Helper()
	l, err := Open(Config{Dir: dir, NoSync: true, Keys: ks})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func testKeyStore(t testing.TB) *keystore.Store {
	t.Helper()
	ks, err := keystore.Open(keystore.Config{Dir: t.TempDir(), MasterKey: bytes.Repeat([]byte{5}, 32), ConfigDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// markedBody is n bytes holding marker every 1000 bytes.
func markedBody(n int, marker string) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	for i := 0; i+len(marker) <= n; i += 1000 {
		copy(b[i:], marker)
	}
	return b
}

func fileHolds(t *testing.T, dir, marker string) bool {
	t.Helper()
	found := false
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			found = found || bytes.Contains(b, []byte(marker))
		}
		return nil
	})
	return found
}

func TestSealedObjectRangesAndDisk(t *testing.T) {
	dir := t.TempDir()
	ks := testKeyStore(t)
	l := openSealedLake(t, dir, ks)
	mustBucket(t, l, "bkt")
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		size int
		enc  *Encryption
	}{
		{"empty-s3", 0, &Encryption{Algorithm: SSEAES256}},
		{"one-s3", 1, &Encryption{Algorithm: SSEAES256}},
		{"chunk-kms", sseChunk, &Encryption{Algorithm: SSEKMS}},
		{"chunk+1-kms", sseChunk + 1, &Encryption{Algorithm: SSEKMS}},
		{"big-s3", 3*sseChunk + 777, &Encryption{Algorithm: SSEAES256}},
	} {
		body := markedBody(tc.size, "SEALED-MARKER")
		info, err := l.PutObject(ctx, "bkt", tc.name, bytes.NewReader(body), PutOptions{Encryption: tc.enc})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if info.Encryption == nil || info.Encryption.Algorithm != tc.enc.Algorithm || info.Size != int64(tc.size) {
			t.Fatalf("%s: info %+v", tc.name, info)
		}
		if tc.enc.Algorithm == SSEKMS && !strings.Contains(info.Encryption.KMSKeyID, ":key/") {
			t.Fatalf("%s: KMS key %q is not an ARN", tc.name, info.Encryption.KMSKeyID)
		}
		if got := get(t, l, "bkt", tc.name); !bytes.Equal(got, body) {
			t.Fatalf("%s: read back differs", tc.name)
		}
		o, err := l.GetObject("bkt", tc.name)
		if err != nil {
			t.Fatal(err)
		}
		// Ranges on and around chunk edges.
		for _, r := range [][2]int{{0, 1}, {sseChunk - 1, 2}, {sseChunk, 1}, {sseChunk - 5, sseChunk + 10}, {tc.size - 1, 1}, {2*sseChunk + 3, 100}} {
			off, n := r[0], r[1]
			if off < 0 || off >= tc.size {
				continue
			}
			n = min(n, tc.size-off)
			buf := make([]byte, n)
			if _, err := o.Body.ReadAt(buf, int64(off)); err != nil && err != io.EOF {
				t.Fatalf("%s: ReadAt(%d,%d): %v", tc.name, off, n, err)
			}
			if !bytes.Equal(buf, body[off:off+n]) {
				t.Fatalf("%s: range %d+%d differs", tc.name, off, n)
			}
		}
		o.Close()
		if _, err := l.Path("bkt", tc.name); !errors.Is(err, ErrEncrypted) {
			t.Fatalf("%s: Path = %v, want ErrEncrypted", tc.name, err)
		}
	}
	put(t, l, "bkt", "plain", []byte("PLAIN-CONTROL-MARKER"))
	if !fileHolds(t, dir, "PLAIN-CONTROL-MARKER") {
		t.Fatal("the plaintext control object is not found on disk: the scan sees nothing")
	}
	if fileHolds(t, dir, "SEALED-MARKER") {
		t.Fatal("a sealed object's plaintext is on disk")
	}
	// Reopen: still readable with the same key store.
	l.Close()
	l2 := openSealedLake(t, dir, ks)
	if got := get(t, l2, "bkt", "big-s3"); !bytes.Equal(got, markedBody(3*sseChunk+777, "SEALED-MARKER")) {
		t.Fatal("after reopen: read back differs")
	}
}

func TestSealedObjectTamper(t *testing.T) {
	dir := t.TempDir()
	l := openSealedLake(t, dir, testKeyStore(t))
	mustBucket(t, l, "bkt")
	body := markedBody(2*sseChunk+10, "X")
	if _, err := l.PutObject(context.Background(), "bkt", "k", bytes.NewReader(body), PutOptions{Encryption: &Encryption{Algorithm: SSEAES256}}); err != nil {
		t.Fatal(err)
	}
	r, err := l.impl.getRecord("bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	path := l.impl.abs(r.Path)
	orig, _ := os.ReadFile(path)
	if int64(len(orig)) != sealedSize(int64(len(body))) {
		t.Fatalf("sealed file is %d bytes, want %d", len(orig), sealedSize(int64(len(body))))
	}
	readAll := func() error {
		o, err := l.GetObject("bkt", "k")
		if err != nil {
			return err
		}
		defer o.Close()
		_, err = io.ReadAll(o.Body)
		return err
	}
	for _, pos := range []int{0, 9, 16, 17, sseHeader + sseChunk + 3, len(orig) - 1} {
		bad := bytes.Clone(orig)
		bad[pos] ^= 0x10
		os.WriteFile(path, bad, 0o644)
		if err := readAll(); !errors.Is(err, ErrDecrypt) {
			t.Errorf("flipped byte %d: %v, want ErrDecrypt", pos, err)
		}
	}
	// Truncation at a chunk boundary: the last chunk is gone.
	os.WriteFile(path, orig[:sseHeader+2*(sseChunk+sseTag)], 0o644)
	if err := readAll(); err == nil {
		t.Error("truncated file read without error")
	}
	// Two chunks swapped.
	sw := bytes.Clone(orig)
	c := sseChunk + sseTag
	copy(sw[sseHeader:], orig[sseHeader+c:sseHeader+2*c])
	copy(sw[sseHeader+c:], orig[sseHeader:sseHeader+c])
	os.WriteFile(path, sw, 0o644)
	if err := readAll(); !errors.Is(err, ErrDecrypt) {
		t.Errorf("swapped chunks: %v", err)
	}
	os.WriteFile(path, orig, 0o644)
	if err := readAll(); err != nil {
		t.Fatalf("restored file: %v", err)
	}
}

func TestBucketDefaultMultipartAndCopy(t *testing.T) {
	dir := t.TempDir()
	l := openSealedLake(t, dir, testKeyStore(t))
	mustBucket(t, l, "bkt")
	ctx := context.Background()
	if _, err := l.BucketEncryption("bkt"); !errors.Is(err, ErrNoBucketEncryption) {
		t.Fatalf("no default: %v", err)
	}
	if err := l.PutBucketEncryption("bkt", Encryption{Algorithm: SSEKMS}); err != nil {
		t.Fatal(err)
	}
	if e, err := l.BucketEncryption("bkt"); err != nil || e.Algorithm != SSEKMS {
		t.Fatalf("default = %+v %v", e, err)
	}
	// Multipart under the bucket default: parts and object sealed.
	up, err := l.CreateUploadWith("bkt", "mp", Metadata{}, "", "", nil)
	if err != nil || up.Encryption == nil {
		t.Fatalf("upload %+v %v", up, err)
	}
	p1 := markedBody(MinPartSize, "MP-MARKER-1")
	p2 := markedBody(1000, "MP-MARKER-2")
	a, err := l.PutPart(ctx, up.ID, 1, bytes.NewReader(p1), PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fileHolds(t, dir, "MP-MARKER-1") {
		t.Fatal("an uploaded part is on disk in the clear")
	}
	b, err := l.PutPart(ctx, up.ID, 2, bytes.NewReader(p2), PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	info, err := l.CompleteUpload(ctx, up.ID, []CompletePart{{Number: 1, ETag: a.ETag}, {Number: 2, ETag: b.ETag}})
	if err != nil || info.Encryption == nil {
		t.Fatalf("complete %+v %v", info, err)
	}
	whole := append(bytes.Clone(p1), p2...)
	if got := get(t, l, "bkt", "mp"); !bytes.Equal(got, whole) {
		t.Fatal("multipart read back differs")
	}
	if fileHolds(t, dir, "MP-MARKER") {
		t.Fatal("multipart plaintext on disk")
	}
	// Copy of a sealed object into a plain bucket is plain; back sealed.
	mustBucket(t, l, "plain")
	cp, err := l.CopyObject(ctx, "bkt", "mp", "plain", "copy", nil, PutOptions{})
	if err != nil || cp.Encryption != nil {
		t.Fatalf("copy to plain: %+v %v", cp.Encryption, err)
	}
	if got := get(t, l, "plain", "copy"); !bytes.Equal(got, whole) {
		t.Fatal("plain copy differs")
	}
	cp2, err := l.CopyObject(ctx, "plain", "copy", "plain", "sealed", nil, PutOptions{Encryption: &Encryption{Algorithm: SSEAES256}})
	if err != nil || cp2.Encryption == nil || cp2.Encryption.Algorithm != SSEAES256 {
		t.Fatalf("copy sealed: %+v %v", cp2, err)
	}
	if got := get(t, l, "plain", "sealed"); !bytes.Equal(got, whole) {
		t.Fatal("sealed copy differs")
	}
	// Part copy from a sealed source.
	up2, _ := l.CreateUploadWith("plain", "pc", Metadata{}, "", "", &Encryption{Algorithm: SSEAES256})
	pc, err := l.CopyPart(ctx, up2.ID, 1, "bkt", "mp", 10, 5009)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.CompleteUpload(ctx, up2.ID, []CompletePart{{Number: 1, ETag: pc.ETag}}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, l, "plain", "pc"); !bytes.Equal(got, whole[10:5010]) {
		t.Fatal("part copy differs")
	}
	if err := l.DeleteBucketEncryption("bkt"); err != nil {
		t.Fatal(err)
	}
	put(t, l, "bkt", "after", []byte("PLAIN-AFTER-DEFAULT"))
	if !fileHolds(t, dir, "PLAIN-AFTER-DEFAULT") {
		t.Fatal("bucket default not removed")
	}
	// Without a key store, asking for encryption fails cleanly.
	l3 := openTestLake(t, t.TempDir())
	mustBucket(t, l3, "xbk")
	if _, err := l3.PutObject(ctx, "xbk", "k", strings.NewReader("a"), PutOptions{Encryption: &Encryption{Algorithm: SSEAES256}}); !errors.Is(err, ErrNoKeyStore) {
		t.Fatalf("no key store: %v", err)
	}
}

func BenchmarkSealedPut(b *testing.B) {
	l := openSealedLake(b, b.TempDir(), testKeyStore(b))
	if err := l.CreateBucket("bkt", ""); err != nil {
		b.Fatal(err)
	}
	body := markedBody(1<<20, "M")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := l.PutObject(context.Background(), "bkt", "k", bytes.NewReader(body), PutOptions{Encryption: &Encryption{Algorithm: SSEAES256}}); err != nil {
			b.Fatal(err)
		}
	}
}
