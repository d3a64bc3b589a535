package e2e

// The lake's crash test: SIGKILL the server while Go SDK clients upload and
// overwrite objects (single PUTs and multipart uploads), restart it on the
// same data directory, and check that every acknowledged object is there
// and whole, that nothing unacknowledged and unsent appears, and that the
// listing shows exactly what can be read. Several cycles on one directory.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// objVersion is one upload of a key. Its content is a function of (key,
// number, size): objContent.
type objVersion struct {
	num       int // 1-based, in send order for its key
	size      int
	multipart bool
	deleted   bool // a DeleteObject, not an upload: its state is "absent"
}

// keyHistory is everything sent for one key (uploads and deletes). Uploads of one key never
// overlap (a key is checked out by one uploader at a time), so the order
// of sent is the order the server saw them in.
type keyHistory struct {
	sent []objVersion
	// floor is the index in sent of the oldest version the key may still
	// show: the last acknowledged one, or a later (unacknowledged) one a
	// reader already saw after a restart — the visible state never goes
	// back. -1: nothing acknowledged or seen yet, so the key may be absent.
	floor int
}

func (v objVersion) op() string {
	switch {
	case v.deleted:
		return "DeleteObject"
	case v.multipart:
		return "multipart upload"
	}
	return "PutObject"
}

// objContent is the deterministic body of a version:
// "<key>|v<num>|<size>|" followed by pseudo-random bytes up to size.
func objContent(key string, v objVersion) []byte {
	head := fmt.Sprintf("%s|v%d|%d|", key, v.num, v.size)
	seed := sha256.Sum256([]byte(head))
	body := randomBytes(uint64(seed[0])|uint64(seed[1])<<8|uint64(seed[2])<<16|uint64(seed[3])<<24|uint64(seed[4])<<32, v.size)
	copy(body, head)
	return body
}

// parseObjVersion reads the version number from a body's header.
func parseObjVersion(key string, b []byte) (int, error) {
	prefix := key + "|v"
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return 0, fmt.Errorf("body does not start with %q (starts %q)", prefix, truncate(b, 40))
	}
	rest := b[len(prefix):]
	i := bytes.IndexByte(rest, '|')
	if i < 0 || i > 12 {
		return 0, fmt.Errorf("body header has no version number (starts %q)", truncate(b, 40))
	}
	return strconv.Atoi(string(rest[:i]))
}

func lakeCrashCycles(t *testing.T) int {
	if v := os.Getenv("CAUDAL_LAKE_CRASH_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CAUDAL_LAKE_CRASH_CYCLES=%q: want a positive integer", v)
		}
		return n
	}
	return 8
}

const crashPartSize = 5 << 20

