package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/caudal/caudal/lake"
)

// newTLSEnv is newS3Env served over TLS: the SDK for Go v2 sends its
// default CRC32 as an aws-chunked trailer (STREAMING-UNSIGNED-PAYLOAD-
// TRAILER) only over https, and as a header over http.
// trailers counts the requests that came with an x-amz-trailer.
func newTLSEnv(t *testing.T) (e *s3env, trailers *atomic.Int64) {
	t.Helper()
	dir := t.TempDir()
	lk, err := lake.Open(lake.Config{Dir: dir, NoSync: true})
	if err != nil {
		t.Fatalf("lake.Open: %v", err)
	}
	var log bytes.Buffer
	h := New(Config{Lake: lk, Log: &log,
		Secret: func(id string) (string, bool) { return testSecret, id == testAccessKey }})
	trailers = new(atomic.Int64)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Trailer") != "" {
			trailers.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	e = &s3env{t: t, lake: lk, handler: h, srv: srv, url: srv.URL, dir: dir}
	e.client = defaultsClient(srv.URL, srv.Client())
	t.Cleanup(func() {
		srv.Close()
		if err := lk.Close(); err != nil {
			t.Errorf("lake.Close: %v", err)
		}
		if strings.Contains(log.String(), "internal error") {
			t.Errorf("handler logged an internal error:\n%s", log.String())
		}
	})
	return e, trailers
}

// defaultsClient is an SDK client as config.LoadDefaultConfig makes one:
// request checksums and response validation "when supported" (s3.New
// leaves both unset, which sends no checksum at all).
func defaultsClient(url string, hc *http.Client) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(url),
		UsePathStyle:               true,
		HTTPClient:                 hc,
		Credentials:                credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
}

// newDefaultsEnv is newS3Env with a defaultsClient over http.
func newDefaultsEnv(t *testing.T) *s3env {
	e := newS3Env(t, Config{})
	e.client = defaultsClient(e.url, http.DefaultClient)
	return e
}

