//go:build !amd64

package protocol

// useAVX2 is never true off amd64; it exists so the tests build everywhere.
var useAVX2 = false

// decodeBase64Vector has no vector step off amd64: DecodeBase64 starts
// with its scalar loop.
func decodeBase64Vector(dst, src []byte) (int, int) { return 0, 0 }

// encodeBase64Vector has no vector step off amd64: AppendBase64 starts with
// its scalar loop.
func encodeBase64Vector(dst, src []byte) (int, int) { return 0, 0 }