func TestE2ES3CrashKill9DuringUploads(t *testing.T) {
	cycles := lakeCrashCycles(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d cycles", seed, cycles)
	rng := rand.New(rand.NewPCG(seed, 0x1a4e))

	s := startServer(t)
	// Uploaders get no retries: a failed request is simply "unknown". The
	// reader keeps the harness's two attempts (reads are idempotent).
	up := s.S3Client(t, func(o *s3.Options) { o.Retryer = aws.NopRetryer{} })
	reader := s.S3Client(t)
	const bucket = "crash"
	mustCreateBucket(t, reader, bucket)

	var keys []string
	for i := 0; i < 24; i++ {
		keys = append(keys, fmt.Sprintf("k%02d", i))
	}
	for i := 0; i < 16; i++ {
		keys = append(keys, fmt.Sprintf("deep/dir%d/year=2026/obj-%02d.bin", i%3, i))
	}
	var mu sync.Mutex // guards hist
	hist := map[string]*keyHistory{}
	for _, k := range keys {
		hist[k] = &keyHistory{floor: -1}
	}
	var totalAcked, totalSent atomic.Int64
	start := time.Now()

	for cycle := 0; cycle < cycles; cycle++ {
		free := make(chan string, len(keys))
		for _, i := range rng.Perm(len(keys)) {
			free <- keys[i]
		}
		var (
			wg       sync.WaitGroup
			stop     atomic.Bool
			killed   atomic.Bool
			acked    atomic.Int64
			liveErrs atomic.Int64
		)
		uploader := func(id int, multipartShare int) {
			defer wg.Done()
			prng := rand.New(rand.NewPCG(rng.Uint64(), uint64(id)))
			mgr := manager.NewUploader(up, func(u *manager.Uploader) {
				u.PartSize = crashPartSize
				u.Concurrency = 2
			})
			for !stop.Load() {
				var key string
				select {
				case key = <-free:
				case <-time.After(50 * time.Millisecond):
					continue
				}
				v := objVersion{size: 1<<10<<prng.IntN(12) + prng.IntN(1<<10)}
				switch n := prng.IntN(100); {
				case n < multipartShare:
					v = objVersion{size: crashPartSize + 1 + prng.IntN(1<<20), multipart: true}
				case n >= 92:
					v = objVersion{deleted: true}
				}
				mu.Lock()
				h := hist[key]
				v.num = len(h.sent) + 1
				h.sent = append(h.sent, v)
				mu.Unlock()
				totalSent.Add(1)
				body := objContent(key, v)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				var err error
				if v.deleted {
					_, err = up.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
				} else if v.multipart {
					_, err = mgr.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
				} else {
					_, err = up.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
				}
				cancel()
				if err == nil {
					mu.Lock()
					h.floor = v.num - 1
					mu.Unlock()
					acked.Add(1)
					totalAcked.Add(1)
				} else if !killed.Load() {
					if liveErrs.Add(1) <= 3 {
						t.Errorf("cycle %d: %s of %s v%d (%d bytes) failed while the server was up: %v", cycle, v.op(), key, v.num, v.size, err)
					}
				}
				free <- key
			}
		}
		for i := 0; i < 5; i++ {
			wg.Add(1)
			go uploader(i, 0)
		}
		wg.Add(1)
		go uploader(99, 50)

		// Kill at a random moment: after a random number of acks, plus a
		// few milliseconds so the kill lands inside a body, an fsync or a
		// commit. (No eventually(): its Fatalf would leave the uploaders
		// running past the test.)
		threshold := int64(5 + rng.IntN(40))
		for deadline := time.Now().Add(60 * time.Second); acked.Load() < threshold && time.Now().Before(deadline) && !t.Failed(); {
			time.Sleep(5 * time.Millisecond)
		}
		if acked.Load() < threshold {
			t.Errorf("cycle %d: uploaders reached only %d of %d acknowledged uploads", cycle, acked.Load(), threshold)
		}
		time.Sleep(time.Duration(rng.IntN(30000)) * time.Microsecond)
		killed.Store(true)
		s.Kill()
		stop.Store(true)
		wg.Wait()
		s.Restart()
		verifyLake(t, reader, bucket, cycle, &mu, hist)
		if t.Failed() {
			t.Fatalf("cycle %d failed; stopping (seed %d)", cycle, seed)
		}
	}
	t.Logf("%d cycles in %v: %d uploads sent, %d acknowledged", cycles, time.Since(start).Round(time.Millisecond), totalSent.Load(), totalAcked.Load())
}

// verifyLake reads every key back after a restart and checks it against
// its history, then checks the listings against what was readable.
func verifyLake(t *testing.T, c *s3.Client, bucket string, cycle int, mu *sync.Mutex, hist map[string]*keyHistory) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	ctx := ctxT(t)
	visible := map[string]int64{}
	bad := 0
	fail := func(format string, args ...any) {
		bad++
		if bad <= 10 {
			t.Errorf("cycle %d: "+format, append([]any{cycle}, args...)...)
		}
	}
	keys := make([]string, 0, len(hist))
	for k := range hist {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		h := hist[key]
		got, out, err := getBytes(ctx, c, bucket, key)
		if httpStatus(err) == 404 && s3ErrorCode(err) == "NoSuchKey" {
			// Absent is allowed before anything was acknowledged or seen,
			// or if a delete at or after the floor took effect; then the
			// earliest such delete becomes the floor (states only move
			// forward, so this never forbids a state that could be right).
			if h.floor < 0 {
				continue
			}
			del := -1
			for i := h.floor; i < len(h.sent); i++ {
				if h.sent[i].deleted {
					del = i
					break
				}
			}
			if del < 0 {
				v := h.sent[h.floor]
				fail("%s is gone after SIGKILL and restart; %s v%d (%d bytes) was acknowledged or seen and no delete was sent after it", key, v.op(), v.num, v.size)
				continue
			}
			h.floor = del
			continue
		}
		if err != nil {
			fail("GetObject %s: %v", key, err)
			continue
		}
		num, err := parseObjVersion(key, got)
		if err != nil {
			fail("%s (%d bytes): %v", key, len(got), err)
			continue
		}
		if num < 1 || num > len(h.sent) {
			fail("%s shows v%d, which was never sent (%d versions sent)", key, num, len(h.sent))
			continue
		}
		v := h.sent[num-1]
		if v.deleted {
			fail("%s shows v%d, which was a delete", key, num)
			continue
		}
		if num-1 < h.floor {
			f := h.sent[h.floor]
			fail("%s shows v%d, older than v%d which was acknowledged (or already seen after a restart)", key, num, f.num)
			continue
		}
		want := objContent(key, v)
		if len(got) != len(want) || sha256.Sum256(got) != sha256.Sum256(want) {
			fail("%s v%d is not whole: %d bytes, want %d (multipart %v)", key, num, len(got), len(want), v.multipart)
			continue
		}
		wantETag := md5ETag(want)
		if v.multipart {
			wantETag = multipartETag(want, crashPartSize)
		}
		if aws.ToString(out.ETag) != wantETag {
			fail("%s v%d: ETag %s, want %s", key, num, aws.ToString(out.ETag), wantETag)
		}
		h.floor = num - 1
		visible[key] = int64(len(got))
	}

	// The listing shows exactly what is readable, with the right sizes,
	// whole pages or small ones.
	for _, maxKeys := range []int32{1000, 7} {
		listed := map[string]int64{}
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(maxKeys)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("cycle %d: ListObjectsV2: %v", cycle, err)
			}
			for _, o := range page.Contents {
				k := aws.ToString(o.Key)
				if _, dup := listed[k]; dup {
					fail("ListObjectsV2 (max-keys %d) lists %q twice", maxKeys, k)
				}
				listed[k] = aws.ToInt64(o.Size)
			}
		}
		for k, n := range listed {
			if vn, ok := visible[k]; !ok {
				fail("ListObjectsV2 (max-keys %d) lists %q (%d bytes), which GetObject does not return", maxKeys, k, n)
			} else if vn != n {
				fail("ListObjectsV2 (max-keys %d) gives %q %d bytes, GetObject %d", maxKeys, k, n, vn)
			}
		}
		for k := range visible {
			if _, ok := listed[k]; !ok {
				fail("ListObjectsV2 (max-keys %d) lacks %q, which GetObject returns", maxKeys, k)
			}
		}
	}
	// No temporary file or directory shows through as a bucket or an upload
	// of a key nobody uploaded.
	bl, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("cycle %d: ListBuckets: %v", cycle, err)
	}
	if len(bl.Buckets) != 1 || aws.ToString(bl.Buckets[0].Name) != bucket {
		var names []string
		for _, b := range bl.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		fail("ListBuckets = %v, want only %s", names, bucket)
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("cycle %d: ListMultipartUploads: %v", cycle, err)
	}
	for _, u := range ups.Uploads {
		if _, ok := hist[aws.ToString(u.Key)]; !ok || strings.TrimSpace(aws.ToString(u.UploadId)) == "" {
			fail("ListMultipartUploads shows an upload of %q (id %q) nobody started", aws.ToString(u.Key), aws.ToString(u.UploadId))
		}
	}
	if bad > 0 {
		t.Errorf("cycle %d: %d violations; %d keys visible", cycle, bad, len(visible))
	}
}

// TestLakeCrashContentDetectsDamage checks that the crash test's payloads
// catch what it looks for: a torn, shifted or foreign body.
func TestLakeCrashContentDetectsDamage(t *testing.T) {
	v := objVersion{num: 3, size: 5000}
	b := objContent("a/key", v)
	if n, err := parseObjVersion("a/key", b); err != nil || n != 3 || len(b) != 5000 {
		t.Fatalf("whole body: v%d, %v, %d bytes", n, err, len(b))
	}
	if bytes.Equal(b, objContent("a/key", objVersion{num: 4, size: 5000})) {
		t.Errorf("two versions have the same body")
	}
	if _, err := parseObjVersion("other", b); err == nil {
		t.Errorf("a body of another key parsed")
	}
	if _, err := parseObjVersion("a/key", b[1:]); err == nil {
		t.Errorf("a shifted body parsed")
	}
	if !bytes.Equal(objContent("a/key", v), b) {
		t.Errorf("objContent is not deterministic")
	}
}
