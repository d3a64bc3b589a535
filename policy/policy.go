package policy

import (
	"fmt"
	"slices"
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

// A Policy is a parsed policy document. Only Parse makes a usable Policy (it
// compiles the patterns Evaluate runs); it is immutable afterwards and safe
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

	deny    bool      // Effect is Deny
	actions []pattern // compiled Action or NotAction
	// vendors, when not nil, lists (lower case) the service prefixes of all
	// Action patterns: a request whose service is not among them cannot
	// match, and Evaluate skips the statement without trying the patterns.
	// It is nil when some pattern's service has a wildcard, and for NotAction.
	vendors   []string
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
	// RequireVersion2012 refuses documents without Version 2012-10-17, as
	// IAM does for managed policies (CreatePolicy).
	RequireVersion2012 bool
}

// Size is the document's size as IAM counts it: characters (not bytes)
// other than whitespace.
func Size(doc []byte) int {
	n := 0
	for _, c := range doc {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		case c&0xC0 == 0x80: // a UTF-8 continuation byte: part of the character before
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
				return nil, malformed(msgSyntax, "Version must be %q or %q", Version2012, Version2008)
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
	if opt.RequireVersion2012 && p.Version != Version2012 {
		return nil, malformed(msgVersion, "Version is %q", p.Version)
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
				// IAM: "denY" fails legacy parsing, "invalid" is a syntax error.
				if v.kind == 's' && (strings.EqualFold(v.str, "allow") || strings.EqualFold(v.str, "deny")) {
					return st, malformed(msgLegacy, "Effect %q is not spelled \"Allow\" or \"Deny\"", v.str)
				}
				return st, malformed(msgSyntax, "Effect must be \"Allow\" or \"Deny\"")
			}
			st.Effect = Effect(v.str)
			st.deny = st.Effect == EffectDeny
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
		if err := checkAction(a); err != nil {
			return st, err
		}
		st.actions = append(st.actions, compilePattern(a, compileOptions{wildcards: true}))
	}
	if !hasNotAction {
		st.vendors = literalVendors(actions)
	}
	resources := st.Resource
	if hasNotResource {
		resources = st.NotResource
	}
	if len(resources) == 0 && !(opt.ResourcePolicy && !hasResource && !hasNotResource) {
		return st, malformed(msgNoResources, "no Resource or NotResource")
	}
	for _, r := range resources {
		full, err := checkResource(r, variables)
		if err != nil {
			return st, err
		}
		st.resources = append(st.resources, compilePattern(full, compileOptions{wildcards: true, variables: variables}))
	}
	return st, nil
}

// checkAction checks an Action or NotAction entry: "*" or "vendor:action",
// with IAM's messages for the ways it can be wrong.
func checkAction(a string) error {
	if a == "*" {
		return nil
	}
	vendor, action, ok := strings.Cut(a, ":")
	if !ok || vendor == "" {
		return malformed(msgVendor, "action %q", a)
	}
	if strings.Contains(action, ":") {
		return malformed(msgOneColon, "action %q", a)
	}
	for i := 0; i < len(vendor); i++ {
		c := vendor[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return &MalformedError{Message: "Vendor " + vendor + " is not valid", Reason: "action " + a}
		}
	}
	return nil
}

// literalVendors returns the lower-cased service prefixes of actions, or
// nil when one of them ("*", "s3*:Get") could match any service.
func literalVendors(actions []string) []string {
	var vendors []string
	for _, a := range actions {
		vendor, _, ok := strings.Cut(a, ":")
		if !ok || strings.ContainsAny(vendor, "*?") {
			return nil
		}
		vendor = strings.ToLower(vendor)
		if !slices.Contains(vendors, vendor) {
			vendors = append(vendors, vendor)
		}
	}
	return vendors
}

// partitions are the AWS partitions a Resource ARN may name.
var partitions = map[string]bool{
	"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true,
	"aws-iso-b": true, "aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true,
}

// checkResource checks a Resource or NotResource entry and returns the
// pattern to compile. IAM takes "*" or an ARN, and pads a three-component
// ARN ("arn:aws:s3") with wildcards; its messages are those recorded in
// moto's IAM policy validator tests, which mirror IAM's answers.
func checkResource(r string, variables bool) (string, error) {
	if r == "*" {
		return r, nil
	}
	if !strings.Contains(r, ":") {
		return "", &MalformedError{Message: "Resource " + r + " must be in ARN format or \"*\".", Reason: "resource " + r}
	}
	parts := splitAll(r, variables)
	if len(parts) < 2 { // every colon is inside a ${…}
		return "", &MalformedError{Message: "Resource " + r + " must be in ARN format or \"*\".", Reason: "resource " + r}
	}
	partition := parts[1]
	if !partitions[partition] && !strings.ContainsAny(partition, "*?") {
		shown := append([]string{"arn"}, parts[1:]...)
		for len(shown) < 6 {
			shown = append(shown, "*")
		}
		return "", &MalformedError{
			Message: fmt.Sprintf("Partition %q is not valid for resource %q.", partition, strings.Join(shown, ":")),
			Reason:  "resource " + r,
		}
	}
	if parts[0] != "arn" {
		return "", &MalformedError{Message: "Resource " + r + " must be in ARN format or \"*\".", Reason: "resource " + r}
	}
	switch {
	case len(parts) == 2:
		return "", malformed(msgVendor2, "resource %q", r)
	case parts[2] == "":
		return "", malformed(msgLegacy, "resource %q has no service", r)
	case len(parts) == 3:
		return r + ":*:*:*", nil
	case len(parts) < 6:
		return "", malformed(msgLegacy, "resource %q has %d components, not 6", r, len(parts))
	}
	return r, nil
}

// splitAll splits at every colon outside policy variables. Like
// compilePattern, it takes "${" as a variable only when a "}" closes it.
func splitAll(s string, variables bool) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if variables && strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i:], '}'); end > 0 {
				i += end
				continue
			}
		}
		if s[i] == ':' {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
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
		if keys.kind != 'o' {
			return nil, malformed(msgSyntax, "condition operator %q does not map keys to values", op)
		}
		// IAM accepts an operator with no keys, even an unknown one, and it
		// constrains nothing.
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
