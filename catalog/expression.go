package catalog

import (
	"math"
	"strconv"
	"strings"
)

// Partition expressions: the filter of Glue's GetPartitions, SQL WHERE
// syntax over partition-key names:
//
//	expr      = or
//	or        = and { OR and }
//	and       = unary { AND unary }
//	unary     = NOT unary | "(" expr ")" | predicate
//	predicate = operand cmp operand            cmp: = <> != < <= > >=
//	          | key [NOT] BETWEEN lit AND lit
//	          | key [NOT] IN "(" lit { "," lit } ")"
//	          | key [NOT] LIKE string
//	          | key IS [NOT] NULL
//	operand   = key | lit                      (one of each)
//	key       = identifier | `quoted identifier`
//	lit       = 'string' ('' escapes a quote) | number
//
// Keywords and key names are case-insensitive. A comparison is typed by
// the partition key's declared type, as Glue compares: integer types
// (tinyint, smallint, int, integer, bigint, long) numerically, so
// year > 9 holds for '10'; double, float and decimal numerically as
// floats; every other type (string, varchar, char, date, timestamp) as
// text (dates and timestamps in ISO form sort correctly as text). A value
// that is not a number under a numeric key matches no comparison. LIKE
// matches the value's text (% any run, _ one character). Partition values
// are never NULL, so IS NULL is false and IS NOT NULL true.
//
// Errors are ErrInvalidInput: an expression that does not parse, a key
// the table does not have (Glue's "Invalid partition expression!"), or a
// literal that is no number for a numeric key.

// maxExpressionDepth bounds nesting (parentheses, NOT) so that hostile
// input cannot exhaust the stack.
const maxExpressionDepth = 100

// Expression is a parsed partition expression, not yet bound to a
// table's keys. The nil *Expression selects everything.
type Expression struct {
	root node
}

// ParseExpression parses s; "" (or only blanks) gives nil, the expression
// that selects every partition.
func ParseExpression(s string) (*Expression, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	p := &parser{lx: lexer{src: s}}
	p.advance()
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("unexpected %s", p.tok.describe())
	}
	return &Expression{root: root}, nil
}

// Bind resolves the expression's key names against a table's partition
// keys and returns a matcher over partition values (in the keys' order).
// The nil Expression binds to a nil matcher, meaning "all". A matcher
// keeps no reference to the values it is given (GetPartitions passes
// strings that alias its transaction's memory) and is safe for
// concurrent use.
func (e *Expression) Bind(keys []Column) (func(values []string) bool, error) {
	if e == nil {
		return nil, nil
	}
	b := binder{keys: keys}
	pred, err := b.bind(e.root)
	if err != nil {
		return nil, err
	}
	return pred, nil
}

func exprError(format string, args ...any) error {
	return invalidInput("Invalid partition expression: "+format, args...)
}

// ---- lexer ----

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokNumber
	tokOp     // = <> != < <= > >=
	tokLParen // (
	tokRParen // )
	tokComma
	tokKeyword // AND OR NOT BETWEEN IN LIKE IS NULL (upper-cased in text)
	tokError
)

type token struct {
	kind tokKind
	text string // identifier name, string contents, number, operator, KEYWORD
	pos  int
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return "string '" + t.text + "'"
	default:
		return strconv.Quote(t.text)
	}
}

var keywords = map[string]bool{"AND": true, "OR": true, "NOT": true, "BETWEEN": true, "IN": true, "LIKE": true, "IS": true, "NULL": true}

type lexer struct {
	src string
	pos int
}

