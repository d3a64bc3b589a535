package columnar

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
)

// The Parquet file layout this package writes (format 2 metadata, data
// page v1, as parquet-mr/Hive writes for Firehose):
//
//	"PAR1"
//	row group 1: column chunk 1 .. column chunk n
//	  column chunk: [dictionary page] data page ...
//	  data page: Thrift PageHeader, then the (compressed) body:
//	    [repetition levels: u32 length + RLE/bit-packed hybrid]  if max rep > 0
//	    [definition levels: u32 length + RLE/bit-packed hybrid]  if max def > 0
//	    values: PLAIN, or RLE_DICTIONARY indices (bit width byte + hybrid)
//	...
//	FileMetaData (Thrift compact), u32 length, "PAR1"
//
// Pages end on record boundaries; a row group ends when its buffered size
// passes the block size. Enum values below are parquet.thrift's.

const (
	ptBoolean = 0
	ptInt32   = 1
	ptInt64   = 2
	ptInt96   = 3
	ptFloat   = 4
	ptDouble  = 5
	ptBytes   = 6
	ptFixed   = 7

	encPlain          = 0
	encPlainDict      = 2
	encRLE            = 3
	encRLEDictionary  = 8
	pageData          = 0
	pageDictionary    = 2
	repRequired       = 0
	repOptional       = 1
	repRepeated       = 2
	codecUncompressed = 0
	codecSnappy       = 1
	codecGzip         = 2
	codecZstd         = 6
)

var magic = []byte("PAR1")

// compressor compresses one page body. Implementations are safe for
// concurrent use.
type compressor struct {
	codec int32
	zenc  *zstd.Encoder
}

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}

func (c *compressor) compress(dst, src []byte) []byte {
	switch c.codec {
	case codecSnappy:
		n := snappy.MaxEncodedLen(len(src))
		if cap(dst) < n {
			dst = make([]byte, n)
		}
		// s2's fast Snappy-compatible encoder: any Snappy decoder reads
		// it; snappy.Encode (s2's "better" level) was 6× slower on
		// delivery's pages for ~1% smaller output.
		return s2.EncodeSnappy(dst[:n], src)
	case codecGzip:
		buf := bytes.NewBuffer(dst[:0])
		w := gzipPool.Get().(*gzip.Writer)
		w.Reset(buf)
		w.Write(src) // writes to a bytes.Buffer cannot fail
		w.Close()
		gzipPool.Put(w)
		return buf.Bytes()
	case codecZstd:
		return c.zenc.EncodeAll(src, dst[:0])
	}
	return append(dst[:0], src...)
}

// leafCol buffers one leaf column: the current page's levels and values,
// and the finished pages of the current row group's chunk.
type leafCol struct {
	path      []string
	phys      int32
	typeLen   int32
	maxDef    uint8
	maxRep    uint8
	defs      []uint8
	reps      []uint8
	vals      []byte // PLAIN-encoded values; booleans one byte each until the page is cut
	nvals     int
	dict      *dictionary // nil unless dictionary encoding is on for this column
	dictIdx   []uint32    // dictionary indices of the current page
	chunk     []byte      // finished pages (headers and bodies)
	chunkN    int64       // level entries in the chunk
	uncomp    int64
	comp      int64
	usedDict  bool // some page of the chunk is dictionary encoded
	usedPlain bool
	stats     chunkStats // of the chunk's finished pages
}

// chunkStats are a column chunk's statistics: the null count, and for
// INT32/INT64 columns (signed order) the minimum and maximum.
type chunkStats struct {
	nulls     int64
	hasMinMax bool
	min, max  int64
}

// pageStats adds the current page's values to l.stats.
func (l *leafCol) pageStats() {
	for _, d := range l.defs {
		if d < l.maxDef {
			l.stats.nulls++
		}
	}
	var width int
	switch {
	case l.phys == ptInt32:
		width = 4
	case l.phys == ptInt64:
		width = 8
	default:
		return
	}
	st := &l.stats
	for p := 0; p+width <= len(l.vals); p += width {
		var v int64
		if width == 4 {
			v = int64(int32(binary.LittleEndian.Uint32(l.vals[p:])))
		} else {
			v = int64(binary.LittleEndian.Uint64(l.vals[p:]))
		}
		if !st.hasMinMax {
			st.min, st.max, st.hasMinMax = v, v, true
			continue
		}
		st.min = min(st.min, v)
		st.max = max(st.max, v)
	}
}

