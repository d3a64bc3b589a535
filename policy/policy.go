package policy

import (
	"fmt"
	"strings"
)

// Policy language versions.
const (
	Version2012 = "2012-10-17" // current: policy variables are recognised
	Version2008 = "2008-10-17" // legacy: ${…} is literal text
)

// Size limits IAM applies, in characters not counting whitespace
// (IAM and STS quotas).
const (
	MaxUserInlineSize  = 2048  // all inline policies of one user together
	MaxGroupInlineSize = 5120  // all inline policies of one group together
	MaxRoleInlineSize  = 10240 // all inline policies of one role together
	MaxManagedSize     = 6144  // one managed policy
)

// MaxDocumentBytes bounds the raw document, whitespace included: IAM's
// PolicyDocument parameter is at most 131,072 characters.
const MaxDocumentBytes = 131072

// Effect is a statement's Effect.
type Effect string

// The two effects; IAM spells them with exactly this case.
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// A Policy is a parsed policy document. It is immutable after Parse and safe
// for concurrent use by any number of Evaluate calls.
type Policy struct {
	Version   string // "", Version2012 or Version2008
	ID        string // the Id element
	Statement []Statement
}

// A Statement is one element of a policy's Statement. Exactly one of Action
// and NotAction is non-empty, and (identity policies) exactly one of Resource
// and NotResource.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal // resource policies only
	NotPrincipal *Principal // resource policies only
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    []Condition // document order; ANDed

	actions   []pattern // compiled Action or NotAction
	resources []pattern // compiled Resource or NotResource
}

// Principal is a Principal or NotPrincipal element: "*" or a map from
// principal type (AWS, Service, Federated, CanonicalUser) to identifiers.
// caudal keeps it for resource policies but does not evaluate it.
type Principal struct {
	Any   bool // "Principal": "*"
	Types []PrincipalIDs
}

// PrincipalIDs is one principal type and its identifiers.
type PrincipalIDs struct {
	Type string
	IDs  []string
}

// Options adjust Parse.
type Options struct {
	// MaxSize is the limit on non-whitespace characters; zero means
	// MaxUserInlineSize. Callers that store several inline policies of one
	// user check their total themselves with Size.
	MaxSize int
	// ResourcePolicy accepts Principal/NotPrincipal and statements without
	// Resource (the resource is the one the policy is attached to). Identity
	// policies refuse Principal as IAM does.
	ResourcePolicy bool
}

// Size is the document's size as IAM counts it: characters other than
// whitespace.
func Size(doc []byte) int {
	n := 0
	for _, c := range doc {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

// Parse parses an identity policy with the default options.
func Parse(doc []byte) (*Policy, error) { return ParseWith(doc, Options{}) }

// ParseWith parses and checks a policy document and compiles its patterns.
// Errors wrap ErrMalformed (a *MalformedError) or ErrTooLarge (a *SizeError).
func ParseWith(doc []byte, opt Options) (*Policy, error) {
	limit := opt.MaxSize
	if limit <= 0 {
		limit = MaxUserInlineSize
	}
	if len(doc) > MaxDocumentBytes {
		return nil, &SizeError{Size: Size(doc), Limit: limit}
	}
	if size := Size(doc); size > limit {
		return nil, &SizeError{Size: size, Limit: limit}
	}
	root, err := decodeJSON(doc)
	if err != nil {
		return nil, malformed(msgSyntax, "%v", err)
	}
	if root.kind != 'o' {
		return nil, malformed(msgSyntax, "the document is not a JSON object")
	}
	p := &Policy{}
	var statements *node
	for i, k := range root.keys {
		v := &root.vals[i]
		switch k {
		case "Version":
			if v.kind != 's' || (v.str != Version2012 && v.str != Version2008) {
				return nil, malformed(msgLegacy, "Version must be %q or %q", Version2012, Version2008)
			}
			p.Version = v.str
		case "Id":
			if v.kind != 's' {
				return nil, malformed(msgSyntax, "Id is not a string")
			}
			p.ID = v.str
		case "Statement":
			statements = v
		default:
			return nil, malformed(msgSyntax, "unknown policy element %q", k)
		}
	}
	if statements == nil {
		return nil, malformed(msgSyntax, "no Statement")
	}
	var list []node
	switch statements.kind {
	case 'o':
		list = []node{*statements}
	case 'a':
		list = statements.arr
	default:
		return nil, malformed(msgSyntax, "Statement is neither an object nor an array")
	}
	if len(list) == 0 {
		return nil, malformed(msgSyntax, "Statement is empty")
	}
	variables := p.Version == Version2012
	sids := map[string]bool{}
	for i := range list {
		st, err := parseStatement(&list[i], variables, opt)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i, err)
		}
		if st.Sid != "" {
			if sids[st.Sid] {
				return nil, malformed(msgSidUnique, "Sid %q repeats", st.Sid)
			}
			sids[st.Sid] = true
		}
		p.Statement = append(p.Statement, st)
	}
	return p, nil
}

