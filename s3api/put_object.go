package s3api

// PutObject: the body is streamed into the lake (never held whole), with
// the metadata headers (headers.go) and integrity checks (checksum.go:
// Content-MD5, an x-amz-checksum-* header or aws-chunked trailer) that the
// lake compares before it commits, so a mismatch leaves the old object in
// place. Conditional writes: If-None-Match: * and If-Match: <etag>,
// checked atomically at the commit. Answers ETag and, when one was sent,
// the flexible checksum.
//
// Deliberately not: S3 computing a CRC64NVME for objects sent without a
// checksum (it costs CPU on every write and no client requires it);
// x-amz-write-offset-bytes (directory-bucket appends, 501); SSE-C and
// object lock (refused, see checkWriteHeaders); ACL grant headers are
// accepted and not modelled. SSE-S3 and SSE-KMS: sse.go.

import (
	"io"
	"net/http"
	"strconv"

	"github.com/caudal/caudal/lake"
)

// maxPutSize is S3's largest single PUT (and part): 5 GiB.
const maxPutSize = 5 << 30

func putObject(h *Handler, q *request) error {
	if err := checkUploadLength(q); err != nil {
		return err
	}
	if _, ok := q.r.Header["X-Amz-Write-Offset-Bytes"]; ok {
		return errHeaderNotImplemented("x-amz-write-offset-bytes")
	}
	if err := checkWriteHeaders(q); err != nil {
		return err
	}
	meta, err := metadataFromHeaders(q.r.Header)
	if err != nil {
		return err
	}
	in, err := parseIntegrity(q.r.Header)
	if err != nil {
		return err
	}
	opts := lake.PutOptions{Meta: meta, Checksums: in.checksums(), Verify: in.verify(q.trailer)}
	if opts.Encryption, err = sseRequest(q.r.Header); err != nil {
		return err
	}
	if err := authorizeWriteKey(h, q, q.bucket, opts.Encryption, "kms:GenerateDataKey"); err != nil {
		return err
	}
	if err := writeConditions(q.r.Header, &opts); err != nil {
		return err
	}
	info, err := h.cfg.Lake.PutObject(q.r.Context(), q.bucket, q.key, limitBody(q.body), opts)
	if err != nil {
		return sseError(err)
	}
	hdr := q.w.Header()
	hdr.Set("ETag", quoteETag(info.ETag))
	setSSEHeaders(hdr, info.Encryption)
	if in.hasChecksum() {
		setChecksumHeaders(hdr, map[string]string{in.alg.name: info.Checksums[in.alg.name]}, info.ChecksumType)
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

// checkUploadLength refuses a PutObject or UploadPart body over 5 GiB, or
// of unknown length, before reading it.
func checkUploadLength(q *request) error {
	switch n := q.contentLength; {
	case n < 0:
		return newError("MissingContentLength", http.StatusLengthRequired,
			"You must provide the Content-Length HTTP header.")
	case n > maxPutSize:
		return errEntityTooLarge(n)
	}
	return nil
}

func errEntityTooLarge(n int64) *Error {
	return newError("EntityTooLarge", http.StatusBadRequest,
		"Your proposed upload exceeds the maximum allowed size",
		Field{"ProposedSize", strconv.FormatInt(n, 10)},
		Field{"MaxSizeAllowed", strconv.FormatInt(maxPutSize, 10)})
}

// limitBody guards the lake against a body longer than its announced
// length could ever be (q.body already checks the announced length; this
// is the 5 GiB bound whatever the framing).
func limitBody(r io.Reader) io.Reader {
	if r == nil {
		return http.NoBody
	}
	return &sizeLimitReader{r: r, left: maxPutSize}
}

type sizeLimitReader struct {
	r    io.Reader
	left int64
}

func (l *sizeLimitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errEntityTooLarge(maxPutSize + 1)
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errEntityTooLarge(maxPutSize + 1)
	}
	return n, err
}

// writeConditions reads a write's If-None-Match / If-Match into opts. S3
// supports If-None-Match only as "*", and If-Match with one entity tag.
func writeConditions(h http.Header, opts *lake.PutOptions) error {
	if vs, ok := h["If-None-Match"]; ok {
		if len(vs) != 1 || vs[0] != "*" {
			return errHeaderNotImplemented("If-None-Match")
		}
		opts.IfNoneMatchStar = true
	}
	if vs, ok := h["If-Match"]; ok {
		if len(vs) != 1 || vs[0] == "" || vs[0] == "*" {
			return errHeaderNotImplemented("If-Match")
		}
		opts.IfMatch = normalizeETag(vs[0])
	}
	return nil
}

func errHeaderNotImplemented(header string) *Error {
	return newError("NotImplemented", http.StatusNotImplemented,
		"A header you provided implies functionality that is not implemented", Field{"Header", header})
}
