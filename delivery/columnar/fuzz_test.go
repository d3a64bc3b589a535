package columnar

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var fuzzColumns = []Column{
	{"s", "string"}, {"vc", "varchar(4)"}, {"b", "boolean"}, {"ti", "tinyint"}, {"i", "int"},
	{"bi", "bigint"}, {"f", "float"}, {"d", "double"}, {"de", "decimal(20,3)"}, {"da", "date"},
	{"ts", "timestamp"}, {"bin", "binary"}, {"a", "array<array<int>>"}, {"m", "map<string,struct<x:double>>"},
	{"st", "struct<k:string,l:array<bigint>,m:map<int,string>>"}, {"mm", "map<varchar(2),map<int,string>>"},
}

var (
	fuzzDBOnce sync.Once
	fuzzDB     *sql.DB
	fuzzDir    string
	fuzzSeq    int
)

// FuzzConvert: arbitrary record bytes (records split at 0x1e) never panic;
// every record is either written or reported once, in order; the file
// holds exactly the records that passed (converting only those gives the
// same bytes and no failure); and DuckDB reads what was written.
func FuzzConvert(f *testing.F) {
	for _, s := range []string{
		`{"s": "x", "i": 1, "a": [[1], [], null], "m": {"k": {"x": 1.5}}}`,
		`{"ts": "2017-02-07T15:13:01.39256Z", "da": "2024-02-29", "de": "-12.3456"}` + "\x1e" + `not json` + "\x1e" + `{"i": "x"}`,
		`{"st": {"k": "v", "l": [1, 2], "m": {"1": "a"}}, "b": "TRUE", "bin": "\u0000"}{"f": 1e40}`,
		`{"ti": 300}` + "\x1e" + `{"vc": "ééééé", "d": "NaN", "bi": "-9223372036854775808"}`,
		`{"mm": {"ab": {"1": "x", "01": "y"}, "abc": {"2": null}, "ab": {}}}`,
		`[1]`, ``, `{"a": [[` + "\x1e" + `{}`,
	} {
		f.Add([]byte(s))
	}
	c, err := New(Options{Columns: fuzzColumns, EnableDictionaryCompression: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs := bytes.Split(data, []byte{0x1e})
		var out bytes.Buffer
		n, failed, err := c.Convert(recs, &out)
		if err != nil {
			t.Fatal(err)
		}
		if n+len(failed) != len(recs) {
			t.Fatalf("written %d + failed %d != %d records", n, len(failed), len(recs))
		}
		bad := map[int]bool{}
		for i, fl := range failed {
			if fl.Index < 0 || fl.Index >= len(recs) || i > 0 && failed[i-1].Index >= fl.Index {
				t.Fatalf("bad failure index in %+v", failed)
			}
			if fl.Code != CodeParseError && fl.Code != CodeMalformedData || fl.Message == "" {
				t.Fatalf("bad failure %+v", fl)
			}
			bad[fl.Index] = true
		}
		if n == 0 {
			if out.Len() != 0 {
				t.Fatalf("nothing converted but %d bytes written", out.Len())
			}
			return
		}
		var good [][]byte
		for i, r := range recs {
			if !bad[i] {
				good = append(good, r)
			}
		}
		var again bytes.Buffer
		n2, failed2, err := c.Convert(good, &again)
		if err != nil || n2 != len(good) || len(failed2) != 0 || !bytes.Equal(again.Bytes(), out.Bytes()) {
			t.Fatalf("re-converting the %d good records: n=%d failed=%+v err=%v same=%t", len(good), n2, failed2, err, bytes.Equal(again.Bytes(), out.Bytes()))
		}
		duckCheck(t, out.Bytes())
	})
}

// duckCheck reads every value of file with one shared DuckDB.
func duckCheck(t *testing.T, file []byte) {
	fuzzDBOnce.Do(func() {
		var err error
		if fuzzDir, err = os.MkdirTemp("", "columnarfuzz"); err != nil {
			panic(err)
		}
		if fuzzDB, err = sql.Open("duckdb", ""); err != nil {
			panic(err)
		}
	})
	// A new name each time: DuckDB caches file contents by path, and a
	// rewrite within the same second can look unchanged to it.
	fuzzSeq++
	path := filepath.Join(fuzzDir, fmt.Sprintf("f%d.parquet", fuzzSeq))
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	r, err := fuzzDB.Query(fmt.Sprintf(`SELECT * FROM read_parquet('%s', hive_partitioning=false)`, path))
	if err != nil {
		t.Fatalf("duckdb cannot read the file: %v", err)
	}
	defer r.Close()
	cols, _ := r.Columns()
	for r.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			t.Fatalf("duckdb scan: %v", err)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatalf("duckdb read: %v", err)
	}
}

// FuzzScanString: the string scanner's fast path agrees with the
// byte-by-byte one on every input: the same end, escape flag and error.
func FuzzScanString(f *testing.F) {
	for _, s := range []string{`abc"`, `a\"b"`, "a\x01b\"", `no end`, `\u00e9x"`, `\u12"`, `é"`,
		`0123456789abcdef0123456789abcdef0123456789"`, "0123456789abcdef0123456789abcdef012345678\x1f9\"", `\`, `"`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, slow := jparser{data: data}, jparser{data: data}
		escF, errF := fast.scanString()
		escS, errS := slow.scanStringSlow()
		if (errF == nil) != (errS == nil) || errF != nil && errF.Error() != errS.Error() {
			t.Fatalf("errors differ: fast %v, slow %v", errF, errS)
		}
		if errF == nil && (escF != escS || fast.i != slow.i) {
			t.Fatalf("fast ends at %d esc %t, slow at %d esc %t", fast.i, escF, slow.i, escS)
		}
	})
}

// TestHasEscapeOrControl: every byte value at every position of strings up to 70
// bytes, against the definition (a backslash or a byte below 0x20).
func TestHasEscapeOrControl(t *testing.T) {
	for n := 1; n <= 70; n++ {
		s := bytes.Repeat([]byte{0xff}, n)
		if hasEscapeOrControl(s) {
			t.Fatalf("n=%d: no special byte, hasEscapeOrControl true", n)
		}
		for j := range n {
			for b := range 256 {
				s[j] = byte(b)
				if got := hasEscapeOrControl(s); got != (b < 0x20 || b == '\\') {
					t.Fatalf("n=%d, byte %#x at %d: hasEscapeOrControl %t", n, b, j, got)
				}
			}
			s[j] = 0xff
		}
	}
}