// pageBytes estimates the current page's uncompressed size.
func (l *leafCol) pageBytes() int {
	return len(l.defs) + len(l.reps) + len(l.vals) + 4*len(l.dictIdx)
}

func (l *leafCol) null(r, d uint8) {
	l.defs = append(l.defs, d)
	if l.maxRep > 0 {
		l.reps = append(l.reps, r)
	}
}

// level records a present value's levels; the caller appends its bytes.
func (l *leafCol) level(r uint8) {
	l.defs = append(l.defs, l.maxDef)
	if l.maxRep > 0 {
		l.reps = append(l.reps, r)
	}
	l.nvals++
}

// colMark is a leafCol's page state before a record, to roll back to when
// the record fails.
type colMark struct{ defs, reps, vals, nvals, dictIdx, dictBytes int }

func (l *leafCol) mark() colMark {
	m := colMark{len(l.defs), len(l.reps), len(l.vals), l.nvals, len(l.dictIdx), 0}
	if l.dict != nil {
		m.dictBytes = len(l.dict.plain)
	}
	return m
}

func (l *leafCol) rollback(m colMark) {
	l.defs, l.reps, l.vals, l.nvals, l.dictIdx = l.defs[:m.defs], l.reps[:m.reps], l.vals[:m.vals], m.nvals, l.dictIdx[:m.dictIdx]
	// Forget dictionary entries the failed record added, so that the file
	// is exactly the one its good records alone would give.
	if d := l.dict; d != nil && len(d.plain) > m.dictBytes {
		for p := m.dictBytes; p < len(d.plain); {
			n := int(binary.LittleEndian.Uint32(d.plain[p:]))
			delete(d.index, string(d.plain[p+4:p+4+n]))
			p += 4 + n
		}
		d.plain = d.plain[:m.dictBytes]
	}
}

// pageScratch holds reusable buffers for cutting pages.
type pageScratch struct {
	body []byte
	comp []byte
	hdr  thriftWriter
}

// cutPage encodes the buffered page into the chunk.
func (l *leafCol) cutPage(c *compressor, s *pageScratch) {
	if len(l.defs) == 0 {
		return
	}
	body := s.body[:0]
	if l.maxRep > 0 {
		body = appendLevels(body, l.reps, l.maxRep)
	}
	if l.maxDef > 0 {
		body = appendLevels(body, l.defs, l.maxDef)
	}
	l.pageStats()
	enc := int32(encPlain)
	switch {
	case l.dict != nil && !l.dict.full:
		enc = encPlainDict
		bw := bits.Len32(uint32(len(l.dict.index)))
		body = append(body, byte(bw))
		body = appendHybrid32(body, l.dictIdx, bw)
		l.usedDict = true
	case l.phys == ptBoolean:
		body = appendPackedBools(body, l.vals)
		l.usedPlain = true
	default:
		body = append(body, l.vals...)
		l.usedPlain = true
	}
	s.body = body
	comp := c.compress(s.comp, body)
	s.comp = comp

	h := &s.hdr
	h.b, h.last = h.b[:0], h.last[:0]
	h.beginStruct()
	h.i32(1, pageData)
	h.i32(2, int32(len(body)))
	h.i32(3, int32(len(comp)))
	h.structField(5)
	h.i32(1, int32(len(l.defs)))
	h.i32(2, enc)
	h.i32(3, encRLE)
	h.i32(4, encRLE)
	h.endStruct()
	h.endStruct()
	l.chunk = append(l.chunk, h.b...)
	l.chunk = append(l.chunk, comp...)
	l.chunkN += int64(len(l.defs))
	l.uncomp += int64(len(h.b) + len(body))
	l.comp += int64(len(h.b) + len(comp))
	l.defs, l.reps, l.vals, l.nvals, l.dictIdx = l.defs[:0], l.reps[:0], l.vals[:0], 0, l.dictIdx[:0]
}

