package columnar

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// fail marks a value that must fail with DataFormatConversion.MalformedData.
const fail = "FAIL"

// TestValues converts one JSON value into a column of each Hive type and
// reads it back with DuckDB: the value it shows, or the record's failure.
func TestValues(t *testing.T) {
	cases := []struct {
		typ, json, want string
	}{
		// string family: any JSON scalar as written, objects/arrays as JSON text
		{"string", `"héllo \"q\" \u00e9\n"`, "héllo \"q\" é\n"},
		{"string", `42.50`, "42.50"},
		{"string", `true`, "true"},
		{"string", `{"a": [1, 2]}`, `{"a": [1, 2]}`},
		{"string", `""`, ""},
		{"string", `"\ud83d\ude00 \ud800"`, "😀 \uFFFD"},
		{"varchar(3)", `"abcdef"`, "abc"},
		{"varchar(3)", `"éèêë"`, "éèê"},
		{"char(5)", `"ab   "`, "ab"},
		{"char(2)", `"abc"`, "ab"},
		// boolean
		{"boolean", `true`, "true"},
		{"boolean", `false`, "false"},
		{"boolean", `"TRUE"`, "true"},
		{"boolean", `"false"`, "false"},
		{"boolean", `"yes"`, "false"},
		{"boolean", `1`, "false"},
		{"boolean", `"True"`, "true"},
		{"boolean", `[true]`, fail},
		{"boolean", `{}`, fail},
		// integers, with numbers given as strings coerced
		{"tinyint", `127`, "127"},
		{"tinyint", `-128`, "-128"},
		{"tinyint", `128`, fail},
		{"smallint", `"-32768"`, "-32768"},
		{"smallint", `32768`, fail},
		{"int", `2147483647`, "2147483647"},
		{"int", `"+12"`, "12"},
		{"int", `2147483648`, fail},
		{"int", `1.5`, fail},
		{"int", `1e3`, fail},
		{"int", `"12a"`, fail},
		{"int", `""`, fail},
		{"int", `true`, fail},
		{"int", `[1]`, fail},
		{"bigint", `9223372036854775807`, "9223372036854775807"},
		{"bigint", `-9223372036854775808`, "-9223372036854775808"},
		{"bigint", `9223372036854775808`, fail},
		{"bigint", `"-42"`, "-42"},
		// floating point
		{"float", `1.5`, "1.5"},
		{"float", `"2.25"`, "2.25"},
		{"double", `-1.25e-3`, "-0.00125"},
		{"double", `"NaN"`, "nan"},
		{"double", `"Infinity"`, "inf"},
		{"double", `1e999`, "inf"},
		{"double", `"0x1p3"`, fail},
		{"double", `"abc"`, fail},
		{"double", `false`, fail},
		// decimal: half-up rounding to the scale; too many digits read as NULL (Hive)
		{"decimal(10,2)", `12.345`, "12.35"},
		{"decimal(10,2)", `"-12.344"`, "-12.34"},
		{"decimal(10,2)", `99999999.995`, "NULL"},
		{"decimal(10,2)", `1.5e2`, "150.00"},
		{"decimal(10,2)", `0`, "0.00"},
		{"decimal(5,0)", `-99999`, "-99999"},
		{"decimal(38,6)", `"-12345678901234567890123456789012.123456"`, "-12345678901234567890123456789012.123456"},
		{"decimal(38,0)", `99999999999999999999999999999999999999`, "99999999999999999999999999999999999999"},
		{"decimal(20,2)", `-1`, "-1.00"},
		{"decimal", `7.6`, "8"},
		{"decimal(10,2)", `"1.2.3"`, fail},
		{"decimal(10,2)", `true`, fail},
		// date
		{"date", `"2024-02-29"`, "2024-02-29"},
		{"date", `"1969-12-31"`, "1969-12-31"},
		{"date", `"2023-02-29"`, fail},
		{"date", `"2024-03-01T10:00:00Z"`, "2024-03-01"},
		{"date", `20240301`, fail},
		{"date", `19782`, "2024-02-29"},
		{"date", `-1`, "1969-12-31"},
		{"date", `"2024-02-29 10:11:12 and more"`, "2024-02-29"},
		{"date", `"2024-02-29x"`, fail},
		{"date", `true`, fail},
		// timestamp: Firehose's default formats
		{"timestamp", `"2017-02-07T15:13:01.39256Z"`, "2017-02-07 15:13:01.39256"},
		{"timestamp", `"2017-02-07T15:13:01Z"`, "2017-02-07 15:13:01"},
		{"timestamp", `"2017-2-7 15:13:01.14"`, "2017-02-07 15:13:01.14"},
		{"timestamp", `"2017-02-07T15:13:01.123456789Z"`, "2017-02-07 15:13:01.123456"},
		{"timestamp", `1518033528`, "2018-02-07 19:58:48"},
		{"timestamp", `"1518033528"`, "2018-02-07 19:58:48"},
		{"timestamp", `1518033528123`, "2018-02-07 19:58:48.123"},
		{"timestamp", `100000000000`, "5138-11-16 09:46:40"},
		{"timestamp", `"0001518033528"`, "1970-01-18 13:40:33.528"}, // 13 characters: milliseconds
		{"timestamp", `"0001518033528123"`, "2018-02-07 19:58:48.123"},
		{"timestamp", `1518033528.5`, "2018-02-07 19:58:48.5"},
		{"timestamp", `"2017-02-07T15:13:01+02:00"`, "2017-02-07 13:13:01"},
		{"timestamp", `"1900-01-01 00:00:00"`, "1900-01-01 00:00:00"},
		{"timestamp", `-1`, "1969-12-31 23:59:59"},
		{"timestamp", `"2017-02-07"`, fail},
		{"timestamp", `"2017-02-07T25:13:01Z"`, fail},
		{"timestamp", `"yesterday"`, fail},
		{"timestamp", `true`, fail},
		// binary: the string's bytes
		{"binary", `"QUIA"`, `AB\x00`},
		{"binary", `"QUJD"`, "ABC"},
		{"binary", `"QUI"`, "AB"},
		{"binary", `"QUI="`, "AB"},
		{"binary", `""`, ""},
		{"binary", `"not base64!"`, fail},
		{"binary", `12`, fail},
		// nested
		{"array<int>", `[1, null, "3"]`, "[1, NULL, 3]"},
		{"array<int>", `[]`, "[]"},
		{"array<int>", `[1, "x"]`, fail},
		{"array<int>", `{"a": 1}`, fail},
		{"array<int>", `1`, "[1]"},
		{"array<int>", `"7"`, "[7]"},
		{"array<int>", `""`, "NULL"},
		{"array<struct<a:int>>", `{"a": 2}`, "[{'a': 2}]"},
		{"array<array<string>>", `[["a", "b"], [], null, ["c"]]`, "[[a, b], [], NULL, [c]]"},
		{"map<string,int>", `{"a": 1, "b": null}`, "{a=1, b=NULL}"},
		{"map<string,int>", `{}`, "{}"},
		{"map<int,string>", `{"1": "x", "2": "y"}`, "{1=x, 2=y}"},
		{"map<int,string>", `{"x": "y"}`, fail},
		{"map<string,int>", `[1]`, fail},
		{"map<string,int>", `"  "`, "NULL"},
		{"map<string,int>", `"x"`, fail},
		{"map<string,array<int>>", `{"a": [1, 2], "b": []}`, "{a=[1, 2], b=[]}"},
		{"map<string,int>", `{"a": 1, "b": 2, "a": 3}`, "{b=2, a=3}"},
		{"map<int,string>", `{"1": "x", "01": "y", "+1": "z"}`, "{1=z}"},
		{"map<varchar(1),int>", `{"ab": 1, "ac": 2}`, "{a=2}"},
		{"map<string,map<string,int>>", `{"x": {"a": 1, "a": 2, "b": 3}, "y": {}, "x": {"c": 4, "c": 5}, "z": {"d": 6}}`, "{y={}, x={c=5}, z={d=6}}"},
		{"map<decimal(3,0),int>", `{"1234": 1}`, fail},
		{"map<int,int>", `{` + manyKeys(40) + `, "007": -1}`, "{" + manyKeysWant(40) + "}"},
		{"struct<a:int,b:string>", `{"a": 1, "B": "x", "c": 3}`, "{'a': 1, 'b': x}"},
		{"struct<a:int,b:string>", `{}`, "{'a': NULL, 'b': NULL}"},
		{"struct<a:int,b:string>", `{"a": "z"}`, fail},
		{"struct<a:int,b:string>", `"x"`, fail},
		{"struct<a:int,b:string>", `""`, "NULL"},
		{"struct<a:struct<b:array<struct<c:int>>>>", `{"a": {"b": [{"c": 1}, null, {"c": 2}]}}`, "{'a': {'b': [{'c': 1}, NULL, {'c': 2}]}}"},
		{"array<struct<k:string,v:double>>", `[{"k": "x", "v": 1.5}, {"k": "y"}]`, "[{'k': x, 'v': 1.5}, {'k': y, 'v': NULL}]"},
		{"map<string,struct<n:bigint>>", `{"a": {"n": 5}, "b": null}`, "{a={'n': 5}, b=NULL}"},
	}
	for _, tc := range cases {
		t.Run(tc.typ+"="+tc.json, func(t *testing.T) {
			// A second column proves the row is aligned, and a null record
			// around it that null levels are right.
			f, n, failed := convert(t, Options{Columns: []Column{{"v", tc.typ}, {"k", "int"}}},
				`{"k": 1}`, `{"v": `+tc.json+`, "k": 2}`, `{"v": null, "k": 3}`)
			if tc.want == fail {
				if n != 2 || len(failed) != 1 || failed[0].Index != 1 || failed[0].Code != CodeMalformedData {
					t.Fatalf("want record 1 to fail with %s, got written=%d failed=%+v", CodeMalformedData, n, failed)
				}
				_, rows := readBack(t, f)
				if got := fmt.Sprint(rows); got != "[[NULL 1] [NULL 3]]" {
					t.Fatalf("rows after rollback = %s", got)
				}
				return
			}
			if n != 3 || len(failed) != 0 {
				t.Fatalf("written=%d failed=%+v", n, failed)
			}
			_, rows := readBack(t, f)
			if len(rows) != 3 {
				t.Fatalf("rows = %v", rows)
			}
			if rows[0][0] != "NULL" || rows[2][0] != "NULL" || rows[1][1] != "2" {
				t.Fatalf("rows misaligned: %v", rows)
			}
			if rows[1][0] != tc.want {
				t.Fatalf("got %q, want %q", rows[1][0], tc.want)
			}
		})
	}
}

