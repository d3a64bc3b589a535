package query

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
)

// The Hive DDL Athena accepts, parsed with the same tokenizer as queries
// and applied to the catalog. Supported: CREATE DATABASE|SCHEMA, DROP
// DATABASE, SHOW DATABASES|SCHEMAS, SHOW TABLES, SHOW PARTITIONS,
// DESCRIBE, DROP TABLE, CREATE EXTERNAL TABLE, MSCK REPAIR TABLE, ALTER
// TABLE ADD|DROP PARTITION, CREATE TABLE AS SELECT (ctas.go), SHOW CREATE TABLE
// (show_create.go); tables with partition projection are read by
// projection.go. Not yet: views.

// Hive class names Athena stores for each STORED AS format.
const (
	parquetSerDe    = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
	parquetInput    = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
	parquetOutput   = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
	lazySimpleSerDe = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
	textInput       = "org.apache.hadoop.mapred.TextInputFormat"
	textOutput      = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
	jsonSerDe       = "org.openx.data.jsonserde.JsonSerDe"
)

// ddlParser walks the significant tokens of one DDL statement.
type ddlParser struct {
	toks []token
	i    int
}

func newDDLParser(toks []token) *ddlParser {
	p := &ddlParser{}
	for _, t := range toks {
		if t.kind != tokSpace && t.kind != tokComment {
			p.toks = append(p.toks, t)
		}
	}
	// One trailing ';' is allowed.
	if n := len(p.toks); n >= 2 && p.toks[n-2].isOp(";") {
		p.toks = append(p.toks[:n-2], p.toks[n-1])
	}
	return p
}

