package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// multipartETag is S3's ETag of an object assembled from parts.
func multipartETag(parts ...[]byte) string {
	var cat []byte
	for _, p := range parts {
		s := md5.Sum(p)
		cat = append(cat, s[:]...)
	}
	s := md5.Sum(cat)
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(s[:]), len(parts))
}

// TestSDKUploadManager uploads through the SDK's upload manager below its
// part size (one PutObject) and above it (a multipart upload with the
// SDK's default CRC32 per part), over http and https, and downloads with
// the download manager's concurrent ranged GETs.
func TestSDKUploadManager(t *testing.T) {
	for _, transport := range []string{"http", "https"} {
		t.Run(transport, func(t *testing.T) {
			var e *s3env
			if transport == "https" {
				e, _ = newTLSEnv(t)
			} else {
				e = newDefaultsEnv(t)
			}
			ctx := ctxT(t)
			e.mkBucket("upl")
			up := manager.NewUploader(e.client, func(u *manager.Uploader) { u.PartSize = manager.MinUploadPartSize; u.Concurrency = 3 })
			small := randomBytes(1<<20, 10)
			big := randomBytes(12<<20+123, 11)
			for _, c := range []struct {
				key  string
				body []byte
				etag string
			}{
				{"small", small, `"` + md5Hex(small) + `"`},
				{"big/file.bin", big, multipartETag(big[:5<<20], big[5<<20:10<<20], big[10<<20:])},
			} {
				out, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("upl"), Key: aws.String(c.key), Body: bytes.NewReader(c.body)})
				if err != nil {
					t.Fatalf("Upload %s: %v", c.key, err)
				}
				if aws.ToString(out.ETag) != c.etag {
					t.Errorf("%s: ETag %s, want %s", c.key, aws.ToString(out.ETag), c.etag)
				}
				down := manager.NewDownloader(e.client, func(d *manager.Downloader) { d.PartSize = 4 << 20; d.Concurrency = 3 })
				buf := manager.NewWriteAtBuffer(nil)
				n, err := down.Download(ctx, buf, &s3.GetObjectInput{Bucket: aws.String("upl"), Key: aws.String(c.key)})
				if err != nil {
					t.Fatalf("Download %s: %v", c.key, err)
				}
				if n != int64(len(c.body)) || !bytes.Equal(buf.Bytes(), c.body) {
					t.Errorf("%s: downloaded %d bytes, differ from the upload", c.key, n)
				}
			}
			// The multipart object reads back whole with its checksum
			// verified by the SDK when it has a full-object one.
			get, err := e.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("upl"), Key: aws.String("big/file.bin"),
				ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil || !bytes.Equal(got, big) {
				t.Errorf("GetObject of the multipart object: %d bytes, %v", len(got), err)
			}
		})
	}
}

