package columnar

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unsafe"
)

// Shredding: one JSON document becomes one row, written into the leaf
// columns with Dremel repetition and definition levels. A value that does
// not fit its column's type returns a *mismatch; the caller rolls every
// column back to its state before the record, so a failed record leaves no
// trace.

// mismatch is a value that cannot be coerced to its column's type
// (DataFormatConversion.MalformedData).
type mismatch struct {
	path string
	typ  *hiveType
	kind jkind
	text string
}

func (m *mismatch) Error() string {
	return fmt.Sprintf("Cannot deserialize JSON %s value %s for column %s of type %s", m.kind, m.text, m.path, m.typ)
}

// shredder holds a Convert call's per-record state.
type shredder struct {
	c       *Converter
	data    []byte
	p       jparser
	scratch []byte
	key     []byte
	dec     []byte
	bin     []byte
	pairs   []int32 // stack of map entries' key nodes; -1: a dropped duplicate
	seen    map[string]struct{}
	canon   []byte
	ends    []int
	bigInt  big.Int
}

func (s *shredder) text(v *jnode) []byte { return s.data[v.start:v.end] }

func (s *shredder) bad(n *pnode, v *jnode) error {
	t := s.text(v)
	if v.kind == jStr {
		t = s.data[v.start-1 : v.end+1] // with its quotes
	}
	if len(t) > 64 {
		t = append(append([]byte(nil), t[:61]...), "..."...)
	}
	return &mismatch{path: n.name, typ: n.typ, kind: v.kind, text: string(t)}
}

// str returns a string node's decoded content, in scratch if it has escapes.
func (s *shredder) str(v *jnode) []byte {
	if !v.esc {
		return s.data[v.start:v.end]
	}
	s.scratch = appendUnescaped(s.scratch[:0], s.data[v.start:v.end])
	return s.scratch
}

// normKey returns a JSON key unescaped and, when the deserializer is
// case-insensitive, lower-cased; and whether it holds a dot. A key that
// needs neither is returned as it is in the record, not copied: the caller
// must copy it before changing it.
func (s *shredder) normKey(v *jnode) ([]byte, bool) {
	raw := s.data[v.start:v.end]
	ci := s.c.caseInsensitive
	if !v.esc && !ci {
		return raw, bytes.IndexByte(raw, '.') >= 0
	}
	if v.esc {
		s.key = appendUnescaped(s.key[:0], raw)
	} else {
		s.key = append(s.key[:0], raw...)
	}
	k := s.key
	dot := false
	for i, c := range k {
		if ci && c >= 'A' && c <= 'Z' {
			k[i] = c + 32
		} else if c == '.' {
			dot = true
		}
	}
	return k, dot
}

// object writes an object's fields into struct node n's children. Keys
// match fields as the OpenX SerDe matches them: by name (or by the
// ColumnToJsonKeyMappings key), the last duplicate winning; with
// ConvertDotsInJsonKeysToUnderscores, a key with dots that matches no field
// is tried with underscores for dots, the first such key winning and an
// exact match always preferred.
func (s *shredder) object(n *pnode, obj int32, r uint8) error {
	nodes := s.p.nodes
	for i := range n.slots {
		n.slots[i] = -1
	}
	o := &nodes[obj]
	i := obj + 1
	for k := int32(0); k < o.n; k++ {
		val := i + 1
		key, dot := s.normKey(&nodes[i])
		if f, ok := n.keys[string(key)]; ok {
			n.slots[f] = val
		} else if dot && n.dotKeys != nil {
			key = append(s.key[:0], key...) // key may be the record's own bytes
			s.key = key
			for j, c := range key {
				if c == '.' {
					key[j] = '_'
				}
			}
			// An exact key, seen before or after, takes precedence.
			if f, ok := n.dotKeys[string(key)]; ok && n.slots[f] < 0 {
				n.slots[f] = val
			}
		}
		i = nodes[val].next
	}
	for f, c := range n.children {
		if err := s.value(c, n.slots[f], r); err != nil {
			return err
		}
	}
	return nil
}

