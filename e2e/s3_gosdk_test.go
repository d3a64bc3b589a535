package e2e

// The AWS SDK for Go v2 S3 client against a real caudal process: buckets,
// the upload manager with the SDK's default checksums (CRC32 in headers over
// http, in aws-chunked trailers over https), ranged and checksum-validated
// reads, multipart by hand (UploadPartCopy and the multipart errors),
// conditional reads, odd keys and virtual-host-style addressing.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestE2ES3GoSDK runs the Go SDK's surface against one server; subtests use
// their own buckets.
func TestE2ES3GoSDK(t *testing.T) {
	s := startServer(t)
	c := s.S3Client(t)
	front := startTLSFront(t, s)
	tc := front.S3Client(t, s)

	t.Run("Buckets", func(t *testing.T) { testS3Buckets(t, c) })
	t.Run("UploadManagerHTTP", func(t *testing.T) { testS3UploadManager(t, c, "um-http") })
	t.Run("UploadManagerTrailers", func(t *testing.T) { testS3UploadManager(t, tc, "um-trailer") })
	t.Run("PutChecksumsHTTP", func(t *testing.T) { testS3PutChecksums(t, c, "ck-http") })
	t.Run("PutChecksumsTrailers", func(t *testing.T) { testS3PutChecksums(t, tc, "ck-trailer") })
	t.Run("HTTPSUsedTrailers", func(t *testing.T) {
		// The point of the front: over https the SDK's PutObject and
		// UploadPart bodies were aws-chunked with a checksum trailer.
		modes := front.putModes()
		if !slices.Contains(modes, "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
			t.Errorf("PUTs through the https front used payload modes %v, want STREAMING-UNSIGNED-PAYLOAD-TRAILER among them", modes)
		}
	})
	t.Run("ChecksumMismatchKeepsOld", func(t *testing.T) { testS3ChecksumMismatch(t, c, tc) })
	t.Run("LargeBodyRefusals", func(t *testing.T) { testS3LargeBodyRefusals(t, s, c) })
	t.Run("MultipartByHand", func(t *testing.T) { testS3MultipartByHand(t, c) })
	t.Run("Conditional", func(t *testing.T) { testS3Conditional(t, c) })
	t.Run("OddKeys", func(t *testing.T) { testS3OddKeys(t, c) })
	t.Run("VirtualHost", func(t *testing.T) { testS3VirtualHost(t, s, c) })
}

func testS3Buckets(t *testing.T, c *s3.Client) {
	ctx := ctxT(t)
	mustCreateBucket(t, c, "gb-one")
	// us-east-1 answers 200 to CreateBucket of a bucket you already own
	// (S3 API reference, CreateBucket: BucketAlreadyOwnedByYou "in all
	// Regions except us-east-1").
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gb-one")}); err != nil {
		t.Errorf("CreateBucket again in us-east-1: %v, want success", err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("gb-one")}); err != nil {
		t.Errorf("HeadBucket: %v", err)
	}
	_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("gb-missing")})
	if st := httpStatus(err); st != 404 {
		t.Errorf("HeadBucket of a missing bucket: %v (status %d), want 404", err, st)
	}
	for _, bad := range []string{"Upper-Case", "ab", "bad_underscore", "-leading", "192.168.1.1", strings.Repeat("a", 64)} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bad)})
		if code := s3ErrorCode(err); code != "InvalidBucketName" || httpStatus(err) != 400 {
			t.Errorf("CreateBucket %q: %v (code %q, status %d), want 400 InvalidBucketName", bad, err, code, httpStatus(err))
		}
	}
	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	found := false
	for _, b := range out.Buckets {
		if aws.ToString(b.Name) == "gb-one" {
			found = true
			if b.CreationDate == nil || time.Since(*b.CreationDate) > time.Hour || time.Since(*b.CreationDate) < -time.Minute {
				t.Errorf("gb-one CreationDate = %v, want about now", b.CreationDate)
			}
		}
		if strings.HasPrefix(aws.ToString(b.Name), "Upper") {
			t.Errorf("invalid bucket %q was created", aws.ToString(b.Name))
		}
	}
	if !found {
		t.Errorf("ListBuckets lacks gb-one: %+v", out.Buckets)
	}
	if out.Owner == nil || aws.ToString(out.Owner.ID) == "" {
		t.Errorf("ListBuckets has no Owner ID")
	}
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("gb-one")})
	if err != nil {
		t.Errorf("GetBucketLocation: %v", err)
	} else if loc.LocationConstraint != "" {
		t.Errorf("GetBucketLocation of a us-east-1 bucket = %q, want empty (null)", loc.LocationConstraint)
	}

	mustPut(t, c, "gb-one", "x", []byte("x"))
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("gb-one")})
	if code := s3ErrorCode(err); code != "BucketNotEmpty" || httpStatus(err) != 409 {
		t.Errorf("DeleteBucket non-empty: %v, want 409 BucketNotEmpty", err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("gb-one"), Key: aws.String("x")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("gb-one")}); err != nil {
		t.Fatalf("DeleteBucket empty: %v", err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("gb-one")})
	if code := s3ErrorCode(err); code != "NoSuchBucket" || httpStatus(err) != 404 {
		t.Errorf("DeleteBucket twice: %v, want 404 NoSuchBucket", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("gb-one"), Key: aws.String("y"), Body: strings.NewReader("y")})
	if code := s3ErrorCode(err); code != "NoSuchBucket" || httpStatus(err) != 404 {
		t.Errorf("PutObject into a deleted bucket: %v, want 404 NoSuchBucket", err)
	}
	// A bucket created again under the same name starts empty.
	mustCreateBucket(t, c, "gb-one")
	if keys := listAllKeys(t, c, "gb-one", ""); len(keys) != 0 {
		t.Errorf("re-created bucket lists %v, want nothing", keys)
	}
	if _, _, err := getBytes(ctx, c, "gb-one", "x"); s3ErrorCode(err) != "NoSuchKey" {
		t.Errorf("GetObject of a key from the deleted bucket's life: %v, want NoSuchKey", err)
	}
}

