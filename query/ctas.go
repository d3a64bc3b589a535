package query

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
)

// CREATE TABLE … AS SELECT and INSERT INTO write query results into the
// lake as Athena does (https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html):
//
//	CREATE TABLE [IF NOT EXISTS] [db.]t
//	  [WITH (format = 'PARQUET'|'JSON'|'TEXTFILE', external_location = 's3://…',
//	         partitioned_by = ARRAY['col', …], write_compression = 'GZIP'|…,
//	         field_delimiter = ',')]
//	AS query [WITH [NO] DATA]
//
//	INSERT INTO [db.]t [(col, …)] query
//
// The query's result is first materialized in a DuckDB temporary table on
// the statement's connection, then written one file per partition into
// the engine's TempDir (the one place DuckDB may write), uploaded to the
// lake under the table's location with Hive key=value/ prefixes, and only
// then is the catalog changed (table, then partitions). A failure before
// the catalog change deletes the objects written; a table is never left
// half-written.
//
// Where a CTAS table goes when external_location is absent: Athena uses
// <query result location>/tables/<query id>/. The engine only knows the
// result location when the caller says it with WithExecution; otherwise
// it uses the database's LOCATION (<db location>/<table>/), and failing
// both the statement fails with INVALID_TABLE_PROPERTY, never guessing a
// bucket.

// maxWritePartitions is Athena's limit on the partitions one CTAS or
// INSERT INTO writes (HIVE_TOO_MANY_OPEN_PARTITIONS beyond it).
const maxWritePartitions = 100

// hiveDefaultPartition is the partition value Hive writes for NULL.
const hiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__"

type executionKey struct{}

type execution struct{ id, outputLocation string }

// WithExecution tells Run which query execution a statement belongs to:
// its id names the files CTAS and INSERT INTO write, and a CTAS without
// external_location writes under <outputLocation>/tables/<id>/ as Athena
// does. outputLocation is the execution's s3:// result location (prefix,
// without the result file name).
func WithExecution(ctx context.Context, id, outputLocation string) context.Context {
	return context.WithValue(ctx, executionKey{}, execution{id: id, outputLocation: outputLocation})
}

// writeSpec says how to write a table's files.
type writeSpec struct {
	format      string // formatParquet, formatJSON or formatCSV (delimited text)
	compression string // DuckDB's codec name: gzip, zstd, snappy, uncompressed
	delim       string // delimited text only
}

// copyOptions is the option list of DuckDB's COPY … TO for the spec.
func (w writeSpec) copyOptions() string {
	switch w.format {
	case formatParquet:
		return "FORMAT parquet, COMPRESSION " + w.compression
	case formatJSON:
		return "FORMAT json, COMPRESSION " + textCodec(w.compression)
	}
	// Delimited text as LazySimpleSerDe reads it: no header, no quoting,
	// \N for NULL.
	return "FORMAT csv, HEADER false, QUOTE '', ESCAPE '', NULLSTR '\\N', DELIMITER " + quoteString(w.delim) + ", COMPRESSION " + textCodec(w.compression)
}

func textCodec(c string) string {
	if c == "uncompressed" {
		return "none"
	}
	return c
}

// extension is the file name suffix readers use to detect compression.
func (w writeSpec) extension() string {
	if w.format == formatParquet {
		return ""
	}
	switch w.compression {
	case "gzip":
		return ".gz"
	case "zstd":
		return ".zst"
	}
	return ""
}

// ctasOptions are a CTAS statement's WITH properties.
type ctasOptions struct {
	format, location, compression, delim string
	partitionedBy                        []string
}