// TestSchema checks the Parquet schema DuckDB sees for every Hive type
// against what Athena shows for the Glue table, and the physical layout
// (parquet_schema) against a golden file.
func TestSchema(t *testing.T) {
	cols := []Column{
		{"S", "string"}, {"vc", "varchar(10)"}, {"ch", "char(3)"}, {"bo", "boolean"},
		{"ti", "tinyint"}, {"si", "smallint"}, {"i", "int"}, {"bi", "bigint"},
		{"f", "float"}, {"d", "double"}, {"de", "decimal(10,2)"}, {"de38", "DECIMAL(38, 6)"},
		{"da", "date"}, {"ts", "timestamp"}, {"bin", "binary"},
		{"arr", "array<string>"}, {"m", "map<string,bigint>"},
		{"st", "struct<A:int,b:array<struct<c:double>>>"},
	}
	f, _, _ := convert(t, Options{Columns: cols}, `{}`)
	desc, _ := readBack(t, f)
	want := []string{
		"s VARCHAR", "vc VARCHAR", "ch VARCHAR", "bo BOOLEAN",
		"ti TINYINT", "si SMALLINT", "i INTEGER", "bi BIGINT",
		"f FLOAT", "d DOUBLE", "de DECIMAL(10,2)", "de38 DECIMAL(38,6)",
		"da DATE", "ts TIMESTAMP", "bin BLOB",
		"arr VARCHAR[]", "m MAP(VARCHAR, BIGINT)",
		"st STRUCT(a INTEGER, b STRUCT(c DOUBLE)[])",
	}
	if strings.Join(desc, "\n") != strings.Join(want, "\n") {
		t.Fatalf("DESCRIBE:\n%s\nwant:\n%s", strings.Join(desc, "\n"), strings.Join(want, "\n"))
	}
	rows := duckQuery(t, f, `SELECT name, type, type_length, repetition_type, num_children, converted_type, scale, precision, logical_type FROM parquet_schema('%s')`)
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t") + "\n")
	}
	golden(t, "schema.golden", b.String())
}

