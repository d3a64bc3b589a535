package policy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// seedPolicies are documents for the fuzzers' corpora.
func seedPolicies(f *testing.F) [][]byte {
	seeds := [][]byte{
		[]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`),
		[]byte(`{"Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":false}}}]}`),
		[]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:Put*","Resource":"arn:aws:kinesis:*:*:stream/${aws:username}-*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a?","${*}"]},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01"},"NumericLessThanEquals":{"s3:max-keys":10},"Null":{"aws:userid":"false"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}}}`),
	}
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, raw)
	}
	return seeds
}

// FuzzParse: Parse never panics, and a parsed policy marshals to a document
// that parses to the same policy (its canonical form is a fixed point).
func FuzzParse(f *testing.F) {
	for _, s := range seedPolicies(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := ParseWith(doc, Options{MaxSize: MaxRoleInlineSize})
		if err != nil {
			if p != nil {
				t.Fatal("a policy and an error")
			}
			return
		}
		out := p.String()
		q, err := ParseWith([]byte(out), Options{MaxSize: MaxDocumentBytes})
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		if again := q.String(); again != out {
			t.Fatalf("canonical form changed:\n%s\n%s", out, again)
		}
		if len(q.Statement) != len(p.Statement) {
			t.Fatal("statement count changed")
		}
	})
}

// FuzzMatch: the matcher never panics and finishes (a backtracking matcher
// would hang the fuzzer on star-heavy patterns); a pattern with no
// wildcard or variable matches exactly itself; "*" matches everything.
func FuzzMatch(f *testing.F) {
	f.Add("*a*a*a*a*b", strings.Repeat("a", 64), true, false)
	f.Add("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", false, true)
	f.Add("?${*}${", "é*${", false, true)
	f.Fuzz(func(t *testing.T, pat, text string, fold, vars bool) {
		ctx := newEnv(map[string][]string{"aws:username": {"alice"}})
		p := compilePattern(pat, compileOptions{wildcards: true, variables: vars})
		got := p.match(text, fold, &ctx)
		if !strings.ContainsAny(pat, "*?$") && !fold && got != (pat == text) {
			t.Fatalf("literal %q vs %q: %v", pat, text, got)
		}
		if pat != "" && strings.Trim(pat, "*") == "" && !got {
			t.Fatalf("%q did not match %q", pat, text)
		}
		lit := compilePattern(pat, compileOptions{})
		if lit.match(pat, false, nil) != true {
			t.Fatalf("literal pattern %q does not match itself", pat)
		}
	})
}

var denyAll = func() *Policy {
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`))
	if err != nil {
		panic(err)
	}
	return p
}()

// FuzzEvaluate: for any policy and request, Evaluate never panics; adding a
// Deny * statement always yields ExplicitDeny; without its Allow statements
// a policy never allows; and an Allow names an Allow statement.
func FuzzEvaluate(f *testing.F) {
	for _, s := range seedPolicies(f) {
		f.Add(s, "kinesis:PutRecord", "arn:aws:kinesis:us-east-1:000000000000:stream/alice-1", "aws:username", "alice")
		f.Add(s, "s3:GetObject", "arn:aws:s3:::b/alice/x", "aws:SourceIp", "10.1.2.3")
		f.Add(s, "S3:getobject", "arn:aws:s3:::b/alice/x", "aws:username", "alice")
		f.Add(s, "kinesis", "*", "aws:username", "alice")
	}
	f.Fuzz(func(t *testing.T, doc []byte, action, resource, key, value string) {
		p, err := ParseWith(doc, Options{MaxSize: MaxRoleInlineSize})
		if err != nil {
			return
		}
		req := Request{Action: action, Resource: resource, Context: map[string][]string{
			key: {value}, "aws:currenttime": {"2026-11-26T01:00:00Z"}, "aws:securetransport": {"true"},
		}}
		r := Evaluate([]*Policy{p}, req)
		if r.Decision != ImplicitDeny {
			st := p.Statement[r.Statement]
			if (r.Decision == Allow) != (st.Effect == EffectAllow) || st.Sid != r.Sid || r.Policy != 0 {
				t.Fatalf("result %+v names statement %+v", r, st)
			}
		}
		// The service prefilter never changes a decision.
		unfiltered := &Policy{Version: p.Version, Statement: slices.Clone(p.Statement)}
		for i := range unfiltered.Statement {
			unfiltered.Statement[i].vendors = nil
		}
		if u := Evaluate([]*Policy{unfiltered}, req); u != r {
			t.Fatalf("with the service prefilter %+v, without %+v", r, u)
		}
		if d := Evaluate([]*Policy{p, denyAll}, req).Decision; d != ExplicitDeny {
			t.Fatalf("with Deny *: %v", d)
		}
		if d := Evaluate([]*Policy{denyAll, p}, req).Decision; d != ExplicitDeny {
			t.Fatalf("with Deny * first: %v", d)
		}
		denies := &Policy{Version: p.Version}
		for _, st := range p.Statement {
			if st.Effect == EffectDeny {
				denies.Statement = append(denies.Statement, st)
			}
		}
		if d := Evaluate([]*Policy{denies}, req).Decision; d == Allow {
			t.Fatal("allowed without Allow statements")
		}
		// Removing statements can only turn a deny into an implicit deny.
		if r.Decision == ExplicitDeny && Evaluate([]*Policy{denies}, req).Decision != ExplicitDeny {
			t.Fatal("the deny came from an Allow statement")
		}
	})
}
