package query

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
)

// source is what stands in a query for one table reference: a DuckDB
// subquery over the table's files, and what reading them costs.
type source struct {
	sql   string
	bytes int64
	files int
}

// Data formats the engine reads.
const (
	formatParquet = "parquet"
	formatJSON    = "json"
	formatCSV     = "csv" // LazySimpleSerDe (delimited text) and OpenCSVSerde
)

// tableFormat decides how to read a table's files from its SerDe, input
// format or "classification" parameter.
func tableFormat(t *catalog.Table) (format string, quoted bool, err error) {
	sd := t.StorageDescriptor
	var lib, input string
	if sd != nil {
		input = strings.ToLower(sd.InputFormat)
		if sd.SerdeInfo != nil {
			lib = strings.ToLower(sd.SerdeInfo.SerializationLibrary)
		}
	}
	class := strings.ToLower(t.Parameters["classification"])
	switch {
	case strings.Contains(lib, "parquet") || strings.Contains(input, "parquet") || class == "parquet":
		return formatParquet, false, nil
	case strings.Contains(lib, "json") || class == "json":
		return formatJSON, false, nil
	case strings.Contains(lib, "opencsvserde"):
		return formatCSV, true, nil
	case strings.Contains(lib, "lazysimpleserde") || class == "csv" || class == "tsv" ||
		strings.Contains(input, "textinputformat") && lib == "":
		return formatCSV, false, nil
	}
	what := lib
	if what == "" {
		what = input
	}
	return "", false, &Error{Kind: ErrInvalidTable, Code: "HIVE_UNSUPPORTED_FORMAT",
		Message: fmt.Sprintf("Unable to read table %s.%s: unsupported format %q", t.DatabaseName, t.Name, what)}
}

// source resolves a table reference to a DuckDB subquery.
func (e *Engine) source(ctx context.Context, ref *tableRef, database string) (source, error) {
	db, name := ref.name()
	if db == "" {
		db = database
	}
	if len(ref.parts) == 3 && !strings.EqualFold(ref.parts[0].name(), "awsdatacatalog") {
		return source{}, &Error{Kind: ErrDatabaseNotFound, Code: "CATALOG_NOT_FOUND", Line: ref.parts[0].line, Col: ref.parts[0].col,
			Message: fmt.Sprintf("Catalog '%s' does not exist", ref.parts[0].name())}
	}
	if err := allow(ctx, "glue:GetTable", db, name); err != nil {
		return source{}, err
	}
	t, err := e.cfg.Catalog.GetTable(db, name)
	switch {
	case errors.Is(err, catalog.ErrDatabaseNotFound):
		return source{}, databaseNotFound(ref.parts[0], db)
	case errors.Is(err, catalog.ErrTableNotFound):
		return source{}, tableNotFound(ref.parts[0], db, name)
	case err != nil:
		return source{}, fmt.Errorf("query: read table %s.%s: %w", db, name, err)
	}
	if t.TableType == catalog.TableTypeView {
		return source{}, notSupportedf(ref.parts[0], "Views are not supported yet: %s.%s", db, name)
	}
	src, err := e.tableSource(ctx, &t, ref)
	if err != nil {
		return source{}, err
	}
	alias := ""
	if ref.alias == "" {
		alias = " AS " + quoteIdent(name)
	}
	src.sql = "(" + src.sql + ")" + alias
	return src, nil
}

// column is a table column ready for SQL: its name and DuckDB type.
type column struct {
	name string
	duck string
}

func tableColumns(cols []catalog.Column) ([]column, error) {
	out := make([]column, 0, len(cols))
	for _, c := range cols {
		d, err := duckType(c.Type)
		if err != nil {
			return nil, &Error{Kind: ErrInvalidTable, Code: "HIVE_INVALID_METADATA", Message: fmt.Sprintf("Column %s has type %q: %v", c.Name, c.Type, err)}
		}
		out = append(out, column{name: strings.ToLower(c.Name), duck: d})
	}
	return out, nil
}

