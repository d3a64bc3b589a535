package compression

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/s2"
)

// inputs covers empty, tiny, compressible, incompressible and block-edge
// sizes.
func inputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 1<<20)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var js strings.Builder
	for i := 0; js.Len() < 3<<20; i++ {
		fmt.Fprintf(&js, `{"customer_id":"%d","event":"click","ts":%d}`+"\n", i%97, 1565382027+i)
	}
	return map[string][]byte{
		"empty":          nil,
		"one byte":       {'x'},
		"json lines":     []byte(js.String()),
		"random":         random,
		"block":          bytes.Repeat([]byte("a"), BlockSize),
		"block plus one": append(bytes.Repeat([]byte("b"), BlockSize), 'c'),
		"three blocks":   random[:3*BlockSize],
	}
}

// compress writes data through NewWriter in uneven chunks.
func compress(t testing.TB, format string, data []byte, entry string) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(format, &out, entry)
	if err != nil {
		t.Fatal(err)
	}
	for rest, n := data, 1; len(rest) > 0; n = n*3 + 1 {
		k := min(n, len(rest))
		if m, err := w.Write(rest[:k]); err != nil || m != k {
			t.Fatalf("Write: %d, %v", m, err)
		}
		rest = rest[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// decodeSnappyBlock decodes one raw Snappy block, written from
// google/snappy format_description.txt independently of the encoder.
func decodeSnappyBlock(src []byte) ([]byte, error) {
	n, k := binary.Uvarint(src)
	if k <= 0 || n > 1<<24 {
		return nil, errors.New("bad block length")
	}
	src = src[k:]
	dst := make([]byte, 0, n)
	for len(src) > 0 {
		tag := src[0]
		var length, offset int
		switch tag & 3 {
		case 0:
			l := int(tag >> 2)
			src = src[1:]
			if l >= 60 {
				nb := l - 59
				if len(src) < nb {
					return nil, errors.New("short literal length")
				}
				l = 0
				for i := nb - 1; i >= 0; i-- {
					l = l<<8 | int(src[i])
				}
				src = src[nb:]
			}
			l++
			if len(src) < l {
				return nil, errors.New("short literal")
			}
			dst = append(dst, src[:l]...)
			src = src[l:]
			continue
		case 1:
			if len(src) < 2 {
				return nil, errors.New("short copy1")
			}
			length, offset = 4+int(tag>>2&7), int(tag&0xe0)<<3|int(src[1])
			src = src[2:]
		case 2:
			if len(src) < 3 {
				return nil, errors.New("short copy2")
			}
			length, offset = 1+int(tag>>2), int(binary.LittleEndian.Uint16(src[1:]))
			src = src[3:]
		case 3:
			if len(src) < 5 {
				return nil, errors.New("short copy4")
			}
			length, offset = 1+int(tag>>2), int(binary.LittleEndian.Uint32(src[1:]))
			src = src[5:]
		}
		if offset == 0 || offset > len(dst) {
			return nil, errors.New("bad copy offset")
		}
		for i := 0; i < length; i++ {
			dst = append(dst, dst[len(dst)-offset])
		}
	}
	if uint64(len(dst)) != n {
		return nil, fmt.Errorf("block decoded to %d bytes, header says %d", len(dst), n)
	}
	return dst, nil
}

// block decodes one Snappy block with the hand-written decoder and checks
// klauspost's decoder agrees.
func block(t *testing.T, b []byte) []byte {
	t.Helper()
	got, err := decodeSnappyBlock(b)
	if err != nil {
		t.Fatal(err)
	}
	other, err := s2.Decode(nil, b)
	if err != nil || !bytes.Equal(other, got) {
		t.Fatalf("s2.Decode disagrees: %v", err)
	}
	if len(got) > BlockSize {
		t.Fatalf("block holds %d bytes, more than %d", len(got), BlockSize)
	}
	return got
}

func u32(t *testing.T, b []byte) (uint32, []byte) {
	t.Helper()
	if len(b) < 4 {
		t.Fatalf("truncated length (%d bytes left)", len(b))
	}
	return binary.BigEndian.Uint32(b), b[4:]
}

// readXerial reads snappy-java's SnappyOutputStream format.
func readXerial(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) == 0 {
		return nil
	}
	if !bytes.HasPrefix(b, []byte("\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01")) {
		t.Fatalf("missing snappy-java header: % x", b[:min(16, len(b))])
	}
	b = b[16:]
	var out []byte
	for len(b) > 0 {
		var n uint32
		n, b = u32(t, b)
		if int(n) > len(b) {
			t.Fatalf("block length %d past end", n)
		}
		out = append(out, block(t, b[:n])...)
		b = b[n:]
	}
	return out
}

// readHadoop reads Hadoop's BlockCompressorStream format as
// BlockDecompressorStream does: per block an uncompressed length, then
// compressed chunks until that many bytes are produced.
func readHadoop(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	for len(b) > 0 {
		var want uint32
		want, b = u32(t, b)
		var got []byte
		for uint32(len(got)) < want {
			var n uint32
			n, b = u32(t, b)
			if int(n) > len(b) {
				t.Fatalf("chunk length %d past end", n)
			}
			got = append(got, block(t, b[:n])...)
			b = b[n:]
		}
		if uint32(len(got)) != want {
			t.Fatalf("block decoded to %d bytes, header says %d", len(got), want)
		}
		out = append(out, got...)
	}
	return out
}

func decode(t *testing.T, format string, b []byte, entry string) []byte {
	t.Helper()
	switch format {
	case Uncompressed:
		return b
	case GZIP:
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return out
	case ZIP:
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 1 || zr.File[0].Name != entry || zr.File[0].Method != zip.Deflate {
			t.Fatalf("zip holds %d entries; want one deflated entry %q", len(zr.File), entry)
		}
		rc, err := zr.File[0].Open()
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(rc) // checks the CRC-32
		if err != nil {
			t.Fatal(err)
		}
		return out
	case Snappy:
		return readXerial(t, b)
	case HadoopSnappy:
		return readHadoop(t, b)
	}
	t.Fatalf("no decoder for %s", format)
	return nil
}

func TestRoundTrip(t *testing.T) {
	for name, data := range inputs() {
		for _, format := range Formats {
			t.Run(format+"/"+name, func(t *testing.T) {
				const entry = "b7a0a0e4-1d6e-4b8f-9c4e-3f1b2a6c9d10"
				enc := compress(t, format, data, entry)
				if got := decode(t, format, enc, entry); !bytes.Equal(got, data) {
					t.Fatalf("decoded %d bytes, want %d (equal=%v)", len(got), len(data), bytes.Equal(got, data))
				}
				if (format == Snappy || format == HadoopSnappy) && len(data) == 0 && len(enc) != 0 {
					t.Fatalf("empty input gave %d bytes; snappy-java writes nothing", len(enc))
				}
				if format == GZIP && len(data) > 1<<20 && len(enc) > len(data)/3 && name == "json lines" {
					t.Fatalf("gzip of repetitive JSON is %d of %d bytes", len(enc), len(data))
				}
			})
		}
	}
}

// TestPython decodes GZIP and ZIP output with Python's gzip and zipfile.
func TestPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is required for this cross-check:", err)
	}
	data := inputs()["json lines"]
	want := sha256.Sum256(data)
	dir := t.TempDir()
	for _, c := range []struct{ format, script string }{
		{GZIP, "import gzip,sys,hashlib;print(hashlib.sha256(gzip.open(sys.argv[1]).read()).hexdigest())"},
		{ZIP, "import zipfile,sys,hashlib;z=zipfile.ZipFile(sys.argv[1]);n=z.namelist();assert n==['entry.json'],n;assert z.testzip() is None;print(hashlib.sha256(z.read(n[0])).hexdigest())"},
	} {
		path := filepath.Join(dir, "object"+Extension(c.format))
		if err := os.WriteFile(path, compress(t, c.format, data, "entry.json"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(python, "-c", c.script, path).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: python3: %v\n%s", c.format, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != hex.EncodeToString(want[:]) {
			t.Fatalf("%s: python3 read sha256 %s, want %x", c.format, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	cases := []struct{ format, ext, enc string }{
		{Uncompressed, "", ""},
		{GZIP, ".gz", "gzip"},
		{ZIP, ".zip", "zip"},
		{Snappy, ".snappy", "snappy-java"},
		{HadoopSnappy, ".snappy", "hadoop-snappy"},
		{"snappy", "", ""},
	}
	for _, c := range cases {
		if got := Extension(c.format); got != c.ext {
			t.Errorf("Extension(%q) = %q, want %q", c.format, got, c.ext)
		}
		if got := ContentEncoding(c.format); got != c.enc {
			t.Errorf("ContentEncoding(%q) = %q, want %q", c.format, got, c.enc)
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	for _, f := range []string{"snappy", "gzip", "Gzip", "ZSTD", "uncompressed", "HADOOP-SNAPPY", " GZIP"} {
		if w, err := NewWriter(f, io.Discard, "x"); !errors.Is(err, ErrUnknownFormat) || w != nil {
			t.Errorf("NewWriter(%q) = %v, %v; want ErrUnknownFormat", f, w, err)
		}
	}
	// The API omitting CompressionFormat means UNCOMPRESSED.
	var b bytes.Buffer
	w, err := NewWriter("", &b, "")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("raw"))
	w.Close()
	if b.String() != "raw" {
		t.Fatalf("empty format wrote %q", b.String())
	}
}

type failWriter struct{ after int }

var errDisk = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errDisk
	}
	f.after--
	return len(p), nil
}

// TestWriteErrors: an error from the destination surfaces from Write or
// Close, wrapped, and the writer stays failed.
func TestWriteErrors(t *testing.T) {
	data := inputs()["random"]
	for _, format := range Formats[1:] {
		t.Run(format, func(t *testing.T) {
			w, err := NewWriter(format, &failWriter{after: 1}, "e")
			if err != nil {
				t.Fatal(err)
			}
			_, werr := w.Write(data)
			cerr := w.Close()
			if !errors.Is(werr, errDisk) && !errors.Is(cerr, errDisk) {
				t.Fatalf("write error lost: Write=%v Close=%v", werr, cerr)
			}
		})
	}
}

func TestWriteAfterClose(t *testing.T) {
	for _, format := range []string{Snappy, HadoopSnappy} {
		w, _ := NewWriter(format, io.Discard, "")
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if _, err := w.Write([]byte("x")); err == nil {
			t.Fatalf("%s: write after close succeeded", format)
		}
	}
}

func BenchmarkCompress(b *testing.B) {
	data := inputs()["json lines"]
	for _, format := range Formats {
		b.Run(format, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				w, _ := NewWriter(format, &out, "e")
				w.Write(data)
				w.Close()
			}
			b.ReportMetric(float64(out.Len())/float64(len(data)), "ratio")
		})
	}
}
