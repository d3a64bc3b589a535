package query

import (
	"strings"
)

// duckType converts a Hive column type (as the catalog stores it: string,
// int, bigint, decimal(10,2), array<string>, map<string,int>,
// struct<a:int,b:string>, …) to DuckDB's spelling.
func duckType(hive string) (string, error) {
	toks, err := tokenize(hive)
	if err != nil {
		return "", err
	}
	var sig []token
	for _, t := range toks {
		if t.kind != tokSpace && t.kind != tokComment {
			sig = append(sig, t)
		}
	}
	p := &typeParser{toks: sig}
	out, err := p.parse(0)
	if err != nil {
		return "", err
	}
	if p.peek().kind != tokEOF {
		return "", unexpected(p.peek())
	}
	return out, nil
}

type typeParser struct {
	toks []token
	i    int
}

func (p *typeParser) peek() token { return p.toks[p.i] }
func (p *typeParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *typeParser) expect(op string) error {
	if t := p.next(); !t.isOp(op) {
		return unexpected(t)
	}
	return nil
}

var hiveScalars = map[string]string{
	"string": "VARCHAR", "varchar": "VARCHAR", "char": "VARCHAR",
	"tinyint": "TINYINT", "smallint": "SMALLINT", "int": "INTEGER", "integer": "INTEGER",
	"bigint": "BIGINT", "float": "FLOAT", "real": "FLOAT", "double": "DOUBLE",
	"boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "date": "DATE", "binary": "BLOB",
	"decimal": "DECIMAL",
}

func (p *typeParser) parse(depth int) (string, error) {
	t := p.next()
	if depth > 50 {
		return "", syntaxErrorAt(t, "type is too deeply nested")
	}
	if !t.isIdentLike() {
		return "", unexpected(t)
	}
	switch w := t.lower(); w {
	case "array":
		if err := p.expect("<"); err != nil {
			return "", err
		}
		el, err := p.parse(depth + 1)
		if err != nil {
			return "", err
		}
		return el + "[]", p.expect(">")
	case "map":
		if err := p.expect("<"); err != nil {
			return "", err
		}
		k, err := p.parse(depth + 1)
		if err != nil {
			return "", err
		}
		if err := p.expect(","); err != nil {
			return "", err
		}
		v, err := p.parse(depth + 1)
		if err != nil {
			return "", err
		}
		return "MAP(" + k + ", " + v + ")", p.expect(">")
	case "struct":
		if err := p.expect("<"); err != nil {
			return "", err
		}
		var fields []string
		for {
			name := p.next()
			if !name.isIdentLike() {
				return "", unexpected(name)
			}
			if err := p.expect(":"); err != nil {
				return "", err
			}
			ft, err := p.parse(depth + 1)
			if err != nil {
				return "", err
			}
			fields = append(fields, quoteIdent(name.name())+" "+ft)
			if p.peek().isOp(",") {
				p.next()
				continue
			}
			break
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")", p.expect(">")
	default:
		d, ok := hiveScalars[w]
		if !ok {
			return "", &Error{Kind: ErrNotSupported, Code: "NOT_SUPPORTED", Line: t.line, Col: t.col, Message: "Unknown type: " + t.text}
		}
		if p.peek().isOp("(") {
			p.next()
			var args []string
			for {
				n := p.next()
				if n.kind != tokNumber {
					return "", unexpected(n)
				}
				args = append(args, n.text)
				if p.peek().isOp(",") {
					p.next()
					continue
				}
				break
			}
			if err := p.expect(")"); err != nil {
				return "", err
			}
			if d == "DECIMAL" {
				return "DECIMAL(" + strings.Join(args, ",") + ")", nil
			}
		} else if d == "DECIMAL" {
			return "DECIMAL(10,0)", nil // Hive's default
		}
		return d, nil
	}
}

// isComplex reports whether a DuckDB type is a nested one.
func isComplex(duck string) bool {
	return strings.HasSuffix(duck, "]") || strings.HasPrefix(duck, "MAP(") || strings.HasPrefix(duck, "STRUCT(")
}
