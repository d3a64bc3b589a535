package query

import (
	"fmt"
	"strings"
)

// tokenKind classifies a token of Athena SQL.
type tokenKind uint8

const (
	tokEOF      tokenKind = iota
	tokSpace              // whitespace, kept so output keeps the user's layout
	tokComment            // -- … or /* … */
	tokIdent              // unquoted identifier or keyword
	tokQuoted             // "quoted identifier" (text keeps the quotes)
	tokBacktick           // `hive identifier` (DDL only; text keeps the backticks)
	tokString             // 'string literal' (text keeps the quotes and '' escapes)
	tokNumber             // 12, 1.5, .5, 1e10
	tokOp                 // operators and punctuation: ( ) , . ; + - * / % || = <> != < <= > >= [ ] -> : ? =>
)

// token is one lexeme with its position in the source (1-based line and
// column, as Athena reports them).
type token struct {
	kind tokenKind
	text string
	off  int // byte offset in the source
	line int
	col  int
}

// is reports whether t is the unquoted identifier or keyword kw (ASCII
// case-insensitive).
func (t token) is(kw string) bool { return t.kind == tokIdent && strings.EqualFold(t.text, kw) }

// isOp reports whether t is the operator op.
func (t token) isOp(op string) bool { return t.kind == tokOp && t.text == op }

// lower is the identifier's text lower-cased (the unquoted name Trino uses).
func (t token) lower() string { return strings.ToLower(t.text) }

// name is the identifier's name: unquoted ones lower-cased (Trino folds
// them), quoted ones without the quotes and with doubled quotes undone.
func (t token) name() string {
	switch t.kind {
	case tokQuoted:
		return strings.ReplaceAll(t.text[1:len(t.text)-1], `""`, `"`)
	case tokBacktick:
		return strings.ReplaceAll(t.text[1:len(t.text)-1], "``", "`")
	}
	return strings.ToLower(t.text)
}

// stringValue is a string literal's value, quotes removed and ”
// unescaped.
func (t token) stringValue() string {
	return strings.ReplaceAll(t.text[1:len(t.text)-1], "''", "'")
}

func (t token) isIdentLike() bool {
	return t.kind == tokIdent || t.kind == tokQuoted || t.kind == tokBacktick
}

// quoteString renders s as a SQL string literal.
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteIdent renders s as a double-quoted identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// tokenize splits src into tokens, whitespace and comments included, so
// that joining every token's text gives src back. It fails only on an
// unterminated string, quoted identifier or block comment and on bytes
// that start no token, with Athena's "line L:C: …" position.
func tokenize(src string) ([]token, error) {
	toks := make([]token, 0, len(src)/3+1)
	line, col := 1, 1
	i := 0
	for i < len(src) {
		start := i
		c := src[i]
		kind := tokOp
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			kind = tokSpace
			for i < len(src) && strings.IndexByte(" \t\n\r\f\v", src[i]) >= 0 {
				i++
			}
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			kind = tokComment
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			kind = tokComment
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, syntaxErrorf(line, col, "unterminated comment")
			}
			i += 2 + end + 2
		case c == '\'':
			kind = tokString
			n, ok := scanQuoted(src[i:], '\'')
			if !ok {
				return nil, syntaxErrorf(line, col, "mismatched input '''. Unterminated string literal")
			}
			i += n
		case c == '"':
			kind = tokQuoted
			n, ok := scanQuoted(src[i:], '"')
			if !ok {
				return nil, syntaxErrorf(line, col, "mismatched input '\"'. Unterminated quoted identifier")
			}
			if n == 2 {
				return nil, syntaxErrorf(line, col, "Zero-length delimited identifier not allowed")
			}
			i += n
		case c == '`':
			kind = tokBacktick
			n, ok := scanQuoted(src[i:], '`')
			if !ok || n == 2 {
				return nil, syntaxErrorf(line, col, "mismatched input '`'")
			}
			i += n
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			kind = tokNumber
			i = scanNumber(src, i)
		case isIdentStart(c):
			kind = tokIdent
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
		default:
			if n := opLength(src[i:]); n > 0 {
				i += n
			} else {
				return nil, syntaxErrorf(line, col, "token recognition error at: '%s'", printable(src[i:], 1))
			}
		}
		text := src[start:i]
		toks = append(toks, token{kind: kind, text: text, off: start, line: line, col: col})
		for j := 0; j < len(text); j++ {
			if text[j] == '\n' {
				line++
				col = 1
			} else if text[j]&0xC0 != 0x80 { // count runes, not UTF-8 continuation bytes
				col++
			}
		}
	}
	toks = append(toks, token{kind: tokEOF, off: len(src), line: line, col: col})
	return toks, nil
}

// printable returns the first n runes of s for an error message.
func printable(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// scanQuoted returns the length of the quoted token at the start of s
// (quote q doubled inside stands for itself).
func scanQuoted(s string, q byte) (int, bool) {
	for i := 1; i < len(s); i++ {
		if s[i] == q {
			if i+1 < len(s) && s[i+1] == q {
				i++
				continue
			}
			return i + 1, true
		}
	}
	return 0, false
}

func scanNumber(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

var multiOps = []string{"||", "<>", "!=", "<=", ">=", "->", "=>", "::", ":="}

func opLength(s string) int {
	for _, op := range multiOps {
		if strings.HasPrefix(s, op) {
			return 2
		}
	}
	if strings.IndexByte("(),.;+-*/%=<>[]:?{}|^&~!", s[0]) >= 0 {
		return 1
	}
	return 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c >= 0x80
}
func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' || c == '@' }

// describe renders a token for an error message as Trino does.
func (t token) describe() string {
	if t.kind == tokEOF {
		return "<EOF>"
	}
	return fmt.Sprintf("'%s'", t.text)
}
