package policy

import (
	"fmt"
	"testing"
)

// TestConditions checks operators against "IAM JSON policy elements:
// Condition operators" and "Set operators for multivalued context keys".
// Each row is one condition block on an otherwise matching Allow statement.
func TestConditions(t *testing.T) {
	tests := []struct {
		name, block string
		ctx         map[string][]string
		want        bool
	}{
		// String operators.
		{"StringEquals match", `{"StringEquals":{"aws:username":"alice"}}`, ctx("aws:username", "alice"), true},
		{"StringEquals case-sensitive", `{"StringEquals":{"aws:username":"alice"}}`, ctx("aws:username", "Alice"), false},
		{"StringEquals no wildcard", `{"StringEquals":{"aws:username":"a*"}}`, ctx("aws:username", "alice"), false},
		{"StringEquals values are ORed", `{"StringEquals":{"aws:username":["bob","alice"]}}`, ctx("aws:username", "alice"), true},
		{"condition key case-insensitive", `{"StringEquals":{"AWS:UserName":"alice"}}`, ctx("aws:username", "alice"), true},
		{"context key case-insensitive", `{"StringEquals":{"aws:username":"alice"}}`, ctx("AWS:USERNAME", "alice"), true},
		// Doc: a key absent from the request makes the condition false…
		{"StringEquals missing key", `{"StringEquals":{"aws:username":"alice"}}`, nil, false},
		// …unless the operator is negated ("StringNotLike or ArnNotLike and the right key is not present, the condition is true").
		{"StringNotEquals missing key", `{"StringNotEquals":{"aws:username":"alice"}}`, nil, true},
		{"StringNotLike missing key", `{"StringNotLike":{"s3:prefix":"home/*"}}`, nil, true},
		{"ArnNotLike missing key", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}`, nil, true},
		{"NotIpAddress missing key", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true},
		{"NumericNotEquals missing key", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, nil, true},
		{"StringNotEquals any of", `{"StringNotEquals":{"aws:username":["bob","alice"]}}`, ctx("aws:username", "alice"), false},
		{"StringNotEquals none of", `{"StringNotEquals":{"aws:username":["bob","carol"]}}`, ctx("aws:username", "alice"), true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:username":"ALICE"}}`, ctx("aws:username", "alice"), true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:username":"ALICE"}}`, ctx("aws:username", "alice"), false},
		{"StringLike", `{"StringLike":{"s3:prefix":["home/*", "pub?"]}}`, ctx("s3:prefix", "pub1"), true},
		{"StringLike no match", `{"StringLike":{"s3:prefix":"home/*"}}`, ctx("s3:prefix", "etc/x"), false},
		{"StringLike variable", `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, ctx("s3:prefix", "home/alice/x", "aws:username", "alice"), true},
		{"StringLike variable other user", `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, ctx("s3:prefix", "home/bob/x", "aws:username", "alice"), false},
		// IfExists: absent key → true; present → the plain operator.
		{"StringEqualsIfExists absent", `{"StringEqualsIfExists":{"aws:username":"alice"}}`, nil, true},
		{"StringEqualsIfExists present other", `{"StringEqualsIfExists":{"aws:username":"alice"}}`, ctx("aws:username", "bob"), false},
		{"StringEqualsIfExists present same", `{"StringEqualsIfExists":{"aws:username":"alice"}}`, ctx("aws:username", "alice"), true},
		// Numeric.
		{"NumericLessThan", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "9"), true},
		{"NumericLessThan equal", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"s3:max-keys":10}}`, ctx("s3:max-keys", "10.0"), true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "11"), true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "9"), false},
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), true},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), false},
		{"Numeric request not a number", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "ten"), false},
		// Date: ISO 8601 and epoch seconds, either side.
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2026-12-31T23:59:59Z"}}`, ctx("aws:CurrentTime", "2026-11-26T01:00:00Z"), true},
		{"DateLessThan past", `{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2026-11-26T01:00:00Z"), false},
		{"DateGreaterThan date only", `{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01"}}`, ctx("aws:CurrentTime", "2026-11-26T01:00:00Z"), true},
		{"DateEquals epoch vs ISO", `{"DateEquals":{"aws:EpochTime":"1577836800"}}`, ctx("aws:EpochTime", "2020-01-01T00:00:00Z"), true},
		{"DateLessThanEquals epoch", `{"DateLessThanEquals":{"aws:EpochTime":1577836800}}`, ctx("aws:EpochTime", "1577836800"), true},
		{"DateGreaterThanEquals offset", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01T01:00:00+01:00"}}`, ctx("aws:CurrentTime", "2020-01-01T00:00:00Z"), true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2020-01-01T00:00:00Z"), false},
		// Bool.
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:SecureTransport", "true"), true},
		{"Bool json false", `{"Bool":{"aws:SecureTransport":false}}`, ctx("aws:SecureTransport", "true"), false},
		{"Bool missing", `{"Bool":{"aws:SecureTransport":"false"}}`, nil, false},
		// IP addresses.
		{"IpAddress v4", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:SourceIp", "203.0.113.7"), true},
		{"IpAddress v4 outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:SourceIp", "203.0.114.7"), false},
		{"IpAddress bare address", `{"IpAddress":{"aws:SourceIp":"127.0.0.1"}}`, ctx("aws:SourceIp", "127.0.0.1"), true},
		{"IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx("aws:SourceIp", "2001:db8:1::5"), true},
		{"IpAddress v4-mapped request", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("aws:SourceIp", "::ffff:10.1.2.3"), true},
		{"IpAddress garbage request", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("aws:SourceIp", "nope"), false},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}`, ctx("aws:SourceIp", "192.168.1.1"), false},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}`, ctx("aws:SourceIp", "8.8.8.8"), true},
		// ARN: per component, so * does not cross a colon.
		{"ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}`, ctx("aws:PrincipalArn", "arn:aws:iam::000000000000:user/alice"), true},
		{"ArnLike component", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}`, ctx("aws:PrincipalArn", "arn:aws:iam::000000000000:role/alice"), false},
		{"ArnLike star does not cross colon", `{"ArnLike":{"aws:SourceArn":"arn:aws:*:us-east-1:1:x"}}`, ctx("aws:SourceArn", "arn:aws:s3:eu:west:us-east-1:1:x"), false},
		{"ArnEquals takes wildcards", `{"ArnEquals":{"aws:SourceArn":"arn:aws:kinesis:*:*:stream/s"}}`, ctx("aws:SourceArn", "arn:aws:kinesis:us-east-1:1:stream/s"), true},
		{"ArnLike resource with colons", `{"ArnLike":{"aws:SourceArn":"arn:aws:logs:*:*:log-group:g:*"}}`, ctx("aws:SourceArn", "arn:aws:logs:r:1:log-group:g:log-stream:x"), true},
		{"ArnLike not an arn", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b"}}`, ctx("aws:SourceArn", "b"), false},
		{"ArnNotLike", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::b"}}`, ctx("aws:SourceArn", "arn:aws:s3:::c"), true},
		{"ArnLike variable", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"}}`, ctx("aws:PrincipalArn", "arn:aws:iam::1:user/alice", "aws:username", "alice"), true},
		// Null.
		{"Null true absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true},
		{"Null true present", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx("aws:TokenIssueTime", "x"), false},
		{"Null false present", `{"Null":{"aws:TokenIssueTime":false}}`, ctx("aws:TokenIssueTime", "x"), true},
		{"Null false absent", `{"Null":{"aws:TokenIssueTime":"false"}}`, nil, false},
		// Set qualifiers over multivalued keys.
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, ctx("aws:TagKeys", "a", "aws:TagKeys", "b"), true},
		{"ForAllValues not subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, ctx("aws:TagKeys", "a", "aws:TagKeys", "c"), false},
		{"ForAllValues absent is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}`, nil, true},
		{"ForAnyValue one", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}`, ctx("aws:TagKeys", "z", "aws:TagKeys", "a"), true},
		{"ForAnyValue none", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}`, ctx("aws:TagKeys", "z"), false},
		{"ForAnyValue absent is false", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}`, nil, false},
		{"ForAllValues negated", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx("aws:TagKeys", "a", "aws:TagKeys", "b"), true},
		{"ForAllValues negated hit", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx("aws:TagKeys", "a", "aws:TagKeys", "secret"), false},
		{"ForAnyValue negated", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx("aws:TagKeys", "secret", "aws:TagKeys", "b"), true},
		{"ForAnyValue StringLikeIfExists absent", `{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*"]}}`, nil, true},
		// Keys and operators are ANDed.
		{"AND both hold", `{"StringEquals":{"aws:username":"alice","s3:prefix":"p"},"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:username", "alice", "s3:prefix", "p", "aws:SecureTransport", "true"), true},
		{"AND one fails", `{"StringEquals":{"aws:username":"alice","s3:prefix":"p"},"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:username", "alice", "s3:prefix", "p", "aws:SecureTransport", "false"), false},
		{"empty value list is absent", `{"StringEquals":{"aws:username":"alice"}}`, map[string][]string{"aws:username": {}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":%s}}`, tt.block)
			p, err := Parse([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			got := Evaluate([]*Policy{p}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: tt.ctx}).Decision == Allow
			if got != tt.want {
				t.Fatalf("holds = %v, want %v", got, tt.want)
			}
		})
	}
}

// ctx builds a context from key, value pairs; a repeated key collects values.
func ctx(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}
