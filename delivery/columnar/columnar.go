// Package columnar converts JSON records to Parquet the way Amazon Data
// Firehose's record format conversion does: each record is deserialized
// with the OpenX or Hive JSON SerDe's rules against the columns of a Glue
// table, records that do not fit fail one by one with Firehose's error
// codes, and the rest are written as one Parquet file.
//
// The Parquet writer is this package's own (parquet.go, schema.go): pure
// Go, streaming to an io.Writer, with Hive's physical layout (INT96
// timestamps, fixed-length decimals, three-level lists and maps) so that
// Athena, Trino, Spark and DuckDB read the files as they read Firehose's.
//
// Deserialization follows the OpenX SerDe as Athena documents it (and the
// Hive SerDe where they differ): JSON keys match columns case-insensitively
// unless CaseInsensitive is false; missing keys and null are NULL; extra
// keys are ignored; numbers in strings are coerced; a value that cannot be
// coerced (an integer out of range, "abc" for a double, an object for an
// int) fails its record with DataFormatConversion.MalformedData, and text
// that is not JSON objects with DataFormatConversion.ParseError. Strings
// take any JSON value (objects and arrays as their JSON text); booleans are
// true only for "true" in any case; binary is base64; a decimal that needs
// more digits than its precision is NULL, as in Hive; a scalar where an
// array is expected is a one-element array. Timestamps: see timestamp.go.
package columnar

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
)

// Column is one column of the target table, with its Hive type as the Glue
// table stores it: string, varchar(n), char(n), boolean, tinyint, smallint,
// int, bigint, float, double, decimal(p,s), date, timestamp, binary,
// array<T>, map<K,V>, struct<a:T,...>.
type Column struct{ Name, Type string }

// Deserializer is Firehose's InputFormatConfiguration.Deserializer: Hive
// selects the Hive JSON SerDe (with its TimestampFormats), otherwise the
// OpenX JSON SerDe options apply. CaseInsensitive nil means true.
type Deserializer struct {
	Hive                               bool
	TimestampFormats                   []string
	CaseInsensitive                    *bool
	ColumnToJSONKeyMappings            map[string]string
	ConvertDotsInJSONKeysToUnderscores bool
}

// Options configure a Converter: the table's columns, the deserializer and
// the Parquet serializer's settings (Firehose's ParquetSerDe; zero values
// take its defaults).
type Options struct {
	Columns      []Column
	Deserializer Deserializer
	// Compression is SNAPPY (the default), GZIP or UNCOMPRESSED, the
	// values of Firehose's ParquetCompression; ZSTD is accepted too,
	// though Firehose's API does not offer it.
	Compression string
	// BlockSizeBytes is the row group size: 256 MiB by default, at least
	// 64 MiB.
	BlockSizeBytes int
	// PageSizeBytes is the page size: 1 MiB by default, at least 64 KiB.
	PageSizeBytes               int
	EnableDictionaryCompression bool
}

// Firehose's error codes for records that format conversion rejects, as
// it writes them into the error records under the error output prefix.
const (
	// CodeParseError: the record is not JSON (or not a JSON object).
	CodeParseError = "DataFormatConversion.ParseError"
	// CodeMalformedData: a value does not match its column's type.
	CodeMalformedData = "DataFormatConversion.MalformedData"
)

// Failure is one record that could not be converted.
type Failure struct {
	Index         int
	Code, Message string
}

// Firehose's ParquetSerDe limits and defaults.
const (
	defaultBlockSize = 256 << 20
	minBlockSize     = 64 << 20
	defaultPageSize  = 1 << 20
	minPageSize      = 64 << 10
)

// Converter converts batches of JSON records to Parquet files. It is safe
// for concurrent use; each Convert call works on its own buffers, pooled.
type Converter struct {
	opt             Options
	cols            []Column // names lower-cased
	types           []*hiveType
	caseInsensitive bool
	keys            map[string]string // column or field name → JSON key, normalized
	ts              tsParser
	comp            compressor
	blockSize       int
	pageSize        int
	dictLimit       int       // dictionary size at which a column falls back to PLAIN
	pool            sync.Pool // *state
}

