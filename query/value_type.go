package query

import (
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// DuckDB's driver hands a STRUCT value over as a Go map, which has no field
// order; Athena prints a row's fields in their declared order. The order
// is in the column's type name (STRUCT(b INTEGER, a VARCHAR)), so complex
// columns are formatted by walking the parsed type beside the value.

// complexType is a parsed DuckDB type name: a struct with fields, a list
// with an element type, a map with key and value types, or any other type
// (kind scalar), whose values formatValue renders.
type complexType struct {
	kind   byte // 's' struct, 'l' list, 'm' map, 0 scalar
	fields []structField
	elem   *complexType // list element; map key
	value  *complexType // map value
}

type structField struct {
	name string
	typ  *complexType
}

// parseComplexType parses a DuckDB type name. It never fails: what it does
// not understand is a scalar, which formats as before.
func parseComplexType(s string) *complexType {
	p := duckTypeParser{s: s}
	t := p.parse()
	if p.pos != len(p.s) {
		return &complexType{}
	}
	return t
}

type duckTypeParser struct {
	s   string
	pos int
}

func (p *duckTypeParser) skipSpace() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *duckTypeParser) hasPrefixFold(w string) bool {
	return len(p.s)-p.pos >= len(w) && strings.EqualFold(p.s[p.pos:p.pos+len(w)], w)
}

func (p *duckTypeParser) parse() *complexType {
	p.skipSpace()
	var t *complexType
	switch {
	case p.hasPrefixFold("STRUCT("):
		p.pos += len("STRUCT(")
		t = &complexType{kind: 's'}
		for {
			p.skipSpace()
			name, ok := p.name()
			if !ok {
				return &complexType{}
			}
			t.fields = append(t.fields, structField{name: name, typ: p.parse()})
			p.skipSpace()
			if p.pos < len(p.s) && p.s[p.pos] == ',' {
				p.pos++
				continue
			}
			break
		}
		if p.pos >= len(p.s) || p.s[p.pos] != ')' {
			return &complexType{}
		}
		p.pos++
	case p.hasPrefixFold("MAP("):
		p.pos += len("MAP(")
		t = &complexType{kind: 'm', elem: p.parse()}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ',' {
			return &complexType{}
		}
		p.pos++
		t.value = p.parse()
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ')' {
			return &complexType{}
		}
		p.pos++
	default:
		// A scalar: up to a top-level ',', ')' or '['; parentheses of
		// DECIMAL(p,s) and the like are skipped whole.
		depth := 0
		for p.pos < len(p.s) {
			c := p.s[p.pos]
			if depth == 0 && (c == ',' || c == ')' || c == '[') {
				break
			}
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			}
			p.pos++
		}
		t = &complexType{}
	}
	// List suffixes: T[] or T[n].
	for p.pos < len(p.s) && p.s[p.pos] == '[' {
		end := strings.IndexByte(p.s[p.pos:], ']')
		if end < 0 {
			return &complexType{}
		}
		p.pos += end + 1
		t = &complexType{kind: 'l', elem: t}
	}
	return t
}

// name reads a struct field name: bare, or double-quoted with "" escapes.
func (p *duckTypeParser) name() (string, bool) {
	if p.pos < len(p.s) && p.s[p.pos] == '"' {
		var b strings.Builder
		for i := p.pos + 1; i < len(p.s); i++ {
			if p.s[i] == '"' {
				if i+1 < len(p.s) && p.s[i+1] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				p.pos = i + 1
				return b.String(), true
			}
			b.WriteByte(p.s[i])
		}
		return "", false
	}
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != ' ' && p.s[p.pos] != ',' && p.s[p.pos] != ')' {
		p.pos++
	}
	return p.s[start:p.pos], p.pos > start
}

// formatTyped renders v as Athena prints a value of type t.
func formatTyped(v any, t *complexType) string {
	if v == nil {
		return "null"
	}
	switch t.kind {
	case 's':
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		parts := make([]string, len(t.fields))
		for i, f := range t.fields {
			parts[i] = f.name + "=" + formatTyped(m[f.name], f.typ)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case 'l':
		xs, ok := v.([]any)
		if !ok {
			break
		}
		parts := make([]string, len(xs))
		for i, x := range xs {
			parts[i] = formatTyped(x, t.elem)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case 'm':
		var m *duckdb.OrderedMap
		switch x := v.(type) {
		case duckdb.OrderedMap:
			m = &x
		case *duckdb.OrderedMap:
			m = x
		default:
			return formatValue(v)
		}
		keys, vals := m.Keys(), m.Values()
		parts := make([]string, len(keys))
		for i := range keys {
			parts[i] = formatTyped(keys[i], t.elem) + "=" + formatTyped(vals[i], t.value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return formatValue(v)
}