// testS3UploadManager uploads 20 MiB in 5 MiB parts, three at a time, with
// the SDK's default checksums, and reads it back whole, in ranges and with
// checksum validation.
func testS3UploadManager(t *testing.T, c *s3.Client, bucket string) {
	ctx := ctxT(t)
	mustCreateBucket(t, c, bucket)
	const size, partSize = 20 << 20, 5 << 20
	src := randomBytes(20, size)
	up := manager.NewUploader(c, func(u *manager.Uploader) {
		u.PartSize = partSize
		u.Concurrency = 3
	})
	res, err := up.Upload(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("big/twenty.bin"), Body: bytes.NewReader(src),
		ContentType: aws.String("application/x-test"),
		Metadata:    map[string]string{"origin": "upload-manager"},
	})
	if err != nil {
		t.Fatalf("upload manager, 20 MiB in 5 MiB parts: %v", err)
	}
	if res.UploadID == "" || len(res.CompletedParts) != 4 {
		t.Errorf("upload went through %d parts (upload id %q), want a multipart upload of 4", len(res.CompletedParts), res.UploadID)
	}
	wantETag := multipartETag(src, partSize)
	if aws.ToString(res.ETag) != wantETag {
		t.Errorf("multipart ETag = %s, want %s", aws.ToString(res.ETag), wantETag)
	}
	for _, p := range res.CompletedParts {
		n := int(aws.ToInt32(p.PartNumber))
		part := src[(n-1)*partSize : n*partSize]
		if got, want := aws.ToString(p.ChecksumCRC32), crc32Base64(part); got != want {
			t.Errorf("UploadPart %d answered x-amz-checksum-crc32 %q, want %q (the part's CRC32, which CompleteMultipartUpload then sends back)", n, got, want)
		}
		if got, want := aws.ToString(p.ETag), md5ETag(part); got != want {
			t.Errorf("UploadPart %d ETag %s, want %s", n, got, want)
		}
	}
	if got := aws.ToString(res.ChecksumCRC32); got != "" && got != compositeCRC32(src, partSize) {
		t.Errorf("CompleteMultipartUpload x-amz-checksum-crc32 = %q, want the composite %q", got, compositeCRC32(src, partSize))
	}

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("big/twenty.bin")})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if aws.ToInt64(head.ContentLength) != size || aws.ToString(head.ETag) != wantETag ||
		aws.ToString(head.ContentType) != "application/x-test" || head.Metadata["origin"] != "upload-manager" {
		t.Errorf("HeadObject = length %d, ETag %s, type %q, metadata %v; want %d, %s, application/x-test, origin=upload-manager",
			aws.ToInt64(head.ContentLength), aws.ToString(head.ETag), aws.ToString(head.ContentType), head.Metadata, size, wantETag)
	}

	got, _, err := getBytes(ctx, c, bucket, "big/twenty.bin")
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	if sha256.Sum256(got) != sha256.Sum256(src) {
		t.Fatalf("GetObject returned %d bytes that differ from the 20 MiB uploaded", len(got))
	}

	// Ranged reads, including across a part boundary and both open forms.
	for _, r := range []struct {
		header     string
		start, end int // inclusive
	}{
		{"bytes=0-0", 0, 0},
		{"bytes=100-199", 100, 199},
		{fmt.Sprintf("bytes=%d-%d", partSize-10, partSize+9), partSize - 10, partSize + 9},
		{fmt.Sprintf("bytes=%d-%d", 3*partSize-1, 3*partSize+100), 3*partSize - 1, 3*partSize + 100},
		{"bytes=-100", size - 100, size - 1},
		{fmt.Sprintf("bytes=%d-", size-1000), size - 1000, size - 1},
		{fmt.Sprintf("bytes=%d-%d", size-5, size+1000), size - 5, size - 1}, // end past the object is clamped
	} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("big/twenty.bin"), Range: aws.String(r.header)})
		if err != nil {
			t.Errorf("GetObject Range %s: %v", r.header, err)
			continue
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			t.Errorf("GetObject Range %s: read: %v", r.header, err)
			continue
		}
		if !bytes.Equal(b, src[r.start:r.end+1]) {
			t.Errorf("GetObject Range %s: %d bytes that differ from source[%d:%d]", r.header, len(b), r.start, r.end+1)
		}
		wantCR := fmt.Sprintf("bytes %d-%d/%d", r.start, r.end, size)
		if aws.ToString(out.ContentRange) != wantCR || aws.ToInt64(out.ContentLength) != int64(r.end-r.start+1) {
			t.Errorf("GetObject Range %s: Content-Range %q, length %d; want %q, %d", r.header, aws.ToString(out.ContentRange), aws.ToInt64(out.ContentLength), wantCR, r.end-r.start+1)
		}
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("big/twenty.bin"), Range: aws.String(fmt.Sprintf("bytes=%d-", size))})
	if code := s3ErrorCode(err); code != "InvalidRange" || httpStatus(err) != 416 {
		t.Errorf("GetObject Range starting at the size: %v, want 416 InvalidRange", err)
	}

	// GetObject/HeadObject with partNumber address one part of a multipart
	// object (206, its range, x-amz-mp-parts-count), as newer download
	// managers read them.
	for _, n := range []int32{1, 3, 4} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("big/twenty.bin"), PartNumber: aws.Int32(n)})
		if err != nil {
			t.Errorf("GetObject partNumber %d: %v", n, err)
			continue
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		lo, hi := int(n-1)*partSize, int(n)*partSize
		if err != nil || !bytes.Equal(b, src[lo:hi]) {
			t.Errorf("GetObject partNumber %d: %d bytes (%v) that are not bytes %d-%d", n, len(b), err, lo, hi-1)
		}
		if want := fmt.Sprintf("bytes %d-%d/%d", lo, hi-1, size); aws.ToString(out.ContentRange) != want || aws.ToInt32(out.PartsCount) != 4 {
			t.Errorf("GetObject partNumber %d: Content-Range %q, parts count %d; want %q, 4", n, aws.ToString(out.ContentRange), aws.ToInt32(out.PartsCount), want)
		}
	}
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("big/twenty.bin"), PartNumber: aws.Int32(2)}); err != nil {
		t.Errorf("HeadObject partNumber 2: %v", err)
	} else if aws.ToInt64(h.ContentLength) != partSize || aws.ToInt32(h.PartsCount) != 4 {
		t.Errorf("HeadObject partNumber 2: length %d, parts count %d; want %d, 4", aws.ToInt64(h.ContentLength), aws.ToInt32(h.PartsCount), partSize)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("big/twenty.bin"), PartNumber: aws.Int32(5)})
	if s3ErrorCode(err) != "InvalidPartNumber" || httpStatus(err) != 416 {
		t.Errorf("GetObject partNumber 5 of 4: %v, want 416 InvalidPartNumber", err)
	}

	// ChecksumMode ENABLED on the multipart object: the SDK validates a
	// full-object checksum and skips a composite one ("…-4"); either way
	// the read must succeed and be right.
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("big/twenty.bin"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("GetObject ChecksumMode ENABLED: %v", err)
	}
	b, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || !bytes.Equal(b, src) {
		t.Errorf("GetObject ChecksumMode ENABLED: %d bytes, err %v; want the 20 MiB uploaded", len(b), err)
	}
	if got := aws.ToString(out.ChecksumCRC32); got != "" && got != compositeCRC32(src, partSize) && got != crc32Base64(src) {
		t.Errorf("GetObject of a multipart object: x-amz-checksum-crc32 %q, want composite %q or full-object %q", got, compositeCRC32(src, partSize), crc32Base64(src))
	}

	// Below the part size the manager sends one PutObject.
	small := randomBytes(21, 3<<20)
	res, err = up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("small.bin"), Body: bytes.NewReader(small)})
	if err != nil {
		t.Fatalf("upload manager, 3 MiB: %v", err)
	}
	if res.UploadID != "" || aws.ToString(res.ETag) != md5ETag(small) {
		t.Errorf("3 MiB upload: upload id %q, ETag %s; want a single PUT with ETag %s", res.UploadID, aws.ToString(res.ETag), md5ETag(small))
	}
	if got, _, err := getBytes(ctx, c, bucket, "small.bin"); err != nil || !bytes.Equal(got, small) {
		t.Errorf("GetObject small.bin: %d bytes, %v; want the 3 MiB uploaded", len(got), err)
	}
}

