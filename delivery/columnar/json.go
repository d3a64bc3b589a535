package columnar

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// A one-pass JSON parser into a flat, reused node arena.
//
// Why not encoding/json: a record is read once against a schema known in
// advance, and converting ~50k records/s leaves no room for a map per
// record. The arena holds one node per value; scalars point into the record
// bytes, so parsing a record allocates nothing once the arena has grown.
//
// The grammar is RFC 8259's, strictly (as Jackson, which both SerDes use,
// is by default): no comments, no trailing commas, no NaN literals. The
// record must be valid UTF-8 (checked by the caller).

type jkind uint8

const (
	jNull jkind = iota
	jFalse
	jTrue
	jNum
	jStr
	jArr
	jObj
)

func (k jkind) String() string {
	return [...]string{"null", "boolean", "boolean", "number", "string", "array", "object"}[k]
}

// jnode is one JSON value. For jStr, [start,end) is the content between
// the quotes and esc says whether it holds escapes; for jNum the literal;
// for jArr and jObj the whole text with brackets. Children of a container
// follow it in the arena: an array's n elements, an object's n key/value
// pairs (key node, then value node). next is the index just past the
// node's subtree, so siblings are reached without walking children.
type jnode struct {
	kind       jkind
	esc        bool
	start, end int32
	n          int32
	next       int32
}

// maxJSONDepth bounds nesting; deeper input is a parse error, not a stack
// overflow.
const maxJSONDepth = 512

var errJSONDepth = errors.New("nesting too deep")

type jparser struct {
	data  []byte
	i     int
	nodes []jnode
}

type syntaxError struct {
	msg string
	off int
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at offset %d", e.msg, e.off) }

func (p *jparser) fail(msg string) error { return &syntaxError{msg, p.i} }

func (p *jparser) skipSpace() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// parseValue parses one value at p.i and returns its node index.
func (p *jparser) parseValue(depth int) (int32, error) {
	if depth > maxJSONDepth {
		return 0, &syntaxError{errJSONDepth.Error(), p.i}
	}
	p.skipSpace()
	if p.i >= len(p.data) {
		return 0, p.fail("unexpected end of input")
	}
	idx := int32(len(p.nodes))
	p.nodes = append(p.nodes, jnode{})
	c := p.data[p.i]
	switch {
	case c == '{':
		start := p.i
		p.i++
		var n int32
		p.skipSpace()
		if p.i < len(p.data) && p.data[p.i] == '}' {
			p.i++
		} else {
			for {
				p.skipSpace()
				if p.i >= len(p.data) || p.data[p.i] != '"' {
					return 0, p.fail("expected a field name")
				}
				if _, err := p.parseValue(depth + 1); err != nil {
					return 0, err
				}
				p.skipSpace()
				if p.i >= len(p.data) || p.data[p.i] != ':' {
					return 0, p.fail("expected ':'")
				}
				p.i++
				if _, err := p.parseValue(depth + 1); err != nil {
					return 0, err
				}
				n++
				p.skipSpace()
				if p.i >= len(p.data) {
					return 0, p.fail("unexpected end of input in object")
				}
				if p.data[p.i] == ',' {
					p.i++
					continue
				}
				if p.data[p.i] == '}' {
					p.i++
					break
				}
				return 0, p.fail("expected ',' or '}'")
			}
		}
		p.nodes[idx] = jnode{kind: jObj, start: int32(start), end: int32(p.i), n: n, next: int32(len(p.nodes))}
	case c == '[':
		start := p.i
		p.i++
		var n int32
		p.skipSpace()
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.i++
		} else {
			for {
				if _, err := p.parseValue(depth + 1); err != nil {
					return 0, err
				}
				n++
				p.skipSpace()
				if p.i >= len(p.data) {
					return 0, p.fail("unexpected end of input in array")
				}
				if p.data[p.i] == ',' {
					p.i++
					continue
				}
				if p.data[p.i] == ']' {
					p.i++
					break
				}
				return 0, p.fail("expected ',' or ']'")
			}
		}
		p.nodes[idx] = jnode{kind: jArr, start: int32(start), end: int32(p.i), n: n, next: int32(len(p.nodes))}
	case c == '"':
		p.i++
		start := p.i
		esc, err := p.scanString()
		if err != nil {
			return 0, err
		}
		p.nodes[idx] = jnode{kind: jStr, esc: esc, start: int32(start), end: int32(p.i), next: idx + 1}
		p.i++
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		if !p.scanNumber() {
			return 0, p.fail("malformed number")
		}
		p.nodes[idx] = jnode{kind: jNum, start: int32(start), end: int32(p.i), next: idx + 1}
	case c == 't':
		if !p.literal("true") {
			return 0, p.fail("unrecognized token")
		}
		p.nodes[idx] = jnode{kind: jTrue, start: int32(p.i - 4), end: int32(p.i), next: idx + 1}
	case c == 'f':
		if !p.literal("false") {
			return 0, p.fail("unrecognized token")
		}
		p.nodes[idx] = jnode{kind: jFalse, start: int32(p.i - 5), end: int32(p.i), next: idx + 1}
	case c == 'n':
		if !p.literal("null") {
			return 0, p.fail("unrecognized token")
		}
		p.nodes[idx] = jnode{kind: jNull, start: int32(p.i - 4), end: int32(p.i), next: idx + 1}
	default:
		return 0, p.fail(fmt.Sprintf("unexpected character %q", c))
	}
	return idx, nil
}

