package lake

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func openTestLake(t testing.TB, dir string) *Lake {
	t.Helper()
	l, err := Open(Config{Dir: dir, NoSync: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func newTestLake(t testing.TB) (*Lake, string) {
	t.Helper()
	dir := t.TempDir()
	return openTestLake(t, dir), dir
}

func mustBucket(t testing.TB, l *Lake, name string) {
	t.Helper()
	if err := l.CreateBucket(name, ""); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
}

func put(t testing.TB, l *Lake, bucket, key string, body []byte) ObjectInfo {
	t.Helper()
	info, err := l.PutObject(context.Background(), bucket, key, bytes.NewReader(body), PutOptions{})
	if err != nil {
		t.Fatalf("PutObject(%s/%q): %v", bucket, key, err)
	}
	return info
}

func get(t testing.TB, l *Lake, bucket, key string) []byte {
	t.Helper()
	o, err := l.GetObject(bucket, key)
	if err != nil {
		t.Fatalf("GetObject(%s/%q): %v", bucket, key, err)
	}
	defer o.Close()
	b, err := io.ReadAll(o.Body)
	if err != nil {
		t.Fatalf("read %s/%q: %v", bucket, key, err)
	}
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func TestBuckets(t *testing.T) {
	l, dir := newTestLake(t)
	if err := l.CreateBucket("Bad_Name", ""); !errors.Is(err, ErrInvalidBucketName) {
		t.Fatalf("CreateBucket(Bad_Name) = %v, want ErrInvalidBucketName", err)
	}
	mustBucket(t, l, "beta")
	if err := l.CreateBucket("alpha", "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	if err := l.CreateBucket("beta", ""); !errors.Is(err, ErrBucketExists) {
		t.Fatalf("second CreateBucket = %v, want ErrBucketExists", err)
	}
	b, err := l.HeadBucket("alpha")
	if err != nil || b.Region != "eu-west-1" || b.Name != "alpha" || b.Created.IsZero() {
		t.Fatalf("HeadBucket = %+v, %v", b, err)
	}
	if _, err := l.HeadBucket("gamma"); !errors.Is(err, ErrBucketNotFound) {
		t.Fatalf("HeadBucket(missing) = %v", err)
	}
	bs, err := l.ListBuckets()
	if err != nil || len(bs) != 2 || bs[0].Name != "alpha" || bs[1].Name != "beta" {
		t.Fatalf("ListBuckets = %+v, %v", bs, err)
	}
	put(t, l, "beta", "k", []byte("v"))
	if err := l.DeleteBucket("beta"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Fatalf("DeleteBucket(non-empty) = %v", err)
	}
	if err := l.DeleteObject("beta", "k"); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteBucket("beta"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "objects", "beta")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("bucket dir after DeleteBucket: %v", err)
	}
	if err := l.DeleteBucket("beta"); !errors.Is(err, ErrBucketNotFound) {
		t.Fatalf("DeleteBucket(missing) = %v", err)
	}
	if _, err := l.PutObject(context.Background(), "beta", "k", strings.NewReader("x"), PutOptions{}); !errors.Is(err, ErrBucketNotFound) {
		t.Fatalf("PutObject into deleted bucket = %v", err)
	}
	// The index survives a reopen.
	l.Close()
	l = openTestLake(t, dir)
	bs, err = l.ListBuckets()
	if err != nil || len(bs) != 1 || bs[0].Name != "alpha" {
		t.Fatalf("ListBuckets after reopen = %+v, %v", bs, err)
	}
}

func TestValidBucketName(t *testing.T) {
	good := []string{"abc", "my-bucket", "my.bucket.1", "a1b", strings.Repeat("a", 63), "1bucket"}
	bad := []string{"ab", strings.Repeat("a", 64), "My-bucket", "-abc", "abc-", ".abc", "abc.", "a..b",
		"a.-b", "a-.b", "192.168.1.1", "xn--abc", "abc-s3alias", "abc--ol-s3", "a_b", "a b", "sthree-x", ""}
	for _, n := range good {
		if !ValidBucketName(n) {
			t.Errorf("ValidBucketName(%q) = false, want true", n)
		}
	}
	for _, n := range bad {
		if ValidBucketName(n) {
			t.Errorf("ValidBucketName(%q) = true, want false", n)
		}
	}
}

// edgeKeys are keys that stress the path mapping.
func edgeKeys() []string {
	many := strings.Repeat("a/", 511) + "z" // 1023 bytes, 511 slashes
	return []string{
		"a", "a/b", "a/", "/a", "a//b", "..", ".", "../../etc/passwd", "./x", "a/../b", "%2F", "%", "#", "a#b/c#d",
		"back\\slash", "tab\tkey", "new\nline", "\x01ctl", "ünïcødé/日本語/🙂", "year=2024/month=01/part-0.parquet",
		"/", "//", "///x", "x/./y", " ", "a/ /b", strings.Repeat("k", 1024), many, strings.Repeat("/", 1024),
		strings.Repeat("%/", 512), strings.Repeat("#", 1024), strings.Repeat("日", 341),
	}
}

func TestEdgeKeysRoundTrip(t *testing.T) {
	l, dir := newTestLake(t)
	mustBucket(t, l, "edge")
	keys := edgeKeys()
	for i, k := range keys {
		if err := checkKey(k); err != nil {
			t.Fatalf("edge key %d rejected: %v", i, err)
		}
		body := []byte("body of " + k)
		info := put(t, l, "edge", k, body)
		if info.ETag != md5hex(body) || info.Size != int64(len(body)) {
			t.Fatalf("PutObject(%q) info = %+v", k, info)
		}
	}
	for _, k := range keys {
		if got := get(t, l, "edge", k); string(got) != "body of "+k {
			t.Fatalf("GetObject(%q) = %q", k, got)
		}
		p, err := l.Path("edge", k)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || string(b) != "body of "+k {
			t.Fatalf("Path(%q) = %s: %q, %v", k, p, b, err)
		}
	}
	// Every file lies under objects/edge/ and no name is over 255 bytes.
	bucketDir := filepath.Join(dir, "objects", "edge") + string(filepath.Separator)
	files := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Name()) > 255 {
			t.Errorf("name over 255 bytes: %s", p)
		}
		if d.IsDir() || d.Name() == "index.db" {
			return nil
		}
		files++
		if !strings.HasPrefix(p, bucketDir) {
			t.Errorf("file outside the bucket dir: %s", p)
		}
		return nil
	})
	if files != len(keys) {
		t.Errorf("%d data files for %d keys", files, len(keys))
	}
	// All keys list, in byte order.
	want := append([]string(nil), keys...)
	sort.Strings(want)
	var got []string
	after := ""
	for {
		res, err := l.List("edge", ListOptions{StartAfter: after, MaxKeys: 7})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Objects {
			got = append(got, o.Key)
		}
		if !res.IsTruncated {
			break
		}
		after = res.Next
	}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Fatalf("listed %q\nwant %q", got, want)
	}
	// Delete them all: the bucket dir is empty again.
	for _, k := range keys {
		if err := l.DeleteObject("edge", k); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(bucketDir)
	if len(entries) != 0 {
		t.Errorf("bucket dir not empty after deleting every key: %d entries", len(entries))
	}
}

