package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestParseS3URL(t *testing.T) {
	for _, c := range []struct {
		in          string
		bucket, key string
		bad         bool
	}{
		{in: "s3://b", bucket: "b"},
		{in: "s3://b/", bucket: "b"},
		{in: "s3://b/k", bucket: "b", key: "k"},
		{in: "s3://b/dir/", bucket: "b", key: "dir/"},
		{in: "s3://b/a//b/../c", bucket: "b", key: "a//b/../c"},             // keys as written
		{in: "s3://b/%20 x?y#z", bucket: "b", key: "%20 x?y#z"},             // no URL decoding
		{in: "s3://my.bucket-1/ünï/😀", bucket: "my.bucket-1", key: "ünï/😀"}, // unicode keys
		{in: "s3:///k", bad: true},
		{in: "s3://", bad: true},
		{in: "S3://b/k", bad: true},
		{in: "b/k", bad: true},
		{in: "/tmp/x", bad: true},
		{in: "s3://b c/k", bad: true},
		{in: "s3://b?x/k", bad: true},
	} {
		l, err := parseS3URL(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("parseS3URL(%q) = %+v, want an error", c.in, l)
			}
			continue
		}
		if err != nil || l.Bucket != c.bucket || l.Key != c.key {
			t.Errorf("parseS3URL(%q) = %+v, %v; want bucket %q key %q", c.in, l, err, c.bucket, c.key)
		}
	}
	if got := (s3Location{"b", ""}).String(); got != "s3://b/" {
		t.Errorf("String of a bucket = %q", got)
	}
	if got := (s3Location{"b", "x/y"}).String(); got != "s3://b/x/y" {
		t.Errorf("String of an object = %q", got)
	}
}

func TestParseS3ArgIsUsageError(t *testing.T) {
	_, err := parseS3Arg("s3://")
	var ue usageError
	if !errors.As(err, &ue) {
		t.Fatalf("parseS3Arg error %v is not a usage error (exit 2)", err)
	}
}

func TestKeyMapping(t *testing.T) {
	for _, c := range []struct{ key, file, want string }{
		{"", "/tmp/a.txt", "a.txt"},
		{"dir/", "a.txt", "dir/a.txt"},
		{"dir/b.txt", "/x/a.txt", "dir/b.txt"},
		{"dir", "a.txt", "dir"}, // no trailing slash: the key itself, as aws s3 cp
	} {
		if got := singleUploadKey(c.key, c.file); got != c.want {
			t.Errorf("singleUploadKey(%q, %q) = %q, want %q", c.key, c.file, got, c.want)
		}
	}
	for _, c := range []struct{ prefix, rel, want string }{
		{"", "a.txt", "a.txt"},
		{"logs", filepath.Join("2026", "01", "a.log"), "logs/2026/01/a.log"},
		{"logs/", "a.log", "logs/a.log"},
	} {
		if got := uploadKey(c.prefix, c.rel); got != c.want {
			t.Errorf("uploadKey(%q, %q) = %q, want %q", c.prefix, c.rel, got, c.want)
		}
	}
	for in, want := range map[string]string{"": "", "a": "a/", "a/": "a/", "a/b": "a/b/"} {
		if got := dirPrefix(in); got != want {
			t.Errorf("dirPrefix(%q) = %q, want %q", in, got, want)
		}
	}
	if got := copySource(s3Location{"b", "dir/a b+c/ü?.txt"}); got != "b/dir/a%20b+c/%C3%BC%3F.txt" {
		t.Errorf("copySource = %q", got)
	}
}

func TestLocalTarget(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ dst, key, want string }{
		{dir, "x/y/a.csv", filepath.Join(dir, "a.csv")},                       // existing directory
		{dir + "/new/", "x/a.csv", filepath.Join(dir, "new", "a.csv")},        // trailing slash
		{filepath.Join(dir, "b.csv"), "x/a.csv", filepath.Join(dir, "b.csv")}, // a file name
		{".", "a.csv", "a.csv"},
	} {
		if got := localTarget(c.dst, c.key); got != c.want {
			t.Errorf("localTarget(%q, %q) = %q, want %q", c.dst, c.key, got, c.want)
		}
	}
}