// properties reads WITH (name = 'v' | ARRAY['a', …] | number, …).
func (p *ddlParser) ctasProperties() (ctasOptions, error) {
	o := ctasOptions{format: "parquet"}
	if err := p.expectOp("("); err != nil {
		return o, err
	}
	for {
		k, err := p.ident()
		if err != nil {
			return o, err
		}
		if err := p.expectOp("="); err != nil {
			return o, err
		}
		var val string
		var list []string
		switch v := p.peek(); {
		case v.kind == tokString:
			val = p.next().stringValue()
		case v.is("array"):
			p.next()
			if err := p.expectOp("["); err != nil {
				return o, err
			}
			for !p.peek().isOp("]") {
				s, err := p.str()
				if err != nil {
					return o, err
				}
				list = append(list, strings.ToLower(s))
				if !p.acceptOp(",") {
					break
				}
			}
			if err := p.expectOp("]"); err != nil {
				return o, err
			}
		case v.kind == tokNumber:
			val = p.next().text
		default:
			return o, unexpected(v)
		}
		switch name := k.lower(); name {
		case "format":
			o.format = strings.ToLower(val)
		case "external_location":
			o.location = val
		case "partitioned_by":
			o.partitionedBy = list
		case "write_compression", "parquet_compression":
			o.compression = strings.ToLower(val)
		case "field_delimiter":
			o.delim = val
		case "table_type":
			if !strings.EqualFold(val, "hive") {
				return o, notSupportedf(k, "table_type %s is not supported (HIVE is)", val)
			}
		default:
			return o, notSupportedf(k, "CTAS table property %s is not supported", name)
		}
		if !p.acceptOp(",") {
			break
		}
	}
	return o, p.expectOp(")")
}

// remainder is the source text of the tokens from p's position to EOF,
// comments and line breaks turned into spaces, and whether it ended in
// WITH [NO] DATA (removed from the text).
func (p *ddlParser) remainder() (text string, noData bool) {
	end := len(p.toks) - 1 // EOF
	if n := end; n-p.i >= 3 && p.toks[n-3].is("with") && p.toks[n-2].is("no") && p.toks[n-1].is("data") {
		end, noData = n-3, true
	} else if n-p.i >= 2 && p.toks[n-2].is("with") && p.toks[n-1].is("data") {
		end = n - 2
	}
	var b strings.Builder
	pos := -1
	for _, t := range p.toks[p.i:end] {
		if pos >= 0 && t.off > pos {
			b.WriteString(strings.Repeat(" ", min(t.off-pos, 1)))
		}
		b.WriteString(t.text)
		pos = t.off + len(t.text)
	}
	return b.String(), noData
}

// newID is a random name for files and temporary tables.
func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// planned is a translated SELECT ready for DuckDB.
type planned struct {
	duck  string
	tr    *translation
	stats Stats
}

// plan translates a query and resolves its tables, as runSelect does.
func (e *Engine) plan(ctx context.Context, sqlText, database string) (*planned, error) {
	tr, err := translate(sqlText)
	if err != nil {
		return nil, err
	}
	pl := &planned{tr: tr}
	sources := make([]string, len(tr.refs))
	for i, ref := range tr.refs {
		src, err := e.source(ctx, ref, database)
		if err != nil {
			return nil, err
		}
		sources[i] = src.sql
		pl.stats.DataScannedBytes += src.bytes
		pl.stats.FilesScanned += src.files
	}
	i := 0
	pl.duck = tr.render(func(*tableRef) string { i++; return sources[i-1] })
	return pl, nil
}

