package protocol

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// A one-pass JSON decoder for request bodies.
//
// Why: encoding/json validates the whole input with its byte-at-a-time
// scanner before decoding it in a second pass, which caps a blob-heavy
// PutRecords body at ~47 MB/s (BenchmarkDecodePutRecordsJSON: 147 ms for the
// largest legal request). This decoder reads once, base64-decodes blobs
// straight from the body and allocates nothing per token.
//
// Invariant: for every input and every supported target type it behaves as
// json.Unmarshal does — same success or failure, same decoded value, same
// first *json.UnmarshalTypeError (Value and Type) or base64 error, which is
// what jsonMessage turns into AWS's words. FuzzFastJSONMatchesStdlib checks
// this against encoding/json. Types it does not model (interfaces, embedded
// structs, ",string" options, TextUnmarshaler map keys, arrays…) make
// planFor fail and Decode falls back to encoding/json for the whole call.

var (
	errJSONSyntax      = errors.New("json: syntax error")
	errJSONUnsupported = errors.New("json: type not supported by the fast decoder")
)

// maxJSONDepth is encoding/json's nesting limit; deeper input is an error.
const maxJSONDepth = 10000

type jdec struct {
	data  []byte
	i     int
	depth int
	saved error // first type or base64 error; decoding goes on, as json does
	// blobs, when set, is where blobs are decoded (DecodeTransient):
	// carved in order from one buffer that the caller reuses.
	blobs *blobArena
}

type decodeFn func(d *jdec, v reflect.Value) error

// planEntry holds the decoder of one type. fn is set once the type is built;
// recursive types refer to their own entry while it is being built.
type planEntry struct {
	fn decodeFn
	ok bool
}

var plans sync.Map // reflect.Type -> *planEntry

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decodeJSONFast decodes body into v, a non-nil pointer. It returns
// errJSONUnsupported, having touched nothing, when v's type is not modelled.
func decodeJSONFast(body []byte, v any) error {
	return decodeJSONFastInto(body, v, nil)
}

// decodeJSONFastInto is decodeJSONFast decoding blobs into blobs when it is
// not nil.
func decodeJSONFastInto(body []byte, v any, blobs *blobArena) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errJSONUnsupported
	}
	p := planFor(rv.Type())
	if !p.ok {
		return errJSONUnsupported
	}
	d := jdec{data: body, blobs: blobs}
	d.skipWS()
	if err := p.fn(&d, rv); err != nil {
		return err
	}
	d.skipWS()
	if d.i != len(d.data) {
		return errJSONSyntax
	}
	return d.saved
}

func planFor(t reflect.Type) *planEntry {
	if p, ok := plans.Load(t); ok {
		return p.(*planEntry)
	}
	building := map[reflect.Type]*planEntry{}
	p := build(t, building)
	// Publish only complete plans: a failure anywhere fails the top.
	for bt, bp := range building {
		if !p.ok {
			bp.ok = false
		}
		plans.LoadOrStore(bt, bp)
	}
	return p
}

func build(t reflect.Type, building map[reflect.Type]*planEntry) *planEntry {
	if p, ok := plans.Load(t); ok {
		return p.(*planEntry)
	}
	if p, ok := building[t]; ok {
		return p // recursive reference; ok is decided by the outer build
	}
	p := &planEntry{ok: true}
	building[t] = p
	fn, ok := buildFn(t, building)
	p.fn, p.ok = fn, ok && p.ok
	return p
}

func buildFn(t reflect.Type, building map[reflect.Type]*planEntry) (decodeFn, bool) {
	if t == reflect.TypeFor[json.Number]() {
		return nil, false // json stores number literals in it; not modelled
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		return decodeUnmarshaler, true
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return nil, false
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := build(t.Elem(), building)
		if !elem.ok {
			return nil, false
		}
		return func(d *jdec, v reflect.Value) error {
			if d.peekNull() {
				if v.CanSet() {
					d.i += 4
					v.SetZero()
					return nil
				}
			}
			if v.IsNil() {
				v.Set(reflect.New(t.Elem()))
			}
			return elem.fn(d, v.Elem())
		}, true
	case reflect.String:
		return decodeString, true
	case reflect.Bool:
		return decodeBool, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return decodeUint, true
	case reflect.Float32, reflect.Float64:
		return decodeFloat, true
	case reflect.Slice:
		elem := build(t.Elem(), building)
		if !elem.ok {
			return nil, false
		}
		isBytes := t.Elem().Kind() == reflect.Uint8
		return func(d *jdec, v reflect.Value) error { return decodeSlice(d, v, elem, isBytes) }, true
	case reflect.Map:
		if t.Key().Kind() != reflect.String || reflect.PointerTo(t.Key()).Implements(textUnmarshalerType) {
			return nil, false
		}
		elem := build(t.Elem(), building)
		if !elem.ok {
			return nil, false
		}
		return func(d *jdec, v reflect.Value) error { return decodeMap(d, v, elem) }, true
	case reflect.Struct:
		return buildStruct(t, building)
	}
	return nil, false
}