// tableSource builds the SELECT over t's files (pruned partitions only).
func (e *Engine) tableSource(ctx context.Context, t *catalog.Table, ref *tableRef) (source, error) {
	sd := t.StorageDescriptor
	if sd == nil {
		sd = &catalog.StorageDescriptor{}
	}
	format, quoted, err := tableFormat(t)
	if err != nil {
		return source{}, err
	}
	cols, err := tableColumns(sd.Columns)
	if err != nil {
		return source{}, err
	}
	keys, err := tableColumns(t.PartitionKeys)
	if err != nil {
		return source{}, err
	}
	rd := reader{format: format, quoted: quoted, cols: cols, t: t}
	if len(keys) == 0 {
		files, bytes, err := e.listFiles(ctx, sd.Location)
		if err != nil {
			return source{}, err
		}
		if rd, err = e.withPresentColumns(ctx, rd, files); err != nil {
			return source{}, err
		}
		return source{sql: rd.selectFrom(files, nil, keys), bytes: bytes, files: len(files)}, nil
	}
	parts, err := e.partitions(t, ref)
	if err != nil {
		return source{}, err
	}
	var src source
	var branches []string
	for _, p := range parts {
		loc := ""
		if p.StorageDescriptor != nil {
			loc = p.StorageDescriptor.Location
		}
		if loc == "" {
			loc = strings.TrimSuffix(sd.Location, "/") + "/" + hivePartitionPath(t.PartitionKeys, p.Values)
		}
		files, bytes, err := e.listFiles(ctx, loc)
		if err != nil {
			return source{}, err
		}
		if len(files) == 0 {
			continue
		}
		src.bytes += bytes
		src.files += len(files)
		prd, err := e.withPresentColumns(ctx, rd, files)
		if err != nil {
			return source{}, err
		}
		branches = append(branches, prd.selectFrom(files, p.Values, keys))
	}
	if len(branches) == 0 {
		src.sql = rd.selectFrom(nil, nil, keys)
	} else {
		src.sql = strings.Join(branches, " UNION ALL ")
	}
	return src, nil
}

func hivePartitionPath(keys []catalog.Column, values []string) string {
	var b strings.Builder
	for i, k := range keys {
		if i < len(values) {
			b.WriteString(strings.ToLower(k.Name) + "=" + values[i] + "/")
		}
	}
	return b.String()
}

// partitions returns the partitions of t a query must read: those whose
// values pass the WHERE clause's simple predicates on partition keys.
func (e *Engine) partitions(t *catalog.Table, ref *tableRef) ([]catalog.Partition, error) {
	if projectionEnabled(t) {
		return e.projectedPartitions(t, ref) // projection.go; the catalog's partitions are ignored
	}
	expr := pruningExpression(ref.where, t, ref)
	parts, err := e.allPartitions(t, expr)
	if err != nil && expr != "" {
		// The catalog refused the expression (a value that does not fit
		// its key's type, say): read every partition, and let the query's
		// own WHERE decide.
		parts, err = e.allPartitions(t, "")
	}
	return parts, err
}

