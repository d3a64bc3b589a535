// Package compression owns the compression formats an Amazon Data Firehose
// extended S3 destination writes objects in: UNCOMPRESSED, GZIP, ZIP, Snappy
// and HADOOP_SNAPPY (the CompressionFormat enum of the Firehose API,
// botocore firehose/2015-08-04 service-2.json), with the object-name
// extension and Content-Encoding Firehose gives each ("Amazon S3 object name
// format" and "Configure destination settings" in the Amazon Data Firehose
// developer guide).
//
// The developer guide does not say which Snappy containers it means. What
// the service writes was established against real AWS by the floci project
// (github.com/floci-io/floci issue #2328: objects reproduced byte for byte
// with snappy-java), and this package follows the service:
//
//   - GZIP is RFC 1952 gzip; Content-Encoding gzip; ".gz".
//     (Deflate is klauspost/compress's, about twice the standard library's speed.)
//   - ZIP is a PKZIP archive with one deflated entry (Firehose names it with
//     a UUID); Content-Encoding zip; ".zip".
//   - Snappy is snappy-java's SnappyOutputStream stream, not the Snappy
//     framing format: the 8-byte magic 0x82 "SNAPPY" 0x00, big-endian int32
//     version 1 and minimum compatible version 1, then per block of at most
//     32 KiB of input a big-endian int32 compressed length and a raw Snappy
//     block. The header is written with the first block, so empty input
//     gives an empty object, as snappy-java does. Content-Encoding
//     snappy-java; ".snappy".
//   - HADOOP_SNAPPY is Hadoop's SnappyCodec block stream as snappy-java's
//     SnappyHadoopCompatibleOutputStream writes it: per block of at most
//     32 KiB of input, a big-endian int32 uncompressed length, a big-endian
//     int32 compressed length and a raw Snappy block. Content-Encoding
//     hadoop-snappy; ".snappy" (the guide's table says ".hsnappy", the
//     service delivers ".snappy").
package compression

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
)

// The CompressionFormat values of the Firehose API.
const (
	Uncompressed = "UNCOMPRESSED"
	GZIP         = "GZIP"
	ZIP          = "ZIP"
	Snappy       = "Snappy"
	HadoopSnappy = "HADOOP_SNAPPY"
)

// Formats lists every supported format, in the API's enum order.
var Formats = []string{Uncompressed, GZIP, ZIP, Snappy, HadoopSnappy}

// ErrUnknownFormat is returned for a format outside Formats. Formats are
// case-sensitive, as in the API ("snappy" is not "Snappy").
var ErrUnknownFormat = errors.New("compression: unknown format")

// NewWriter returns a writer that compresses what is written to it in format
// and writes the result to w. Close flushes the compressed stream's trailer;
// it does not close w. entryName names the single entry of a ZIP archive and
// is ignored by the other formats. The empty format means UNCOMPRESSED, as
// when the API request omits CompressionFormat.
func NewWriter(format string, w io.Writer, entryName string) (io.WriteCloser, error) {
	switch format {
	case Uncompressed, "":
		return nopCloser{w}, nil
	case GZIP:
		return gzip.NewWriter(w), nil
	case ZIP:
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.DefaultCompression)
		})
		ew, err := zw.CreateHeader(&zip.FileHeader{Name: entryName, Method: zip.Deflate, Modified: time.Now()})
		if err != nil {
			return nil, fmt.Errorf("compression: zip entry %q: %w", entryName, err)
		}
		return &zipWriter{zw: zw, w: ew}, nil
	case Snappy:
		return &blockWriter{w: w, buf: make([]byte, 0, BlockSize), header: xerialHeader[:]}, nil
	case HadoopSnappy:
		return &blockWriter{w: w, buf: make([]byte, 0, BlockSize), hadoop: true}, nil
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownFormat, format)
	}
}

// Extension returns the suffix Firehose appends to object names in format:
// ".gz", ".zip", ".snappy" for both Snappy formats, or "" for UNCOMPRESSED
// and unknown formats.
func Extension(format string) string {
	switch format {
	case GZIP:
		return ".gz"
	case ZIP:
		return ".zip"
	case Snappy, HadoopSnappy:
		return ".snappy"
	default:
		return ""
	}
}

// ContentEncoding returns the Content-Encoding Firehose sets on objects in
// format, or "" for UNCOMPRESSED and unknown formats.
func ContentEncoding(format string) string {
	switch format {
	case GZIP:
		return "gzip"
	case ZIP:
		return "zip"
	case Snappy:
		return "snappy-java"
	case HadoopSnappy:
		return "hadoop-snappy"
	default:
		return ""
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

type zipWriter struct {
	zw *zip.Writer
	w  io.Writer
}

func (z *zipWriter) Write(p []byte) (int, error) { return z.w.Write(p) }
func (z *zipWriter) Close() error                { return z.zw.Close() }

// BlockSize is the most input one Snappy or HADOOP_SNAPPY block holds:
// snappy-java's default block size, well inside Hadoop's 256 KiB
// decompressor buffer.
const BlockSize = 32 << 10

// xerialHeader starts a snappy-java stream: magic, version 1, minimum
// compatible version 1.
var xerialHeader = [16]byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}

// blockWriter buffers up to BlockSize bytes and writes each full buffer as
// one length-prefixed Snappy block, preceded by header before the first
// block, and by the uncompressed length when hadoop is set.
type blockWriter struct {
	w       io.Writer
	header  []byte
	hadoop  bool
	started bool
	buf     []byte
	out     []byte
	err     error
	closed  bool
}

func (h *blockWriter) Write(p []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	if h.closed {
		return 0, errors.New("compression: write after close")
	}
	n := 0
	for len(p) > 0 {
		k := copy(h.buf[len(h.buf):cap(h.buf)], p)
		h.buf = h.buf[:len(h.buf)+k]
		p = p[k:]
		n += k
		if len(h.buf) == cap(h.buf) {
			if err := h.flushBlock(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (h *blockWriter) flushBlock() error {
	if len(h.buf) == 0 {
		return nil
	}
	need := len(h.header) + 8 + s2.MaxEncodedLen(len(h.buf))
	if cap(h.out) < need {
		h.out = make([]byte, need)
	}
	out := h.out[:0]
	if !h.started {
		out = append(out, h.header...)
		h.started = true
	}
	if h.hadoop {
		out = binary.BigEndian.AppendUint32(out, uint32(len(h.buf)))
	}
	lenAt := len(out)
	out = append(out, 0, 0, 0, 0)
	enc := s2.EncodeSnappy(out[len(out):cap(out)], h.buf)
	binary.BigEndian.PutUint32(out[lenAt:], uint32(len(enc)))
	out = append(out, enc...) // enc already sits there; append keeps it correct if it was reallocated
	if _, err := h.w.Write(out); err != nil {
		h.err = fmt.Errorf("compression: snappy block: %w", err)
		return h.err
	}
	h.buf = h.buf[:0]
	return nil
}

func (h *blockWriter) Close() error {
	if h.closed {
		return h.err
	}
	h.closed = true
	if h.err != nil {
		return h.err
	}
	return h.flushBlock()
}