func TestLocalPathForRefusesEscapes(t *testing.T) {
	dir := filepath.Join("out", "dir")
	for rel, want := range map[string]string{
		"a.txt":         filepath.Join(dir, "a.txt"),
		"x/y/z.txt":     filepath.Join(dir, "x", "y", "z.txt"),
		"x//y/./z":      filepath.Join(dir, "x", "y", "z"),
		"/abs/path":     filepath.Join(dir, "abs", "path"), // a leading '/' is an empty segment
		"…/..a/b..":     filepath.Join(dir, "…", "..a", "b.."),
		"back\\slash":   filepath.Join(dir, "back\\slash"),
		"../escape":     "",
		"a/../../b":     "",
		"a/..":          "",
		"..":            "",
		"":              "",
		"///":           "",
		"./.":           "",
		"x/../../../..": "",
	} {
		got, ok := localPathFor(dir, rel)
		if want == "" {
			if ok {
				t.Errorf("localPathFor(%q) = %q, want refused", rel, got)
			}
			continue
		}
		if !ok || got != want {
			t.Errorf("localPathFor(%q) = %q, %v; want %q", rel, got, ok, want)
		}
	}
}

// FuzzLocalPathFor holds the property that matters for keys from the
// network: whatever the key, the path is inside the destination.
func FuzzLocalPathFor(f *testing.F) {
	for _, s := range []string{"a", "../a", "a/../../b", "//", "a/./b", "\x00", ".../..", "a\\..\\..\\b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		dir := filepath.Join("base", "dir")
		got, ok := localPathFor(dir, rel)
		if !ok {
			return
		}
		r, err := filepath.Rel(dir, got)
		if err != nil || !filepath.IsLocal(r) || r == "." {
			t.Fatalf("localPathFor(%q) = %q, outside %q (rel %q, %v)", rel, got, dir, r, err)
		}
	})
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{
		0:                  "0 B",
		1:                  "1 B",
		1023:               "1023 B",
		1024:               "1.0 KiB",
		1536:               "1.5 KiB",
		1024*1024 - 1:      "1.0 MiB", // 1023.999 KiB rounds to 1024.0: next unit
		8 << 20:            "8.0 MiB",
		5<<30 + 512<<20:    "5.5 GiB",
		1 << 40:            "1.0 TiB",
		1<<63 - 1:          "8.0 EiB",
		int64(1.25 * 1024): "1.2 KiB",
	} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"8388608": 8 << 20, "8MiB": 8 << 20, "8M": 8 << 20, "8mb": 8 << 20, "16 MiB": 16 << 20,
		"1.5GiB": 3 << 29, "64KiB": 64 << 10, "5242880B": 5 << 20, "1T": 1 << 40,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "8 XB", "-1", "1.2.3M", "8Mi", "1e3", "99999999999T"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestRenderBar(t *testing.T) {
	got := renderBar(4<<20, 8<<20, 2*time.Second, 1, 3)
	want := "[============>           ]  50%  4.0 MiB / 8.0 MiB  2.0 MiB/s  ETA 2s  1/3 files"
	if got != want {
		t.Errorf("renderBar half-way =\n%q, want\n%q", got, want)
	}
	if got := renderBar(9<<20, 8<<20, time.Second, 1, 1); !strings.Contains(got, "100%  8.0 MiB / 8.0 MiB") || !strings.Contains(got, "ETA 0s") ||
		strings.Contains(got, "files") || !strings.HasPrefix(got, "["+strings.Repeat("=", 24)+"]") {
		t.Errorf("renderBar past the total (retries) = %q, want capped at 100%%, no file count for one file", got)
	}
	if got := renderBar(0, 8<<20, 0, 0, 1); !strings.Contains(got, "ETA ?") {
		t.Errorf("renderBar at start = %q, want an unknown ETA", got)
	}
	if got := renderBar(3<<20, -1, time.Second, 0, 1); got != "3.0 MiB  3.0 MiB/s" {
		t.Errorf("renderBar with unknown total = %q", got)
	}
	if got := renderBar(0, 0, time.Second, 1, 1); !strings.Contains(got, "100%") {
		t.Errorf("renderBar of an empty file = %q", got)
	}
	for d, want := range map[time.Duration]string{0: "0s", 59 * time.Second: "59s", 65 * time.Second: "1m05s", 2*time.Hour + 14*time.Minute: "2h14m"} {
		if got := formatETA(d); got != want {
			t.Errorf("formatETA(%v) = %q, want %q", d, got, want)
		}
	}
	if got := copySummary(3, 12<<20, 4*time.Second); got != "copied 3 files, 12.0 MiB in 4.00 s (3.0 MiB/s)" {
		t.Errorf("copySummary = %q", got)
	}
	if got := copySummary(1, 10, 0); got != "copied 1 file, 10 B in 0.00 s (0 B/s)" {
		t.Errorf("copySummary of one file = %q", got)
	}
}

