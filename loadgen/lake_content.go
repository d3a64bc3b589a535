package loadgen

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
)

// Object content is generated from a per-object seed, so the S3 bench can
// upload objects of any size and verify every byte read back without
// keeping either in memory. The content is a sequence of 4 KiB blocks
// (the last one possibly short); block k of the object with seed s is
//
//	offset 0  uint64 s          (big-endian)
//	offset 8  uint64 k          (big-endian)
//	offset 16 contentPattern[patternOffset(s, k):][:blockSize-16]
//
// The header makes a block that is misplaced (served at another offset or
// from another object) fail verification even where the pattern bytes
// happen to repeat; the pattern slice, chosen by a hash of (s, k), makes
// the bytes vary block to block. Generating and checking is a memcpy and a
// memcmp per block, several GB/s, so the generator's CPU goes to the HTTP
// client and not to making data.
const (
	contentBlockSize  = 4096
	contentHeaderSize = 16
	patternWindow     = 1 << 16 // patternOffset is below this
)

// contentPattern is fixed pseudo-random bytes (the same in every process:
// the seed is constant), so that the data does not compress.
var contentPattern = func() []byte {
	b := make([]byte, patternWindow+contentBlockSize)
	r := rand.New(rand.NewPCG(0x63617564616c, 0x6c616b65))
	for i := 0; i < len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b
}()

// mix64 is SplitMix64's finalizer: a cheap bijective hash.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func patternOffset(seed, block uint64) int {
	return int(mix64(seed^(block*0x9e3779b97f4a7c15)) % patternWindow)
}

// content is the generated content of one object.
type content struct {
	seed uint64
	size int64
}

// expected returns the bytes [in, in+n) of block k as two slices, the
// part inside the header (backed by hdr) and the part after it (backed by
// contentPattern); either may be empty. in+n ≤ contentBlockSize.
func (c content) expected(k uint64, in, n int, hdr *[contentHeaderSize]byte) (head, tail []byte) {
	end := in + n
	if in < contentHeaderSize {
		binary.BigEndian.PutUint64(hdr[0:], c.seed)
		binary.BigEndian.PutUint64(hdr[8:], k)
		head = hdr[in:min(end, contentHeaderSize)]
		in = min(end, contentHeaderSize)
	}
	if end > in {
		po := patternOffset(c.seed, k) - contentHeaderSize
		tail = contentPattern[po+in : po+end]
	}
	return head, tail
}

// fill writes the content bytes at [off, off+len(p)) into p; the caller
// keeps the range inside the object.
func (c content) fill(p []byte, off int64) {
	var hdr [contentHeaderSize]byte
	for len(p) > 0 {
		k, in := uint64(off/contentBlockSize), int(off%contentBlockSize)
		n := min(len(p), contentBlockSize-in)
		head, tail := c.expected(k, in, n, &hdr)
		copy(p[copy(p, head):], tail)
		p, off = p[n:], off+int64(n)
	}
}

// mismatch returns the offset of the first byte of p that differs from
// the content at [off, off+len(p)), or -1 when they agree. Bytes past the
// object's size always differ.
func (c content) mismatch(p []byte, off int64) int64 {
	var hdr [contentHeaderSize]byte
	if rest := c.size - off; int64(len(p)) > rest {
		if rest < 0 {
			return off
		}
		if m := c.mismatch(p[:rest], off); m >= 0 {
			return m
		}
		return c.size
	}
	for len(p) > 0 {
		k, in := uint64(off/contentBlockSize), int(off%contentBlockSize)
		n := min(len(p), contentBlockSize-in)
		head, tail := c.expected(k, in, n, &hdr)
		if !bytes.Equal(p[:len(head)], head) || !bytes.Equal(p[len(head):n], tail) {
			for i := range n { // locate the byte; only on failure
				var want [1]byte
				c.fill(want[:], off+int64(i))
				if p[i] != want[0] {
					return off + int64(i)
				}
			}
		}
		p, off = p[n:], off+int64(n)
	}
	return -1
}

// contentReader streams an object's content: the body of a PUT. It is an
// io.ReadSeeker (the SDK rewinds bodies to hash and retry them) and an
// io.ReaderAt (the upload manager then sends parts as sections of it
// instead of copying each part into a buffer).
type contentReader struct {
	c   content
	off int64
}

func newContentReader(c content) *contentReader { return &contentReader{c: c} }

func (r *contentReader) Read(p []byte) (int, error) {
	if r.off >= r.c.size {
		return 0, io.EOF
	}
	n, _ := r.ReadAt(p, r.off)
	r.off += int64(n)
	return n, nil
}

func (r *contentReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("contentReader.ReadAt: negative offset")
	}
	if off >= r.c.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.c.size-off))
	r.c.fill(p[:n], off)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (r *contentReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.c.size
	default:
		return 0, fmt.Errorf("contentReader.Seek: bad whence %d", whence)
	}
	if offset < 0 {
		return 0, errors.New("contentReader.Seek: negative position")
	}
	r.off = offset
	return offset, nil
}

// contentVerifier is an io.Writer that checks what is written to it
// against an object's content: a GET body is copied into it. It never
// fails a Write (so the whole body is read and timed); Result reports.
type contentVerifier struct {
	c        content
	off      int64
	firstBad int64 // -1 while every byte matched
}

func newContentVerifier(c content) *contentVerifier {
	return &contentVerifier{c: c, firstBad: -1}
}

func (v *contentVerifier) Write(p []byte) (int, error) {
	if v.firstBad < 0 {
		v.firstBad = v.c.mismatch(p, v.off)
	}
	v.off += int64(len(p))
	return len(p), nil
}

// errContentMismatch is a body whose bytes or length are not the object's.
var errContentMismatch = errors.New("content mismatch")

// Result is nil when exactly the object's bytes were written.
func (v *contentVerifier) Result() error {
	switch {
	case v.firstBad >= 0:
		return fmt.Errorf("%w: first wrong byte at offset %d of %d", errContentMismatch, v.firstBad, v.c.size)
	case v.off != v.c.size:
		return fmt.Errorf("%w: %d bytes read, object has %d", errContentMismatch, v.off, v.c.size)
	}
	return nil
}