// TestKeys covers how JSON keys find columns: case-insensitively by
// default, exactly when CaseInsensitive is false, through
// ColumnToJsonKeyMappings, and with dots converted to underscores.
func TestKeys(t *testing.T) {
	no := false
	cases := []struct {
		name string
		des  Deserializer
		cols []Column
		rec  string
		want string
	}{
		{"case-insensitive by default", Deserializer{}, []Column{{"UserId", "int"}}, `{"USERID": 1}`, "[[1]]"},
		{"case-sensitive", Deserializer{CaseInsensitive: &no}, []Column{{"userid", "int"}}, `{"UserId": 1}`, "[[NULL]]"},
		{"case-sensitive exact", Deserializer{CaseInsensitive: &no}, []Column{{"userid", "int"}}, `{"userid": 1}`, "[[1]]"},
		{"hive is case-insensitive", Deserializer{Hive: true}, []Column{{"a", "int"}}, `{"A": 1}`, "[[1]]"},
		{"mapping", Deserializer{ColumnToJSONKeyMappings: map[string]string{"ts": "Timestamp"}}, []Column{{"ts", "string"}}, `{"ts": "no", "timestamp": "yes"}`, "[[yes]]"},
		{"mapping nested field", Deserializer{ColumnToJSONKeyMappings: map[string]string{"x": "the x"}}, []Column{{"s", "struct<x:int>"}}, `{"s": {"the x": 4}}`, "[[{'x': 4}]]"},
		{"dots", Deserializer{ConvertDotsInJSONKeysToUnderscores: true}, []Column{{"a_b", "int"}}, `{"a.b": 7}`, "[[7]]"},
		{"dots off", Deserializer{}, []Column{{"a_b", "int"}}, `{"a.b": 7}`, "[[NULL]]"},
		{"dots nested", Deserializer{ConvertDotsInJSONKeysToUnderscores: true}, []Column{{"s", "struct<c_d:int>"}}, `{"s": {"C.D": 1}}`, "[[{'c_d': 1}]]"},
		{"exact key beats dots", Deserializer{ConvertDotsInJSONKeysToUnderscores: true}, []Column{{"a_b", "int"}}, `{"a_b": 1, "a.b": 2}`, "[[1]]"},
		{"exact key beats earlier dots", Deserializer{ConvertDotsInJSONKeysToUnderscores: true}, []Column{{"a_b", "int"}}, `{"a.b": 2, "A_B": 1}`, "[[1]]"},
		{"first dotted key wins", Deserializer{ConvertDotsInJSONKeysToUnderscores: true}, []Column{{"a_b_c", "int"}}, `{"a.b.c": 1, "a.b_c": 2}`, "[[1]]"},
		{"mapping to a dotted key", Deserializer{ConvertDotsInJSONKeysToUnderscores: true, ColumnToJSONKeyMappings: map[string]string{"x": "Event.Time"}}, []Column{{"x", "int"}}, `{"event.time": 5}`, "[[5]]"},
		{"mapping replaces the name", Deserializer{ColumnToJSONKeyMappings: map[string]string{"x": "y"}}, []Column{{"x", "int"}}, `{"x": 5}`, "[[NULL]]"},
		{"case-sensitive mapping", Deserializer{CaseInsensitive: &no, ColumnToJSONKeyMappings: map[string]string{"x": "Y"}}, []Column{{"x", "int"}}, `{"y": 1, "Y": 2}`, "[[2]]"},
		{"escaped key", Deserializer{}, []Column{{"ab", "int"}}, `{"a\u0062": 3}`, "[[3]]"},
		{"last duplicate wins", Deserializer{}, []Column{{"a", "int"}}, `{"a": 1, "A": 2}`, "[[2]]"},
		{"extra keys ignored", Deserializer{}, []Column{{"a", "int"}}, `{"z": {"deep": [1, 2]}, "a": 5, "y": null}`, "[[5]]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, n, failed := convert(t, Options{Columns: tc.cols, Deserializer: tc.des}, tc.rec)
			if n != 1 || len(failed) != 0 {
				t.Fatalf("written=%d failed=%+v", n, failed)
			}
			_, rows := readBack(t, f)
			if got := fmt.Sprint(rows); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestTimestampFormats covers the Hive deserializer's TimestampFormats:
// Joda patterns and "millis", tried in order before the defaults.
func TestTimestampFormats(t *testing.T) {
	cases := []struct {
		formats []string
		json    string
		want    string
	}{
		{[]string{"millis"}, `1518033528123`, "2018-02-07 19:58:48.123"},
		{[]string{"millis"}, `"1518033528123"`, "2018-02-07 19:58:48.123"},
		{[]string{"millis"}, `1518033528`, "1970-01-18 13:40:33.528"},
		{[]string{"yyyy/MM/dd HH:mm:ss"}, `"2024/03/05 07:08:09"`, "2024-03-05 07:08:09"},
		{[]string{"dd-MMM-yyyy hh:mm:ss a"}, `"05-Mar-2024 07:08:09 PM"`, "2024-03-05 19:08:09"},
		{[]string{"yyyyMMddHHmmss"}, `"20240305070809"`, "2024-03-05 07:08:09"},
		{[]string{"yyyy-MM-dd'T'HH:mm:ss.SSSZ"}, `"2024-03-05T07:08:09.250+0100"`, "2024-03-05 06:08:09.25"},
		{[]string{"EEE, dd MMM yyyy HH:mm:ss z"}, `"Tue, 05 Mar 2024 07:08:09 GMT"`, "2024-03-05 07:08:09"},
		{[]string{"yyyy/MM/dd", "millis"}, `1000`, "1970-01-01 00:00:01"},
		// Timestamp.valueOf still applies after the formats
		{[]string{"yyyy/MM/dd"}, `"2024-03-05 07:08:09.5"`, "2024-03-05 07:08:09.5"},
		{[]string{"yyyy/MM/dd"}, `"2024/13/05"`, fail},
		// without formats, the Hive SerDe takes only Timestamp.valueOf's form
		{nil, `"2024-3-5 07:08:09"`, "2024-03-05 07:08:09"},
		{nil, `"2024-03-05T07:08:09Z"`, fail},
		{nil, `1518033528`, fail},
		{nil, `"2024-03-05 07:08:09+01:00"`, fail},
		{nil, `"2024-03-05 07:08:09-01:00"`, fail},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.formats, "|")+"="+tc.json, func(t *testing.T) {
			f, n, failed := convert(t, Options{Columns: []Column{{"ts", "timestamp"}}, Deserializer: Deserializer{Hive: true, TimestampFormats: tc.formats}}, `{"ts": `+tc.json+`}`)
			if tc.want == fail {
				if n != 0 || len(failed) != 1 || failed[0].Code != CodeMalformedData || len(f) != 0 {
					t.Fatalf("want failure, got written=%d failed=%+v", n, failed)
				}
				return
			}
			if n != 1 {
				t.Fatalf("written=%d failed=%+v", n, failed)
			}
			_, rows := readBack(t, f)
			if rows[0][0] != tc.want {
				t.Fatalf("got %q, want %q", rows[0][0], tc.want)
			}
		})
	}
}

// TestFailures: records that are not JSON objects or do not fit fail one
// by one with Firehose's codes; the others are written in order.
func TestFailures(t *testing.T) {
	recs := []string{
		`{"a": 1, "s": "ok"}`,
		`not json`,
		`{"a": 1`,
		`[{"a": 1}]`,
		`42`,
		"{\"a\": 1, \"s\": \"\xff\"}",
		`{"a": "x"}`,
		`{"s": "partial", "l": [1, 2, "x"]}`,
		``,
		"  \n",
		`{"a": 1} trailing`,
		`{"a": 1,}`,
		`{"a": 01}`,
		`{"a": 2, "s": "two", "l": [3]}` + "\n",
		`{"a": 3}{"a": 4, "s": "second doc"}`,
		`{"a": 5}{"a": "bad"}`,
		strings.Repeat("[", 600) + strings.Repeat("]", 600),
		`{"a": tru}`,
		`{"a": 1, "s": "\q"}`,
		`{"a": 1, "s": "` + "\x01" + `"}`,
	}
	wantCodes := map[int]string{
		1: CodeParseError, 2: CodeParseError, 3: CodeParseError, 4: CodeParseError,
		5: CodeParseError, 6: CodeMalformedData, 7: CodeMalformedData, 8: CodeParseError,
		9: CodeParseError, 10: CodeParseError, 11: CodeParseError, 12: CodeParseError,
		15: CodeMalformedData, 16: CodeParseError, 17: CodeParseError, 18: CodeParseError, 19: CodeParseError,
	}
	f, n, failed := convert(t, Options{Columns: []Column{{"a", "int"}, {"s", "string"}, {"l", "array<int>"}}}, recs...)
	if n+len(failed) != len(recs) {
		t.Fatalf("written %d + failed %d != %d", n, len(failed), len(recs))
	}
	got := map[int]string{}
	for i, fl := range failed {
		if i > 0 && failed[i-1].Index >= fl.Index {
			t.Fatalf("failures out of order: %+v", failed)
		}
		if fl.Message == "" {
			t.Fatalf("failure %d has no message", fl.Index)
		}
		got[fl.Index] = fl.Code
	}
	if fmt.Sprint(got) != fmt.Sprint(wantCodes) {
		t.Fatalf("failures:\n got %v\nwant %v\n%+v", got, wantCodes, failed)
	}
	_, rows := readBack(t, f)
	want := "[[1 ok NULL] [2 two [3]] [3 NULL NULL] [4 second doc NULL]]"
	if fmt.Sprint(rows) != want {
		t.Fatalf("rows = %v\nwant %s", rows, want)
	}
	if n != 3 {
		t.Fatalf("written = %d records, want 3", n)
	}
}

// TestAllFail: when every record fails nothing is written at all.
func TestAllFail(t *testing.T) {
	for _, recs := range [][]string{{`x`, `{"a": "y"}`}, {}} {
		f, n, failed := convert(t, Options{Columns: []Column{{"a", "int"}}}, recs...)
		if len(f) != 0 || n != 0 || len(failed) != len(recs) {
			t.Fatalf("wrote %d bytes, written=%d failed=%d", len(f), n, len(failed))
		}
	}
}

// TestCompression: every codec Firehose offers writes a file DuckDB reads,
// and the file says which codec it used.
func TestCompression(t *testing.T) {
	recs := benchRecords(300)
	strs := make([]string, len(recs))
	for i, r := range recs {
		strs[i] = string(r)
	}
	for _, tc := range []struct{ opt, meta string }{{"", "SNAPPY"}, {"SNAPPY", "SNAPPY"}, {"gzip", "GZIP"}, {"ZSTD", "ZSTD"}, {"UNCOMPRESSED", "UNCOMPRESSED"}} {
		for _, dict := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/dict=%t", tc.meta, dict), func(t *testing.T) {
				f, n, _ := convert(t, Options{Columns: benchColumns, Compression: tc.opt, EnableDictionaryCompression: dict}, strs...)
				if n != len(recs) {
					t.Fatalf("written %d", n)
				}
				codecs := duckQuery(t, f, `SELECT DISTINCT compression FROM parquet_metadata('%s')`)
				if fmt.Sprint(codecs) != "[["+tc.meta+"]]" {
					t.Fatalf("codecs %v", codecs)
				}
				encs := duckQuery(t, f, `SELECT encodings FROM parquet_metadata('%s') WHERE path_in_schema = 'user_id'`)
				if got := strings.Contains(fmt.Sprint(encs), "DICTIONARY"); got != dict {
					t.Fatalf("user_id encodings %v with dictionary=%t", encs, dict)
				}
				sum := duckQuery(t, f, `SELECT count(*), sum(id), count(DISTINCT user_id), sum(len(tags)), sum(geo.lat)::DECIMAL(18,4), max(attrs['ref']), min(ts)::VARCHAR, max(length(payload)) FROM read_parquet('%s')`)
				want := "[[300 44850 300 900 12125.04 https://example.com/p/99 2026-11-26 03:00:00 604]]"
				if fmt.Sprint(sum) != want {
					t.Fatalf("aggregate %v\nwant %s", sum, want)
				}
			})
		}
	}
}

