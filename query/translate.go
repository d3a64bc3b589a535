package query

import (
	"strings"
)

// Translate rewrites one Athena (Trino dialect) statement as DuckDB SQL.
// Table names are left as written; Engine.Run puts the lake's files in
// their place. It fails with an *Error (ErrSyntax, ErrNotSupported, …) on
// input it cannot translate, never panics, and translating its own output
// again gives the same text.
func Translate(sql string) (string, error) {
	tr, err := translate(sql)
	if err != nil {
		return "", err
	}
	return tr.render(nil), nil
}

// translation is a translated SELECT: DuckDB nodes in which each table
// reference is a placeholder (node.ref) for refs[ref-1].
type translation struct {
	nodes []node
	refs  []*tableRef
}

// tableRef is a table named in a FROM or JOIN clause.
type tableRef struct {
	parts []token // the dotted name as written: table, db.table or catalog.db.table
	alias string  // the alias written after it ("" when none)
	where []node  // the WHERE clause of the query block it appears in, for pruning
}

// name returns the reference's database ("" when unqualified) and table
// names, folded as Athena folds them.
func (r *tableRef) name() (db, table string) {
	n := len(r.parts)
	table = strings.ToLower(r.parts[n-1].name())
	if n >= 2 {
		db = strings.ToLower(r.parts[n-2].name())
	}
	return db, table
}

