package s3api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// presign returns a presigned URL for method target, signed at when,
// valid for expires seconds.
func (e *s3env) presign(method, target string, when time.Time, expires int) string {
	e.t.Helper()
	req := e.newReq(method, target, nil)
	q := req.URL.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(expires))
	req.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	u, _, err := testSigner.PresignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", when)
	if err != nil {
		e.t.Fatalf("presign: %v", err)
	}
	return u
}

// signWith signs with any key. It uses a fresh signer: the SDK's signer
// caches derived keys by access key id, so a shared one would sign with
// the cached key of the right secret.
func signWith(t *testing.T, req *http.Request, payload, keyID, secret, region string, when time.Time) {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), creds, req, payload, "s3", region, when); err != nil {
		t.Fatal(err)
	}
}

func TestAuthRefusals(t *testing.T) {
	e := newS3Env(t, Config{})
	now := time.Now()
	empty := hashHex(nil)

	t.Run("anonymous", func(t *testing.T) {
		resp, body := e.send(e.newReq("GET", "/", nil))
		if se := wantError(t, resp, body, 403, "AccessDenied"); se.Message != "Access Denied" {
			t.Errorf("message %q", se.Message)
		}
	})
	t.Run("no content sha256", func(t *testing.T) {
		req := e.newReq("GET", "/", nil)
		signWith(t, req, empty, testAccessKey, testSecret, "us-east-1", now)
		resp, body := e.send(req)
		if se := wantError(t, resp, body, 400, "InvalidRequest"); se.Message != "Missing required header for this request: x-amz-content-sha256" {
			t.Errorf("message %q", se.Message)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		req := e.newReq("GET", "/", nil)
		req.Header.Set("X-Amz-Content-Sha256", empty)
		signWith(t, req, empty, testAccessKey, "not-the-secret", "us-east-1", now)
		resp, body := e.send(req)
		se := wantError(t, resp, body, 403, "SignatureDoesNotMatch")
		if se.Fields["AWSAccessKeyId"] != testAccessKey || !strings.HasPrefix(se.Fields["CanonicalRequest"], "GET\n/\n") ||
			!strings.HasPrefix(se.Fields["StringToSign"], "AWS4-HMAC-SHA256\n") ||
			!strings.HasPrefix(se.Fields["StringToSignBytes"], "41 57 53 34") || len(se.Fields["SignatureProvided"]) != 64 {
			t.Errorf("SignatureDoesNotMatch fields %q", se.Fields)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		req := e.newReq("GET", "/", nil)
		req.Header.Set("X-Amz-Content-Sha256", empty)
		signWith(t, req, empty, "AKIDUNKNOWN", testSecret, "us-east-1", now)
		resp, body := e.send(req)
		if se := wantError(t, resp, body, 403, "InvalidAccessKeyId"); se.Fields["AWSAccessKeyId"] != "AKIDUNKNOWN" {
			t.Errorf("fields %q", se.Fields)
		}
	})
	t.Run("skewed", func(t *testing.T) {
		req := e.newReq("GET", "/", nil)
		req.Header.Set("X-Amz-Content-Sha256", empty)
		signWith(t, req, empty, testAccessKey, testSecret, "us-east-1", now.Add(-time.Hour))
		resp, body := e.send(req)
		se := wantError(t, resp, body, 403, "RequestTimeTooSkewed")
		if se.Fields["MaxAllowedSkewMilliseconds"] != "900000" || se.Fields["RequestTime"] == "" || se.Fields["ServerTime"] == "" {
			t.Errorf("fields %q", se.Fields)
		}
	})
	t.Run("wrong service", func(t *testing.T) {
		req := e.newReq("GET", "/", nil)
		req.Header.Set("X-Amz-Content-Sha256", empty)
		creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
		if err := testSigner.SignHTTP(context.Background(), creds, req, empty, "kinesis", "us-east-1", now); err != nil {
			t.Fatal(err)
		}
		resp, body := e.send(req)
		if se := wantError(t, resp, body, 400, "AuthorizationHeaderMalformed"); se.Fields["Region"] != "us-east-1" {
			t.Errorf("fields %q", se.Fields)
		}
	})
	t.Run("malformed header", func(t *testing.T) {
		req := e.newReq("GET", "/", nil)
		req.Header.Set("X-Amz-Content-Sha256", empty)
		req.Header.Set("X-Amz-Date", now.UTC().Format("20060102T150405Z"))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20240101/us-east-1/s3/aws4_request, SignedHeaders=host")
		resp, body := e.send(req)
		wantError(t, resp, body, 400, "AuthorizationHeaderMalformed")
	})
	t.Run("signature v2 without a date", func(t *testing.T) {
		req := e.newReq("GET", "/", nil)
		req.Header.Set("Authorization", "AWS "+testAccessKey+":c2lnbmF0dXJl")
		resp, body := e.send(req)
		wantError(t, resp, body, 403, "AccessDenied")
	})
	t.Run("signature v2 wrong", func(t *testing.T) {
		req := e.newReq("GET", "/", nil)
		req.Header.Set("Date", now.UTC().Format(http.TimeFormat))
		req.Header.Set("Authorization", "AWS "+testAccessKey+":c2lnbmF0dXJl")
		resp, body := e.send(req)
		if se := wantError(t, resp, body, 403, "SignatureDoesNotMatch"); !strings.HasPrefix(se.Fields["StringToSign"], "GET\n\n\n") {
			t.Errorf("fields %q", se.Fields)
		}
	})
	t.Run("header and query", func(t *testing.T) {
		req, _ := http.NewRequest("GET", e.presign("GET", "/", now, 60), nil)
		req.Header.Set("X-Amz-Content-Sha256", empty)
		signWith(t, req, empty, testAccessKey, testSecret, "us-east-1", now)
		resp, body := e.send(req)
		wantError(t, resp, body, 400, "InvalidArgument")
	})
	t.Run("bad content sha256 value", func(t *testing.T) {
		req := e.newReq("GET", "/", nil)
		req.Header.Set("X-Amz-Content-Sha256", "abc")
		signWith(t, req, "abc", testAccessKey, testSecret, "us-east-1", now)
		resp, body := e.send(req)
		if se := wantError(t, resp, body, 400, "InvalidArgument"); se.Fields["ArgumentName"] != "x-amz-content-sha256" {
			t.Errorf("fields %q", se.Fields)
		}
	})
	t.Run("HEAD refusal has no body", func(t *testing.T) {
		resp, body := e.send(e.newReq("HEAD", "/some-bucket", nil))
		if resp.StatusCode != 403 || len(body) != 0 || resp.Header.Get("X-Amz-Request-Id") == "" {
			t.Errorf("HEAD anonymous = %d, %d body bytes", resp.StatusCode, len(body))
		}
	})
}

func TestPresigned(t *testing.T) {
	e := newS3Env(t, Config{})
	now := time.Now()
	get := func(u string) (*http.Response, []byte) {
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return e.send(req)
	}
	resp, body := get(e.presign("GET", "/", now, 300))
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<ListAllMyBucketsResult") {
		t.Fatalf("presigned ListBuckets = %d %s", resp.StatusCode, body)
	}
	// A presigned PUT of a bucket with a body (UNSIGNED-PAYLOAD).
	req, _ := http.NewRequest("PUT", e.presign("PUT", "/presigned-bucket", now, 300),
		strings.NewReader(`<CreateBucketConfiguration><LocationConstraint>eu-west-2</LocationConstraint></CreateBucketConfiguration>`))
	if resp, body := e.send(req); resp.StatusCode != 200 {
		t.Fatalf("presigned CreateBucket = %d %s", resp.StatusCode, body)
	}
	if b, err := e.lake.HeadBucket("presigned-bucket"); err != nil || b.Region != "eu-west-2" {
		t.Errorf("presigned bucket %+v %v", b, err)
	}

	resp, body = get(e.presign("GET", "/", now.Add(-2*time.Hour), 60))
	se := wantError(t, resp, body, 403, "AccessDenied")
	if se.Message != "Request has expired" || se.Fields["X-Amz-Expires"] != "60" || se.Fields["Expires"] == "" || se.Fields["ServerTime"] == "" {
		t.Errorf("expired presign = %q %q", se.Message, se.Fields)
	}

	resp, body = get(e.presign("GET", "/", now, 604801))
	wantError(t, resp, body, 400, "AuthorizationQueryParametersError")

	u := e.presign("GET", "/", now, 60)
	i := strings.Index(u, "X-Amz-Signature=")
	resp, body = get(u[:i-1])
	wantError(t, resp, body, 400, "AuthorizationQueryParametersError")

	// A tampered presigned URL (another path) does not verify.
	resp, body = get(strings.Replace(e.presign("GET", "/aaa-bucket", now, 60), "/aaa-bucket", "/bbb-bucket", 1))
	wantError(t, resp, body, 403, "SignatureDoesNotMatch")
}

// TestPayloadHash: a body that is not the one whose hash was signed is
// refused and changes nothing; UNSIGNED-PAYLOAD takes the body as it is.
func TestPayloadHash(t *testing.T) {
	e := newS3Env(t, Config{})
	good := []byte(`<CreateBucketConfiguration><LocationConstraint>eu-west-3</LocationConstraint></CreateBucketConfiguration>`)
	evil := []byte(`<CreateBucketConfiguration><LocationConstraint>ap-east-1</LocationConstraint></CreateBucketConfiguration>`)
	req := e.newReq("PUT", "/hashed-bucket", evil)
	sign(t, req, good, "", time.Now())
	resp, body := e.send(req)
	se := wantError(t, resp, body, 400, "XAmzContentSHA256Mismatch")
	if se.Fields["ClientComputedContentSHA256"] != hashHex(good) || se.Fields["S3ComputedContentSHA256"] != hashHex(evil) {
		t.Errorf("fields %q", se.Fields)
	}
	if _, err := e.lake.HeadBucket("hashed-bucket"); err == nil {
		t.Error("bucket created from a body whose hash did not match")
	}

	req = e.newReq("PUT", "/unsigned-bucket", good)
	sign(t, req, good, "UNSIGNED-PAYLOAD", time.Now())
	if resp, body := e.send(req); resp.StatusCode != 200 {
		t.Fatalf("UNSIGNED-PAYLOAD CreateBucket = %d %s", resp.StatusCode, body)
	}
	if b, err := e.lake.HeadBucket("unsigned-bucket"); err != nil || b.Region != "eu-west-3" {
		t.Errorf("unsigned bucket %+v %v", b, err)
	}
}