// ErrInvalidOptions marks a bad Options value.
var ErrInvalidOptions = errors.New("columnar: invalid options")

// New checks opt and returns a Converter.
func New(opt Options) (*Converter, error) {
	c := &Converter{opt: opt, caseInsensitive: true}
	if opt.Deserializer.CaseInsensitive != nil {
		c.caseInsensitive = *opt.Deserializer.CaseInsensitive
	}
	if len(opt.Columns) == 0 {
		return nil, fmt.Errorf("%w: the table has no columns", ErrInvalidOptions)
	}
	seen := map[string]bool{}
	for _, col := range opt.Columns {
		name := lowerASCII(strings.TrimSpace(col.Name))
		if name == "" {
			return nil, fmt.Errorf("%w: a column has no name", ErrInvalidOptions)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: duplicate column %q", ErrInvalidOptions, name)
		}
		seen[name] = true
		t, err := parseHiveType(col.Type)
		if err != nil {
			return nil, fmt.Errorf("%w: column %q: %w", ErrInvalidOptions, name, err)
		}
		c.cols = append(c.cols, Column{Name: name, Type: t.String()})
		c.types = append(c.types, t)
	}
	c.keys = map[string]string{}
	for col, key := range opt.Deserializer.ColumnToJSONKeyMappings {
		if key == "" {
			return nil, fmt.Errorf("%w: empty JSON key for column %q in ColumnToJsonKeyMappings", ErrInvalidOptions, col)
		}
		c.keys[lowerASCII(col)] = c.normalize(key)
	}
	c.ts.hive = opt.Deserializer.Hive
	for _, f := range opt.Deserializer.TimestampFormats {
		jf, err := compileJoda(f)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
		}
		c.ts.formats = append(c.ts.formats, jf)
	}
	switch strings.ToUpper(opt.Compression) {
	case "", "SNAPPY":
		c.comp.codec = codecSnappy
	case "GZIP":
		c.comp.codec = codecGzip
	case "ZSTD":
		c.comp.codec = codecZstd
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("columnar: zstd: %w", err)
		}
		c.comp.zenc = enc
	case "UNCOMPRESSED":
		c.comp.codec = codecUncompressed
	default:
		return nil, fmt.Errorf("%w: unsupported Parquet compression %q", ErrInvalidOptions, opt.Compression)
	}
	c.blockSize, c.pageSize, c.dictLimit = opt.BlockSizeBytes, opt.PageSizeBytes, maxDictBytes
	switch {
	case c.blockSize == 0:
		c.blockSize = defaultBlockSize
	case c.blockSize < minBlockSize:
		return nil, fmt.Errorf("%w: BlockSizeBytes %d is below the minimum %d", ErrInvalidOptions, c.blockSize, minBlockSize)
	}
	switch {
	case c.pageSize == 0:
		c.pageSize = defaultPageSize
	case c.pageSize < minPageSize:
		return nil, fmt.Errorf("%w: PageSizeBytes %d is below the minimum %d", ErrInvalidOptions, c.pageSize, minPageSize)
	}
	return c, nil
}

// normalize applies the deserializer's case rule to a name or JSON key.
func (c *Converter) normalize(k string) string {
	if c.caseInsensitive {
		k = lowerASCII(k)
	}
	return k
}

// keyOf is the normalized JSON key a column or struct field is read from.
func (c *Converter) keyOf(name string) string {
	if k, ok := c.keys[name]; ok {
		return k
	}
	return c.normalize(name)
}

// maxPooledBytes bounds the buffers a pooled state keeps between calls.
const maxPooledBytes = 64 << 20

// state is one Convert call's schema tree, column buffers and scratch.
type state struct {
	sch     *schema
	sh      shredder
	marks   []colMark
	scratch pageScratch
}

func (c *Converter) getState() *state {
	if st, ok := c.pool.Get().(*state); ok {
		return st
	}
	st := &state{sch: buildSchema(c.cols, c.types, c.keyOf, c.opt.Deserializer.ConvertDotsInJSONKeysToUnderscores, c.opt.EnableDictionaryCompression)}
	st.sh.c = c
	st.marks = make([]colMark, len(st.sch.leaves))
	return st
}

