package columnar

import (
	"bytes"
	"fmt"
	"strings"
)

// Timestamp and date parsing. Firehose documents the formats the OpenX
// JSON SerDe accepts (and recommends it over the Hive JSON SerDe for them):
//
//	yyyy-MM-dd'T'HH:mm:ss[.S]'Z'   fraction of up to 9 digits
//	yyyy-[M]M-[d]d HH:mm:ss[.S]    fraction of up to 9 digits
//	epoch seconds                  1518033528
//	epoch milliseconds             1518033528123
//	floating point epoch seconds   1518033528.123
//
// An epoch integer of 13 or more characters is milliseconds, a shorter
// one seconds (Athena's OpenX reader documents the same rule). Text may
// also end in an offset (+hh:mm, +hhmm); timestamps without one are UTC.
//
// The Hive JSON SerDe uses java.sql.Timestamp.valueOf, the second form
// only, unless TimestampFormats are given: Joda-Time patterns, or
// "millis" for epoch milliseconds, tried in order before valueOf.

type tsParser struct {
	formats []jodaFormat
	hive    bool
}

// parse returns seconds and nanoseconds since the epoch.
func (p *tsParser) parse(b []byte) (int64, int32, bool) {
	for i := range p.formats {
		if sec, nsec, ok := p.formats[i].parse(b); ok {
			return sec, nsec, true
		}
	}
	if p.hive {
		return parseTimestampValueOf(b)
	}
	return parseDefaultTimestamp(b)
}

// parseTimestampValueOf accepts what java.sql.Timestamp.valueOf does:
// yyyy-[M]M-[d]d [H]H:[m]m:[s]s[.f], f of 1 to 9 digits, in UTC.
func parseTimestampValueOf(b []byte) (int64, int32, bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return 0, 0, false
	}
	for _, c := range b[sp+1:] {
		if (c < '0' || c > '9') && c != ':' && c != '.' {
			return 0, 0, false // no zone, no second time
		}
	}
	return parseDefaultTimestamp(b)
}

// parseDate returns days since the epoch for yyyy-[M]M-[d]d (with any
// text after a space ignored), else for any timestamp the formats accept
// (its date part).
func (p *tsParser) parseDate(b []byte) (int32, bool) {
	r := reader{b: b}
	y, ok1 := r.num(4, 4)
	ok2 := r.lit('-')
	m, ok3 := r.num(1, 2)
	ok4 := r.lit('-')
	d, ok5 := r.num(1, 2)
	if ok1 && ok2 && ok3 && ok4 && ok5 && (r.i == len(b) || b[r.i] == ' ') {
		days, ok := daysFromCivil(y, m, d)
		return int32(days), ok
	}
	sec, _, ok := p.parse(b)
	if !ok {
		return 0, false
	}
	day := sec / 86400
	if sec%86400 < 0 {
		day--
	}
	return int32(day), true
}

type reader struct {
	b []byte
	i int
}

// num reads min..max digits.
func (r *reader) num(min, max int) (int, bool) {
	v, n := 0, 0
	for r.i < len(r.b) && n < max && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		v = v*10 + int(r.b[r.i]-'0')
		r.i++
		n++
	}
	return v, n >= min
}

func (r *reader) lit(c byte) bool {
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// fraction reads 1..9 fraction digits as nanoseconds.
func (r *reader) fraction() (int32, bool) {
	var v int32
	n := 0
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		if n < 9 {
			v = v*10 + int32(r.b[r.i]-'0')
		}
		r.i++
		n++
	}
	if n == 0 || n > 9 {
		return 0, false
	}
	for k := n; k < 9; k++ {
		v *= 10
	}
	return v, true
}

// offset reads Z, ±hh, ±hhmm or ±hh:mm as seconds east of UTC.
func (r *reader) offset() (int, bool) {
	if r.lit('Z') {
		return 0, true
	}
	if r.i >= len(r.b) || r.b[r.i] != '+' && r.b[r.i] != '-' {
		return 0, false
	}
	sign := 1
	if r.b[r.i] == '-' {
		sign = -1
	}
	r.i++
	h, ok := r.num(2, 2)
	if !ok || h > 18 {
		return 0, false
	}
	r.lit(':')
	m := 0
	if r.i < len(r.b) {
		if m, ok = r.num(2, 2); !ok || m > 59 {
			return 0, false
		}
	}
	return sign * (h*3600 + m*60), true
}