func (p *ddlParser) peek() token { return p.toks[p.i] }
func (p *ddlParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// accept consumes the keywords if they come next.
func (p *ddlParser) accept(words ...string) bool {
	for k, w := range words {
		if p.i+k >= len(p.toks) || !p.toks[p.i+k].is(w) {
			return false
		}
	}
	p.i += len(words)
	return true
}

func (p *ddlParser) acceptOp(op string) bool {
	if p.peek().isOp(op) {
		p.i++
		return true
	}
	return false
}

func (p *ddlParser) expect(words ...string) error {
	for _, w := range words {
		t := p.next()
		if !t.is(w) {
			return syntaxErrorAt(t, "mismatched input %s. Expecting: '%s'", t.describe(), strings.ToUpper(w))
		}
	}
	return nil
}

func (p *ddlParser) expectOp(op string) error {
	if t := p.next(); !t.isOp(op) {
		return syntaxErrorAt(t, "mismatched input %s. Expecting: '%s'", t.describe(), op)
	}
	return nil
}

func (p *ddlParser) ident() (token, error) {
	t := p.next()
	if !t.isIdentLike() {
		return t, syntaxErrorAt(t, "mismatched input %s. Expecting: <identifier>", t.describe())
	}
	return t, nil
}

func (p *ddlParser) str() (string, error) {
	t := p.next()
	if t.kind != tokString {
		return "", syntaxErrorAt(t, "mismatched input %s. Expecting: <string>", t.describe())
	}
	return t.stringValue(), nil
}

// qualified reads [db.]name; db is "" when not given.
func (p *ddlParser) qualified() (db, name string, at token, err error) {
	at, err = p.ident()
	if err != nil {
		return "", "", at, err
	}
	name = strings.ToLower(at.name())
	if p.acceptOp(".") {
		t, err := p.ident()
		if err != nil {
			return "", "", at, err
		}
		db, name = name, strings.ToLower(t.name())
	}
	return db, name, at, nil
}

func (p *ddlParser) end() error {
	if t := p.peek(); t.kind != tokEOF {
		return syntaxErrorAt(t, "mismatched input %s. Expecting: <EOF>", t.describe())
	}
	return nil
}

// properties reads ('k'='v', …).
func (p *ddlParser) properties() (map[string]string, error) {
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for {
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		v, err := p.str()
		if err != nil {
			return nil, err
		}
		out[k] = v
		if !p.acceptOp(",") {
			break
		}
	}
	return out, p.expectOp(")")
}

// hiveType reads a column type up to the next top-level ',' or ')' or
// COMMENT, and returns it as written (lower-cased, without spaces).
func (p *ddlParser) hiveType() (string, error) {
	start := p.peek()
	var b strings.Builder
	depth := 0
	for {
		t := p.peek()
		if t.kind == tokEOF {
			return "", unexpected(t)
		}
		if depth == 0 && (t.isOp(",") || t.isOp(")") || t.is("comment")) {
			break
		}
		switch {
		case t.isOp("<") || t.isOp("("):
			depth++
		case t.isOp(">") || t.isOp(")"):
			depth--
		case t.isOp("<>"):
			return "", unexpected(t)
		}
		if t.kind == tokIdent {
			b.WriteString(strings.ToLower(t.text))
		} else {
			b.WriteString(t.text)
		}
		p.next()
	}
	typ := b.String()
	if typ == "" {
		return "", unexpected(start)
	}
	if _, err := duckType(typ); err != nil {
		var qe *Error
		if errors.As(err, &qe) && qe.Kind == ErrNotSupported {
			return "", syntaxErrorAt(start, "%s", qe.Message)
		}
		return "", syntaxErrorAt(start, "Invalid type: %s", typ)
	}
	return typ, nil
}

// columns reads (name type [COMMENT 'c'], …).
func (p *ddlParser) columns() ([]catalog.Column, error) {
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	var cols []catalog.Column
	for {
		n, err := p.ident()
		if err != nil {
			return nil, err
		}
		typ, err := p.hiveType()
		if err != nil {
			return nil, err
		}
		c := catalog.Column{Name: strings.ToLower(n.name()), Type: typ}
		if p.accept("comment") {
			if c.Comment, err = p.str(); err != nil {
				return nil, err
			}
		}
		cols = append(cols, c)
		if !p.acceptOp(",") {
			break
		}
	}
	return cols, p.expectOp(")")
}

func ddlResult(kind string) *Result { return &Result{StatementType: kind} }

func oneColumn(name string, values []string) *Result {
	res := &Result{StatementType: StatementUtility, Columns: []Column{{Name: name, Type: "string", Nullable: "UNKNOWN"}}}
	for _, v := range values {
		res.Rows = append(res.Rows, []Datum{{Value: v}})
	}
	return res
}

// runDDL runs one DDL or utility statement.
func (e *Engine) runDDL(ctx context.Context, toks []token, database string) (*Result, error) {
	if action := ddlAction(toks); action != "" {
		if err := allow(ctx, action, "", ""); err != nil { // access.go
			return nil, err
		}
	}
	p := newDDLParser(toks)
	first := p.next()
	switch first.lower() {
	case "create":
		switch {
		case p.accept("database") || p.accept("schema"):
			return e.createDatabase(p)
		case p.accept("external", "table") || p.accept("table"):
			return e.createTable(ctx, p, database)
		}
	case "drop":
		switch {
		case p.accept("database") || p.accept("schema"):
			return e.dropDatabase(p)
		case p.accept("table"):
			return e.dropTable(p, database)
		}
	case "show":
		switch {
		case p.accept("databases") || p.accept("schemas"):
			return e.showDatabases(p)
		case p.accept("tables"):
			return e.showTables(p, database)
		case p.accept("partitions"):
			return e.showPartitions(p, database)
		case p.accept("create", "table"):
			return e.showCreateTable(p, database) // show_create.go
		}
	case "describe", "desc":
		return e.describe(p, database)
	case "msck":
		if err := p.expect("repair", "table"); err != nil {
			return nil, err
		}
		return e.repairTable(ctx, p, database)
	case "alter":
		if err := p.expect("table"); err != nil {
			return nil, err
		}
		return e.alterTable(p, database)
	}
	t := p.peek()
	return nil, notSupportedf(first, "Statement not supported: %s %s", strings.ToUpper(first.text), strings.ToUpper(t.text))
}

// catalogError words a catalog refusal as Athena's DDL does.
func catalogError(err error, at token, db, table string) error {
	switch {
	case errors.Is(err, catalog.ErrDatabaseNotFound):
		return databaseNotFound(at, db)
	case errors.Is(err, catalog.ErrTableNotFound):
		return tableNotFound(at, db, table)
	case errors.Is(err, catalog.ErrAlreadyExists):
		what := "Database " + db
		if table != "" {
			what = "Table " + db + "." + table
		}
		return &Error{Kind: ErrAlreadyExists, Code: "ALREADY_EXISTS", Line: at.line, Col: at.col, Message: what + " already exists", Err: err}
	case errors.Is(err, catalog.ErrInvalidInput):
		return &Error{Kind: ErrInvalidTable, Code: "INVALID_INPUT", Line: at.line, Col: at.col, Message: err.Error(), Err: err}
	}
	return fmt.Errorf("query: catalog: %w", err)
}

func (e *Engine) createDatabase(p *ddlParser) (*Result, error) {
	ifNotExists := p.accept("if", "not", "exists")
	at, err := p.ident()
	if err != nil {
		return nil, err
	}
	db := catalog.Database{Name: strings.ToLower(at.name())}
	for p.peek().kind != tokEOF {
		switch {
		case p.accept("comment"):
			if db.Description, err = p.str(); err != nil {
				return nil, err
			}
		case p.accept("location"):
			if db.LocationURI, err = p.str(); err != nil {
				return nil, err
			}
		case p.accept("with", "dbproperties"):
			if db.Parameters, err = p.properties(); err != nil {
				return nil, err
			}
		default:
			return nil, p.end()
		}
	}
	err = e.cfg.Catalog.CreateDatabase(db)
	if errors.Is(err, catalog.ErrAlreadyExists) && ifNotExists {
		err = nil
	}
	if err != nil {
		return nil, catalogError(err, at, db.Name, "")
	}
	return ddlResult(StatementDDL), nil
}

func (e *Engine) dropDatabase(p *ddlParser) (*Result, error) {
	ifExists := p.accept("if", "exists")
	at, err := p.ident()
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(at.name())
	cascade := p.accept("cascade")
	if !cascade {
		p.accept("restrict")
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	if !cascade {
		tables, _, err := e.cfg.Catalog.ListTables(name, "", catalog.Page{MaxResults: 1})
		if err == nil && len(tables) > 0 {
			return nil, &Error{Kind: ErrQuery, Code: "INVALID_OPERATION", Line: at.line, Col: at.col,
				Message: fmt.Sprintf("Database %s is not empty. One or more tables exist.", name)}
		}
	}
	err = e.cfg.Catalog.DeleteDatabase(name)
	if errors.Is(err, catalog.ErrDatabaseNotFound) && ifExists {
		err = nil
	}
	if err != nil {
		return nil, catalogError(err, at, name, "")
	}
	return ddlResult(StatementDDL), nil
}

func (e *Engine) dropTable(p *ddlParser, database string) (*Result, error) {
	ifExists := p.accept("if", "exists")
	db, name, at, err := p.qualified()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	if db == "" {
		db = database
	}
	err = e.cfg.Catalog.DeleteTable(db, name)
	if (errors.Is(err, catalog.ErrTableNotFound) || errors.Is(err, catalog.ErrDatabaseNotFound)) && ifExists {
		err = nil
	}
	if err != nil {
		return nil, catalogError(err, at, db, name)
	}
	return ddlResult(StatementDDL), nil
}

// likePattern turns Hive's SHOW … LIKE pattern ('*' any, '|' or) into a
// matcher.
func likePattern(pattern string) func(string) bool {
	if pattern == "" {
		return func(string) bool { return true }
	}
	alts := strings.Split(strings.ToLower(pattern), "|")
	return func(s string) bool {
		for _, a := range alts {
			if globMatch(strings.TrimSpace(a), s) {
				return true
			}
		}
		return false
	}
}

func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	if pattern[0] == '*' {
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	}
	return s != "" && pattern[0] == s[0] && globMatch(pattern[1:], s[1:])
}

func (e *Engine) showDatabases(p *ddlParser) (*Result, error) {
	pattern := ""
	if p.accept("like") || p.peek().kind == tokString {
		var err error
		if pattern, err = p.str(); err != nil {
			return nil, err
		}
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	match := likePattern(pattern)
	var names []string
	page := catalog.Page{}
	for {
		dbs, next, err := e.cfg.Catalog.ListDatabases(page)
		if err != nil {
			return nil, fmt.Errorf("query: list databases: %w", err)
		}
		for _, d := range dbs {
			if match(d.Name) {
				names = append(names, d.Name)
			}
		}
		if next == "" {
			break
		}
		page.NextToken = next
	}
	return oneColumn("database_name", names), nil
}

func (e *Engine) showTables(p *ddlParser, database string) (*Result, error) {
	db := database
	if p.accept("in") || p.accept("from") {
		t, err := p.ident()
		if err != nil {
			return nil, err
		}
		db = strings.ToLower(t.name())
	}
	pattern := ""
	if p.accept("like") || p.peek().kind == tokString {
		var err error
		if pattern, err = p.str(); err != nil {
			return nil, err
		}
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	match := likePattern(pattern)
	var names []string
	page := catalog.Page{}
	for {
		tables, next, err := e.cfg.Catalog.ListTables(db, "", page)
		if err != nil {
			return nil, catalogError(err, p.toks[0], db, "")
		}
		for _, t := range tables {
			if match(t.Name) {
				names = append(names, t.Name)
			}
		}
		if next == "" {
			break
		}
		page.NextToken = next
	}
	return oneColumn("tab_name", names), nil
}

func (e *Engine) getTable(p *ddlParser, database string) (catalog.Table, token, error) {
	db, name, at, err := p.qualified()
	if err != nil {
		return catalog.Table{}, at, err
	}
	if db == "" {
		db = database
	}
	t, err := e.cfg.Catalog.GetTable(db, name)
	if err != nil {
		return t, at, catalogError(err, at, db, name)
	}
	return t, at, nil
}

func (e *Engine) showPartitions(p *ddlParser, database string) (*Result, error) {
	t, at, err := e.getTable(p, database)
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	if len(t.PartitionKeys) == 0 {
		return nil, &Error{Kind: ErrQuery, Code: "INVALID_OPERATION", Line: at.line, Col: at.col,
			Message: fmt.Sprintf("Table %s is not a partitioned table", t.Name)}
	}
	parts, err := e.allPartitions(&t, "")
	if err != nil {
		return nil, err
	}
	var rows []string
	for _, pt := range parts {
		rows = append(rows, strings.TrimSuffix(hivePartitionPath(t.PartitionKeys, pt.Values), "/"))
	}
	sort.Strings(rows)
	return oneColumn("partition", rows), nil
}

// describe answers DESCRIBE t in Hive's layout: name, type and comment
// padded to 20 characters and tab-separated, then the partition keys.
func (e *Engine) describe(p *ddlParser, database string) (*Result, error) {
	p.accept("formatted")
	p.accept("extended")
	t, _, err := e.getTable(p, database)
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	line := func(a, b, c string) string { return fmt.Sprintf("%-20s\t%-20s\t%-20s", a, b, c) }
	var rows []string
	var cols []catalog.Column
	if t.StorageDescriptor != nil {
		cols = t.StorageDescriptor.Columns
	}
	for _, c := range append(append([]catalog.Column{}, cols...), t.PartitionKeys...) {
		rows = append(rows, line(c.Name, c.Type, c.Comment))
	}
	if len(t.PartitionKeys) > 0 {
		rows = append(rows, "", "# Partition Information", line("# col_name", "data_type", "comment"), "")
		for _, c := range t.PartitionKeys {
			rows = append(rows, line(c.Name, c.Type, c.Comment))
		}
	}
	return oneColumn("col_name", rows), nil
}

// createTable reads CREATE [EXTERNAL] TABLE and creates it in the catalog.
func (e *Engine) createTable(ctx context.Context, p *ddlParser, database string) (*Result, error) {
	ifNotExists := p.accept("if", "not", "exists")
	db, name, at, err := p.qualified()
	if err != nil {
		return nil, err
	}
	if db == "" {
		db = database
	}
	if p.peek().is("as") || p.peek().is("with") {
		return e.createTableAs(ctx, p, database, db, name, at, ifNotExists) // ctas.go
	}
	cols, err := p.columns()
	if err != nil {
		return nil, err
	}
	sd := &catalog.StorageDescriptor{Columns: cols, SerdeInfo: &catalog.SerDeInfo{Parameters: map[string]string{}}}
	t := catalog.Table{Name: name, TableType: catalog.TableTypeExternal, StorageDescriptor: sd,
		Parameters: map[string]string{"EXTERNAL": "TRUE"}}
	storedAs := ""
	for p.peek().kind != tokEOF {
		switch {
		case p.accept("comment"):
			if t.Description, err = p.str(); err != nil {
				return nil, err
			}
		case p.accept("partitioned", "by"):
			if t.PartitionKeys, err = p.columns(); err != nil {
				return nil, err
			}
		case p.accept("clustered", "by"):
			if _, err := p.columns(); err != nil {
				// CLUSTERED BY (a, b): names only; read them as a list.
				return nil, err
			}
		case p.accept("row", "format", "serde"):
			if sd.SerdeInfo.SerializationLibrary, err = p.str(); err != nil {
				return nil, err
			}
			if p.accept("with", "serdeproperties") {
				props, err := p.properties()
				if err != nil {
					return nil, err
				}
				for k, v := range props {
					sd.SerdeInfo.Parameters[k] = v
				}
			}
		case p.accept("row", "format", "delimited"):
			sd.SerdeInfo.SerializationLibrary = lazySimpleSerDe
			if err := p.delimited(sd.SerdeInfo.Parameters); err != nil {
				return nil, err
			}
		case p.accept("stored", "as", "inputformat"):
			if sd.InputFormat, err = p.str(); err != nil {
				return nil, err
			}
			if err := p.expect("outputformat"); err != nil {
				return nil, err
			}
			if sd.OutputFormat, err = p.str(); err != nil {
				return nil, err
			}
		case p.accept("stored", "as"):
			f, err := p.ident()
			if err != nil {
				return nil, err
			}
			storedAs = f.lower()
		case p.accept("location"):
			if sd.Location, err = p.str(); err != nil {
				return nil, err
			}
			if _, _, err := parseLocation(sd.Location); err != nil {
				return nil, err
			}
		case p.accept("tblproperties"):
			props, err := p.properties()
			if err != nil {
				return nil, err
			}
			for k, v := range props {
				t.Parameters[k] = v
			}
		default:
			return nil, p.end()
		}
	}
	switch storedAs {
	case "":
		if sd.InputFormat == "" {
			sd.InputFormat, sd.OutputFormat = textInput, textOutput
		}
		if sd.SerdeInfo.SerializationLibrary == "" {
			sd.SerdeInfo.SerializationLibrary = lazySimpleSerDe
		}
	case "parquet":
		sd.InputFormat, sd.OutputFormat = parquetInput, parquetOutput
		if sd.SerdeInfo.SerializationLibrary == "" {
			sd.SerdeInfo.SerializationLibrary = parquetSerDe
		}
	case "textfile":
		sd.InputFormat, sd.OutputFormat = textInput, textOutput
		if sd.SerdeInfo.SerializationLibrary == "" {
			sd.SerdeInfo.SerializationLibrary = lazySimpleSerDe
		}
	case "json", "jsonfile":
		sd.InputFormat, sd.OutputFormat = textInput, textOutput
		if sd.SerdeInfo.SerializationLibrary == "" {
			sd.SerdeInfo.SerializationLibrary = jsonSerDe
		}
	default:
		return nil, notSupportedf(at, "STORED AS %s is not supported (PARQUET, TEXTFILE and JSON are)", strings.ToUpper(storedAs))
	}
	if sd.SerdeInfo.SerializationLibrary == lazySimpleSerDe && sd.SerdeInfo.Parameters["field.delim"] == "" && sd.SerdeInfo.Parameters["serialization.format"] == "" {
		sd.SerdeInfo.Parameters["serialization.format"] = "1"
	}
	if sd.Location == "" {
		return nil, &Error{Kind: ErrInvalidTable, Code: "INVALID_TABLE_PROPERTY", Line: at.line, Col: at.col, Message: "LOCATION is required for an external table"}
	}
	if _, _, err := tableFormat(&t); err != nil {
		return nil, err
	}
	err = e.cfg.Catalog.CreateTable(db, t)
	if errors.Is(err, catalog.ErrAlreadyExists) && ifNotExists {
		err = nil
	}
	if err != nil {
		return nil, catalogError(err, at, db, name)
	}
	return ddlResult(StatementDDL), nil
}

// delimited reads ROW FORMAT DELIMITED's clauses into SerDe parameters.
func (p *ddlParser) delimited(params map[string]string) error {
	for {
		var key string
		switch {
		case p.accept("fields", "terminated", "by"):
			key = "field.delim"
		case p.accept("escaped", "by"):
			key = "escape.delim"
		case p.accept("collection", "items", "terminated", "by"):
			key = "collection.delim"
		case p.accept("map", "keys", "terminated", "by"):
			key = "mapkey.delim"
		case p.accept("lines", "terminated", "by"):
			key = "line.delim"
		case p.accept("null", "defined", "as"):
			key = "serialization.null.format"
		default:
			return nil
		}
		v, err := p.str()
		if err != nil {
			return err
		}
		params[key] = v
		if key == "field.delim" {
			params["serialization.format"] = v
		}
	}
}

// partitionSpec reads PARTITION (k='v', …) into values in key order.
func (p *ddlParser) partitionSpec(t *catalog.Table) ([]string, error) {
	if err := p.expect("partition"); err != nil {
		return nil, err
	}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	got := map[string]string{}
	for {
		k, err := p.ident()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		v := p.next()
		switch v.kind {
		case tokString:
			got[strings.ToLower(k.name())] = v.stringValue()
		case tokNumber:
			got[strings.ToLower(k.name())] = v.text
		default:
			return nil, unexpected(v)
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if err := p.expectOp(")"); err != nil {
		return nil, err
	}
	values := make([]string, len(t.PartitionKeys))
	for i, k := range t.PartitionKeys {
		v, ok := got[strings.ToLower(k.Name)]
		if !ok {
			return nil, &Error{Kind: ErrQuery, Code: "INVALID_PARTITION", Message: fmt.Sprintf("Partition spec is incomplete: no value for %s", k.Name)}
		}
		values[i] = v
	}
	if len(got) != len(values) {
		return nil, &Error{Kind: ErrQuery, Code: "INVALID_PARTITION", Message: "Partition spec names a column that is not a partition key"}
	}
	return values, nil
}

func (e *Engine) alterTable(p *ddlParser, database string) (*Result, error) {
	t, at, err := e.getTable(p, database)
	if err != nil {
		return nil, err
	}
	switch {
	case p.accept("add"):
		ifNotExists := p.accept("if", "not", "exists")
		var parts []catalog.Partition
		for p.peek().is("partition") {
			values, err := p.partitionSpec(&t)
			if err != nil {
				return nil, err
			}
			sd := t.StorageDescriptor.Clone()
			sd.Location = strings.TrimSuffix(sd.Location, "/") + "/" + hivePartitionPath(t.PartitionKeys, values)
			if p.accept("location") {
				if sd.Location, err = p.str(); err != nil {
					return nil, err
				}
			}
			parts = append(parts, catalog.Partition{Values: values, StorageDescriptor: sd})
		}
		if err := p.end(); err != nil {
			return nil, err
		}
		errs, err := e.cfg.Catalog.CreatePartitions(t.DatabaseName, t.Name, parts)
		if err != nil {
			return nil, catalogError(err, at, t.DatabaseName, t.Name)
		}
		for _, perr := range errs {
			if perr != nil && !(ifNotExists && errors.Is(perr, catalog.ErrAlreadyExists)) {
				if errors.Is(perr, catalog.ErrAlreadyExists) {
					return nil, &Error{Kind: ErrAlreadyExists, Code: "ALREADY_EXISTS", Line: at.line, Col: at.col, Message: "Partition already exists", Err: perr}
				}
				return nil, catalogError(perr, at, t.DatabaseName, t.Name)
			}
		}
	case p.accept("drop"):
		ifExists := p.accept("if", "exists")
		var list [][]string
		for {
			values, err := p.partitionSpec(&t)
			if err != nil {
				return nil, err
			}
			list = append(list, values)
			if !p.acceptOp(",") {
				break
			}
		}
		if err := p.end(); err != nil {
			return nil, err
		}
		errs, err := e.cfg.Catalog.DeletePartitions(t.DatabaseName, t.Name, list)
		if err != nil {
			return nil, catalogError(err, at, t.DatabaseName, t.Name)
		}
		for _, perr := range errs {
			if perr != nil && !(ifExists && errors.Is(perr, catalog.ErrPartitionNotFound)) {
				return nil, &Error{Kind: ErrQuery, Code: "INVALID_PARTITION", Line: at.line, Col: at.col, Message: "Partition not found", Err: perr}
			}
		}
	default:
		return nil, notSupportedf(p.peek(), "ALTER TABLE %s is not supported", strings.ToUpper(p.peek().text))
	}
	return ddlResult(StatementDDL), nil
}

// repairTable is MSCK REPAIR TABLE: it lists the table's location for
// key=value/… prefixes matching the partition keys and registers those the
// catalog does not have.
func (e *Engine) repairTable(ctx context.Context, p *ddlParser, database string) (*Result, error) {
	t, at, err := e.getTable(p, database)
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	if len(t.PartitionKeys) == 0 || t.StorageDescriptor == nil {
		return ddlResult(StatementDDL), nil
	}
	bucket, prefix, err := parseLocation(t.StorageDescriptor.Location)
	if err != nil {
		return nil, err
	}
	if err := allowObject(ctx, "s3:ListBucket", bucket, "", listCondition(prefix)); err != nil {
		return nil, err
	}
	found := map[string][]string{}
	var order []string
	opts := lake.ListOptions{Prefix: prefix, MaxKeys: 1000}
	for {
		if err := ctx.Err(); err != nil {
			return nil, &Error{Kind: ErrCancelled, Code: "USER_CANCELLED", Message: "Query cancelled by user", Err: err}
		}
		page, err := e.cfg.Lake.List(bucket, opts)
		if err != nil {
			return nil, &Error{Kind: ErrQuery, Code: "HIVE_FILESYSTEM_ERROR", Message: fmt.Sprintf("Cannot list %s: %v", t.StorageDescriptor.Location, err), Err: err}
		}
		for _, o := range page.Objects {
			segs := strings.Split(strings.TrimPrefix(o.Key, prefix), "/")
			if len(segs) <= len(t.PartitionKeys) {
				continue
			}
			values := make([]string, len(t.PartitionKeys))
			ok := true
			for i, k := range t.PartitionKeys {
				name, v, found := strings.Cut(segs[i], "=")
				if !found || !strings.EqualFold(name, k.Name) {
					ok = false
					break
				}
				values[i] = v
			}
			if !ok {
				continue
			}
			dir := strings.Join(segs[:len(t.PartitionKeys)], "/")
			if _, seen := found[dir]; !seen {
				found[dir] = values
				order = append(order, dir)
			}
		}
		if !page.IsTruncated {
			break
		}
		opts.StartAfter = page.Next
	}
	var parts []catalog.Partition
	for _, dir := range order {
		sd := t.StorageDescriptor.Clone()
		sd.Location = "s3://" + bucket + "/" + prefix + dir + "/"
		parts = append(parts, catalog.Partition{Values: found[dir], StorageDescriptor: sd})
	}
	added := int64(0)
	for len(parts) > 0 {
		n := min(len(parts), 100)
		errs, err := e.cfg.Catalog.CreatePartitions(t.DatabaseName, t.Name, parts[:n])
		if err != nil {
			return nil, catalogError(err, at, t.DatabaseName, t.Name)
		}
		for _, perr := range errs {
			if perr == nil {
				added++
			}
		}
		parts = parts[n:]
	}
	res := ddlResult(StatementDDL)
	res.UpdateCount = added
	return res, nil
}