// createTableAs runs CTAS; p stands after the table name.
func (e *Engine) createTableAs(ctx context.Context, p *ddlParser, database, db, name string, at token, ifNotExists bool) (*Result, error) {
	opts := ctasOptions{format: "parquet"}
	var err error
	if p.accept("with") {
		if opts, err = p.ctasProperties(); err != nil {
			return nil, err
		}
	}
	if err := p.expect("as"); err != nil {
		return nil, err
	}
	queryText, noData := p.remainder()
	res := ddlResult(StatementDDL)
	if _, err := e.cfg.Catalog.GetTable(db, name); err == nil {
		if ifNotExists {
			return res, nil
		}
		return nil, catalogError(catalog.ErrAlreadyExists, at, db, name)
	} else if !errors.Is(err, catalog.ErrTableNotFound) {
		return nil, catalogError(err, at, db, name)
	}
	t, spec, err := ctasTable(name, opts, at)
	if err != nil {
		return nil, err
	}
	loc, err := e.ctasLocation(ctx, db, name, opts.location, at)
	if err != nil {
		return nil, err
	}
	t.StorageDescriptor.Location = loc
	if err := e.checkEmptyLocation(db, name, loc); err != nil {
		return nil, err
	}
	pl, err := e.plan(ctx, queryText, database)
	if err != nil {
		return nil, err
	}
	res.Stats = pl.stats
	w, err := e.materialize(ctx, pl, noData)
	if err != nil {
		return nil, err
	}
	defer w.close()
	// Columns: the query's, partition columns last and in order.
	keys := len(opts.partitionedBy)
	if keys > 0 && keys >= len(w.cols) {
		return nil, &Error{Kind: ErrQuery, Code: "INVALID_TABLE_PROPERTY", Line: at.line, Col: at.col,
			Message: "Partition columns cannot be all the columns of the table"}
	}
	seen := map[string]bool{}
	for _, c := range w.cols {
		if seen[c.name] {
			return nil, &Error{Kind: ErrQuery, Code: "DUPLICATE_COLUMN_NAME", Line: at.line, Col: at.col,
				Message: fmt.Sprintf("Column name '%s' specified more than once", c.name)}
		}
		seen[c.name] = true
	}
	for i, k := range opts.partitionedBy {
		if got := w.cols[len(w.cols)-keys+i].name; got != k {
			return nil, &Error{Kind: ErrQuery, Code: "INVALID_TABLE_PROPERTY", Line: at.line, Col: at.col,
				Message: fmt.Sprintf("Partition columns must be the last columns in the table and in the same order as partitioned_by: expected %s, got %s", strings.Join(opts.partitionedBy, ", "), got)}
		}
	}
	hive := make([]catalog.Column, len(w.cols))
	for i, c := range w.cols {
		h, err := hiveType(c.duck)
		if err != nil {
			return nil, &Error{Kind: ErrNotSupported, Code: "NOT_SUPPORTED", Line: at.line, Col: at.col,
				Message: fmt.Sprintf("Column %s: %v", c.name, err)}
		}
		hive[i] = catalog.Column{Name: c.name, Type: h}
	}
	t.StorageDescriptor.Columns = hive[:len(hive)-keys]
	t.PartitionKeys = hive[len(hive)-keys:]
	written, err := e.writeFiles(ctx, w, &t, spec, noData, nil)
	if err != nil {
		return nil, err
	}
	if err := e.cfg.Catalog.CreateTable(db, t); err != nil {
		e.deleteObjects(written.keys)
		return nil, catalogError(err, at, db, name)
	}
	if err := e.registerPartitions(&t, db, written, at); err != nil {
		e.cfg.Catalog.DeleteTable(db, name)
		e.deleteObjects(written.keys)
		return nil, err
	}
	res.UpdateCount = written.rows
	return res, nil
}

