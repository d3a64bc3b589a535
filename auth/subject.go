package auth

import (
	"context"
	"net/netip"
	"strconv"
	"time"

	"github.com/caudal/caudal/audit"
	"github.com/caudal/caudal/policy"
)

// Principal is who signed a request: the root key's owner or an IAM-style
// user, with the user's policies as they were when the request was
// authenticated. A Principal is immutable once built; the store builds a
// new one when a user's policies or keys change.
type Principal struct {
	Account     string // 12 digits
	Root        bool   // the root key: every action is allowed
	UserName    string // "" for root
	UserID      string // "AIDA…" for users, the account id for root
	Path        string // IAM path, "/" by default
	ARN         string // arn:aws:iam::<account>:user<path><name>, or arn:aws:iam::<account>:root
	AccessKeyID string // the key that signed the request
	Policies    []*policy.Policy
}

// Subject is one authenticated request: its principal and the facts about
// the request that policy conditions test.
type Subject struct {
	Principal       *Principal
	SourceIP        netip.Addr // the TCP peer (no X-Forwarded-For: caudal is not behind a trusted proxy)
	SecureTransport bool       // the request came over TLS
	Time            time.Time  // when authentication accepted it
	UserAgent       string
}

type subjectKey struct{}

// WithSubject returns ctx carrying s.
func WithSubject(ctx context.Context, s *Subject) context.Context {
	return context.WithValue(ctx, subjectKey{}, s)
}

// SubjectFrom returns the subject stored by WithSubject.
func SubjectFrom(ctx context.Context) (*Subject, bool) {
	s, ok := ctx.Value(subjectKey{}).(*Subject)
	return s, ok && s != nil && s.Principal != nil
}

// DeniedError is the refusal of Check. Wire skins map it to their own
// AccessDenied shape (AccessDeniedException for JSON services, S3's
// AccessDenied, IAM's AccessDenied), using Error() as the message.
type DeniedError struct {
	Action       string
	Resource     string
	PrincipalARN string
	Explicit     bool // a Deny statement matched
}

// Error is AWS's wording for an identity-policy refusal.
func (e *DeniedError) Error() string {
	who := e.PrincipalARN
	if who == "" {
		who = "anonymous"
	}
	msg := "User: " + who + " is not authorized to perform: " + e.Action
	if e.Resource != "" && e.Resource != "*" {
		msg += " on resource: " + e.Resource
	}
	if e.Explicit {
		return msg + " with an explicit deny in an identity-based policy"
	}
	return msg + " because no identity-based policy allows the " + e.Action + " action"
}

// Check asks whether the subject in ctx may perform action ("kinesis:PutRecord")
// on resource (an ARN, or "*" for actions on no particular resource). extra
// holds service condition keys in lower case ("s3:prefix"); it may be nil.
// The root principal may do everything. A context without a subject is
// denied: authorization fails closed.
//
// When ctx carries an audit event (audit.EventFrom), Check records the
// action's resource on it, so the trail names what was asked for even when
// it was refused.
func Check(ctx context.Context, action, resource string, extra map[string][]string) error {
	if ev, ok := audit.EventFrom(ctx); ok && resource != "" && resource != "*" {
		ev.AddResource(resource)
	}
	s, ok := SubjectFrom(ctx)
	if !ok {
		return &DeniedError{Action: action, Resource: resource}
	}
	p := s.Principal
	if p.Root {
		return nil
	}
	keys := make(map[string][]string, 12+len(extra))
	for k, v := range extra {
		keys[k] = v
	}
	keys["aws:username"] = []string{p.UserName}
	keys["aws:userid"] = []string{p.UserID}
	keys["aws:principalarn"] = []string{p.ARN}
	keys["aws:principalaccount"] = []string{p.Account}
	keys["aws:principaltype"] = []string{"User"}
	keys["aws:securetransport"] = []string{strconv.FormatBool(s.SecureTransport)}
	if s.SourceIP.IsValid() {
		keys["aws:sourceip"] = []string{s.SourceIP.Unmap().String()}
	}
	t := s.Time
	if t.IsZero() {
		t = time.Now()
	}
	keys["aws:currenttime"] = []string{t.UTC().Format(time.RFC3339)}
	keys["aws:epochtime"] = []string{strconv.FormatInt(t.Unix(), 10)}
	if s.UserAgent != "" {
		keys["aws:useragent"] = []string{s.UserAgent}
	}
	res := policy.Evaluate(p.Policies, policy.Request{Action: action, Resource: resource, Context: keys})
	if res.Allowed() {
		return nil
	}
	return &DeniedError{Action: action, Resource: resource, PrincipalARN: p.ARN, Explicit: res.Decision == policy.ExplicitDeny}
}