func (c *Converter) putState(st *state) {
	for _, l := range st.sch.leaves {
		l.defs, l.reps, l.vals, l.nvals, l.dictIdx = l.defs[:0], l.reps[:0], l.vals[:0], 0, l.dictIdx[:0]
		l.chunk, l.chunkN, l.uncomp, l.comp, l.usedDict, l.usedPlain = l.chunk[:0], 0, 0, 0, false, false
		l.stats = chunkStats{}
		if l.dict != nil {
			l.dict.reset()
		}
	}
	st.sh.data = nil
	// Don't pin a huge batch's buffers in the pool.
	held := 32 * cap(st.sh.p.nodes)
	for _, l := range st.sch.leaves {
		held += cap(l.chunk) + cap(l.vals) + cap(l.defs) + cap(l.reps) + 4*cap(l.dictIdx)
	}
	if held > maxPooledBytes {
		return
	}
	c.pool.Put(st)
}

// Convert writes the records that convert as one Parquet file to dst and
// reports the others, by index, in order. Each record is JSON text holding
// one object, or several concatenated ones (Firehose accepts
// {"a":1}{"a":2} in one record), each becoming a row; a record fails as a
// whole. written counts the records written. When every record fails,
// nothing is written to dst. err is a write error on dst only.
func (c *Converter) Convert(records [][]byte, dst io.Writer) (written int, failed []Failure, err error) {
	st := c.getState()
	defer c.putState(st)
	leaves := st.sch.leaves
	fw := fileWriter{dst: dst}
	var rows int64
	for idx, rec := range records {
		// Cut pages and row groups only between records, so that a failed
		// record can be rolled back within the current page.
		var buffered int
		for _, l := range leaves {
			if l.dict != nil && !l.dict.full && len(l.dict.plain) > c.dictLimit {
				l.cutPage(&c.comp, &st.scratch)
				l.dict.full = true
			}
			if l.pageBytes() >= c.pageSize {
				l.cutPage(&c.comp, &st.scratch)
			}
			buffered += len(l.chunk) + l.pageBytes()
		}
		if buffered >= c.blockSize {
			if err := fw.flushRowGroup(leaves, rows, &c.comp, &st.scratch); err != nil {
				return written, failed, err
			}
			rows = 0
		}
		for i, l := range leaves {
			st.marks[i] = l.mark()
		}
		n, code, msg := st.record(rec)
		if code != "" {
			for i, l := range leaves {
				l.rollback(st.marks[i])
			}
			failed = append(failed, Failure{Index: idx, Code: code, Message: msg})
			continue
		}
		rows += int64(n)
		written++
	}
	if err := fw.flushRowGroup(leaves, rows, &c.comp, &st.scratch); err != nil {
		return written, failed, err
	}
	if err := fw.close(st.sch, c.comp.codec); err != nil {
		return written, failed, err
	}
	return written, failed, nil
}

// record shreds every JSON object in rec and returns the rows written, or
// the failure's code and message.
func (st *state) record(rec []byte) (rows int, code, msg string) {
	if !utf8.Valid(rec) {
		return 0, CodeParseError, "Encountered malformed JSON. Invalid UTF-8 in the record"
	}
	sh := &st.sh
	sh.data = rec
	sh.pairs = sh.pairs[:0]
	p := &sh.p
	p.data, p.i = rec, 0
	for {
		p.skipSpace()
		if p.i >= len(rec) {
			break
		}
		p.nodes = p.nodes[:0]
		root, err := p.parseValue(0)
		if err != nil {
			return 0, CodeParseError, "Encountered malformed JSON. " + err.Error()
		}
		if k := p.nodes[root].kind; k != jObj {
			return 0, CodeParseError, fmt.Sprintf("Encountered malformed JSON. Expected a JSON object but found %s", k)
		}
		if err := sh.object(st.sch.root, root, 0); err != nil {
			return 0, CodeMalformedData, err.Error()
		}
		rows++
	}
	if rows == 0 {
		return 0, CodeParseError, "Encountered malformed JSON. The record holds no JSON object"
	}
	return rows, "", ""
}