// TestRowGroupsAndPages forces many small pages and row groups, and a
// dictionary that outgrows its limit, and checks every value survives.
func TestRowGroupsAndPages(t *testing.T) {
	c, err := New(Options{Columns: benchColumns, EnableDictionaryCompression: true})
	if err != nil {
		t.Fatal(err)
	}
	c.pageSize, c.blockSize, c.dictLimit = 4<<10, 20<<10, 8<<10
	recs := benchRecords(2000)
	var buf bytes.Buffer
	n, failed, err := c.Convert(recs, &buf)
	if err != nil || n != len(recs) || len(failed) != 0 {
		t.Fatalf("n=%d failed=%d err=%v", n, len(failed), err)
	}
	rgs := duckQuery(t, buf.Bytes(), `SELECT count(DISTINCT row_group_id), sum(row_group_num_rows) / count(DISTINCT path_in_schema) FROM parquet_metadata('%s')`)
	if rgs[0][0] == "1" || rgs[0][1] != "2000" {
		t.Fatalf("row groups %v", rgs)
	}
	// payload's dictionary outgrows its limit within a row group: its chunks
	// mix dictionary and PLAIN pages, as parquet-mr's fallback does.
	encs := duckQuery(t, buf.Bytes(), `SELECT DISTINCT encodings FROM parquet_metadata('%s') WHERE path_in_schema = 'payload'`)
	t.Logf("payload encodings %v", encs)
	if !strings.Contains(fmt.Sprint(encs), "PLAIN_DICTIONARY") || !strings.Contains(fmt.Sprint(encs), "PLAIN,") {
		t.Fatalf("payload encodings %v", encs)
	}
	sum := duckQuery(t, buf.Bytes(), `SELECT count(*), sum(id), count(DISTINCT payload), sum(len(tags)), count(DISTINCT ts) FROM read_parquet('%s')`)
	if fmt.Sprint(sum) != "[[2000 1999000 2000 6000 2000]]" {
		t.Fatalf("aggregate %v", sum)
	}
	// The converter is reusable, and a second batch gives an identical file.
	var again bytes.Buffer
	if _, _, err := c.Convert(recs, &again); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Fatalf("second conversion differs (err %v)", err)
	}
}

