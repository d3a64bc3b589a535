package columnar

import (
	"fmt"
	"strconv"
	"strings"
)

// kind is the shape of a Hive type.
type kind uint8

const (
	kString kind = iota // string, varchar(n), char(n)
	kBoolean
	kTinyint
	kSmallint
	kInt
	kBigint
	kFloat
	kDouble
	kDecimal
	kDate
	kTimestamp
	kBinary
	kArray
	kMap
	kStruct
)

// hiveType is a parsed Hive type. For kString, length > 0 marks
// varchar(length) or, with char set, char(length).
type hiveType struct {
	kind      kind
	length    int  // varchar/char length
	char      bool // char(n): padded type, stored without trailing blanks
	precision int  // decimal
	scale     int  // decimal
	elem      *hiveType
	key       *hiveType
	fields    []field
}

type field struct {
	name string
	typ  *hiveType
}

func (t *hiveType) String() string {
	switch t.kind {
	case kString:
		switch {
		case t.char:
			return fmt.Sprintf("char(%d)", t.length)
		case t.length > 0:
			return fmt.Sprintf("varchar(%d)", t.length)
		}
		return "string"
	case kBoolean:
		return "boolean"
	case kTinyint:
		return "tinyint"
	case kSmallint:
		return "smallint"
	case kInt:
		return "int"
	case kBigint:
		return "bigint"
	case kFloat:
		return "float"
	case kDouble:
		return "double"
	case kDecimal:
		return fmt.Sprintf("decimal(%d,%d)", t.precision, t.scale)
	case kDate:
		return "date"
	case kTimestamp:
		return "timestamp"
	case kBinary:
		return "binary"
	case kArray:
		return "array<" + t.elem.String() + ">"
	case kMap:
		return "map<" + t.key.String() + "," + t.elem.String() + ">"
	}
	var b strings.Builder
	b.WriteString("struct<")
	for i, f := range t.fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.name + ":" + f.typ.String())
	}
	b.WriteByte('>')
	return b.String()
}

// maxTypeDepth bounds nesting so that a hostile type string cannot exhaust
// the stack; Glue itself accepts type strings of up to 131072 characters.
const maxTypeDepth = 100

// parseHiveType parses a Hive type string as Glue stores it.
func parseHiveType(s string) (*hiveType, error) {
	p := typeParser{s: s}
	t, err := p.parse(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q at offset %d in type %q", p.s[p.i:], p.i, s)
	}
	return t, nil
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *typeParser) word() string {
	p.space()
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func (p *typeParser) expect(c byte) error {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return fmt.Errorf("expected %q at offset %d in type %q", c, p.i, p.s)
	}
	p.i++
	return nil
}

func (p *typeParser) peek(c byte) bool {
	p.space()
	return p.i < len(p.s) && p.s[p.i] == c
}

func (p *typeParser) number() (int, error) {
	w := p.word()
	n, err := strconv.Atoi(w)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("expected a number at offset %d in type %q", p.i, p.s)
	}
	return n, nil
}

func (p *typeParser) parse(depth int) (*hiveType, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("type %q nests deeper than %d levels", p.s, maxTypeDepth)
	}
	w := strings.ToLower(p.word())
	switch w {
	case "string":
		return &hiveType{kind: kString}, nil
	case "varchar", "char":
		if err := p.expect('('); err != nil {
			return nil, err
		}
		n, err := p.number()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		if w == "varchar" && (n < 1 || n > 65535) || w == "char" && (n < 1 || n > 255) {
			return nil, fmt.Errorf("%s length %d out of range in type %q", w, n, p.s)
		}
		return &hiveType{kind: kString, length: n, char: w == "char"}, nil
	case "boolean":
		return &hiveType{kind: kBoolean}, nil
	case "tinyint":
		return &hiveType{kind: kTinyint}, nil
	case "smallint":
		return &hiveType{kind: kSmallint}, nil
	case "int", "integer":
		return &hiveType{kind: kInt}, nil
	case "bigint":
		return &hiveType{kind: kBigint}, nil
	case "float":
		return &hiveType{kind: kFloat}, nil
	case "double":
		return &hiveType{kind: kDouble}, nil
	case "decimal", "numeric":
		t := &hiveType{kind: kDecimal, precision: 10, scale: 0}
		if p.peek('(') {
			p.i++
			n, err := p.number()
			if err != nil {
				return nil, err
			}
			t.precision = n
			if p.peek(',') {
				p.i++
				if t.scale, err = p.number(); err != nil {
					return nil, err
				}
			}
			if err := p.expect(')'); err != nil {
				return nil, err
			}
		}
		if t.precision < 1 || t.precision > 38 || t.scale > t.precision {
			return nil, fmt.Errorf("decimal(%d,%d) out of range in type %q", t.precision, t.scale, p.s)
		}
		return t, nil
	case "date":
		return &hiveType{kind: kDate}, nil
	case "timestamp":
		return &hiveType{kind: kTimestamp}, nil
	case "binary":
		return &hiveType{kind: kBinary}, nil
	case "array":
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		e, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect('>'); err != nil {
			return nil, err
		}
		return &hiveType{kind: kArray, elem: e}, nil
	case "map":
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		k, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		if k.kind >= kArray {
			return nil, fmt.Errorf("map key must be a primitive type in %q", p.s)
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		v, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect('>'); err != nil {
			return nil, err
		}
		return &hiveType{kind: kMap, key: k, elem: v}, nil
	case "struct":
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		t := &hiveType{kind: kStruct}
		seen := map[string]bool{}
		for {
			p.space()
			var name string
			if p.peek('`') {
				p.i++
				end := strings.IndexByte(p.s[p.i:], '`')
				if end < 0 {
					return nil, fmt.Errorf("unterminated quoted field name in type %q", p.s)
				}
				name = p.s[p.i : p.i+end]
				p.i += end + 1
			} else {
				name = p.word()
			}
			name = strings.ToLower(name)
			if name == "" {
				return nil, fmt.Errorf("expected a field name at offset %d in type %q", p.i, p.s)
			}
			if seen[name] {
				return nil, fmt.Errorf("duplicate field %q in type %q", name, p.s)
			}
			seen[name] = true
			if err := p.expect(':'); err != nil {
				return nil, err
			}
			ft, err := p.parse(depth + 1)
			if err != nil {
				return nil, err
			}
			t.fields = append(t.fields, field{name: name, typ: ft})
			if p.peek(',') {
				p.i++
				continue
			}
			if err := p.expect('>'); err != nil {
				return nil, err
			}
			return t, nil
		}
	case "":
		return nil, fmt.Errorf("expected a type at offset %d in %q", p.i, p.s)
	}
	return nil, fmt.Errorf("unsupported type %q in %q", w, p.s)
}
