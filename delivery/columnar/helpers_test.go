package columnar

import (
	"bytes"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// readBack writes file to a temp dir and reads it with DuckDB: the
// DESCRIBE of read_parquet as "name type" lines, and every row rendered
// as text (NULL for null), in file order.
func readBack(t testing.TB, file []byte) (schema []string, rows [][]string) {
	t.Helper()
	path := tempFile(t, "f.parquet")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	desc, err := db.Query(fmt.Sprintf("DESCRIBE SELECT * FROM read_parquet('%s', hive_partitioning=false)", path))
	if err != nil {
		t.Fatalf("duckdb describe: %v", err)
	}
	var names []string
	for desc.Next() {
		var name, typ string
		var a, b, c, d sql.NullString
		if err := desc.Scan(&name, &typ, &a, &b, &c, &d); err != nil {
			t.Fatal(err)
		}
		schema = append(schema, name+" "+typ)
		names = append(names, name)
	}
	desc.Close()
	cols := make([]string, len(names))
	for i, n := range names {
		cols[i] = fmt.Sprintf(`CAST("%s" AS VARCHAR)`, n)
	}
	q, err := db.Query(fmt.Sprintf("SELECT %s FROM read_parquet('%s', hive_partitioning=false)", strings.Join(cols, ", "), path))
	if err != nil {
		t.Fatalf("duckdb select: %v", err)
	}
	defer q.Close()
	for q.Next() {
		vals := make([]sql.NullString, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := q.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(names))
		for i, v := range vals {
			if v.Valid {
				row[i] = v.String
			} else {
				row[i] = "NULL"
			}
		}
		rows = append(rows, row)
	}
	if err := q.Err(); err != nil {
		t.Fatalf("duckdb rows: %v", err)
	}
	return schema, rows
}

func convert(t testing.TB, opt Options, records ...string) ([]byte, int, []Failure) {
	t.Helper()
	c, err := New(opt)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	recs := make([][]byte, len(records))
	for i, r := range records {
		recs[i] = []byte(r)
	}
	var buf bytes.Buffer
	n, failed, err := c.Convert(recs, &buf)
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	return buf.Bytes(), n, failed
}

// duckQuery runs query (with %[1]s standing for the file's path) over file
// and returns its rows as text.
func duckQuery(t testing.TB, file []byte, query string) [][]string {
	t.Helper()
	path := tempFile(t, "q.parquet")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := db.Query(fmt.Sprintf(query, path))
	if err != nil {
		t.Fatalf("duckdb %q: %v", query, err)
	}
	defer q.Close()
	cols, _ := q.Columns()
	var out [][]string
	for q.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := q.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				row[i] = "NULL"
			case []byte:
				row[i] = string(v)
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
	if err := q.Err(); err != nil {
		t.Fatalf("duckdb %q: %v", query, err)
	}
	return out
}

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// tempFile is a path in a fresh directory whose name holds no "k=v"
// segment, which DuckDB would take for a hive partition.
func tempFile(t testing.TB, name string) string {
	dir, err := os.MkdirTemp("", "columnar")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, name)
}
