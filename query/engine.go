// Package query is caudal's SQL engine: it runs Athena SQL (Trino dialect
// SELECTs and the Hive DDL Athena users write) over the lake's files, with
// the catalog saying what the files mean. DuckDB, in this process, does
// the work; this package translates the SQL (translate.go), replaces each
// table name by a scan of exactly the lake files that table (and the
// partitions its WHERE clause keeps) holds (source.go), and formats the
// answer as Athena does (value.go). There is no HTTP here; the Athena wire
// skin calls Engine.Run.
//
// # DuckDB
//
// One in-memory DuckDB database serves every query; each Run borrows one of
// its connections (at most Config.MaxConcurrent at a time). Nothing is
// stored in DuckDB between queries: tables live in the catalog, data in
// the lake. DuckDB may read only the lake's directory and write only its
// temp directory (enable_external_access off, allowed_directories set,
// configuration locked), so user SQL cannot reach other files through
// read_csv('/etc/…') and the like.
package query

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Config configures Open. Zero values are the defaults.
type Config struct {
	Lake    *lake.Lake       // required
	Catalog *catalog.Catalog // required
	// LakeDir is the lake's directory (lake.Config.Dir): the only place
	// DuckDB may read. Required.
	LakeDir string
	// MaxConcurrent bounds the queries running at once (default 4); more
	// wait in Run for a connection.
	MaxConcurrent int
	// TempDir is where DuckDB spills what does not fit in memory
	// (default: a directory under os.TempDir()).
	TempDir string
	// Threads is DuckDB's worker threads per query (default: DuckDB's,
	// the number of cores).
	Threads int
	// SealedDir is where a query's decrypted copies of server-side-encrypted
	// objects live while it runs (default: /dev/shm when the machine has
	// it, else TempDir); see sealed.go. SealedBudget bounds one query's
	// copies in bytes (default 1 GiB).
	SealedDir    string
	SealedBudget int64
	// MemoryLimit is DuckDB's memory limit, e.g. "2GB" (default DuckDB's,
	// 80% of RAM).
	MemoryLimit string
	// Now is the clock partition projection's NOW reads (default
	// time.Now); tests fix it.
	Now func() time.Time
}

// DefaultDatabase is the database Run uses when none is given.
const DefaultDatabase = "default"

// Engine runs queries. It is safe for concurrent use.
type Engine struct {
	cfg         Config
	connector   *duckdb.Connector
	db          *sql.DB
	parquetCols parquetColumnCache // which columns the lake's Parquet files have
	sealedDir   string             // this engine's directory for decrypted copies (sealed.go)
}

// macros are DuckDB macros the translations call where Trino keeps a type
// DuckDB's own function would change (a DATE stays a DATE).
var macros = []string{
	`CREATE MACRO athena_date_add(x DATE, i INTERVAL) AS CAST(x + i AS DATE),
		(x TIMESTAMP, i INTERVAL) AS x + i,
		(x TIMESTAMPTZ, i INTERVAL) AS x + i`,
	`CREATE MACRO athena_date_trunc(u, x DATE) AS CAST(date_trunc(u, x) AS DATE),
		(u, x TIMESTAMP) AS date_trunc(u, x),
		(u, x TIMESTAMPTZ) AS date_trunc(u, x)`,
	// Trino's millisecond is 0-999; DuckDB's counts the seconds too.
	`CREATE MACRO athena_millisecond(x) AS millisecond(x) % 1000`,
	// Trino's cardinality takes arrays and maps; DuckDB's len takes only
	// lists and its cardinality only maps, and a macro cannot overload on
	// "any list" or "any map", so the value's JSON form tells them apart.
	`CREATE MACRO athena_cardinality(x) AS CAST(CASE json_type(to_json(x))
		WHEN 'OBJECT' THEN len(json_keys(to_json(x)))
		WHEN 'ARRAY' THEN json_array_length(to_json(x)) END AS BIGINT)`,
	// Trino's json_extract_scalar is NULL when the path names an object or
	// an array, or the text is not JSON; DuckDB's json_extract_string
	// returns the object's text and fails on bad JSON.
	`CREATE MACRO athena_json_extract_scalar(j, p) AS CASE WHEN json_valid(j)
		AND json_type(json_extract(j, p)) NOT IN ('OBJECT', 'ARRAY') THEN json_extract_string(j, p) END`,
	// Trino's regexp_extract is NULL without a match; DuckDB's is ''.
	`CREATE MACRO athena_regexp_extract(s, p) AS CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p) END,
		(s, p, g) AS CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p, g) END`,
}