// ctasTable is the catalog table a CTAS creates, before columns and
// location, and how to write its files.
func ctasTable(name string, o ctasOptions, at token) (catalog.Table, writeSpec, error) {
	sd := &catalog.StorageDescriptor{SerdeInfo: &catalog.SerDeInfo{Parameters: map[string]string{}}}
	t := catalog.Table{Name: name, TableType: catalog.TableTypeExternal, StorageDescriptor: sd,
		Parameters: map[string]string{"EXTERNAL": "TRUE", "has_encrypted_data": "false"}}
	spec := writeSpec{compression: "gzip"} // Athena's default for every format
	switch o.compression {
	case "":
	case "gzip", "zstd":
		spec.compression = o.compression
	case "snappy":
		spec.compression = "snappy"
	case "none", "uncompressed":
		spec.compression = "uncompressed"
	default:
		return t, spec, notSupportedf(at, "write_compression %s is not supported (GZIP, ZSTD, SNAPPY, NONE are)", strings.ToUpper(o.compression))
	}
	switch o.format {
	case "parquet":
		spec.format = formatParquet
		sd.InputFormat, sd.OutputFormat, sd.SerdeInfo.SerializationLibrary = parquetInput, parquetOutput, parquetSerDe
		sd.SerdeInfo.Parameters["serialization.format"] = "1"
		t.Parameters["classification"] = "parquet"
		t.Parameters["parquet.compression"] = strings.ToUpper(spec.compression)
	case "json":
		spec.format = formatJSON
		sd.InputFormat, sd.OutputFormat, sd.SerdeInfo.SerializationLibrary = textInput, textOutput, jsonSerDe
		t.Parameters["classification"] = "json"
	case "textfile":
		spec.format = formatCSV
		spec.delim = "\x01"
		if o.delim != "" {
			spec.delim = unescapeDelim(o.delim)
		}
		sd.InputFormat, sd.OutputFormat, sd.SerdeInfo.SerializationLibrary = textInput, textOutput, lazySimpleSerDe
		sd.SerdeInfo.Parameters["field.delim"] = spec.delim
		sd.SerdeInfo.Parameters["serialization.format"] = spec.delim
		t.Parameters["classification"] = "csv"
	default:
		return t, spec, notSupportedf(at, "format %s is not supported (PARQUET, JSON and TEXTFILE are)", strings.ToUpper(o.format))
	}
	if spec.format != formatParquet && spec.compression == "snappy" {
		return t, spec, notSupportedf(at, "write_compression SNAPPY is not supported for %s (GZIP, ZSTD, NONE are)", strings.ToUpper(o.format))
	}
	sd.Compressed = spec.compression != "uncompressed"
	return t, spec, nil
}

// ctasLocation decides where a new table's files go.
func (e *Engine) ctasLocation(ctx context.Context, db, name, given string, at token) (string, error) {
	loc := given
	if loc == "" {
		if ex, ok := ctx.Value(executionKey{}).(execution); ok && ex.outputLocation != "" {
			loc = strings.TrimSuffix(ex.outputLocation, "/") + "/tables/" + ex.id + "/"
		} else if d, err := e.cfg.Catalog.GetDatabase(db); err != nil {
			return "", catalogError(err, at, db, "")
		} else if d.LocationURI != "" {
			loc = strings.TrimSuffix(d.LocationURI, "/") + "/" + name + "/"
		} else {
			return "", &Error{Kind: ErrInvalidTable, Code: "INVALID_TABLE_PROPERTY", Line: at.line, Col: at.col,
				Message: "external_location is required: there is no query result location and database " + db + " has no LOCATION"}
		}
	}
	if _, _, err := parseLocation(loc); err != nil {
		return "", err
	}
	if !strings.HasSuffix(loc, "/") {
		loc += "/"
	}
	return loc, nil
}

// checkEmptyLocation refuses a CTAS location that already holds objects.
func (e *Engine) checkEmptyLocation(db, name, loc string) error {
	bucket, prefix, err := parseLocation(loc)
	if err != nil {
		return err
	}
	page, err := e.cfg.Lake.List(bucket, lake.ListOptions{Prefix: prefix, MaxKeys: 1})
	if errors.Is(err, lake.ErrBucketNotFound) {
		return &Error{Kind: ErrQuery, Code: "HIVE_FILESYSTEM_ERROR", Message: fmt.Sprintf("The specified bucket does not exist (location %s)", loc), Err: err}
	}
	if err != nil {
		return fmt.Errorf("query: list %s: %w", loc, err)
	}
	if len(page.Objects) > 0 {
		return &Error{Kind: ErrQuery, Code: "HIVE_PATH_ALREADY_EXISTS",
			Message: fmt.Sprintf("Target directory for table '%s.%s' already exists: %s. You may need to manually clean the data at location '%s' before retrying. Athena will not delete data in your account.", db, name, loc, loc)}
	}
	return nil
}

// materialized is a query's result held in a DuckDB temporary table on
// one connection.
type materialized struct {
	conn  *sql.Conn
	table string // quoted name of the temporary table
	cols  []column
}

func (m *materialized) close() {
	m.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+m.table)
	m.conn.Close()
}