// compositeCRC32 is the checksum S3 gives a multipart upload created with
// ChecksumAlgorithm CRC32 (type COMPOSITE): the CRC32 of the concatenated
// binary part CRC32s, base64, "-" and the part count ("Checking object
// integrity", Amazon S3 User Guide: "checksum of checksums").
func compositeCRC32(b []byte, partSize int) string {
	var sums []byte
	n := 0
	for off := 0; off < len(b); off += partSize {
		sums = binary.BigEndian.AppendUint32(sums, crc32.ChecksumIEEE(b[off:min(off+partSize, len(b))]))
		n++
	}
	var v [4]byte
	binary.BigEndian.PutUint32(v[:], crc32.ChecksumIEEE(sums))
	return fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(v[:]), n)
}

// testS3PutChecksums puts objects with the SDK's default CRC32 and reads
// them with ChecksumMode ENABLED, whole and ranged.
func testS3PutChecksums(t *testing.T, c *s3.Client, bucket string) {
	ctx := ctxT(t)
	mustCreateBucket(t, c, bucket)
	for _, n := range []int{0, 1, 1000, 64<<10 + 7, 2<<20 + 3} {
		src := randomBytes(uint64(n), n)
		key := fmt.Sprintf("obj-%d", n)
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(src)})
		if err != nil {
			t.Errorf("PutObject %d bytes with default checksums: %v", n, err)
			continue
		}
		if got := aws.ToString(put.ETag); got != md5ETag(src) {
			t.Errorf("PutObject %d bytes: ETag %s, want %s", n, got, md5ETag(src))
		}
		if got := aws.ToString(put.ChecksumCRC32); got != crc32Base64(src) {
			t.Errorf("PutObject %d bytes: answered x-amz-checksum-crc32 %q, want %q", n, got, crc32Base64(src))
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Errorf("GetObject %s ChecksumMode ENABLED: %v", key, err)
			continue
		}
		b, err := io.ReadAll(out.Body) // the SDK fails the read on a mismatch
		out.Body.Close()
		if err != nil || !bytes.Equal(b, src) {
			t.Errorf("GetObject %s ChecksumMode ENABLED: %d bytes, %v; want the %d put", key, len(b), err, n)
		}
		if got := aws.ToString(out.ChecksumCRC32); got != crc32Base64(src) {
			t.Errorf("GetObject %s ChecksumMode ENABLED: x-amz-checksum-crc32 %q, want the stored %q", key, got, crc32Base64(src))
		}
		if n < 200 {
			continue
		}
		// A ranged read must not carry the whole object's checksum: the SDK
		// would validate it against the part it got and fail.
		out, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Range: aws.String("bytes=10-109"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Errorf("GetObject %s Range with ChecksumMode ENABLED: %v", key, err)
			continue
		}
		b, err = io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(b, src[10:110]) {
			t.Errorf("GetObject %s Range bytes=10-109 with ChecksumMode ENABLED: %d bytes, %v (a whole-object checksum on a 206 fails the SDK's validation)", key, len(b), err)
		}
	}
	// Other algorithms the SDK offers, computed by the SDK.
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256} {
		src := randomBytes(7, 100<<10)
		key := "alg-" + string(alg)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(src), ChecksumAlgorithm: alg}); err != nil {
			t.Errorf("PutObject with ChecksumAlgorithm %s: %v", alg, err)
			continue
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Errorf("GetObject %s ChecksumMode ENABLED: %v", key, err)
			continue
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(b, src) {
			t.Errorf("GetObject %s: %d bytes, %v", key, len(b), err)
		}
		if aws.ToString(out.ChecksumCRC32C)+aws.ToString(out.ChecksumSHA1)+aws.ToString(out.ChecksumSHA256) == "" {
			t.Errorf("GetObject %s ChecksumMode ENABLED: no %s checksum returned", key, alg)
		}
	}
}