func (l *lexer) next() token {
	s := l.src
	for l.pos < len(s) && (s[l.pos] == ' ' || s[l.pos] == '\t' || s[l.pos] == '\n' || s[l.pos] == '\r') {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(s) {
		return token{kind: tokEOF, pos: start}
	}
	c := s[l.pos]
	switch {
	case c == '(':
		l.pos++
		return token{kind: tokLParen, text: "(", pos: start}
	case c == ')':
		l.pos++
		return token{kind: tokRParen, text: ")", pos: start}
	case c == ',':
		l.pos++
		return token{kind: tokComma, text: ",", pos: start}
	case c == '=':
		l.pos++
		return token{kind: tokOp, text: "=", pos: start}
	case c == '<' || c == '>' || c == '!':
		l.pos++
		op := string(c)
		if l.pos < len(s) && (s[l.pos] == '=' || c == '<' && s[l.pos] == '>') {
			op += string(s[l.pos])
			l.pos++
		}
		if op == "!" {
			return token{kind: tokError, text: "!", pos: start}
		}
		return token{kind: tokOp, text: op, pos: start}
	case c == '\'':
		var b strings.Builder
		l.pos++
		for {
			if l.pos >= len(s) {
				return token{kind: tokError, text: "unterminated string", pos: start}
			}
			if s[l.pos] == '\'' {
				if l.pos+1 < len(s) && s[l.pos+1] == '\'' {
					b.WriteByte('\'')
					l.pos += 2
					continue
				}
				l.pos++
				return token{kind: tokString, text: b.String(), pos: start}
			}
			b.WriteByte(s[l.pos])
			l.pos++
		}
	case c == '`':
		end := strings.IndexByte(s[l.pos+1:], '`')
		if end < 0 {
			return token{kind: tokError, text: "unterminated quoted name", pos: start}
		}
		l.pos += end + 2
		return token{kind: tokIdent, text: s[start+1 : l.pos-1], pos: start}
	case c == '-' || c == '+' || c == '.' || isDigit(c):
		l.pos++
		for l.pos < len(s) && (isDigit(s[l.pos]) || s[l.pos] == '.' || s[l.pos] == 'e' || s[l.pos] == 'E' ||
			(s[l.pos] == '-' || s[l.pos] == '+') && (s[l.pos-1] == 'e' || s[l.pos-1] == 'E')) {
			l.pos++
		}
		text := s[start:l.pos]
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return token{kind: tokError, text: text, pos: start}
		}
		return token{kind: tokNumber, text: text, pos: start}
	case isIdentStart(c):
		for l.pos < len(s) && isIdentPart(s[l.pos]) {
			l.pos++
		}
		word := s[start:l.pos]
		if up := strings.ToUpper(word); keywords[up] {
			return token{kind: tokKeyword, text: up, pos: start}
		}
		return token{kind: tokIdent, text: word, pos: start}
	}
	l.pos++
	return token{kind: tokError, text: string(c), pos: start}
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '$' }

// ---- parser ----

type parser struct {
	lx  lexer
	tok token
}

func (p *parser) advance() { p.tok = p.lx.next() }

func (p *parser) errorf(format string, args ...any) error {
	return exprError(format+" at position %d", append(args, p.tok.pos+1)...)
}

func (p *parser) isKeyword(kw string) bool { return p.tok.kind == tokKeyword && p.tok.text == kw }

func (p *parser) parseOr(depth int) (node, error) {
	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for p.isKeyword("OR") {
		p.advance()
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		left = &orNode{left, right}
	}
	return left, nil
}

func (p *parser) parseAnd(depth int) (node, error) {
	left, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	for p.isKeyword("AND") {
		p.advance()
		right, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		left = &andNode{left, right}
	}
	return left, nil
}

func (p *parser) parseUnary(depth int) (node, error) {
	if depth >= maxExpressionDepth {
		return nil, p.errorf("nested deeper than %d", maxExpressionDepth)
	}
	switch {
	case p.isKeyword("NOT"):
		p.advance()
		n, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &notNode{n}, nil
	case p.tok.kind == tokLParen:
		p.advance()
		n, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, p.errorf("expected \")\" but found %s", p.tok.describe())
		}
		p.advance()
		return n, nil
	}
	return p.parsePredicate()
}

// operand is a key name or a literal in a comparison.
type operand struct {
	key    bool
	text   string
	number bool // a numeric literal
}

func (p *parser) parseOperand() (operand, error) {
	t := p.tok
	switch t.kind {
	case tokIdent:
		p.advance()
		return operand{key: true, text: t.text}, nil
	case tokString:
		p.advance()
		return operand{text: t.text}, nil
	case tokNumber:
		p.advance()
		return operand{text: t.text, number: true}, nil
	}
	return operand{}, p.errorf("expected a partition key or a value but found %s", t.describe())
}

func (p *parser) parseLiteral() (operand, error) {
	o, err := p.parseOperand()
	if err == nil && o.key {
		return o, exprError("expected a value but found the name %q", o.text)
	}
	return o, err
}

