// Package authtest builds what tests of authorization need: the root
// subject, an IAM user holding given policy documents, a policy allowing
// exactly given (action, resource) grants, and auth's wording of the
// refusal a missing grant gets. The wire skins' tests share it so that
// they pin their action and resource mappings the same way.
package authtest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/policy"
)

// Root is the root principal of account, signing with accessKeyID: it may
// do everything.
func Root(account, accessKeyID string) *auth.Subject {
	return &auth.Subject{Principal: &auth.Principal{
		Account: account, Root: true, UserID: account,
		ARN: "arn:aws:iam::" + account + ":root", AccessKeyID: accessKeyID,
	}}
}

// UserARN is the ARN of the IAM user name in account.
func UserARN(account, name string) string { return "arn:aws:iam::" + account + ":user/" + name }

// User is the IAM user name of account holding the policy documents docs;
// a document that does not parse fails the test.
func User(t testing.TB, account, name string, docs ...string) *auth.Subject {
	t.Helper()
	p := &auth.Principal{Account: account, UserName: name, UserID: "AIDA" + strings.ToUpper(name), Path: "/",
		ARN: UserARN(account, name), AccessKeyID: "AKID" + strings.ToUpper(name)}
	for _, d := range docs {
		pol, err := policy.Parse([]byte(d))
		if err != nil {
			t.Fatalf("policy %s: %v", d, err)
		}
		p.Policies = append(p.Policies, pol)
	}
	return &auth.Subject{Principal: p}
}

// Grant is one action on one resource ("*" for none in particular).
type Grant struct{ Action, Resource string }

// Allowing is a policy allowing exactly grants (and, so that it is never
// empty, an unrelated service's action).
func Allowing(grants []Grant) string {
	st := []string{`{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}`}
	for _, g := range grants {
		st = append(st, fmt.Sprintf(`{"Effect":"Allow","Action":%q,"Resource":%q}`, g.Action, g.Resource))
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`
}

// DeniedMessage is auth's wording of an implicit deny of g to the user
// whose ARN is userARN.
func DeniedMessage(userARN string, g Grant) string {
	msg := "User: " + userARN + " is not authorized to perform: " + g.Action
	if g.Resource != "*" {
		msg += " on resource: " + g.Resource
	}
	return msg + " because no identity-based policy allows the " + g.Action + " action"
}