// testS3ChecksumMismatch: a body that does not match its Content-MD5 or
// x-amz-checksum-* is refused with 400 BadDigest ("The Content-MD5 or
// checksum value that you specified did not match what the server
// received", S3 error code list) and the old object stays.
func testS3ChecksumMismatch(t *testing.T, c, tc *s3.Client) {
	ctx := ctxT(t)
	const bucket = "ck-mismatch"
	mustCreateBucket(t, c, bucket)
	old := []byte("the old object stays")
	mustPut(t, c, bucket, "k", old)
	other := []byte("some other bytes")
	attempts := []struct {
		name string
		c    *s3.Client
		in   *s3.PutObjectInput
	}{
		{"wrong x-amz-checksum-crc32 header", c, &s3.PutObjectInput{ChecksumCRC32: aws.String(crc32Base64(old))}},
		{"wrong x-amz-checksum-sha256 header", c, &s3.PutObjectInput{ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(make([]byte, 32)))}},
		{"wrong Content-MD5", c, &s3.PutObjectInput{ContentMD5: aws.String(base64.StdEncoding.EncodeToString(make([]byte, 16)))}},
		{"wrong x-amz-checksum-crc32 over https", tc, &s3.PutObjectInput{ChecksumCRC32: aws.String(crc32Base64(old))}},
	}
	for _, a := range attempts {
		a.in.Bucket, a.in.Key, a.in.Body = aws.String(bucket), aws.String("k"), bytes.NewReader(other)
		_, err := a.c.PutObject(ctx, a.in)
		if code := s3ErrorCode(err); code != "BadDigest" && code != "InvalidDigest" || httpStatus(err) != 400 {
			t.Errorf("PutObject with %s: %v (code %q), want 400 BadDigest", a.name, err, code)
		}
		if got, _, err := getBytes(ctx, c, bucket, "k"); err != nil || !bytes.Equal(got, old) {
			t.Errorf("after PutObject with %s: object is %q (%v), want the old %q", a.name, got, err, old)
		}
	}
	// A malformed Content-MD5 is InvalidDigest.
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: bytes.NewReader(other), ContentMD5: aws.String("not base64!")})
	if code := s3ErrorCode(err); code != "InvalidDigest" || httpStatus(err) != 400 {
		t.Errorf("PutObject with a malformed Content-MD5: %v (code %q), want 400 InvalidDigest", err, code)
	}
}