// scanString moves p.i from just after a string's opening quote to its
// closing quote and says whether the string holds escapes.
//
// Most strings have neither escapes nor control characters: for them the
// closing quote is found with bytes.IndexByte (vectorized) and the bytes
// before it are checked for both in one pass (hasEscapeOrControl), 25-30 %
// less parse time than scanStringSlow on 1 KiB records (BenchmarkJSONParse).
// Anything else, a missing quote included, goes through scanStringSlow,
// which also words the errors, so both paths accept the same strings and
// fail with the same messages (FuzzScanString).
func (p *jparser) scanString() (esc bool, err error) {
	rest := p.data[p.i:]
	if q := bytes.IndexByte(rest, '"'); q >= 0 {
		if !hasEscapeOrControl(rest[:q]) {
			p.i += q
			return false, nil
		}
	}
	return p.scanStringSlow()
}

// scanStringSlow is scanString one byte (or 8 plain bytes) at a time.
func (p *jparser) scanStringSlow() (esc bool, err error) {
	for {
		// Skip 8 plain bytes at a time: none is '"', '\\' or a control.
		for p.i+8 <= len(p.data) {
			x := binary.LittleEndian.Uint64(p.data[p.i:])
			if hasSpecial(x) {
				break
			}
			p.i += 8
		}
		if p.i >= len(p.data) {
			return false, p.fail("unterminated string")
		}
		b := p.data[p.i]
		if b == '"' {
			break
		}
		if b < 0x20 {
			return false, p.fail("control character in string")
		}
		if b == '\\' {
			esc = true
			p.i++
			if p.i >= len(p.data) {
				return false, p.fail("unterminated string")
			}
			switch p.data[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if p.i+4 >= len(p.data) {
					return false, p.fail("short unicode escape")
				}
				for k := 1; k <= 4; k++ {
					if unhex(p.data[p.i+k]) < 0 {
						return false, p.fail("bad unicode escape")
					}
				}
				p.i += 4
			default:
				return false, p.fail("bad escape")
			}
		}
		p.i++
	}
	return esc, nil
}

func (p *jparser) literal(s string) bool {
	if len(p.data)-p.i < len(s) || string(p.data[p.i:p.i+len(s)]) != s {
		return false
	}
	p.i += len(s)
	// A literal must end at a delimiter: "truex" is not true.
	if p.i < len(p.data) && isIdentByte(p.data[p.i]) {
		return false
	}
	return true
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// scanNumber accepts RFC 8259's number grammar.
func (p *jparser) scanNumber() bool {
	d := p.data
	i := p.i
	if i < len(d) && d[i] == '-' {
		i++
	}
	if i >= len(d) {
		return false
	}
	if d[i] == '0' {
		i++
	} else if d[i] >= '1' && d[i] <= '9' {
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return false
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return false
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (isIdentByte(d[i]) || d[i] == '.') {
		return false
	}
	p.i = i
	return true
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// appendUnescaped appends the decoded content of a string node that the
// parser has validated. Lone surrogates become U+FFFD so that the output
// stays valid UTF-8, as Parquet's UTF8 annotation requires.
func appendUnescaped(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		switch s[i] {
		case '"', '\\', '/':
			dst = append(dst, s[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := rune(hex4(s[i+1:]))
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(s)+0 && s[i+1] == '\\' && s[i+2] == 'u' {
					r2 := rune(hex4(s[i+3:]))
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						dst = utf8.AppendRune(dst, d)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

func hex4(s []byte) int {
	return unhex(s[0])<<12 | unhex(s[1])<<8 | unhex(s[2])<<4 | unhex(s[3])
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasEscapeOrControl reports whether any byte of s is '\\' or below
// 0x20, 32 bytes per step while it can.
func hasEscapeOrControl(s []byte) bool {
	const below, bs = lsb * 0x20, lsb * '\\'
	special := func(x uint64) uint64 {
		b := x ^ bs
		return (x-below)&^x | (b-lsb)&^b
	}
	i := 0
	for ; i+32 <= len(s); i += 32 {
		w := s[i : i+32]
		if (special(binary.LittleEndian.Uint64(w))|special(binary.LittleEndian.Uint64(w[8:]))|
			special(binary.LittleEndian.Uint64(w[16:]))|special(binary.LittleEndian.Uint64(w[24:])))&msb != 0 {
			return true
		}
	}
	for ; i+8 <= len(s); i += 8 {
		if special(binary.LittleEndian.Uint64(s[i:]))&msb != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == '\\' {
			return true
		}
	}
	return false
}

// hasSpecial reports whether any byte of x is '"', '\\' or below 0x20.
func hasSpecial(x uint64) bool {
	less := (x - lsb*0x20) &^ x
	q := x ^ (lsb * '"')
	quote := (q - lsb) &^ q
	b := x ^ (lsb * '\\')
	bs := (b - lsb) &^ b
	return (less|quote|bs)&msb != 0
}
