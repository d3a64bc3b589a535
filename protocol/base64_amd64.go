package protocol

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 steps of AppendBase64 and DecodeBase64. It is a
// variable so tests and benchmarks can compare both paths on one machine.
var useAVX2 = cpu.X86.HasAVX2

// decodeBase64AVX2 is in base64_amd64.s.
//
//go:noescape
func decodeBase64AVX2(dst, src *byte, blocks int) int

// decodeBase64Vector decodes a prefix of src into dst 32 characters at a
// time and returns how many characters it read and bytes it wrote (a
// multiple of 32 and of 24: whole quanta). It stops before the first
// 32 characters holding anything outside the alphabet ('=', '\r', '\n',
// invalid bytes), leaving them to the slower paths that word the error. It
// never takes the last 4 characters (the quantum that may hold padding),
// and each step stores 32 bytes, so it runs only while src has more than
// 32+4 characters left and dst has room for 32.
func decodeBase64Vector(dst, src []byte) (int, int) {
	if !useAVX2 || len(src) <= 32+4 || len(dst) < 32 {
		return 0, 0
	}
	blocks := min((len(src)-(32+4)-1)/32+1, (len(dst)-32)/24+1)
	k := decodeBase64AVX2(&dst[0], &src[0], blocks)
	return 32 * k, 24 * k
}

// encodeBase64AVX2 is in base64_amd64.s.
//
//go:noescape
func encodeBase64AVX2(dst, src *byte, blocks int)

// encodeBase64Vector encodes a prefix of src into dst 24 bytes at a time
// and returns how many bytes it read and characters it wrote (multiples of
// 24 and 32). Each step reads 4 bytes past the 24 it encodes (two 16-byte
// loads, one per lane), so it runs only while 28 bytes are left, and
// leaves at least 4 bytes for the scalar loop and the padding. dst must
// have room for the encoding of all of src.
func encodeBase64Vector(dst, src []byte) (int, int) {
	if !useAVX2 || len(src) < 28 {
		return 0, 0
	}
	blocks := (len(src)-28)/24 + 1
	_ = dst[32*blocks-1] // the last step's store is inside dst
	encodeBase64AVX2(&dst[0], &src[0], blocks)
	return 24 * blocks, 32 * blocks
}