// TestCopyDisplayTerminal checks the terminal drawing: the progress line
// is overwritten in place, finished files print above it, and nothing of
// it is left at the end.
func TestCopyDisplayTerminal(t *testing.T) {
	var out syncBuffer
	m := &meter{}
	d := newCopyDisplay(&out, true, false, m)
	d.begin(100, 2)
	m.n.Add(50)
	d.fileDone("upload: a to s3://b/a")
	var errOut bytes.Buffer
	d.fileFailed(&errOut, "caudal: upload failed: c")
	d.end()
	s := out.String()
	if !strings.Contains(s, "upload: a to s3://b/a\n\r[") || !strings.Contains(s, "1/2 files") {
		t.Errorf("terminal output lacks the file line with the bar redrawn under it:\n%q", s)
	}
	if !strings.HasSuffix(s, "\r\033[K") {
		t.Errorf("terminal output does not end with the bar cleared:\n%q", s)
	}
	if errOut.String() != "caudal: upload failed: c\n" {
		t.Errorf("failure line = %q", errOut.String())
	}

	var plain bytes.Buffer
	d = newCopyDisplay(&plain, false, false, m)
	d.begin(100, 2)
	d.fileDone("upload: a to s3://b/a")
	d.fileDone("upload: b to s3://b/b")
	d.end()
	if plain.String() != "upload: a to s3://b/a\nupload: b to s3://b/b\n" {
		t.Errorf("non-terminal output = %q, want one plain line per file", plain.String())
	}
	var quiet bytes.Buffer
	d = newCopyDisplay(&quiet, true, true, m)
	d.begin(100, 1)
	d.fileDone("upload: a to s3://b/a")
	d.end()
	if quiet.Len() != 0 {
		t.Errorf("quiet output = %q", quiet.String())
	}
}

func TestPlanCopy(t *testing.T) {
	for _, c := range []struct {
		src, dst  string
		recursive bool
		kind      string // "" for a usage error
	}{
		{"a.txt", "s3://b/", false, "upload"},
		{"-", "s3://b/k", false, "upload"},
		{"s3://b/k", ".", false, "download"},
		{"s3://b/k", "-", false, "download"},
		{"s3://b/k", "s3://c/", false, "copy"},
		{"s3://b/dir", "out", true, "download"},
		{"s3://b", "out", true, "download"},
		{"dir", "s3://b", true, "upload"},
		{"a", "b", false, ""},                // no s3:// side
		{"s3://b/", "out", false, ""},        // a prefix without --recursive
		{"s3://b/dir/", "out", false, ""},    // a prefix without --recursive
		{"s3://b/dir/", "s3://c", false, ""}, // likewise for a lake copy
		{"-", "s3://b/", true, ""},           // stdin is not a directory
		{"s3://b/k", "-", true, ""},
		{"s3://", "x", false, ""},
		{"x", "s3:///k", false, ""},
		{"", "s3://b/k", false, ""},
		{"s3://b/k", "", false, ""},
	} {
		p, err := planCopy(c.src, c.dst, c.recursive)
		if c.kind == "" {
			var ue usageError
			if !errors.As(err, &ue) {
				t.Errorf("planCopy(%q, %q, %v) = %+v, %v; want a usage error", c.src, c.dst, c.recursive, p, err)
			}
			continue
		}
		if err != nil || p.kind != c.kind {
			t.Errorf("planCopy(%q, %q, %v) = %+v, %v; want a %s", c.src, c.dst, c.recursive, p, err, c.kind)
		}
	}
}

func TestFormatObjectLine(t *testing.T) {
	mod := time.Date(2026, 1, 2, 15, 4, 5, 0, time.Local)
	o := types.Object{Key: aws.String("logs/2026/a.log"), Size: aws.Int64(1536), LastModified: &mod}
	if got, want := formatObjectLine(o, "logs/", false), "2026-01-02 15:04:05       1536 2026/a.log"; got != want {
		t.Errorf("formatObjectLine =\n%q, want\n%q", got, want)
	}
	if got, want := formatObjectLine(o, "", true), "2026-01-02 15:04:05    1.5 KiB logs/2026/a.log"; got != want {
		t.Errorf("formatObjectLine --human =\n%q, want\n%q", got, want)
	}
}