func (e *Engine) allPartitions(t *catalog.Table, expr string) ([]catalog.Partition, error) {
	var out []catalog.Partition
	q := catalog.PartitionQuery{Expression: expr}
	for {
		page, next, err := e.cfg.Catalog.GetPartitions(t.DatabaseName, t.Name, q)
		if err != nil {
			return nil, fmt.Errorf("query: partitions of %s.%s: %w", t.DatabaseName, t.Name, err)
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		q.NextToken = next
	}
}

// file is one lake object a query reads.
type file struct {
	path string
	size int64
}

// parseLocation splits s3://bucket/prefix into bucket and a prefix ending
// in "/" (or empty).
func parseLocation(loc string) (bucket, prefix string, err error) {
	rest, ok := "", false
	for _, scheme := range []string{"s3://", "s3a://", "s3n://"} {
		if len(loc) >= len(scheme) && strings.EqualFold(loc[:len(scheme)], scheme) {
			rest, ok = loc[len(scheme):], true
			break
		}
	}
	if !ok {
		return "", "", &Error{Kind: ErrInvalidTable, Code: "HIVE_METASTORE_ERROR", Message: fmt.Sprintf("Invalid location %q: not an s3:// URI", loc)}
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", &Error{Kind: ErrInvalidTable, Code: "HIVE_METASTORE_ERROR", Message: fmt.Sprintf("Invalid location %q: no bucket", loc)}
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// listFiles lists the data files under an s3:// location, recursively,
// skipping what Hive skips: names starting with "_" or "." (_SUCCESS,
// .crc files), folder markers and empty objects.
func (e *Engine) listFiles(ctx context.Context, loc string) ([]file, int64, error) {
	bucket, prefix, err := parseLocation(loc)
	if err != nil {
		return nil, 0, err
	}
	if err := allowObject(ctx, "s3:ListBucket", bucket, "", listCondition(prefix)); err != nil {
		return nil, 0, err
	}
	var files []file
	var total int64
	opts := lake.ListOptions{Prefix: prefix, MaxKeys: 1000}
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, &Error{Kind: ErrCancelled, Code: "USER_CANCELLED", Message: "Query cancelled by user", Err: err}
		}
		page, err := e.cfg.Lake.List(bucket, opts)
		if errors.Is(err, lake.ErrBucketNotFound) {
			return nil, 0, &Error{Kind: ErrQuery, Code: "HIVE_FILESYSTEM_ERROR",
				Message: fmt.Sprintf("The specified bucket does not exist (location %s)", loc), Err: err}
		}
		if err != nil {
			return nil, 0, fmt.Errorf("query: list %s: %w", loc, err)
		}
		for _, o := range page.Objects {
			base := path.Base(o.Key)
			if o.Size == 0 || strings.HasSuffix(o.Key, "/") || strings.HasPrefix(base, "_") || strings.HasPrefix(base, ".") {
				continue
			}
			if err := allowObject(ctx, "s3:GetObject", bucket, o.Key, nil); err != nil {
				return nil, 0, err
			}
			p, err := e.cfg.Lake.Path(bucket, o.Key)
			if errors.Is(err, lake.ErrObjectNotFound) {
				continue // deleted since the listing
			}
			if errors.Is(err, lake.ErrEncrypted) {
				// Sealed objects (SSE) are never handed to DuckDB, which
				// reads lake files in place: it reads a decrypted copy
				// made for this query (sealed.go).
				if err := allowSealedObject(ctx, e.cfg.Lake, bucket, o.Key); err != nil {
					return nil, 0, err
				}
				scr := scratchFrom(ctx)
				if scr == nil {
					return nil, 0, fmt.Errorf("query: %s/%s is encrypted and the query has no scratch space", bucket, o.Key)
				}
				if p, err = scr.decrypt(ctx, e.cfg.Lake, bucket, o.Key, o.Size); err != nil {
					if ctx.Err() != nil {
						return nil, 0, &Error{Kind: ErrCancelled, Code: "USER_CANCELLED", Message: "Query cancelled by user", Err: ctx.Err()}
					}
					return nil, 0, &Error{Kind: ErrQuery, Code: "HIVE_CANNOT_OPEN_SPLIT",
						Message: fmt.Sprintf("Error opening Hive split s3://%s/%s: %v", bucket, o.Key, err), Err: err}
				}
			}
			if err != nil {
				return nil, 0, fmt.Errorf("query: locate %s/%s: %w", bucket, o.Key, err)
			}
			files = append(files, file{path: p, size: o.Size})
			total += o.Size
		}
		if !page.IsTruncated {
			return files, total, nil
		}
		opts.StartAfter = page.Next
	}
}

// withPresentColumns returns rd knowing which of its columns the Parquet
// files have (other formats name their columns in the scan itself).
func (e *Engine) withPresentColumns(ctx context.Context, rd reader, files []file) (reader, error) {
	if rd.format != formatParquet || len(files) == 0 {
		return rd, nil
	}
	present, err := e.parquetColumns(ctx, files)
	if err != nil {
		return rd, &Error{Kind: ErrQuery, Code: "HIVE_CANNOT_OPEN_SPLIT",
			Message: fmt.Sprintf("Error opening Hive split: %v", err), Err: err}
	}
	rd.present = present
	return rd, nil
}

// reader writes the DuckDB scan of one table's files.
type reader struct {
	format string
	quoted bool // OpenCSVSerde
	cols   []column
	t      *catalog.Table
	// present, for Parquet, names the columns the files being read have;
	// the others read as NULL. Nil means all of them.
	present map[string]bool
}

// selectFrom is SELECT <columns>, <partition values> FROM <scan of files>.
// With no files it is an empty relation of the right shape.
func (r reader) selectFrom(files []file, values []string, keys []column) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range r.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		q := quoteIdent(c.name)
		switch {
		case len(files) == 0 || r.present != nil && !r.present[c.name]:
			fmt.Fprintf(&b, "CAST(NULL AS %s) AS %s", c.duck, q)
		case r.format == formatCSV:
			// Delimited text: every field is read as text; Hive's \N is
			// NULL, and a field that does not parse as the column's type
			// is NULL, as LazySimpleSerDe makes it.
			if c.duck == "VARCHAR" {
				fmt.Fprintf(&b, "NULLIF(%s, '\\N') AS %s", q, q)
			} else {
				fmt.Fprintf(&b, "TRY_CAST(NULLIF(%s, '\\N') AS %s) AS %s", q, c.duck, q)
			}
		case r.format == formatParquet && !isComplex(c.duck):
			fmt.Fprintf(&b, "CAST(%s AS %s) AS %s", q, c.duck, q)
		default:
			fmt.Fprintf(&b, "%s AS %s", q, q)
		}
	}
	for i, k := range keys {
		if len(r.cols) > 0 || i > 0 {
			b.WriteString(", ")
		}
		if values == nil || i >= len(values) {
			fmt.Fprintf(&b, "CAST(NULL AS %s) AS %s", k.duck, quoteIdent(k.name))
		} else {
			fmt.Fprintf(&b, "TRY_CAST(%s AS %s) AS %s", quoteString(values[i]), k.duck, quoteIdent(k.name))
		}
	}
	if len(r.cols) == 0 && len(keys) == 0 {
		b.WriteString("NULL AS \"_empty\"")
	}
	if len(files) == 0 {
		b.WriteString(" WHERE false")
		return b.String()
	}
	b.WriteString(" FROM ")
	b.WriteString(r.scan(files))
	return b.String()
}

