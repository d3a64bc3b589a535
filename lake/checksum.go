package lake

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
)

// ErrInvalidChecksumAlgorithm is a checksum algorithm the lake does not
// know (InvalidRequest / InvalidArgument at the skin).
var ErrInvalidChecksumAlgorithm = errors.New("lake: unknown checksum algorithm")

// crc64NVMEPoly is the CRC-64/NVME polynomial 0xad93d23594c93659 in the
// reflected (LSB-first) form hash/crc64 takes. With crc64's built-in
// all-ones init and final xor this is exactly CRC-64/NVME (check value
// for "123456789": 0xae8b14860a799888), the algorithm S3 calls CRC64NVME.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

var (
	crc32cTable    = crc32.MakeTable(crc32.Castagnoli)
	crc64NVMETable = crc64.MakeTable(crc64NVMEPoly)
)

// Checksum types, by their S3 names.
const (
	ChecksumFullObject = "FULL_OBJECT"
	ChecksumComposite  = "COMPOSITE"
)

// newChecksum returns a fresh hasher for an S3 checksum algorithm.
func newChecksum(alg string) (hash.Hash, error) {
	switch alg {
	case CRC32:
		return crc32.NewIEEE(), nil
	case CRC32C:
		return crc32.New(crc32cTable), nil
	case CRC64NVME:
		return crc64.New(crc64NVMETable), nil
	case SHA1:
		return sha1.New(), nil
	case SHA256:
		return sha256.New(), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrInvalidChecksumAlgorithm, alg)
}

// isCRC reports whether alg is a CRC, the algorithms S3 allows with the
// FULL_OBJECT type on multipart uploads.
func isCRC(alg string) bool {
	return alg == CRC32 || alg == CRC32C || alg == CRC64NVME
}

// hashSet computes MD5 and any number of checksums over one stream.
type hashSet struct {
	md5  hash.Hash
	algs []string
	sums []hash.Hash
	size int64
}

func newHashSet(algs []string) (*hashSet, error) {
	h := &hashSet{md5: md5.New()}
	for _, alg := range algs {
		dup := false
		for _, a := range h.algs {
			dup = dup || a == alg
		}
		if dup {
			continue
		}
		s, err := newChecksum(alg)
		if err != nil {
			return nil, err
		}
		h.algs = append(h.algs, alg)
		h.sums = append(h.sums, s)
	}
	return h, nil
}

func (h *hashSet) Write(p []byte) (int, error) {
	h.md5.Write(p)
	for _, s := range h.sums {
		s.Write(p)
	}
	h.size += int64(len(p))
	return len(p), nil
}

func (h *hashSet) digests() Digests {
	d := Digests{Size: h.size}
	h.md5.Sum(d.MD5[:0])
	if len(h.algs) > 0 {
		d.Sums = make(map[string][]byte, len(h.algs))
		for i, alg := range h.algs {
			d.Sums[alg] = h.sums[i].Sum(nil)
		}
	}
	return d
}

// encodeSums returns raw digests base64-encoded, as S3 shows them.
func encodeSums(raw map[string][]byte) map[string]string {
	if len(raw) == 0 {
		return nil
	}
	out := make(map[string]string, len(raw))
	for alg, sum := range raw {
		out[alg] = base64.StdEncoding.EncodeToString(sum)
	}
	return out
}

func decodeSum(b64 string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(b64)
}
