package e2e

// What the lake keeps across restarts: buckets (empty ones too), objects
// with their metadata, content headers and tags, deletes and overwrites,
// and multipart uploads in progress with their parts — through a graceful
// restart and then a SIGKILL.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestE2ES3RestartDurability(t *testing.T) {
	s := startServer(t)
	c := s.S3Client(t)
	ctx := ctxT(t)
	for _, b := range []string{"keep-a", "keep-empty"} {
		mustCreateBucket(t, c, b)
	}
	small := []byte("small object with metadata")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("keep-a"), Key: aws.String("docs/small.txt"), Body: bytes.NewReader(small),
		ContentType: aws.String("text/plain; charset=utf-8"), ContentDisposition: aws.String(`attachment; filename="s.txt"`),
		CacheControl: aws.String("max-age=60"), ContentLanguage: aws.String("es"),
		Metadata: map[string]string{"origin": "restart-test", "n": "1"},
		Tagging:  aws.String("team=data&tier=gold"),
	}); err != nil {
		t.Fatalf("PutObject with metadata and tags: %v", err)
	}
	mustPut(t, c, "keep-a", "overwritten", []byte("first"))
	mustPut(t, c, "keep-a", "overwritten", []byte("second"))
	mustPut(t, c, "keep-a", "deleted", []byte("gone soon"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("keep-a"), Key: aws.String("deleted")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	big := randomBytes(50, 7<<20)
	if _, err := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 << 20 }).Upload(ctx,
		&s3.PutObjectInput{Bucket: aws.String("keep-a"), Key: aws.String("big.bin"), Body: bytes.NewReader(big)}); err != nil {
		t.Fatalf("multipart upload of 7 MiB: %v", err)
	}

	// A multipart upload left in progress: two parts now, a third after the
	// first restart.
	cm, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("keep-a"), Key: aws.String("pending.bin"),
		ContentType: aws.String("application/x-pending"), Metadata: map[string]string{"stage": "multipart"}})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	uploadID := aws.ToString(cm.UploadId)
	partBodies := [][]byte{randomBytes(51, 5<<20), randomBytes(52, 5<<20), []byte("the last, short part")}
	var parts []types.CompletedPart
	uploadPart := func(n int) {
		t.Helper()
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("keep-a"), Key: aws.String("pending.bin"), UploadId: aws.String(uploadID),
			PartNumber: aws.Int32(int32(n)), Body: bytes.NewReader(partBodies[n-1])})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(n)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	uploadPart(1)
	uploadPart(2)

	checkState := func(when string, wantParts int) {
		t.Helper()
		bl, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatalf("%s: ListBuckets: %v", when, err)
		}
		var names []string
		for _, b := range bl.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		sort.Strings(names)
		if len(names) != 2 || names[0] != "keep-a" || names[1] != "keep-empty" {
			t.Errorf("%s: buckets %v, want [keep-a keep-empty]", when, names)
		}
		got, out, err := getBytes(ctx, c, "keep-a", "docs/small.txt")
		if err != nil || !bytes.Equal(got, small) {
			t.Errorf("%s: docs/small.txt = %q, %v", when, got, err)
		} else {
			if aws.ToString(out.ContentType) != "text/plain; charset=utf-8" || aws.ToString(out.ContentDisposition) != `attachment; filename="s.txt"` ||
				aws.ToString(out.CacheControl) != "max-age=60" || aws.ToString(out.ContentLanguage) != "es" {
				t.Errorf("%s: content headers type %q disposition %q cache %q language %q", when, aws.ToString(out.ContentType),
					aws.ToString(out.ContentDisposition), aws.ToString(out.CacheControl), aws.ToString(out.ContentLanguage))
			}
			if out.Metadata["origin"] != "restart-test" || out.Metadata["n"] != "1" || len(out.Metadata) != 2 {
				t.Errorf("%s: metadata %v, want origin=restart-test n=1", when, out.Metadata)
			}
			if aws.ToString(out.ETag) != md5ETag(small) {
				t.Errorf("%s: ETag %s, want %s", when, aws.ToString(out.ETag), md5ETag(small))
			}
			if aws.ToInt32(out.TagCount) != 2 {
				t.Errorf("%s: x-amz-tagging-count %d, want 2", when, aws.ToInt32(out.TagCount))
			}
		}
		tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("keep-a"), Key: aws.String("docs/small.txt")})
		if err != nil {
			t.Errorf("%s: GetObjectTagging: %v", when, err)
		} else {
			m := map[string]string{}
			for _, tg := range tags.TagSet {
				m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			if len(m) != 2 || m["team"] != "data" || m["tier"] != "gold" {
				t.Errorf("%s: tags %v, want team=data tier=gold", when, m)
			}
		}
		if got, _, err := getBytes(ctx, c, "keep-a", "overwritten"); err != nil || string(got) != "second" {
			t.Errorf("%s: overwritten = %q, %v; want second", when, got, err)
		}
		if _, _, err := getBytes(ctx, c, "keep-a", "deleted"); s3ErrorCode(err) != "NoSuchKey" {
			t.Errorf("%s: deleted object: %v, want NoSuchKey", when, err)
		}
		if got, out, err := getBytes(ctx, c, "keep-a", "big.bin"); err != nil || !bytes.Equal(got, big) {
			t.Errorf("%s: big.bin: %d bytes, %v; want the 7 MiB uploaded", when, len(got), err)
		} else if aws.ToString(out.ETag) != multipartETag(big, 5<<20) {
			t.Errorf("%s: big.bin ETag %s, want %s", when, aws.ToString(out.ETag), multipartETag(big, 5<<20))
		}
		listed := listAllKeys(t, c, "keep-a", "")
		if len(listed) != 3 || listed["docs/small.txt"] != int64(len(small)) || listed["overwritten"] != 6 || listed["big.bin"] != int64(len(big)) {
			t.Errorf("%s: keep-a lists %v, want docs/small.txt, overwritten, big.bin, and pending.bin only once complete", when, listed)
		}
		if n := len(listAllKeys(t, c, "keep-empty", "")); n != 0 {
			t.Errorf("%s: keep-empty has %d keys", when, n)
		}

		ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("keep-a")})
		if err != nil {
			t.Fatalf("%s: ListMultipartUploads: %v", when, err)
		}
		if len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].UploadId) != uploadID || aws.ToString(ups.Uploads[0].Key) != "pending.bin" {
			t.Errorf("%s: ListMultipartUploads = %+v, want the one upload %s of pending.bin", when, ups.Uploads, uploadID)
		}
		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("keep-a"), Key: aws.String("pending.bin"), UploadId: aws.String(uploadID)})
		if err != nil {
			t.Fatalf("%s: ListParts: %v", when, err)
		}
		if len(lp.Parts) != wantParts {
			t.Fatalf("%s: ListParts has %d parts, want %d", when, len(lp.Parts), wantParts)
		}
		for i, p := range lp.Parts {
			if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToString(p.ETag) != md5ETag(partBodies[i]) || aws.ToInt64(p.Size) != int64(len(partBodies[i])) {
				t.Errorf("%s: part %d = number %d, ETag %s, size %d; want %d, %s, %d", when, i+1, aws.ToInt32(p.PartNumber),
					aws.ToString(p.ETag), aws.ToInt64(p.Size), i+1, md5ETag(partBodies[i]), len(partBodies[i]))
			}
		}
	}

	checkState("before any restart", 2)
	s.Restart() // graceful: SIGTERM, exit 0, start again
	checkState("after a graceful restart", 2)
	uploadPart(3)
	s.Kill()
	s.Restart()
	checkState("after SIGKILL", 3)

	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("keep-a"), Key: aws.String("pending.bin"),
		UploadId: aws.String(uploadID), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload after restarts: %v", err)
	}
	want := bytes.Join(partBodies, nil)
	if aws.ToString(done.ETag) != multipartETag(want, 5<<20) {
		t.Errorf("Complete ETag %s, want %s", aws.ToString(done.ETag), multipartETag(want, 5<<20))
	}
	s.Kill()
	s.Restart()
	got, out, err := getBytes(ctx, c, "keep-a", "pending.bin")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("pending.bin after complete and SIGKILL: %d bytes, %v; want %d", len(got), err, len(want))
	}
	if aws.ToString(out.ContentType) != "application/x-pending" || out.Metadata["stage"] != "multipart" {
		t.Errorf("pending.bin: type %q metadata %v; want what CreateMultipartUpload set", aws.ToString(out.ContentType), out.Metadata)
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("keep-a")})
	if err != nil || len(ups.Uploads) != 0 {
		t.Errorf("ListMultipartUploads after complete: %+v, %v; want none", ups, err)
	}
}

