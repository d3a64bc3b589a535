package loadgen

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/caudal/caudal/server"
)

// readAll reads r in reads of the given sizes, cycling.
func readAll(t *testing.T, r io.Reader, sizes ...int) []byte {
	t.Helper()
	var out []byte
	for i := 0; ; i++ {
		buf := make([]byte, sizes[i%len(sizes)])
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestContentIsDeterministicAndVaries(t *testing.T) {
	const size = 3*contentBlockSize + 1000
	c := content{seed: 42, size: size}
	whole := make([]byte, size)
	c.fill(whole, 0)
	// Any read pattern gives the same bytes: odd sizes cross block and
	// header boundaries.
	for _, sizes := range [][]int{{1}, {7, 4096, 13}, {contentBlockSize}, {1 << 20}} {
		if got := readAll(t, newContentReader(c), sizes...); !bytes.Equal(got, whole) {
			t.Fatalf("reads of %v gave different content", sizes)
		}
	}
	if err := iotest.TestReader(newContentReader(c), whole); err != nil {
		t.Fatal(err)
	}
	// Another seed gives other bytes; blocks of one object differ.
	other := make([]byte, size)
	content{seed: 43, size: size}.fill(other, 0)
	if bytes.Equal(whole[contentHeaderSize:contentBlockSize], other[contentHeaderSize:contentBlockSize]) {
		t.Error("seeds 42 and 43 share their first block's pattern")
	}
	if bytes.Equal(whole[contentHeaderSize:contentBlockSize], whole[contentBlockSize+contentHeaderSize:2*contentBlockSize]) {
		t.Error("blocks 0 and 1 carry the same pattern")
	}
	if m := c.mismatch(whole, 0); m != -1 {
		t.Fatalf("content mismatches itself at %d", m)
	}
}

func TestVerifierDetectsEveryFault(t *testing.T) {
	const size = 5*contentBlockSize + 123
	c := content{seed: 7, size: size}
	good := make([]byte, size)
	c.fill(good, 0)
	verify := func(body []byte, chunk int) error {
		v := newContentVerifier(c)
		for len(body) > 0 {
			n := min(chunk, len(body))
			if _, err := v.Write(body[:n]); err != nil {
				t.Fatal(err)
			}
			body = body[n:]
		}
		return v.Result()
	}
	for _, chunk := range []int{1, 100, contentBlockSize, size} {
		if err := verify(good, chunk); err != nil {
			t.Fatalf("intact body, writes of %d: %v", chunk, err)
		}
	}
	// A flipped bit anywhere is found, and located: in a header, in a
	// pattern, in the short last block.
	for _, off := range []int{0, 15, 16, contentBlockSize + 3, 3*contentBlockSize + 500, size - 1} {
		bad := bytes.Clone(good)
		bad[off] ^= 0x10
		err := verify(bad, 1000)
		if !errors.Is(err, errContentMismatch) || !strings.Contains(err.Error(), "offset "+strconv.Itoa(off)+" ") {
			t.Errorf("flipped byte at %d: %v", off, err)
		}
	}
	// Two blocks swapped (as a server mixing up parts would) are found.
	swapped := bytes.Clone(good)
	copy(swapped[0:contentBlockSize], good[contentBlockSize:2*contentBlockSize])
	copy(swapped[contentBlockSize:2*contentBlockSize], good[0:contentBlockSize])
	if err := verify(swapped, 4096); !errors.Is(err, errContentMismatch) {
		t.Errorf("swapped blocks: %v", err)
	}
	// Another object's bytes are found.
	foreign := make([]byte, size)
	content{seed: 8, size: size}.fill(foreign, 0)
	if err := verify(foreign, 65536); !errors.Is(err, errContentMismatch) {
		t.Errorf("another object's content: %v", err)
	}
	// Short and long bodies are found.
	if err := verify(good[:size-1], 4096); err == nil || !strings.Contains(err.Error(), "bytes read") {
		t.Errorf("truncated body: %v", err)
	}
	if err := verify(append(bytes.Clone(good), 0), 4096); !errors.Is(err, errContentMismatch) {
		t.Errorf("body with one byte too many: %v", err)
	}
	// An empty object.
	if err := newContentVerifier(content{seed: 1}).Result(); err != nil {
		t.Errorf("empty object: %v", err)
	}
}

func TestContentReaderSeekAndReadAt(t *testing.T) {
	c := content{seed: 9, size: 10000}
	whole := make([]byte, c.size)
	c.fill(whole, 0)
	r := newContentReader(c)
	if pos, err := r.Seek(-100, io.SeekEnd); err != nil || pos != 9900 {
		t.Fatalf("Seek end-100 = %d, %v", pos, err)
	}
	if got := readAll(t, r, 64); !bytes.Equal(got, whole[9900:]) {
		t.Fatal("read after Seek differs")
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r, 333); !bytes.Equal(got, whole) {
		t.Fatal("read after rewind differs")
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Fatal("Seek to -1 succeeded")
	}
	p := make([]byte, 200)
	if n, err := r.ReadAt(p, 9900); n != 100 || err != io.EOF || !bytes.Equal(p[:n], whole[9900:]) {
		t.Fatalf("ReadAt across the end = %d, %v", n, err)
	}
	if n, err := r.ReadAt(p, 5000); n != 200 || err != nil || !bytes.Equal(p, whole[5000:5200]) {
		t.Fatalf("ReadAt inside = %d, %v", n, err)
	}
	if n, err := r.ReadAt(p, 10000); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt at the end = %d, %v", n, err)
	}
	// The upload manager sends parts as sections of the reader.
	sec := io.NewSectionReader(r, 4000, 3000)
	if got := readAll(t, sec, 1000); !bytes.Equal(got, whole[4000:7000]) {
		t.Fatal("section differs")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "4096": 4096, "1MiB": 1 << 20, "256MiB": 256 << 20, "256mib": 256 << 20, "1.5GiB": 3 << 29,
		"5MB": 5_000_000, "1kb": 1000, "64K": 64 << 10, " 2 GiB ": 2 << 30, "100B": 100, "1TiB": 1 << 40,
	} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "-1MiB", "1.5B", "0.3KiB", "ten", "1XB", "NaN", "Inf", "9999999TiB", "1e300"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
	for n, want := range map[int64]string{1 << 20: "1MiB", 256 << 20: "256MiB", 1536 << 10: "1536KiB", 1000: "1000B", 0: "0B", 5 << 30: "5GiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLakeConfigValidation(t *testing.T) {
	ok := LakeConfig{}.withDefaults()
	if err := ok.validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if ok.multipart() {
		t.Error("1 MiB objects with 16 MiB parts would go multipart")
	}
	if big := (LakeConfig{Size: 256 << 20}).withDefaults(); !big.multipart() {
		t.Error("256 MiB objects with 16 MiB parts would not go multipart")
	}
	if single := (LakeConfig{Size: 256 << 20, PartSize: -1}).withDefaults(); single.multipart() || single.validate() != nil {
		t.Error("PartSize -1: want single PUTs")
	}
	for _, c := range []LakeConfig{
		{Size: -1},
		{Concurrency: -1},
		{Count: -5},
		{PartSize: 1 << 20},
		{PartSize: 6 << 30},
		{Size: 6 << 30, PartSize: -1},
		{Size: 1 << 40, PartSize: 5 << 20},
		{Checksum: "md5"},
		{PartConcurrency: -2},
	} {
		if err := c.withDefaults().validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: err = %v, want ErrConfig", c, err)
		}
	}
}

// BenchmarkLakeContentFill measures generating object content (the PUT
// body), per byte.
func BenchmarkLakeContentFill(b *testing.B) {
	const size = 1 << 20
	r := newContentReader(content{seed: 1, size: size})
	buf := make([]byte, 256<<10)
	b.SetBytes(size)
	for b.Loop() {
		r.off = 0
		for {
			if _, err := r.Read(buf); err == io.EOF {
				break
			}
		}
	}
}

// BenchmarkLakeContentVerify measures checking a GET body, per byte.
func BenchmarkLakeContentVerify(b *testing.B) {
	const size = 1 << 20
	c := content{seed: 1, size: size}
	body := make([]byte, size)
	c.fill(body, 0)
	b.SetBytes(size)
	for b.Loop() {
		v := newContentVerifier(c)
		for off := 0; off < size; off += 256 << 10 {
			v.Write(body[off : off+256<<10])
		}
		if v.Result() != nil {
			b.Fatal("intact body failed verification")
		}
	}
}

// startLakeServer starts a caudal server on loopback with a fresh data
// directory and returns S3 client options for it.
func startLakeServer(t *testing.T) (*server.Server, s3.Options) {
	t.Helper()
	s, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Log: io.Discard,
		Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	k := s.Key()
	return s, s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, "")}
}

func lakeCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestLakeBenchAgainstServer runs the generator against a real in-process
// caudal in each upload shape and checksum mode: every object is PUT,
// read back byte-exact and deleted, with the bucket the run created.
func TestLakeBenchAgainstServer(t *testing.T) {
	_, opts := startLakeServer(t)
	cases := []struct {
		name string
		cfg  LakeConfig
	}{
		{"single PUT, SDK default checksums, server CPU", LakeConfig{Size: 100 << 10, Count: 20, Concurrency: 4, ServerPID: os.Getpid()}},
		{"multipart, no checksums, unsigned", LakeConfig{Size: 11 << 20, PartSize: 5 << 20, PartConcurrency: 2, Count: 2, Concurrency: 2,
			Checksum: ChecksumWhenRequired, UnsignedPayload: true}},
		{"explicit crc32c, odd size", LakeConfig{Size: 3*contentBlockSize + 7, Count: 5, Checksum: ChecksumCRC32C}},
		{"one-byte objects, by duration", LakeConfig{Size: 1, Duration: 200 * time.Millisecond, Concurrency: 2, Checksum: ChecksumSHA256}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := lakeCtx(t)
			rep, err := RunLake(ctx, opts, tc.cfg)
			if err != nil {
				t.Fatalf("RunLake: %v (report %+v)", err, rep)
			}
			var text bytes.Buffer
			if err := rep.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			p, g, d, v := rep.Put, rep.Get, rep.Delete, rep.Verification
			if !rep.OK || p.Errors != 0 || g.Errors != 0 || p.Objects == 0 || v.Verified != p.Objects || v.Acked != p.Objects ||
				!strings.Contains(text.String(), "result: OK") {
				t.Fatalf("run not clean:\n%s", text.String())
			}
			if tc.cfg.Count > 0 && p.Objects != uint64(tc.cfg.Count) {
				t.Errorf("PUT %d objects, want %d", p.Objects, tc.cfg.Count)
			}
			if p.Bytes != p.Objects*uint64(tc.cfg.Size) || g.Bytes != p.Bytes {
				t.Errorf("bytes: put %d, get %d, for %d objects of %d", p.Bytes, g.Bytes, p.Objects, tc.cfg.Size)
			}
			if d == nil || d.Objects != p.Objects || d.Errors != 0 {
				t.Fatalf("delete phase: %+v", d)
			}
			if (p.ServerCPUSeconds != nil) != (tc.cfg.ServerPID != 0) || p.GeneratorCPUSeconds <= 0 {
				t.Errorf("CPU: generator %v, server %v", p.GeneratorCPUSeconds, p.ServerCPUSeconds)
			}
			if g.FirstByte == nil || g.FirstByte.P50 > g.Latency.Max {
				t.Errorf("first byte latency %+v against whole GET %+v", g.FirstByte, g.Latency)
			}
			// The fresh bucket is gone.
			c := s3.New(opts)
			if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &rep.Bucket}); err == nil {
				t.Errorf("bucket %s still exists after the run", rep.Bucket)
			}
		})
	}
}

