package policy

import (
	"net/netip"
	"strings"
	"unicode/utf8"
	"unique"
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
	// any is set for a pattern of stars only: it matches every text.
	any bool
	// lit is the text of an exact pattern.
	lit string
}

// A segment is a run of atoms between stars. fixed is its length in bytes
// when it has only literal atoms (-1 otherwise); lead is the text of its
// first atom when that is a literal: the matcher jumps between occurrences
// of lead with strings.Index instead of trying every position.
type segment struct {
	atoms []atom
	fixed int
	lead  string
}

func newSegment(atoms []atom) segment {
	s := segment{atoms: atoms}
	for _, a := range atoms {
		if a.kind != atomLiteral {
			s.fixed = -1
			break
		}
		s.fixed += len(a.text)
	}
	if len(atoms) > 0 && atoms[0].kind == atomLiteral {
		s.lead = atoms[0].text
	}
	return s
}

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
	var cur []atom
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
			segs = append(segs, newSegment(cur))
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
	segs = append(segs, newSegment(cur))
	any := len(segs) == 2 && len(segs[0].atoms) == 0 && len(segs[1].atoms) == 0
	p := pattern{segs: segs, exact: exact, any: any}
	if exact && len(segs[0].atoms) > 0 {
		p.lit = segs[0].atoms[0].text
	}
	return p
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
	return atom{kind: atomVar, text: intern(strings.ToLower(key)), def: def, hasDef: hasDef}, true
}

// literal returns the pattern's text when it is exact.
func (p *pattern) literal() string { return p.lit }

// match reports whether text matches the whole pattern. fold folds ASCII case
// (actions are case-insensitive). ctx resolves variables; an unresolvable
// variable (absent with no default, or multi-valued) makes the match fail, as
// AWS documents for policy variables with no value.
func (p *pattern) match(text string, fold bool, ctx *env) bool {
	if p.any {
		return true
	}
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
	for i := 1; i < last; i++ {
		seg := &p.segs[i]
		found := false
		for start := pos; start <= len(text); start++ {
			if seg.lead != "" && !fold {
				j := strings.Index(text[start:], seg.lead)
				if j < 0 {
					return false
				}
				start += j
			}
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
	tail := &p.segs[last]
	if len(tail.atoms) == 0 {
		return true
	}
	if tail.fixed >= 0 {
		start := len(text) - tail.fixed
		if start < pos {
			return false
		}
		_, ok := tail.matchAt(text, start, fold, ctx)
		return ok
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
func (s *segment) matchAt(text string, i int, fold bool, ctx *env) (int, bool) {
	for j := range s.atoms {
		a := &s.atoms[j]
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
func (a *atom) resolve(ctx *env) (string, bool) {
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
	if a == b {
		return true // the usual case: the request spells the action as the policy does
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

// env is a request context prepared for lookups. Condition keys are
// case-insensitive; policies hold them in lower case, so when every context
// key is lower case too (the convention callers should follow) a lookup is
// one map access, and only otherwise does it scan the context.
type env struct {
	vars map[string][]string
	// mixed says some key of vars is not lower case; it is worked out on
	// the first lookup that misses (checked says it has been).
	mixed, checked bool

	// The last request address parsed, so that the IP conditions of many
	// statements parse aws:SourceIp once.
	ipParsed bool
	ipText   string
	ip       netip.Addr
	ipOK     bool

	// A few recent lookups. Parse interns condition and variable keys, so
	// the same key in different policies shares its bytes and the string
	// comparison below stops at the pointer check.
	recent     [4]recentLookup
	recentNext int
}

type recentLookup struct {
	key     string
	vals    []string
	present bool
}

func newEnv(vars map[string][]string) env { return env{vars: vars} }

// addr parses s as an IP address (IPv4-mapped IPv6 unmapped, zone dropped).
func (e *env) addr(s string) (netip.Addr, bool) {
	if e.ipParsed && e.ipText == s {
		return e.ip, e.ipOK
	}
	a, err := netip.ParseAddr(s)
	e.ipParsed, e.ipText, e.ip, e.ipOK = true, s, a.Unmap().WithZone(""), err == nil
	return e.ip, e.ipOK
}

// intern returns the canonical copy of a condition key (see env.recent).
// unique lets the copies be collected once no policy holds them.
func intern(key string) string { return unique.Make(key).Value() }

// lookup finds key (lower case) in the context. A key with no values counts
// as absent.
func lookup(ctx *env, key string) ([]string, bool) {
	if ctx == nil {
		return nil, false
	}
	for i := range ctx.recent {
		if r := &ctx.recent[i]; r.key == key && key != "" {
			return r.vals, r.present
		}
	}
	vals, present := ctx.lookupMap(key)
	ctx.recent[ctx.recentNext] = recentLookup{key: key, vals: vals, present: present}
	ctx.recentNext = (ctx.recentNext + 1) % len(ctx.recent)
	return vals, present
}

func (ctx *env) lookupMap(key string) ([]string, bool) {
	if vals, ok := ctx.vars[key]; ok {
		return vals, len(vals) > 0
	}
	if !ctx.checked {
		ctx.checked = true
	scan:
		for k := range ctx.vars {
			for i := 0; i < len(k); i++ {
				if 'A' <= k[i] && k[i] <= 'Z' {
					ctx.mixed = true
					break scan
				}
			}
		}
	}
	if !ctx.mixed {
		return nil, false
	}
	for k, vals := range ctx.vars {
		if len(k) == len(key) && equalFoldASCII(k, key) {
			return vals, len(vals) > 0
		}
	}
	return nil, false
}