// TestMeteredHTTPClient checks what the progress bar counts: upload
// bodies as sent and download bodies as read, only for requests whose
// context carries a meter, and that an empty body is passed on as is.
func TestMeteredHTTPClient(t *testing.T) {
	var gotBody []byte
	var gotChunked bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotBody, _ = io.ReadAll(r.Body)
		gotChunked = len(r.TransferEncoding) > 0
		if r.Method == http.MethodGet {
			w.Write(bytes.Repeat([]byte("x"), 1000))
		}
	}))
	defer srv.Close()
	c := &meteredHTTPClient{next: awshttp.NewBuildableClient()}
	m := &meter{}
	ctx := withMeter(context.Background(), m)
	do := func(ctx context.Context, method string, body []byte) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, srv.URL, bytes.NewReader(body))
		if body == nil {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	do(ctx, http.MethodPut, make([]byte, 300))
	if m.n.Load() != 300 || len(gotBody) != 300 {
		t.Errorf("after a 300-byte PUT: meter %d, server got %d", m.n.Load(), len(gotBody))
	}
	do(ctx, http.MethodGet, nil)
	if m.n.Load() != 1300 {
		t.Errorf("after a 1000-byte GET: meter %d, want 1300", m.n.Load())
	}
	do(context.Background(), http.MethodPut, make([]byte, 50))
	if m.n.Load() != 1300 {
		t.Errorf("a request without a meter was counted: %d", m.n.Load())
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL, strings.NewReader(""))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if gotChunked {
		t.Errorf("an empty PUT went out chunked")
	}
}

// TestDownloadFileKeepsTargetOnFailure: a download that fails leaves no
// temporary file behind and the old file untouched.
func TestDownloadFileKeepsTargetOnFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `<Error><Code>InternalError</Code><Message>boom</Message></Error>`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	target := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string {
		return map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}[k]
	}}
	ctx := context.Background()
	c, err := newLakeClient(ctx, e, &globals{endpoint: srv.URL, region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	dl := manager.NewDownloader(c, manager.WithDownloaderClientOptions(func(o *s3.Options) { o.RetryMaxAttempts = 1 }))
	err = c.downloadFile(ctx, dl, s3Location{"b", "a.txt"}, 10, nil, target)
	if err == nil || !strings.Contains(err.Error(), "InternalError") {
		t.Errorf("error = %v, want the server's InternalError", err)
	}
	ents, _ := os.ReadDir(dir)
	if got, _ := os.ReadFile(target); string(got) != "old" || len(ents) != 1 {
		t.Errorf("after a failed download: target %q, %d entries in the directory", got, len(ents))
	}
}

// TestLakeCopyInParts copies an object larger than maxSingleCopy (lowered
// for the test) within the lake, which takes a multipart upload of
// UploadPartCopy ranges, against an in-process server; the copy must have
// the source's bytes and headers.
func TestLakeCopyInParts(t *testing.T) {
	old := maxSingleCopy
	maxSingleCopy = 6 << 20
	t.Cleanup(func() { maxSingleCopy = old })
	ts := startServer(t)
	dir := t.TempDir()
	data := make([]byte, 13<<20+7)
	for i := range data {
		data[i] = byte(i*7 + i>>13)
	}
	src := filepath.Join(dir, "big.json")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ts.must(t, cliRun{}, "lake", "mb", "s3://parts")
	ts.must(t, cliRun{}, "lake", "cp", src, "s3://parts/a/")
	out := ts.must(t, cliRun{}, "lake", "cp", "--part-size", "5MiB", "s3://parts/a/big.json", "s3://parts/b/copy.json")
	if !strings.Contains(out, "copy: s3://parts/a/big.json to s3://parts/b/copy.json\n") || !strings.Contains(out, "copied 1 file, 13.0 MiB") {
		t.Errorf("cp in the lake printed %q", out)
	}
	e := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	c, err := newLakeClient(context.Background(), e, &globals{endpoint: ts.URL(), region: "us-east-1", dataDir: ts.dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("parts"), Key: aws.String("b/copy.json")})
	if err != nil {
		t.Fatalf("GetObject of the copy: %v", err)
	}
	b, err := io.ReadAll(got.Body)
	got.Body.Close()
	if err != nil || !bytes.Equal(b, data) {
		t.Fatalf("the copy has %d bytes (%v), differing from the %d of the source", len(b), err, len(data))
	}
	if ct := aws.ToString(got.ContentType); ct != "application/json" {
		t.Errorf("the copy's Content-Type = %q, want the source's application/json", ct)
	}
	if etag := aws.ToString(got.ETag); !strings.HasSuffix(etag, `-3"`) {
		t.Errorf("the copy's ETag = %s, want a 3-part multipart ETag", etag)
	}
	uploads, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("parts")})
	if err != nil || len(uploads.Uploads) != 0 {
		t.Errorf("unfinished uploads after the copy: %v, %v", uploads, err)
	}

	// A source that does not exist fails before any upload is started.
	_, _, err = ts.run(t, cliRun{}, "lake", "cp", "s3://parts/a/nope.json", "s3://parts/b/")
	if err == nil || !strings.Contains(err.Error(), "s3://parts/a/nope.json does not exist") {
		t.Errorf("copy of a missing source: %v", err)
	}
}

