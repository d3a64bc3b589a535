package protocol

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// decodePaths runs f once per DecodeBase64 (and AppendBase64) path this
// machine has: the scalar one, and the AVX2 one where the CPU supports it.
// useAVX2 selects the path of both.
func decodePaths(t testing.TB, f func(path string)) {
	t.Helper()
	saved := useAVX2
	defer func() { useAVX2 = saved }()
	useAVX2 = false
	f("scalar")
	if saved {
		useAVX2 = true
		f("avx2")
	}
}

// checkDecodeBase64 fails unless DecodeBase64 returns what
// base64.StdEncoding.Decode returns for src: count, bytes and error. Both
// decode into a dst of exactly DecodedLen bytes, the tightest allowed, and
// bytes past the count must be left alone as encoding/base64 leaves them.
func checkDecodeBase64(t testing.TB, path string, src []byte) {
	t.Helper()
	// got is followed by a canary: the vector step stores 32 bytes for 24
	// and must never store past the end of dst.
	buf := make([]byte, base64.StdEncoding.DecodedLen(len(src))+32)
	got, canary := buf[:len(buf)-32:len(buf)-32], buf[len(buf)-32:]
	for i := range canary {
		canary[i] = 0xa5
	}
	want := make([]byte, len(got))
	n, err := DecodeBase64(got, src)
	if !bytes.Equal(canary, bytes.Repeat([]byte{0xa5}, 32)) {
		t.Fatalf("%s: %d characters %q: wrote past the end of dst: %x", path, len(src), src, canary)
	}
	wn, werr := base64.StdEncoding.Decode(want, src)
	if n != wn || !bytes.Equal(got[:n], want[:wn]) || (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
		t.Fatalf("%s: %d characters %q: got %d %x %v, want %d %x %v", path, len(src), src, n, got[:n], err, wn, want[:wn], werr)
	}
	if err != nil {
		if _, ok := err.(base64.CorruptInputError); !ok {
			t.Fatalf("%s: %q: error %T, want base64.CorruptInputError", path, src, err)
		}
	}
}

// TestDecodeBase64EveryLength: encodings of random bytes, and random
// strings of alphabet characters (mostly of invalid length), of every
// length up to 200 characters.
func TestDecodeBase64EveryLength(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	r := rand.New(rand.NewPCG(1, 2))
	decodePaths(t, func(path string) {
		for n := 0; n <= 200; n++ {
			raw := make([]byte, n)
			for i := range raw {
				raw[i] = byte(r.Uint32())
			}
			enc := []byte(base64.StdEncoding.EncodeToString(raw))
			checkDecodeBase64(t, path, enc)
			if len(enc) <= 200 {
				checkDecodeBase64(t, path, enc[:n]) // every prefix length, padded or cut
			}
			s := make([]byte, n)
			for i := range s {
				s[i] = alphabet[r.IntN(len(alphabet))]
			}
			checkDecodeBase64(t, path, s)
		}
	})
}