// testS3MultipartByHand drives the multipart API directly: UploadPartCopy,
// ListParts, ListMultipartUploads, Abort, and the errors of Complete.
func testS3MultipartByHand(t *testing.T, c *s3.Client) {
	ctx := ctxT(t)
	const bucket = "mp-hand"
	mustCreateBucket(t, c, bucket)
	srcObj := randomBytes(30, 6<<20)
	mustPut(t, c, bucket, "source", srcObj)

	create := func(key string) string {
		t.Helper()
		out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("CreateMultipartUpload %s: %v", key, err)
		}
		if aws.ToString(out.UploadId) == "" || aws.ToString(out.Key) != key || aws.ToString(out.Bucket) != bucket {
			t.Errorf("CreateMultipartUpload answered %+v", out)
		}
		return aws.ToString(out.UploadId)
	}
	part := func(key, id string, n int32, b []byte) types.CompletedPart {
		t.Helper()
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id), PartNumber: aws.Int32(n), Body: bytes.NewReader(b)})
		if err != nil {
			t.Fatalf("UploadPart %s #%d: %v", key, n, err)
		}
		if aws.ToString(out.ETag) != md5ETag(b) {
			t.Errorf("UploadPart #%d ETag %s, want %s", n, aws.ToString(out.ETag), md5ETag(b))
		}
		return types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag}
	}
	complete := func(key, id string, parts ...types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
		return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}

	// Part 1 copied from a range of "source", part 2 uploaded.
	id := create("copied")
	cp, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("copied"), UploadId: aws.String(id), PartNumber: aws.Int32(1),
		CopySource: aws.String(bucket + "/source"), CopySourceRange: aws.String(fmt.Sprintf("bytes=0-%d", 5<<20-1))})
	if err != nil {
		t.Fatalf("UploadPartCopy: %v", err)
	}
	p1 := types.CompletedPart{PartNumber: aws.Int32(1), ETag: cp.CopyPartResult.ETag}
	if aws.ToString(p1.ETag) != md5ETag(srcObj[:5<<20]) {
		t.Errorf("UploadPartCopy ETag %s, want %s", aws.ToString(p1.ETag), md5ETag(srcObj[:5<<20]))
	}
	tail := []byte("and a short last part")
	p2 := part("copied", id, 2, tail)
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("copied"), UploadId: aws.String(id)})
	if err != nil {
		t.Fatalf("ListParts: %v", err)
	}
	if len(parts.Parts) != 2 || aws.ToInt64(parts.Parts[0].Size) != 5<<20 || aws.ToInt64(parts.Parts[1].Size) != int64(len(tail)) {
		t.Errorf("ListParts = %+v, want parts 1 (5 MiB) and 2 (%d bytes)", parts.Parts, len(tail))
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	if len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].UploadId) != id || aws.ToString(ups.Uploads[0].Key) != "copied" {
		t.Errorf("ListMultipartUploads = %+v, want the one upload %s of copied", ups.Uploads, id)
	}
	// ListParts one part a page; ListMultipartUploads by prefix and
	// delimiter, with a second upload in a "directory".
	var paged []int32
	lpp := s3.NewListPartsPaginator(c, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("copied"), UploadId: aws.String(id), MaxParts: aws.Int32(1)})
	for lpp.HasMorePages() {
		page, err := lpp.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListParts MaxParts 1: %v", err)
		}
		for _, p := range page.Parts {
			paged = append(paged, aws.ToInt32(p.PartNumber))
		}
	}
	if fmt.Sprint(paged) != "[1 2]" {
		t.Errorf("ListParts one a page gave parts %v, want [1 2]", paged)
	}
	dirID := create("dir/pending")
	ups, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatalf("ListMultipartUploads with a delimiter: %v", err)
	}
	if len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].Key) != "copied" || len(ups.CommonPrefixes) != 1 || aws.ToString(ups.CommonPrefixes[0].Prefix) != "dir/" {
		t.Errorf("ListMultipartUploads delimiter /: uploads %+v prefixes %+v, want copied and dir/", ups.Uploads, ups.CommonPrefixes)
	}
	ups, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String("dir/")})
	if err != nil || len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].UploadId) != dirID {
		t.Errorf("ListMultipartUploads prefix dir/: %+v, %v; want the one upload %s", ups, err, dirID)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("dir/pending"), UploadId: aws.String(dirID)}); err != nil {
		t.Errorf("AbortMultipartUpload: %v", err)
	}
	done, err := complete("copied", id, p1, p2)
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	want := append(append([]byte{}, srcObj[:5<<20]...), tail...)
	if aws.ToString(done.ETag) != multipartETag(want, 5<<20) {
		t.Errorf("Complete ETag %s, want %s", aws.ToString(done.ETag), multipartETag(want, 5<<20))
	}
	if got, _, err := getBytes(ctx, c, bucket, "copied"); err != nil || !bytes.Equal(got, want) {
		t.Errorf("completed object: %d bytes, %v; want %d bytes of copied range + tail", len(got), err, len(want))
	}
	if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("copied"), UploadId: aws.String(id)}); s3ErrorCode(err) != "NoSuchUpload" {
		t.Errorf("ListParts of a completed upload: %v, want NoSuchUpload", err)
	}

	// EntityTooSmall: a part other than the last below 5 MiB.
	id = create("small-parts")
	a, b := part("small-parts", id, 1, []byte("tiny")), part("small-parts", id, 2, []byte("tiny too"))
	if _, err := complete("small-parts", id, a, b); s3ErrorCode(err) != "EntityTooSmall" || httpStatus(err) != 400 {
		t.Errorf("Complete with a 4-byte first part: %v, want 400 EntityTooSmall", err)
	}
	// InvalidPart: an ETag that is not the part's.
	if _, err := complete("small-parts", id, types.CompletedPart{PartNumber: aws.Int32(1), ETag: aws.String(md5ETag([]byte("other")))}); s3ErrorCode(err) != "InvalidPart" || httpStatus(err) != 400 {
		t.Errorf("Complete with a wrong ETag: %v, want 400 InvalidPart", err)
	}
	if _, err := complete("small-parts", id, types.CompletedPart{PartNumber: aws.Int32(7), ETag: a.ETag}); s3ErrorCode(err) != "InvalidPart" {
		t.Errorf("Complete with a part never uploaded: %v, want InvalidPart", err)
	}
	// InvalidPartOrder: parts not ascending.
	if _, err := complete("small-parts", id, b, a); s3ErrorCode(err) != "InvalidPartOrder" || httpStatus(err) != 400 {
		t.Errorf("Complete with parts 2, 1: %v, want 400 InvalidPartOrder", err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("small-parts")}); httpStatus(err) != 404 {
		t.Errorf("a failed Complete left an object: HeadObject %v, want 404", err)
	}
	// A single small part is fine: the last part has no minimum.
	if _, err := complete("small-parts", id, a); err != nil {
		t.Errorf("Complete with only the 4-byte part 1: %v", err)
	} else if got, _, _ := getBytes(ctx, c, bucket, "small-parts"); string(got) != "tiny" {
		t.Errorf("small-parts = %q, want tiny", got)
	}

	// Abort.
	id = create("aborted")
	part("aborted", id, 1, []byte("x"))
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("aborted"), UploadId: aws.String(id)}); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("aborted"), UploadId: aws.String(id), PartNumber: aws.Int32(2), Body: strings.NewReader("y")})
	if s3ErrorCode(err) != "NoSuchUpload" || httpStatus(err) != 404 {
		t.Errorf("UploadPart after abort: %v, want 404 NoSuchUpload", err)
	}
	ups, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil || len(ups.Uploads) != 0 {
		t.Errorf("ListMultipartUploads after complete and abort: %+v, %v; want none", ups, err)
	}
}

