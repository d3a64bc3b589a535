// Package compression owns the compression formats an Amazon Data Firehose
// extended S3 destination writes objects in: UNCOMPRESSED, GZIP, ZIP, Snappy
// and HADOOP_SNAPPY (the CompressionFormat enum of the Firehose API,
// botocore firehose/2015-08-04 service-2.json), and the file-name extension
// Firehose appends for each ("Understand data delivery in Amazon Data
// Firehose" and "Configure destination settings" in the Firehose developer
// guide).
//
//   - GZIP is RFC 1952 gzip.
//   - ZIP is a PKZIP archive with one deflated entry.
//   - Snappy is the Snappy framing format (google/snappy framing_format.txt):
//     stream identifier, then checksummed compressed or uncompressed chunks.
//   - HADOOP_SNAPPY is Hadoop's SnappyCodec stream as written by
//     BlockCompressorStream: per block, a 4-byte big-endian uncompressed length,
//     then a 4-byte big-endian compressed length and that many bytes of raw
//     Snappy block. Blocks hold at most 218,422 bytes of input: Hadoop's
//     256 KiB io.compression.codec.snappy.buffersize minus its
//     compression overhead (buffersize/6 + 32), so Hadoop's fixed-size
//     decompressor buffer always fits a block.
package compression

import (
	"archive/zip"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy"
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
		ew, err := zw.CreateHeader(&zip.FileHeader{Name: entryName, Method: zip.Deflate})
		if err != nil {
			return nil, fmt.Errorf("compression: zip entry %q: %w", entryName, err)
		}
		return &zipWriter{zw: zw, w: ew}, nil
	case Snappy:
		return snappy.NewBufferedWriter(w), nil
	case HadoopSnappy:
		return &hadoopSnappyWriter{w: w, buf: make([]byte, 0, HadoopBlockSize)}, nil
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownFormat, format)
	}
}

// Extension returns the suffix Firehose appends to object names in format:
// ".gz", ".zip", ".snappy", or "" for UNCOMPRESSED and unknown formats.
// Firehose names HADOOP_SNAPPY objects with ".hsnappy".
func Extension(format string) string {
	switch format {
	case GZIP:
		return ".gz"
	case ZIP:
		return ".zip"
	case Snappy:
		return ".snappy"
	case HadoopSnappy:
		return ".hsnappy"
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

// HadoopBlockSize is the most input one HADOOP_SNAPPY block holds.
const HadoopBlockSize = 256<<10 - (256<<10/6 + 32)

// hadoopSnappyWriter buffers up to HadoopBlockSize bytes and writes each
// full buffer as one block.
type hadoopSnappyWriter struct {
	w      io.Writer
	buf    []byte
	out    []byte
	err    error
	closed bool
}

func (h *hadoopSnappyWriter) Write(p []byte) (int, error) {
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

func (h *hadoopSnappyWriter) flushBlock() error {
	if len(h.buf) == 0 {
		return nil
	}
	need := 8 + s2.MaxEncodedLen(len(h.buf))
	if cap(h.out) < need {
		h.out = make([]byte, need)
	}
	out := h.out[:need]
	enc := s2.EncodeSnappy(out[8:], h.buf)
	binary.BigEndian.PutUint32(out[0:4], uint32(len(h.buf)))
	binary.BigEndian.PutUint32(out[4:8], uint32(len(enc)))
	if _, err := h.w.Write(out[:8+len(enc)]); err != nil {
		h.err = fmt.Errorf("compression: hadoop snappy block: %w", err)
		return h.err
	}
	h.buf = h.buf[:0]
	return nil
}

func (h *hadoopSnappyWriter) Close() error {
	if h.closed {
		return h.err
	}
	h.closed = true
	if h.err != nil {
		return h.err
	}
	return h.flushBlock()
}
