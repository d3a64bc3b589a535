package query

import (
	"strings"

	"github.com/caudal/caudal/catalog"
)

// pruningExpression turns the WHERE clause's conjuncts that compare a
// partition key of t with literals (=, <>, <, <=, >, >=, IN, BETWEEN) into
// a Glue partition expression; every other conjunct is left to the query.
// Dropping conjuncts only widens the partitions read, and each kept one
// is null-rejecting, so pruning by it is sound even below an outer join.
func pruningExpression(where []node, t *catalog.Table, ref *tableRef) string {
	keys := make(map[string]string, len(t.PartitionKeys))
	for _, k := range t.PartitionKeys {
		keys[strings.ToLower(k.Name)] = k.Name
	}
	var terms []string
	for _, c := range conjuncts(where, 0) {
		if s := pruningTerm(c, keys, t.Name, ref.alias); s != "" {
			terms = append(terms, s)
		}
	}
	return strings.Join(terms, " AND ")
}

// conjuncts splits at top-level ANDs (not BETWEEN's), descending into a
// conjunct that is wholly parenthesised.
func conjuncts(in []node, depth int) [][]node {
	if depth > 20 {
		return nil
	}
	for _, n := range in {
		if !n.group && n.tok.is("or") {
			if len(in) == 1 {
				break
			}
			return nil // an OR at this level: nothing here is a conjunct of the whole
		}
	}
	var out [][]node
	start, between := 0, false
	for i, n := range in {
		switch {
		case n.group:
		case n.tok.is("between"):
			between = true
		case n.tok.is("and") && between:
			between = false
		case n.tok.is("and"):
			out = append(out, in[start:i])
			start = i + 1
		}
	}
	out = append(out, in[start:])
	var flat [][]node
	for _, c := range out {
		if len(c) == 1 && c[0].isGroup("(") {
			flat = append(flat, conjuncts(c[0].kids, depth+1)...)
		} else {
			flat = append(flat, c)
		}
	}
	return flat
}

// keyAt reads a (possibly qualified) partition key reference at the start
// of c; n is how many nodes it took.
func keyAt(c []node, keys map[string]string, table, alias string) (key string, n int) {
	if len(c) == 0 || c[0].group || !c[0].tok.isIdentLike() {
		return "", 0
	}
	if len(c) >= 3 && !c[1].group && c[1].tok.isOp(".") && !c[2].group && c[2].tok.isIdentLike() {
		q := c[0].tok.name()
		if !strings.EqualFold(q, alias) && !(alias == "" && strings.EqualFold(q, table)) {
			return "", 0
		}
		k, ok := keys[strings.ToLower(c[2].tok.name())]
		if !ok {
			return "", 0
		}
		return k, 3
	}
	if len(c) >= 2 && !c[1].group && c[1].tok.isOp(".") {
		return "", 0
	}
	k, ok := keys[strings.ToLower(c[0].tok.name())]
	if !ok {
		return "", 0
	}
	return k, 1
}

// literalAt reads a literal at the start of c: 'text', 12, -3, DATE '…'.
func literalAt(c []node) (lit string, n int) {
	if len(c) == 0 || c[0].group {
		return "", 0
	}
	t := c[0].tok
	switch {
	case t.kind == tokString:
		return t.text, 1
	case t.kind == tokNumber:
		return t.text, 1
	case t.isOp("-") && len(c) > 1 && !c[1].group && c[1].tok.kind == tokNumber:
		return "-" + c[1].tok.text, 2
	case (t.is("date") || t.is("timestamp")) && len(c) > 1 && !c[1].group && c[1].tok.kind == tokString:
		return c[1].tok.text, 2
	}
	return "", 0
}

var flipped = map[string]string{"=": "=", "<>": "<>", "!=": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

func pruningTerm(c []node, keys map[string]string, table, alias string) string {
	if k, n := keyAt(c, keys, table, alias); n > 0 {
		rest := c[n:]
		if len(rest) >= 2 && !rest[0].group && rest[0].tok.kind == tokOp {
			if _, ok := flipped[rest[0].tok.text]; !ok {
				return ""
			}
			op := rest[0].tok.text
			if op == "!=" {
				op = "<>"
			}
			if lit, m := literalAt(rest[1:]); m > 0 && m == len(rest)-1 {
				return quoteIdentGlue(k) + " " + op + " " + lit
			}
			return ""
		}
		if len(rest) == 2 && rest[0].tok.is("in") && rest[1].isGroup("(") {
			var lits []string
			for _, a := range splitArgs(rest[1].kids) {
				lit, m := literalAt(a)
				if m == 0 || m != len(a) {
					return ""
				}
				lits = append(lits, lit)
			}
			return quoteIdentGlue(k) + " IN (" + strings.Join(lits, ", ") + ")"
		}
		if len(rest) >= 4 && rest[0].tok.is("between") {
			lo, m := literalAt(rest[1:])
			if m == 0 || len(rest) < 2+m || !rest[1+m].tok.is("and") {
				return ""
			}
			hi, m2 := literalAt(rest[2+m:])
			if m2 == 0 || 2+m+m2 != len(rest) {
				return ""
			}
			return quoteIdentGlue(k) + " BETWEEN " + lo + " AND " + hi
		}
		return ""
	}
	// literal op key
	if lit, n := literalAt(c); n > 0 && len(c) > n+1 && !c[n].group && c[n].tok.kind == tokOp {
		op, ok := flipped[c[n].tok.text]
		if !ok {
			return ""
		}
		if k, m := keyAt(c[n+1:], keys, table, alias); m > 0 && n+1+m == len(c) {
			return quoteIdentGlue(k) + " " + op + " " + lit
		}
	}
	return ""
}

// quoteIdentGlue writes a key name for a Glue expression (backquoted when
// it is not a plain identifier).
func quoteIdentGlue(k string) string {
	for i := 0; i < len(k); i++ {
		if !isIdentPart(k[i]) || k[i] >= 0x80 {
			return "`" + strings.ReplaceAll(k, "`", "``") + "`"
		}
	}
	return k
}