func pathList(files []file) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range files {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteString(f.path))
	}
	b.WriteByte(']')
	return b.String()
}

func (r reader) columnsStruct(allVarchar bool) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range r.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		typ := c.duck
		if allVarchar {
			typ = "VARCHAR"
		}
		b.WriteString(quoteString(c.name) + ": " + quoteString(typ))
	}
	b.WriteByte('}')
	return b.String()
}

// jsonColumns is columnsStruct for JSON files, whose keys DuckDB matches
// case-sensitively: a SerDe parameter "mapping.<column>" (the OpenX JSON
// SerDe's) names the key a column reads, e.g. mapping.eventname =
// eventName for CloudTrail's camel-case records.
func (r reader) jsonColumns(serde map[string]string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range r.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		key := c.name
		if m := serde["mapping."+c.name]; m != "" {
			key = m
		}
		b.WriteString(quoteString(key) + ": " + quoteString(c.duck))
	}
	b.WriteByte('}')
	return b.String()
}

// scan is the DuckDB table function reading files in the table's format.
func (r reader) scan(files []file) string {
	list := pathList(files)
	serde := map[string]string{}
	if sd := r.t.StorageDescriptor; sd != nil && sd.SerdeInfo != nil {
		serde = sd.SerdeInfo.Parameters
	}
	switch r.format {
	case formatParquet:
		return "read_parquet(" + list + ", union_by_name = true)"
	case formatJSON:
		opts := ""
		if strings.EqualFold(serde["ignore.malformed.json"], "true") {
			opts = ", ignore_errors = true"
		}
		return "read_json(" + list + ", format = 'newline_delimited', columns = " + r.jsonColumns(serde) + opts + ")"
	}
	delim, quote, escape := "\x01", "", ""
	if r.quoted {
		delim, quote, escape = ",", `"`, `\`
		if v := serde["separatorChar"]; v != "" {
			delim = v
		}
		if v, ok := serde["quoteChar"]; ok {
			quote = v
		}
		if v, ok := serde["escapeChar"]; ok {
			escape = v
		}
	} else {
		if v := serde["field.delim"]; v != "" {
			delim = v
		} else if v := serde["serialization.format"]; v != "" && v != "1" {
			delim = v
		}
		if v := serde["escape.delim"]; v != "" {
			escape = v
		}
	}
	skip := r.t.Parameters["skip.header.line.count"]
	if skip == "" {
		skip = "0"
	}
	for _, ch := range skip {
		if ch < '0' || ch > '9' {
			skip = "0"
		}
	}
	return fmt.Sprintf("read_csv(%s, columns = %s, header = false, skip = %s, delim = %s, quote = %s, escape = %s, nullstr = '\\N', auto_detect = false, strict_mode = false, null_padding = true)",
		list, r.columnsStruct(true), skip, quoteString(unescapeDelim(delim)), quoteString(quote), quoteString(escape))
}

// unescapeDelim turns Hive's written delimiters ("\t", "\001", "\u0001")
// into the character.
func unescapeDelim(s string) string {
	switch s {
	case `\t`:
		return "\t"
	case `\001`, `\u0001`:
		return "\x01"
	case `\n`:
		return "\n"
	}
	return s
}
