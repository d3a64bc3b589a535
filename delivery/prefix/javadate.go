package prefix

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// javaFormat is a compiled java.time.format.DateTimeFormatter pattern
// (DateTimeFormatterBuilder.appendPattern, English locale) for formatting
// a UTC instant. Supported letters and their widths follow the
// DateTimeFormatter documentation:
//
//	G era; u y year; D day-of-year; M L month; d day; Q q quarter;
//	E day-of-week; a AM/PM; h K k H hours; m minute; s second;
//	S fraction; n nano-of-second; N nano-of-day; A milli-of-day;
//	X x Z O zone offsets of the time's location;
//	'text' literals, '' a quote, [ ] optional sections (always printed).
//
// Week-based fields (Y w W e c F) depend on a locale's week definition and
// zone names (z V v) on the zone's identity; they are rejected rather than
// guessed. Reserved characters # { } and unknown letters are errors, as in
// Java.
type javaFormat []javaField

type javaField struct {
	letter byte // 0 for literal text
	count  int
	lit    string
}

func parseJavaFormat(p string) (javaFormat, error) {
	if p == "" {
		return nil, fmt.Errorf("empty pattern")
	}
	var out javaFormat
	lit := func(s string) {
		if n := len(out); n > 0 && out[n-1].letter == 0 {
			out[n-1].lit += s
			return
		}
		out = append(out, javaField{lit: s})
	}
	depth := 0
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			n := j - i
			if err := checkLetter(c, n); err != nil {
				return nil, err
			}
			out = append(out, javaField{letter: c, count: n})
			i = j
		case c == '\'':
			end := i + 1
			var b strings.Builder
			for {
				if end >= len(p) {
					return nil, fmt.Errorf("pattern ends with an incomplete string literal: %s", p)
				}
				if p[end] == '\'' {
					if end+1 < len(p) && p[end+1] == '\'' {
						b.WriteByte('\'')
						end += 2
						continue
					}
					break
				}
				b.WriteByte(p[end])
				end++
			}
			if end == i+1 { // '' is one quote
				lit("'")
			} else {
				lit(b.String())
			}
			i = end + 1
		case c == '[':
			depth++
			i++
		case c == ']':
			if depth == 0 {
				return nil, fmt.Errorf("pattern invalid as it contains ] without previous [")
			}
			depth--
			i++
		case c == '#' || c == '{' || c == '}':
			return nil, fmt.Errorf("pattern includes reserved character: '%c'", c)
		default:
			_, size := utf8.DecodeRuneInString(p[i:])
			lit(p[i : i+size])
			i += size
		}
	}
	return out, nil
}

// checkLetter applies DateTimeFormatterBuilder's limits on pattern letter
// counts ("Too many pattern letters").
func checkLetter(c byte, n int) error {
	max := 0
	switch c {
	case 'u', 'y':
		max = 19
	case 'G', 'M', 'L', 'Q', 'q', 'E':
		max = 5
	case 'D':
		max = 3
	case 'd', 'h', 'K', 'k', 'H', 'm', 's':
		max = 2
	case 'a':
		max = 1
	case 'S', 'n', 'N', 'A':
		max = 19
		if c == 'S' {
			max = 9
		}
	case 'X', 'x':
		max = 5
	case 'Z':
		max = 5
	case 'O':
		if n != 1 && n != 4 {
			return fmt.Errorf("pattern letter count must be 1 or 4: O")
		}
		return nil
	case 'Y', 'w', 'W', 'e', 'c', 'F', 'z', 'V', 'v', 'B':
		return fmt.Errorf("pattern letter '%c' is not supported (locale- or zone-dependent)", c)
	default:
		return fmt.Errorf("unknown pattern letter: %c", c)
	}
	if n > max {
		return fmt.Errorf("too many pattern letters: %c", c)
	}
	return nil
}

var (
	monthShort = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	dayShort   = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	ordinal    = []string{"1st", "2nd", "3rd", "4th"}
)

