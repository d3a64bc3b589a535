package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testID     = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var signTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func hashHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// result is what the test server reports about one verification.
type result struct {
	OK      bool
	Code    string
	Kind    Kind
	Message string
	Cred    Credential
}

// verifyServer runs a real HTTP server whose handler verifies each request
// with v, hashing the body it read (or taking UNSIGNED-PAYLOAD when the
// X-Test-Unsigned header says so), and answers the outcome as JSON.
func verifyServer(t *testing.T, v *Verifier) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		ph := hashHex(body)
		if r.Header.Get("X-Test-Unsigned") != "" {
			ph = UnsignedPayload
		}
		cred, err := v.Verify(r, ph)
		var res result
		if err == nil {
			res = result{OK: true, Cred: cred}
		} else {
			e, ok := err.(*Error)
			if !ok {
				t.Errorf("Verify returned %T, want *Error", err)
				return
			}
			if e.Status != 400 {
				t.Errorf("status %d, want 400", e.Status)
			}
			res = result{Code: e.Code, Kind: e.Kind, Message: e.Message}
		}
		json.NewEncoder(w).Encode(res)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, r *http.Request) result {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	defer resp.Body.Close()
	var res result
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatalf("decode result: %v", err)
	}
	return res
}

func newVerifier(now time.Time) *Verifier {
	return &Verifier{
		Secret: func(id string) (string, bool) {
			if id == testID {
				return testSecret, true
			}
			return "", false
		},
		Now: func() time.Time { return now },
	}
}

// kinesisRequest is a PutRecord-like request to srv.
func kinesisRequest(t *testing.T, url string, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecord")
	return r
}

func sign(t *testing.T, r *http.Request, body, id, secret, service, region string, at time.Time) {
	t.Helper()
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: secret},
		r, hashHex([]byte(body)), service, region, at)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
}

