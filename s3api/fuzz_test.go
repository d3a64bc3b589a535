package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/caudal/caudal/lake"
)

// FuzzRequestTarget sends arbitrary requests (method, Host, path, query,
// body), signed or not, through ServeHTTP over a real lake. Properties:
// it never panics; it never answers 5xx other than 501 NotImplemented;
// every answer carries a request id; nothing is created outside the
// lake's directory.
func FuzzRequestTarget(f *testing.F) {
	seeds := []struct {
		method, host, target string
		body                 []byte
		signed               bool
	}{
		{"GET", "127.0.0.1:4566", "/", nil, true},
		{"PUT", "127.0.0.1:4566", "/fuzz-bucket", nil, true},
		{"PUT", "127.0.0.1:4566", "/fuzz-bucket/..%2F..%2Fescape", []byte("x"), true},
		{"PUT", "fuzz-bucket.localhost:4566", "/../../x", []byte("x"), true},
		{"GET", "127.0.0.1:4566", "/fuzz-bucket?list-type=2&prefix=..&delimiter=/&encoding-type=url", nil, true},
		{"GET", "127.0.0.1:4566", "/fuzz-bucket?versions&key-marker=a", nil, true},
		{"GET", "127.0.0.1:4566", "/fuzz-bucket?uploads&max-uploads=2", nil, true},
		{"POST", "127.0.0.1:4566", "/fuzz-bucket?delete", []byte("<Delete><Object><Key>a</Key></Object></Delete>"), true},
		{"DELETE", "127.0.0.1:4566", "/fuzz-bucket", nil, true},
		{"HEAD", "x.localhost", "/%00", nil, false},
		{"GET", "127.0.0.1", "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a/b", nil, false},
	}
	for _, s := range seeds {
		f.Add(s.method, s.host, s.target, s.body, s.signed)
	}
	root := f.TempDir()
	dir := filepath.Join(root, "lake")
	lk, err := lake.Open(lake.Config{Dir: dir, NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { lk.Close() })
	h := New(Config{Lake: lk, Secret: func(id string) (string, bool) { return testSecret, id == testAccessKey }})
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}

	f.Fuzz(func(t *testing.T, method, host, target string, body []byte, signed bool) {
		if !validMethod(method) || len(target) == 0 || target[0] != '/' {
			return
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return // net/http refuses such a request line itself
		}
		req := &http.Request{
			Method: method, URL: u, RequestURI: target, Host: host,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Body: http.NoBody, ContentLength: int64(len(body)),
		}
		if len(body) > 0 {
			req.Body = httpBody(body)
		}
		req = req.WithContext(context.Background())
		if signed {
			payload := hashHex(body)
			req.Header.Set("X-Amz-Content-Sha256", payload)
			// The signer reads the URL; keep it consistent with the
			// request line the handler reads.
			if err := testSigner.SignHTTP(context.Background(), creds, req, payload, "s3", "us-east-1", time.Now()); err != nil {
				return
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s (Host %q) = %d\n%s", method, target, host, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("X-Amz-Request-Id") == "" {
			t.Fatalf("%s %s: no request id", method, target)
		}
		ents, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 1 || ents[0].Name() != "lake" {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Fatalf("%s %s created %v next to the lake", method, target, names)
		}
	})
}

func validMethod(m string) bool {
	if m == "" || len(m) > 16 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func httpBody(b []byte) readCloser { return readCloser{bytes.NewReader(b)} }

// FuzzAuthenticate feeds arbitrary signature material — Authorization
// header, query string (presigned forms of both versions), dates, payload
// hash, body — to authenticate. Properties: it never panics; a refusal is
// always an S3 error (toError never falls through to InternalError); an
// acceptance names the test key (nothing else has a secret).
func FuzzAuthenticate(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDCAUDALTEST000001/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "", "20240101T000000Z", "", "UNSIGNED-PAYLOAD", []byte("x"))
	f.Add("AWS AKIDCAUDALTEST000001:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=", "", "", "Tue, 27 Mar 2007 19:36:42 +0000", "", []byte{})
	f.Add("", "AWSAccessKeyId=AKIDCAUDALTEST000001&Signature=x&Expires=99999999999&uploads", "", "", "", []byte{})
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDCAUDALTEST000001%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "", "", "", []byte{})
	f.Add("AWS4-HMAC-SHA256 Credential=a/b", "X-Amz-Algorithm=x", "", "", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", []byte("5\r\nhello\r\n0\r\n\r\n"))
	h := New(Config{
		Now:    func() time.Time { return time.Date(2024, 1, 1, 0, 1, 0, 0, time.UTC) },
		Secret: func(id string) (string, bool) { return testSecret, id == testAccessKey },
	})
	f.Fuzz(func(t *testing.T, authz, rawQuery, amzDate, date, sha string, body []byte) {
		u, err := url.Parse("http://127.0.0.1/bkt/key?" + rawQuery)
		if err != nil {
			return
		}
		req := &http.Request{Method: "PUT", URL: u, RequestURI: u.RequestURI(), Host: "127.0.0.1", Header: http.Header{},
			Body: httpBody(body), ContentLength: int64(len(body))}
		for k, v := range map[string]string{"Authorization": authz, "X-Amz-Date": amzDate, "Date": date,
			"X-Amz-Content-Sha256": sha, "X-Amz-Decoded-Content-Length": "5"} {
			if v != "" {
				req.Header.Set(k, v)
			}
		}
		q := &request{r: req, query: u.Query(), bucket: "bkt", key: "key", trailer: noTrailer, contentLength: req.ContentLength}
		err = h.authenticate(q)
		if err == nil {
			if q.cred.AccessKeyID != testAccessKey {
				t.Fatalf("accepted for key %q", q.cred.AccessKeyID)
			}
			_, err = io.ReadAll(q.body)
			if err == nil {
				return
			}
		}
		if e := h.toError(q, err); e.Status >= 500 {
			t.Fatalf("refusal %v mapped to %d %s", err, e.Status, e.Code)
		}
	})
}

// FuzzListingEscape: the listing's hand-written escaping writes exactly
// what encoding/xml writes for any key.
func FuzzListingEscape(f *testing.F) {
	for _, s := range []string{"plain/key.txt", `q&<>"'`, "tab\there\r\n", "\x00\x01é✓\xff", `"etag"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got entriesXML
		got.escape(s)
		var want bytes.Buffer
		xml.EscapeText(&want, []byte(s))
		if got.String() != want.String() {
			t.Fatalf("escape(%q) = %q, encoding/xml writes %q", s, got.String(), want.String())
		}
	})
}
