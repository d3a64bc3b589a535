package s3api

// GetObject: the object's bytes, whole (200) or a single byte range (206,
// from Range or partNumber), with its metadata headers; conditional
// requests (conditional.go); response-* overrides; checksum headers with
// x-amz-checksum-mode: ENABLED, only when the whole object is sent (a
// client verifies them against the bytes it received, so a 206 or 304
// must not carry the whole object's checksums).
//
// Range follows S3 rather than RFC 9110 where they differ: a header that
// does not parse, names several ranges, or has last < first is ignored
// and the whole object is sent; a range starting at or past the end is
// 416 InvalidRange (also for any range of an empty object, except a
// suffix range, which answers the empty object with 200).
//
// Deliberately not: versionId other than "null" (buckets are unversioned),
// SSE-C, and part-level checksums for partNumber reads.

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/caudal/caudal/lake"
)

func getObject(h *Handler, q *request) error { return serveObject(h, q, false) }

// serveObject answers GetObject, or HeadObject when head is set (the same
// headers and status, no body).
func serveObject(h *Handler, q *request, head bool) error {
	if err := checkVersionID(q.query); err != nil {
		return err
	}
	part, err := parsePartNumberQuery(q.query)
	if err != nil {
		return err
	}
	rangeHeader, hasRange := q.r.Header["Range"]
	if part > 0 && hasRange {
		return errInvalidRequest("Cannot specify both Range header and partNumber query parameter")
	}
	// HEAD needs only the index entry; GET opens the data, whose bytes
	// and info are then fixed for the whole answer.
	var (
		obj  *lake.Object
		info lake.ObjectInfo
	)
	if head {
		info, err = h.cfg.Lake.HeadObject(q.bucket, q.key)
	} else if obj, err = h.cfg.Lake.GetObject(q.bucket, q.key); err == nil {
		defer obj.Close()
		info = obj.Info
	}
	if err != nil {
		return sseError(err) // a sealed object's key may be disabled (sse.go)
	}
	if !head {
		if err := authorizeReadKey(h, q, info); err != nil {
			return err
		}
	}

	switch res, cond := readPreconditions(q.r.Header).evaluate(info, h.cfg.Now()); res {
	case preconditionFailed:
		return errPreconditionFailed(cond)
	case notModified:
		writeNotModified(q.w, info)
		return nil
	}

	var (
		rng     byteRange
		partial bool
	)
	switch {
	case part > 0:
		rng, partial, err = partRange(info, part)
	case hasRange:
		rng, partial, err = parseRange(strings.Join(rangeHeader, ","), info.Size)
	}
	if err != nil {
		return err
	}

	hdr := q.w.Header()
	setObjectHeaders(hdr, info, q.query)
	if part > 0 && info.PartsCount > 0 {
		hdr.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(info.PartsCount))
	}
	n := info.Size
	status := http.StatusOK
	if partial {
		n = rng.length()
		status = http.StatusPartialContent
		hdr.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.first, rng.last, info.Size))
	} else if strings.EqualFold(q.r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		setChecksumHeaders(hdr, info.Checksums, info.ChecksumType)
	}
	hdr.Set("Content-Length", strconv.FormatInt(n, 10))
	q.w.WriteHeader(status)
	if head || n == 0 {
		return nil
	}
	if err := copyObjectBytes(q.w, obj, rng.first, n); err != nil {
		if q.r.Context().Err() != nil {
			return nil // the client went away; nobody reads the rest
		}
		// The status is sent: the error writer cuts the connection (or
		// resets the HTTP/2 stream) so the client sees a short body.
		return fmt.Errorf("sending %s/%s: %w", q.bucket, q.key, err)
	}
	return nil
}