// TestLakeBenchKeepAndExistingBucket: a given bucket is used, not deleted,
// and with Keep the objects stay.
func TestLakeBenchKeepAndExistingBucket(t *testing.T) {
	_, opts := startLakeServer(t)
	ctx := lakeCtx(t)
	c := s3.New(opts)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("mine")}); err != nil {
		t.Fatal(err)
	}
	rep, err := RunLake(ctx, opts, LakeConfig{Bucket: "mine", Keep: true, Size: 1000, Count: 7, SkipGet: true})
	if err != nil || !rep.OK || rep.Get != nil || rep.Delete != nil {
		t.Fatalf("RunLake: %v, %+v", err, rep)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("mine"), Prefix: &rep.Prefix})
	if err != nil || len(out.Contents) != 7 || aws.ToInt64(out.Contents[0].Size) != 1000 {
		t.Fatalf("kept objects: %v, %+v", err, out)
	}
	// Without Keep, the run's objects go and the bucket stays.
	rep, err = RunLake(ctx, opts, LakeConfig{Bucket: "mine", Size: 10, Count: 3})
	if err != nil || !rep.OK || rep.Delete == nil || rep.Delete.Objects != 3 {
		t.Fatalf("RunLake: %v, %+v", err, rep)
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("mine")})
	if err != nil || len(out.Contents) != 7 {
		t.Fatalf("after a run without Keep: %v, %d objects, want the 7 kept before", err, len(out.Contents))
	}
}

