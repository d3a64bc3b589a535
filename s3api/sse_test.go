package s3api

import (
	"errors"
	"net/http"
	"testing"

	"github.com/caudal/caudal/lake"
)

// FuzzSSEHeaders: any SSE header values are either refused with an S3
// *Error or accepted as AES256 or aws:kms, never with a KMS key id for
// AES256.
func FuzzSSEHeaders(f *testing.F) {
	f.Add("AES256", "", false, "")
	f.Add("aws:kms", "alias/x", true, "true")
	f.Add("aws:kms:dsse", "", false, "")
	f.Add("", "k", true, "")
	f.Fuzz(func(t *testing.T, alg, key string, hasKey bool, bucketKey string) {
		h := http.Header{}
		if alg != "" {
			h.Set("X-Amz-Server-Side-Encryption", alg)
		}
		if hasKey {
			h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", key)
		}
		h.Set("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", bucketKey)
		enc, err := sseRequest(h)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("refusal %v is not an *Error", err)
			}
			return
		}
		switch {
		case enc == nil:
			if h.Get("X-Amz-Server-Side-Encryption") != "" || hasKey {
				t.Fatalf("%q/%q accepted as no encryption", alg, key)
			}
		case enc.Algorithm == lake.SSEAES256:
			if enc.KMSKeyID != "" || hasKey {
				t.Fatal("AES256 with a KMS key")
			}
		case enc.Algorithm == lake.SSEKMS:
		default:
			t.Fatalf("accepted algorithm %q", enc.Algorithm)
		}
	})
}

func TestSSEErrorMapping(t *testing.T) {
	for _, c := range []struct {
		alg, key string
		code     string
	}{
		{"aws:kms:dsse", "", "NotImplemented"},
		{"ROT13", "", "InvalidArgument"},
		{"AES256", "alias/x", "InvalidArgument"},
		{"", "alias/x", "InvalidArgument"},
	} {
		h := http.Header{}
		if c.alg != "" {
			h.Set("X-Amz-Server-Side-Encryption", c.alg)
		}
		if c.key != "" {
			h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", c.key)
		}
		_, err := sseRequest(h)
		var e *Error
		if !errors.As(err, &e) || e.Code != c.code {
			t.Errorf("%q/%q: %v, want %s", c.alg, c.key, err, c.code)
		}
	}
}
