// Package partitionkey owns dynamic partitioning's inline parsing: the
// MetadataExtraction processor of an Amazon Data Firehose extended S3
// destination with JsonParsingEngine "JQ-1.6". Its MetadataExtractionQuery
// runs on each JSON record and yields an object whose keys become the
// !{partitionKeyFromQuery:<key>} values of the S3 prefix ("Understand
// partitioning keys" and "Troubleshoot dynamic partitioning errors" in the
// Amazon Data Firehose developer guide).
//
// Queries run on github.com/itchyny/gojq, made to behave as jq 1.6 where it
// shows in a partition value:
//   - Input numbers are IEEE doubles, as jq 1.6 holds them (gojq would keep
//     big integers exact); literals beyond the double range saturate to
//     ±1.7976931348623157e+308 as in jq 1.6.
//   - Numbers print as jq 1.6 prints them (jvp_dtoa_fmt: shortest
//     round-trip digits, in exponent form below 1e-4 or when more than 15
//     zeros would pad the digits: 1e+16, 1e-05, 123456789012345680), both
//     as partition values and inside the query:
//     tostring, tojson, @text, @json and string interpolation are redefined
//     in jq on top of a jq-1.6 JSON encoder, ahead of the user's query.
//
// Known differences that remain:
//   - Regular expressions are RE2 (jq 1.6 uses Oniguruma: no lookaround or
//     backreferences).
//   - @csv, @tsv, @sh and error messages print numbers gojq's way; objects
//     inside tojson output have sorted keys (jq 1.6 keeps insertion order).
//   - gojq adds builtins jq 1.6 lacks (abs, pick, toarray, toboolean, trim,
//     ltrim, rtrim, trimstr, skip) and rejects input and inputs (there is
//     no input stream: one record per run).
//   - Records are read as standard JSON (after an optional byte order mark);
//     jq 1.6's parser also takes numbers such as 01, 1., .5, +1, NaN and
//     infinity, and rejects lone surrogate escapes.
//   - A query's memory is bounded only through its step budget: a few
//     steps can allocate a lot ("x" * 1e9, or doubling a string in a
//     reduce).
//
// env and $ENV are always empty, so no server environment leaks out.
//
// Choices where Firehose documents nothing: a query yielding more than one
// result is a failure rather than a silent pick; at most MaxKeys keys.
//
// A record whose query fails, is not JSON, or yields anything but one object
// of non-null scalars is a partitioning failure (ErrPartitioning wraps all
// of these): Firehose delivers it under the error prefix.
package partitionkey

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/itchyny/gojq"
)

// ErrQuery reports a MetadataExtractionQuery that does not compile.
var ErrQuery = errors.New("partitionkey: invalid metadata extraction query")

// ErrPartitioning reports a record from which no partition keys could be
// extracted. Firehose sends such a record to the error output.
var ErrPartitioning = errors.New("partitionkey: partition key extraction failed")

// DefaultSteps bounds the work of one query run on one record, counted in
// gojq VM instructions. A query that loops (repeat(.), range(1e9)) fails
// after this many steps instead of stalling delivery. The bound is a count,
// not a clock, so a legitimate record never fails because the machine is
// busy; typical metadata queries take a few hundred steps.
const DefaultSteps = 1_000_000

// DefaultTimeout is a wall-clock backstop behind the step bound, for time
// spent inside single builtins between steps.
const DefaultTimeout = 10 * time.Second

// ErrStepLimit reports a query that ran past its step bound.
var ErrStepLimit = errors.New("query exceeded its step limit")

// MaxKeys bounds the keys one query may produce. It is caudal's bound, not
// a documented Firehose quota: a prefix can only use keys it names, and
// the bound keeps a hostile query from building huge partition maps.
const MaxKeys = 50

// jq16Prelude redefines the builtins that print numbers so they print as
// jq 1.6 does. Definitions in the query take precedence over gojq's
// internal functions, and @text, @json and string interpolation compile
// to tostring and tojson.
const jq16Prelude = `def tojson: _caudal_jq16_tojson; def tostring: if type == "string" then . else _caudal_jq16_tojson end; .`

// Query is a compiled MetadataExtractionQuery. It is safe for concurrent
// use by multiple goroutines.
type Query struct {
	src     string
	code    *gojq.Code
	Steps   int64         // per record; DefaultSteps when zero
	Timeout time.Duration // per record; DefaultTimeout when zero
}