// appendLevels appends levels as a u32-length-prefixed hybrid run.
func appendLevels(dst []byte, lv []uint8, max uint8) []byte {
	at := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	bw := bits.Len8(max)
	i := 0
	n := len(lv)
	for i < n {
		j := i + 1
		for j < n && lv[j] == lv[i] {
			j++
		}
		if j-i >= 8 {
			dst = binary.AppendUvarint(dst, uint64(j-i)<<1)
			dst = append(dst, lv[i])
			i = j
			continue
		}
		start := i
		for i < n {
			if i > start {
				k := i + 1
				for k < n && lv[k] == lv[i] {
					k++
				}
				if k-i >= 8 {
					break
				}
			}
			i += 8
		}
		if i > n {
			i = n
		}
		groups := (i - start + 7) / 8
		dst = binary.AppendUvarint(dst, uint64(groups)<<1|1)
		var acc uint64
		var nb int
		for k := start; k < start+groups*8; k++ {
			var v uint64
			if k < i {
				v = uint64(lv[k])
			}
			acc |= v << nb
			nb += bw
			for nb >= 8 {
				dst = append(dst, byte(acc))
				acc >>= 8
				nb -= 8
			}
		}
		// groups*8*bw is a multiple of 8 bits: nothing is left in acc.
	}
	binary.LittleEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	return dst
}

// appendHybrid32 appends dictionary indices bit-packed (no length prefix).
func appendHybrid32(dst []byte, v []uint32, bw int) []byte {
	if bw == 0 {
		// One dictionary entry: every index is 0, a single RLE run of
		// zero-width values.
		return binary.AppendUvarint(dst, uint64(len(v))<<1)
	}
	groups := (len(v) + 7) / 8
	dst = binary.AppendUvarint(dst, uint64(groups)<<1|1)
	var acc uint64
	var nb int
	for k := 0; k < groups*8; k++ {
		var x uint64
		if k < len(v) {
			x = uint64(v[k])
		}
		acc |= x << nb
		nb += bw
		for nb >= 8 {
			dst = append(dst, byte(acc))
			acc >>= 8
			nb -= 8
		}
	}
	return dst
}

func appendPackedBools(dst []byte, v []byte) []byte {
	for i := 0; i < len(v); i += 8 {
		var b byte
		for k := 0; k < 8 && i+k < len(v); k++ {
			b |= v[i+k] << k
		}
		dst = append(dst, b)
	}
	return dst
}

// dictionary maps a BYTE_ARRAY column's distinct values to indices. When
// it outgrows maxDictBytes it is frozen (full) and later pages are PLAIN,
// as parquet-mr falls back.
type dictionary struct {
	index map[string]uint32
	plain []byte // PLAIN-encoded entries, in index order
	full  bool
}

const maxDictBytes = 1 << 20

// rgMeta describes one written column chunk.
type chunkMeta struct {
	start, offset, dictOffset int64
	n, uncomp, comp           int64
	encodings                 []int32
	stats                     chunkStats
}

type rowGroupMeta struct {
	rows   int64
	chunks []chunkMeta
	bytes  int64
	comp   int64
	offset int64
}

// fileWriter writes row groups to dst and the footer at the end.
type fileWriter struct {
	dst       io.Writer
	pos       int64
	rowGroups []rowGroupMeta
	hdr       thriftWriter
}

func (f *fileWriter) write(b []byte) error {
	n, err := f.dst.Write(b)
	f.pos += int64(n)
	if err != nil {
		return fmt.Errorf("columnar: write parquet: %w", err)
	}
	return nil
}

// flushRowGroup cuts every column's last page and writes the row group.
func (f *fileWriter) flushRowGroup(cols []*leafCol, rows int64, c *compressor, s *pageScratch) error {
	if rows == 0 {
		return nil
	}
	if f.pos == 0 {
		if err := f.write(magic); err != nil {
			return err
		}
	}
	rg := rowGroupMeta{rows: rows, offset: f.pos}
	for _, l := range cols {
		l.cutPage(c, s)
		cm := chunkMeta{start: f.pos, offset: f.pos, n: l.chunkN, uncomp: l.uncomp, comp: l.comp, dictOffset: -1, stats: l.stats}
		l.stats = chunkStats{}
		if l.usedDict {
			d := l.dict
			body := d.plain
			comp := c.compress(s.comp, body)
			s.comp = comp
			h := &f.hdr
			h.b, h.last = h.b[:0], h.last[:0]
			h.beginStruct()
			h.i32(1, pageDictionary)
			h.i32(2, int32(len(body)))
			h.i32(3, int32(len(comp)))
			h.structField(7)
			h.i32(1, int32(len(d.index)))
			h.i32(2, encPlainDict)
			h.endStruct()
			h.endStruct()
			cm.dictOffset = f.pos
			if err := f.write(h.b); err != nil {
				return err
			}
			if err := f.write(comp); err != nil {
				return err
			}
			cm.uncomp += int64(len(h.b) + len(body))
			cm.comp += int64(len(h.b) + len(comp))
			cm.offset = f.pos
			cm.encodings = append(cm.encodings, encPlainDict)
		}
		if l.usedPlain || !l.usedDict {
			cm.encodings = append(cm.encodings, encPlain)
		}
		cm.encodings = append(cm.encodings, encRLE)
		if err := f.write(l.chunk); err != nil {
			return err
		}
		rg.bytes += cm.uncomp
		rg.comp += cm.comp
		rg.chunks = append(rg.chunks, cm)
		l.chunk, l.chunkN, l.uncomp, l.comp = l.chunk[:0], 0, 0, 0
		l.usedDict, l.usedPlain = false, false
		if l.dict != nil {
			l.dict.reset()
		}
	}
	f.rowGroups = append(f.rowGroups, rg)
	return nil
}