// randomBytes is n pseudo-random bytes (seeded: tests are repeatable).
func randomBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// TestSDKObjectRoundTrip writes an object with metadata through the SDK's
// default checksums (a CRC32 header over http, an aws-chunked trailer
// over https) and reads it back whole, ranged and by HEAD.
func TestSDKObjectRoundTrip(t *testing.T) {
	for _, transport := range []string{"http", "https"} {
		t.Run(transport, func(t *testing.T) {
			var e *s3env
			var trailers *atomic.Int64
			if transport == "https" {
				e, trailers = newTLSEnv(t)
				defer func() {
					if trailers.Load() == 0 {
						t.Errorf("no request over https used an aws-chunked trailer")
					}
				}()
			} else {
				e = newDefaultsEnv(t)
			}
			ctx := ctxT(t)
			c := e.client
			e.mkBucket("data")
			body := randomBytes(100_000, 1)
			key := "dir/ünï code/../key with spaces+plus"
			put, err := c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String("data"), Key: aws.String(key), Body: bytes.NewReader(body),
				ContentType:        aws.String("application/x-test"),
				ContentDisposition: aws.String(`attachment; filename="x.bin"`),
				CacheControl:       aws.String("max-age=60"),
				Metadata:           map[string]string{"Color": "blue", "n": "1"},
				Tagging:            aws.String("team=lake&env=test"),
				StorageClass:       types.StorageClassStandardIa,
				ACL:                types.ObjectCannedACLPrivate,
			})
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			if got, want := aws.ToString(put.ETag), `"`+md5Hex(body)+`"`; got != want {
				t.Errorf("ETag %s, want %s", got, want)
			}
			if put.ChecksumCRC32 == nil {
				t.Errorf("PutObject answered no CRC32 for the SDK's default checksum")
			}

			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(key),
				ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, err := io.ReadAll(get.Body) // the SDK verifies the CRC32 at EOF
			get.Body.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("GetObject body: %d bytes, err %v", len(got), err)
			}
			if aws.ToString(get.ChecksumCRC32) != aws.ToString(put.ChecksumCRC32) {
				t.Errorf("GetObject CRC32 %q, PutObject's %q", aws.ToString(get.ChecksumCRC32), aws.ToString(put.ChecksumCRC32))
			}
			if aws.ToString(get.ContentType) != "application/x-test" || aws.ToString(get.CacheControl) != "max-age=60" ||
				aws.ToString(get.ContentDisposition) != `attachment; filename="x.bin"` {
				t.Errorf("content headers: %q %q %q", aws.ToString(get.ContentType), aws.ToString(get.CacheControl), aws.ToString(get.ContentDisposition))
			}
			if get.Metadata["color"] != "blue" || get.Metadata["n"] != "1" {
				t.Errorf("metadata %v", get.Metadata)
			}
			if aws.ToInt32(get.TagCount) != 2 || get.StorageClass != types.StorageClassStandardIa {
				t.Errorf("tag count %d storage class %q", aws.ToInt32(get.TagCount), get.StorageClass)
			}
			if aws.ToString(get.AcceptRanges) != "bytes" {
				t.Errorf("Accept-Ranges %q", aws.ToString(get.AcceptRanges))
			}

			rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(key),
				Range: aws.String("bytes=1000-1999"), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatalf("ranged GetObject: %v", err)
			}
			part, _ := io.ReadAll(rng.Body)
			rng.Body.Close()
			if !bytes.Equal(part, body[1000:2000]) || aws.ToString(rng.ContentRange) != "bytes 1000-1999/100000" {
				t.Errorf("range: %d bytes, Content-Range %q", len(part), aws.ToString(rng.ContentRange))
			}
			if rng.ChecksumCRC32 != nil {
				t.Errorf("a 206 carries the whole object's checksum %q", aws.ToString(rng.ChecksumCRC32))
			}

			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if aws.ToInt64(head.ContentLength) != int64(len(body)) || aws.ToString(head.ETag) != aws.ToString(put.ETag) {
				t.Errorf("HeadObject length %d ETag %s", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag))
			}
			if head.LastModified == nil || time.Since(*head.LastModified) > time.Minute {
				t.Errorf("Last-Modified %v", head.LastModified)
			}

			// The operations whose bodies must carry a checksum (sent as a
			// trailer over https).
			if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String(key),
				Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}); err != nil {
				t.Errorf("PutObjectTagging: %v", err)
			}
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("other"), Body: strings.NewReader("x")}); err != nil {
				t.Fatal(err)
			}
			del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("data"),
				Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("other")}}}})
			if err != nil || len(del.Deleted) != 1 {
				t.Errorf("DeleteObjects: %+v %v", del, err)
			}

			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String(key)}); err != nil {
				t.Fatalf("DeleteObject: %v", err)
			}
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String(key)})
			if code, status := apiCode(t, err); status != 404 {
				t.Errorf("HeadObject after delete: %s %d", code, status)
			}
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(key)})
			if code, status := apiCode(t, err); code != "NoSuchKey" || status != 404 {
				t.Errorf("GetObject after delete: %s %d", code, status)
			}
			// Deleting again, and with versionId=null, is still a success.
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String(key),
				VersionId: aws.String("null")}); err != nil {
				t.Errorf("DeleteObject of a missing key: %v", err)
			}
		})
	}
}

// TestSDKChecksumAlgorithms stores an object under each flexible checksum
// the SDK offers and reads the checksum back.
func TestSDKChecksumAlgorithms(t *testing.T) {
	e := newDefaultsEnv(t)
	ctx := ctxT(t)
	e.mkBucket("sums")
	body := randomBytes(10_000, 2)
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
		types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256} {
		key := "k-" + string(alg)
		put, err := e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String(key),
			Body: bytes.NewReader(body), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatalf("PutObject %s: %v", alg, err)
		}
		get, err := e.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String(key),
			ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatalf("GetObject %s: %v", alg, err)
		}
		if _, err := io.Copy(io.Discard, get.Body); err != nil {
			t.Errorf("%s: reading (SDK validation): %v", alg, err)
		}
		get.Body.Close()
		sent := []*string{put.ChecksumCRC32, put.ChecksumCRC32C, put.ChecksumCRC64NVME, put.ChecksumSHA1, put.ChecksumSHA256}
		back := []*string{get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME, get.ChecksumSHA1, get.ChecksumSHA256}
		n := 0
		for i := range sent {
			if sent[i] != nil {
				n++
				if aws.ToString(back[i]) != aws.ToString(sent[i]) {
					t.Errorf("%s: GET checksum %q, PUT %q", alg, aws.ToString(back[i]), aws.ToString(sent[i]))
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: PutObject answered %d checksums", alg, n)
		}
	}
}

