package lake

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestVerifyFailureKeepsOldObject(t *testing.T) {
	l, dir := newTestLake(t)
	mustBucket(t, l, "atom")
	put(t, l, "atom", "k", []byte("old"))
	boom := errors.New("checksum mismatch")
	var seen Digests
	_, err := l.PutObject(context.Background(), "atom", "k", strings.NewReader("new bytes"), PutOptions{
		Checksums: []string{CRC32C},
		Verify:    func(d Digests) error { seen = d; return boom },
	})
	if !errors.Is(err, boom) {
		t.Fatalf("PutObject = %v, want the Verify error", err)
	}
	if seen.Size != 9 || seen.MD5 != [16]byte(mustMD5("new bytes")) || len(seen.Sums[CRC32C]) != 4 {
		t.Fatalf("Verify saw %+v", seen)
	}
	if got := get(t, l, "atom", "k"); string(got) != "old" {
		t.Fatalf("after failed Verify: %q", got)
	}
	assertNoGarbage(t, dir, 1)
}

func mustMD5(s string) [16]byte {
	var out [16]byte
	copy(out[:], mustHex(md5hex([]byte(s))))
	return out
}

func mustHex(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		b[i] = unhex(s[2*i])<<4 | unhex(s[2*i+1])
	}
	return b
}

func unhex(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}

// assertNoGarbage checks that tmp/ is empty and objects/ holds exactly
// want data files.
func assertNoGarbage(t *testing.T, dir string, want int) {
	t.Helper()
	if entries, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(entries) != 0 {
		t.Errorf("tmp/ holds %d entries", len(entries))
	}
	files := 0
	filepath.WalkDir(filepath.Join(dir, "objects"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return nil
	})
	if files != want {
		t.Errorf("objects/ holds %d files, want %d", files, want)
	}
}

func TestContextCancelAbortsWrite(t *testing.T) {
	l, dir := newTestLake(t)
	mustBucket(t, l, "atom")
	put(t, l, "atom", "k", []byte("old"))
	ctx, cancel := context.WithCancel(context.Background())
	r := &cancelAfter{cancel: cancel, n: 3 << 20}
	if _, err := l.PutObject(ctx, "atom", "k", r, PutOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("PutObject with cancelled ctx = %v", err)
	}
	if got := get(t, l, "atom", "k"); string(got) != "old" {
		t.Fatalf("after cancelled put: %q", got)
	}
	assertNoGarbage(t, dir, 1)
}

// cancelAfter yields zero bytes forever and cancels after n of them.
type cancelAfter struct {
	cancel func()
	n      int
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	clear(p)
	if c.n -= len(p); c.n <= 0 {
		c.cancel()
	}
	return len(p), nil
}