const mismatchPrefix = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func TestVerifyHeaderSignedBySDK(t *testing.T) {
	const body = `{"StreamName":"s","Data":"aGk=","PartitionKey":"k"}`
	srv := verifyServer(t, newVerifier(signTime.Add(time.Minute)))

	tests := []struct {
		name     string
		id       string // default testID
		secret   string // default testSecret
		service  string // default kinesis
		region   string // default us-east-1
		at       time.Time
		tamper   func(r *http.Request)
		body     string // sent body when it differs from the signed one
		wantCode string
		wantKind Kind
		wantMsg  string // prefix
	}{
		{name: "valid"},
		{name: "valid other region", region: "eu-west-3"},
		{name: "valid any service without Verifier.Service", service: "firehose"},
		{name: "valid 14 minutes old", at: signTime.Add(-13 * time.Minute)},
		{name: "body changed", body: `{"StreamName":"t","Data":"aGk=","PartitionKey":"k"}`,
			wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "signed header changed", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Target", "Kinesis_20131202.DeleteStream") },
			wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "query added", tamper: func(r *http.Request) { r.URL.RawQuery = "a=b" },
			wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "path changed", tamper: func(r *http.Request) { r.URL.Path = "/x" },
			wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "date changed within window", tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", signTime.Add(time.Second).Format(timeFormat))
		}, wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "date changed to another day", tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", signTime.Add(-4*time.Minute).Format(timeFormat)) // 2024-01-02 02:60 is still the same day
			r.Header.Set("X-Amz-Date", "20240102T025905Z")
		}, wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "expired", at: signTime.Add(-15*time.Minute - time.Second),
			wantCode: "InvalidSignatureException", wantKind: KindExpired,
			wantMsg: "Signature expired: 20240102T024904Z is now earlier than 20240102T025005Z (20240102T030505Z - 15 min.)"},
		{name: "not yet current", at: signTime.Add(17 * time.Minute),
			wantCode: "InvalidSignatureException", wantKind: KindNotYetValid,
			wantMsg: "Signature not yet current: 20240102T032105Z is still later than 20240102T032005Z (20240102T030505Z + 15 min.)"},
		{name: "region rewritten", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/", "/us-west-2/", 1))
		}, wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "unknown key", id: "AKIAUNKNOWNUNKNOWN00",
			wantCode: "UnrecognizedClientException", wantKind: KindUnknownKey,
			wantMsg: "The security token included in the request is invalid."},
		{name: "wrong secret", secret: "x" + testSecret[1:],
			wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "signature flipped", tamper: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := a[len(a)-1]
			flip := byte('0')
			if last == '0' {
				flip = '1'
			}
			r.Header.Set("Authorization", a[:len(a)-1]+string(flip))
		}, wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "no authorization", tamper: func(r *http.Request) { r.Header.Del("Authorization") },
			wantCode: "MissingAuthenticationTokenException", wantKind: KindMissing, wantMsg: "Missing Authentication Token"},
		{name: "empty authorization", tamper: func(r *http.Request) { r.Header.Set("Authorization", " ") },
			wantCode: "MissingAuthenticationTokenException", wantKind: KindMissing, wantMsg: "Missing Authentication Token"},
		{name: "garbage authorization", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", "X")
			r.Header.Del("X-Amz-Date")
		}, wantCode: "IncompleteSignatureException", wantKind: KindIncomplete,
			wantMsg: "Authorization header requires 'Credential' parameter. " +
				"Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=X"},
		{name: "missing SignedHeaders", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4- Signature=b, Credential=a")
		}, wantCode: "IncompleteSignatureException", wantKind: KindIncomplete,
			wantMsg: "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a"},
		{name: "bad date format", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Date", "201") },
			wantCode: "IncompleteSignatureException", wantKind: KindIncomplete,
			wantMsg: "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "host not signed", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=", "SignedHeaders=x-amz-date;", 1))
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host;", "", 1))
		}, wantCode: "InvalidSignatureException", wantKind: KindHostNotSigned,
			wantMsg: "'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "unsupported algorithm", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA25", 1))
		}, wantCode: "IncompleteSignatureException", wantKind: KindIncomplete,
			wantMsg: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "},
		{name: "credential with four elements", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/kinesis/", "/", 1))
		}, wantCode: "IncompleteSignatureException", wantKind: KindIncomplete,
			wantMsg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + testID + "/20240102/us-east-1/aws4_request'"},
		{name: "scope date differs from X-Amz-Date", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20240102/", "/20240101/", 1))
		}, wantCode: "InvalidSignatureException", wantKind: KindScope,
			wantMsg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240101' != '20240102', from '20240102T030405Z'."},
		{name: "bad terminator", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request", "/aws5_request", 1))
		}, wantCode: "InvalidSignatureException", wantKind: KindScope,
			wantMsg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "},
		{name: "both header and query", tamper: func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm" },
			wantCode: "InvalidSignatureException", wantKind: KindBoth,
			wantMsg: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
		{name: "not a key=value pair", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders")
		}, wantCode: "IncompleteSignatureException", wantKind: KindIncomplete,
			wantMsg: "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, secret, service, region, at := testID, testSecret, "kinesis", "us-east-1", signTime
			if tc.id != "" {
				id = tc.id
			}
			if tc.secret != "" {
				secret = tc.secret
			}
			if tc.service != "" {
				service = tc.service
			}
			if tc.region != "" {
				region = tc.region
			}
			if !tc.at.IsZero() {
				at = tc.at
			}
			sent := body
			if tc.body != "" {
				sent = tc.body
			}
			r := kinesisRequest(t, srv.URL, sent)
			sign(t, r, body, id, secret, service, region, at)
			if tc.tamper != nil {
				tc.tamper(r)
			}
			res := send(t, r)
			if tc.wantCode == "" {
				if !res.OK {
					t.Fatalf("refused: %s: %s", res.Code, res.Message)
				}
				want := Credential{AccessKeyID: id, Date: at.Format("20060102"), Region: region, Service: service}
				if res.Cred != want {
					t.Errorf("credential %+v, want %+v", res.Cred, want)
				}
				return
			}
			if res.OK {
				t.Fatalf("accepted, want %s", tc.wantCode)
			}
			if res.Code != tc.wantCode || res.Kind != tc.wantKind {
				t.Errorf("got %s (kind %d): %q, want %s (kind %d)", res.Code, res.Kind, res.Message, tc.wantCode, tc.wantKind)
			}
			if !strings.HasPrefix(res.Message, tc.wantMsg) {
				t.Errorf("message\n%q\nwant prefix\n%q", res.Message, tc.wantMsg)
			}
		})
	}
}