// slowReader hands out its bytes in small steps with pauses, so an upload
// is still in flight when the test signals the server; read counts what
// the client has taken so far.
type slowReader struct {
	r     *bytes.Reader
	step  int
	pause time.Duration
	read  atomic.Int64
}

func (s *slowReader) Read(p []byte) (int, error) {
	time.Sleep(s.pause)
	n, err := s.r.Read(p[:min(len(p), s.step)])
	s.read.Add(int64(n))
	return n, err
}

// TestE2ES3SIGTERMDuringUploads stops the server gracefully while uploads
// stream in (aws-chunked, through the https front, as an SDK streams a body
// of unknown length): the server promises that in-flight requests finish,
// so it exits 0 and every upload is acknowledged and whole after a
// restart.
func TestE2ES3SIGTERMDuringUploads(t *testing.T) {
	s := startServer(t)
	front := startTLSFront(t, s)
	c := front.S3Client(t, s)
	c = s3.New(c.Options(), func(o *s3.Options) { o.Retryer = aws.NopRetryer{} })
	mustCreateBucket(t, c, "sigterm")
	const n = 4
	bodies := make([][]byte, n)
	readers := make([]*slowReader, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		bodies[i] = randomBytes(uint64(100+i), 2<<20)
		readers[i] = &slowReader{r: bytes.NewReader(bodies[i]), step: 32 << 10, pause: 10 * time.Millisecond}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// io.Reader only (not seekable): the SDK streams it in
			// aws-chunked frames with a CRC32 trailer.
			_, errs[i] = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sigterm"), Key: aws.String(fmt.Sprintf("obj-%d", i)),
				Body: struct{ io.Reader }{readers[i]}, ContentLength: aws.Int64(int64(len(bodies[i])))})
		}(i)
	}
	// Signal once every upload is well under way (its first 256 KiB taken)
	// and none is done (each takes about 0.6 s).
	eventually(t, 20*time.Second, func() bool {
		for _, r := range readers {
			if r.read.Load() < 256<<10 {
				return false
			}
		}
		return true
	}, "uploads did not start")
	if code := s.Stop(); code != 0 {
		t.Errorf("server exited with code %d on SIGTERM during uploads, want 0", code)
	}
	wg.Wait()
	s.Restart()
	rc := s.S3Client(t)
	for i := range n {
		key := fmt.Sprintf("obj-%d", i)
		if errs[i] != nil {
			t.Errorf("upload of %s, in flight when SIGTERM came, failed: %v (the server promises in-flight requests finish)", key, errs[i])
		}
		got, _, err := getBytes(ctxT(t), rc, "sigterm", key)
		switch {
		case err == nil && !bytes.Equal(got, bodies[i]):
			t.Errorf("%s after restart: %d bytes that are not its body", key, len(got))
		case errs[i] == nil && err != nil:
			t.Errorf("%s was acknowledged during the graceful stop; after restart: %v", key, err)
		case err != nil && s3ErrorCode(err) != "NoSuchKey":
			t.Errorf("GetObject %s: %v", key, err)
		}
	}
}
