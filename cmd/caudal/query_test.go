package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func sp(s string) *string { return &s }

// queryFixture is a result with every case the formats must keep apart:
// numbers, booleans, NULL next to the empty string, a comma, a quote and
// a newline inside values, a non-ASCII name, a double that is not a JSON
// number.
var queryFixture = struct {
	cols []column
	rows [][]*string
}{
	cols: []column{{"id", "bigint"}, {"name", "varchar"}, {"score", "double"}, {"ok", "boolean"}},
	rows: [][]*string{
		{sp("1"), sp("alice"), sp("3.5"), sp("true")},
		{sp("22"), sp(""), nil, sp("false")},
		{sp("333"), nil, sp("NaN"), nil},
		{sp("4"), sp("bob, \"jr\"\nline2"), sp("-1e-7"), sp("true")},
		{sp("5"), sp("zoë"), sp("10"), sp("false")},
	},
}

func renderQuery(t *testing.T, format string) string {
	t.Helper()
	var b bytes.Buffer
	w, err := newRowWriter(format, &b)
	if err != nil {
		t.Fatal(err)
	}
	w.columns(queryFixture.cols)
	for _, r := range queryFixture.rows {
		if err := w.row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestQueryTableFormat(t *testing.T) {
	got := renderQuery(t, "table")
	want := `id   name              score  ok
---  ----------------  -----  -----
  1  alice               3.5  true
 22                     NULL  false
333  NULL                NaN  NULL
  4  bob, "jr"\nline2  -1e-7  true
  5  zoë                  10  false
`
	if got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestQueryTableFormatNoColumns(t *testing.T) {
	var b bytes.Buffer
	w, _ := newRowWriter("table", &b)
	w.columns(nil)
	if err := w.flush(); err != nil || b.Len() != 0 {
		t.Errorf("a DDL result (no columns) printed %q, %v; want nothing", b.String(), err)
	}
}

func TestQueryCSVFormat(t *testing.T) {
	got := renderQuery(t, "csv")
	want := "id,name,score,ok\n" +
		"1,alice,3.5,true\n" +
		"22,\"\",,false\n" +
		"333,,NaN,\n" +
		"4,\"bob, \"\"jr\"\"\nline2\",-1e-7,true\n" +
		"5,zoë,10,false\n"
	if got != want {
		t.Errorf("csv:\n%q\nwant:\n%q", got, want)
	}
	// A strict RFC 4180 reader gets the values back.
	recs, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatalf("csv output does not parse: %v", err)
	}
	if len(recs) != 6 || recs[4][1] != "bob, \"jr\"\nline2" || recs[2][1] != "" || recs[5][1] != "zoë" {
		t.Errorf("csv read back as %q", recs)
	}
	var b bytes.Buffer
	w, _ := newRowWriter("csv", &b)
	w.columns(nil)
	if err := w.flush(); err != nil || b.Len() != 0 {
		t.Errorf("a DDL result (no columns) printed %q, %v; want nothing", b.String(), err)
	}
}

func TestQueryJSONFormat(t *testing.T) {
	got := renderQuery(t, "json")
	want := `{"id":1,"name":"alice","score":3.5,"ok":true}
{"id":22,"name":"","score":null,"ok":false}
{"id":333,"name":null,"score":"NaN","ok":null}
{"id":4,"name":"bob, \"jr\"\nline2","score":-1e-7,"ok":true}
{"id":5,"name":"zoë","score":10,"ok":false}
`
	if got != want {
		t.Errorf("json:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("invalid JSON line %s", line)
		}
	}
}

func TestQueryJSONValueTyping(t *testing.T) {
	for _, tc := range []struct {
		v, typ, want string
	}{
		{"42", "integer", "42"},
		{"-7", "bigint", "-7"},
		{"1.5E10", "double", "1.5E10"},
		{"Infinity", "double", `"Infinity"`},
		{"+1", "bigint", `"+1"`},
		{"007", "bigint", `"007"`},
		{"12.50", "decimal(10,2)", `"12.50"`}, // digits a float64 reader could lose
		{"true", "boolean", "true"},
		{"TRUE", "boolean", `"TRUE"`},
		{"42", "varchar", `"42"`},
		{"2026-01-02 03:04:05.000", "timestamp", `"2026-01-02 03:04:05.000"`},
		{"[1, 2]", "array(integer)", `"[1, 2]"`},
		{"\x00\u2028", "varchar", `"\u0000\u2028"`},
	} {
		if got := string(jsonValue(&tc.v, tc.typ)); got != tc.want {
			t.Errorf("jsonValue(%q, %s) = %s, want %s", tc.v, tc.typ, got, tc.want)
		}
	}
	if got := string(jsonValue(nil, "bigint")); got != "null" {
		t.Errorf("NULL = %s, want null", got)
	}
}

func TestQueryFormatUnknown(t *testing.T) {
	if _, err := newRowWriter("xml", &bytes.Buffer{}); err == nil {
		t.Error("--format xml accepted")
	}
}

func TestQuerySQLSource(t *testing.T) {
	e := &env{stdin: strings.NewReader("SELECT 1\n")}
	if sql, err := querySQL(e, []string{"SELECT 2"}); err != nil || sql != "SELECT 2" {
		t.Errorf("argument: %q, %v", sql, err)
	}
	if sql, err := querySQL(e, []string{"-"}); err != nil || sql != "SELECT 1\n" {
		t.Errorf("stdin with -: %q, %v", sql, err)
	}
	e.stdin = strings.NewReader("SELECT 3")
	if sql, err := querySQL(e, nil); err != nil || sql != "SELECT 3" {
		t.Errorf("stdin without argument: %q, %v", sql, err)
	}
	e.stdin = strings.NewReader("  \n")
	if _, err := querySQL(e, nil); err == nil {
		t.Error("blank stdin accepted")
	}
	if _, err := querySQL(e, []string{" "}); err == nil {
		t.Error("blank argument accepted")
	}
}

// FuzzQueryFormats feeds values as the server could send them through the
// writers: CSV must read back to the same value (NULL and "" apart), every
// JSON line must be valid JSON, and a table line never breaks.
func FuzzQueryFormats(f *testing.F) {
	for _, s := range []string{"", "a", "a,b", `"`, "x\ny", "\r\n", " lead", "NaN", "1e5", "-0", "true", "\x00\xff", "zoë"} {
		f.Add(s, "varchar", false)
		f.Add(s, "double", true)
	}
	f.Fuzz(func(t *testing.T, v, typ string, null bool) {
		val := &v
		if null {
			val = nil
		}
		for _, format := range []string{"csv", "json", "table"} {
			var b bytes.Buffer
			w, _ := newRowWriter(format, &b)
			w.columns([]column{{"c", typ}, {"d", "bigint"}})
			if err := w.row([]*string{val, sp("1")}); err != nil {
				t.Fatal(err)
			}
			if err := w.flush(); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			switch format {
			case "csv":
				r := csv.NewReader(strings.NewReader(out))
				r.LazyQuotes = false
				recs, err := r.ReadAll()
				if err != nil || len(recs) != 2 || len(recs[1]) != 2 {
					t.Fatalf("csv %q: %q, %v", out, recs, err)
				}
				// encoding/csv folds \r\n inside quotes into \n, and reads a
				// NULL and "" alike; compare what it can tell apart.
				want := ""
				if val != nil {
					want = strings.ReplaceAll(v, "\r\n", "\n")
				}
				if recs[1][0] != want {
					t.Fatalf("csv %q read back %q, want %q", out, recs[1][0], want)
				}
				if val != nil && v == "" && !strings.HasPrefix(out[strings.Index(out, "\n")+1:], `""`) {
					t.Fatalf("csv %q: the empty string is not \"\"", out)
				}
			case "json":
				if strings.Count(out, "\n") != 1 || !json.Valid([]byte(out)) {
					t.Fatalf("json %q is not one valid line", out)
				}
			case "table":
				if strings.Count(out, "\n") != 3 {
					t.Fatalf("table %q is not header, rule and one row", out)
				}
			}
		}
	})
}

// BenchmarkQueryFormats measures writing 1,000 rows in each format.
func BenchmarkQueryFormats(b *testing.B) {
	for _, format := range []string{"table", "csv", "json"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				w, _ := newRowWriter(format, io.Discard)
				w.columns(queryFixture.cols)
				for j := 0; j < 200; j++ {
					for _, r := range queryFixture.rows {
						w.row(r)
					}
				}
				w.flush()
			}
		})
	}
}