type jfield struct {
	name  string
	index int
	plan  *planEntry
}

func buildStruct(t reflect.Type, building map[reflect.Type]*planEntry) (decodeFn, bool) {
	var fields []jfield
	exact := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil, false
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		for _, o := range strings.Split(opts, ",") {
			if o != "" && o != "omitempty" && o != "omitzero" {
				return nil, false
			}
		}
		if name == "" {
			name = sf.Name
		}
		if !simpleName(name) {
			return nil, false
		}
		if _, dup := exact[name]; dup {
			return nil, false
		}
		fp := build(sf.Type, building)
		if !fp.ok {
			return nil, false
		}
		exact[name] = len(fields)
		fields = append(fields, jfield{name: name, index: i, plan: fp})
	}
	// Case-insensitive matches must be unambiguous to behave like json.
	for i := range fields {
		for j := i + 1; j < len(fields); j++ {
			if strings.EqualFold(fields[i].name, fields[j].name) {
				return nil, false
			}
		}
	}
	return func(d *jdec, v reflect.Value) error { return decodeStruct(d, v, fields, exact) }, true
}

func simpleName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return s != ""
}

func (d *jdec) skipWS() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jdec) peekNull() bool {
	return len(d.data)-d.i >= 4 && string(d.data[d.i:d.i+4]) == "null"
}

func (d *jdec) saveError(err error) {
	if d.saved == nil {
		d.saved = err
	}
}

// kindAt names the JSON value starting at d.i as encoding/json does in
// UnmarshalTypeError.Value.
func (d *jdec) kindAt() string {
	if d.i >= len(d.data) {
		return ""
	}
	switch c := d.data[d.i]; {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "bool"
	}
	return "number"
}

// mismatch records a type error for the value at d.i and skips it.
func (d *jdec) mismatch(value string, t reflect.Type) error {
	d.saveError(&json.UnmarshalTypeError{Value: value, Type: t})
	return d.skipValue()
}

// skipValue validates and skips one value.
func (d *jdec) skipValue() error {
	if d.i >= len(d.data) {
		return errJSONSyntax
	}
	switch c := d.data[d.i]; {
	case c == '{':
		if err := d.enter(); err != nil {
			return err
		}
		d.i++
		d.skipWS()
		if d.i < len(d.data) && d.data[d.i] == '}' {
			d.i++
			d.depth--
			return nil
		}
		for {
			d.skipWS()
			if _, _, err := d.scanString(); err != nil {
				return err
			}
			if err := d.colon(); err != nil {
				return err
			}
			d.skipWS()
			if err := d.skipValue(); err != nil {
				return err
			}
			more, err := d.next('}')
			if err != nil || !more {
				return err
			}
		}
	case c == '[':
		if err := d.enter(); err != nil {
			return err
		}
		d.i++
		d.skipWS()
		if d.i < len(d.data) && d.data[d.i] == ']' {
			d.i++
			d.depth--
			return nil
		}
		for {
			d.skipWS()
			if err := d.skipValue(); err != nil {
				return err
			}
			more, err := d.next(']')
			if err != nil || !more {
				return err
			}
		}
	case c == '"':
		_, _, err := d.scanString()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	}
	_, err := d.scanNumber()
	return err
}

func (d *jdec) enter() error {
	d.depth++
	if d.depth > maxJSONDepth {
		return errJSONSyntax
	}
	return nil
}

func (d *jdec) literal(s string) error {
	if len(d.data)-d.i < len(s) || string(d.data[d.i:d.i+len(s)]) != s {
		return errJSONSyntax
	}
	d.i += len(s)
	return nil
}

func (d *jdec) colon() error {
	d.skipWS()
	if d.i >= len(d.data) || d.data[d.i] != ':' {
		return errJSONSyntax
	}
	d.i++
	return nil
}