// TestDecodeBase64Hostile puts each byte that is not plain alphabet (and a
// few that are, at the edges of its ranges) at every position of a long
// valid input, so every position of every vector step and of the hand-over
// to the scalar loop and encoding/base64 meets it.
func TestDecodeBase64Hostile(t *testing.T) {
	raw := make([]byte, 300)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	enc := []byte(base64.StdEncoding.EncodeToString(raw)) // 400 characters, no padding
	hostile := []byte("=\r\n\x00 !-_.:;?@[`{\x7f\x80\xff+/09AZaz")
	decodePaths(t, func(path string) {
		src := make([]byte, len(enc))
		for pos := range enc {
			for _, c := range hostile {
				copy(src, enc)
				src[pos] = c
				checkDecodeBase64(t, path, src)
				// The same with the tail cut to pad and to a bad length.
				checkDecodeBase64(t, path, append(src[:len(src)-4:len(src)-4], 'Q', 'Q', '=', '='))
				checkDecodeBase64(t, path, src[:len(src)-1])
			}
		}
		// Every byte value at a few positions in and between vector steps.
		for _, pos := range []int{0, 1, 31, 32, 33, 63, 64, 200, 360, 363, 364, 395, 399} {
			for c := range 256 {
				copy(src, enc)
				src[pos] = byte(c)
				checkDecodeBase64(t, path, src)
			}
		}
		// Line breaks as MIME writes them (encoding/base64 skips \r and \n),
		// and padding in the middle.
		var wrapped []byte
		for i := 0; i < len(enc); i += 76 {
			wrapped = append(wrapped, enc[i:min(i+76, len(enc))]...)
			wrapped = append(wrapped, '\r', '\n')
		}
		checkDecodeBase64(t, path, wrapped)
		checkDecodeBase64(t, path, bytes.ReplaceAll(wrapped, []byte("\r"), nil))
		checkDecodeBase64(t, path, append(append(append([]byte{}, enc[:100]...), "QQ=="...), enc[100:]...))
		checkDecodeBase64(t, path, append(append(append([]byte{}, enc[:96]...), "QQ=="...), enc[96:]...))
	})
}

// TestDecodeBase64RandomBytes: random garbage, mostly invalid early, and
// random alphabet text with a sprinkling of bytes outside it.
func TestDecodeBase64RandomBytes(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	r := rand.New(rand.NewPCG(5, 6))
	decodePaths(t, func(path string) {
		for range 2000 {
			n := r.IntN(600)
			src := make([]byte, n)
			for i := range src {
				src[i] = alphabet[r.IntN(len(alphabet))]
			}
			for range r.IntN(3) {
				if n > 0 {
					src[r.IntN(n)] = byte(r.Uint32())
				}
			}
			checkDecodeBase64(t, path, src)
			for i := range src {
				src[i] = byte(r.Uint32())
			}
			checkDecodeBase64(t, path, src)
		}
	})
}

// TestDecodeBase64LooseDst: a dst longer than needed must not change the
// result, and the vector store's slack past the decoded bytes stays inside
// dst (a dst that is exactly long enough is checked everywhere else).
func TestDecodeBase64LooseDst(t *testing.T) {
	raw := bytes.Repeat([]byte("0123456789abcdef"), 64)
	enc := []byte(base64.StdEncoding.EncodeToString(raw))
	decodePaths(t, func(path string) {
		for extra := range 40 {
			dst := make([]byte, len(raw)+extra)
			n, err := DecodeBase64(dst, enc)
			if err != nil || !bytes.Equal(dst[:n], raw) {
				t.Fatalf("%s: extra %d: %d %v", path, extra, n, err)
			}
		}
	})
}

// benchInputs are the 1 KiB records the base64 benchmarks run on:
// random bytes, as real records are, and a repeated 4-byte pattern,
// which keeps the pair tables' few touched lines in cache and so
// flatters the scalar path.
func benchInputs() []struct {
	name string
	raw  []byte
} {
	r := rand.New(rand.NewPCG(7, 8))
	random := make([]byte, 1024)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	return []struct {
		name string
		raw  []byte
	}{{"random", random}, {"pattern", bytes.Repeat([]byte{0xfb, 0x0f, 0x3e, 0x11}, 256)}}
}

