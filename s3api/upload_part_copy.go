package s3api

// UploadPartCopy (PUT ?partNumber=N&uploadId=… with x-amz-copy-source):
// a part copied from an existing object, whole or the byte range of
// x-amz-copy-source-range ("bytes=first-last", both required, within the
// source: otherwise InvalidArgument as S3 answers), at most 5 GiB. The
// x-amz-copy-source-if-* conditions are checked against the source (412).
// Answers <CopyPartResult>.
//
// Deliberately not: source version ids other than "null", SSE-C.

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/caudal/caudal/lake"
)

type copyPartResult struct {
	ETag              string `xml:"ETag"`
	LastModified      string `xml:"LastModified"`
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

func uploadPartCopy(h *Handler, q *request) error {
	n, err := partNumberParam(q)
	if err != nil {
		return err
	}
	srcBucket, srcKey, err := parseCopySource(q.r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	if err := authorizeObject(q, "s3:GetObject", srcBucket, srcKey); err != nil {
		return err
	}
	up, err := uploadOf(h, q)
	if err != nil {
		return err
	}
	src, err := h.cfg.Lake.HeadObject(srcBucket, srcKey)
	if err != nil {
		return copySourceError(err, srcBucket, srcKey)
	}
	if res, cond := readCopyPreconditions(q.r.Header).evaluate(src, h.cfg.Now()); res != proceed {
		return errPreconditionFailed(cond)
	}
	if err := authorizeReadKey(h, q, src); err != nil {
		return err
	}
	first, last := int64(0), int64(-1)
	if vs, ok := q.r.Header["X-Amz-Copy-Source-Range"]; ok {
		first, last, err = parseCopySourceRange(strings.Join(vs, ","), src.Size)
		if err != nil {
			return err
		}
	}
	size := src.Size
	if last >= 0 {
		size = last - first + 1
	}
	if size > maxPutSize {
		return errEntityTooLarge(size)
	}
	part, err := h.cfg.Lake.CopyPart(q.r.Context(), up.ID, n, srcBucket, srcKey, first, last)
	if err != nil {
		return copySourceError(err, srcBucket, srcKey)
	}
	res := copyPartResult{ETag: quoteETag(part.ETag), LastModified: xmlTime(part.LastModified)}
	res.ChecksumCRC32 = part.Checksums[lake.CRC32]
	res.ChecksumCRC32C = part.Checksums[lake.CRC32C]
	res.ChecksumCRC64NVME = part.Checksums[lake.CRC64NVME]
	res.ChecksumSHA1 = part.Checksums[lake.SHA1]
	res.ChecksumSHA256 = part.Checksums[lake.SHA256]
	return writeXML(q, http.StatusOK, "CopyPartResult", res)
}

// parseCopySourceRange reads x-amz-copy-source-range for a source of size
// bytes: exactly "bytes=first-last" with first <= last < size.
func parseCopySourceRange(v string, size int64) (first, last int64, err error) {
	rest, ok := strings.CutPrefix(v, "bytes=")
	a, b, ok2 := strings.Cut(rest, "-")
	f, okF := parseRangeNumber(a)
	l, okL := parseRangeNumber(b)
	if !ok || !ok2 || !okF || !okL {
		return 0, 0, errInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last "+
			"where first and last are the zero-based offsets of the first and last bytes to copy",
			"x-amz-copy-source-range", v)
	}
	if f > l || l >= size {
		return 0, 0, errInvalidArgument("Range specified is not valid for source object of size: "+
			strconv.FormatInt(size, 10), "x-amz-copy-source-range", v)
	}
	return f, l, nil
}