// next consumes ',' (more is true) or the closing byte (more is false).
func (d *jdec) next(closing byte) (more bool, err error) {
	d.skipWS()
	if d.i >= len(d.data) {
		return false, errJSONSyntax
	}
	switch d.data[d.i] {
	case ',':
		d.i++
		return true, nil
	case closing:
		d.i++
		d.depth--
		return false, nil
	}
	return false, errJSONSyntax
}

// scanString validates the string at d.i and returns its raw contents
// (between the quotes) and whether they need unquoting (escapes or
// non-ASCII bytes).
func (d *jdec) scanString() (raw []byte, slow bool, err error) {
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return nil, false, errJSONSyntax
	}
	start := d.i + 1
	// Fast path: no escapes before the next quote (every blob, most
	// strings). IndexByte is vectorized and the check runs 8 bytes a step.
	if q := bytes.IndexByte(d.data[start:], '"'); q >= 0 {
		seg := d.data[start : start+q]
		if bytes.IndexByte(seg, '\\') < 0 {
			ctl, high := controlOrHigh(seg)
			if ctl {
				return nil, false, errJSONSyntax
			}
			d.i = start + q + 1
			return seg, high, nil
		}
	}
	i := start
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.i = i + 1
			return d.data[start:i], slow, nil
		case c == '\\':
			slow = true
			if i+1 >= len(d.data) {
				return nil, false, errJSONSyntax
			}
			switch d.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d.data) || !isHex4(d.data[i+2:i+6]) {
					return nil, false, errJSONSyntax
				}
				i += 6
			default:
				return nil, false, errJSONSyntax
			}
		case c < 0x20:
			return nil, false, errJSONSyntax
		case c >= utf8.RuneSelf:
			slow = true
			i++
		default:
			i++
		}
	}
	return nil, false, errJSONSyntax
}

// controlOrHigh reports whether b holds a byte below 0x20 (not allowed in a
// JSON string) or at or above 0x80 (needs UTF-8 checking).
func controlOrHigh(b []byte) (ctl, high bool) {
	const highs, spaces = 0x8080808080808080, 0x2020202020202020
	var acc, accCtl uint64
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		acc |= w
		accCtl |= (w - spaces) & ^w
	}
	for ; i < len(b); i++ {
		c := b[i]
		if c < 0x20 {
			ctl = true
		}
		if c >= 0x80 {
			high = true
		}
	}
	// With every byte below 0x80, (w - 0x2020…) & ^w & 0x8080… is non-zero
	// exactly when some byte of w is below 0x20 (the classic "hasless"
	// test). A byte at or above 0x80 voids that, so then a plain loop
	// decides.
	if acc&highs != 0 {
		high = true
		for _, c := range b {
			if c < 0x20 {
				ctl = true
				break
			}
		}
		return ctl, high
	}
	if accCtl&highs != 0 {
		ctl = true
	}
	return ctl, high
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !isHexDigit(c) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unquote decodes validated string contents as encoding/json does:
// invalid UTF-8 and unpaired surrogates become U+FFFD.
func unquote(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			e := raw[i+1]
			switch e {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := rune(hex4(raw[i+2 : i+6]))
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
						r2 := rune(hex4(raw[i+2 : i+6]))
						if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
							out = utf8.AppendRune(out, dec)
							i += 6
							continue
						}
					}
					r = unicode.ReplacementChar
				}
				out = utf8.AppendRune(out, r)
				continue
			default: // '"', '\\', '/'
				out = append(out, e)
			}
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, unicode.ReplacementChar)
			} else {
				out = append(out, raw[i:i+size]...)
			}
			i += size
		}
	}
	return out
}

func hex4(b []byte) int {
	n := 0
	for _, c := range b {
		n <<= 4
		switch {
		case c >= '0' && c <= '9':
			n |= int(c - '0')
		case c >= 'a' && c <= 'f':
			n |= int(c-'a') + 10
		default:
			n |= int(c-'A') + 10
		}
	}
	return n
}

// scanNumber validates a JSON number at d.i and returns its text.
func (d *jdec) scanNumber() ([]byte, error) {
	s := d.data
	i := d.i
	start := i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return nil, errJSONSyntax
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return nil, errJSONSyntax
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return nil, errJSONSyntax
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	d.i = i
	return s[start:i], nil
}

func decodeUnmarshaler(d *jdec, v reflect.Value) error {
	start := d.i
	if err := d.skipValue(); err != nil {
		return err
	}
	u := v.Addr().Interface().(json.Unmarshaler)
	return u.UnmarshalJSON(d.data[start:d.i])
}