// TestSDKMultipartLifecycle drives each multipart call by hand: create
// with a checksum algorithm, upload and copy parts, list, read by part
// number, complete, and the refusals on the way.
func TestSDKMultipartLifecycle(t *testing.T) {
	e := newDefaultsEnv(t)
	ctx := ctxT(t)
	c := e.client
	e.mkBucket("mpu")
	src := randomBytes(6<<20, 20)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mpu"), Key: aws.String("source"), Body: bytes.NewReader(src)}); err != nil {
		t.Fatal(err)
	}

	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("obj"),
		ContentType: aws.String("application/x-mp"), Metadata: map[string]string{"k": "v"},
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	id := create.UploadId
	if aws.ToString(create.Bucket) != "mpu" || aws.ToString(create.Key) != "obj" || aws.ToString(id) == "" ||
		create.ChecksumAlgorithm != types.ChecksumAlgorithmCrc32 {
		t.Errorf("CreateMultipartUpload answer %+v", create)
	}

	part1 := randomBytes(5<<20, 21)
	p1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: id,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(part1), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatalf("UploadPart 1: %v", err)
	}
	if aws.ToString(p1.ETag) != `"`+md5Hex(part1)+`"` || p1.ChecksumCRC32 == nil {
		t.Errorf("UploadPart answer ETag %s CRC32 %v", aws.ToString(p1.ETag), p1.ChecksumCRC32)
	}
	p2, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: id,
		PartNumber: aws.Int32(2), CopySource: aws.String("mpu/source"), CopySourceRange: aws.String("bytes=100-5242979")})
	if err != nil {
		t.Fatalf("UploadPartCopy: %v", err)
	}
	part2 := src[100:5242980]
	if aws.ToString(p2.CopyPartResult.ETag) != `"`+md5Hex(part2)+`"` {
		t.Errorf("UploadPartCopy ETag %s", aws.ToString(p2.CopyPartResult.ETag))
	}
	part3 := []byte("the short last part")
	p3, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: id,
		PartNumber: aws.Int32(3), Body: bytes.NewReader(part3), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatalf("UploadPart 3: %v", err)
	}

	// Refusals before completing.
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: id,
		PartNumber: aws.Int32(10001), Body: strings.NewReader("x")})
	if code, status := apiCode(t, err); code != "InvalidArgument" || status != 400 {
		t.Errorf("part 10001: %s %d", code, status)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("other-key"), UploadId: id,
		PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	if code, status := apiCode(t, err); code != "NoSuchUpload" || status != 404 {
		t.Errorf("upload id of another key: %s %d", code, status)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: id,
		PartNumber: aws.Int32(4), Body: strings.NewReader("x"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	if code, status := apiCode(t, err); code != "InvalidRequest" || status != 400 {
		t.Errorf("part with another checksum algorithm: %s %d", code, status)
	}
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: id,
		PartNumber: aws.Int32(4), CopySource: aws.String("mpu/source"), CopySourceRange: aws.String("bytes=0-99999999")})
	if code, status := apiCode(t, err); code != "InvalidArgument" || status != 400 {
		t.Errorf("copy range past the source: %s %d", code, status)
	}

	list, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: id, MaxParts: aws.Int32(2)})
	if err != nil {
		t.Fatalf("ListParts: %v", err)
	}
	if len(list.Parts) != 2 || !aws.ToBool(list.IsTruncated) || aws.ToString(list.NextPartNumberMarker) != "2" ||
		aws.ToInt64(list.Parts[0].Size) != 5<<20 || list.ChecksumAlgorithm != types.ChecksumAlgorithmCrc32 ||
		list.Owner == nil || list.Initiator == nil {
		t.Errorf("ListParts page 1: %+v", list)
	}
	list, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: id,
		PartNumberMarker: aws.String("2")})
	if err != nil || len(list.Parts) != 1 || aws.ToInt32(list.Parts[0].PartNumber) != 3 || aws.ToBool(list.IsTruncated) {
		t.Errorf("ListParts page 2: %+v %v", list, err)
	}

	complete := func(parts ...types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
		return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("obj"),
			UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}
	cp := func(n int32, etag *string, crc *string) types.CompletedPart {
		return types.CompletedPart{PartNumber: aws.Int32(n), ETag: etag, ChecksumCRC32: crc}
	}
	_, err = complete(cp(1, p1.ETag, p1.ChecksumCRC32), cp(2, aws.String(`"00000000000000000000000000000000"`), nil))
	if code, status := apiCode(t, err); code != "InvalidPart" || status != 400 {
		t.Errorf("wrong ETag: %s %d", code, status)
	}
	_, err = complete(cp(2, p2.CopyPartResult.ETag, p2.CopyPartResult.ChecksumCRC32), cp(1, p1.ETag, p1.ChecksumCRC32))
	if code, status := apiCode(t, err); code != "InvalidPartOrder" || status != 400 {
		t.Errorf("parts out of order: %s %d", code, status)
	}
	_, err = complete(cp(3, p3.ETag, p3.ChecksumCRC32), cp(4, p3.ETag, nil))
	if code, status := apiCode(t, err); code != "InvalidPart" && code != "EntityTooSmall" {
		t.Errorf("missing part 4: %s %d", code, status)
	}

	// ETags are accepted without their quotes.
	done, err := complete(cp(1, aws.String(strings.Trim(aws.ToString(p1.ETag), `"`)), p1.ChecksumCRC32),
		cp(2, p2.CopyPartResult.ETag, p2.CopyPartResult.ChecksumCRC32), cp(3, p3.ETag, p3.ChecksumCRC32))
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if want := multipartETag(part1, part2, part3); aws.ToString(done.ETag) != want {
		t.Errorf("ETag %s, want %s", aws.ToString(done.ETag), want)
	}
	if aws.ToString(done.Bucket) != "mpu" || aws.ToString(done.Key) != "obj" || !strings.HasSuffix(aws.ToString(done.Location), "/mpu/obj") {
		t.Errorf("CompleteMultipartUploadResult %+v", done)
	}
	if done.ChecksumCRC32 == nil || !strings.HasSuffix(aws.ToString(done.ChecksumCRC32), "-3") {
		t.Errorf("composite CRC32 %q", aws.ToString(done.ChecksumCRC32))
	}

	// A retried completion (the answer was lost) gets the same object;
	// the same upload id under another key does not.
	again, err := complete(cp(1, p1.ETag, p1.ChecksumCRC32),
		cp(2, p2.CopyPartResult.ETag, p2.CopyPartResult.ChecksumCRC32), cp(3, p3.ETag, p3.ChecksumCRC32))
	if err != nil || aws.ToString(again.ETag) != aws.ToString(done.ETag) {
		t.Errorf("retried completion: %v %v", again, err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("other"),
		UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{cp(1, p1.ETag, nil)}}})
	if code, status := apiCode(t, err); code != "NoSuchUpload" || status != 404 {
		t.Errorf("completed upload id under another key: %s %d", code, status)
	}

	whole := append(append(append([]byte{}, part1...), part2...), part3...)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("obj")})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(whole)) || aws.ToString(head.ContentType) != "application/x-mp" ||
		head.Metadata["k"] != "v" {
		t.Errorf("HeadObject %+v %v", head, err)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), PartNumber: aws.Int32(2)})
	if err != nil {
		t.Fatalf("GetObject partNumber=2: %v", err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if !bytes.Equal(got, part2) || aws.ToInt32(get.PartsCount) != 3 ||
		aws.ToString(get.ContentRange) != fmt.Sprintf("bytes %d-%d/%d", len(part1), len(part1)+len(part2)-1, len(whole)) {
		t.Errorf("part 2: %d bytes, parts count %d, Content-Range %q", len(got), aws.ToInt32(get.PartsCount), aws.ToString(get.ContentRange))
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), PartNumber: aws.Int32(4)})
	if code, status := apiCode(t, err); code != "InvalidPartNumber" || status != 416 {
		t.Errorf("part 4 of 3: %s %d", code, status)
	}
	get, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || !bytes.Equal(got, whole) {
		t.Errorf("whole object: %d bytes, %v", len(got), err)
	}

	// The upload is gone after completion; abort of an unknown upload.
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: id})
	if code, status := apiCode(t, err); code != "NoSuchUpload" || status != 404 {
		t.Errorf("ListParts after completion: %s %d", code, status)
	}
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: aws.String("nope")})
	if code, status := apiCode(t, err); code != "NoSuchUpload" || status != 404 {
		t.Errorf("abort unknown: %s %d", code, status)
	}
}

