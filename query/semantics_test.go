package query

import (
	"context"
	"testing"
)

// TestTrinoSemantics runs Trino expressions through Translate and DuckDB
// and compares each answer with the value Trino's documentation gives
// (https://trino.io/docs/current/functions/*.html), as Athena prints it.
func TestTrinoSemantics(t *testing.T) {
	env := newEnv(t)
	cases := []struct{ sql, want string }{
		{"SELECT date_parse('2024-01-02 03:04:05', '%Y-%m-%d %H:%i:%s') = TIMESTAMP '2024-01-02 03:04:05'", "true"},
		{"SELECT date_parse('2024-01-02 03:04:05', '%Y-%m-%d %H:%i:%s')", "2024-01-02 03:04:05.000"},
		{"SELECT date_parse('Jan 2 2024 1:04 PM', '%b %e %Y %l:%i %p')", "2024-01-02 13:04:00.000"},
		{"SELECT date_format(TIMESTAMP '2024-01-02 13:04:05', '%M %e, %Y %l:%i %p')", "January 2, 2024 1:04 PM"},
		{"SELECT date_format(TIMESTAMP '2024-01-02 13:04:05.123', '%Y-%m-%d %T.%f')", "2024-01-02 13:04:05.123000"},
		{"SELECT from_iso8601_timestamp('2024-01-02T03:04:05+02:00')", "2024-01-02 01:04:05.000 UTC"},
		{"SELECT from_iso8601_date('2024-01-02')", "2024-01-02"},
		{"SELECT from_unixtime(1704164645)", "2024-01-02 03:04:05.000 UTC"},
		{"SELECT to_unixtime(TIMESTAMP '2024-01-02 03:04:05')", "1.704164645E9"},
		{"SELECT approx_distinct(x) FROM (VALUES 1, 2, 2, 3) t(x)", "3"},
		{"SELECT approx_percentile(x, 0.5) FROM (VALUES 1, 2, 3) t(x)", "2"},
		{"SELECT json_extract_scalar('{\"a\":{\"b\":\"x\"}}', '$.a.b')", "x"},
		{"SELECT regexp_like('abc123', '[0-9]+')", "true"},
		{"SELECT element_at(ARRAY[1, 2, 3], 2), element_at(ARRAY[1, 2, 3], -1), element_at(ARRAY[1], 5)", "2|3|∅"},
		{"SELECT element_at(MAP(ARRAY['a'], ARRAY[1]), 'a')", "1"},
		{"SELECT cardinality(ARRAY[1, 2, 3]), cardinality(MAP(ARRAY['a', 'b'], ARRAY[1, 2])), cardinality(ARRAY[])", "3|2|0"},
		{"SELECT json_extract_scalar('{\"a\":{\"b\":1}}', '$.a'), json_extract_scalar('{\"a\":[1]}', '$.a'), json_extract_scalar('{\"a\":5}', '$.a'), json_extract_scalar('not json', '$.a')", "∅|∅|5|∅"},
		{"SELECT arbitrary(x) FROM (VALUES 7) t(x)", "7"},
		{"SELECT date_add('day', 3, DATE '2024-01-30'), date_add('month', 1, TIMESTAMP '2024-01-31 00:00:00')", "2024-02-02|2024-02-29 00:00:00.000"},
		{"SELECT date_add('quarter', 1, DATE '2024-01-15')", "2024-04-15"},
		{"SELECT date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00')", "0"},
		{"SELECT date_diff('month', DATE '2024-01-31', DATE '2024-03-01')", "1"},
		{"SELECT date_trunc('month', DATE '2024-01-15'), date_trunc('hour', TIMESTAMP '2024-01-15 10:20:30')", "2024-01-01|2024-01-15 10:00:00.000"},
		{"SELECT TIMESTAMP '2024-01-02 00:00:00' - INTERVAL '3' DAY", "2023-12-30 00:00:00.000"},
		{"SELECT CAST('12' AS integer) + 1, CAST(1.5 AS varchar), CAST('2024-01-02' AS date), try_cast('x' AS bigint)", "13|1.5|2024-01-02|∅"},
		{"SELECT CAST(2.5 AS real), CAST(1e10 AS double), 0.1E0 + 0.2E0", "2.5|1.0E10|0.30000000000000004"},
		{"SELECT split('a,b,c', ','), split_part('a,b,c', ',', 2), strpos('hello', 'l'), length('héllo')", "[a, b, c]|b|3|5"},
		{"SELECT concat('a', 'b', 'c'), concat('a', NULL), 'x' || 'y'", "abc|∅|xy"},
		{"SELECT lower('AbC'), upper('AbC'), 5 / 2, 5.0 / 2", "abc|ABC|2|2.5"},
		{"SELECT regexp_replace('1-2 3-4', '(\\d)-(\\d)', '$2-$1'), regexp_extract('abc', '[0-9]+')", "2-1 4-3|∅"},
		{"SELECT millisecond(TIMESTAMP '2024-01-02 03:04:05.123'), day_of_week(DATE '2024-01-07')", "123|7"},
		{"SELECT if(1 > 2, 'yes'), ROW(1, 'a'), MAP(ARRAY['k'], ARRAY[2])", "∅|{field0=1, field1=a}|{k=2}"},
		{"SELECT count(*), count(x), sum(x) FROM (VALUES 1, NULL, 3) t(x)", "3|2|4"},
		{"SELECT CAST(1.25 AS decimal(10, 2)), true, '' , NULL", "1.25|true||∅"},
	}
	for _, c := range cases {
		res, err := env.eng.Run(context.Background(), c.sql, "")
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		got := table(res)
		if i := indexByte(got, '\n'); i >= 0 {
			got = got[i+1:]
		}
		if got != c.want {
			dsql, _ := Translate(c.sql)
			t.Errorf("%s\n  DuckDB: %s\n  got  %s\n  want %s", c.sql, dsql, got, c.want)
		}
	}
}

// TestRowFieldOrder: a row prints its fields in their declared order (not
// sorted by name), nested in arrays and maps too, as Athena prints them.
func TestRowFieldOrder(t *testing.T) {
	env := newEnv(t)
	env.put(t, "rows/a.json", []byte(`{"r": {"zb": 1, "ya": "x", "m": {"y": 3, "b": 4}}, "l": [{"z": 2, "a": null}], "mp": {"k": {"q": 1, "p": 2}}}`+"\n"))
	env.run(t, `CREATE EXTERNAL TABLE rows (r struct<zb:int,ya:string,m:struct<y:int,b:int>>, l array<struct<z:int,a:string>>, mp map<string,struct<q:int,p:int>>)
		ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://data/rows/'`)
	got := table(env.run(t, "SELECT r, l, mp, cardinality(mp) FROM rows"))
	want := "r:row,l:array,mp:map,_col3:bigint\n{zb=1, ya=x, m={y=3, b=4}}|[{z=2, a=null}]|{k={q=1, p=2}}|1"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}
