package policy

import (
	"strings"
	"unicode/utf8"
)

// A pattern is a compiled Action, Resource or condition value: literal text,
// the wildcards * (any run of characters, possibly empty) and ? (exactly one
// character), and policy variables resolved against the request context at
// match time.
//
// The pattern is stored split at its stars: segs[0] * segs[1] * … * segs[n].
// A segment has no star, so from a given start position it matches at most
// one way; that is what makes the matcher below polynomial
// (O(len(pattern)·len(text))) where a backtracking matcher is exponential on
// patterns such as "*a*a*a*a*b".
//
// Invariants: len(segs) >= 1; consecutive stars were merged at compile time.
type pattern struct {
	segs []segment
	// exact is set when the pattern is one literal with no wildcard and no
	// variable: matching is then a plain comparison.
	exact bool
}

type segment []atom

type atomKind uint8

const (
	atomLiteral atomKind = iota // text, compared byte by byte (ASCII case folded when asked)
	atomOne                     // ?: one UTF-8 character (an invalid byte counts as one)
	atomVar                     // ${key}: the single value of key in the request context
)

type atom struct {
	kind atomKind
	text string // literal text; for atomVar the lower-cased context key
	def  string // atomVar: the default value, used when the key is absent
	// hasDef says the variable had a default (${key, 'default'}).
	hasDef bool
}

// compileOptions says which syntax a pattern string may use.
type compileOptions struct {
	wildcards bool // * and ? are wildcards (false: they are literal characters)
	variables bool // ${…} is a policy variable (Version 2012-10-17 only)
}

// compilePattern compiles s. It never fails: text that is not a well-formed
// variable is literal, as it is for AWS when the policy Version predates
// variables.
func compilePattern(s string, opt compileOptions) pattern {
	var segs []segment
	var cur segment
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			cur = append(cur, atom{kind: atomLiteral, text: lit.String()})
			lit.Reset()
		}
	}
	exact := true
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case opt.wildcards && c == '*':
			exact = false
			flush()
			segs = append(segs, cur)
			cur = nil
			for i < len(s) && s[i] == '*' {
				i++
			}
			continue
		case opt.wildcards && c == '?':
			exact = false
			flush()
			cur = append(cur, atom{kind: atomOne})
			i++
			continue
		case opt.variables && c == '$' && strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				break
			}
			body := s[i+2 : i+end]
			switch body {
			case "*", "?", "$":
				// Escapes: ${*} is a literal star, and so on (AWS "Special characters").
				lit.WriteString(body)
				i += end + 1
				continue
			}
			if a, ok := parseVariable(body); ok {
				exact = false
				flush()
				cur = append(cur, a)
				i += end + 1
				continue
			}
		}
		lit.WriteByte(c)
		i++
	}
	flush()
	segs = append(segs, cur)
	return pattern{segs: segs, exact: exact}
}

// parseVariable parses the inside of ${…}: a context key, optionally followed
// by a default value in single quotes: ${aws:username, 'nobody'}.
func parseVariable(body string) (atom, bool) {
	key, def, hasDef := body, "", false
	if comma := strings.IndexByte(body, ','); comma >= 0 {
		key = body[:comma]
		rest := strings.TrimSpace(body[comma+1:])
		if len(rest) < 2 || rest[0] != '\'' || rest[len(rest)-1] != '\'' {
			return atom{}, false
		}
		def, hasDef = rest[1:len(rest)-1], true
	}
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, "${} '") {
		return atom{}, false
	}
	return atom{kind: atomVar, text: strings.ToLower(key), def: def, hasDef: hasDef}, true
}

// literal returns the pattern's text when it is exact.
func (p *pattern) literal() string {
	if len(p.segs[0]) == 0 {
		return ""
	}
	return p.segs[0][0].text
}

// match reports whether text matches the whole pattern. fold folds ASCII case
// (actions are case-insensitive). ctx resolves variables; an unresolvable
// variable (absent with no default, or multi-valued) makes the match fail, as
// AWS documents for policy variables with no value.
func (p *pattern) match(text string, fold bool, ctx map[string][]string) bool {
	if p.exact {
		if fold {
			return equalFoldASCII(p.literal(), text)
		}
		return p.literal() == text
	}
	last := len(p.segs) - 1
	end, ok := p.segs[0].matchAt(text, 0, fold, ctx)
	if !ok {
		return false
	}
	if last == 0 {
		return end == len(text)
	}
	pos := end
	// Middle segments: the leftmost match is always safe to take, because
	// a later star can absorb anything the leftmost choice leaves behind.
	for _, seg := range p.segs[1:last] {
		found := false
		for start := pos; start <= len(text); start++ {
			if e, ok := seg.matchAt(text, start, fold, ctx); ok {
				pos, found = e, true
				break
			}
		}
		if !found {
			return false
		}
	}
	// The last segment must end exactly at the end of text.
	tail := p.segs[last]
	if len(tail) == 0 {
		return true
	}
	for start := pos; start <= len(text); start++ {
		if e, ok := tail.matchAt(text, start, fold, ctx); ok && e == len(text) {
			return true
		}
	}
	return false
}

// matchAt matches the segment against text starting at i and returns where
// the match ends.
func (s segment) matchAt(text string, i int, fold bool, ctx map[string][]string) (int, bool) {
	for _, a := range s {
		switch a.kind {
		case atomLiteral:
			if !hasPrefixAt(text, i, a.text, fold) {
				return 0, false
			}
			i += len(a.text)
		case atomOne:
			if i >= len(text) {
				return 0, false
			}
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
		case atomVar:
			v, ok := a.resolve(ctx)
			if !ok || !hasPrefixAt(text, i, v, fold) {
				return 0, false
			}
			i += len(v)
		}
	}
	return i, true
}

// resolve returns the variable's value in ctx.
func (a *atom) resolve(ctx map[string][]string) (string, bool) {
	vals, present := lookup(ctx, a.text)
	switch {
	case !present:
		return a.def, a.hasDef
	case len(vals) == 1:
		return vals[0], true
	default:
		// AWS: multivalued keys cannot be used as policy variables.
		return "", false
	}
}

func hasPrefixAt(text string, i int, prefix string, fold bool) bool {
	if len(text)-i < len(prefix) {
		return false
	}
	if fold {
		return equalFoldASCII(text[i:i+len(prefix)], prefix)
	}
	return text[i:i+len(prefix)] == prefix
}

// equalFoldASCII compares a and b folding only ASCII letters, so that byte
// lengths never change (strings.EqualFold folds Unicode, where "K" and the
// Kelvin sign differ in length).
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// lookup finds key (lower case) in ctx. Condition keys are case-insensitive;
// callers that store their keys in lower case get a single map lookup, others
// a scan of the (small) context. A key with no values counts as absent.
func lookup(ctx map[string][]string, key string) ([]string, bool) {
	if vals, ok := ctx[key]; ok {
		return vals, len(vals) > 0
	}
	for k, vals := range ctx {
		if len(k) == len(key) && equalFoldASCII(k, key) {
			return vals, len(vals) > 0
		}
	}
	return nil, false
}