// proxyLake puts a reverse proxy between the generator and the server
// whose ModifyResponse is modify, and returns options pointing at it.
func proxyLake(t *testing.T, s *server.Server, opts s3.Options, modify func(*http.Response) error) s3.Options {
	t.Helper()
	target, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = modify
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)
	opts.BaseEndpoint = aws.String(ps.URL)
	return opts
}

// TestLakeBenchDetectsCorruption flips one byte of one GET body on its way
// from the server to the generator: verification must fail and name the
// object and offset.
func TestLakeBenchDetectsCorruption(t *testing.T) {
	s, opts := startLakeServer(t)
	var flipped atomic.Bool
	opts = proxyLake(t, s, opts, func(resp *http.Response) error {
		if resp.Request.Method != http.MethodGet || resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/run-") ||
			!flipped.CompareAndSwap(false, true) {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		body[len(body)/2] ^= 0x01
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return nil
	})
	// No checksums, so the SDK does not catch it first.
	rep, err := RunLake(lakeCtx(t), opts, LakeConfig{Size: 64 << 10, Count: 10, Concurrency: 3, Checksum: ChecksumWhenRequired})
	if err != nil {
		t.Fatal(err)
	}
	v := rep.Verification
	if rep.OK || v.Corrupt != 1 || v.Verified != 9 || !strings.Contains(v.FirstProblem, "offset 32768 ") || !strings.Contains(rep.Problem, "1 corrupt") {
		t.Fatalf("one flipped byte: ok %v %q, %+v", rep.OK, rep.Problem, v)
	}
	// With the SDK's default checksums the SDK's own validation fails the
	// read first; the object is still not verified.
	flipped.Store(false)
	rep, err = RunLake(lakeCtx(t), opts, LakeConfig{Size: 64 << 10, Count: 10, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	if v := rep.Verification; rep.OK || v.Verified != 9 || v.Corrupt+v.Errors != 1 {
		t.Fatalf("one flipped byte under CRC32 validation: ok %v, %+v", rep.OK, v)
	}
}

// TestLakeBenchFailsOnALostPutAnswer turns one PUT's answer into a 500
// after the server stored the object: the run fails, counts the error,
// verifies the acknowledged rest, and still deletes the object whose
// answer was lost.
func TestLakeBenchFailsOnALostPutAnswer(t *testing.T) {
	s, opts := startLakeServer(t)
	var failed atomic.Bool
	opts = proxyLake(t, s, opts, func(resp *http.Response) error {
		if resp.Request.Method == http.MethodPut && strings.Contains(resp.Request.URL.Path, "/run-") && failed.CompareAndSwap(false, true) {
			resp.StatusCode = http.StatusInternalServerError
			resp.Body = io.NopCloser(strings.NewReader("<Error><Code>InternalError</Code><Message>lost</Message></Error>"))
			resp.ContentLength = -1
			resp.Header.Del("Content-Length")
		}
		return nil
	})
	rep, err := RunLake(lakeCtx(t), opts, LakeConfig{Size: 1000, Count: 6, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.Put.Errors != 1 || rep.Verification.Verified != 5 || rep.Problem != "1 of 6 PUTs failed" || rep.Delete.Objects != 6 {
		t.Fatalf("one lost PUT answer: ok %v %q, put %+v, verification %+v, delete %+v", rep.OK, rep.Problem, rep.Put, rep.Verification, rep.Delete)
	}
	if _, err := s3.New(opts).HeadBucket(lakeCtx(t), &s3.HeadBucketInput{Bucket: &rep.Bucket}); err == nil {
		t.Error("bucket left behind")
	}
}
