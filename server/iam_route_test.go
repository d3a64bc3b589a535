package server

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSignedFor(t *testing.T) {
	for _, c := range []struct {
		authz, query string
		want         bool
	}{
		{"AWS4-HMAC-SHA256 Credential=AKIA/20261126/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x", "", true},
		{"AWS4-HMAC-SHA256 Credential=AKIA/20261126/us-east-1/iam/aws4_request,SignedHeaders=host,Signature=x", "", true},
		{"AWS4-HMAC-SHA256 Credential=AKIA/20261126/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x", "", false},
		{"AWS4-HMAC-SHA256 Credential=AKIA/20261126/iam/aws4_request, SignedHeaders=host", "", false}, // four parts
		{"AWS4-HMAC-SHA256 Credential=", "", false},
		{"AWS AKIA:signature", "", false}, // SigV2 (S3 only)
		{"garbage iam", "", false},
		{"", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261126%2Fus-east-1%2Fiam%2Faws4_request", true},
		{"", "X-Amz-Credential=AKIA%2F20261126%2Fus-east-1%2Fs3%2Faws4_request", false},
		{"", "X-Amz-Credential=%zz", false},
		{"", "", false},
		{"AWS4-HMAC-SHA256 Credential=" + strings.Repeat("/", 10000), "", false},
	} {
		r := httptest.NewRequest("POST", "/?"+c.query, nil)
		if c.authz != "" {
			r.Header.Set("Authorization", c.authz)
		}
		if got := signedFor(r, "iam"); got != c.want {
			t.Errorf("signedFor(%q, %q) = %v, want %v", c.authz, c.query, got, c.want)
		}
	}
}

func BenchmarkSignedFor(b *testing.B) {
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261126/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
	b.ReportAllocs()
	for b.Loop() {
		if signedFor(r, "iam") {
			b.Fatal("kinesis request routed to IAM")
		}
	}
}
