package policy

import (
	"strings"
	"testing"
)

func TestPatternMatch(t *testing.T) {
	ctx := newEnv(map[string][]string{"aws:username": {"alice"}, "multi": {"a", "b"}, "star": {"*"}})
	tests := []struct {
		pattern, text string
		fold, vars    bool
		want          bool
	}{
		{"*", "", false, false, true},
		{"*", "anything:at/all", false, false, true},
		{"s3:Get*", "s3:GetObject", true, false, true},
		{"s3:get*", "S3:GETOBJECT", true, false, true},
		{"s3:Get*", "s3:PutObject", true, false, false},
		{"s3:*Object", "s3:GetObject", true, false, true},
		{"s3:?etObject", "s3:GetObject", true, false, true},
		{"s3:?etObject", "s3:etObject", true, false, false},
		{"kinesis:PutRecord", "kinesis:PutRecords", true, false, false},
		{"kinesis:PutRecord", "KINESIS:putrecord", true, false, true},
		// Resources are case-sensitive.
		{"arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", false, false, false},
		// The IAM Resource reference: * expands across '/' and ':'.
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", false, false, true},
		{"arn:aws:kinesis:*", "arn:aws:kinesis:us-east-1:000000000000:stream/s", false, false, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false, false, false},
		{"a*b*c", "abc", false, false, true},
		{"a*b*c", "aXbYbZc", false, false, true},
		{"a*b*c", "aXbYbZ", false, false, false},
		{"*a*a*a*a*b", strings.Repeat("a", 50), false, false, false},
		{"?", "é", false, false, true}, // ? is one character, not one byte
		{"??", "é", false, false, false},
		// Variables (2012-10-17).
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", false, true, true},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/bob/x", false, true, false},
		{"arn:aws:s3:::b/${AWS:UserName}/*", "arn:aws:s3:::b/alice/x", false, true, true},
		{"${missing}", "", false, true, false},
		{"${missing, 'dflt'}", "dflt", false, true, true},
		{"${multi}", "a", false, true, false},
		// A variable's value is literal text: a user named "*" gets no wildcard.
		{"arn:aws:s3:::b/${star}/*", "arn:aws:s3:::b/alice/x", false, true, false},
		{"arn:aws:s3:::b/${star}/*", "arn:aws:s3:::b/*/x", false, true, true},
		{"${*}", "*", false, true, true},
		{"${*}", "x", false, true, false},
		{"${?}${$}", "?$", false, true, true},
		// Legacy versions: ${…} is literal.
		{"${aws:username}", "${aws:username}", false, false, true},
		{"${aws:username}", "alice", false, false, false},
		{"${unterminated", "${unterminated", false, true, true},
	}
	for _, tt := range tests {
		p := compilePattern(tt.pattern, compileOptions{wildcards: true, variables: tt.vars})
		if got := p.match(tt.text, tt.fold, &ctx); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.text, got, tt.want)
		}
	}
}

// A backtracking glob matcher needs ~4000^30 steps here and would never
// finish (the test would time out); ours does ~30·4000.
func TestPatternNoExponentialBacktracking(t *testing.T) {
	p := compilePattern(strings.Repeat("*a", 30)+"*b", compileOptions{wildcards: true})
	if p.match(strings.Repeat("a", 4000), false, nil) {
		t.Fatal("matched")
	}
	if !p.match(strings.Repeat("a", 4000)+"b", false, nil) {
		t.Fatal("did not match")
	}
}