// BenchmarkDecodeBase64 decodes a 1 KiB record: the AVX2 path where
// present, the scalar path and encoding/base64. cpu-ns/op is process CPU
// time, steadier than wall time on a shared machine.
func BenchmarkDecodeBase64(b *testing.B) {
	saved := useAVX2
	defer func() { useAVX2 = saved }()
	for _, in := range benchInputs() {
		src := []byte(base64.StdEncoding.EncodeToString(in.raw))
		dst := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
		for _, impl := range []struct {
			name string
			avx2 bool
			fn   func(dst, src []byte) (int, error)
		}{{"caudal", saved, DecodeBase64}, {"scalar", false, DecodeBase64}, {"stdlib", false, base64.StdEncoding.Decode}} {
			b.Run(in.name+"/"+impl.name, func(b *testing.B) {
				useAVX2 = impl.avx2
				b.SetBytes(int64(len(in.raw)))
				b.ReportAllocs()
				start := processCPU()
				for b.Loop() {
					if _, err := impl.fn(dst, src); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// TestDecodeBase64VectorTakesPlainInput: where the AVX2 path exists it
// decodes the body of plain input and stops exactly at the 32-character
// step holding a bad byte, so the comparisons above exercise it rather
// than the fallbacks alone.
func TestDecodeBase64VectorTakesPlainInput(t *testing.T) {
	if !useAVX2 {
		return // nothing to check: no vector path on this machine
	}
	enc := []byte(base64.StdEncoding.EncodeToString(make([]byte, 300))) // 400 characters
	dst := make([]byte, 300)
	// Steps start while more than 36 characters are left: at 0, 32, …, 352.
	if i, j := decodeBase64Vector(dst, enc); i != 384 || j != 288 {
		t.Fatalf("plain input: read %d, wrote %d; want 384, 288", i, j)
	}
	for pos := range 384 {
		src := bytes.Clone(enc)
		src[pos] = '\n'
		if i, _ := decodeBase64Vector(dst, src); i != pos/32*32 {
			t.Fatalf("bad byte at %d: read %d, want %d", pos, i, pos/32*32)
		}
	}
}

// BenchmarkAppendBase64 encodes a 1 KiB record, as a GetRecords answer
// does: the AVX2 path where present, the scalar path and encoding/base64.
func BenchmarkAppendBase64(b *testing.B) {
	saved := useAVX2
	defer func() { useAVX2 = saved }()
	dst := make([]byte, 0, 2048)
	for _, in := range benchInputs() {
		for _, impl := range []struct {
			name string
			avx2 bool
			fn   func(dst, src []byte) []byte
		}{{"caudal", saved, AppendBase64}, {"scalar", false, AppendBase64}, {"stdlib", false, base64.StdEncoding.AppendEncode}} {
			b.Run(in.name+"/"+impl.name, func(b *testing.B) {
				useAVX2 = impl.avx2
				b.SetBytes(int64(len(in.raw)))
				b.ReportAllocs()
				start := processCPU()
				for b.Loop() {
					dst = impl.fn(dst[:0], in.raw)
				}
				b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// checkAppendBase64 fails unless AppendBase64(prefix, src) returns what
// base64.StdEncoding.AppendEncode returns. It appends three ways: into
// exactly enough spare capacity, into more than enough, and with none
// (AppendBase64 must grow dst and keep prefix). Where dst has capacity,
// the bytes after the encoding (a guard region in the same array) must be
// left alone, and dst's array must be written in place.
func checkAppendBase64(t testing.TB, path string, prefix, src []byte) {
	t.Helper()
	n := base64.StdEncoding.EncodedLen(len(src))
	want := base64.StdEncoding.AppendEncode(bytes.Clone(prefix), src)
	const guard = 64
	for _, spare := range []int{0, 40} {
		buf := bytes.Repeat([]byte{0xa5}, len(prefix)+n+spare+guard)
		copy(buf, prefix)
		dst := buf[: len(prefix) : len(prefix)+n+spare]
		got := AppendBase64(dst, src)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: prefix %d, %d bytes %x: got %s, want %s", path, len(prefix), len(src), src, got, want)
		}
		if len(got) > 0 && &got[0] != &buf[0] {
			t.Fatalf("%s: prefix %d, %d bytes: reallocated dst with room for the encoding", path, len(prefix), len(src))
		}
		if tail := buf[len(prefix)+n:]; !bytes.Equal(tail, bytes.Repeat([]byte{0xa5}, len(tail))) {
			t.Fatalf("%s: prefix %d, %d bytes: wrote past the encoding: %x", path, len(prefix), len(src), tail)
		}
	}
	// No spare capacity: dst is followed by a guard that must stay.
	buf := bytes.Repeat([]byte{0xa5}, len(prefix)+guard)
	copy(buf, prefix)
	got := AppendBase64(buf[:len(prefix):len(prefix)], src)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: full dst, prefix %d, %d bytes %x: got %s, want %s", path, len(prefix), len(src), src, got, want)
	}
	if tail := buf[len(prefix):]; !bytes.Equal(tail, bytes.Repeat([]byte{0xa5}, guard)) {
		t.Fatalf("%s: full dst, prefix %d, %d bytes: wrote past cap(dst): %x", path, len(prefix), len(src), tail)
	}
}

// TestAppendBase64EveryLength: random bytes of every length up to 300
// (every vector step count up to 12, and every tail length after each),
// appended to nothing and to a few prefixes.
func TestAppendBase64EveryLength(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	src := make([]byte, 300)
	for i := range src {
		src[i] = byte(r.Uint32())
	}
	decodePaths(t, func(path string) {
		for n := 0; n <= len(src); n++ {
			for _, prefix := range []string{"", "x", `{"Data":"`} {
				checkAppendBase64(t, path, []byte(prefix), src[:n])
			}
			// The same lengths at an odd offset into the array.
			checkAppendBase64(t, path, nil, src[300-n:])
		}
	})
}

// TestAppendBase64EveryByte puts every byte value at every position of a
// 100-byte input: all four vector steps (each reads 4 bytes it leaves to
// the next), both lanes, all three places in a group, and the scalar tail.
func TestAppendBase64EveryByte(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	base := make([]byte, 100)
	for i := range base {
		base[i] = byte(r.Uint32())
	}
	decodePaths(t, func(path string) {
		src := make([]byte, len(base))
		for pos := range base {
			for c := range 256 {
				copy(src, base)
				src[pos] = byte(c)
				want := base64.StdEncoding.EncodeToString(src)
				if got := AppendBase64(nil, src); string(got) != want {
					t.Fatalf("%s: byte %#x at %d: got %s, want %s", path, c, pos, got, want)
				}
			}
		}
		// Runs of one value: all 64 characters in every output position.
		for c := range 256 {
			src := bytes.Repeat([]byte{byte(c)}, 100)
			src[0], src[50] = byte(c*7), byte(c*13)
			checkAppendBase64(t, path, nil, src)
		}
	})
}

// TestAppendBase64Long: a 1 KiB record and a 64 KiB one, random, plus
// every cut of the last 30 bytes of the long one.
func TestAppendBase64Long(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	src := make([]byte, 64<<10)
	for i := range src {
		src[i] = byte(r.Uint32())
	}
	decodePaths(t, func(path string) {
		checkAppendBase64(t, path, []byte("x"), src[:1024])
		checkAppendBase64(t, path, []byte("x"), src)
		for cut := range 30 {
			checkAppendBase64(t, path, nil, src[:len(src)-cut])
		}
	})
}

// TestAppendBase64VectorTakesInput: where the AVX2 path exists it encodes
// every whole 24-byte step that leaves 4 bytes unread, so the comparisons
// above exercise it rather than the scalar loop alone.
func TestAppendBase64VectorTakesInput(t *testing.T) {
	if !useAVX2 {
		return // nothing to check: no vector path on this machine
	}
	dst := make([]byte, base64.StdEncoding.EncodedLen(1000))
	for n := 0; n <= 1000; n++ {
		want := 0
		if n >= 28 {
			want = (n - 4) / 24 * 24
		}
		src := make([]byte, n)
		if i, j := encodeBase64Vector(dst[:base64.StdEncoding.EncodedLen(n)], src); i != want || j != want/3*4 {
			t.Fatalf("%d bytes: read %d, wrote %d; want %d, %d", n, i, j, want, want/3*4)
		}
	}
}
