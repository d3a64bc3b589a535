package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// node is one JSON value, with object members kept in document order so that
// duplicate keys can be refused and elements reported in order.
type node struct {
	kind byte   // 's' string, 'n' number, 'b' bool, 'z' null, 'a' array, 'o' object
	str  string // string, number text, or "true"/"false"
	arr  []node
	keys []string
	vals []node
}

// maxDepth bounds nesting: the deepest valid policy is
// Statement[] → {} → Condition → operator → key → values[] (6 levels).
const maxDepth = 16

var errJSON = errors.New("invalid JSON")

// decodeJSON parses doc into a node tree. It refuses duplicate object keys
// (a policy whose meaning depends on which duplicate wins is not accepted),
// trailing data, and nesting deeper than maxDepth.
func decodeJSON(doc []byte) (node, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	n, err := decodeValue(dec, 0)
	if err != nil {
		return node{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return node{}, errJSON
	}
	return n, nil
}

func decodeValue(dec *json.Decoder, depth int) (node, error) {
	if depth > maxDepth {
		return node{}, errJSON
	}
	tok, err := dec.Token()
	if err != nil {
		return node{}, errJSON
	}
	switch t := tok.(type) {
	case string:
		return node{kind: 's', str: t}, nil
	case json.Number:
		return node{kind: 'n', str: t.String()}, nil
	case bool:
		if t {
			return node{kind: 'b', str: "true"}, nil
		}
		return node{kind: 'b', str: "false"}, nil
	case nil:
		return node{kind: 'z'}, nil
	case json.Delim:
		switch t {
		case '[':
			n := node{kind: 'a'}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return node{}, err
				}
				n.arr = append(n.arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return node{}, errJSON
			}
			return n, nil
		case '{':
			n := node{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return node{}, errJSON
				}
				k, ok := kt.(string)
				if !ok {
					return node{}, errJSON
				}
				for _, seen := range n.keys {
					if seen == k {
						return node{}, errJSON
					}
				}
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return node{}, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return node{}, errJSON
			}
			return n, nil
		}
	}
	return node{}, errJSON
}

// strings returns a string-or-array-of-strings element's values.
func (n *node) strings() ([]string, bool) {
	switch n.kind {
	case 's':
		return []string{n.str}, true
	case 'a':
		out := make([]string, 0, len(n.arr))
		for i := range n.arr {
			if n.arr[i].kind != 's' {
				return nil, false
			}
			out = append(out, n.arr[i].str)
		}
		return out, true
	}
	return nil, false
}

// scalars is like strings but also takes numbers and booleans, which AWS
// accepts as condition values ({"Bool": {"aws:SecureTransport": false}}).
func (n *node) scalars() ([]string, bool) {
	scalar := func(v *node) bool { return v.kind == 's' || v.kind == 'n' || v.kind == 'b' }
	switch {
	case scalar(n):
		return []string{n.str}, true
	case n.kind == 'a':
		out := make([]string, 0, len(n.arr))
		for i := range n.arr {
			if !scalar(&n.arr[i]) {
				return nil, false
			}
			out = append(out, n.arr[i].str)
		}
		return out, true
	}
	return nil, false
}