func TestShortBodyFailsWrite(t *testing.T) {
	l, dir := newTestLake(t)
	mustBucket(t, l, "atom")
	put(t, l, "atom", "k", []byte("old"))
	body := io.MultiReader(strings.NewReader("partial"), errReader{io.ErrUnexpectedEOF})
	if _, err := l.PutObject(context.Background(), "atom", "k", body, PutOptions{}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("PutObject of a short body = %v, want io.ErrUnexpectedEOF", err)
	}
	if got := get(t, l, "atom", "k"); string(got) != "old" {
		t.Fatalf("after short body: %q", got)
	}
	assertNoGarbage(t, dir, 1)
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestGetHandleSurvivesOverwriteAndDelete(t *testing.T) {
	l, _ := newTestLake(t)
	mustBucket(t, l, "atom")
	put(t, l, "atom", "k", []byte("version one"))
	o, err := l.GetObject("atom", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	put(t, l, "atom", "k", []byte("version two, longer"))
	b, err := io.ReadAll(o.Body)
	if err != nil || string(b) != "version one" {
		t.Fatalf("open handle after overwrite read %q, %v", b, err)
	}
	o2, err := l.GetObject("atom", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer o2.Close()
	if err := l.DeleteObject("atom", "k"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if n, err := o2.Body.ReadAt(buf, 8); err != nil && err != io.EOF || string(buf[:n]) != "two, lo" {
		t.Fatalf("open handle after delete read %q, %v", buf[:n], err)
	}
}

func TestConcurrentOverwritesAreWhole(t *testing.T) {
	l, dir := newTestLake(t)
	mustBucket(t, l, "atom")
	const size = 128 << 10
	put(t, l, "atom", "k", bytes.Repeat([]byte{'0'}, size))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				body := bytes.Repeat([]byte{byte('a' + w*10 + i)}, size)
				if _, err := l.PutObject(context.Background(), "atom", "k", bytes.NewReader(body), PutOptions{}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				o, err := l.GetObject("atom", "k")
				if err != nil {
					t.Error(err)
					return
				}
				b, err := io.ReadAll(o.Body)
				o.Close()
				if err != nil || len(b) != size || bytes.Count(b, b[:1]) != size || md5hex(b) != o.Info.ETag {
					t.Errorf("torn read: %d bytes, err %v", len(b), err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	assertNoGarbage(t, dir, 1)
}

func TestOpenRemovesCrashGarbage(t *testing.T) {
	dir := t.TempDir()
	l := openTestLake(t, dir)
	mustBucket(t, l, "crash")
	put(t, l, "crash", "a/b", []byte("committed"))
	up, err := l.CreateUpload("crash", "mp", Metadata{}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	uploadParts(t, l, up.ID, []byte("part one"))

	// A crash between the data file's rename and the index commit: the
	// new version's file exists, the index still names the old one.
	crash := errors.New("simulated crash")
	var placed string
	l.impl.afterPlace = func(rel string) error { placed = rel; return crash }
	if _, err := l.PutObject(context.Background(), "crash", "a/b", strings.NewReader("never acknowledged"), PutOptions{}); !errors.Is(err, crash) {
		t.Fatalf("PutObject with crash hook = %v", err)
	}
	if _, err := l.PutObject(context.Background(), "crash", "new/key", strings.NewReader("never acknowledged"), PutOptions{}); !errors.Is(err, crash) {
		t.Fatalf("PutObject with crash hook = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, placed)); err != nil {
		t.Fatalf("hook did not leave the placed file: %v", err)
	}
	l.Close()

	// Other leftovers: a temp file, stray files and directories, a bucket
	// directory the index does not know, a part of an unknown upload.
	for _, p := range []string{"tmp/put-123", "objects/crash/a/0000000000000001#b", "objects/crash/zz/stray", "objects/ghost/x", "uploads/bogus/00001#0000000000000001"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte("garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	l = openTestLake(t, dir)
	if got := get(t, l, "crash", "a/b"); string(got) != "committed" {
		t.Fatalf("after crash: %q", got)
	}
	if _, err := l.HeadObject("crash", "new/key"); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("unacknowledged key visible: %v", err)
	}
	assertNoGarbage(t, dir, 1)
	for _, p := range []string{"objects/ghost", "objects/crash/zz", "objects/crash/new", "uploads/bogus"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s survived Open: %v", p, err)
		}
	}
	// The upload and its part survive.
	lp, err := l.ListParts(up.ID, ListPartsOptions{MaxParts: 10})
	if err != nil || len(lp.Parts) != 1 {
		t.Fatalf("ListParts after reopen = %+v, %v", lp, err)
	}
	if _, err := l.CompleteUpload(context.Background(), up.ID, []CompletePart{{Number: 1, ETag: lp.Parts[0].ETag}}); err != nil {
		t.Fatal(err)
	}
	// New versions sort after everything already on disk.
	put(t, l, "crash", "a/b", []byte("after"))
	p, err := l.Path("crash", "a/b")
	if err != nil {
		t.Fatal(err)
	}
	if newVer, oldVer := filepath.Base(p)[:versionHexLen], path.Base(placed)[:versionHexLen]; newVer <= oldVer {
		t.Fatalf("version %s after reopen is not after %s", newVer, oldVer)
	}
	if string(get(t, l, "crash", "mp")) != "part one" {
		t.Fatal("completed upload after reopen has the wrong bytes")
	}
}

func TestDurableMode(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	mustBucket(t, l, "dur")
	put(t, l, "dur", "deep/er/key", []byte("durable"))
	up, err := l.CreateUpload("dur", "mp", Metadata{}, CRC32C, "")
	if err != nil {
		t.Fatal(err)
	}
	list := uploadParts(t, l, up.ID, part2)
	if _, err := l.CompleteUpload(context.Background(), up.ID, list); err != nil {
		t.Fatal(err)
	}
	if string(get(t, l, "dur", "deep/er/key")) != "durable" || string(get(t, l, "dur", "mp")) != "hello" {
		t.Fatal("durable round trip failed")
	}
	// A second Open of the same directory fails instead of sharing it.
	if _, err := Open(Config{Dir: dir}); err == nil {
		t.Fatal("second Open of a lake in use succeeded")
	}
}

// patternReader generates n bytes without allocating.
type patternReader struct{ n int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = byte(i)
	}
	r.n -= int64(len(p))
	return len(p), nil
}

func TestPutStreamsWithoutBuffering(t *testing.T) {
	l, _ := newTestLake(t)
	mustBucket(t, l, "big")
	const size = 64 << 20
	put(t, l, "big", "warm", []byte("x")) // the buffer pool's first buffer
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	info, err := l.PutObject(context.Background(), "big", "k", &patternReader{n: size}, PutOptions{Checksums: []string{CRC32C, SHA256}})
	runtime.ReadMemStats(&after)
	if err != nil || info.Size != size {
		t.Fatalf("PutObject = %+v, %v", info, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Fatalf("a %d MiB PutObject allocated %d bytes", size>>20, alloc)
	}
}

func TestConcurrentDurablePuts(t *testing.T) {
	l, err := Open(Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	mustBucket(t, l, "group")
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4 {
				key := string(rune('a'+w)) + "/" + string(rune('0'+i))
				if _, err := l.PutObject(context.Background(), "group", key, strings.NewReader(key), PutOptions{}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	res, err := l.List("group", ListOptions{MaxKeys: 1000})
	if err != nil || len(res.Objects) != 64 {
		t.Fatalf("List = %d objects, %v", len(res.Objects), err)
	}
	for _, o := range res.Objects {
		if string(get(t, l, "group", o.Key)) != o.Key {
			t.Fatalf("%s has the wrong bytes", o.Key)
		}
	}
}

func TestFailedCommitIsSticky(t *testing.T) {
	l, dir := newTestLake(t)
	mustBucket(t, l, "fail")
	put(t, l, "fail", "k", []byte("acknowledged"))
	var placed string
	l.impl.afterPlace = func(rel string) error {
		placed = rel
		l.impl.db.Close() // every transaction from now on fails
		return nil
	}
	if _, err := l.PutObject(context.Background(), "fail", "k", strings.NewReader("x"), PutOptions{}); !isCommitFailure(err) {
		t.Fatalf("PutObject with a failing index = %v, want a commit failure", err)
	}
	// Whether the failed commit reached the disk is unknown: its data file stays.
	if _, err := os.Stat(filepath.Join(dir, placed)); err != nil {
		t.Fatalf("data file of the failed commit removed: %v", err)
	}
	l.impl.afterPlace = nil
	if err := l.DeleteObject("fail", "k"); !isCommitFailure(err) {
		t.Fatalf("delete after a failed commit = %v, want the remembered failure", err)
	}
	l.Close()
	l = openTestLake(t, dir)
	if got := get(t, l, "fail", "k"); string(got) != "acknowledged" {
		t.Fatalf("after reopen: %q", got)
	}
	assertNoGarbage(t, dir, 1)
}
