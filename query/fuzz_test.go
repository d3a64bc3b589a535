package query

import (
	"errors"
	"testing"
	"time"
)

// FuzzTranslate: any bytes either translate or fail with an *Error, never
// panic, in bounded time; and the translation of a translation is a fixed
// point (rewrites such as concat → || apply once).
func FuzzTranslate(f *testing.F) {
	for _, s := range []string{
		"SELECT date_parse(a, '%Y-%m-%d') FROM db.t WHERE dt = '2024' AND x IN (1, 2)",
		"WITH a AS (SELECT 1) SELECT * FROM a JOIN b ON a.x = b.y",
		"SELECT CAST(x AS ROW(a ARRAY(MAP(varchar, bigint)))) FROM t",
		"SELECT 'it''s', \"q\"\"x\", -- c\n /* d */ 1.5e3",
		"SELECT concat(a, b), element_at(m, 'k'), date_add('day', 1, d) FROM t",
		"VALUES 1, 2", "SELECT (((((a)))))", "SELECT `x`", "SELECT '", "((", "))", ";;",
		"SELECT a FROM t WHERE a IS DISTINCT FROM b", "SELECT EXTRACT(dow FROM ts)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		start := time.Now()
		out, err := Translate(sql)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Translate took %v", d)
		}
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("error is not *Error: %T %v", err, err)
			}
			return
		}
		again, err := Translate(out)
		if err != nil {
			return // e.g. a DuckDB-only spelling the output needed
		}
		third, err := Translate(again)
		if err != nil {
			t.Fatalf("translation of %q failed: %v", again, err)
		}
		if third != again {
			t.Fatalf("not a fixed point:\n%q\n%q\n%q", out, again, third)
		}
	})
}