func (f javaFormat) format(b *strings.Builder, t time.Time) {
	for _, fl := range f {
		n := fl.count
		switch fl.letter {
		case 0:
			b.WriteString(fl.lit)
		case 'G':
			switch {
			case n == 4:
				b.WriteString("Anno Domini")
			case n == 5:
				b.WriteString("A")
			default:
				b.WriteString("AD")
			}
		case 'u', 'y':
			year := t.Year()
			switch n {
			case 2:
				num(b, ((year%100)+100)%100, 2)
			case 1:
				b.WriteString(strconv.Itoa(year))
			default:
				// Four or more letters use SignStyle.EXCEEDS_PAD: a '+'
				// when the year is wider than the pad.
				s := strconv.Itoa(year)
				if n >= 4 && year >= 0 && len(s) > n {
					b.WriteByte('+')
				}
				if len(s) < n {
					b.WriteString(strings.Repeat("0", n-len(s)))
				}
				b.WriteString(s)
			}
		case 'D':
			num(b, t.YearDay(), n)
		case 'M', 'L':
			text(b, n, int(t.Month()), t.Month().String(), monthShort[t.Month()-1])
		case 'd':
			num(b, t.Day(), n)
		case 'Q', 'q':
			q := (int(t.Month())-1)/3 + 1
			switch n {
			case 1, 5:
				num(b, q, 1)
			case 2:
				num(b, q, 2)
			case 3:
				b.WriteString("Q" + strconv.Itoa(q))
			case 4:
				b.WriteString(ordinal[q-1] + " quarter")
			}
		case 'E':
			switch n {
			case 4:
				b.WriteString(t.Weekday().String())
			case 5:
				b.WriteString(t.Weekday().String()[:1])
			default:
				b.WriteString(dayShort[t.Weekday()])
			}
		case 'a':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			num(b, h, n)
		case 'K':
			num(b, t.Hour()%12, n)
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			num(b, h, n)
		case 'H':
			num(b, t.Hour(), n)
		case 'm':
			num(b, t.Minute(), n)
		case 's':
			num(b, t.Second(), n)
		case 'S':
			frac := fmt.Sprintf("%09d", t.Nanosecond())
			b.WriteString(frac[:n])
		case 'n':
			num(b, t.Nanosecond(), n)
		case 'N':
			num(b, nanoOfDay(t), n)
		case 'A':
			num(b, nanoOfDay(t)/1e6, n)
		case 'X', 'x':
			_, off := t.Zone()
			if fl.letter == 'X' && off == 0 {
				b.WriteByte('Z')
				break
			}
			offsetID(b, off, isoOffsetStyles[n-1])
		case 'Z':
			_, off := t.Zone()
			switch n {
			case 4:
				localizedOffset(b, off, true)
			case 5:
				if off == 0 {
					b.WriteByte('Z')
				} else {
					offsetID(b, off, "+HH:MM:ss")
				}
			default:
				offsetID(b, off, "+HHMM")
			}
		case 'O':
			_, off := t.Zone()
			localizedOffset(b, off, n == 4)
		}
	}
}

func nanoOfDay(t time.Time) int {
	return ((t.Hour()*60+t.Minute())*60+t.Second())*1e9 + t.Nanosecond()
}

// num writes v zero-padded to width (1 means unpadded).
func num(b *strings.Builder, v, width int) {
	s := strconv.Itoa(v)
	if len(s) < width {
		b.WriteString(strings.Repeat("0", width-len(s)))
	}
	b.WriteString(s)
}

// text writes a month-like field: 1-2 letters numeric, 3 short text,
// 4 full text, 5 narrow (first letter).
func text(b *strings.Builder, n, v int, full, short string) {
	switch n {
	case 1, 2:
		num(b, v, n)
	case 3:
		b.WriteString(short)
	case 4:
		b.WriteString(full)
	case 5:
		b.WriteString(full[:1])
	}
}

// isoOffsetStyles are appendOffset's patterns for one to five X or x
// letters.
var isoOffsetStyles = []string{"+HHmm", "+HHMM", "+HH:MM", "+HHMMss", "+HH:MM:ss"}

// offsetID writes a zone offset in one of DateTimeFormatterBuilder's
// appendOffset patterns: "mm"/"ss" parts print only when non-zero, "MM"
// always.
func offsetID(b *strings.Builder, off int, style string) {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m, sec := off/3600, off/60%60, off%60
	b.WriteByte(sign)
	num(b, h, 2)
	colon := strings.Contains(style, ":")
	switch {
	case strings.HasPrefix(style[3:], "mm") && m == 0 && sec == 0:
		return
	case strings.HasSuffix(style, "ss") || strings.Contains(style, "MM") || strings.Contains(style, "mm"):
		if colon {
			b.WriteByte(':')
		}
		num(b, m, 2)
	}
	if strings.HasSuffix(style, "ss") && sec != 0 {
		if colon {
			b.WriteByte(':')
		}
		num(b, sec, 2)
	}
}

// localizedOffset writes appendLocalizedOffset: "GMT" for zero, else
// GMT+H[:MM[:ss]] (short) or GMT+HH:MM[:ss] (full).
func localizedOffset(b *strings.Builder, off int, full bool) {
	b.WriteString("GMT")
	if off == 0 {
		return
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m, sec := off/3600, off/60%60, off%60
	b.WriteByte(sign)
	if full {
		num(b, h, 2)
		b.WriteByte(':')
		num(b, m, 2)
	} else {
		num(b, h, 1)
		if m != 0 || sec != 0 {
			b.WriteByte(':')
			num(b, m, 2)
		}
	}
	if sec != 0 {
		b.WriteByte(':')
		num(b, sec, 2)
	}
}
