package s3api

import (
	"bytes"
	"context"
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
