package query

import (
	"fmt"
	"strings"
)

// mysqlToStrftime maps the MySQL-style specifiers of Trino's date_format
// and date_parse to DuckDB's strftime/strptime ones. Trino documents these
// (https://trino.io/docs/current/functions/datetime.html#mysql-date-functions);
// "" marks the specifiers Trino refuses (%D %U %u %V %w %X).
var mysqlToStrftime = map[byte]string{
	'a': "%a",  // abbreviated weekday name (Sun .. Sat)
	'b': "%b",  // abbreviated month name (Jan .. Dec)
	'c': "%-m", // month, numeric (1 .. 12)
	'D': "",
	'd': "%d",  // day of the month, 01 .. 31
	'e': "%-d", // day of the month, 1 .. 31
	'f': "%f",  // fraction of second (6 digits printed)
	'H': "%H",  // hour 00 .. 23
	'h': "%I",  // hour 01 .. 12
	'I': "%I",
	'i': "%M",  // minutes 00 .. 59
	'j': "%j",  // day of year 001 .. 366
	'k': "%-H", // hour 0 .. 23
	'l': "%-I", // hour 1 .. 12
	'M': "%B",  // month name (January .. December)
	'm': "%m",  // month 01 .. 12
	'p': "%p",  // AM or PM
	'r': "%I:%M:%S %p",
	'S': "%S",
	's': "%S",
	'T': "%H:%M:%S",
	'U': "",
	'u': "",
	'V': "",
	'v': "%V", // ISO week, Monday first
	'W': "%A", // weekday name
	'w': "",
	'X': "",
	'x': "%G", // ISO week-numbering year
	'Y': "%Y",
	'y': "%y",
	'%': "%%",
}

// convertMySQLFormat converts a Trino date format string to strftime's.
// A specifier MySQL does not define stands for its letter, as MySQL says.
func convertMySQLFormat(f string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(f) {
			b.WriteString("%%")
			break
		}
		i++
		spec, known := mysqlToStrftime[f[i]]
		switch {
		case known && spec == "":
			return "", fmt.Errorf("%%%c not supported in date format string", f[i])
		case known:
			b.WriteString(spec)
		default:
			if f[i] == '%' {
				b.WriteString("%%")
			} else {
				b.WriteByte(f[i])
			}
		}
	}
	return b.String(), nil
}