// TestLakeMakeBucketInRegion: outside us-east-1, mb sends the region as
// the bucket's location constraint (AWS refuses a bucket in another
// region's endpoint without one), and mb of an existing bucket of one's
// own succeeds, as in us-east-1.
func TestLakeMakeBucketInRegion(t *testing.T) {
	ts := startServer(t)
	ts.must(t, cliRun{}, "--region", "eu-west-1", "lake", "mb", "s3://eu-lake")
	e := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	c, err := newLakeClient(context.Background(), e, &globals{endpoint: ts.URL(), region: "eu-west-1", dataDir: ts.dir})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := c.GetBucketLocation(context.Background(), &s3.GetBucketLocationInput{Bucket: aws.String("eu-lake")})
	if err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Errorf("GetBucketLocation = %v, %v; want eu-west-1", loc, err)
	}
	if out := ts.must(t, cliRun{}, "lake", "mb", "s3://eu-lake"); out != "made bucket s3://eu-lake\n" {
		t.Errorf("mb of an existing bucket = %q", out)
	}
}

// BenchmarkFormatObjectLine is the per-object cost of `lake ls`, which
// streams listings of millions of keys.
func BenchmarkFormatObjectLine(b *testing.B) {
	mod := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	o := types.Object{Key: aws.String("logs/year=2026/month=01/day=02/part-00042.parquet"), Size: aws.Int64(123456789), LastModified: &mod}
	w := bufio.NewWriter(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		fmt.Fprintln(w, formatObjectLine(o, "logs/", true))
	}
}

// TestLakeRecursiveInProcess runs recursive copies with many workers in
// process, so that `go test -race` sees the workers, the display and the
// meter together.
func TestLakeRecursiveInProcess(t *testing.T) {
	ts := startServer(t)
	dir := t.TempDir()
	want := map[string]string{}
	for i := range 40 {
		name := filepath.Join(fmt.Sprintf("d%d", i%4), fmt.Sprintf("f%02d.txt", i))
		want[filepath.ToSlash(name)] = strings.Repeat(fmt.Sprint(i), i*100)
		p := filepath.Join(dir, "src", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(want[filepath.ToSlash(name)]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ts.must(t, cliRun{}, "lake", "mb", "s3://rec")
	if out := ts.must(t, cliRun{}, "lake", "cp", "-r", "--concurrency", "8", filepath.Join(dir, "src"), "s3://rec/x"); !strings.Contains(out, "copied 40 files") {
		t.Errorf("cp -r up: %s", out)
	}
	if out := ts.must(t, cliRun{}, "lake", "cp", "-r", "--concurrency", "8", "s3://rec/x/", filepath.Join(dir, "back")); !strings.Contains(out, "copied 40 files") {
		t.Errorf("cp -r down: %s", out)
	}
	for name, content := range want {
		got, err := os.ReadFile(filepath.Join(dir, "back", filepath.FromSlash(name)))
		if err != nil || string(got) != content {
			t.Errorf("%s: %d bytes, %v; want %d", name, len(got), err, len(content))
		}
	}
	if out := ts.must(t, cliRun{}, "lake", "ls", "-r", "--summarize", "s3://rec"); !strings.Contains(out, "Total Objects: 40\n") {
		t.Errorf("ls --summarize: %s", out)
	}
}