func (p *parser) parsePredicate() (node, error) {
	left, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tokOp {
		op := p.tok.text
		p.advance()
		right, err := p.parseOperand()
		if err != nil {
			return nil, err
		}
		switch {
		case left.key && !right.key:
			return &cmpNode{key: left.text, op: op, lit: right}, nil
		case !left.key && right.key:
			return &cmpNode{key: right.text, op: flipOp(op), lit: left}, nil
		}
		return nil, exprError("a comparison needs one partition key and one value (%s %s %s)", left.text, op, right.text)
	}
	if !left.key {
		return nil, p.errorf("expected a comparison after %q but found %s", left.text, p.tok.describe())
	}
	negate := false
	if p.isKeyword("NOT") {
		negate = true
		p.advance()
	}
	var n node
	switch {
	case p.isKeyword("BETWEEN"):
		p.advance()
		lo, err := p.parseLiteral()
		if err != nil {
			return nil, err
		}
		if !p.isKeyword("AND") {
			return nil, p.errorf("expected AND in BETWEEN but found %s", p.tok.describe())
		}
		p.advance()
		hi, err := p.parseLiteral()
		if err != nil {
			return nil, err
		}
		n = &betweenNode{key: left.text, lo: lo, hi: hi}
	case p.isKeyword("IN"):
		p.advance()
		if p.tok.kind != tokLParen {
			return nil, p.errorf("expected \"(\" after IN but found %s", p.tok.describe())
		}
		p.advance()
		in := &inNode{key: left.text}
		for {
			lit, err := p.parseLiteral()
			if err != nil {
				return nil, err
			}
			in.lits = append(in.lits, lit)
			if p.tok.kind == tokComma {
				p.advance()
				continue
			}
			if p.tok.kind != tokRParen {
				return nil, p.errorf("expected \",\" or \")\" in IN list but found %s", p.tok.describe())
			}
			p.advance()
			break
		}
		n = in
	case p.isKeyword("LIKE"):
		p.advance()
		if p.tok.kind != tokString {
			return nil, p.errorf("expected a string pattern after LIKE but found %s", p.tok.describe())
		}
		n = &likeNode{key: left.text, pattern: p.tok.text}
		p.advance()
	case p.isKeyword("IS") && !negate:
		p.advance()
		isNot := false
		if p.isKeyword("NOT") {
			isNot = true
			p.advance()
		}
		if !p.isKeyword("NULL") {
			return nil, p.errorf("expected NULL after IS but found %s", p.tok.describe())
		}
		p.advance()
		return &nullNode{key: left.text, not: isNot}, nil
	default:
		return nil, p.errorf("expected an operator after %q but found %s", left.text, p.tok.describe())
	}
	if negate {
		n = &notNode{n}
	}
	return n, nil
}

// flipOp turns "lit op key" into "key op' lit".
func flipOp(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// ---- syntax tree ----

type node interface{ isNode() }

type (
	orNode  struct{ l, r node }
	andNode struct{ l, r node }
	notNode struct{ n node }
	cmpNode struct {
		key string
		op  string
		lit operand
	}
	betweenNode struct {
		key    string
		lo, hi operand
	}
	inNode struct {
		key  string
		lits []operand
	}
	likeNode struct{ key, pattern string }
	nullNode struct {
		key string
		not bool
	}
)

func (*orNode) isNode()      {}
func (*andNode) isNode()     {}
func (*notNode) isNode()     {}
func (*cmpNode) isNode()     {}
func (*betweenNode) isNode() {}
func (*inNode) isNode()      {}
func (*likeNode) isNode()    {}
func (*nullNode) isNode()    {}

// ---- binding and evaluation ----

// valueKind is how a key's values compare.
type valueKind int

const (
	kindText valueKind = iota
	kindInt
	kindFloat
)

// kindOf classifies a Hive type string.
func kindOf(hiveType string) valueKind {
	t := strings.ToLower(strings.TrimSpace(hiveType))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "tinyint", "smallint", "int", "integer", "bigint", "long":
		return kindInt
	case "double", "float", "real", "decimal", "numeric":
		return kindFloat
	}
	return kindText
}

// scalar is a value ready to compare under one kind.
type scalar struct {
	ok bool // false: not a number under a numeric kind (matches nothing)
	i  int64
	f  float64
	s  string
}

func toScalar(kind valueKind, s string) scalar {
	switch kind {
	case kindInt:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			// An integer key compared with 2.5, or a value out of range:
			// compare as floats.
			f, ferr := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if ferr != nil || math.IsNaN(f) {
				return scalar{}
			}
			return scalar{ok: true, f: f, i: math.MinInt64}
		}
		return scalar{ok: true, i: n, f: float64(n)}
	case kindFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) {
			return scalar{}
		}
		return scalar{ok: true, f: f}
	}
	return scalar{ok: true, s: s}
}