// Compile parses and compiles metadataExtractionQuery once, for use on
// every record.
func Compile(metadataExtractionQuery string) (*Query, error) {
	if strings.TrimSpace(metadataExtractionQuery) == "" {
		return nil, fmt.Errorf("%w: empty query", ErrQuery)
	}
	parsed, err := gojq.Parse(metadataExtractionQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrQuery, err)
	}
	prelude, err := gojq.Parse(jq16Prelude)
	if err != nil {
		return nil, fmt.Errorf("partitionkey: prelude: %w", err)
	}
	parsed.FuncDefs = append(prelude.FuncDefs, parsed.FuncDefs...)
	code, err := gojq.Compile(parsed,
		gojq.WithEnvironLoader(func() []string { return nil }),
		gojq.WithFunction("_caudal_jq16_tojson", 0, 0, func(v any, _ []any) any {
			var b strings.Builder
			if err := appendJSON(&b, v, 0); err != nil {
				return err
			}
			return b.String()
		}))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrQuery, err)
	}
	return &Query{src: metadataExtractionQuery, code: code, Steps: DefaultSteps, Timeout: DefaultTimeout}, nil
}

// String returns the query's source text.
func (q *Query) String() string { return q.src }

// Extract runs the query on one JSON record and returns its partition keys.
func (q *Query) Extract(record []byte) (map[string]string, error) {
	timeout := q.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return q.ExtractContext(ctx, record)
}

// ExtractContext is Extract bounded by ctx instead of q.Timeout (q.Steps
// still applies).
func (q *Query) ExtractContext(ctx context.Context, record []byte) (map[string]string, error) {
	input, err := decodeJSON(record)
	if err != nil {
		return nil, fmt.Errorf("%w: record is not JSON: %w", ErrPartitioning, err)
	}
	limit := q.Steps
	if limit <= 0 {
		limit = DefaultSteps
	}
	iter := q.code.RunWithContext(&stepContext{Context: ctx, limit: limit}, input)
	v, ok := iter.Next()
	if !ok {
		return nil, fmt.Errorf("%w: query produced no output", ErrPartitioning)
	}
	if err, isErr := v.(error); isErr {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, ErrStepLimit) {
			return nil, fmt.Errorf("%w: query did not finish: %w", ErrPartitioning, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrPartitioning, err)
	}
	if extra, more := iter.Next(); more {
		if err, isErr := extra.(error); isErr {
			return nil, fmt.Errorf("%w: %w", ErrPartitioning, err)
		}
		return nil, fmt.Errorf("%w: query produced more than one result", ErrPartitioning)
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		return nil, fmt.Errorf("%w: query produced %s, not an object", ErrPartitioning, typeName(v))
	}
	if len(obj) > MaxKeys {
		return nil, fmt.Errorf("%w: query produced %d keys, more than %d", ErrPartitioning, len(obj), MaxKeys)
	}
	keys := make(map[string]string, len(obj))
	for k, val := range obj {
		s, err := scalar(val)
		if err != nil {
			return nil, fmt.Errorf("%w: key %q: %w", ErrPartitioning, k, err)
		}
		keys[k] = s
	}
	return keys, nil
}

// stepContext counts gojq's instructions: the VM calls Done before each
// one, so Done doubles as a step counter that closes the channel once the
// budget is spent. It is used by the one goroutine running the query.
type stepContext struct {
	context.Context
	steps, limit int64
}

var closedDone = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (c *stepContext) Done() <-chan struct{} {
	c.steps++
	if c.steps > c.limit {
		return closedDone
	}
	return c.Context.Done()
}

func (c *stepContext) Err() error {
	if c.steps > c.limit {
		return ErrStepLimit
	}
	return c.Context.Err()
}

// scalar renders a partition value as jq 1.6 would print it with -r.
func scalar(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		if v {
			return "true", nil
		}
		return "false", nil
	case int:
		return FormatNumber(float64(v)), nil
	case float64:
		return FormatNumber(v), nil
	case nil:
		return "", errors.New("value is null")
	default:
		if n, ok := toFloat(v); ok {
			return FormatNumber(n), nil
		}
		return "", fmt.Errorf("value is %s, not a scalar", typeName(v))
	}
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(v), 64)
		return f, true
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return f, true
	}
	return 0, false
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return "a number"
	}
}

