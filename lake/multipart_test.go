package lake

import (
	"bytes"
	"context"
	"errors"
	"hash/crc64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Expected values below were computed independently with Python's
// hashlib, zlib and base64 for part 1 = 5 MiB of 'a', part 2 = "hello".
var (
	part1 = bytes.Repeat([]byte("a"), 5<<20)
	part2 = []byte("hello")
)

const (
	wantMultipartETag    = "7cbb08aa3c3309d6882c18fcecc4bee7-2"
	wantCompositeCRC32   = "QaduHg==-2"
	wantFullObjectCRC32  = "dsLl6w=="
	wantCompositeSHA256  = "SgR6J2QpUvtxUG056/fVnydfChjAOF9iE6spWAp//X8=-2"
	crc64NVMECheckString = "123456789"
	crc64NVMECheckValue  = 0xae8b14860a799888 // CRC-64/NVME check value (reveng catalogue)
)

func TestCRC64NVMECheckValue(t *testing.T) {
	if got := crc64.Checksum([]byte(crc64NVMECheckString), crc64NVMETable); got != crc64NVMECheckValue {
		t.Fatalf("CRC64NVME(%q) = %#x, want %#x", crc64NVMECheckString, got, uint64(crc64NVMECheckValue))
	}
}

func uploadParts(t *testing.T, l *Lake, id string, bodies ...[]byte) []CompletePart {
	t.Helper()
	var list []CompletePart
	for i, b := range bodies {
		p, err := l.PutPart(context.Background(), id, i+1, bytes.NewReader(b), PutOptions{})
		if err != nil {
			t.Fatalf("PutPart %d: %v", i+1, err)
		}
		if p.ETag != md5hex(b) || p.Size != int64(len(b)) || p.Number != i+1 {
			t.Fatalf("PutPart %d = %+v", i+1, p)
		}
		list = append(list, CompletePart{Number: i + 1, ETag: `"` + p.ETag + `"`})
	}
	return list
}

func TestMultipartComplete(t *testing.T) {
	for _, tc := range []struct {
		alg, typ, want string
	}{
		{"", "", ""},
		{CRC32, "", wantCompositeCRC32},
		{CRC32, ChecksumFullObject, wantFullObjectCRC32},
		{SHA256, ChecksumComposite, wantCompositeSHA256},
	} {
		t.Run(tc.alg+tc.typ, func(t *testing.T) {
			l, dir := newTestLake(t)
			mustBucket(t, l, "mpu")
			meta := Metadata{ContentType: "application/x-test", User: map[string]string{"m": "1"}}
			up, err := l.CreateUpload("mpu", "big/object", meta, tc.alg, tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			if g, err := l.GetUpload(up.ID); err != nil || g.Key != "big/object" || g.Bucket != "mpu" || g.Meta.ContentType != "application/x-test" {
				t.Fatalf("GetUpload = %+v, %v", g, err)
			}
			list := uploadParts(t, l, up.ID, []byte("first try"), part2)
			// Replace part 1.
			list[0] = uploadParts(t, l, up.ID, part1)[0]
			info, err := l.CompleteUpload(context.Background(), up.ID, list)
			if err != nil {
				t.Fatal(err)
			}
			if info.ETag != wantMultipartETag || info.Size != int64(len(part1)+len(part2)) || info.PartsCount != 2 ||
				len(info.PartSizes) != 2 || info.PartSizes[0] != int64(len(part1)) || info.PartSizes[1] != 5 ||
				info.Meta.ContentType != "application/x-test" {
				t.Fatalf("CompleteUpload = %+v", info)
			}
			if tc.alg != "" {
				wantType := ChecksumComposite
				if tc.typ == ChecksumFullObject {
					wantType = ChecksumFullObject
				}
				if info.Checksums[tc.alg] != tc.want || info.ChecksumType != wantType {
					t.Fatalf("checksums %v %s, want %s %s", info.Checksums, info.ChecksumType, tc.want, wantType)
				}
			} else if len(info.Checksums) != 0 {
				t.Fatalf("unexpected checksums %v", info.Checksums)
			}
			got := get(t, l, "mpu", "big/object")
			if !bytes.Equal(got, append(append([]byte(nil), part1...), part2...)) {
				t.Fatalf("object bytes differ (%d bytes)", len(got))
			}
			if _, err := l.GetUpload(up.ID); !errors.Is(err, ErrUploadNotFound) {
				t.Fatalf("GetUpload after complete = %v", err)
			}
			// A retry of the same completion answers the same object.
			again, err := l.CompleteUpload(context.Background(), up.ID, list)
			if err != nil || again.ETag != info.ETag {
				t.Fatalf("retried CompleteUpload = %+v, %v", again, err)
			}
			if entries, _ := os.ReadDir(filepath.Join(dir, "uploads")); len(entries) != 0 {
				t.Fatalf("uploads/ not empty after completion: %v", entries)
			}
			if _, err := l.CompleteUpload(context.Background(), up.ID, list[:1]); !errors.Is(err, ErrUploadNotFound) {
				t.Fatalf("retry with another part list = %v, want ErrUploadNotFound", err)
			}
			// Replacing the object ends the retry window.
			if tc.alg == "" {
				put(t, l, "mpu", "big/object", []byte("replaced"))
				if _, err := l.CompleteUpload(context.Background(), up.ID, list); !errors.Is(err, ErrUploadNotFound) {
					t.Fatalf("retry after overwrite = %v, want ErrUploadNotFound", err)
				}
				return
			}
			// Reopen: the object and its multipart info survive.
			l.Close()
			l = openTestLake(t, dir)
			h, err := l.HeadObject("mpu", "big/object")
			if err != nil || h.ETag != wantMultipartETag || h.PartsCount != 2 {
				t.Fatalf("after reopen: %+v, %v", h, err)
			}
		})
	}
}

func TestMultipartErrors(t *testing.T) {
	l, dir := newTestLake(t)
	mustBucket(t, l, "mpu")
	ctx := context.Background()
	up, err := l.CreateUpload("mpu", "k", Metadata{}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	small := uploadParts(t, l, up.ID, []byte("tiny"), []byte("tail"))
	if _, err := l.CompleteUpload(ctx, up.ID, small); !errors.Is(err, ErrEntityTooSmall) {
		t.Fatalf("small first part = %v, want ErrEntityTooSmall", err)
	}
	if _, err := l.CompleteUpload(ctx, up.ID, []CompletePart{small[1], small[0]}); !errors.Is(err, ErrInvalidPartOrder) {
		t.Fatalf("descending = %v, want ErrInvalidPartOrder", err)
	}
	if _, err := l.CompleteUpload(ctx, up.ID, []CompletePart{small[0], small[0]}); !errors.Is(err, ErrInvalidPartOrder) {
		t.Fatalf("repeated = %v, want ErrInvalidPartOrder", err)
	}
	if _, err := l.CompleteUpload(ctx, up.ID, []CompletePart{{Number: 3, ETag: small[0].ETag}}); !errors.Is(err, ErrInvalidPart) {
		t.Fatalf("missing part = %v, want ErrInvalidPart", err)
	}
	if _, err := l.CompleteUpload(ctx, up.ID, []CompletePart{{Number: 1, ETag: small[1].ETag}}); !errors.Is(err, ErrInvalidPart) {
		t.Fatalf("wrong ETag = %v, want ErrInvalidPart", err)
	}
	if _, err := l.CompleteUpload(ctx, up.ID, nil); !errors.Is(err, ErrInvalidPart) {
		t.Fatalf("empty list = %v, want ErrInvalidPart", err)
	}
	// Conditional completion: a failed condition keeps the upload.
	put(t, l, "mpu", "k", []byte("existing"))
	one := []CompletePart{small[0]}
	if _, err := l.CompleteUploadWith(ctx, up.ID, one, PutOptions{IfNoneMatchStar: true}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("CompleteUploadWith(If-None-Match *) on an existing key = %v", err)
	}
	if _, err := l.CompleteUploadWith(ctx, up.ID, one, PutOptions{IfMatch: "nope"}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("CompleteUploadWith(If-Match mismatch) = %v", err)
	}
	if _, err := l.GetUpload(up.ID); err != nil {
		t.Fatalf("upload after failed conditions: %v", err)
	}
	if string(get(t, l, "mpu", "k")) != "existing" {
		t.Fatal("failed conditional completion replaced the object")
	}

	for _, n := range []int{0, -1, MaxParts + 1} {
		if _, err := l.PutPart(ctx, up.ID, n, strings.NewReader("x"), PutOptions{}); !errors.Is(err, ErrInvalidPartNumber) {
			t.Fatalf("PutPart(%d) = %v, want ErrInvalidPartNumber", n, err)
		}
	}
	if _, err := l.PutPart(ctx, up.ID, MaxParts, strings.NewReader("last"), PutOptions{}); err != nil {
		t.Fatalf("PutPart(10000) = %v", err)
	}
	if _, err := l.PutPart(ctx, "no-such-upload", 1, strings.NewReader("x"), PutOptions{}); !errors.Is(err, ErrUploadNotFound) {
		t.Fatalf("PutPart(unknown) = %v", err)
	}
	if _, err := l.PutPart(ctx, "../../objects", 1, strings.NewReader("x"), PutOptions{}); !errors.Is(err, ErrUploadNotFound) {
		t.Fatalf("PutPart(hostile id) = %v", err)
	}
	if _, err := l.CreateUpload("nope", "k", Metadata{}, "", ""); !errors.Is(err, ErrBucketNotFound) {
		t.Fatalf("CreateUpload(no bucket) = %v", err)
	}
	if _, err := l.CreateUpload("mpu", "k", Metadata{}, SHA1, ChecksumFullObject); !errors.Is(err, ErrInvalidChecksumAlgorithm) {
		t.Fatalf("SHA1 FULL_OBJECT = %v", err)
	}
	if _, err := l.CreateUpload("mpu", "k", Metadata{}, CRC64NVME, ChecksumComposite); !errors.Is(err, ErrInvalidChecksumAlgorithm) {
		t.Fatalf("CRC64NVME COMPOSITE = %v", err)
	}
	// Verify failing keeps the earlier part.
	boom := errors.New("boom")
	if _, err := l.PutPart(ctx, up.ID, 1, strings.NewReader("replacement"), PutOptions{Verify: func(Digests) error { return boom }}); !errors.Is(err, boom) {
		t.Fatalf("PutPart with failing Verify = %v", err)
	}
	lp, err := l.ListParts(up.ID, ListPartsOptions{MaxParts: 1000})
	if err != nil || len(lp.Parts) != 3 || lp.Parts[0].ETag != md5hex([]byte("tiny")) || lp.Parts[2].Number != MaxParts || lp.IsTruncated {
		t.Fatalf("ListParts = %+v, %v", lp, err)
	}
	lp, err = l.ListParts(up.ID, ListPartsOptions{MaxParts: 1, PartNumberMarker: 1})
	if err != nil || len(lp.Parts) != 1 || lp.Parts[0].Number != 2 || !lp.IsTruncated || lp.NextPartNumberMarker != 2 {
		t.Fatalf("ListParts page = %+v, %v", lp, err)
	}
	// Abort removes the records and the files.
	if err := l.AbortUpload(up.ID); err != nil {
		t.Fatal(err)
	}
	if err := l.AbortUpload(up.ID); !errors.Is(err, ErrUploadNotFound) {
		t.Fatalf("second AbortUpload = %v", err)
	}
	if _, err := l.ListParts(up.ID, ListPartsOptions{MaxParts: 10}); !errors.Is(err, ErrUploadNotFound) {
		t.Fatalf("ListParts after abort = %v", err)
	}
	if _, err := l.CompleteUpload(ctx, up.ID, small); !errors.Is(err, ErrUploadNotFound) {
		t.Fatalf("CompleteUpload after abort = %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "uploads")); len(entries) != 0 {
		t.Fatalf("uploads/ not empty after abort: %v", entries)
	}
}

func TestCopyPartAndCopyObject(t *testing.T) {
	l, _ := newTestLake(t)
	mustBucket(t, l, "src")
	mustBucket(t, l, "dst")
	ctx := context.Background()
	body := append(append([]byte(nil), part1...), part2...)
	if _, err := l.PutObject(ctx, "src", "whole", bytes.NewReader(body), PutOptions{Meta: Metadata{ContentType: "a/b", Tags: map[string]string{"k": "v"}}, Checksums: []string{CRC32}}); err != nil {
		t.Fatal(err)
	}
	up, err := l.CreateUpload("dst", "copied", Metadata{}, CRC32, "")
	if err != nil {
		t.Fatal(err)
	}
	p1, err := l.CopyPart(ctx, up.ID, 1, "src", "whole", 0, int64(len(part1))-1)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := l.CopyPart(ctx, up.ID, 2, "src", "whole", int64(len(part1)), int64(len(body))-1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.CopyPart(ctx, up.ID, 3, "src", "whole", 0, int64(len(body))); !errors.Is(err, ErrInvalidRange) {
		t.Fatalf("CopyPart past the end = %v", err)
	}
	info, err := l.CompleteUpload(ctx, up.ID, []CompletePart{{Number: 1, ETag: p1.ETag}, {Number: 2, ETag: p2.ETag}})
	if err != nil {
		t.Fatal(err)
	}
	if info.ETag != wantMultipartETag || info.Checksums[CRC32] != wantCompositeCRC32 {
		t.Fatalf("completed copy = %+v", info)
	}
	// CopyObject of the multipart object: a single-part copy whose ETag is
	// the MD5 of the bytes; COPY keeps metadata.
	c, err := l.CopyObject(ctx, "dst", "copied", "dst", "again", nil, PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.ETag != md5hex(body) || c.PartsCount != 0 || c.Size != int64(len(body)) {
		t.Fatalf("CopyObject of multipart = %+v", c)
	}
	// Fast path: single-part source, kernel copy, checksums reused.
	c, err = l.CopyObject(ctx, "src", "whole", "dst", "fast", nil, PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.ETag != md5hex(body) || c.Checksums[CRC32] != wantFullObjectCRC32 || c.Meta.ContentType != "a/b" || c.Meta.Tags["k"] != "v" {
		t.Fatalf("CopyObject COPY = %+v", c)
	}
	if !bytes.Equal(get(t, l, "dst", "fast"), body) {
		t.Fatal("copied bytes differ")
	}
	// REPLACE: new metadata; tags kept unless given.
	c, err = l.CopyObject(ctx, "src", "whole", "src", "whole", &Metadata{ContentType: "x/y"}, PutOptions{Checksums: []string{SHA256}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Meta.ContentType != "x/y" || c.Meta.Tags["k"] != "v" || c.Checksums[CRC32] != wantFullObjectCRC32 || c.Checksums[SHA256] == "" {
		t.Fatalf("CopyObject REPLACE onto itself = %+v", c)
	}
	c, err = l.CopyObject(ctx, "src", "whole", "dst", "notags", &Metadata{Tags: map[string]string{}}, PutOptions{})
	if err != nil || len(c.Meta.Tags) != 0 {
		t.Fatalf("CopyObject with empty tags = %+v, %v", c, err)
	}
	if _, err := l.CopyObject(ctx, "src", "missing", "dst", "x", nil, PutOptions{}); !errors.Is(err, ErrObjectNotFound) {
		t.Fatalf("CopyObject(missing) = %v", err)
	}
	if !bytes.Equal(get(t, l, "src", "whole"), body) {
		t.Fatal("self-copy changed the bytes")
	}
}

func TestListUploads(t *testing.T) {
	l, _ := newTestLake(t)
	mustBucket(t, l, "mpu")
	mustBucket(t, l, "other")
	var ids []string
	for _, k := range []string{"b", "a/1", "a/2", "b", "c"} {
		u, err := l.CreateUpload("mpu", k, Metadata{}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	if _, err := l.CreateUpload("other", "b", Metadata{}, "", ""); err != nil {
		t.Fatal(err)
	}
	res, err := l.ListUploads("mpu", ListUploadsOptions{MaxUploads: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range res.Uploads {
		got = append(got, u.Key+"@"+u.ID)
	}
	want := []string{"a/1@" + ids[1], "a/2@" + ids[2], "b@" + ids[0], "b@" + ids[3], "c@" + ids[4]}
	if strings.Join(got, ",") != strings.Join(want, ",") || res.IsTruncated {
		t.Fatalf("ListUploads = %v, want %v", got, want)
	}
	res, err = l.ListUploads("mpu", ListUploadsOptions{Delimiter: "/", MaxUploads: 2})
	if err != nil || len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0] != "a/" || len(res.Uploads) != 1 || !res.IsTruncated ||
		res.NextKeyMarker != "b" || res.NextUploadIDMarker != ids[0] {
		t.Fatalf("ListUploads with delimiter = %+v, %v", res, err)
	}
	res, err = l.ListUploads("mpu", ListUploadsOptions{Delimiter: "/", MaxUploads: 2, KeyMarker: res.NextKeyMarker, UploadIDMarker: res.NextUploadIDMarker})
	if err != nil || len(res.Uploads) != 2 || res.Uploads[0].ID != ids[3] || res.Uploads[1].Key != "c" || res.IsTruncated {
		t.Fatalf("ListUploads page 2 = %+v, %v", res, err)
	}
	res, err = l.ListUploads("mpu", ListUploadsOptions{KeyMarker: "b", MaxUploads: 10, Prefix: ""})
	if err != nil || len(res.Uploads) != 1 || res.Uploads[0].Key != "c" {
		t.Fatalf("ListUploads after key marker = %+v, %v", res, err)
	}
	// DeleteBucket aborts uploads in progress, as S3 does.
	if err := l.DeleteBucket("mpu"); err != nil {
		t.Fatalf("DeleteBucket with uploads = %v", err)
	}
	if _, err := l.GetUpload(ids[0]); !errors.Is(err, ErrUploadNotFound) {
		t.Fatalf("upload after DeleteBucket = %v", err)
	}
	if res, err := l.ListUploads("other", ListUploadsOptions{MaxUploads: 10}); err != nil || len(res.Uploads) != 1 {
		t.Fatalf("other bucket's uploads = %+v, %v", res, err)
	}
}