func parseDefaultTimestamp(b []byte) (int64, int32, bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	// Epoch numbers.
	if b[0] == '-' || b[0] >= '0' && b[0] <= '9' {
		if dot := bytes.IndexByte(b, '.'); dot < 0 {
			if v, ok := parseInt(b); ok {
				// 13 characters or more (sign and leading zeros counted)
				// is milliseconds, as the OpenX SerDe reads epoch numbers.
				if len(b) >= 13 {
					sec, ms := v/1000, v%1000
					if ms < 0 {
						ms += 1000
						sec--
					}
					return sec, int32(ms) * 1e6, true
				}
				return v, 0, true
			}
		} else if v, ok := parseInt(b[:dot]); ok && dot > 0 && b[0] != '+' {
			r := reader{b: b, i: dot + 1}
			ns, ok := r.fraction()
			if ok && r.i == len(b) {
				if b[0] == '-' && ns > 0 {
					return v - 1, 1e9 - ns, true
				}
				return v, ns, true
			}
		}
	}
	r := reader{b: b}
	y, ok := r.num(4, 4)
	if !ok || !r.lit('-') {
		return 0, 0, false
	}
	mo, ok := r.num(1, 2)
	if !ok || !r.lit('-') {
		return 0, 0, false
	}
	d, ok := r.num(1, 2)
	if !ok || !(r.lit('T') || r.lit(' ')) {
		return 0, 0, false
	}
	h, ok1 := r.num(1, 2)
	ok2 := r.lit(':')
	mi, ok3 := r.num(1, 2)
	ok4 := r.lit(':')
	s, ok5 := r.num(1, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || h > 23 || mi > 59 || s > 59 {
		return 0, 0, false
	}
	var ns int32
	if r.lit('.') {
		if ns, ok = r.fraction(); !ok {
			return 0, 0, false
		}
	}
	off := 0
	if r.i < len(b) {
		if off, ok = r.offset(); !ok || r.i != len(b) {
			return 0, 0, false
		}
	}
	days, ok := daysFromCivil(y, mo, d)
	if !ok {
		return 0, 0, false
	}
	return days*86400 + int64(h*3600+mi*60+s-off), ns, true
}

// daysFromCivil converts a proleptic Gregorian date to days since
// 1970-01-01, rejecting dates that do not exist.
func daysFromCivil(y, m, d int) (int64, bool) {
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// A Joda-Time DateTimeFormat pattern, compiled. Supported letters:
// y Y (year), M (month, number or text from MMM), d, H, k, h, K, m, s,
// S (fraction), a (AM/PM), E (day-of-week text, ignored), Z and z (offset
// or UTC/GMT), and 'quoted' text; other non-letters are literals.
type jodaFormat struct {
	millis bool
	toks   []jodaTok
}

type jodaTok struct {
	letter byte // 0 for a literal
	count  int
	lit    string
	fixed  bool // numeric field followed by another numeric field: exact width
}

func compileJoda(pattern string) (jodaFormat, error) {
	if pattern == "millis" {
		return jodaFormat{millis: true}, nil
	}
	var f jodaFormat
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			j := i + 1
			var lit strings.Builder
			for {
				if j >= len(pattern) {
					return f, fmt.Errorf("unterminated quote in timestamp format %q", pattern)
				}
				if pattern[j] == '\'' {
					if j+1 < len(pattern) && pattern[j+1] == '\'' {
						lit.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				lit.WriteByte(pattern[j])
				j++
			}
			if j == i+1 {
				f.toks = append(f.toks, jodaTok{lit: "'"})
			} else {
				f.toks = append(f.toks, jodaTok{lit: lit.String()})
			}
			i = j + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			if !strings.ContainsRune("yYMdHkhKmsSaEZz", rune(c)) {
				return f, fmt.Errorf("unsupported letter %q in timestamp format %q", c, pattern)
			}
			j := i
			for j < len(pattern) && pattern[j] == c {
				j++
			}
			f.toks = append(f.toks, jodaTok{letter: c, count: j - i})
			i = j
		default:
			f.toks = append(f.toks, jodaTok{lit: string(c)})
			i++
		}
	}
	for i := range f.toks {
		if i+1 < len(f.toks) && isNumericTok(f.toks[i]) && isNumericTok(f.toks[i+1]) {
			f.toks[i].fixed = true
		}
	}
	return f, nil
}

func isNumericTok(t jodaTok) bool {
	switch t.letter {
	case 0, 'a', 'E', 'Z', 'z':
		return false
	case 'M':
		return t.count < 3
	}
	return true
}

var monthNames = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
var dayNames = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// matchName matches a full name or its three-letter abbreviation,
// case-insensitively, and returns its index.
func (r *reader) matchName(names []string) (int, bool) {
	for i, n := range names {
		for _, cand := range []string{n, n[:3]} {
			if len(r.b)-r.i >= len(cand) && strings.EqualFold(string(r.b[r.i:r.i+len(cand)]), cand) {
				r.i += len(cand)
				return i, true
			}
		}
	}
	return 0, false
}

func (f *jodaFormat) parse(b []byte) (int64, int32, bool) {
	if f.millis {
		v, ok := parseInt(b)
		if !ok {
			return 0, 0, false
		}
		sec, ms := v/1000, v%1000
		if ms < 0 {
			ms += 1000
			sec--
		}
		return sec, int32(ms) * 1e6, true
	}
	r := reader{b: b}
	y, mo, d, h, mi, s := 1970, 1, 1, 0, 0, 0
	var ns int32
	off := 0
	pm, half := -1, false
	for _, t := range f.toks {
		if t.letter == 0 {
			if len(b)-r.i < len(t.lit) || string(b[r.i:r.i+len(t.lit)]) != t.lit {
				return 0, 0, false
			}
			r.i += len(t.lit)
			continue
		}
		min, max := 1, 2
		if t.count > 2 {
			max = t.count
		}
		if t.fixed {
			min, max = t.count, t.count
		}
		var v int
		var ok bool
		switch t.letter {
		case 'y', 'Y':
			if !t.fixed {
				max = 9
			}
			neg := r.lit('-')
			v, ok = r.num(min, max)
			if neg {
				v = -v
			}
			if ok && t.count == 2 && v < 100 {
				// Joda's two-digit year pivots around 2000.
				v += 2000
			}
			y = v
		case 'M':
			if t.count >= 3 {
				v, ok = r.matchName(monthNames)
				v++
			} else {
				v, ok = r.num(min, max)
			}
			mo = v
		case 'd':
			d, ok = r.num(min, max)
		case 'H', 'k':
			h, ok = r.num(min, max)
			if t.letter == 'k' && h == 24 {
				h = 0
			}
		case 'h', 'K':
			h, ok = r.num(min, max)
			half = true
			if t.letter == 'h' && h == 12 {
				h = 0
			}
		case 'm':
			mi, ok = r.num(min, max)
		case 's':
			s, ok = r.num(min, max)
		case 'S':
			ns, ok = r.fraction()
		case 'a':
			switch {
			case len(b)-r.i >= 2 && strings.EqualFold(string(b[r.i:r.i+2]), "am"):
				pm = 0
			case len(b)-r.i >= 2 && strings.EqualFold(string(b[r.i:r.i+2]), "pm"):
				pm = 1
			default:
				return 0, 0, false
			}
			r.i += 2
			ok = true
		case 'E':
			_, ok = r.matchName(dayNames)
		case 'Z', 'z':
			switch {
			case len(b)-r.i >= 3 && (string(b[r.i:r.i+3]) == "UTC" || string(b[r.i:r.i+3]) == "GMT"):
				r.i += 3
				off, ok = 0, true
			default:
				off, ok = r.offset()
			}
		}
		if !ok {
			return 0, 0, false
		}
	}
	if r.i != len(b) {
		return 0, 0, false
	}
	if half {
		if h > 11 {
			return 0, 0, false
		}
		if pm == 1 {
			h += 12
		}
	}
	if h > 23 || mi > 59 || s > 59 {
		return 0, 0, false
	}
	days, ok := daysFromCivil(y, mo, d)
	if !ok {
		return 0, 0, false
	}
	return days*86400 + int64(h*3600+mi*60+s-off), ns, true
}