// TestNew rejects bad types and options with ErrInvalidOptions.
func TestNew(t *testing.T) {
	bad := []Options{
		{},
		{Columns: []Column{{"", "int"}}},
		{Columns: []Column{{"a", "int"}, {"A", "string"}}},
		{Columns: []Column{{"a", "integer64"}}},
		{Columns: []Column{{"a", "array<int"}}},
		{Columns: []Column{{"a", "map<array<int>,int>"}}},
		{Columns: []Column{{"a", "struct<x:int,x:int>"}}},
		{Columns: []Column{{"a", "struct<>"}}},
		{Columns: []Column{{"a", "decimal(39,2)"}}},
		{Columns: []Column{{"a", "decimal(5,6)"}}},
		{Columns: []Column{{"a", "varchar(0)"}}},
		{Columns: []Column{{"a", "char(256)"}}},
		{Columns: []Column{{"a", "int extra"}}},
		{Columns: []Column{{"a", strings.Repeat("array<", 200) + "int" + strings.Repeat(">", 200)}}},
		{Columns: []Column{{"a", "int"}}, Compression: "LZO"},
		{Columns: []Column{{"a", "int"}}, BlockSizeBytes: 1 << 20},
		{Columns: []Column{{"a", "int"}}, PageSizeBytes: 1024},
		{Columns: []Column{{"a", "int"}}, Deserializer: Deserializer{TimestampFormats: []string{"yyyy-QQ"}}},
		{Columns: []Column{{"a", "int"}}, Deserializer: Deserializer{TimestampFormats: []string{"'open"}}},
		{Columns: []Column{{"a", "int"}}, Deserializer: Deserializer{ColumnToJSONKeyMappings: map[string]string{"a": ""}}},
	}
	for i, opt := range bad {
		if _, err := New(opt); err == nil {
			t.Errorf("case %d: New(%+v) = nil error", i, opt)
		}
	}
	good := []Options{
		{Columns: []Column{{"a", " Array < Struct < `Weird Name` : Decimal , b : Map<String,Double> > > "}}},
		{Columns: []Column{{"a", "int"}}, Compression: "zstd", BlockSizeBytes: 64 << 20, PageSizeBytes: 64 << 10},
	}
	for i, opt := range good {
		if _, err := New(opt); err != nil {
			t.Errorf("good case %d: %v", i, err)
		}
	}
}

