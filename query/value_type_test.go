package query

import "testing"

func TestFormatTypedQuotedAndNested(t *testing.T) {
	typ := parseComplexType(`STRUCT("z b" INTEGER, "q""x" VARCHAR[], d DECIMAL(18,3), m MAP(VARCHAR, STRUCT(y INTEGER, a INTEGER)))[]`)
	v := []any{map[string]any{"z b": int32(1), `q"x`: []any{"s", nil}, "d": nil, "m": nil}}
	if got, want := formatTyped(v, typ), `[{z b=1, q"x=[s, null], d=null, m=null}]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	// Types the parser does not understand format as before, never panic.
	for _, s := range []string{"", "STRUCT(", "STRUCT(a", `STRUCT("a`, "MAP(INTEGER", "INTEGER[", "UNION(a INTEGER, b VARCHAR)", "STRUCT(a INTEGER))"} {
		_ = formatTyped(map[string]any{"a": 1}, parseComplexType(s))
	}
}

func FuzzComplexType(f *testing.F) {
	f.Add(`STRUCT(a INTEGER, "b""c" MAP(VARCHAR, INTEGER[]))[][3]`)
	f.Fuzz(func(t *testing.T, s string) {
		_ = formatTyped(map[string]any{"a": []any{1}}, parseComplexType(s))
	})
}
