package shardlog

// On-disk format, version 1.
//
// THIS LAYOUT MUST NOT CHANGE SILENTLY. Logs written by earlier builds are
// real user data. Any change to the bytes below needs a new format version
// (segHeader.version), a reader for the previous version kept in
// parseSegHeader/decodeRecord (version N-1 stays readable), and a test that
// reads a file written in the old layout (see TestFormatV1Golden).
//
// A log is a directory of segment files, each named by the offset of its
// first record as 20 decimal digits plus ".seg" (e.g. 00000000000000000042.seg),
// so lexical and numeric order agree. Other files in the directory are ignored.
// Only the newest segment (the active one) is ever written; all others are
// immutable until removed whole by retention.
//
// Every segment starts with a 24-byte header; integers are little-endian:
//
//	off size field
//	  0    8 magic    "CAUDSLOG"
//	  8    2 version  format version of this file (1)
//	 10    2 reserved zero
//	 12    8 base     offset of the first record; equals the file name
//	 20    4 crc      CRC-32C (Castagnoli) of bytes [0, 20)
//
// The header is followed by records back to back, with no padding:
//
//	off size field
//	  0    4 crc      CRC-32C of bytes [4, 8+length): everything below
//	  4    4 length   bytes after this field: 18 + keyLen + len(data)
//	  8    8 offset   record offset; base, base+1, ... within the segment
//	 16    8 ts       arrival time, Unix milliseconds (signed)
//	 24    2 keyLen   partition key length in bytes
//	 26    k key      partition key
//	26+k   n data     payload
//
// A record is valid when its length lies in [18, MaxRecordBytes-8], keyLen
// fits inside length, the CRC matches, its offset is the one expected at
// that position (base + its index) and its timestamp is not below the
// previous record's (the writer never goes back in time). The CRC covers the length field, so a damaged length cannot
// make a wrong frame look valid unless the bytes it points to checksum too.
// The first invalid or incomplete record ends a segment's valid prefix.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strconv"
	"strings"
)

const (
	segMagic = "CAUDSLOG"
	// formatVersion is the version this build writes.
	formatVersion = 1
	segHeaderSize = 24
	segSuffix     = ".seg"

	recHeaderSize = 26 // crc, length, offset, ts, keyLen
	recFixedBody  = 18 // offset, ts, keyLen: the part of length that is not key or data

	// MaxKeyBytes is the longest partition key a record can hold.
	MaxKeyBytes = 1<<16 - 1
	// MaxRecordBytes bounds one framed record (header, key and data). It is
	// part of the format: recovery treats a longer length field as damage.
	MaxRecordBytes = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Reasons a segment's valid prefix ends. They are internal: recovery turns
// them into truncation (tail) or ErrCorrupt (elsewhere).
var (
	errShort = errors.New("incomplete record")
	errBad   = errors.New("invalid record")
)

// frameSize is the on-disk size of a record with the given key and data.
func frameSize(keyLen, dataLen int) int64 {
	return recHeaderSize + int64(keyLen) + int64(dataLen)
}

// segName is the file name of the segment whose first offset is base.
func segName(base uint64) string {
	return fmt.Sprintf("%020d%s", base, segSuffix)
}

// parseSegName returns the base offset encoded in a segment file name.
func parseSegName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segSuffix)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	base, err := strconv.ParseUint(digits, 10, 64)
	return base, err == nil
}

// appendSegHeader appends a current-version segment header to b.
func appendSegHeader(b []byte, base uint64) []byte {
	start := len(b)
	b = append(b, segMagic...)
	b = binary.LittleEndian.AppendUint16(b, formatVersion)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint64(b, base)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// parseSegHeader validates a segment header and returns its base offset.
// The version is checked before anything else version-specific, so a file
// from a newer build fails with ErrUnsupportedVersion rather than looking
// corrupt. errShort means b is shorter than a header; errBad means damage.
func parseSegHeader(b []byte) (base uint64, err error) {
	if len(b) < 10 {
		return 0, errShort
	}
	if string(b[:8]) != segMagic {
		return 0, fmt.Errorf("bad magic %q: %w", b[:8], errBad)
	}
	switch v := binary.LittleEndian.Uint16(b[8:10]); v {
	case 1:
		// The only version so far. When version 2 arrives, keep this case
		// (and decodeRecord's v1 path) so existing logs stay readable.
		if len(b) < segHeaderSize {
			return 0, errShort
		}
		if crc32.Checksum(b[:20], castagnoli) != binary.LittleEndian.Uint32(b[20:24]) {
			return 0, fmt.Errorf("header checksum mismatch: %w", errBad)
		}
		if binary.LittleEndian.Uint16(b[10:12]) != 0 {
			return 0, fmt.Errorf("reserved header field set: %w", errBad)
		}
		return binary.LittleEndian.Uint64(b[12:20]), nil
	default:
		return 0, fmt.Errorf("segment format version %d (this build reads 1..%d): %w", v, formatVersion, ErrUnsupportedVersion)
	}
}

// appendRecord appends one framed record to b.
func appendRecord(b []byte, offset uint64, ts int64, key string, data []byte) []byte {
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, 0) // crc, filled below
	b = binary.LittleEndian.AppendUint32(b, uint32(recFixedBody+len(key)+len(data)))
	b = binary.LittleEndian.AppendUint64(b, offset)
	b = binary.LittleEndian.AppendUint64(b, uint64(ts))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(key)))
	b = append(b, key...)
	b = append(b, data...)
	binary.LittleEndian.PutUint32(b[start:], crc32.Checksum(b[start+4:], castagnoli))
	return b
}