// Open starts the engine.
func Open(cfg Config) (*Engine, error) {
	if cfg.Lake == nil || cfg.Catalog == nil || cfg.LakeDir == "" {
		return nil, errors.New("query: Config needs Lake, Catalog and LakeDir")
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 4
	}
	lakeDir, err := filepath.Abs(cfg.LakeDir)
	if err != nil {
		return nil, fmt.Errorf("query: lake directory: %w", err)
	}
	if cfg.TempDir == "" {
		cfg.TempDir = filepath.Join(os.TempDir(), "caudal-duckdb")
	}
	if err := os.MkdirAll(cfg.TempDir, 0o700); err != nil {
		return nil, fmt.Errorf("query: temp directory: %w", err)
	}
	if cfg.SealedBudget <= 0 {
		cfg.SealedBudget = defaultSealedBudget
	}
	sealedDir, err := openSealedDir(cfg.SealedDir, cfg.TempDir)
	if err != nil {
		return nil, err
	}
	settings := []string{
		"SET GLOBAL TimeZone = 'UTC'",
		"SET GLOBAL integer_division = true", // Trino: 5 / 2 = 2
		"SET GLOBAL temp_directory = " + quoteString(cfg.TempDir),
		"SET GLOBAL autoinstall_known_extensions = false",
		"SET GLOBAL autoload_known_extensions = false",
	}
	if cfg.Threads > 0 {
		settings = append(settings, fmt.Sprintf("SET GLOBAL threads = %d", cfg.Threads))
	}
	if cfg.MemoryLimit != "" {
		settings = append(settings, "SET GLOBAL memory_limit = "+quoteString(cfg.MemoryLimit))
	}
	settings = append(settings, macros...)
	settings = append(settings,
		fmt.Sprintf("SET GLOBAL allowed_directories = [%s, %s, %s]", quoteString(lakeDir+string(filepath.Separator)),
			quoteString(cfg.TempDir+string(filepath.Separator)), quoteString(sealedDir+string(filepath.Separator))),
		"SET GLOBAL enable_external_access = false",
		"SET GLOBAL lock_configuration = true",
	)
	// The settings are global: the first connection applies them (and
	// locks them); later connections inherit them.
	var once sync.Once
	var initErr error
	connector, err := duckdb.NewConnector("", func(execer driver.ExecerContext) error {
		once.Do(func() {
			for _, s := range settings {
				if _, err := execer.ExecContext(context.Background(), s, nil); err != nil {
					initErr = fmt.Errorf("%s: %w", s, err)
					return
				}
			}
		})
		return initErr
	})
	if err != nil {
		os.RemoveAll(sealedDir)
		return nil, fmt.Errorf("query: open DuckDB: %w", err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(cfg.MaxConcurrent)
	db.SetMaxIdleConns(cfg.MaxConcurrent)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		connector.Close()
		os.RemoveAll(sealedDir)
		return nil, fmt.Errorf("query: start DuckDB: %w", err)
	}
	return &Engine{cfg: cfg, connector: connector, db: db, sealedDir: sealedDir}, nil
}

// Close stops the engine; queries running are interrupted.
func (e *Engine) Close() error {
	defer os.RemoveAll(e.sealedDir)
	err := e.db.Close()
	if cerr := e.connector.Close(); err == nil {
		err = cerr
	}
	return err
}

// Statement types, as Athena's QueryExecution.StatementType names them.
const (
	StatementDDL     = "DDL"
	StatementDML     = "DML"
	StatementUtility = "UTILITY"
)

// Result is a finished query's answer.
type Result struct {
	StatementType string
	Columns       []Column
	// Rows hold each value as Athena's GetQueryResults shows it (see
	// Datum). A SELECT's header row is not among them: the skin adds it.
	Rows  [][]Datum
	Stats Stats
	// UpdateCount is the rows a DDL or write statement changed (Athena's
	// UpdateCount), 0 for SELECT.
	UpdateCount int64
}

// Column describes one result column as Athena's ColumnInfo does.
type Column struct {
	Name string
	// Type is Athena's type name: varchar, bigint, integer, smallint,
	// tinyint, double, float, boolean, date, timestamp, "timestamp with
	// time zone", time, decimal, varbinary, array, map, row, json,
	// interval day to second, unknown.
	Type      string
	Precision int // decimal precision; varchar: 2147483647 as Athena says
	Scale     int
	// Nullable is Athena's "UNKNOWN" for query results.
	Nullable string
}

// Datum is one value: Null, or Value as Athena prints it ("" is an empty
// string, not a NULL).
type Datum struct {
	Value string
	Null  bool
}

// Stats are a query's statistics.
type Stats struct {
	// DataScannedBytes is the total size of the lake files the query
	// read (after partition pruning).
	DataScannedBytes int64
	// FilesScanned counts those files.
	FilesScanned int
	// PlanningTime covers translation and catalog and lake lookups;
	// ExecutionTime the whole Run.
	PlanningTime  time.Duration
	ExecutionTime time.Duration
}

// Run runs one statement. database is the default database for unqualified
// table names ("" means "default"). Errors about the query are *Error
// values (errors.Is with ErrSyntax, ErrTableNotFound, …); a cancelled ctx
// interrupts DuckDB and answers ErrCancelled.
func (e *Engine) Run(ctx context.Context, sqlText, database string) (*Result, error) {
	start := time.Now()
	if database == "" {
		database = DefaultDatabase
	}
	database = strings.ToLower(database)
	scr := &scratch{dir: e.sealedDir, budget: e.cfg.SealedBudget}
	defer scr.cleanup()
	ctx = withScratch(ctx, scr)
	toks, err := tokenize(sqlText)
	if err != nil {
		return nil, err
	}
	first := firstWord(toks)
	var res *Result
	switch first.lower() {
	case "select", "with", "values", "(":
		res, err = e.runSelect(ctx, sqlText, database, start)
	case "create", "drop", "show", "describe", "desc", "msck", "alter":
		res, err = e.runDDL(ctx, toks, database)
	case "insert":
		res, err = e.runInsert(ctx, toks, database) // ctas.go
	default:
		if first.kind == tokEOF {
			return nil, syntaxErrorAt(first, "mismatched input '<EOF>'. Expecting: 'ALTER', 'CREATE', 'DESCRIBE', 'DROP', 'MSCK', 'SELECT', 'SHOW', 'WITH'")
		}
		return nil, syntaxErrorAt(first, "mismatched input %s. Expecting: 'ALTER', 'CREATE', 'DESCRIBE', 'DROP', 'MSCK', 'SELECT', 'SHOW', 'WITH'", first.describe())
	}
	if err != nil {
		return nil, err
	}
	res.Stats.ExecutionTime = time.Since(start)
	return res, nil
}

// firstWord is the first significant token.
func firstWord(toks []token) token {
	for _, t := range toks {
		if t.kind != tokSpace && t.kind != tokComment {
			if t.kind == tokOp && t.text == "(" {
				return synth(tokIdent, "(")
			}
			return t
		}
	}
	return toks[len(toks)-1]
}

// runSelect translates, resolves tables and runs a query.
func (e *Engine) runSelect(ctx context.Context, sqlText, database string, start time.Time) (*Result, error) {
	tr, err := translate(sqlText)
	if err != nil {
		return nil, err
	}
	res := &Result{StatementType: StatementDML}
	sources := make([]string, len(tr.refs))
	for i, ref := range tr.refs {
		src, err := e.source(ctx, ref, database)
		if err != nil {
			return nil, err
		}
		sources[i] = src.sql
		res.Stats.DataScannedBytes += src.bytes
		res.Stats.FilesScanned += src.files
	}
	i := 0
	duck := tr.render(func(*tableRef) string { i++; return sources[i-1] })
	res.Stats.PlanningTime = time.Since(start)
	if err := e.query(ctx, duck, res); err != nil {
		return nil, e.queryError(ctx, err, duck, tr)
	}
	return res, nil
}

// query runs DuckDB SQL and reads its answer into res.
func (e *Engine) query(ctx context.Context, duck string, res *Result) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, duck)
	if err != nil {
		return err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	formats := make([]formatter, len(types))
	res.Columns = make([]Column, len(types))
	for i, ct := range types {
		res.Columns[i], formats[i] = athenaColumn(ct.Name(), ct.DatabaseTypeName())
	}
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := make([]Datum, len(vals))
		for i, v := range vals {
			if v == nil {
				row[i] = Datum{Null: true}
			} else {
				row[i] = Datum{Value: formats[i](v)}
			}
		}
		res.Rows = append(res.Rows, row)
	}
	return rows.Err()
}