func testS3Conditional(t *testing.T, c *s3.Client) {
	ctx := ctxT(t)
	const bucket = "cond"
	mustCreateBucket(t, c, bucket)
	src := []byte("conditional body")
	mustPut(t, c, bucket, "k", src)
	etag := md5ETag(src)
	get := func(in *s3.GetObjectInput) error {
		in.Bucket, in.Key = aws.String(bucket), aws.String("k")
		out, err := c.GetObject(ctx, in)
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	// A date in the future is invalid for If-Modified-Since in some
	// readings of HTTP (RFC 2616 §14.25); the object's own Last-Modified
	// is unambiguous: not modified since then.
	lastModified := aws.ToTime(head.LastModified)
	past, future := lastModified.Add(-time.Hour), time.Now().Add(time.Hour)
	for _, tc := range []struct {
		name   string
		in     *s3.GetObjectInput
		status int // 0 = 200
	}{
		{"If-Match right", &s3.GetObjectInput{IfMatch: aws.String(etag)}, 0},
		{"If-Match *", &s3.GetObjectInput{IfMatch: aws.String("*")}, 0},
		{"If-Match wrong", &s3.GetObjectInput{IfMatch: aws.String(`"0123"`)}, 412},
		{"If-None-Match right", &s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, 304},
		{"If-None-Match wrong", &s3.GetObjectInput{IfNoneMatch: aws.String(`"0123"`)}, 0},
		{"If-Modified-Since past", &s3.GetObjectInput{IfModifiedSince: &past}, 0},
		{"If-Modified-Since Last-Modified", &s3.GetObjectInput{IfModifiedSince: &lastModified}, 304},
		{"If-Unmodified-Since Last-Modified", &s3.GetObjectInput{IfUnmodifiedSince: &lastModified}, 0},
		{"If-Unmodified-Since past", &s3.GetObjectInput{IfUnmodifiedSince: &past}, 412},
		{"If-Unmodified-Since future", &s3.GetObjectInput{IfUnmodifiedSince: &future}, 0},
		// RFC 7232 §6 as S3 documents it: If-Match true wins over
		// If-Unmodified-Since false; If-None-Match false wins over
		// If-Modified-Since true.
		{"If-Match right + If-Unmodified-Since past", &s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: &past}, 0},
		{"If-None-Match right + If-Modified-Since past", &s3.GetObjectInput{IfNoneMatch: aws.String(etag), IfModifiedSince: &past}, 304},
	} {
		err := get(tc.in)
		switch {
		case tc.status == 0 && err != nil:
			t.Errorf("GetObject %s: %v, want 200", tc.name, err)
		case tc.status != 0 && httpStatus(err) != tc.status:
			t.Errorf("GetObject %s: %v (status %d), want %d", tc.name, err, httpStatus(err), tc.status)
		case tc.status == 412 && s3ErrorCode(err) != "PreconditionFailed":
			t.Errorf("GetObject %s: code %q, want PreconditionFailed", tc.name, s3ErrorCode(err))
		}
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), IfNoneMatch: aws.String(etag)})
	if httpStatus(err) != 304 {
		t.Errorf("HeadObject If-None-Match right: %v, want 304", err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), IfMatch: aws.String(`"0123"`)})
	if httpStatus(err) != 412 {
		t.Errorf("HeadObject If-Match wrong: %v, want 412", err)
	}
}