func TestSDKConditionalRequests(t *testing.T) {
	e := newDefaultsEnv(t)
	ctx := ctxT(t)
	c := e.client
	e.mkBucket("cond")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v1")})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(put.ETag)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	mod := *head.LastModified

	get := func(in *s3.GetObjectInput) error {
		in.Bucket, in.Key = aws.String("cond"), aws.String("k")
		out, err := c.GetObject(ctx, in)
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	if err := get(&s3.GetObjectInput{IfMatch: aws.String(etag)}); err != nil {
		t.Errorf("If-Match current: %v", err)
	}
	if code, status := apiCode(t, get(&s3.GetObjectInput{IfMatch: aws.String(`"nope"`)})); code != "PreconditionFailed" || status != 412 {
		t.Errorf("If-Match other: %s %d", code, status)
	}
	if _, status := apiCode(t, get(&s3.GetObjectInput{IfNoneMatch: aws.String(etag)})); status != 304 {
		t.Errorf("If-None-Match current: %d", status)
	}
	if _, status := apiCode(t, get(&s3.GetObjectInput{IfModifiedSince: aws.Time(mod)})); status != 304 {
		t.Errorf("If-Modified-Since Last-Modified: %d", status)
	}
	if err := get(&s3.GetObjectInput{IfModifiedSince: aws.Time(mod.Add(-time.Hour))}); err != nil {
		t.Errorf("If-Modified-Since an hour before: %v", err)
	}
	if code, status := apiCode(t, get(&s3.GetObjectInput{IfUnmodifiedSince: aws.Time(mod.Add(-time.Hour))})); code != "PreconditionFailed" || status != 412 {
		t.Errorf("If-Unmodified-Since an hour before: %s %d", code, status)
	}
	// S3's documented pair: If-Match true wins over If-Unmodified-Since false.
	if err := get(&s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(mod.Add(-time.Hour))}); err != nil {
		t.Errorf("If-Match true + If-Unmodified-Since false: %v", err)
	}

	// Conditional writes.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v2"),
		IfNoneMatch: aws.String("*")})
	if code, status := apiCode(t, err); code != "PreconditionFailed" || status != 412 {
		t.Errorf("PutObject If-None-Match * on an existing key: %s %d", code, status)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("new"), Body: strings.NewReader("v"),
		IfNoneMatch: aws.String("*")}); err != nil {
		t.Errorf("PutObject If-None-Match * on a new key: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v2"),
		IfMatch: aws.String(`"0123"`)})
	if code, status := apiCode(t, err); code != "PreconditionFailed" || status != 412 {
		t.Errorf("PutObject If-Match other: %s %d", code, status)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v2"),
		IfMatch: aws.String(etag)}); err != nil {
		t.Errorf("PutObject If-Match current: %v", err)
	}
}

func TestSDKCopyObject(t *testing.T) {
	e := newDefaultsEnv(t)
	ctx := ctxT(t)
	c := e.client
	e.mkBucket("src")
	e.mkBucket("dst")
	body := randomBytes(50_000, 3)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("a b/ü"),
		Body: bytes.NewReader(body), ContentType: aws.String("text/x-a"), Metadata: map[string]string{"m": "1"},
		Tagging: aws.String("t=1")})
	if err != nil {
		t.Fatal(err)
	}
	src := "src/a%20b/%C3%BC"

	// COPY (default): metadata and tags follow.
	out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String(src)})
	if err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	if aws.ToString(out.CopyObjectResult.ETag) != aws.ToString(put.ETag) || out.CopyObjectResult.LastModified == nil {
		t.Errorf("CopyObjectResult %+v", out.CopyObjectResult)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ContentType) != "text/x-a" || head.Metadata["m"] != "1" || aws.ToInt64(head.ContentLength) != int64(len(body)) {
		t.Errorf("COPY: %q %v %d", aws.ToString(head.ContentType), head.Metadata, aws.ToInt64(head.ContentLength))
	}
	tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key) != "t" {
		t.Errorf("COPY tags %+v %v", tags, err)
	}

	// REPLACE: the request's metadata; tags REPLACE with none clears them.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String(src),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/x-b"),
		Metadata: map[string]string{"z": "2"}, TaggingDirective: types.TaggingDirectiveReplace})
	if err != nil {
		t.Fatalf("CopyObject REPLACE: %v", err)
	}
	head, _ = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if aws.ToString(head.ContentType) != "text/x-b" || head.Metadata["z"] != "2" || head.Metadata["m"] != "" || head.TagCount != nil {
		t.Errorf("REPLACE: %q %v tags %v", aws.ToString(head.ContentType), head.Metadata, head.TagCount)
	}

	// Onto itself: refused without a change, allowed with REPLACE.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("a b/ü"), CopySource: aws.String(src)})
	if code, status := apiCode(t, err); code != "InvalidRequest" || status != 400 {
		t.Errorf("self copy: %s %d", code, status)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("a b/ü"), CopySource: aws.String(src),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"m": "2"}}); err != nil {
		t.Errorf("self copy with REPLACE: %v", err)
	}

	// Copy-source conditions.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String(src),
		CopySourceIfMatch: aws.String(`"nope"`)})
	if code, status := apiCode(t, err); code != "PreconditionFailed" || status != 412 {
		t.Errorf("x-amz-copy-source-if-match: %s %d", code, status)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String("src/missing")})
	if code, status := apiCode(t, err); code != "NoSuchKey" || status != 404 {
		t.Errorf("missing source: %s %d", code, status)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String("nobucket/k")})
	if code, status := apiCode(t, err); code != "NoSuchBucket" || status != 404 {
		t.Errorf("missing source bucket: %s %d", code, status)
	}
}