// value writes the value at node index vi (-1: absent) into node n, whose
// parent is present; r is the repetition level of the first entry.
func (s *shredder) value(n *pnode, vi int32, r uint8) error {
	if vi < 0 || s.p.nodes[vi].kind == jNull {
		for _, l := range n.leaves {
			l.null(r, n.def-1)
		}
		return nil
	}
	v := &s.p.nodes[vi]
	switch n.typ.kind {
	case kStruct:
		if v.kind == jStr && blank(s.str(v)) {
			return s.value(n, -1, r)
		}
		if v.kind != jObj {
			return s.bad(n, v)
		}
		// object resets n.slots: a struct type never nests in itself, and
		// an array's elements are written one after the other.
		return s.object(n, vi, r)
	case kArray:
		if v.kind == jStr && v.start == v.end {
			return s.value(n, -1, r) // "" is NULL
		}
		g := n.children[0]
		if v.kind != jArr {
			// A value without the array around it is a one-element array.
			return s.value(g.children[0], vi, r)
		}
		if v.n == 0 {
			for _, l := range n.leaves {
				l.null(r, n.def)
			}
			return nil
		}
		e := g.children[0]
		rr := r
		i := vi + 1
		for k := int32(0); k < v.n; k++ {
			if err := s.value(e, i, rr); err != nil {
				return err
			}
			rr = g.rep
			i = s.p.nodes[i].next
		}
		return nil
	case kMap:
		if v.kind == jStr && blank(s.str(v)) {
			return s.value(n, -1, r)
		}
		if v.kind != jObj {
			return s.bad(n, v)
		}
		g := n.children[0]
		if v.n == 0 {
			for _, l := range n.leaves {
				l.null(r, n.def)
			}
			return nil
		}
		kn, vn := g.children[0], g.children[1]
		// Parquet maps (and Athena, and DuckDB) need unique keys: of
		// duplicates, the last one wins, as in the OpenX SerDe.
		// s.pairs is a stack: a map nested in a value pushes its own
		// entries above base (and may move the slice), so entries are
		// read by index.
		base := len(s.pairs)
		defer func() { s.pairs = s.pairs[:base] }()
		i := vi + 1
		for k := int32(0); k < v.n; k++ {
			s.pairs = append(s.pairs, i)
			i = s.p.nodes[i+1].next
		}
		s.dedupKeys(kn, s.pairs[base:])
		rr := r
		for k := range int(v.n) {
			i := s.pairs[base+k]
			if i < 0 {
				continue
			}
			if err := s.prim(kn, &s.p.nodes[i], rr); err != nil {
				return err
			}
			if err := s.value(vn, i+1, rr); err != nil {
				return err
			}
			rr = g.rep
		}
		return nil
	}
	return s.prim(n, v, r)
}

// prim writes a non-null primitive value.
func (s *shredder) prim(n *pnode, v *jnode, r uint8) error {
	l := n.leaf
	t := n.typ
	switch t.kind {
	case kString:
		var b []byte
		switch v.kind {
		case jStr:
			b = s.str(v)
		default: // numbers and booleans as written; objects and arrays as JSON text
			b = s.text(v)
		}
		if t.length > 0 {
			b = truncateRunes(b, t.length)
			if t.char {
				for len(b) > 0 && b[len(b)-1] == ' ' {
					b = b[:len(b)-1]
				}
			}
		}
		l.level(r)
		l.appendBytes(b)
		return nil
	case kBinary:
		// Base64 (RFC 4648, padding optional), as the Hive JSON SerDe and
		// Athena's OpenX reader decode binary.
		if v.kind != jStr {
			return s.bad(n, v)
		}
		b64 := bytes.TrimRight(s.str(v), "=")
		need := base64.RawStdEncoding.DecodedLen(len(b64))
		if cap(s.bin) < need {
			s.bin = make([]byte, need)
		}
		m, err := base64.RawStdEncoding.Decode(s.bin[:need], b64)
		if err != nil {
			return s.bad(n, v)
		}
		l.level(r)
		l.appendBytes(s.bin[:m])
		return nil
	case kBoolean:
		// OpenX: true when the value, quoted or not, is "true" in any
		// case; any other scalar is false. Objects and arrays fail.
		var b bool
		switch v.kind {
		case jTrue:
			b = true
		case jFalse, jNum:
		case jStr:
			b = equalFoldASCII(s.str(v), "true")
		default:
			return s.bad(n, v)
		}
		l.level(r)
		if b {
			l.vals = append(l.vals, 1)
		} else {
			l.vals = append(l.vals, 0)
		}
		return nil
	case kTinyint, kSmallint, kInt, kBigint:
		var lit []byte
		switch v.kind {
		case jNum:
			lit = s.text(v)
		case jStr:
			lit = s.str(v)
		default:
			return s.bad(n, v)
		}
		x, ok := parseInt(lit)
		lo, hi := intRange(t.kind)
		if !ok || x < lo || x > hi {
			return s.bad(n, v)
		}
		l.level(r)
		if t.kind == kBigint {
			l.vals = binary.LittleEndian.AppendUint64(l.vals, uint64(x))
		} else {
			l.vals = binary.LittleEndian.AppendUint32(l.vals, uint32(int32(x)))
		}
		return nil
	case kFloat, kDouble:
		var lit []byte
		switch v.kind {
		case jNum:
			lit = s.text(v)
		case jStr:
			lit = s.str(v)
		default:
			return s.bad(n, v)
		}
		bits := 64
		if t.kind == kFloat {
			bits = 32
		}
		f, ok := parseFloat(lit, bits)
		if !ok {
			return s.bad(n, v)
		}
		l.level(r)
		if t.kind == kFloat {
			l.vals = binary.LittleEndian.AppendUint32(l.vals, math.Float32bits(float32(f)))
		} else {
			l.vals = binary.LittleEndian.AppendUint64(l.vals, math.Float64bits(f))
		}
		return nil
	case kDecimal:
		var lit []byte
		switch v.kind {
		case jNum:
			lit = s.text(v)
		case jStr:
			lit = s.str(v)
		default:
			return s.bad(n, v)
		}
		at := len(l.vals)
		out, ok, overflow := s.appendDecimal(l.vals, lit, t.precision, t.scale, int(l.typeLen))
		if !ok {
			return s.bad(n, v)
		}
		if overflow {
			if n.required {
				return s.bad(n, v) // a map key cannot be NULL
			}
			// Hive enforces precision by reading the value as NULL.
			l.vals = l.vals[:at]
			l.null(r, n.def-1)
			return nil
		}
		l.level(r)
		l.vals = out
		return nil
	case kDate:
		var days int32
		var ok bool
		switch v.kind {
		case jStr:
			days, ok = s.c.ts.parseDate(s.str(v))
		case jNum: // days since 1970-01-01
			var d int64
			d, ok = parseInt(s.text(v))
			ok = ok && d >= minDateDays && d <= maxDateDays
			days = int32(d)
		}
		if !ok {
			return s.bad(n, v)
		}
		l.level(r)
		l.vals = binary.LittleEndian.AppendUint32(l.vals, uint32(days))
		return nil
	case kTimestamp:
		var sec int64
		var nsec int32
		var ok bool
		switch v.kind {
		case jNum:
			sec, nsec, ok = s.c.ts.parse(s.text(v))
		case jStr:
			sec, nsec, ok = s.c.ts.parse(s.str(v))
		}
		if !ok {
			return s.bad(n, v)
		}
		l.level(r)
		l.vals = appendInt96(l.vals, sec, nsec)
		return nil
	}
	return s.bad(n, v)
}

