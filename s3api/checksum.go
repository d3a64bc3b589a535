package s3api

// Integrity checks of request bodies: Content-MD5 and the flexible
// checksums (x-amz-checksum-<alg> as a header, or named by x-amz-trailer
// and sent as an aws-chunked trailer, announced by
// x-amz-sdk-checksum-algorithm).
//
// For object data (PutObject, UploadPart) the lake computes the digests
// while it writes (PutOptions.Checksums) and integrity.verify compares them
// before the commit, so a mismatch leaves the old object in place. Small
// XML bodies (DeleteObjects, PutObjectTagging, CompleteMultipartUpload) are
// read whole and checked here (checkSmallBody).
//
// Deliberately not: SHA512, MD5, XXHASH64, XXHASH3 and XXHASH128 flexible
// checksums (newer than the lake's algorithms); a request naming one
// answers NotImplemented rather than being stored unverified.

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"

	"github.com/caudal/caudal/lake"
)

// checksumAlgorithm is one flexible checksum algorithm the lake computes.
type checksumAlgorithm struct {
	name   string // S3's name, as in lake (CRC32, …)
	header string // canonical header name, X-Amz-Checksum-Crc32
	size   int    // raw digest length in bytes
}

var flexibleChecksums = []checksumAlgorithm{
	{lake.CRC32, "X-Amz-Checksum-Crc32", 4},
	{lake.CRC32C, "X-Amz-Checksum-Crc32c", 4},
	{lake.CRC64NVME, "X-Amz-Checksum-Crc64nvme", 8},
	{lake.SHA1, "X-Amz-Checksum-Sha1", 20},
	{lake.SHA256, "X-Amz-Checksum-Sha256", 32},
}

// unsupportedChecksums are flexible checksum headers S3 knows and caudal
// does not compute.
var unsupportedChecksums = []string{
	"X-Amz-Checksum-Sha512", "X-Amz-Checksum-Md5", "X-Amz-Checksum-Xxhash64",
	"X-Amz-Checksum-Xxhash3", "X-Amz-Checksum-Xxhash128",
}

// algorithmByName finds an algorithm by its S3 name, case-insensitively
// (clients send "crc32" and "CRC32").
func algorithmByName(name string) (checksumAlgorithm, bool) {
	for _, a := range flexibleChecksums {
		if strings.EqualFold(a.name, name) {
			return a, true
		}
	}
	return checksumAlgorithm{}, false
}

// algorithmByHeader finds an algorithm by its header name.
func algorithmByHeader(name string) (checksumAlgorithm, bool) {
	for _, a := range flexibleChecksums {
		if strings.EqualFold(a.header, name) {
			return a, true
		}
	}
	return checksumAlgorithm{}, false
}

// crc64NVME is the CRC-64/NVME table (polynomial 0xad93d23594c935a9,
// reflected), the algorithm S3 calls CRC64NVME.
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

var crc32C = crc32.MakeTable(crc32.Castagnoli)

// newChecksumHash returns a hash computing algorithm name.
func newChecksumHash(name string) hash.Hash {
	switch name {
	case lake.CRC32:
		return crc32.NewIEEE()
	case lake.CRC32C:
		return crc32.New(crc32C)
	case lake.CRC64NVME:
		return crc64.New(crc64NVME)
	case lake.SHA1:
		return sha1.New()
	case lake.SHA256:
		return sha256.New()
	}
	return nil
}

// integrity is what a request asked to have checked on its body.
type integrity struct {
	md5       []byte            // Content-MD5, decoded; nil when absent
	md5Base64 string            // Content-MD5 as sent
	alg       checksumAlgorithm // the flexible checksum; name "" when none
	value     string            // its base64 value from the header; "" when it comes in the trailer
	trailer   bool              // the value is an aws-chunked trailer
}

// hasChecksum reports whether a flexible checksum was named.
func (in integrity) hasChecksum() bool { return in.alg.name != "" }

// any reports whether the request carries any integrity check.
func (in integrity) any() bool { return in.md5 != nil || in.hasChecksum() }

// parseIntegrity reads Content-MD5, x-amz-checksum-*, x-amz-trailer and
// x-amz-sdk-checksum-algorithm, refusing malformed or contradictory ones
// as S3 does.
func parseIntegrity(h http.Header) (integrity, error) {
	var in integrity
	if vs, ok := h["Content-Md5"]; ok {
		in.md5Base64 = strings.Join(vs, ",")
		sum, err := base64.StdEncoding.DecodeString(in.md5Base64)
		if err != nil || len(sum) != md5.Size {
			return in, newError("InvalidDigest", http.StatusBadRequest, "The Content-MD5 you specified is not valid.")
		}
		in.md5 = sum
	}
	for _, name := range unsupportedChecksums {
		if _, ok := h[name]; ok {
			return in, errHeaderNotImplemented(strings.ToLower(name))
		}
	}
	for _, a := range flexibleChecksums {
		vs, ok := h[a.header]
		if !ok {
			continue
		}
		if in.hasChecksum() {
			return in, multipleChecksums()
		}
		in.alg, in.value = a, strings.Join(vs, ",")
		if !validChecksumValue(a, in.value) {
			return in, invalidChecksumValue(a, "header")
		}
	}
	if t := strings.TrimSpace(h.Get("X-Amz-Trailer")); t != "" {
		var found bool
		for _, name := range strings.Split(t, ",") {
			name = strings.TrimSpace(name)
			for _, u := range unsupportedChecksums {
				if strings.EqualFold(u, name) {
					return in, errHeaderNotImplemented("x-amz-trailer")
				}
			}
			a, ok := algorithmByHeader(name)
			if !ok {
				continue // a trailer other than a checksum; nothing to verify
			}
			if in.hasChecksum() || found {
				return in, multipleChecksums()
			}
			in.alg, in.trailer, found = a, true, true
		}
	}
	if sdk := h.Get("X-Amz-Sdk-Checksum-Algorithm"); sdk != "" {
		a, ok := algorithmByName(sdk)
		switch {
		case !ok:
			return in, errInvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
		case !in.hasChecksum():
			return in, errInvalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding " +
				"x-amz-checksum-* or x-amz-trailer headers were found.")
		case a.name != in.alg.name:
			// The model (PutObjectRequest.ChecksumAlgorithm) documents
			// BadDigest for this disagreement.
			return in, newError("BadDigest", http.StatusBadRequest, "The "+a.name+" you specified did not match the calculated checksum.")
		}
	}
	return in, nil
}