// recView is a decoded record whose key and data alias the decoder's input.
type recView struct {
	offset uint64
	ts     int64
	key    []byte
	data   []byte
	size   int // framed size
}

// frameLen returns the framed size announced by the record header at the
// start of b (which must hold at least 8 bytes), or errBad if the length
// field is impossible.
func frameLen(b []byte) (int, error) {
	n := binary.LittleEndian.Uint32(b[4:8])
	if n < recFixedBody || int64(n)+8 > MaxRecordBytes {
		return 0, fmt.Errorf("record length %d out of range: %w", n, errBad)
	}
	return int(n) + 8, nil
}

// decodeRecord decodes the record at the start of b. It returns errShort
// when b ends before the frame does and errBad when the frame is invalid.
// When verify is false the checksum is not computed (used to skip records
// known to have been verified, never to serve them).
func decodeRecord(b []byte, verify bool) (recView, error) {
	if len(b) < 8 {
		return recView{}, errShort
	}
	size, err := frameLen(b)
	if err != nil {
		return recView{}, err
	}
	if len(b) < size {
		return recView{}, errShort
	}
	f := b[:size]
	if verify && crc32.Checksum(f[4:], castagnoli) != binary.LittleEndian.Uint32(f[0:4]) {
		return recView{}, fmt.Errorf("record checksum mismatch: %w", errBad)
	}
	keyLen := int(binary.LittleEndian.Uint16(f[24:26]))
	if recHeaderSize+keyLen > size {
		return recView{}, fmt.Errorf("key length %d exceeds record: %w", keyLen, errBad)
	}
	return recView{
		offset: binary.LittleEndian.Uint64(f[8:16]),
		ts:     int64(binary.LittleEndian.Uint64(f[16:24])),
		key:    f[recHeaderSize : recHeaderSize+keyLen],
		data:   f[recHeaderSize+keyLen:],
		size:   size,
	}, nil
}

// segReader reads consecutive records of one segment file through a
// reusable buffer. Views it returns are valid until its next call.
type segReader struct {
	r      io.ReaderAt
	pos    int64 // file position of buf[lo]
	end    int64 // read no further than this file position
	buf    []byte
	lo, hi int // buf[lo:hi] holds file bytes [pos, pos+hi-lo)
	// ahead is how much the next read asks for beyond what is needed. It
	// starts small (a short Read or a seek touches a few KiB) and doubles
	// with every read (a long scan soon reads whole buffers).
	ahead int
}

const initialReadAhead = 16 << 10

func (sr *segReader) reset(r io.ReaderAt, pos, end int64, buf []byte) {
	*sr = segReader{r: r, pos: pos, end: end, buf: buf[:cap(buf)], ahead: initialReadAhead}
}