// materialize runs the planned query into a temporary table (empty with
// noData).
func (e *Engine) materialize(ctx context.Context, pl *planned, noData bool) (*materialized, error) {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	m := &materialized{conn: conn, table: quoteIdent("caudal_write_" + newID())}
	q := pl.duck
	if noData {
		q = "SELECT * FROM (" + q + ") LIMIT 0"
	}
	if _, err := conn.ExecContext(ctx, "CREATE TEMPORARY TABLE "+m.table+" AS "+q); err != nil {
		conn.Close()
		return nil, e.queryError(ctx, err, pl.duck, pl.tr)
	}
	rows, err := conn.QueryContext(ctx, "SELECT * FROM "+m.table+" LIMIT 0")
	if err != nil {
		m.close()
		return nil, e.queryError(ctx, err, pl.duck, pl.tr)
	}
	types, err := rows.ColumnTypes()
	rows.Close()
	if err != nil {
		m.close()
		return nil, err
	}
	for _, ct := range types {
		m.cols = append(m.cols, column{name: strings.ToLower(ct.Name()), duck: ct.DatabaseTypeName()})
	}
	return m, nil
}

// writtenFiles is what writeFiles put in the lake.
type writtenFiles struct {
	keys  []objectKey
	parts map[string][]string // partition path (k=v/…) → values
	order []string
	rows  int64
}

type objectKey struct{ bucket, key string }

// writeFiles writes the materialized rows (the last len(t.PartitionKeys)
// columns are partition keys) under t's location, one file per partition.
// On failure nothing it wrote stays.
//
// existing, when not nil, gives the location of a partition the catalog
// already has (INSERT INTO writes there, wherever ALTER TABLE ADD
// PARTITION … LOCATION put it); "" means the table's key=value/ path.
func (e *Engine) writeFiles(ctx context.Context, m *materialized, t *catalog.Table, spec writeSpec, noData bool, existing func(values []string) string) (w *writtenFiles, err error) {
	w = &writtenFiles{parts: map[string][]string{}}
	if noData {
		return w, nil
	}
	defer func() {
		if err != nil {
			e.deleteObjects(w.keys)
			if ctx.Err() != nil {
				err = &Error{Kind: ErrCancelled, Code: "USER_CANCELLED", Message: "Query cancelled by user", Err: err}
			}
		}
	}()
	bucket, prefix, err := parseLocation(t.StorageDescriptor.Location)
	if err != nil {
		return w, err
	}
	nkeys := len(t.PartitionKeys)
	data := m.cols[:len(m.cols)-nkeys]
	keys := m.cols[len(m.cols)-nkeys:]
	var dataList strings.Builder
	for i, c := range data {
		if i > 0 {
			dataList.WriteString(", ")
		}
		dataList.WriteString(quoteIdent(c.name))
	}
	// The partitions present, as text (NULL: nil).
	var partValues [][]*string
	if nkeys == 0 {
		partValues = [][]*string{nil}
	} else {
		var sel []string
		for _, k := range keys {
			sel = append(sel, "CAST("+quoteIdent(k.name)+" AS VARCHAR)")
		}
		list := strings.Join(sel, ", ")
		rows, err := m.conn.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT %s FROM %s ORDER BY %s LIMIT %d", list, m.table, list, maxWritePartitions+1))
		if err != nil {
			return w, fmt.Errorf("query: partitions to write: %w", err)
		}
		for rows.Next() {
			vals := make([]*string, nkeys)
			ptrs := make([]any, nkeys)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return w, err
			}
			partValues = append(partValues, vals)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return w, err
		}
		if len(partValues) > maxWritePartitions {
			return w, &Error{Kind: ErrQuery, Code: "HIVE_TOO_MANY_OPEN_PARTITIONS",
				Message: fmt.Sprintf("Exceeded limit of %d open writers for partitions/buckets", maxWritePartitions)}
		}
	}
	id := newID()
	if ex, ok := ctx.Value(executionKey{}).(execution); ok && ex.id != "" {
		id = ex.id
	}
	dir := filepath.Join(e.cfg.TempDir, "write-"+newID())
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return w, fmt.Errorf("query: write directory: %w", err)
	}
	defer os.RemoveAll(dir)
	for n, vals := range partValues {
		where := ""
		var values []string
		var sub strings.Builder
		for i, k := range keys {
			v := hiveDefaultPartition
			cond := quoteIdent(k.name) + " IS NULL"
			if vals[i] != nil {
				v = *vals[i]
				cond = "CAST(" + quoteIdent(k.name) + " AS VARCHAR) = " + quoteString(v)
			}
			values = append(values, v)
			sub.WriteString(strings.ToLower(t.PartitionKeys[i].Name) + "=" + escapePathName(v) + "/")
			if i == 0 {
				where = " WHERE " + cond
			} else {
				where += " AND " + cond
			}
		}
		local := filepath.Join(dir, fmt.Sprintf("%d", n))
		r, err := m.conn.ExecContext(ctx, fmt.Sprintf("COPY (SELECT %s FROM %s%s) TO %s (%s)", dataList.String(), m.table, where, quoteString(local), spec.copyOptions()))
		if err != nil {
			return w, fmt.Errorf("query: write %s: %w", sub.String(), err)
		}
		count, _ := r.RowsAffected()
		if count == 0 {
			continue
		}
		w.rows += count
		dstBucket, dstPrefix := bucket, prefix+sub.String()
		if existing != nil && nkeys > 0 {
			if loc := existing(values); loc != "" {
				if dstBucket, dstPrefix, err = parseLocation(loc); err != nil {
					return w, err
				}
			}
		}
		key := dstPrefix + fmt.Sprintf("%s_%05d", id, n) + spec.extension()
		if err := e.upload(ctx, local, dstBucket, key); err != nil {
			return w, err
		}
		w.keys = append(w.keys, objectKey{dstBucket, key})
		if nkeys > 0 {
			if _, ok := w.parts[sub.String()]; !ok {
				w.order = append(w.order, sub.String())
			}
			w.parts[sub.String()] = values
		}
	}
	return w, nil
}

