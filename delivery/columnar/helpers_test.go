package columnar

import (
	"bytes"
	"database/sql"
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
	path := filepath.Join(t.TempDir(), "f.parquet")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	desc, err := db.Query(fmt.Sprintf("DESCRIBE SELECT * FROM read_parquet('%s')", path))
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
	q, err := db.Query(fmt.Sprintf("SELECT %s FROM read_parquet('%s')", strings.Join(cols, ", "), path))
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