// testS3OddKeys stores keys that stress path handling: they must round-trip
// exactly, list exactly, and never collide.
func testS3OddKeys(t *testing.T, c *s3.Client) {
	ctx := ctxT(t)
	const bucket = "odd-keys"
	mustCreateBucket(t, c, bucket)
	keys := []string{
		"plain", "with space", "a+b", "percent%20literal", "q?mark", "hash#tag", "amp&eq=",
		"ünïcödé/日本語/🙂", "../escape", "a/../../b", "./dot", "a//double", "/leading", "trailing/",
		"dir", "dir/", "dir/file", ".", "..", "~tilde", "semi;colon", "back\\slash", "tab\tkey",
		strings.Repeat("k", 1024), strings.Repeat("seg/", 255) + "end",
	}
	for i, k := range keys {
		mustPut(t, c, bucket, k, []byte(fmt.Sprintf("%d:%s", i, k)))
	}
	for i, k := range keys {
		got, _, err := getBytes(ctx, c, bucket, k)
		if want := fmt.Sprintf("%d:%s", i, k); err != nil || string(got) != want {
			t.Errorf("GetObject %q: %q, %v; want %q", k, truncate(got, 60), err, truncate([]byte(want), 60))
		}
	}
	listed := listAllKeys(t, c, bucket, "")
	if len(listed) != len(keys) {
		t.Errorf("ListObjectsV2 found %d keys, want %d", len(listed), len(keys))
	}
	for i, k := range keys {
		if n, ok := listed[k]; !ok || n != int64(len(fmt.Sprintf("%d:%s", i, k))) {
			t.Errorf("ListObjectsV2 lacks %q or has the wrong size (%d, %v)", truncate([]byte(k), 60), n, ok)
		}
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
	if code := s3ErrorCode(err); code != "KeyTooLongError" || httpStatus(err) != 400 {
		t.Errorf("PutObject with a 1,025-byte key: %v, want 400 KeyTooLongError", err)
	}
	// 1,024 bytes of two-byte characters is the longest key.
	long := strings.Repeat("é", 512)
	mustPut(t, c, bucket, long, []byte("long"))
	if got, _, err := getBytes(ctx, c, bucket, long); err != nil || string(got) != "long" {
		t.Errorf("GetObject of a 1,024-byte UTF-8 key: %q, %v", got, err)
	}
	// User metadata is limited to 2 KB (S3 User Guide, "Working with object
	// metadata"): MetadataTooLarge.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("meta"), Body: strings.NewReader("x"),
		Metadata: map[string]string{"big": strings.Repeat("m", 2100)}})
	if code := s3ErrorCode(err); code != "MetadataTooLarge" || httpStatus(err) != 400 {
		t.Errorf("PutObject with 2,100 bytes of user metadata: %v, want 400 MetadataTooLarge", err)
	}
}