func (e *Engine) upload(ctx context.Context, local, bucket, key string) error {
	if err := allowObject(ctx, "s3:PutObject", bucket, key, nil); err != nil {
		return err
	}
	f, err := os.Open(local)
	if err != nil {
		return fmt.Errorf("query: read written file: %w", err)
	}
	defer f.Close()
	if _, err := e.cfg.Lake.PutObject(ctx, bucket, key, f, lake.PutOptions{}); err != nil {
		if errors.Is(err, lake.ErrBucketNotFound) {
			return &Error{Kind: ErrQuery, Code: "HIVE_FILESYSTEM_ERROR", Message: fmt.Sprintf("The specified bucket does not exist: %s", bucket), Err: err}
		}
		return fmt.Errorf("query: put s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// deleteObjects removes what a failed statement wrote (best effort: the
// statement's own error is what the caller reports).
func (e *Engine) deleteObjects(keys []objectKey) {
	for _, k := range keys {
		e.cfg.Lake.DeleteObject(k.bucket, k.key)
	}
}

// registerPartitions adds the partitions written that the catalog does
// not have yet.
func (e *Engine) registerPartitions(t *catalog.Table, db string, w *writtenFiles, at token) error {
	var parts []catalog.Partition
	for _, sub := range w.order {
		sd := t.StorageDescriptor.Clone()
		sd.Location = strings.TrimSuffix(t.StorageDescriptor.Location, "/") + "/" + sub
		parts = append(parts, catalog.Partition{Values: w.parts[sub], StorageDescriptor: sd})
	}
	if len(parts) == 0 {
		return nil
	}
	errs, err := e.cfg.Catalog.CreatePartitions(db, t.Name, parts)
	if err != nil {
		return catalogError(err, at, db, t.Name)
	}
	for _, perr := range errs {
		if perr != nil && !errors.Is(perr, catalog.ErrAlreadyExists) {
			return catalogError(perr, at, db, t.Name)
		}
	}
	return nil
}

// escapePathName escapes a partition value for a key=value path segment
// as Hive's FileUtils.escapePathName does.
func escapePathName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte("\"#%'*/:=?\\{[]^", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// hiveType is the Hive type the catalog stores for a DuckDB result type.
func hiveType(duck string) (string, error) {
	d := strings.TrimSpace(duck)
	if strings.HasSuffix(d, "[]") {
		el, err := hiveType(d[:len(d)-2])
		return "array<" + el + ">", err
	}
	upper := strings.ToUpper(d)
	switch {
	case strings.HasPrefix(upper, "DECIMAL"):
		return strings.ToLower(strings.ReplaceAll(d, " ", "")), nil
	case strings.HasPrefix(upper, "MAP(") && strings.HasSuffix(d, ")"):
		args := splitTopLevel(d[4 : len(d)-1])
		if len(args) != 2 {
			return "", fmt.Errorf("unsupported type %s", duck)
		}
		k, err := hiveType(args[0])
		if err != nil {
			return "", err
		}
		v, err := hiveType(args[1])
		return "map<" + k + "," + v + ">", err
	case strings.HasPrefix(upper, "STRUCT(") && strings.HasSuffix(d, ")"):
		var fields []string
		for _, f := range splitTopLevel(d[7 : len(d)-1]) {
			f = strings.TrimSpace(f)
			var name, rest string
			if strings.HasPrefix(f, `"`) {
				end := strings.Index(f[1:], `"`)
				if end < 0 {
					return "", fmt.Errorf("unsupported type %s", duck)
				}
				name, rest = f[1:end+1], f[end+2:]
			} else {
				name, rest, _ = strings.Cut(f, " ")
			}
			ft, err := hiveType(rest)
			if err != nil {
				return "", err
			}
			fields = append(fields, strings.ToLower(name)+":"+ft)
		}
		return "struct<" + strings.Join(fields, ",") + ">", nil
	}
	switch upper {
	case "VARCHAR", "UUID", "JSON":
		return "string", nil
	case "BIGINT", "UINTEGER":
		return "bigint", nil
	case "INTEGER", "USMALLINT":
		return "int", nil
	case "SMALLINT", "UTINYINT":
		return "smallint", nil
	case "TINYINT":
		return "tinyint", nil
	case "HUGEINT", "UBIGINT":
		return "decimal(38,0)", nil
	case "DOUBLE":
		return "double", nil
	case "FLOAT":
		return "float", nil
	case "BOOLEAN":
		return "boolean", nil
	case "DATE":
		return "date", nil
	case "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP_S":
		return "timestamp", nil
	case "BLOB":
		return "binary", nil
	case "NULL", `"NULL"`:
		return "", errors.New("type unknown (a NULL with no type) cannot be stored; CAST it")
	}
	return "", fmt.Errorf("type %s cannot be stored in a table", strings.ToLower(duck))
}

// splitTopLevel splits a DuckDB type argument list at commas outside
// parentheses and quotes.
func splitTopLevel(s string) []string {
	var out []string
	depth, start, quoted := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// runInsert runs INSERT INTO [db.]t [(col, …)] query.
func (e *Engine) runInsert(ctx context.Context, toks []token, database string) (*Result, error) {
	p := newDDLParser(toks)
	p.next() // INSERT
	if err := p.expect("into"); err != nil {
		return nil, err
	}
	t, at, err := e.getTable(p, database)
	if err != nil {
		return nil, err
	}
	var target []string
	if p.peek().isOp("(") && !p.toks[p.i+1].is("select") && !p.toks[p.i+1].is("with") && !p.toks[p.i+1].is("values") {
		p.next()
		for {
			c, err := p.ident()
			if err != nil {
				return nil, err
			}
			target = append(target, strings.ToLower(c.name()))
			if !p.acceptOp(",") {
				break
			}
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	}
	queryText, _ := p.remainder()
	if t.TableType == catalog.TableTypeView || t.StorageDescriptor == nil {
		return nil, notSupportedf(at, "Inserting into %s.%s is not supported: it is not a table over files", t.DatabaseName, t.Name)
	}
	format, quoted, err := tableFormat(&t)
	if err != nil {
		return nil, err
	}
	if quoted {
		return nil, notSupportedf(at, "Inserting into a table stored with OpenCSVSerde is not supported")
	}
	spec := writeSpec{format: format, compression: "gzip"}
	if format == formatParquet {
		spec.compression = "snappy"
		if c := strings.ToLower(t.Parameters["parquet.compression"]); c == "gzip" || c == "zstd" || c == "snappy" || c == "uncompressed" {
			spec.compression = c
		}
	}
	if format == formatCSV {
		spec.delim = "\x01"
		if sp := t.StorageDescriptor.SerdeInfo; sp != nil {
			if v := sp.Parameters["field.delim"]; v != "" {
				spec.delim = unescapeDelim(v)
			} else if v := sp.Parameters["serialization.format"]; v != "" && v != "1" {
				spec.delim = unescapeDelim(v)
			}
		}
	}
	all := append(append([]catalog.Column{}, t.StorageDescriptor.Columns...), t.PartitionKeys...)
	cols, err := tableColumns(all)
	if err != nil {
		return nil, err
	}
	if target == nil {
		for _, c := range cols {
			target = append(target, c.name)
		}
	}
	pl, err := e.plan(ctx, queryText, database)
	if err != nil {
		return nil, err
	}
	// Wrap the query: its columns, by position, become the target columns
	// cast to the table's types; the others are NULL.
	pos := map[string]int{}
	for i, n := range target {
		if _, dup := pos[n]; dup {
			return nil, &Error{Kind: ErrQuery, Code: "DUPLICATE_COLUMN_NAME", Line: at.line, Col: at.col, Message: fmt.Sprintf("Insert column name is specified more than once: %s", n)}
		}
		pos[n] = i
	}
	for n := range pos {
		found := false
		for _, c := range cols {
			found = found || c.name == n
		}
		if !found {
			return nil, &Error{Kind: ErrColumnNotFound, Code: "COLUMN_NOT_FOUND", Line: at.line, Col: at.col, Message: fmt.Sprintf("Insert column name does not exist in target table: %s", n)}
		}
	}
	var aliases, sel []string
	for i := range target {
		aliases = append(aliases, quoteIdent(fmt.Sprintf("c%d", i)))
	}
	for _, c := range cols {
		if i, ok := pos[c.name]; ok {
			sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", aliases[i], c.duck, quoteIdent(c.name)))
		} else {
			sel = append(sel, fmt.Sprintf("CAST(NULL AS %s) AS %s", c.duck, quoteIdent(c.name)))
		}
	}
	inner := pl.duck
	pl.duck = fmt.Sprintf("SELECT %s FROM (%s) AS caudal_insert(%s)", strings.Join(sel, ", "), inner, strings.Join(aliases, ", "))
	// The query must give exactly one value per target column.
	if n, err := e.columnCount(ctx, inner); err != nil {
		return nil, e.queryError(ctx, err, inner, pl.tr)
	} else if n != len(target) {
		return nil, &Error{Kind: ErrQuery, Code: "TYPE_MISMATCH", Line: at.line, Col: at.col,
			Message: fmt.Sprintf("Insert query has %d columns but the target has %d", n, len(target))}
	}
	m, err := e.materialize(ctx, pl, false)
	if err != nil {
		return nil, err
	}
	defer m.close()
	existing := func(values []string) string {
		pt, err := e.cfg.Catalog.GetPartition(t.DatabaseName, t.Name, values)
		if err != nil || pt.StorageDescriptor == nil {
			return ""
		}
		return pt.StorageDescriptor.Location
	}
	written, err := e.writeFiles(ctx, m, &t, spec, false, existing)
	if err != nil {
		return nil, err
	}
	if err := e.registerPartitions(&t, t.DatabaseName, written, at); err != nil {
		e.deleteObjects(written.keys)
		return nil, err
	}
	res := &Result{StatementType: StatementDML, Stats: pl.stats, UpdateCount: written.rows}
	return res, nil
}

// columnCount is the number of columns a DuckDB query answers.
func (e *Engine) columnCount(ctx context.Context, duck string) (int, error) {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "SELECT * FROM ("+duck+") LIMIT 0")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	return len(cols), err
}