// TestConcurrent converts on one Converter from several goroutines.
func TestConcurrent(t *testing.T) {
	c, err := New(Options{Columns: benchColumns})
	if err != nil {
		t.Fatal(err)
	}
	recs := benchRecords(500)
	var ref bytes.Buffer
	if _, _, err := c.Convert(recs, &ref); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for range 5 {
				var b bytes.Buffer
				if _, _, err := c.Convert(recs, &b); err != nil || !bytes.Equal(b.Bytes(), ref.Bytes()) {
					errs <- fmt.Errorf("concurrent conversion differs (err %v)", err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestStatistics: integer columns carry min/max and every column its null
// count, and DuckDB's filters that use them give the right rows.
func TestStatistics(t *testing.T) {
	c, err := New(Options{Columns: []Column{{"i", "int"}, {"b", "bigint"}, {"s", "string"}, {"l", "array<smallint>"}, {"da", "date"}}})
	if err != nil {
		t.Fatal(err)
	}
	c.pageSize, c.blockSize = 1<<10, 8<<10
	var recs [][]byte
	for k := range 3000 {
		if k%10 == 3 {
			recs = append(recs, []byte(`{"l": [null, 1]}`))
			continue
		}
		recs = append(recs, fmt.Appendf(nil, `{"i": %d, "b": %d, "s": "v%d", "l": [%d, -%d], "da": "2024-01-%02d"}`, k-1500, int64(k)<<33, k, k%300, k%300, k%28+1))
	}
	var buf bytes.Buffer
	if _, _, err := c.Convert(recs, &buf); err != nil {
		t.Fatal(err)
	}
	f := buf.Bytes()
	st := duckQuery(t, f, `SELECT path_in_schema, count(*), min(stats_min::BIGINT), max(stats_max::BIGINT), sum(stats_null_count) FROM parquet_metadata('%s') WHERE path_in_schema IN ('i', 'b') GROUP BY ALL ORDER BY 1`)
	t.Logf("stats %v", st)
	if len(st) != 2 || st[0][1] == "1" {
		t.Fatalf("want several row groups with stats, got %v", st)
	}
	if got := fmt.Sprint(st[1][2:]); got != fmt.Sprint([]string{"-1500", "1499", "300"}) {
		t.Fatalf("i stats %v", st[1])
	}
	nulls := duckQuery(t, f, `SELECT path_in_schema, sum(stats_null_count) FROM parquet_metadata('%s') GROUP BY ALL ORDER BY 1`)
	if fmt.Sprint(nulls) != "[[b 300] [da 300] [i 300] [l, list, element 300] [s 300]]" {
		t.Fatalf("null counts %v", nulls)
	}
	// The same predicates over the generator's k, to count what DuckDB must find.
	skip := func(k int) bool { return k%10 == 3 }
	for _, q := range []struct {
		where string
		pred  func(k int) bool
	}{
		{"i = 7", func(k int) bool { return !skip(k) && k-1500 == 7 }},
		{"i > 1400", func(k int) bool { return !skip(k) && k-1500 > 1400 }},
		{"i < -1500", func(k int) bool { return false }},
		{"b >= 8589934592 * 2990", func(k int) bool { return !skip(k) && k >= 2990 }},
		{"i IS NULL", skip},
		{"da = DATE '2024-01-28'", func(k int) bool { return !skip(k) && k%28+1 == 28 }},
		{"list_contains(l, -299)", func(k int) bool { return !skip(k) && k%300 == 299 }},
	} {
		want := 0
		for k := range 3000 {
			if q.pred(k) {
				want++
			}
		}
		got := duckQuery(t, f, `SELECT count(*) FROM read_parquet('%s', hive_partitioning=false) WHERE `+q.where)
		if got[0][0] != fmt.Sprint(want) {
			t.Errorf("WHERE %s: %s rows, want %d", q.where, got[0][0], want)
		}
	}
}

// manyKeys renders n map entries "0": 0 … "n-1": n-1; manyKeysWant is how
// DuckDB shows them once "007" has replaced key 7.
func manyKeys(n int) string {
	var b strings.Builder
	for k := range n {
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"%d": %d`, k, k)
	}
	return b.String()
}

func manyKeysWant(n int) string {
	var parts []string
	for k := range n {
		if k != 7 {
			parts = append(parts, fmt.Sprintf("%d=%d", k, k))
		}
	}
	return strings.Join(append(parts, "7=-1"), ", ")
}

// TestAllocations: converting allocates per batch, not per record.
func TestAllocations(t *testing.T) {
	c, err := New(Options{Columns: benchColumns})
	if err != nil {
		t.Fatal(err)
	}
	recs := benchRecords(2000)
	allocs := testing.AllocsPerRun(5, func() {
		if _, _, err := c.Convert(recs, io.Discard); err != nil {
			t.Fatal(err)
		}
	})
	if allocs >= float64(len(recs))/10 {
		t.Fatalf("%.0f allocations for %d records", allocs, len(recs))
	}
}