// written is the reference as the user wrote it.
func (r *tableRef) written() string {
	var b strings.Builder
	for i, p := range r.parts {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// render emits the translation; source renders each table reference (nil:
// as written, followed by its alias).
func (tr *translation) render(source func(*tableRef) string) string {
	var b strings.Builder
	emit(&b, tr.nodes, func(i int) string {
		r := tr.refs[i]
		if source == nil {
			return r.written()
		}
		return source(r)
	})
	return b.String()
}

// translate tokenizes, groups and rewrites sql.
func translate(sql string) (*translation, error) {
	toks, err := tokenize(sql)
	if err != nil {
		return nil, err
	}
	nodes, err := buildTree(toks)
	if err != nil {
		return nil, err
	}
	nodes, err = trimStatement(nodes, toks[len(toks)-1])
	if err != nil {
		return nil, err
	}
	tr := &translation{}
	rw := &rewriter{tr: tr}
	nodes, err = rw.seq(nodes, true, 0, nil)
	if err != nil {
		return nil, err
	}
	tr.nodes = nameSelectItems(nodes)
	return tr, nil
}

// trimStatement drops one trailing ';' and refuses a second statement.
func trimStatement(nodes []node, eof token) ([]node, error) {
	if n := len(nodes); n > 0 && nodes[n-1].tok.isOp(";") && !nodes[n-1].group {
		nodes = nodes[:n-1]
	}
	for _, n := range nodes {
		if !n.group && n.tok.isOp(";") {
			return nil, unexpected(n.tok)
		}
	}
	if len(nodes) == 0 {
		return nil, syntaxErrorAt(eof, "mismatched input '<EOF>'. Expecting: 'SELECT', 'WITH', 'VALUES', …")
	}
	return nodes, nil
}

// rewriter walks the tree once, rewriting calls and types and collecting
// table references.
type rewriter struct {
	tr *translation
}

// clauseEnd are the words that end a FROM list or a WHERE clause.
var clauseEnd = map[string]bool{
	"where": true, "group": true, "having": true, "order": true, "limit": true, "union": true,
	"intersect": true, "except": true, "window": true, "offset": true, "fetch": true, "select": true,
	"qualify": true,
}

// notTableWords can follow FROM or JOIN without being a table name.
var notTableWords = map[string]bool{"lateral": true, "unnest": true, "table": true}

// seq rewrites one bracket level. queryLevel says whether FROM clauses at
// this level name tables (the statement itself and subqueries; not the
// inside of EXTRACT(… FROM …) or substring(… FROM …)). ctes are the WITH
// names visible here.
func (rw *rewriter) seq(in []node, queryLevel bool, depth int, ctes map[string]bool) ([]node, error) {
	if depth > maxDepth {
		return nil, syntaxErrorAt(in[0].tok, "Expression is too deeply nested")
	}
	if queryLevel && len(in) > 0 && in[0].tok.is("with") {
		ctes = withNames(in, ctes)
	}
	out := make([]node, 0, len(in))
	inFrom, expectTable := false, false
	firstRef := len(rw.tr.refs)
	for i := 0; i < len(in); i++ {
		n := in[i]
		if n.group {
			sub := queryLevel && len(n.kids) > 0 && (n.kids[0].tok.is("select") || n.kids[0].tok.is("with") || n.kids[0].tok.is("values"))
			if n.tok.isOp("(") && expectTable && len(n.kids) > 0 && n.kids[0].group {
				sub = true // FROM ((SELECT …))
			}
			kids, err := rw.seq(n.kids, sub, depth+1, ctes)
			if err != nil {
				return nil, err
			}
			n.kids = kids
			out = append(out, n)
			expectTable = false
			continue
		}
		t := n.tok
		if t.kind == tokBacktick {
			return nil, syntaxErrorAt(t, "backquoted identifiers are not supported; use double quotes to quote identifiers")
		}
		if queryLevel && t.kind == tokIdent {
			w := t.lower()
			switch {
			case w == "from" && !isDistinctFrom(out):
				inFrom, expectTable = true, true
				out = append(out, n)
				continue
			case w == "join" && inFrom:
				expectTable = true
				out = append(out, n)
				continue
			case clauseEnd[w]:
				inFrom, expectTable = false, false
			case w == "on" || w == "using":
				expectTable = false
			case w == "values":
				// Trino's VALUES 1, 2 is DuckDB's VALUES (1), (2).
				j := i + 1
				for j < len(in) && !(in[j].tok.kind == tokIdent && !in[j].group && clauseEnd[in[j].tok.lower()]) {
					j++
				}
				rows := splitArgs(in[i+1 : j])
				for k, r := range rows {
					rr, err := rw.seq(r, false, depth+1, ctes)
					if err != nil {
						return nil, err
					}
					if len(rr) != 1 || !rr[0].isGroup("(") {
						rr = []node{parenNode(rr)}
					}
					rows[k] = rr
				}
				out = append(out, n)
				out = append(out, joinArgs(rows)...)
				i = j - 1
				continue
			}
		}
		if queryLevel && inFrom && t.isOp(",") {
			expectTable = true
			out = append(out, n)
			continue
		}
		if expectTable && t.isIdentLike() && !notTableWords[t.lower()] && !(i+1 < len(in) && in[i+1].isGroup("(")) {
			j, ref := tableName(in, i)
			if ref != nil {
				expectTable = false
				if len(ref.parts) == 1 && ctes[ref.parts[0].name()] {
					out = append(out, in[i:j]...)
					i = j - 1
					continue
				}
				ref.alias = aliasAt(in, j)
				rw.tr.refs = append(rw.tr.refs, ref)
				out = append(out, node{tok: t, ref: len(rw.tr.refs)})
				i = j - 1
				continue
			}
		}
		expectTable = false
		// A call: an identifier followed by '(' and not part of a dotted name.
		if t.kind == tokIdent && i+1 < len(in) && in[i+1].isGroup("(") && !(len(out) > 0 && out[len(out)-1].tok.isOp(".")) {
			repl, err := rw.call(t, in[i+1], depth, ctes)
			if err != nil {
				return nil, err
			}
			out = append(out, repl...)
			i++
			continue
		}
		out = append(out, n)
	}
	if queryLevel {
		where := whereClause(out)
		for _, r := range rw.tr.refs[firstRef:] {
			if r.where == nil {
				r.where = where
			}
		}
	}
	return out, nil
}

// isDistinctFrom reports whether the FROM about to be added follows IS
// [NOT] DISTINCT.
func isDistinctFrom(out []node) bool {
	n := len(out)
	return n >= 2 && out[n-1].tok.is("distinct") && (out[n-2].tok.is("is") || out[n-2].tok.is("not"))
}

// tableName reads a dotted name starting at in[i]; j is the index after it.
func tableName(in []node, i int) (int, *tableRef) {
	ref := &tableRef{parts: []token{in[i].tok}}
	j := i + 1
	for j+1 < len(in) && !in[j].group && in[j].tok.isOp(".") && !in[j+1].group && in[j+1].tok.isIdentLike() && len(ref.parts) < 3 {
		ref.parts = append(ref.parts, in[j+1].tok)
		j += 2
	}
	return j, ref
}

// aliasAt returns the alias written at in[j] ([AS] name), if any.
func aliasAt(in []node, j int) string {
	if j < len(in) && in[j].tok.is("as") && !in[j].group {
		j++
	}
	if j < len(in) && !in[j].group && in[j].tok.isIdentLike() && !reservedAfterTable[in[j].tok.lower()] {
		return in[j].tok.name()
	}
	return ""
}

// reservedAfterTable are words that can follow a table name without being
// its alias.
var reservedAfterTable = map[string]bool{
	"where": true, "group": true, "having": true, "order": true, "limit": true, "union": true,
	"intersect": true, "except": true, "window": true, "offset": true, "fetch": true,
	"join": true, "inner": true, "left": true, "right": true, "full": true, "cross": true,
	"natural": true, "on": true, "using": true, "tablesample": true, "for": true, "as": true,
}

// withNames adds the names a WITH clause defines to ctes.
func withNames(in []node, ctes map[string]bool) map[string]bool {
	out := make(map[string]bool, len(ctes)+2)
	for k := range ctes {
		out[k] = true
	}
	for i := 1; i+1 < len(in); i++ {
		t := in[i]
		if t.group || !t.tok.isIdentLike() {
			continue
		}
		j := i + 1
		if j < len(in) && in[j].isGroup("(") {
			j++
		}
		if j+1 < len(in) && in[j].tok.is("as") && in[j+1].isGroup("(") {
			out[t.tok.name()] = true
		}
	}
	return out
}

// whereClause returns the nodes of the WHERE clause at this level.
func whereClause(nodes []node) []node {
	for i, n := range nodes {
		if !n.group && n.tok.is("where") {
			j := i + 1
			for j < len(nodes) && !(nodes[j].tok.kind == tokIdent && !nodes[j].group && clauseEnd[nodes[j].tok.lower()]) {
				j++
			}
			return nodes[i+1 : j]
		}
	}
	return []node{}
}

// call rewrites name(args) (group is the '(' group).
func (rw *rewriter) call(name token, group node, depth int, ctes map[string]bool) ([]node, error) {
	fn := name.lower()
	switch fn {
	case "cast", "try_cast":
		return rw.cast(name, group, depth, ctes)
	case "extract":
		kids, err := rw.seq(group.kids, false, depth+1, ctes)
		if err != nil {
			return nil, err
		}
		if len(kids) > 0 && kids[0].tok.kind == tokIdent {
			if f, ok := extractFields[kids[0].tok.lower()]; ok {
				kids[0] = identNode(f)
			}
		}
		group.kids = kids
		return []node{leaf(name), group}, nil
	}
	if fn == "filter" && len(group.kids) > 0 && group.kids[0].tok.is("where") {
		kids, err := rw.seq(group.kids, false, depth+1, ctes)
		if err != nil {
			return nil, err
		}
		group.kids = kids
		return []node{leaf(name), group}, nil // count(*) FILTER (WHERE …)
	}
	args := splitArgs(group.kids)
	for i, a := range args {
		ra, err := rw.seq(a, false, depth+1, ctes)
		if err != nil {
			return nil, err
		}
		args[i] = ra
	}
	if len(args) == 1 && len(args[0]) == 0 {
		args = nil // f()
	}
	if sp, ok := special[fn]; ok {
		return sp(name, args)
	}
	if tmpl, ok := parsedTemplates[fn+"/"+itoa(len(args))]; ok {
		return instantiate(tmpl, args), nil
	}
	if fn == "approx_percentile" || fn == "from_unixtime" || fn == "element_at" {
		return nil, notSupportedf(name, "%s with %d arguments is not supported", fn, len(args))
	}
	if r := renames[fn]; r != "" {
		name = synth(tokIdent, r)
	}
	group.kids = joinArgs(args)
	return []node{leaf(name), group}, nil
}

// extractFields maps Trino's EXTRACT fields to DuckDB's.
var extractFields = map[string]string{
	"dow": "isodow", "day_of_week": "isodow", "doy": "doy", "day_of_year": "doy",
	"year_of_week": "isoyear", "yow": "isoyear", "day_of_month": "day",
}

// cast rewrites CAST(x AS type): the expression as any other, the type
// from Trino's spelling to DuckDB's.
func (rw *rewriter) cast(name token, group node, depth int, ctes map[string]bool) ([]node, error) {
	as := -1
	for i, k := range group.kids {
		if !k.group && k.tok.is("as") {
			as = i
		}
	}
	if as <= 0 || as == len(group.kids)-1 {
		return nil, syntaxErrorAt(group.close, "mismatched input ')'. Expecting: 'AS'")
	}
	expr, err := rw.seq(group.kids[:as], false, depth+1, ctes)
	if err != nil {
		return nil, err
	}
	typ, err := convertType(group.kids[as+1:], depth)
	if err != nil {
		return nil, err
	}
	group.kids = append(append(expr, group.kids[as]), typ...)
	return []node{leaf(name), group}, nil
}

// convertType rewrites a Trino type as DuckDB's: ROW(…) → STRUCT(…),
// ARRAY(T) → T[], timestamp(p) → TIMESTAMP, … WITH TIME ZONE → TIMESTAMPTZ,
// varbinary → BLOB.
func convertType(in []node, depth int) ([]node, error) {
	if depth > maxDepth {
		return nil, syntaxErrorAt(in[0].tok, "Type is too deeply nested")
	}
	if len(in) == 0 {
		return nil, syntaxErrorf(0, 0, "missing type")
	}
	t := in[0].tok
	if in[0].group || !t.isIdentLike() {
		return nil, unexpected(t)
	}
	rest := in[1:]
	var params *node
	if len(rest) > 0 && rest[0].isGroup("(") {
		params = &rest[0]
		rest = rest[1:]
	}
	withTZ := len(rest) >= 3 && rest[0].tok.is("with") && rest[1].tok.is("time") && rest[2].tok.is("zone")
	if withTZ {
		rest = rest[3:]
	}
	var out []node
	switch w := t.lower(); {
	case w == "row" && params != nil:
		fields := splitArgs(params.kids)
		for i, f := range fields {
			if len(f) < 2 {
				return nil, unexpected(params.close)
			}
			ft, err := convertType(f[1:], depth+1)
			if err != nil {
				return nil, err
			}
			fields[i] = append([]node{f[0]}, ft...)
		}
		out = []node{identNode("STRUCT"), parenNode(joinArgs(fields))}
	case w == "array" && params != nil:
		et, err := convertType(params.kids, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(et, node{tok: synth(tokOp, "["), close: synth(tokOp, "]"), group: true})
	case w == "map" && params != nil:
		kv := splitArgs(params.kids)
		if len(kv) != 2 {
			return nil, unexpected(params.close)
		}
		k, err := convertType(kv[0], depth+1)
		if err != nil {
			return nil, err
		}
		v, err := convertType(kv[1], depth+1)
		if err != nil {
			return nil, err
		}
		out = []node{identNode("MAP"), parenNode(joinArgs([][]node{k, v}))}
	case w == "timestamp" && withTZ:
		out = []node{identNode("TIMESTAMPTZ")}
	case w == "time" && withTZ:
		out = []node{identNode("TIMETZ")}
	case w == "timestamp" || w == "time":
		out = []node{identNode(strings.ToUpper(w))}
	case w == "varbinary":
		out = []node{identNode("BLOB")}
	case w == "char":
		out = []node{identNode("VARCHAR")}
	default:
		out = []node{in[0]}
		if params != nil {
			out = append(out, *params)
		}
	}
	if withTZ && t.lower() != "timestamp" && t.lower() != "time" {
		return nil, unexpected(t)
	}
	return append(out, rest...), nil
}

// nameSelectItems gives the unnamed items of the statement's select list
// the names Athena gives them (_col0, _col1, … by position), and folds
// unquoted aliases to lower case as Trino does, so result columns are
// named as Athena names them.
func nameSelectItems(nodes []node) []node {
	i := 0
	if len(nodes) > 0 && nodes[0].tok.is("with") {
		// Skip the WITH list: name [(cols)] AS (query), …
		for i = 1; i < len(nodes); i++ {
			if !nodes[i].group && nodes[i].tok.is("select") {
				break
			}
		}
	}
	if i >= len(nodes) || nodes[i].group || !nodes[i].tok.is("select") {
		return nodes
	}
	start := i + 1
	if start < len(nodes) && (nodes[start].tok.is("distinct") || nodes[start].tok.is("all")) {
		start++
	}
	end := start
	for end < len(nodes) && !(nodes[end].tok.kind == tokIdent && !nodes[end].group &&
		(nodes[end].tok.is("from") && !isDistinctFrom(nodes[:end]) || clauseEnd[nodes[end].tok.lower()])) {
		end++
	}
	items := splitArgs(nodes[start:end])
	for k, item := range items {
		items[k] = nameItem(item, k)
	}
	out := append([]node{}, nodes[:start]...)
	out = append(out, joinArgs(items)...)
	return append(out, nodes[end:]...)
}

// niladic are the functions SQL writes without parentheses.
var niladic = map[string]bool{"current_date": true, "current_time": true, "current_timestamp": true, "localtime": true, "localtimestamp": true}

// notAlias are words that can end a select item without being its alias.
var notAlias = map[string]bool{"null": true, "true": false, "false": true, "end": true, "and": true, "or": true, "not": true}

func nameItem(item []node, pos int) []node {
	n := len(item)
	if n == 0 {
		return item
	}
	last := item[n-1]
	// A star, or a (qualified) column: keeps its own name.
	if last.tok.isOp("*") && !last.group {
		return item
	}
	if n == 1 && !last.group && last.tok.isIdentLike() && !notAlias[last.tok.lower()] && !last.tok.is("true") && !niladic[last.tok.lower()] {
		return item
	}
	// INTERVAL '3' DAY ends in a unit, not an alias.
	intervalUnit := n >= 3 && item[n-3].tok.is("interval") && !item[n-3].group
	if n >= 3 && !last.group && last.tok.isIdentLike() && item[n-2].tok.isOp(".") {
		allDotted := true
		for k := 0; k < n; k++ {
			if k%2 == 1 && !item[k].tok.isOp(".") || k%2 == 0 && (item[k].group || !item[k].tok.isIdentLike()) {
				allDotted = false
			}
		}
		if allDotted {
			return item
		}
	}
	// An alias: "expr AS name" or "expr name".
	if n >= 2 && !intervalUnit && !last.group && last.tok.isIdentLike() && !notAlias[last.tok.lower()] && !last.tok.is("true") {
		prev := item[n-2]
		if prev.tok.is("as") && !prev.group || prev.group || prev.tok.kind != tokOp {
			if last.tok.kind == tokIdent {
				item = append(item[:n-1:n-1], identNode(last.tok.lower()))
			}
			return item
		}
	}
	return append(item[:n:n], identNode("AS"), leaf(synth(tokQuoted, quoteIdent("_col"+itoa(pos)))))
}