// appendBytes appends a BYTE_ARRAY value (its levels already recorded).
func (l *leafCol) appendBytes(b []byte) {
	if d := l.dict; d != nil && !d.full {
		idx, ok := d.index[string(b)]
		if !ok {
			idx = uint32(len(d.index))
			d.index[string(b)] = idx
			d.plain = binary.LittleEndian.AppendUint32(d.plain, uint32(len(b)))
			d.plain = append(d.plain, b...)
		}
		l.dictIdx = append(l.dictIdx, idx)
		return
	}
	l.vals = binary.LittleEndian.AppendUint32(l.vals, uint32(len(b)))
	l.vals = append(l.vals, b...)
}

// julianEpoch is the Julian day number of 1970-01-01.
const julianEpoch = 2440588

// appendInt96 appends a timestamp as Hive's INT96: nanoseconds of the day
// (little-endian int64) then the Julian day (little-endian int32).
func appendInt96(dst []byte, sec int64, nsec int32) []byte {
	day := sec / 86400
	rem := sec % 86400
	if rem < 0 {
		rem += 86400
		day--
	}
	dst = binary.LittleEndian.AppendUint64(dst, uint64(rem*1e9+int64(nsec)))
	return binary.LittleEndian.AppendUint32(dst, uint32(int32(day+julianEpoch)))
}