func TestSDKMultipartAbortAndTooSmall(t *testing.T) {
	e := newDefaultsEnv(t)
	ctx := ctxT(t)
	c := e.client
	e.mkBucket("mpu")
	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for n := int32(1); n <= 2; n++ {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: create.UploadId,
			PartNumber: aws.Int32(n), Body: strings.NewReader("tiny")})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"),
		UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if code, status := apiCode(t, err); code != "EntityTooSmall" || status != 400 {
		t.Errorf("4-byte first part: %s %d", code, status)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"),
		UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{}})
	if code, status := apiCode(t, err); code != "MalformedXML" || status != 400 {
		t.Errorf("no parts: %s %d", code, status)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"),
		UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts[1:]}, MpuObjectSize: aws.Int64(5)})
	if code, status := apiCode(t, err); code != "InvalidRequest" || status != 400 {
		t.Errorf("x-amz-mp-object-size 5 for 4 bytes: %s %d", code, status)
	}
	// A single small part is a whole object.
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"),
		UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts[1:]}, MpuObjectSize: aws.Int64(4)}); err != nil {
		t.Fatalf("one-part completion: %v", err)
	}

	create, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("aborted")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("aborted"), UploadId: create.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("other"), UploadId: create.UploadId})
	if code, status := apiCode(t, err); code != "NoSuchUpload" || status != 404 {
		t.Errorf("abort with another key: %s %d", code, status)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("aborted"), UploadId: create.UploadId}); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("aborted"), UploadId: create.UploadId,
		PartNumber: aws.Int32(2), Body: strings.NewReader("x")})
	if code, status := apiCode(t, err); code != "NoSuchUpload" || status != 404 {
		t.Errorf("part after abort: %s %d", code, status)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("aborted")}); err == nil {
		t.Errorf("an aborted upload left an object")
	}
}