// copyObjectBytes sends n bytes of obj from offset first. It seeks and
// reads through an io.LimitedReader so that, when the lake's body is an
// *os.File, net/http can send it with sendfile.
func copyObjectBytes(w io.Writer, obj *lake.Object, first, n int64) error {
	if first > 0 {
		if _, err := obj.Body.Seek(first, io.SeekStart); err != nil {
			return fmt.Errorf("seek to %d: %w", first, err)
		}
	}
	written, err := io.Copy(w, &io.LimitedReader{R: obj.Body, N: n})
	if err == nil && written < n {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// byteRange is the inclusive range [first, last] of an object's bytes.
type byteRange struct{ first, last int64 }

func (r byteRange) length() int64 { return r.last - r.first + 1 }

// maxRangeDigits bounds the numbers of a Range header; longer ones
// overflow int64 and are ignored like any other malformed header.
const maxRangeDigits = 18

// parseRange interprets a Range header for an object of size bytes.
// partial is false when the whole object is to be sent (header empty,
// malformed, multi-range, or a suffix range of an empty object); err is
// an InvalidRange *Error when the range cannot be satisfied.
func parseRange(spec string, size int64) (r byteRange, partial bool, err error) {
	const unit = "bytes="
	s := strings.TrimSpace(spec)
	if len(s) < len(unit) || !strings.EqualFold(s[:len(unit)], unit) {
		return r, false, nil
	}
	s = strings.TrimSpace(s[len(unit):])
	if strings.Contains(s, ",") {
		return r, false, nil // S3 does not serve multiple ranges
	}
	dash := strings.IndexByte(s, '-')
	if dash < 0 {
		return r, false, nil
	}
	firstS, lastS := strings.TrimSpace(s[:dash]), strings.TrimSpace(s[dash+1:])
	if firstS == "" { // suffix range: the last n bytes
		n, ok := parseRangeNumber(lastS)
		if !ok {
			return r, false, nil
		}
		if n == 0 {
			return r, false, invalidRange(spec, size)
		}
		if size == 0 {
			return r, false, nil
		}
		if n > size {
			n = size
		}
		return byteRange{size - n, size - 1}, true, nil
	}
	first, ok := parseRangeNumber(firstS)
	if !ok {
		return r, false, nil
	}
	last := size - 1
	if lastS != "" {
		l, ok := parseRangeNumber(lastS)
		if !ok || l < first {
			return r, false, nil
		}
		if l < last {
			last = l
		}
	}
	if first >= size {
		return r, false, invalidRange(spec, size)
	}
	return byteRange{first, last}, true, nil
}

func parseRangeNumber(s string) (int64, bool) {
	if s == "" || len(s) > maxRangeDigits {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func invalidRange(spec string, size int64) *Error {
	return newError("InvalidRange", http.StatusRequestedRangeNotSatisfiable, "The requested range is not satisfiable",
		Field{"RangeRequested", spec}, Field{"ActualObjectSize", strconv.FormatInt(size, 10)})
}

// parsePartNumberQuery reads GetObject/HeadObject's partNumber (0 when
// absent).
func parsePartNumberQuery(query map[string][]string) (int, error) {
	vs, ok := query["partNumber"]
	if !ok {
		return 0, nil
	}
	v := ""
	if len(vs) > 0 {
		v = vs[0]
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPartNumber {
		return 0, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
	}
	return n, nil
}

// maxPartNumber is S3's highest part number.
const maxPartNumber = 10000

// partRange is the byte range of part n: a multipart object's part, or
// the whole of a single-part object as its part 1.
func partRange(info lake.ObjectInfo, n int) (byteRange, bool, error) {
	sizes := info.PartSizes
	if info.PartsCount == 0 {
		sizes = []int64{info.Size}
	}
	if n > len(sizes) {
		return byteRange{}, false, newError("InvalidPartNumber", http.StatusRequestedRangeNotSatisfiable,
			"The requested partnumber is not satisfiable",
			Field{"PartNumberRequested", strconv.Itoa(n)}, Field{"ActualPartCount", strconv.Itoa(len(sizes))})
	}
	var first int64
	for _, s := range sizes[:n-1] {
		first += s
	}
	size := sizes[n-1]
	if size == 0 {
		return byteRange{}, false, nil // an empty part 1: the empty object, 200
	}
	return byteRange{first, first + size - 1}, true, nil
}