func TestVerifyServiceScope(t *testing.T) {
	v := newVerifier(signTime)
	v.Service = "kinesis"
	srv := verifyServer(t, v)
	r := kinesisRequest(t, srv.URL, "{}")
	sign(t, r, "{}", testID, testSecret, "s3", "us-east-1", signTime)
	res := send(t, r)
	if res.OK || res.Code != "InvalidSignatureException" || res.Kind != KindScope ||
		res.Message != "Credential should be scoped to correct service: 'kinesis'. " {
		t.Fatalf("got %+v", res)
	}
}

// TestVerifyCanonicalization signs requests whose paths, queries and header
// values need SigV4's canonical forms, so both sides must agree on them.
func TestVerifyCanonicalization(t *testing.T) {
	srv := verifyServer(t, newVerifier(signTime))
	tests := []struct {
		name  string
		path  string
		query string
		hdrs  [][2]string
	}{
		{name: "escaped path", path: "/a%20b/c~d/%E2%82%AC"},
		{name: "query sorted and escaped", query: "b=2&a=1&a=0&c=%2F%20x&d=&e"},
		{name: "plus is space", query: "q=a+b"},
		{name: "header whitespace folded", hdrs: [][2]string{{"X-Amz-Meta-A", "  a   b \t c  "}}},
		{name: "multiple values", hdrs: [][2]string{{"X-Amz-Meta-M", "one"}, {"X-Amz-Meta-M", " two "}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "/"
			}
			u := srv.URL + path
			if tc.query != "" {
				u += "?" + tc.query
			}
			r, err := http.NewRequest(http.MethodPost, u, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tc.hdrs {
				r.Header.Add(h[0], h[1])
			}
			sign(t, r, "{}", testID, testSecret, "kinesis", "us-east-1", signTime)
			if res := send(t, r); !res.OK {
				t.Fatalf("refused: %s: %s", res.Code, res.Message)
			}
		})
	}
}