// queryError turns a DuckDB failure into Athena's words.
func (e *Engine) queryError(ctx context.Context, err error, duck string, tr *translation) error {
	if ctx.Err() != nil {
		return &Error{Kind: ErrCancelled, Code: "USER_CANCELLED", Message: "Query cancelled by user", Err: err}
	}
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return &Error{Kind: ErrQuery, Code: "GENERIC_INTERNAL_ERROR", Message: err.Error(), Err: err}
	}
	msg := de.Msg
	if k := strings.Index(msg, "\n"); k >= 0 {
		msg = msg[:k]
	}
	if k := strings.Index(msg, ": "); k >= 0 {
		msg = msg[k+2:]
	}
	switch de.Type {
	case duckdb.ErrorTypeInterrupt:
		return &Error{Kind: ErrCancelled, Code: "USER_CANCELLED", Message: "Query cancelled by user", Err: err}
	case duckdb.ErrorTypeParser, duckdb.ErrorTypeSyntax:
		return &Error{Kind: ErrSyntax, Code: "SYNTAX_ERROR", Line: 1, Col: 1, Message: msg, Err: err}
	case duckdb.ErrorTypeBinder:
		if strings.Contains(msg, "Referenced column") || strings.Contains(msg, "not found in FROM clause") {
			return &Error{Kind: ErrColumnNotFound, Code: "COLUMN_NOT_FOUND", Message: msg, Err: err}
		}
		return &Error{Kind: ErrQuery, Code: "TYPE_MISMATCH", Message: msg, Err: err}
	case duckdb.ErrorTypeCatalog:
		if strings.Contains(msg, "Table with name") {
			return &Error{Kind: ErrTableNotFound, Code: "TABLE_NOT_FOUND", Message: msg, Err: err}
		}
		return &Error{Kind: ErrQuery, Code: "FUNCTION_NOT_FOUND", Message: msg, Err: err}
	case duckdb.ErrorTypeConversion, duckdb.ErrorTypeInvalidInput, duckdb.ErrorTypeOutOfRange, duckdb.ErrorTypeDivideByZero:
		return &Error{Kind: ErrQuery, Code: "INVALID_CAST_ARGUMENT", Message: msg, Err: err}
	case duckdb.ErrorTypeIO:
		return &Error{Kind: ErrQuery, Code: "HIVE_CURSOR_ERROR", Message: msg, Err: err}
	case duckdb.ErrorTypePermission:
		return &Error{Kind: ErrQuery, Code: "PERMISSION_DENIED", Message: msg, Err: err}
	}
	return &Error{Kind: ErrQuery, Code: "GENERIC_USER_ERROR", Message: msg, Err: err}
}
