package loadgen

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads r in reads of the given sizes, cycling.
func readAll(t *testing.T, r io.Reader, sizes ...int) []byte {
	t.Helper()
	var out []byte
	for i := 0; ; i++ {
		buf := make([]byte, sizes[i%len(sizes)])
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestContentIsDeterministicAndVaries(t *testing.T) {
	const size = 3*contentBlockSize + 1000
	c := content{seed: 42, size: size}
	whole := make([]byte, size)
	c.fill(whole, 0)
	// Any read pattern gives the same bytes: odd sizes cross block and
	// header boundaries.
	for _, sizes := range [][]int{{1}, {7, 4096, 13}, {contentBlockSize}, {1 << 20}} {
		if got := readAll(t, newContentReader(c), sizes...); !bytes.Equal(got, whole) {
			t.Fatalf("reads of %v gave different content", sizes)
		}
	}
	if err := iotest.TestReader(newContentReader(c), whole); err != nil {
		t.Fatal(err)
	}
	// Another seed gives other bytes; blocks of one object differ.
	other := make([]byte, size)
	content{seed: 43, size: size}.fill(other, 0)
	if bytes.Equal(whole[contentHeaderSize:contentBlockSize], other[contentHeaderSize:contentBlockSize]) {
		t.Error("seeds 42 and 43 share their first block's pattern")
	}
	if bytes.Equal(whole[contentHeaderSize:contentBlockSize], whole[contentBlockSize+contentHeaderSize:2*contentBlockSize]) {
		t.Error("blocks 0 and 1 carry the same pattern")
	}
	if m := c.mismatch(whole, 0); m != -1 {
		t.Fatalf("content mismatches itself at %d", m)
	}
}

func TestVerifierDetectsEveryFault(t *testing.T) {
	const size = 5*contentBlockSize + 123
	c := content{seed: 7, size: size}
	good := make([]byte, size)
	c.fill(good, 0)
	verify := func(body []byte, chunk int) error {
		v := newContentVerifier(c)
		for len(body) > 0 {
			n := min(chunk, len(body))
			if _, err := v.Write(body[:n]); err != nil {
				t.Fatal(err)
			}
			body = body[n:]
		}
		return v.Result()
	}
	for _, chunk := range []int{1, 100, contentBlockSize, size} {
		if err := verify(good, chunk); err != nil {
			t.Fatalf("intact body, writes of %d: %v", chunk, err)
		}
	}
	// A flipped bit anywhere is found, and located: in a header, in a
	// pattern, in the short last block.
	for _, off := range []int{0, 15, 16, contentBlockSize + 3, 3*contentBlockSize + 500, size - 1} {
		bad := bytes.Clone(good)
		bad[off] ^= 0x10
		err := verify(bad, 1000)
		if !errors.Is(err, errContentMismatch) || !strings.Contains(err.Error(), "offset "+strconv.Itoa(off)+" ") {
			t.Errorf("flipped byte at %d: %v", off, err)
		}
	}
	// Two blocks swapped (as a server mixing up parts would) are found.
	swapped := bytes.Clone(good)
	copy(swapped[0:contentBlockSize], good[contentBlockSize:2*contentBlockSize])
	copy(swapped[contentBlockSize:2*contentBlockSize], good[0:contentBlockSize])
	if err := verify(swapped, 4096); !errors.Is(err, errContentMismatch) {
		t.Errorf("swapped blocks: %v", err)
	}
	// Another object's bytes are found.
	foreign := make([]byte, size)
	content{seed: 8, size: size}.fill(foreign, 0)
	if err := verify(foreign, 65536); !errors.Is(err, errContentMismatch) {
		t.Errorf("another object's content: %v", err)
	}
	// Short and long bodies are found.
	if err := verify(good[:size-1], 4096); err == nil || !strings.Contains(err.Error(), "bytes read") {
		t.Errorf("truncated body: %v", err)
	}
	if err := verify(append(bytes.Clone(good), 0), 4096); !errors.Is(err, errContentMismatch) {
		t.Errorf("body with one byte too many: %v", err)
	}
	// An empty object.
	if err := newContentVerifier(content{seed: 1}).Result(); err != nil {
		t.Errorf("empty object: %v", err)
	}
}

func TestContentReaderSeekAndReadAt(t *testing.T) {
	c := content{seed: 9, size: 10000}
	whole := make([]byte, c.size)
	c.fill(whole, 0)
	r := newContentReader(c)
	if pos, err := r.Seek(-100, io.SeekEnd); err != nil || pos != 9900 {
		t.Fatalf("Seek end-100 = %d, %v", pos, err)
	}
	if got := readAll(t, r, 64); !bytes.Equal(got, whole[9900:]) {
		t.Fatal("read after Seek differs")
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r, 333); !bytes.Equal(got, whole) {
		t.Fatal("read after rewind differs")
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Fatal("Seek to -1 succeeded")
	}
	p := make([]byte, 200)
	if n, err := r.ReadAt(p, 9900); n != 100 || err != io.EOF || !bytes.Equal(p[:n], whole[9900:]) {
		t.Fatalf("ReadAt across the end = %d, %v", n, err)
	}
	if n, err := r.ReadAt(p, 5000); n != 200 || err != nil || !bytes.Equal(p, whole[5000:5200]) {
		t.Fatalf("ReadAt inside = %d, %v", n, err)
	}
	if n, err := r.ReadAt(p, 10000); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt at the end = %d, %v", n, err)
	}
	// The upload manager sends parts as sections of the reader.
	sec := io.NewSectionReader(r, 4000, 3000)
	if got := readAll(t, sec, 1000); !bytes.Equal(got, whole[4000:7000]) {
		t.Fatal("section differs")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "4096": 4096, "1MiB": 1 << 20, "256MiB": 256 << 20, "256mib": 256 << 20, "1.5GiB": 3 << 29,
		"5MB": 5_000_000, "1kb": 1000, "64K": 64 << 10, " 2 GiB ": 2 << 30, "100B": 100, "1TiB": 1 << 40,
	} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "-1MiB", "1.5B", "0.3KiB", "ten", "1XB", "NaN", "Inf", "9999999TiB", "1e300"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
	for n, want := range map[int64]string{1 << 20: "1MiB", 256 << 20: "256MiB", 1536 << 10: "1536KiB", 1000: "1000B", 0: "0B", 5 << 30: "5GiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLakeConfigValidation(t *testing.T) {
	ok := LakeConfig{}.withDefaults()
	if err := ok.validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if ok.multipart() {
		t.Error("1 MiB objects with 16 MiB parts would go multipart")
	}
	if big := (LakeConfig{Size: 256 << 20}).withDefaults(); !big.multipart() {
		t.Error("256 MiB objects with 16 MiB parts would not go multipart")
	}
	if single := (LakeConfig{Size: 256 << 20, PartSize: -1}).withDefaults(); single.multipart() || single.validate() != nil {
		t.Error("PartSize -1: want single PUTs")
	}
	for _, c := range []LakeConfig{
		{Size: -1},
		{Concurrency: -1},
		{Count: -5},
		{PartSize: 1 << 20},
		{PartSize: 6 << 30},
		{Size: 6 << 30, PartSize: -1},
		{Size: 1 << 40, PartSize: 5 << 20},
		{Checksum: "md5"},
		{PartConcurrency: -2},
	} {
		if err := c.withDefaults().validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: err = %v, want ErrConfig", c, err)
		}
	}
}

// BenchmarkLakeContentFill measures generating object content (the PUT
// body), per byte.
func BenchmarkLakeContentFill(b *testing.B) {
	const size = 1 << 20
	r := newContentReader(content{seed: 1, size: size})
	buf := make([]byte, 256<<10)
	b.SetBytes(size)
	for b.Loop() {
		r.off = 0
		for {
			if _, err := r.Read(buf); err == io.EOF {
				break
			}
		}
	}
}

// BenchmarkLakeContentVerify measures checking a GET body, per byte.
func BenchmarkLakeContentVerify(b *testing.B) {
	const size = 1 << 20
	c := content{seed: 1, size: size}
	body := make([]byte, size)
	c.fill(body, 0)
	b.SetBytes(size)
	for b.Loop() {
		v := newContentVerifier(c)
		for off := 0; off < size; off += 256 << 10 {
			v.Write(body[off : off+256<<10])
		}
		if v.Result() != nil {
			b.Fatal("intact body failed verification")
		}
	}
}