func TestVerifyPresignedBySDK(t *testing.T) {
	tests := []struct {
		name     string
		now      time.Time
		query    string // extra query before presigning
		tamper   func(u string) string
		wantCode string
		wantKind Kind
		wantMsg  string
	}{
		{name: "valid", now: signTime.Add(time.Minute)},
		{name: "valid without expiry inside skew", now: signTime.Add(time.Minute), query: "-"},
		{name: "valid at expiry", now: signTime.Add(300 * time.Second)},
		{name: "expired", now: signTime.Add(301 * time.Second),
			wantCode: "InvalidSignatureException", wantKind: KindExpired, wantMsg: "Signature expired: 20240102T030405Z is now earlier than"},
		{name: "not yet current", now: signTime.Add(-16 * time.Minute),
			wantCode: "InvalidSignatureException", wantKind: KindNotYetValid, wantMsg: "Signature not yet current"},
		{name: "query value changed", now: signTime, tamper: func(u string) string {
			return strings.Replace(u, "prefix=logs", "prefix=other", 1)
		}, wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "expiry extended", now: signTime, tamper: func(u string) string {
			return strings.Replace(u, "X-Amz-Expires=300", "X-Amz-Expires=3000", 1)
		}, wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "signature changed", now: signTime, tamper: func(u string) string {
			i := strings.Index(u, "X-Amz-Signature=") + len("X-Amz-Signature=")
			c := byte('0')
			if u[i] == '0' {
				c = '1'
			}
			return u[:i] + string(c) + u[i+1:]
		}, wantCode: "InvalidSignatureException", wantKind: KindMismatch, wantMsg: mismatchPrefix},
		{name: "credential dropped", now: signTime, tamper: func(u string) string {
			return dropParam(u, "X-Amz-Credential")
		}, wantCode: "IncompleteSignatureException", wantKind: KindIncomplete,
			wantMsg: "AWS query-string parameters must include 'X-Amz-Credential'. Re-examine the query-string parameters."},
		{name: "expires too long", now: signTime, query: "X-Amz-Expires=604801",
			wantCode: "IncompleteSignatureException", wantKind: KindIncomplete,
			wantMsg: "X-Amz-Expires must be less than a week (in seconds)"},
		{name: "expires not a number", now: signTime, query: "X-Amz-Expires=soon",
			wantCode: "IncompleteSignatureException", wantKind: KindIncomplete, wantMsg: "X-Amz-Expires should be a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerifier(tc.now)
			v.DisableURIPathEscaping = true // S3's path rule
			srv := verifyServer(t, v)
			q := "prefix=logs&X-Amz-Expires=300"
			switch {
			case tc.query == "-":
				q = "prefix=logs"
			case tc.query != "":
				q = "prefix=logs&" + tc.query
			}
			r, err := http.NewRequest(http.MethodGet, srv.URL+"/bucket/key%20name?"+q, nil)
			if err != nil {
				t.Fatal(err)
			}
			signed, hdr, err := v4.NewSigner().PresignHTTP(context.Background(),
				aws.Credentials{AccessKeyID: testID, SecretAccessKey: testSecret},
				r, UnsignedPayload, "s3", "us-east-1", signTime, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
			if err != nil {
				t.Fatal(err)
			}
			if tc.tamper != nil {
				signed = tc.tamper(signed)
			}
			req, err := http.NewRequest(http.MethodGet, signed, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, vs := range hdr {
				if strings.EqualFold(k, "host") {
					continue
				}
				req.Header[k] = vs
			}
			req.Header.Set("X-Test-Unsigned", "1")
			res := send(t, req)
			if tc.wantCode == "" {
				if !res.OK {
					t.Fatalf("refused: %s: %s (url %s)", res.Code, res.Message, signed)
				}
				if res.Cred.Service != "s3" || res.Cred.AccessKeyID != testID {
					t.Errorf("credential %+v", res.Cred)
				}
				return
			}
			if res.OK {
				t.Fatalf("accepted, want %s", tc.wantCode)
			}
			if res.Code != tc.wantCode || res.Kind != tc.wantKind || !strings.HasPrefix(res.Message, tc.wantMsg) {
				t.Errorf("got %s (kind %d) %q, want %s (kind %d) %q", res.Code, res.Kind, res.Message, tc.wantCode, tc.wantKind, tc.wantMsg)
			}
		})
	}
}

func dropParam(u, name string) string {
	i := strings.Index(u, name+"=")
	j := strings.IndexByte(u[i:], '&')
	if j < 0 {
		return u[:i-1]
	}
	return u[:i] + u[i+j+1:]
}

// TestVerifyPresignedDoubleEscapedPath checks the non-S3 path rule: other
// services escape the path a second time.
func TestVerifyPresignedDoubleEscapedPath(t *testing.T) {
	v := newVerifier(signTime)
	srv := verifyServer(t, v)
	r, _ := http.NewRequest(http.MethodGet, srv.URL+"/a%20b?X-Amz-Expires=60", nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: testID, SecretAccessKey: testSecret}, r, EmptyPayloadHash, "kinesis", "us-east-1", signTime)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, signed, nil)
	if res := send(t, req); !res.OK {
		t.Fatalf("refused: %s: %s", res.Code, res.Message)
	}
}

