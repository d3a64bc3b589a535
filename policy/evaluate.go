package policy

import "strings"

// Request is what a policy decides on.
type Request struct {
	// Action is "service:Operation", e.g. "kinesis:PutRecord"; compared
	// case-insensitively.
	Action string
	// Resource is the ARN the action is on ("*" for actions on no
	// particular resource, such as s3:ListAllMyBuckets); compared
	// case-sensitively.
	Resource string
	// Context holds the condition keys of the request: aws:SourceIp,
	// aws:SecureTransport, aws:CurrentTime, aws:EpochTime, aws:username,
	// aws:userid, aws:PrincipalArn, s3:prefix, … Keys are case-insensitive;
	// give them in lower case and each lookup is one map access. A key
	// with no values counts as absent.
	Context map[string][]string
}

// Decision is the outcome of evaluating a request.
type Decision uint8

const (
	// ImplicitDeny: no statement allowed the request (the default).
	ImplicitDeny Decision = iota
	// Allow: some statement allowed it and none denied it.
	Allow
	// ExplicitDeny: a Deny statement matched; it wins over every Allow.
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Result is a Decision and the statement that made it, for audit logs.
type Result struct {
	Decision Decision
	// Policy and Statement index the deciding statement in Evaluate's
	// arguments; both are -1 for ImplicitDeny.
	Policy    int
	Statement int
	Sid       string
}

// Allowed reports whether the request may proceed.
func (r Result) Allowed() bool { return r.Decision == Allow }

// Evaluate decides req against a principal's identity policies: an explicit
// Deny in any statement wins; otherwise an Allow in any statement allows;
// otherwise the request is implicitly denied. The first matching Deny decides
// (evaluation stops there); otherwise the first matching Allow is reported.
// Nil policies are skipped. Evaluate does not allocate.
func Evaluate(policies []*Policy, req Request) Result {
	allowed := Result{Decision: ImplicitDeny, Policy: -1, Statement: -1}
	ctx := newEnv(req.Context)
	vendor, _, _ := strings.Cut(req.Action, ":")
	for pi, p := range policies {
		if p == nil {
			continue
		}
		for si := range p.Statement {
			st := &p.Statement[si]
			if !st.deny && allowed.Decision == Allow {
				continue // one Allow is enough; only a Deny can change the outcome
			}
			if !st.applies(&req, vendor, &ctx) {
				continue
			}
			if st.deny {
				return Result{Decision: ExplicitDeny, Policy: pi, Statement: si, Sid: st.Sid}
			}
			allowed = Result{Decision: Allow, Policy: pi, Statement: si, Sid: st.Sid}
		}
	}
	return allowed
}

// applies reports whether the statement matches the request: its action,
// its resource and all its conditions.
func (st *Statement) applies(req *Request, vendor string, ctx *env) bool {
	if st.vendors != nil {
		// An action matching "kinesis:Put*" starts with "kinesis:", so its
		// service is "kinesis": other services need not try the patterns.
		known := false
		for _, v := range st.vendors {
			if equalFoldASCII(v, vendor) {
				known = true
				break
			}
		}
		if !known {
			return false
		}
	}
	matched := false
	for i := range st.actions {
		if a := &st.actions[i]; a.any || a.match(req.Action, true, nil) {
			matched = true
			break
		}
	}
	if matched != (len(st.NotAction) == 0) {
		return false
	}
	// A resource policy statement with neither Resource nor NotResource
	// applies to the resource it is attached to.
	if len(st.resources) > 0 {
		matched = false
		for i := range st.resources {
			if r := &st.resources[i]; r.any || r.match(req.Resource, false, ctx) {
				matched = true
				break
			}
		}
		if matched != (len(st.NotResource) == 0) {
			return false
		}
	}
	for i := range st.Condition {
		if !st.Condition[i].c.holds(ctx) {
			return false
		}
	}
	return true
}
