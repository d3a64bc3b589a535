package protocol

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
)

// A faster standard-base64 encoder for answers.
//
// Why: encoding blobs is the largest single cost of a GetRecords answer
// (a quarter of the server's CPU on a read-back, profiled). encoding/base64
// turns 3 bytes into 4 characters per step with four single-character
// lookups; this turns 6 bytes into 8 characters per step with one 64-bit
// load, four lookups in a table of character pairs and one 64-bit store,
// about twice as fast (BenchmarkAppendBase64). The tail (under 8 bytes,
// and the padding) is encoding/base64's, so the output is the same for
// every input (FuzzAppendBase64 checks that).
//
// On amd64 with AVX2 a vector loop (base64_amd64.s) goes first, 24 bytes
// to 32 characters per step, about seven times the pair loop's speed on
// a 1 KiB record (BenchmarkAppendBase64Random); it stops with 4 bytes
// or more left, so the pair loop and encoding/base64 write the end.

// b64Pairs maps 12 bits to the two standard-alphabet characters encoding
// them, first character in the low byte.
var b64Pairs = func() (t [4096]uint16) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range t {
		t[i] = uint16(alphabet[i>>6]) | uint16(alphabet[i&63])<<8
	}
	return t
}()

// AppendBase64 appends the standard (padded) base64 encoding of src to
// dst: base64.StdEncoding.AppendEncode, faster.
func AppendBase64(dst, src []byte) []byte {
	n := base64.StdEncoding.EncodedLen(len(src))
	dst = slices.Grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	// On amd64 with AVX2, a vector loop takes 24 bytes per step first
	// (base64_amd64.go); it stops on a step boundary with at least 4
	// bytes left, so the padding is always the scalar code's.
	i, j := encodeBase64Vector(out, src)
	// Each step reads 8 bytes and encodes the first 6.
	for ; len(src)-i >= 8; i, j = i+6, j+8 {
		v := binary.BigEndian.Uint64(src[i:])
		w := uint64(b64Pairs[v>>52]) |
			uint64(b64Pairs[v>>40&0xfff])<<16 |
			uint64(b64Pairs[v>>28&0xfff])<<32 |
			uint64(b64Pairs[v>>16&0xfff])<<48
		binary.LittleEndian.PutUint64(out[j:], w)
	}
	base64.StdEncoding.Encode(out[j:], src[i:])
	return dst[:len(dst)+n]
}

// A faster standard-base64 decoder for request blobs.
//
// encoding/base64 decodes 8 characters per step with eight lookups in a
// 256-entry table; this does four lookups in a table indexed by a pair of
// characters (64K entries of 12 bits; 128 KiB, of which the 4,096 valid
// pairs are touched). It decodes only the unpadded body of plain base64;
// the last quantum (padding), any byte outside the alphabet and every
// error go to encoding/base64, from the step where they appear on, so
// results and errors are encoding/base64's (FuzzDecodeBase64 checks).
//
// On amd64 with AVX2 a vector loop (base64_amd64.s) goes first, 32
// characters per step, and hands over to the pair loop on the same terms:
// at the first step holding a byte outside the alphabet, and before the
// last quantum.

// b64PairDecode maps two characters (first in the low byte) to the 12 bits
// they encode, or to badPair when either is outside the standard alphabet.
var b64PairDecode = func() *[1 << 16]uint16 {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var dec [256]uint16
	for i := range dec {
		dec[i] = badPair
	}
	for i := 0; i < len(alphabet); i++ {
		dec[alphabet[i]] = uint16(i)
	}
	t := new([1 << 16]uint16)
	for i := range t {
		a, b := dec[i&0xff], dec[i>>8]
		if a == badPair || b == badPair {
			t[i] = badPair
			continue
		}
		t[i] = a<<6 | b
	}
	return t
}()

const badPair = 0x8000

// DecodeBase64 decodes standard (padded) base64 src into dst, which must
// have room for base64.StdEncoding.DecodedLen(len(src)) bytes: what
// base64.StdEncoding.Decode does, faster on long plain inputs.
func DecodeBase64(dst, src []byte) (int, error) {
	// On amd64 with AVX2, a vector loop takes 32 characters per step first
	// (base64_amd64.go); it stops where the scalar loop below must take
	// over, on a quantum boundary.
	i, j := decodeBase64Vector(dst, src)
	// Each step reads 8 characters and writes 8 bytes of which 6 are kept;
	// the last quantum (which may hold padding) is never taken here.
	for len(src)-i > 8+4 && len(dst)-j >= 8 {
		v := binary.LittleEndian.Uint64(src[i:])
		p0 := b64PairDecode[uint16(v)]
		p1 := b64PairDecode[uint16(v>>16)]
		p2 := b64PairDecode[uint16(v>>32)]
		p3 := b64PairDecode[uint16(v>>48)]
		if (p0|p1|p2|p3)&badPair != 0 {
			break // let encoding/base64 handle (and word) it
		}
		x := uint64(p0)<<52 | uint64(p1)<<40 | uint64(p2)<<28 | uint64(p3)<<16
		binary.BigEndian.PutUint64(dst[j:], x)
		i, j = i+8, j+6
	}
	n, err := base64.StdEncoding.Decode(dst[j:], src[i:])
	if err != nil {
		// Offsets in the error count from the start of src.
		if ce, ok := err.(base64.CorruptInputError); ok {
			err = ce + base64.CorruptInputError(i)
		}
	}
	return j + n, err
}