func TestInvalidKeys(t *testing.T) {
	l, _ := newTestLake(t)
	mustBucket(t, l, "b1b")
	for _, k := range []string{"", strings.Repeat("x", 1025), "bad\xffutf8"} {
		if _, err := l.PutObject(context.Background(), "b1b", k, strings.NewReader("x"), PutOptions{}); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("PutObject(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
}

func TestObjectLifecycle(t *testing.T) {
	l, _ := newTestLake(t)
	mustBucket(t, l, "life")
	ctx := context.Background()
	meta := Metadata{ContentType: "text/plain", User: map[string]string{"a": "1"}, Tags: map[string]string{"t": "v"}}
	info, err := l.PutObject(ctx, "life", "k", strings.NewReader("hello"), PutOptions{Meta: meta, Checksums: []string{CRC32, SHA256}})
	if err != nil {
		t.Fatal(err)
	}
	if info.Checksums[CRC32] != "NhCmhg==" || info.ChecksumType != ChecksumFullObject {
		t.Fatalf("checksums %v %s", info.Checksums, info.ChecksumType)
	}
	h, err := l.HeadObject("life", "k")
	if err != nil || h.ETag != md5hex([]byte("hello")) || h.Meta.ContentType != "text/plain" || h.Meta.User["a"] != "1" || h.Size != 5 || h.Checksums[SHA256] != "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=" {
		t.Fatalf("HeadObject = %+v, %v", h, err)
	}
	if _, err := l.HeadObject("life", "nope"); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("HeadObject(missing) = %v", err)
	}
	if _, err := l.GetObject("life", "nope"); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("GetObject(missing) = %v", err)
	}
	if _, err := l.HeadObject("nobucket", "k"); !errors.Is(err, ErrBucketNotFound) {
		t.Fatalf("HeadObject(no bucket) = %v", err)
	}
	if err := l.SetTags("life", "k", map[string]string{"x": "y"}); err != nil {
		t.Fatal(err)
	}
	if h, _ := l.HeadObject("life", "k"); h.Meta.Tags["x"] != "y" || len(h.Meta.Tags) != 1 || h.ETag != info.ETag {
		t.Fatalf("tags after SetTags: %+v", h)
	}
	if err := l.SetTags("life", "nope", nil); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("SetTags(missing) = %v", err)
	}
	// Conditional writes.
	if _, err := l.PutObject(ctx, "life", "k", strings.NewReader("x"), PutOptions{IfNoneMatchStar: true}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("If-None-Match * on existing = %v", err)
	}
	if _, err := l.PutObject(ctx, "life", "k", strings.NewReader("x"), PutOptions{IfMatch: "0000"}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("If-Match mismatch = %v", err)
	}
	if _, err := l.PutObject(ctx, "life", "new", strings.NewReader("x"), PutOptions{IfMatch: "0000"}); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("If-Match on missing = %v", err)
	}
	if _, err := l.PutObject(ctx, "life", "k", strings.NewReader("world"), PutOptions{IfMatch: `"` + info.ETag + `"`}); err != nil {
		t.Fatalf("If-Match match = %v", err)
	}
	if _, err := l.PutObject(ctx, "life", "k2", strings.NewReader("x"), PutOptions{IfNoneMatchStar: true}); err != nil {
		t.Fatalf("If-None-Match * on missing = %v", err)
	}
	if got := get(t, l, "life", "k"); string(got) != "world" {
		t.Fatalf("after conditional overwrite: %q", got)
	}
	// Delete: idempotent.
	for range 2 {
		if err := l.DeleteObject("life", "k"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.HeadObject("life", "k"); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("HeadObject after delete = %v", err)
	}
	if err := l.DeleteObject("nobucket", "k"); !errors.Is(err, ErrBucketNotFound) {
		t.Fatalf("DeleteObject(no bucket) = %v", err)
	}
	if _, err := l.PutObject(ctx, "life", "k", strings.NewReader("x"), PutOptions{Checksums: []string{"MD4"}}); !errors.Is(err, ErrInvalidChecksumAlgorithm) {
		t.Fatalf("unknown checksum = %v", err)
	}
	l.Close()
	if _, err := l.HeadObject("life", "k2"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close = %v", err)
	}
}

// DeleteBucket's directory cleanup must never remove a file: a bucket of
// the same name may have been created and written to since the commit.
func TestRemoveEmptyDirsKeepsFiles(t *testing.T) {
	root := filepath.Join(t.TempDir(), "b")
	for _, d := range []string{"e1/e2", "e3", "full/e4"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "full", "f"), []byte("x"), 0o644)
	if removeEmptyDirs(root) {
		t.Fatal("removeEmptyDirs removed a directory holding a file")
	}
	for p, want := range map[string]bool{"e1": false, "e3": false, "full/e4": false, "full/f": true} {
		if _, err := os.Stat(filepath.Join(root, p)); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", p, err == nil, want)
		}
	}
}