func TestSDKObjectTagging(t *testing.T) {
	e := newDefaultsEnv(t)
	ctx := ctxT(t)
	c := e.client
	e.mkBucket("tags")
	e.put("tags", "k", "v")
	in := &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: []types.Tag{
		{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1 + 1")}}}}
	if _, err := c.PutObjectTagging(ctx, in); err != nil {
		t.Fatalf("PutObjectTagging: %v", err)
	}
	out, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil || len(out.TagSet) != 2 || aws.ToString(out.TagSet[0].Key) != "a" || aws.ToString(out.TagSet[0].Value) != "1 + 1" {
		t.Fatalf("GetObjectTagging %+v %v", out, err)
	}
	var many []types.Tag
	for i := 0; i < 11; i++ {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: many}})
	if code, status := apiCode(t, err); code != "InvalidTag" || status != 400 {
		t.Errorf("11 tags: %s %d", code, status)
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")}); err != nil {
		t.Fatalf("DeleteObjectTagging: %v", err)
	}
	out, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil || len(out.TagSet) != 0 {
		t.Errorf("after delete: %+v %v", out, err)
	}
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing")})
	if code, status := apiCode(t, err); code != "NoSuchKey" || status != 404 {
		t.Errorf("tagging of a missing key: %s %d", code, status)
	}
}

func TestSDKDeleteObjects(t *testing.T) {
	e := newDefaultsEnv(t)
	ctx := ctxT(t)
	c := e.client
	e.mkBucket("del")
	var keys []string
	for i := 0; i < 40; i++ {
		keys = append(keys, fmt.Sprintf("k/%02d", i))
	}
	e.putAll("del", keys, "x")
	var ids []types.ObjectIdentifier
	for _, k := range keys[:30] {
		ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
	}
	ids = append(ids, types.ObjectIdentifier{Key: aws.String("never-there")},
		types.ObjectIdentifier{Key: aws.String(keys[30]), VersionId: aws.String("null")},
		types.ObjectIdentifier{Key: aws.String(keys[31]), VersionId: aws.String("3HL4kqtJlcpXroDTDmJ")})
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: ids}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	if len(out.Deleted) != 32 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != keys[31] ||
		aws.ToString(out.Errors[0].Code) != "InvalidArgument" {
		t.Errorf("deleted %d, errors %+v", len(out.Deleted), out.Errors)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("del")})
	if err != nil || aws.ToInt32(list.KeyCount) != 9 {
		t.Errorf("left: %d %v", aws.ToInt32(list.KeyCount), err)
	}
	quiet, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Quiet: aws.Bool(true),
		Objects: []types.ObjectIdentifier{{Key: aws.String(keys[35])}}}})
	if err != nil || len(quiet.Deleted) != 0 || len(quiet.Errors) != 0 {
		t.Errorf("quiet: %+v %v", quiet, err)
	}
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("nobucket"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("k")}}}})
	if code, status := apiCode(t, err); code != "NoSuchBucket" || status != 404 {
		t.Errorf("missing bucket: %s %d", code, status)
	}
}
