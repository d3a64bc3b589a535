package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The output formats of `caudal query`. A value is a *string: nil is SQL
// NULL (Athena sends a Datum without VarCharValue), which every format
// keeps apart from the empty string.

// column is one result column as Athena describes it; Type is lower case
// ("bigint", "varchar", "array(integer)", …).
type column struct {
	Name string
	Type string
}

// rowWriter prints a result: columns once, then rows, then flush.
type rowWriter interface {
	columns(cols []column)
	row(vals []*string) error
	flush() error
}

func newRowWriter(format string, w io.Writer) (rowWriter, error) {
	switch format {
	case "table":
		return &tableWriter{w: w}, nil
	case "csv":
		return &csvWriter{w: bufio.NewWriter(w)}, nil
	case "json":
		return &jsonWriter{w: bufio.NewWriter(w)}, nil
	}
	return nil, fmt.Errorf("--format %q: want table, csv or json", format)
}

// isNumericType reports whether values of an Athena column type are
// numbers (right-aligned in a table, JSON numbers). decimal is left out of
// JSON typing: its digits can exceed what a float64 reader keeps.
func isNumericType(t string) bool {
	switch t {
	case "tinyint", "smallint", "integer", "int", "bigint", "double", "float", "real":
		return true
	}
	return false
}

// tableWriter aligns columns under a header and a rule of dashes. It must
// see every row before printing the first, so it holds them (--max-rows
// bounds that for large results).
type tableWriter struct {
	w    io.Writer
	cols []column
	rows [][]string
}

func (t *tableWriter) columns(cols []column) { t.cols = cols }

func (t *tableWriter) row(vals []*string) error {
	cells := make([]string, len(vals))
	for i, v := range vals {
		cells[i] = tableCell(v)
	}
	t.rows = append(t.rows, cells)
	return nil
}

// tableCell shows a value on one line: NULL for NULL, control characters
// escaped so that a newline in a value cannot break the alignment.
func tableCell(v *string) string {
	if v == nil {
		return "NULL"
	}
	s := *v
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

func (t *tableWriter) flush() error {
	n := len(t.cols)
	for _, r := range t.rows {
		n = max(n, len(r))
	}
	if n == 0 {
		return nil
	}
	names := make([]string, n)
	right := make([]bool, n)
	for i, c := range t.cols {
		names[i] = c.Name
		right[i] = isNumericType(c.Type)
	}
	width := make([]int, n)
	for i, s := range names {
		width[i] = utf8.RuneCountInString(s)
	}
	for _, r := range t.rows {
		for i, s := range r {
			width[i] = max(width[i], utf8.RuneCountInString(s))
		}
	}
	bw := bufio.NewWriter(t.w)
	line := func(cells []string, right []bool) {
		var b strings.Builder
		for i := 0; i < n; i++ {
			s := ""
			if i < len(cells) {
				s = cells[i]
			}
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(s))
			if right != nil && right[i] {
				b.WriteString(pad + s)
			} else {
				b.WriteString(s + pad)
			}
		}
		bw.WriteString(strings.TrimRight(b.String(), " "))
		bw.WriteByte('\n')
	}
	line(names, nil)
	rule := make([]string, n)
	for i := range rule {
		rule[i] = strings.Repeat("-", width[i])
	}
	line(rule, nil)
	for _, r := range t.rows {
		line(r, right)
	}
	t.rows = nil
	return bw.Flush()
}

// csvWriter writes RFC 4180 CSV: a header line, fields quoted when they
// hold a comma, quote, CR or LF (quotes doubled), lines ending in LF as
// Athena's own result files do. NULL is an empty field and the empty
// string is "" — the distinction Athena's result files make too.
type csvWriter struct {
	w *bufio.Writer
}

func (c *csvWriter) columns(cols []column) {
	if len(cols) == 0 {
		return // a DDL statement's result: no columns, not even a header
	}
	names := make([]*string, len(cols))
	for i := range cols {
		names[i] = &cols[i].Name
	}
	c.row(names)
}

func (c *csvWriter) row(vals []*string) error {
	for i, v := range vals {
		if i > 0 {
			c.w.WriteByte(',')
		}
		c.w.WriteString(csvField(v))
	}
	return c.w.WriteByte('\n')
}

func csvField(v *string) string {
	if v == nil {
		return ""
	}
	s := *v
	if s != "" && !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func (c *csvWriter) flush() error { return c.w.Flush() }

// jsonWriter prints one JSON object per line, keys in column order. Values
// of numeric columns are JSON numbers and of boolean columns JSON
// booleans; a value that does not read as one (a double's NaN or
// Infinity) stays a string rather than becoming invalid JSON. Everything
// else is a string, NULL is null.
type jsonWriter struct {
	w    *bufio.Writer
	cols []column
	keys [][]byte // JSON-encoded column names
}

func (j *jsonWriter) columns(cols []column) {
	j.cols = cols
	j.keys = make([][]byte, len(cols))
	for i, c := range cols {
		j.keys[i], _ = json.Marshal(c.Name)
	}
}

func (j *jsonWriter) row(vals []*string) error {
	j.w.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			j.w.WriteByte(',')
		}
		if i < len(j.keys) {
			j.w.Write(j.keys[i])
		} else {
			// More values than columns: name them by position.
			fmt.Fprintf(j.w, `"_col%d"`, i)
		}
		j.w.WriteByte(':')
		typ := ""
		if i < len(j.cols) {
			typ = j.cols[i].Type
		}
		j.w.Write(jsonValue(v, typ))
	}
	j.w.WriteString("}\n")
	return nil
}

func jsonValue(v *string, typ string) []byte {
	if v == nil {
		return []byte("null")
	}
	switch {
	case typ == "boolean" && (*v == "true" || *v == "false"):
		return []byte(*v)
	case isNumericType(typ) && isJSONNumber(*v):
		return []byte(*v)
	}
	b, _ := json.Marshal(*v)
	return b
}

// isJSONNumber reports whether s is a number in JSON's grammar (no
// leading '+', no leading zeros, no NaN or Infinity).
func isJSONNumber(s string) bool {
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		// ParseFloat refuses out-of-range numbers JSON allows, but
		// Athena's integer and double texts are always in range.
		return false
	}
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil
}

func (j *jsonWriter) flush() error { return j.w.Flush() }