func intRange(k kind) (int64, int64) {
	switch k {
	case kTinyint:
		return math.MinInt8, math.MaxInt8
	case kSmallint:
		return math.MinInt16, math.MaxInt16
	case kInt:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// parseInt parses an optionally signed decimal integer, as Java's
// Long.parseLong does (no fraction, no exponent, no blanks).
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// parseFloat parses a JSON number or a string that Java's
// Double.parseDouble accepts (including NaN and Infinity).
func parseFloat(b []byte, bits int) (float64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range b {
		// strconv accepts hex floats and underscores that Java does not.
		if c == '_' || c == 'x' || c == 'X' || c == 'p' || c == 'P' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true // ±Inf or 0, as Java rounds
		}
		return 0, false
	}
	return f, true
}

// appendDecimal appends lit as a big-endian two's-complement unscaled
// value of width bytes, rounded half-up to scale. ok is false when lit is
// not a number; overflow when it needs more than precision digits.
func (s *shredder) appendDecimal(dst, lit []byte, precision, scale, width int) (out []byte, ok, overflow bool) {
	i := 0
	neg := false
	if i < len(lit) && (lit[i] == '-' || lit[i] == '+') {
		neg = lit[i] == '-'
		i++
	}
	digits := s.dec[:0]
	exp := 0
	sawDigit, sawDot := false, false
	for ; i < len(lit); i++ {
		c := lit[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if len(digits) > 0 || c != '0' {
				digits = append(digits, c)
			}
			if sawDot {
				exp--
			}
		case c == '.' && !sawDot:
			sawDot = true
		case (c == 'e' || c == 'E') && sawDigit:
			e, ok := parseInt(lit[i+1:])
			if !ok || e > 1000 || e < -1000 {
				return dst, false, false
			}
			exp += int(e)
			i = len(lit)
		default:
			return dst, false, false
		}
	}
	s.dec = digits
	if !sawDigit {
		return dst, false, false
	}
	shift := exp + scale
	if shift >= 0 {
		if len(digits) > 0 {
			for k := 0; k < shift; k++ {
				digits = append(digits, '0')
			}
		}
	} else {
		drop := -shift
		if drop > len(digits) {
			digits = digits[:0]
		} else {
			keep := len(digits) - drop
			roundUp := digits[keep] >= '5'
			digits = digits[:keep]
			if roundUp {
				k := len(digits) - 1
				for ; k >= 0 && digits[k] == '9'; k-- {
					digits[k] = '0'
				}
				if k < 0 {
					digits = append(digits, 0)
					copy(digits[1:], digits)
					digits[0] = '1'
				} else {
					digits[k]++
				}
			}
		}
	}
	s.dec = digits
	if len(digits) > precision {
		return dst, true, true
	}
	at := len(dst)
	for k := 0; k < width; k++ {
		dst = append(dst, 0)
	}
	out = dst[at:]
	if len(digits) <= 18 {
		var u int64
		for _, c := range digits {
			u = u*10 + int64(c-'0')
		}
		if neg {
			u = -u
		}
		for k := width - 1; k >= 0; k-- {
			out[k] = byte(u)
			u >>= 8 // arithmetic shift sign-extends
		}
		return dst, true, false
	}
	b := &s.bigInt
	b.SetString(string(digits), 10)
	if neg {
		b.Neg(b)
	}
	// Two's complement of width bytes.
	if b.Sign() < 0 {
		mod := new(big.Int).Lsh(big.NewInt(1), uint(8*width))
		b.Add(b, mod)
	}
	b.FillBytes(out)
	return dst, true, false
}

func truncateRunes(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for i := range string(b) {
		if n == 0 {
			return b[:i]
		}
		n--
	}
	return b
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 32
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// blank reports whether b is empty or only JSON whitespace.
func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// The range of Hive's DATE: 0001-01-01 to 9999-12-31, in days since the epoch.
const (
	minDateDays = -719162
	maxDateDays = 2932896
)

// dedupKeys marks with -1 every map entry in pairs whose key equals a later
// entry's key, comparing keys as their column type reads them (for
// integers "1" and "01" are the same key; for varchar(n), the truncated
// text). Keys that do not coerce are left for prim to reject.
func (s *shredder) dedupKeys(kn *pnode, pairs []int32) {
	if len(pairs) < 2 {
		return
	}
	// Canonical keys, concatenated; ends[k] is where pair k's key ends.
	s.canon, s.ends = s.canon[:0], s.ends[:0]
	for _, p := range pairs {
		s.canon = s.canonicalKey(kn, &s.p.nodes[p], s.canon)
		s.ends = append(s.ends, len(s.canon))
	}
	key := func(k int) []byte {
		start := 0
		if k > 0 {
			start = s.ends[k-1]
		}
		return s.canon[start:s.ends[k]]
	}
	if len(pairs) <= 16 {
		for k := range pairs {
			for j := k + 1; j < len(pairs); j++ {
				if bytes.Equal(key(k), key(j)) {
					pairs[k] = -1
					break
				}
			}
		}
		return
	}
	if s.seen == nil {
		s.seen = map[string]struct{}{}
	}
	clear(s.seen)
	for k := len(pairs) - 1; k >= 0; k-- {
		if _, dup := s.seen[string(key(k))]; dup {
			pairs[k] = -1
			continue
		}
		s.seen[string(key(k))] = struct{}{}
	}
}

// canonicalKey appends the identity of a map key under its type.
func (s *shredder) canonicalKey(kn *pnode, v *jnode, dst []byte) []byte {
	b := s.str(v)
	t := kn.typ
	switch t.kind {
	case kTinyint, kSmallint, kInt, kBigint:
		if x, ok := parseInt(b); ok {
			return strconv.AppendInt(dst, x, 10)
		}
	case kString:
		if t.length > 0 {
			b = truncateRunes(b, t.length)
			if t.char {
				b = bytes.TrimRight(b, " ")
			}
		}
	}
	return append(dst, b...)
}