func decodeString(d *jdec, v reflect.Value) error {
	if d.peekNull() {
		d.i += 4
		return nil
	}
	if d.i < len(d.data) && d.data[d.i] == '"' {
		raw, slow, err := d.scanString()
		if err != nil {
			return err
		}
		if slow {
			raw = unquote(raw)
		}
		v.SetString(string(raw))
		return nil
	}
	return d.mismatch(d.kindAt(), v.Type())
}

func decodeBool(d *jdec, v reflect.Value) error {
	switch {
	case d.peekNull():
		d.i += 4
		return nil
	case d.literal("true") == nil:
		v.SetBool(true)
		return nil
	case d.literal("false") == nil:
		v.SetBool(false)
		return nil
	}
	return d.mismatch(d.kindAt(), v.Type())
}

func (d *jdec) numberOrMismatch(v reflect.Value) ([]byte, bool, error) {
	if d.peekNull() {
		d.i += 4
		return nil, false, nil
	}
	if d.i < len(d.data) {
		if c := d.data[d.i]; c == '-' || c >= '0' && c <= '9' {
			n, err := d.scanNumber()
			return n, err == nil, err
		}
	}
	return nil, false, d.mismatch(d.kindAt(), v.Type())
}

func decodeInt(d *jdec, v reflect.Value) error {
	n, ok, err := d.numberOrMismatch(v)
	if !ok {
		return err
	}
	x, perr := strconv.ParseInt(string(n), 10, 64)
	if perr != nil || v.OverflowInt(x) {
		d.saveError(&json.UnmarshalTypeError{Value: "number " + string(n), Type: v.Type()})
		return nil
	}
	v.SetInt(x)
	return nil
}

func decodeUint(d *jdec, v reflect.Value) error {
	n, ok, err := d.numberOrMismatch(v)
	if !ok {
		return err
	}
	x, perr := strconv.ParseUint(string(n), 10, 64)
	if perr != nil || v.OverflowUint(x) {
		d.saveError(&json.UnmarshalTypeError{Value: "number " + string(n), Type: v.Type()})
		return nil
	}
	v.SetUint(x)
	return nil
}

func decodeFloat(d *jdec, v reflect.Value) error {
	n, ok, err := d.numberOrMismatch(v)
	if !ok {
		return err
	}
	x, perr := strconv.ParseFloat(string(n), v.Type().Bits())
	if perr != nil || v.OverflowFloat(x) {
		d.saveError(&json.UnmarshalTypeError{Value: "number " + string(n), Type: v.Type()})
		return nil
	}
	v.SetFloat(x)
	return nil
}

