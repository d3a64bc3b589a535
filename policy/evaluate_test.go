package policy

import (
	"fmt"
	"strings"
	"testing"
)

// benchPolicies builds n policies of five statements each, shaped like a
// real user's: service-wide read grants, per-user prefixes with variables,
// stream globs, a TLS deny and an IP deny.
func benchPolicies(tb testing.TB, n int) []*Policy {
	tb.Helper()
	var out []*Policy
	for i := range n {
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
			{"Sid":"Read%[1]d","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::team%[1]d","arn:aws:s3:::team%[1]d/*"]},
			{"Sid":"Home%[1]d","Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::home%[1]d/${aws:username}/*"},
			{"Sid":"Streams%[1]d","Effect":"Allow","Action":["kinesis:PutRecord","kinesis:PutRecords","kinesis:Get*"],"Resource":"arn:aws:kinesis:*:*:stream/app%[1]d-*",
			 "Condition":{"StringEqualsIfExists":{"aws:RequestedRegion":"us-east-1"}}},
			{"Sid":"Tls%[1]d","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
			{"Sid":"Net%[1]d","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16","2001:db8::/32"]}}}
		]}`, i)
		p, err := ParseWith([]byte(doc), Options{MaxSize: MaxManagedSize})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

var benchContext = map[string][]string{
	"aws:username":        {"alice"},
	"aws:userid":          {"AIDAEXAMPLE"},
	"aws:sourceip":        {"10.1.2.3"},
	"aws:securetransport": {"true"},
	"aws:currenttime":     {"2026-11-26T01:00:00Z"},
	"aws:principalarn":    {"arn:aws:iam::000000000000:user/alice"},
}

var benchRequests = []Request{
	{Action: "kinesis:PutRecord", Resource: "arn:aws:kinesis:us-east-1:000000000000:stream/app9-clicks", Context: benchContext},
	{Action: "s3:PutObject", Resource: "arn:aws:s3:::home9/alice/2026/11/26/part-0001.parquet", Context: benchContext},
	{Action: "s3:GetObject", Resource: "arn:aws:s3:::nobody/x", Context: benchContext},
}

// TestEvaluateDoesNotAllocate keeps the per-request path allocation-free.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	policies := benchPolicies(t, 10)
	for _, req := range benchRequests {
		var r Result
		allocs := testing.AllocsPerRun(100, func() { r = Evaluate(policies, req) })
		if allocs != 0 {
			t.Errorf("%s: %v allocations per Evaluate", req.Action, allocs)
		}
		_ = r
	}
	// Mixed-case context keys take the slow lookup, still without allocating.
	mixed := Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::home1/alice/x", Context: map[string][]string{
		"AWS:UserName": {"alice"}, "aws:SourceIp": {"10.1.2.3"}, "aws:SecureTransport": {"true"}}}
	if allocs := testing.AllocsPerRun(100, func() { Evaluate(policies, mixed) }); allocs != 0 {
		t.Errorf("mixed-case keys: %v allocations", allocs)
	}
	if r := Evaluate(policies, mixed); r.Decision != Allow || r.Sid != "Home1" {
		t.Errorf("mixed-case keys: %+v", r)
	}
}

func TestEvaluateBenchRequests(t *testing.T) {
	policies := benchPolicies(t, 10)
	want := []Result{
		{Decision: Allow, Policy: 9, Statement: 2, Sid: "Streams9"},
		{Decision: Allow, Policy: 9, Statement: 1, Sid: "Home9"},
		{Decision: ImplicitDeny, Policy: -1, Statement: -1},
	}
	for i, req := range benchRequests {
		if got := Evaluate(policies, req); got != want[i] {
			t.Errorf("%s %s: %+v, want %+v", req.Action, req.Resource, got, want[i])
		}
	}
	outside := benchRequests[0]
	outside.Context = map[string][]string{"aws:sourceip": {"8.8.8.8"}, "aws:securetransport": {"true"}}
	if got := Evaluate(policies, outside); got.Decision != ExplicitDeny || got.Sid != "Net0" {
		t.Errorf("outside the network: %+v", got)
	}
	if got := Evaluate(nil, benchRequests[0]); got.Decision != ImplicitDeny {
		t.Errorf("no policies: %+v", got)
	}
	if got := Evaluate([]*Policy{nil}, benchRequests[0]); got.Decision != ImplicitDeny {
		t.Errorf("nil policy: %+v", got)
	}
}

// BenchmarkEvaluate: 10 policies × 5 statements, typical requests. Every
// Deny statement is visited, even after an Allow matched.
//
// Measured 2026-11-26 with valgrind --tool=cachegrind (instruction counts do
// not depend on load; the shared 2-core AMD EPYC VM ran at load 5–11, which
// made ns/op swing between 2.4 and 10 µs): ~21,000 instructions per
// Evaluate for kinesis:PutRecord, ~19,600 for s3:PutObject, ~18,200 for the
// implicitly denied s3:GetObject — about 100 instructions to skip a
// statement of another service and 400–600 for a Deny with a condition.
func BenchmarkEvaluate(b *testing.B) {
	policies := benchPolicies(b, 10)
	for _, req := range benchRequests {
		name := req.Action
		if strings.Contains(req.Resource, "nobody") {
			name += "-denied"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(policies, req)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"Home","Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::home/${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:SecureTransport":"true"}}}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// Policies are shared by every request goroutine; run with -race.
func TestEvaluateConcurrently(t *testing.T) {
	policies := benchPolicies(t, 3)
	req := Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::home2/alice/x", Context: map[string][]string{
		"AWS:username": {"alice"}, "aws:sourceip": {"10.0.0.1"}, "aws:securetransport": {"true"}}}
	done := make(chan Result)
	for range 4 {
		go func() {
			var r Result
			for range 200 {
				r = Evaluate(policies, req)
			}
			done <- r
		}()
	}
	for range 4 {
		if r := <-done; r.Decision != Allow || r.Sid != "Home2" {
			t.Errorf("got %+v", r)
		}
	}
}
