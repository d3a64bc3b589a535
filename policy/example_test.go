package policy_test

import (
	"fmt"

	"github.com/caudal/caudal/policy"
)

func Example() {
	p, err := policy.Parse([]byte(`{
		"Version": "2012-10-17",
		"Statement": [
			{"Sid": "OwnPrefix", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
			 "Resource": "arn:aws:s3:::lake/home/${aws:username}/*"},
			{"Sid": "TLSOnly", "Effect": "Deny", "Action": "*", "Resource": "*",
			 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
		]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := map[string][]string{"aws:username": {"alice"}, "aws:securetransport": {"true"}}
	for _, resource := range []string{"arn:aws:s3:::lake/home/alice/a.csv", "arn:aws:s3:::lake/home/bob/b.csv"} {
		r := policy.Evaluate([]*policy.Policy{p}, policy.Request{Action: "s3:GetObject", Resource: resource, Context: ctx})
		fmt.Printf("%s %s by %q\n", resource, r.Decision, r.Sid)
	}
	ctx["aws:securetransport"] = []string{"false"}
	r := policy.Evaluate([]*policy.Policy{p}, policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::lake/home/alice/a.csv", Context: ctx})
	fmt.Println("over http:", r.Decision, r.Sid)
	// Output:
	// arn:aws:s3:::lake/home/alice/a.csv Allow by "OwnPrefix"
	// arn:aws:s3:::lake/home/bob/b.csv ImplicitDeny by ""
	// over http: ExplicitDeny TLSOnly
}