// maxParseDepth is jq 1.6's MAX_PARSING_DEPTH, the size of its parser's
// stack: opening an array or object once 256 slots are in use is a parse
// error ("Exceeds depth limit for parsing"). An enclosing array holds one
// slot, an enclosing object two (the object and the pending key).
const maxParseDepth = 256

// decodeJSON reads exactly one JSON value, holding every number as a
// float64 the way jq 1.6 does, and rejects nesting jq 1.6 rejects.
func decodeJSON(b []byte) (any, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // jq 1.6 skips a UTF-8 byte order mark
	// Fast path: numbers decode straight to float64. Only a literal beyond
	// the double range (which jq 1.6 saturates) needs the number text.
	var v any
	err := json.Unmarshal(b, &v)
	var rangeErr *json.UnmarshalTypeError
	if !errors.As(err, &rangeErr) {
		if err != nil {
			return nil, err
		}
		return toDoubles(v, 0)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v = nil
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return toDoubles(v, 0)
}

// toDoubles converts json.Numbers to float64 in place; slots is the jq
// parser stack in use where v opens.
func toDoubles(v any, slots int) (any, error) {
	switch v.(type) {
	case map[string]any, []any:
		if slots >= maxParseDepth {
			return nil, fmt.Errorf("exceeds depth limit for parsing (%d)", maxParseDepth)
		}
	}
	switch v := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("number %q: %w", v, err)
		}
		// jq 1.6 saturates literals beyond the double range.
		return math.Max(-math.MaxFloat64, math.Min(math.MaxFloat64, f)), nil
	case map[string]any:
		for k, e := range v {
			d, err := toDoubles(e, slots+2)
			if err != nil {
				return nil, err
			}
			v[k] = d
		}
	case []any:
		for i, e := range v {
			d, err := toDoubles(e, slots+1)
			if err != nil {
				return nil, err
			}
			v[i] = d
		}
	}
	return v, nil
}

// FormatNumber prints f as jq 1.6 does (jv_dump_term → jvp_dtoa_fmt): the
// shortest digits that round-trip, in plain notation unless the decimal
// exponent is below -4 or more than 15 past the last significant digit,
// then as d.ddde±XX with at least two exponent digits. NaN prints as null
// and infinities as ±1.7976931348623157e+308.
func FormatNumber(f float64) string {
	if math.IsNaN(f) {
		return "null"
	}
	f = math.Max(-math.MaxFloat64, math.Min(math.MaxFloat64, f))
	if f == 0 {
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	// 'e' with precision -1 gives the shortest round-trip digits.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	var b strings.Builder
	if e[0] == '-' {
		b.WriteByte('-')
		e = e[1:]
	}
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	decpt := x + 1 // position of the decimal point after the first digit
	nd := len(digits)
	switch {
	case decpt <= -4 || decpt > nd+15:
		b.WriteByte(digits[0])
		if nd > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		x = decpt - 1
		if x < 0 {
			b.WriteByte('-')
			x = -x
		} else {
			b.WriteByte('+')
		}
		if x < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.Itoa(x))
	case decpt <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -decpt))
		b.WriteString(digits)
	default:
		if decpt >= nd {
			b.WriteString(digits)
			b.WriteString(strings.Repeat("0", decpt-nd))
		} else {
			b.WriteString(digits[:decpt])
			b.WriteByte('.')
			b.WriteString(digits[decpt:])
		}
	}
	return b.String()
}

// maxDepth bounds appendJSON's recursion, as jq 1.6 bounds its parser's.
const maxDepth = 10000

// appendJSON writes v as jq 1.6 writes compact JSON: keys sorted (jq
// prints objects in key order), numbers through FormatNumber.
func appendJSON(b *strings.Builder, v any, depth int) error {
	if depth > maxDepth {
		return errors.New("value nested too deeply")
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case string:
		writeString(b, v)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := appendJSON(b, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := appendJSON(b, v[k], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case int:
		b.WriteString(FormatNumber(float64(v)))
	case float64:
		b.WriteString(FormatNumber(v))
	default:
		f, ok := toFloat(v)
		if !ok {
			return fmt.Errorf("cannot encode %T", v)
		}
		b.WriteString(FormatNumber(f))
	}
	return nil
}

// writeString quotes s as jq 1.6 does: \" \\ \b \f \n \r \t, other
// control characters and DEL as \u00XX, everything else as is (invalid
// UTF-8 becomes U+FFFD, as jq replaces it when reading).
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}