// fill makes at least n bytes available in buf[lo:hi], or returns errShort
// when the file (up to end) holds fewer.
func (sr *segReader) fill(n int) error {
	avail := sr.hi - sr.lo
	if avail >= n {
		return nil
	}
	left := sr.end - sr.pos - int64(avail)
	if int64(n-avail) > left {
		return errShort
	}
	if len(sr.buf)-sr.lo < n {
		if len(sr.buf) < n {
			nb := make([]byte, max(n, 2*len(sr.buf)))
			copy(nb, sr.buf[sr.lo:sr.hi])
			sr.buf = nb
		} else {
			copy(sr.buf, sr.buf[sr.lo:sr.hi])
		}
		sr.lo, sr.hi = 0, avail
	}
	want := min(int64(len(sr.buf)-sr.hi), left, int64(max(n-avail, sr.ahead)))
	sr.ahead *= 2
	m, err := sr.r.ReadAt(sr.buf[sr.hi:sr.hi+int(want)], sr.pos+int64(avail))
	sr.hi += m
	if int64(m) < want {
		if err == nil || err == io.EOF {
			// The file is shorter than it was: treated like any other
			// record cut short.
			return fmt.Errorf("file ends before byte %d: %w", sr.pos+int64(avail)+want, errShort)
		}
		return fmt.Errorf("read at %d: %w", sr.pos+int64(avail), err)
	}
	return nil
}

// next decodes the record at the reader's position and advances past it.
// It returns io.EOF exactly at end, errShort for a record cut off by end,
// errBad for damage, or an I/O error.
func (sr *segReader) next(verify bool) (recView, int64, error) {
	at := sr.pos
	if at == sr.end {
		return recView{}, at, io.EOF
	}
	if err := sr.fill(8); err != nil {
		return recView{}, at, err
	}
	size, err := frameLen(sr.buf[sr.lo:sr.hi])
	if err != nil {
		return recView{}, at, err
	}
	if err := sr.fill(size); err != nil {
		return recView{}, at, err
	}
	v, err := decodeRecord(sr.buf[sr.lo:sr.hi], verify)
	if err != nil {
		return recView{}, at, err
	}
	sr.lo += size
	sr.pos += int64(size)
	return v, at, nil
}

// indexEveryBytes is the spacing of the sparse index: a Read scans at most
// this many bytes of records it does not return.
const indexEveryBytes = 8 << 10

// indexEntry locates one record: the sparse index of a segment holds one for
// its first record and then one at least every indexEveryBytes.
type indexEntry struct {
	offset uint64
	pos    int64
	ts     int64
}

// scanResult is what a full scan of a segment file found.
type scanResult struct {
	base    uint64
	end     int64  // end of the valid prefix (file position)
	next    uint64 // offset after the last valid record
	firstTs int64
	lastTs  int64
	index   []indexEntry
	// stop says why the scan ended before the file did: nil when the whole
	// file is valid, else errShort/errBad (wrapped) or an I/O error.
	stop error
}

// Arguments of scanSegment that ask for the whole file.
const (
	noLimit = math.MaxUint64
	allRecs = 0
)

// scanSegment validates the segment in r (size bytes) and indexes its valid
// prefix. A header that cannot be parsed is returned as err (wrapping
// errShort, errBad or ErrUnsupportedVersion); record damage is reported in
// res.stop. The scan also ends, cleanly, before a record whose offset is
// limit, and after maxRecords records if that is > 0. buf is scratch space.
func scanSegment(r io.ReaderAt, size int64, buf []byte, limit uint64, maxRecords int) (res scanResult, err error) {
	var hdr [segHeaderSize]byte
	n, rerr := r.ReadAt(hdr[:min(size, segHeaderSize)], 0)
	if n < int(min(size, segHeaderSize)) {
		return res, fmt.Errorf("read header: %w", rerr)
	}
	base, err := parseSegHeader(hdr[:n])
	if err != nil {
		return res, err
	}
	res = scanResult{base: base, end: segHeaderSize, next: base}
	var sr segReader
	sr.reset(r, segHeaderSize, size, buf)
	lastIdx := int64(-indexEveryBytes)
	for {
		if res.next == limit || (maxRecords > 0 && res.next-base == uint64(maxRecords)) {
			return res, nil
		}
		v, at, err := sr.next(true)
		if err == io.EOF {
			return res, nil
		}
		if err == nil && v.offset != res.next {
			err = fmt.Errorf("offset %d where %d expected: %w", v.offset, res.next, errBad)
		}
		if err == nil && res.next > base && v.ts < res.lastTs {
			err = fmt.Errorf("timestamp %d before previous %d: %w", v.ts, res.lastTs, errBad)
		}
		if err != nil {
			res.stop = fmt.Errorf("at byte %d: %w", at, err)
			return res, nil
		}
		if res.next == base {
			res.firstTs = v.ts
		}
		if at-lastIdx >= indexEveryBytes {
			res.index = append(res.index, indexEntry{offset: v.offset, pos: at, ts: v.ts})
			lastIdx = at
		}
		res.lastTs = v.ts
		res.next++
		res.end = at + int64(v.size)
	}
}