func TestParseAuthorization(t *testing.T) {
	good := "AWS4-HMAC-SHA256 Credential=" + testID + "/20240102/us-east-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + strings.Repeat("ab", 32)
	a, err := ParseAuthorization(good)
	if err != nil {
		t.Fatal(err)
	}
	want := Credential{AccessKeyID: testID, Date: "20240102", Region: "us-east-1", Service: "kinesis"}
	if a.Credential != want || a.Algorithm != Algorithm || strings.Join(a.SignedHeaders, ";") != "content-type;host;x-amz-date" {
		t.Errorf("parsed %+v", a)
	}
	bad := []struct{ h, code string }{
		{"", "IncompleteSignatureException"},
		{"AWS4-HMAC-SHA256", "IncompleteSignatureException"},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host", "IncompleteSignatureException"},
		{strings.Replace(good, "SignedHeaders=content-type;host;x-amz-date", "SignedHeaders=content-type", 1), "InvalidSignatureException"},
		{strings.Replace(good, "SignedHeaders=content-type;", "SignedHeaders=Content-Type;", 1), "InvalidSignatureException"},
		{strings.Replace(good, "host;", ";host;", 1), "InvalidSignatureException"},
		{strings.Replace(good, "/us-east-1/", "/US EAST/", 1), "IncompleteSignatureException"},
		{strings.Replace(good, "/us-east-1/", "/US/", 1), "InvalidSignatureException"},
		{strings.Replace(good, "/20240102/", "/2024-1-2/", 1), "InvalidSignatureException"},
		{strings.Replace(good, "/kinesis/", "//", 1), "InvalidSignatureException"},
		{strings.Replace(good, testID+"/", "/", 1), "UnrecognizedClientException"},
		{strings.Replace(good, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1), "IncompleteSignatureException"},
	}
	for _, tc := range bad {
		_, err := ParseAuthorization(tc.h)
		e, ok := err.(*Error)
		if !ok || e.Code != tc.code {
			t.Errorf("ParseAuthorization(%q) = %v, want %s", tc.h, err, tc.code)
		}
	}
}

// FuzzParseAuthorization: never panics; whatever it accepts is well formed
// (every scope element present and sane, host signed, the right algorithm),
// and rendering the result back parses to the same value.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AK/20240102/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
	f.Add("AWS4-HMAC-SHA256 Credential=AK/20240102/us-east-1/kinesis/aws4_request,SignedHeaders=host,Signature=0")
	f.Add("X")
	f.Add("AWS4- Signature=b Credential=a")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e/, SignedHeaders=host;;, Signature==")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T, want *Error", err)
			}
			return
		}
		c := a.Credential
		if a.Algorithm != Algorithm || c.AccessKeyID == "" || !validScopeDate(c.Date) || !validRegion(c.Region) ||
			c.Service == "" || a.Signature == "" || !containsHost(a.SignedHeaders) {
			t.Fatalf("accepted garbage %q: %+v", h, a)
		}
		for _, s := range []string{c.AccessKeyID, c.Service} {
			if strings.ContainsAny(s, "/, \t") {
				t.Fatalf("accepted %q with separator inside an element: %+v", h, a)
			}
		}
		// The signature is not part of the slash-separated scope: a '/' in
		// it is only a wrong signature, which Verify refuses as a mismatch
		// (InvalidSignatureException), as AWS does.
		if strings.ContainsAny(a.Signature, ", \t") {
			t.Fatalf("accepted %q with separator inside the signature: %+v", h, a)
		}
		again := Algorithm + " Credential=" + c.AccessKeyID + "/" + c.Date + "/" + c.Region + "/" + c.Service + "/aws4_request, SignedHeaders=" +
			strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature
		b, err := ParseAuthorization(again)
		if err != nil {
			t.Fatalf("re-rendered %q does not parse: %v", again, err)
		}
		if b.Credential != a.Credential || b.Signature != a.Signature || strings.Join(b.SignedHeaders, ";") != strings.Join(a.SignedHeaders, ";") {
			t.Fatalf("round trip changed %+v into %+v", a, b)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
	ph := hashHex(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testID, SecretAccessKey: testSecret},
		r, ph, "kinesis", "us-east-1", signTime); err != nil {
		b.Fatal(err)
	}
	v := newVerifier(signTime)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, ph); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVerifyDateHeader: without X-Amz-Date the Date header dates the