// compare returns -1, 0, 1; both must be ok.
func compare(kind valueKind, a, b scalar) int {
	switch kind {
	case kindInt:
		// i == MinInt64 marks a float-only value (see toScalar).
		if a.i != math.MinInt64 && b.i != math.MinInt64 {
			return cmp3(a.i < b.i, a.i > b.i)
		}
		return cmp3(a.f < b.f, a.f > b.f)
	case kindFloat:
		return cmp3(a.f < b.f, a.f > b.f)
	}
	return strings.Compare(a.s, b.s)
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

type binder struct {
	keys []Column
}

// key resolves a name to its index and kind.
func (b *binder) key(name string) (int, valueKind, error) {
	for i, k := range b.keys {
		if strings.EqualFold(k.Name, name) {
			return i, kindOf(k.Type), nil
		}
	}
	return 0, 0, invalidInput("Invalid partition expression!")
}

// literal converts a literal for a key of kind, refusing non-numbers for
// numeric keys.
func literal(kind valueKind, o operand) (scalar, error) {
	v := toScalar(kind, o.text)
	if !v.ok {
		return v, exprError("%q is not a number, as the partition key's type requires", o.text)
	}
	return v, nil
}

type predicate = func(values []string) bool

func (b *binder) bind(n node) (predicate, error) {
	switch n := n.(type) {
	case *orNode:
		l, r, err := b.bind2(n.l, n.r)
		if err != nil {
			return nil, err
		}
		return func(v []string) bool { return l(v) || r(v) }, nil
	case *andNode:
		l, r, err := b.bind2(n.l, n.r)
		if err != nil {
			return nil, err
		}
		return func(v []string) bool { return l(v) && r(v) }, nil
	case *notNode:
		inner, err := b.bind(n.n)
		if err != nil {
			return nil, err
		}
		return func(v []string) bool { return !inner(v) }, nil
	case *cmpNode:
		i, kind, err := b.key(n.key)
		if err != nil {
			return nil, err
		}
		lit, err := literal(kind, n.lit)
		if err != nil {
			return nil, err
		}
		test := opTest(n.op)
		if test == nil {
			return nil, exprError("unknown operator %q", n.op)
		}
		return func(v []string) bool {
			x := toScalar(kind, v[i])
			return x.ok && test(compare(kind, x, lit))
		}, nil
	case *betweenNode:
		i, kind, err := b.key(n.key)
		if err != nil {
			return nil, err
		}
		lo, err := literal(kind, n.lo)
		if err != nil {
			return nil, err
		}
		hi, err := literal(kind, n.hi)
		if err != nil {
			return nil, err
		}
		return func(v []string) bool {
			x := toScalar(kind, v[i])
			return x.ok && compare(kind, x, lo) >= 0 && compare(kind, x, hi) <= 0
		}, nil
	case *inNode:
		i, kind, err := b.key(n.key)
		if err != nil {
			return nil, err
		}
		lits := make([]scalar, len(n.lits))
		for j, o := range n.lits {
			if lits[j], err = literal(kind, o); err != nil {
				return nil, err
			}
		}
		return func(v []string) bool {
			x := toScalar(kind, v[i])
			if !x.ok {
				return false
			}
			for _, l := range lits {
				if compare(kind, x, l) == 0 {
					return true
				}
			}
			return false
		}, nil
	case *likeNode:
		i, _, err := b.key(n.key)
		if err != nil {
			return nil, err
		}
		pattern := n.pattern
		return func(v []string) bool { return like(v[i], pattern) }, nil
	case *nullNode:
		if _, _, err := b.key(n.key); err != nil {
			return nil, err
		}
		result := n.not
		return func([]string) bool { return result }, nil
	}
	return nil, exprError("unsupported expression")
}

func (b *binder) bind2(l, r node) (predicate, predicate, error) {
	lp, err := b.bind(l)
	if err != nil {
		return nil, nil, err
	}
	rp, err := b.bind(r)
	if err != nil {
		return nil, nil, err
	}
	return lp, rp, nil
}

func opTest(op string) func(c int) bool {
	switch op {
	case "=":
		return func(c int) bool { return c == 0 }
	case "<>", "!=":
		return func(c int) bool { return c != 0 }
	case "<":
		return func(c int) bool { return c < 0 }
	case "<=":
		return func(c int) bool { return c <= 0 }
	case ">":
		return func(c int) bool { return c > 0 }
	case ">=":
		return func(c int) bool { return c >= 0 }
	}
	return nil
}

// like matches s against a SQL LIKE pattern (% any run of characters, _
// exactly one), by characters, in O(len(s)·len(pattern)) at worst: the
// classic greedy matcher with one backtrack point, which cannot blow up
// on hostile patterns.
func like(s, pattern string) bool {
	str, pat := []rune(s), []rune(pattern)
	si, pi := 0, 0
	starPi, starSi := -1, 0
	for si < len(str) {
		switch {
		case pi < len(pat) && pat[pi] == '%':
			starPi, starSi = pi, si
			pi++
		case pi < len(pat) && (pat[pi] == '_' || pat[pi] == str[si]):
			si++
			pi++
		case starPi >= 0:
			starSi++
			si = starSi
			pi = starPi + 1
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '%' {
		pi++
	}
	return pi == len(pat)
}