// testS3VirtualHost addresses the bucket as "<bucket>.localhost:<port>".
func testS3VirtualHost(t *testing.T, s *Server, path *s3.Client) {
	ctx := ctxT(t)
	c := vhostClient(t, s)
	const bucket = "vhost-bucket"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("virtual-host CreateBucket: %v", err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Errorf("virtual-host HeadBucket: %v", err)
	}
	src := randomBytes(40, 70<<10)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/obj"), Body: bytes.NewReader(src)}); err != nil {
		t.Fatalf("virtual-host PutObject: %v", err)
	}
	// Written virtual-host style, read path style, and the other way.
	if got, _, err := getBytes(ctx, path, bucket, "dir/obj"); err != nil || !bytes.Equal(got, src) {
		t.Errorf("path-style GetObject of a virtual-host PutObject: %d bytes, %v", len(got), err)
	}
	mustPut(t, path, bucket, "dir/second", []byte("second"))
	if got, _, err := getBytes(ctx, c, bucket, "dir/second"); err != nil || string(got) != "second" {
		t.Errorf("virtual-host GetObject: %q, %v", got, err)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("dir/")})
	if err != nil || len(out.Contents) != 2 {
		t.Errorf("virtual-host ListObjectsV2: %v, %d keys; want 2", err, len(out.Contents))
	}
	// A bucket name with dots: "<a.b.c>.localhost" (fine over http).
	const dotted = "dotted.bucket.name"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(dotted)}); err != nil {
		t.Errorf("virtual-host CreateBucket %s: %v", dotted, err)
	} else {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(dotted), Key: aws.String("k"), Body: strings.NewReader("dots")}); err != nil {
			t.Errorf("virtual-host PutObject into %s: %v", dotted, err)
		}
		if got, _, err := getBytes(ctx, path, dotted, "k"); err != nil || string(got) != "dots" {
			t.Errorf("path-style read of %s/k: %q, %v", dotted, got, err)
		}
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vhost-missing"), Key: aws.String("k")}); s3ErrorCode(err) != "NoSuchBucket" {
		t.Errorf("virtual-host GetObject in a missing bucket: %v, want NoSuchBucket", err)
	}
	for _, k := range []string{"dir/obj", "dir/second"} {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
			t.Errorf("virtual-host DeleteObject %s: %v", k, err)
		}
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Errorf("virtual-host DeleteBucket: %v", err)
	}
	if _, err := path.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); httpStatus(err) != 404 {
		t.Errorf("HeadBucket after a virtual-host DeleteBucket: %v, want 404", err)
	}
}

// testS3LargeBodyRefusals: a PUT refused before its body is read (missing
// bucket, bad signature, unknown key) must reach the client as the S3
// error, and the client goes on working. The Go SDK sends "Expect:
// 100-continue" above 2 MiB but does not wait for the 100: smithy-go builds
// its http.Request with ProtoMajor 0, so net/http's transport
// (ProtoAtLeast(1, 1) false) writes the body at once. A server that answers
// and closes with the body unread resets the connection under the client's
// write, and the SDK reports "connection reset by peer" instead of the
// error; it must drain (or read) what the client is sending. Each refusal
// is tried three times without retries, so a race shows. (Over plain http
// only: the test's https front would put Go's reverse proxy, which does
// wait for the 100, between the SDK and the server.)
func testS3LargeBodyRefusals(t *testing.T, s *Server, c *s3.Client) {
	ctx := ctxT(t)
	const bucket = "refusals"
	mustCreateBucket(t, c, bucket)
	big := randomBytes(90, 8<<20)
	{
		// Fresh clients, not s3.New(c.Options()): the copied options keep
		// the signer, which caches derived keys by access key id alone and
		// would sign with the right secret.
		with := func(id, secret string) *s3.Client {
			return s.S3Client(t, func(o *s3.Options) {
				o.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
				o.Retryer = aws.NopRetryer{}
			})
		}
		for _, tc := range []struct {
			what   string
			c      *s3.Client
			bucket string
			code   string
			status int
		}{
			{"into a missing bucket", with(s.AccessKeyID, s.SecretAccessKey), "refusals-missing", "NoSuchBucket", 404},
			{"with a wrong secret", with(s.AccessKeyID, "not-the-secret"), bucket, "SignatureDoesNotMatch", 403},
			{"with an unknown access key", with("AKIAUNKNOWNKEY000000", "whatever"), bucket, "InvalidAccessKeyId", 403},
		} {
			for try := 1; try <= 3; try++ {
				_, err := tc.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(tc.bucket), Key: aws.String("big"), Body: bytes.NewReader(big)})
				if s3ErrorCode(err) != tc.code || httpStatus(err) != tc.status {
					t.Errorf("8 MiB PutObject %s (try %d, no retries): %v, want %d %s", tc.what, try, err, tc.status, tc.code)
					break
				}
			}
		}
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("after"), Body: bytes.NewReader(big[:1000])}); err != nil {
			t.Errorf("PutObject after the refusals: %v", err)
		}
	}
	if n := listAllKeys(t, c, bucket, ""); len(n) != 1 {
		t.Errorf("after refused PUTs the bucket lists %v, want only after", n)
	}
}