func parseStatement(n *node, variables bool, opt Options) (Statement, error) {
	var st Statement
	if n.kind != 'o' {
		return st, malformed(msgSyntax, "a statement is not an object")
	}
	var hasAction, hasNotAction, hasResource, hasNotResource bool
	for i, k := range n.keys {
		v := &n.vals[i]
		var ok bool
		switch k {
		case "Sid":
			if v.kind != 's' {
				return st, malformed(msgSyntax, "Sid is not a string")
			}
			for _, r := range v.str {
				if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
					return st, malformed(msgSidShape, "Sid %q", v.str)
				}
			}
			st.Sid = v.str
			ok = true
		case "Effect":
			if v.kind != 's' || (v.str != string(EffectAllow) && v.str != string(EffectDeny)) {
				return st, malformed(msgSyntax, "Effect must be \"Allow\" or \"Deny\"")
			}
			st.Effect = Effect(v.str)
			ok = true
		case "Action":
			st.Action, ok = v.strings()
			hasAction = true
		case "NotAction":
			st.NotAction, ok = v.strings()
			hasNotAction = true
		case "Resource":
			st.Resource, ok = v.strings()
			hasResource = true
		case "NotResource":
			st.NotResource, ok = v.strings()
			hasNotResource = true
		case "Principal", "NotPrincipal":
			if !opt.ResourcePolicy {
				return st, malformed(msgPrincipal, "%s in an identity policy", k)
			}
			var pr *Principal
			pr, ok = parsePrincipal(v)
			if k == "Principal" {
				st.Principal = pr
			} else {
				st.NotPrincipal = pr
			}
		case "Condition":
			conds, err := parseConditionBlock(v, variables)
			if err != nil {
				return st, err
			}
			st.Condition, ok = conds, true
		default:
			return st, malformed(msgSyntax, "unknown statement element %q", k)
		}
		if !ok {
			return st, malformed(msgSyntax, "%s has the wrong type", k)
		}
	}
	if st.Effect == "" {
		return st, malformed(msgSyntax, "no Effect")
	}
	if hasAction && hasNotAction {
		return st, malformed(msgSyntax, "both Action and NotAction")
	}
	if hasResource && hasNotResource {
		return st, malformed(msgSyntax, "both Resource and NotResource")
	}
	if st.Principal != nil && st.NotPrincipal != nil {
		return st, malformed(msgSyntax, "both Principal and NotPrincipal")
	}
	if opt.ResourcePolicy && st.Principal == nil && st.NotPrincipal == nil {
		return st, malformed(msgSyntax, "a resource policy statement needs a Principal")
	}
	actions := st.Action
	if hasNotAction {
		actions = st.NotAction
	}
	if len(actions) == 0 {
		return st, malformed(msgNoActions, "no Action or NotAction")
	}
	for _, a := range actions {
		if a != "*" && !hasVendor(a) {
			return st, malformed(msgVendor, "action %q", a)
		}
		st.actions = append(st.actions, compilePattern(a, compileOptions{wildcards: true}))
	}
	resources := st.Resource
	if hasNotResource {
		resources = st.NotResource
	}
	if len(resources) == 0 && !(opt.ResourcePolicy && !hasResource && !hasNotResource) {
		return st, malformed(msgNoResources, "no Resource or NotResource")
	}
	for _, r := range resources {
		if r != "*" && !isARNPattern(r) {
			return st, &MalformedError{Message: "Resource " + r + " must be in ARN format or \"*\".", Reason: "resource " + r}
		}
		st.resources = append(st.resources, compilePattern(r, compileOptions{wildcards: true, variables: variables}))
	}
	return st, nil
}

// hasVendor reports whether s is "vendor:rest" with a non-empty vendor.
func hasVendor(s string) bool {
	i := strings.IndexByte(s, ':')
	return i > 0 && i < len(s)-1
}

// isARNPattern reports whether r has the arn:partition:service:region:account:
// shape (six components; the resource component may be empty only after a
// wildcard elsewhere, as in "arn:aws:s3:::*").
func isARNPattern(r string) bool {
	return strings.HasPrefix(r, "arn:") && len(splitARN(r, true)) == 6
}

func parsePrincipal(n *node) (*Principal, bool) {
	if n.kind == 's' {
		if n.str != "*" {
			return nil, false
		}
		return &Principal{Any: true}, true
	}
	if n.kind != 'o' || len(n.keys) == 0 {
		return nil, false
	}
	pr := &Principal{}
	for i, k := range n.keys {
		switch k {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return nil, false
		}
		ids, ok := n.vals[i].strings()
		if !ok || len(ids) == 0 {
			return nil, false
		}
		pr.Types = append(pr.Types, PrincipalIDs{Type: k, IDs: ids})
	}
	return pr, true
}

func parseConditionBlock(n *node, variables bool) ([]Condition, error) {
	if n.kind != 'o' {
		return nil, malformed(msgSyntax, "Condition is not an object")
	}
	var out []Condition
	for i, op := range n.keys {
		keys := &n.vals[i]
		if keys.kind != 'o' || len(keys.keys) == 0 {
			return nil, malformed(msgSyntax, "condition operator %q does not map keys to values", op)
		}
		for j, key := range keys.keys {
			values, ok := keys.vals[j].scalars()
			if !ok {
				return nil, malformed(msgSyntax, "condition %s on %q: values must be strings, numbers or booleans", op, key)
			}
			c, err := compileCondition(op, key, values, variables)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}
