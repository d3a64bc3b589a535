package query

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
)

// Athena reads Parquet by column name, and a table column that a file does
// not have reads as NULL (schema evolution: columns added to the table
// after older files were written). DuckDB's read_parquet instead fails to
// bind a name none of the files has, so the engine asks which columns the
// files have and selects NULL for the others.
//
// Lake files are immutable (a path names one version of one object), so
// the answer for a list of paths never changes; it is cached by the list.

// parquetColumnsCacheSize bounds the cache; an entry is a few column names.
const parquetColumnsCacheSize = 4096

// parquetColumnCache maps a hash of a file list to the lower-cased names of
// the top-level columns any of those files has.
type parquetColumnCache struct {
	mu      sync.Mutex
	entries map[[32]byte]map[string]bool // guarded by mu
}

func fileListKey(files []file) [32]byte {
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f.path))
		h.Write([]byte{0})
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// parquetColumns returns the top-level column names (lower case) present
// in at least one of files.
func (e *Engine) parquetColumns(ctx context.Context, files []file) (map[string]bool, error) {
	key := fileListKey(files)
	c := &e.parquetCols
	c.mu.Lock()
	if cols, ok := c.entries[key]; ok {
		c.mu.Unlock()
		return cols, nil
	}
	c.mu.Unlock()

	rows, err := e.db.QueryContext(ctx, "DESCRIBE SELECT * FROM read_parquet("+pathList(files)+", union_by_name = true)")
	if err != nil {
		return nil, fmt.Errorf("query: read the Parquet schema of %d files: %w", len(files), err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("query: read the Parquet schema: %w", err)
	}
	cols := map[string]bool{}
	vals := make([]any, len(names))
	for i := range vals {
		vals[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return nil, fmt.Errorf("query: read the Parquet schema: %w", err)
		}
		if name, ok := (*vals[0].(*any)).(string); ok {
			cols[strings.ToLower(name)] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query: read the Parquet schema: %w", err)
	}

	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= parquetColumnsCacheSize {
		c.entries = make(map[[32]byte]map[string]bool) // drop all: simple, and rare
	}
	c.entries[key] = cols
	c.mu.Unlock()
	return cols, nil
}