func decodeSlice(d *jdec, v reflect.Value, elem *planEntry, isBytes bool) error {
	if d.peekNull() {
		d.i += 4
		v.SetZero()
		return nil
	}
	if d.i >= len(d.data) {
		return errJSONSyntax
	}
	switch d.data[d.i] {
	case '"':
		if !isBytes {
			return d.mismatch("string", v.Type())
		}
		if b, ok := d.blobFast(); ok {
			v.SetBytes(b)
			return nil
		}
		raw, slow, err := d.scanString()
		if err != nil {
			return err
		}
		if slow {
			raw = unquote(raw)
		}
		// One allocation, decoded straight from the body.
		b := d.blob(base64.StdEncoding.DecodedLen(len(raw)))
		n, berr := DecodeBase64(b, raw)
		if berr != nil {
			d.saveError(berr)
			return nil
		}
		v.SetBytes(b[:n:n])
		return nil
	case '[':
	default:
		return d.mismatch(d.kindAt(), v.Type())
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.i++
	d.skipWS()
	n := 0
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		d.depth--
	} else {
		for {
			d.skipWS()
			// Grow as encoding/json does, so reused capacity behaves alike.
			if n >= v.Cap() {
				v.Grow(1)
			}
			if n >= v.Len() {
				v.SetLen(n + 1)
			}
			if err := elem.fn(d, v.Index(n)); err != nil {
				return err
			}
			n++
			more, err := d.next(']')
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
	}
	if n < v.Len() {
		v.SetLen(n)
	}
	if n == 0 {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	return nil
}

// blobFast decodes the blob string at d.i in one pass when it is plain
// padded base64, and reports whether it was. Then the string has no
// escapes, control or non-ASCII bytes, so encoding/json's unquoting would
// leave it as is and scanString's checks are redundant. The proof is the
// decoded length: base64.StdEncoding skips '\r' and '\n', and any other
// byte outside the alphabet is an error, so a success that decodes all
// len(raw)/4*3 - padding bytes saw nothing but alphabet and padding.
// Anything else (including every error) takes the general path, which
// reports it exactly as encoding/json does.
func (d *jdec) blobFast() ([]byte, bool) {
	start := d.i + 1
	q := bytes.IndexByte(d.data[start:], '"')
	if q < 0 || q%4 != 0 {
		return nil, false
	}
	raw := d.data[start : start+q]
	want := q / 4 * 3
	if q > 0 && raw[q-1] == '=' {
		want--
		if raw[q-2] == '=' {
			want--
		}
	}
	b := d.blob(want)
	n, err := DecodeBase64(b, raw)
	if err != nil || n != want {
		d.unblob(len(b))
		return nil, false
	}
	d.i = start + q + 1
	return b, true
}

// blob returns a buffer of n bytes for a decoded blob: carved from the
// arena under DecodeTransient, else its own allocation. Never nil: an
// empty blob decodes to an empty, non-nil slice, as in encoding/json.
func (d *jdec) blob(n int) []byte {
	if d.blobs == nil {
		return make([]byte, n)
	}
	return d.blobs.take(n, len(d.data))
}

// unblob gives back the last n bytes blob handed out (a failed fast path).
func (d *jdec) unblob(n int) {
	if d.blobs != nil {
		d.blobs.used -= n
	}
}

// blobArena is the buffer DecodeTransient decodes blobs into. The blobs of
// one body never need more than 3/4 of its length, so one buffer of that
// size holds them all; it is reused from call to call.
type blobArena struct {
	buf  []byte
	used int
}

var blobArenaPool = sync.Pool{New: func() any { return new(blobArena) }}

// maxPooledArena bounds the arenas kept for reuse (a PutRecords at AWS's
// 5 MiB limit needs about 5 MiB).
const maxPooledArena = 12 << 20

func (a *blobArena) take(n, bodyLen int) []byte {
	if a.buf == nil {
		a.buf = make([]byte, bodyLen/4*3+4)
	}
	if len(a.buf)-a.used < n {
		// Cannot happen for blobs of the body the arena was sized for;
		// stay correct if it does.
		return make([]byte, n)
	}
	b := a.buf[a.used : a.used+n : a.used+n]
	a.used += n
	return b
}

func (a *blobArena) reset(bodyLen int) {
	a.used = 0
	if cap(a.buf) < bodyLen/4*3+4 {
		a.buf = nil // take sizes it for this body
	}
}

func decodeMap(d *jdec, v reflect.Value, elem *planEntry) error {
	if d.peekNull() {
		d.i += 4
		v.SetZero()
		return nil
	}
	if d.i >= len(d.data) || d.data[d.i] != '{' {
		if d.i >= len(d.data) {
			return errJSONSyntax
		}
		return d.mismatch(d.kindAt(), v.Type())
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	t := v.Type()
	return d.object(func(key []byte) error {
		ev := reflect.New(t.Elem()).Elem()
		if err := elem.fn(d, ev); err != nil {
			return err
		}
		kv := reflect.New(t.Key()).Elem()
		kv.SetString(string(key))
		v.SetMapIndex(kv, ev)
		return nil
	})
}

// object walks the members of the object at d.i, calling member with each
// (unquoted) key and d positioned at its value.
func (d *jdec) object(member func(key []byte) error) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.i++
	d.skipWS()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		d.depth--
		return nil
	}
	for {
		d.skipWS()
		key, slow, err := d.scanString()
		if err != nil {
			return err
		}
		if slow {
			key = unquote(key)
		}
		if err := d.colon(); err != nil {
			return err
		}
		d.skipWS()
		if err := member(key); err != nil {
			return err
		}
		more, err := d.next('}')
		if err != nil || !more {
			return err
		}
	}
}

func decodeStruct(d *jdec, v reflect.Value, fields []jfield, exact map[string]int) error {
	if d.peekNull() {
		d.i += 4
		return nil
	}
	if d.i >= len(d.data) || d.data[d.i] != '{' {
		if d.i >= len(d.data) {
			return errJSONSyntax
		}
		return d.mismatch(d.kindAt(), v.Type())
	}
	return d.object(func(key []byte) error {
		fi, ok := exact[string(key)]
		if !ok {
			fi = -1
			for j := range fields {
				if bytes.EqualFold([]byte(fields[j].name), key) {
					fi = j
					break
				}
			}
		}
		if fi < 0 {
			return d.skipValue()
		}
		f := fields[fi]
		return f.plan.fn(d, v.Field(f.index))
	})
}