// signature, in ISO 8601 basic form or as an HTTP date; X-Amz-Date wins
// when both are present.
func TestVerifyDateHeader(t *testing.T) {
	srv := verifyServer(t, newVerifier(signTime))
	for _, tc := range []struct {
		name  string
		date  string
		extra string // X-Amz-Date sent besides, unsigned-for-the-date
		ok    bool
	}{
		{name: "ISO basic", date: signTime.Format(timeFormat), ok: true},
		{name: "HTTP date", date: signTime.Format(http.TimeFormat), ok: true},
		{name: "X-Amz-Date wins", date: "Mon, 01 Jan 2024 00:00:00 GMT", extra: signTime.Format(timeFormat), ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := kinesisRequest(t, srv.URL, "{}")
			sign(t, r, "{}", testID, testSecret, "kinesis", "us-east-1", signTime)
			// Re-sign by hand with Date instead of X-Amz-Date: take the
			// SDK's signed header list and swap the date header.
			auth := r.Header.Get("Authorization")
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", tc.date)
			if tc.extra != "" {
				r.Header.Set("X-Amz-Date", tc.extra)
			} else {
				auth = strings.Replace(auth, "x-amz-date", "date", 1)
			}
			r.Header.Set("Authorization", resign(t, r, auth))
			res := send(t, r)
			if res.OK != tc.ok {
				t.Fatalf("got %+v, want ok=%v", res, tc.ok)
			}
		})
	}
}

// resign recomputes the signature of auth for r as the server will see it,
// with this package's canonicalization (checked against the SDKs above).
func resign(t *testing.T, r *http.Request, auth string) string {
	t.Helper()
	p, _, err := parseParams(auth)
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := splitSignedHeaders(p.signedHeaders)
	sr := r.Clone(context.Background())
	sr.RequestURI = r.URL.RequestURI()
	if sr.Host == "" {
		sr.Host = r.URL.Host
	}
	canonical := canonicalRequest(sr, signed, p.signedHeaders, hashHex([]byte("{}")), false, false)
	sum := sha256.Sum256(canonical)
	sts := Algorithm + "\n" + signTime.Format(timeFormat) + "\n20240102/us-east-1/kinesis/aws4_request\n" + hex.EncodeToString(sum[:])
	key := deriveKey(testSecret, "20240102", "us-east-1", "kinesis")
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte(sts))
	return strings.Replace(auth, p.signature, hex.EncodeToString(m.Sum(nil)), 1)
}

// FuzzVerify: arbitrary Authorization headers, dates and query strings
// never panic Verify, every failure is an *Error with a known code and
// status 400, and nothing is accepted without the right signature.
func FuzzVerify(f *testing.F) {
	good := kinesisRequestForFuzz()
	f.Add(good.Header.Get("Authorization"), good.Header.Get("X-Amz-Date"), "")
	f.Add("X", "", "")
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb&X-Amz-Date=20240102T030405Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=60")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240102/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0", "Tue, 02 Jan 2024 03:04:05 GMT", "a=%zz&b")
	codes := map[string]bool{codeMissing: true, codeIncomplete: true, codeInvalid: true, codeUnknownKey: true}
	v := newVerifier(signTime)
	f.Fuzz(func(t *testing.T, authz, date, query string) {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader("{}"))
		r.URL.RawQuery = query
		r.RequestURI = "/?" + query
		if authz != "" {
			r.Header["Authorization"] = []string{authz}
		}
		if date != "" {
			r.Header["X-Amz-Date"] = []string{date}
		}
		_, err := v.Verify(r, EmptyPayloadHash)
		if err == nil {
			// Only the genuine signature, however the header is spaced,
			// may pass.
			p, _, perr := parseParams(authz)
			gp, _, _ := parseParams(good.Header.Get("Authorization"))
			if perr != nil || p.signature != gp.signature || date != good.Header.Get("X-Amz-Date") {
				t.Fatalf("accepted authz=%q date=%q query=%q", authz, date, query)
			}
			return
		}
		if authz == good.Header.Get("Authorization") && date == good.Header.Get("X-Amz-Date") && query == "" {
			t.Fatalf("the genuine request was refused: %v", err)
		}
		e, ok := err.(*Error)
		if !ok || !codes[e.Code] || e.Status != 400 || e.Kind == 0 {
			t.Fatalf("error %#v", err)
		}
	})
}

func kinesisRequestForFuzz() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader("{}"))
	// Signed with the empty-body hash FuzzVerify passes to Verify.
	_ = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testID, SecretAccessKey: testSecret},
		r, EmptyPayloadHash, "kinesis", "us-east-1", signTime)
	return r
}