func multipleChecksums() *Error {
	return errInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
}

func invalidChecksumValue(a checksumAlgorithm, where string) *Error {
	msg := "Value for " + strings.ToLower(a.header) + " header is invalid."
	if where == "trailer" {
		msg = "Value for " + strings.ToLower(a.header) + " trailing header is invalid."
	}
	return errInvalidRequest(msg)
}

// validChecksumValue reports whether v is the base64 of a digest of a's
// size.
func validChecksumValue(a checksumAlgorithm, v string) bool {
	raw, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(raw) == a.size
}

// checksums lists the algorithms the lake must compute for this request;
// extra names (an upload's algorithm) are added once.
func (in integrity) checksums(extra ...string) []string {
	var out []string
	if in.hasChecksum() {
		out = append(out, in.alg.name)
	}
	for _, e := range extra {
		if e != "" && (len(out) == 0 || out[0] != e) {
			out = append(out, e)
		}
	}
	return out
}

// expected returns the flexible checksum the client sent, from the header
// or (after the body's EOF) the trailer.
func (in integrity) expected(trailer func() http.Header) (string, error) {
	if !in.trailer {
		return in.value, nil
	}
	var t http.Header
	if trailer != nil {
		t = trailer()
	}
	v := t.Get(in.alg.header)
	if !validChecksumValue(in.alg, v) {
		return "", invalidChecksumValue(in.alg, "trailer")
	}
	return v, nil
}

// verify returns the lake's PutOptions.Verify for this request: it
// compares the digests the lake computed with Content-MD5 and the
// flexible checksum. trailer is the request's trailer accessor.
func (in integrity) verify(trailer func() http.Header) func(lake.Digests) error {
	if !in.any() {
		return nil
	}
	return func(d lake.Digests) error {
		if in.md5 != nil && !bytes.Equal(in.md5, d.MD5[:]) {
			return badMD5(in.md5Base64, d.MD5[:])
		}
		if !in.hasChecksum() {
			return nil
		}
		want, err := in.expected(trailer)
		if err != nil {
			return err
		}
		if base64.StdEncoding.EncodeToString(d.Sums[in.alg.name]) != want {
			return badChecksum(in.alg)
		}
		return nil
	}
}

func badMD5(sent string, got []byte) *Error {
	return newError("BadDigest", http.StatusBadRequest, "The Content-MD5 you specified did not match what we received.",
		Field{"ExpectedDigest", sent}, Field{"CalculatedDigest", base64.StdEncoding.EncodeToString(got)})
}

func badChecksum(a checksumAlgorithm) *Error {
	return newError("BadDigest", http.StatusBadRequest, "The "+a.name+" you specified did not match the calculated checksum.")
}

// checkSmallBody checks an in-memory request body (an XML document)
// against the request's integrity headers. required makes a body without
// any check an error, as S3 answers for DeleteObjects and
// PutObjectTagging (the model marks them requestChecksumRequired).
func checkSmallBody(in integrity, body []byte, trailer func() http.Header, required bool) error {
	if !in.any() {
		if required {
			return errInvalidRequest("Missing required header for this request: Content-MD5")
		}
		return nil
	}
	d := lake.Digests{MD5: md5.Sum(body), Size: int64(len(body))}
	if in.hasChecksum() {
		hh := newChecksumHash(in.alg.name)
		hh.Write(body)
		d.Sums = map[string][]byte{in.alg.name: hh.Sum(nil)}
	}
	return in.verify(trailer)(d)
}

// setChecksumHeaders writes x-amz-checksum-<alg> for each stored checksum
// and x-amz-checksum-type when known.
func setChecksumHeaders(h http.Header, sums map[string]string, typ string) {
	for _, a := range flexibleChecksums {
		if v, ok := sums[a.name]; ok {
			h[a.header] = []string{v}
		}
	}
	if typ != "" && len(sums) > 0 {
		h["X-Amz-Checksum-Type"] = []string{typ}
	}
}

// hexMD5 renders an MD5 digest as an ETag body.
func hexMD5(sum [16]byte) string { return hex.EncodeToString(sum[:]) }
