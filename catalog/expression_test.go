package catalog

import (
	"errors"
	"fmt"
	"testing"

	bolt "go.etcd.io/bbolt"
)

type boltTx = bolt.Tx

var exprKeys = []Column{
	{Name: "year", Type: "int"},
	{Name: "Month", Type: "string"},
	{Name: "day", Type: "date"},
	{Name: "score", Type: "decimal(10,2)"},
	{Name: "big", Type: "bigint"},
}

func TestPartitionExpression(t *testing.T) {
	// values: year, Month, day, score, big
	row := []string{"2024", "9", "2024-03-05", "12.50", "9007199254740993"}
	cases := []struct {
		expr string
		want bool
	}{
		{"year = 2024", true},
		{"year = '2024'", true},
		{"year > 999", true},   // typed: int 2024 > 999 (as text "2024" < "999")
		{"Month > '10'", true}, // string: "9" > "10"
		{"month > 10", true},   // key names case-insensitive; literal converted to string
		{"YEAR between 2000 AND 2030", true},
		{"year NOT BETWEEN 2000 AND 2030", false},
		{"year in (2023, 2024)", true},
		{"year not in (2023, 2025)", true},
		{"year IN ('2023')", false},
		{"day >= '2024-03-01' AND day < '2024-04-01'", true},
		{"day LIKE '2024-03-%'", true},
		{"day like '2024-0_-05'", true},
		{"day NOT LIKE '%-05'", false},
		{"score = 12.5", true}, // decimal compares numerically
		{"score < 2", false},
		{"big = 9007199254740993", true},
		{"big = 9007199254740992", false}, // exact int64, not float
		{"big > 9007199254740990.5", true},
		{"2025 > year", true},
		{"'2024' = year", true},
		{"year <> 2024 OR Month = '9'", true},
		{"year != 2024", false},
		{"NOT (year = 2024)", false},
		{"NOT year = 2023 AND (Month = '9' OR Month = '10')", true},
		{"year = 2023 OR year = 2024 AND Month = '1'", false}, // AND binds tighter
		{"(year = 2023 OR year = 2024) AND Month = '9'", true},
		{"year IS NOT NULL", true},
		{"year IS NULL", false},
		{"`year` = 2024", true},
		{"  ", true},
		{"", true},
		{"Month = 'it''s'", false},
	}
	for _, tc := range cases {
		e, err := ParseExpression(tc.expr)
		if err != nil {
			t.Errorf("%q: parse: %v", tc.expr, err)
			continue
		}
		m, err := e.Bind(exprKeys)
		if err != nil {
			t.Errorf("%q: bind: %v", tc.expr, err)
			continue
		}
		got := m == nil || m(row)
		if got != tc.want {
			t.Errorf("%q = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func TestPartitionExpressionNonNumericValue(t *testing.T) {
	e, _ := ParseExpression("year <> 1")
	m, err := e.Bind(exprKeys)
	if err != nil {
		t.Fatal(err)
	}
	if m([]string{"abc", "", "", "", ""}) {
		t.Error("a non-number under an int key matched a numeric comparison")
	}
}

func TestPartitionExpressionErrors(t *testing.T) {
	for _, expr := range []string{
		"year =",
		"year = 1 AND",
		"(year = 1",
		"year = 1)",
		"year == 1",
		"year 1",
		"1 = 1",
		"year = month",
		"year BETWEEN 1 OR 2",
		"year IN 1",
		"year IN (1,",
		"year IN (month)",
		"Month LIKE 1",
		"year = 'abc'", // not a number for an int key
		"nokey = 1",    // unknown key
		"year = 'open",
		"year ! 1",
		"year IS 1",
		"year = 1 ; drop",
		"`year = 1",
		"-",
		"1e",
		fmt.Sprintf("%s year = 1 %s", repeat("(", 200), repeat(")", 200)),
		repeat("NOT ", 500) + "year = 1",
	} {
		e, err := ParseExpression(expr)
		if err == nil {
			_, err = e.Bind(exprKeys)
		}
		if err == nil {
			t.Errorf("%q: no error", expr)
			continue
		}
		if !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%q: error %v is not ErrInvalidInput", expr, err)
		}
	}
	// Glue's wording for a key the table does not have.
	e, _ := ParseExpression("nokey = 1")
	if _, err := e.Bind(exprKeys); err == nil || err.Error() != "Invalid partition expression!" {
		t.Errorf("unknown key: %v", err)
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func TestLike(t *testing.T) {
	cases := []struct {
		s, p string
		want bool
	}{
		{"abc", "abc", true}, {"abc", "a%", true}, {"abc", "%c", true}, {"abc", "%b%", true},
		{"abc", "a_c", true}, {"abc", "a_", false}, {"", "%", true}, {"", "_", false},
		{"a%c", "a%c", true}, {"añb", "a_b", true}, {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "%a%a%a%a%a%a%a%a%c", false},
	}
	for _, tc := range cases {
		if got := like(tc.s, tc.p); got != tc.want {
			t.Errorf("like(%q, %q) = %v", tc.s, tc.p, got)
		}
	}
}

// FuzzPartitionExpression: parsing and evaluating any text never panics
// and every refusal is ErrInvalidInput. Time is bounded by construction
// (one-pass lexer and parser, nesting capped at maxExpressionDepth, LIKE
// without exponential backtracking), not measured here.
func FuzzPartitionExpression(f *testing.F) {
	for _, s := range []string{
		"year = 2024", "year > '10' AND NOT (Month IN ('1','2') OR day LIKE '%-05')",
		"score BETWEEN 1.5 AND 2e3", "`year` IS NOT NULL", "'x' <= Month", "big != -5",
		"((((year=1))))", "year = 'it''s'", "", "NOT NOT year = 1",
	} {
		f.Add(s, "2024", "9")
	}
	f.Fuzz(func(t *testing.T, expr, v0, v1 string) {
		e, err := ParseExpression(expr)
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("parse error %v is not ErrInvalidInput", err)
			}
			return
		}
		m, err := e.Bind(exprKeys)
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("bind error %v is not ErrInvalidInput", err)
			}
			return
		}
		if m != nil {
			m([]string{v0, v1, v0, v1, v0})
		}
	})
}
