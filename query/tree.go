package query

import "strings"

// node is a token or a bracketed group of nodes. Translation works on this
// tree: a function call is an identifier followed by a '(' group, and the
// group's top-level commas separate its arguments, so rewriting a call
// never has to guess where an argument ends.
type node struct {
	tok   token  // the token (leaf) or the opening bracket (group)
	kids  []node // a group's contents; nil for a leaf
	close token  // a group's closing bracket
	group bool
	ref   int // >0: a placeholder for the table reference refs[ref-1]
}

func leaf(t token) node { return node{tok: t} }

func (n node) isGroup(open string) bool { return n.group && n.tok.text == open }

// maxDepth bounds bracket nesting, so hostile input cannot exhaust the
// stack of the recursive passes.
const maxDepth = 200

// buildTree turns significant tokens (no spaces or comments) into a tree of
// bracket groups, checking that brackets match.
func buildTree(toks []token) ([]node, error) {
	type frame struct {
		open token
		kids []node
	}
	stack := []frame{{}}
	for _, t := range toks {
		switch {
		case t.kind == tokSpace || t.kind == tokComment:
			continue
		case t.kind == tokEOF:
			if len(stack) > 1 {
				return nil, syntaxErrorAt(t, "mismatched input '<EOF>'. Expecting: '%s'", closerOf(stack[len(stack)-1].open.text))
			}
			return stack[0].kids, nil
		case t.isOp("(") || t.isOp("["):
			if len(stack) > maxDepth {
				return nil, syntaxErrorAt(t, "Expression is too deeply nested")
			}
			stack = append(stack, frame{open: t})
		case t.isOp(")") || t.isOp("]"):
			top := stack[len(stack)-1]
			if len(stack) == 1 || closerOf(top.open.text) != t.text {
				return nil, syntaxErrorAt(t, "mismatched input '%s'", t.text)
			}
			stack = stack[:len(stack)-1]
			g := node{tok: top.open, kids: top.kids, close: t, group: true}
			stack[len(stack)-1].kids = append(stack[len(stack)-1].kids, g)
		default:
			stack[len(stack)-1].kids = append(stack[len(stack)-1].kids, leaf(t))
		}
	}
	return stack[0].kids, nil // unreachable: tokenize always ends with EOF
}

func closerOf(open string) string {
	if open == "[" {
		return "]"
	}
	return ")"
}

// splitArgs splits a group's contents at top-level commas.
func splitArgs(kids []node) [][]node {
	if len(kids) == 0 {
		return nil
	}
	var args [][]node
	start := 0
	for i, k := range kids {
		if !k.group && k.tok.isOp(",") {
			args = append(args, kids[start:i])
			start = i + 1
		}
	}
	return append(args, kids[start:])
}

// joinArgs is splitArgs' inverse.
func joinArgs(args [][]node) []node {
	var out []node
	for i, a := range args {
		if i > 0 {
			out = append(out, opNode(","))
		}
		out = append(out, a...)
	}
	return out
}

func synth(kind tokenKind, text string) token { return token{kind: kind, text: text} }
func identNode(s string) node                 { return leaf(synth(tokIdent, s)) }
func opNode(s string) node                    { return leaf(synth(tokOp, s)) }
func stringNode(s string) node                { return leaf(synth(tokString, quoteString(s))) }
func parenNode(kids []node) node {
	return node{tok: synth(tokOp, "("), close: synth(tokOp, ")"), kids: kids, group: true}
}

// callNodes builds name(args…).
func callNodes(name string, args ...[]node) []node {
	return []node{identNode(name), parenNode(joinArgs(args))}
}

// keywordsBeforeParen are words after which '(' opens an expression or a
// list, not a call: the emitter keeps a space there.
var keywordsBeforeParen = map[string]bool{
	"in": true, "as": true, "and": true, "or": true, "not": true, "on": true, "using": true,
	"over": true, "from": true, "join": true, "values": true, "exists": true, "select": true,
	"where": true, "by": true, "then": true, "else": true, "when": true, "with": true,
	"any": true, "all": true, "some": true, "into": true, "case": true, "union": true,
	"intersect": true, "except": true, "is": true, "between": true, "like": true, "having": true,
	"distinct": true, "lateral": true, "table": true, "return": true,
}

// emit renders nodes as SQL text with one space between tokens except
// where SQL style glues them (calls, qualified names, commas, brackets).
// Placeholders are rendered by ref (nil: their original text).
func emit(b *strings.Builder, nodes []node, ref func(int) string) {
	var prev token
	first := b.Len() == 0
	emitSeq(b, nodes, ref, &prev, &first)
}

func emitSeq(b *strings.Builder, nodes []node, ref func(int) string, prev *token, first *bool) {
	for _, n := range nodes {
		if n.ref > 0 && ref != nil {
			writeTok(b, synth(tokIdent, ref(n.ref-1)), prev, first)
			continue
		}
		writeTok(b, n.tok, prev, first)
		if n.group {
			emitSeq(b, n.kids, ref, prev, first)
			writeTok(b, n.close, prev, first)
		}
	}
}

func writeTok(b *strings.Builder, t token, prev *token, first *bool) {
	if !*first && needSpace(*prev, t) {
		b.WriteByte(' ')
	}
	*first = false
	b.WriteString(t.text)
	*prev = t
}

func needSpace(prev, t token) bool {
	if prev.isOp("(") || prev.isOp("[") || prev.isOp(".") {
		return false
	}
	if t.isOp(")") || t.isOp("]") || t.isOp(",") || t.isOp(".") || t.isOp(";") {
		return false
	}
	if t.isOp("(") {
		return prev.kind == tokOp && !prev.isOp(")") && !prev.isOp("]") ||
			prev.kind == tokIdent && keywordsBeforeParen[strings.ToLower(prev.text)] ||
			prev.kind == tokString || prev.kind == tokNumber
	}
	if t.isOp("[") {
		return prev.kind == tokOp && !prev.isOp(")") && !prev.isOp("]") ||
			prev.kind == tokIdent && keywordsBeforeParen[strings.ToLower(prev.text)]
	}
	return true
}