func (d *dictionary) reset() {
	clear(d.index)
	d.plain = d.plain[:0]
	d.full = false
}

// close writes the footer. It writes nothing when no row was written.
func (f *fileWriter) close(sch *schema, codec int32) error {
	if len(f.rowGroups) == 0 {
		return nil
	}
	var total int64
	for _, rg := range f.rowGroups {
		total += rg.rows
	}
	w := &thriftWriter{}
	w.beginStruct()
	w.i32(1, 1)
	w.listHeader(2, tcStruct, len(sch.elements))
	for _, e := range sch.elements {
		e.write(w)
	}
	w.i64(3, total)
	w.listHeader(4, tcStruct, len(f.rowGroups))
	for i, rg := range f.rowGroups {
		w.beginStruct()
		w.listHeader(1, tcStruct, len(rg.chunks))
		for k, cm := range rg.chunks {
			l := sch.leaves[k]
			w.beginStruct()
			w.i64(2, cm.start)
			w.structField(3)
			w.i32(1, l.phys)
			w.listI32(2, cm.encodings)
			w.listString(3, l.path)
			w.i32(4, codec)
			w.i64(5, cm.n)
			w.i64(6, cm.uncomp)
			w.i64(7, cm.comp)
			w.i64(9, cm.offset)
			if cm.dictOffset >= 0 {
				w.i64(11, cm.dictOffset)
			}
			w.structField(12)
			if st := cm.stats; st.hasMinMax {
				var lo, hi []byte
				if l.phys == ptInt32 {
					lo = binary.LittleEndian.AppendUint32(nil, uint32(int32(st.min)))
					hi = binary.LittleEndian.AppendUint32(nil, uint32(int32(st.max)))
				} else {
					lo = binary.LittleEndian.AppendUint64(nil, uint64(st.min))
					hi = binary.LittleEndian.AppendUint64(nil, uint64(st.max))
				}
				// The deprecated max/min (1, 2) mean the same for signed
				// integers; older readers look only at them.
				w.str(1, string(hi))
				w.str(2, string(lo))
				w.i64(3, cm.stats.nulls)
				w.str(5, string(hi))
				w.str(6, string(lo))
			} else {
				w.i64(3, cm.stats.nulls)
			}
			w.endStruct()
			w.endStruct()
			w.endStruct()
		}
		w.i64(2, rg.bytes)
		w.i64(3, rg.rows)
		w.i64(5, rg.offset)
		w.i64(6, rg.comp)
		w.fieldHeader(7, 4) // i16 ordinal
		w.varint(uint64(uint16((int16(i) << 1) ^ (int16(i) >> 15))))
		w.endStruct()
	}
	w.str(6, "caudal columnar (parquet-mr compatible layout)")
	// Every column sorts by its type's order (TypeDefinedOrder), which
	// tells readers that min_value/max_value can be trusted.
	w.listHeader(7, tcStruct, len(sch.leaves))
	for range sch.leaves {
		w.beginStruct()
		w.structField(1)
		w.endStruct()
		w.endStruct()
	}
	w.endStruct()
	if err := f.write(w.b); err != nil {
		return err
	}
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:], uint32(len(w.b)))
	copy(tail[4:], magic)
	return f.write(tail[:])
}
