package s3api

import (
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caudal/caudal/lake"
)

func TestTarget(t *testing.T) {
	h := New(Config{HostSuffixes: []string{"localhost", "s3.example.test", "s3.localhost"}})
	cases := []struct {
		host, path  string
		bucket, key string
		bad         bool
	}{
		{"127.0.0.1:9000", "/b/k", "b", "k", false},
		{"127.0.0.1:9000", "/", "", "", false},
		{"127.0.0.1:9000", "/b", "b", "", false},
		{"127.0.0.1:9000", "/b/", "b", "", false},
		{"127.0.0.1:9000", "/b/a%2Fb", "b", "a/b", false},
		{"127.0.0.1:9000", "/b//x", "b", "/x", false},
		{"127.0.0.1:9000", "/b/x//", "b", "x//", false},
		{"127.0.0.1:9000", "/b/a+b%20c", "b", "a+b c", false},
		{"127.0.0.1:9000", "/b/%E2%9C%93/%25", "b", "✓/%", false},
		{"127.0.0.1:9000", "/b/..%2F..%2Fetc", "b", "../../etc", false},
		{"127.0.0.1:9000", "/b/../x", "b", "../x", false},
		{"127.0.0.1:9000", "/b/%00", "b", "\x00", false},
		{"127.0.0.1:9000", "/b/%zz", "", "", true},
		{"127.0.0.1:9000", "//k", "", "", true},
		{"localhost:4566", "/b/k", "b", "k", false},
		{"localhost", "/b/k", "b", "k", false},
		{"[::1]:4566", "/b/k", "b", "k", false},
		{"example.com", "/b/k", "b", "k", false},
		{"bkt.localhost:4566", "/", "bkt", "", false},
		{"bkt.localhost:4566", "/k/x", "bkt", "k/x", false},
		{"bkt.localhost:4566", "//k", "bkt", "/k", false},
		{"BKT.LocalHost", "/k", "bkt", "k", false},
		{"a.b.localhost", "/k", "a.b", "k", false},
		{"data.s3.example.test:443", "/x%3Fy", "data", "x?y", false},
		{".localhost", "/b/k", "b", "k", false},
		{"logs.s3.localhost:4566", "/k", "logs", "k", false},
		{"s3.localhost:4566", "/b/k", "b", "k", false},
		{"bkt.localhost:4566", "/%zz", "", "", true},
	}
	for _, c := range cases {
		r := &http.Request{Method: "GET", Host: c.host, RequestURI: c.path + "?x=1", URL: &url.URL{Path: "/ignored"}}
		bucket, key, err := h.target(r)
		if c.bad {
			if err == nil {
				t.Errorf("%s %s: got %q %q, want InvalidURI", c.host, c.path, bucket, key)
			} else if e, ok := err.(*Error); !ok || e.Code != "InvalidURI" {
				t.Errorf("%s %s: %v, want InvalidURI", c.host, c.path, err)
			}
			continue
		}
		if err != nil || bucket != c.bucket || key != c.key {
			t.Errorf("%s %s = %q %q %v, want %q %q", c.host, c.path, bucket, key, err, c.bucket, c.key)
		}
	}
}

func TestRouting(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("routed")
	e.put("routed", "obj", "x")

	// Virtual-host style: the bucket is in the Host.
	req := e.newReq("GET", "/?list-type=2", nil)
	_, port, _ := net.SplitHostPort(e.srv.Listener.Addr().String())
	req.Host = "routed.localhost:" + port
	sign(t, req, nil, "", timeNow())
	resp, body := e.send(req)
	var page struct {
		Name     string
		Contents []struct{ Key string }
	}
	if resp.StatusCode != 200 || xml.Unmarshal(body, &page) != nil || page.Name != "routed" || len(page.Contents) != 1 {
		t.Errorf("virtual-host listing = %d %s", resp.StatusCode, body)
	}
	if !regexp.MustCompile(`^[0-9A-F]{16}$`).MatchString(resp.Header.Get("X-Amz-Request-Id")) || resp.Header.Get("X-Amz-Id-2") == "" {
		t.Errorf("request id headers %q %q", resp.Header.Get("X-Amz-Request-Id"), resp.Header.Get("X-Amz-Id-2"))
	}

	for _, c := range []struct {
		method, target string
		status         int
		code           string
		fields         map[string]string
	}{
		{"POST", "/", 405, "MethodNotAllowed", map[string]string{"Method": "POST", "ResourceType": "SERVICE"}},
		{"POST", "/routed", 405, "MethodNotAllowed", map[string]string{"Method": "POST", "ResourceType": "BUCKET"}},
		{"PATCH", "/routed/obj", 405, "MethodNotAllowed", map[string]string{"Method": "PATCH", "ResourceType": "OBJECT"}},
		{"GET", "/routed?analytics", 501, "NotImplemented", nil},
		{"PUT", "/routed?cors", 501, "NotImplemented", nil},
		{"PUT", "/routed?versioning", 501, "NotImplemented", nil},
		{"DELETE", "/routed?lifecycle", 501, "NotImplemented", nil},
		{"GET", "/routed/" + strings.Repeat("k", 1025), 400, "KeyTooLongError", map[string]string{"Size": "1025", "MaxSizeAllowed": "1024"}},
	} {
		resp, body := e.do(c.method, c.target, nil, nil)
		se := wantError(t, resp, body, c.status, c.code)
		for k, v := range c.fields {
			if se.Fields[k] != v {
				t.Errorf("%s %s: field %s = %q, want %q", c.method, c.target[:min(len(c.target), 40)], k, se.Fields[k], v)
			}
		}
	}
}

// TestExpectContinue: a client waiting for 100 Continue gets it and the
// request is served.
func TestExpectContinue(t *testing.T) {
	e := newS3Env(t, Config{})
	body := []byte(`<CreateBucketConfiguration><LocationConstraint>sa-east-1</LocationConstraint></CreateBucketConfiguration>`)
	req := e.newReq("PUT", "/expecting-bucket", body)
	req.Header.Set("Expect", "100-continue")
	sign(t, req, body, "", timeNow())
	tr := &http.Transport{ExpectContinueTimeout: 5e9}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT with Expect: 100-continue = %d", resp.StatusCode)
	}
	if b, err := e.lake.HeadBucket("expecting-bucket"); err != nil || b.Region != "sa-east-1" {
		t.Errorf("bucket %+v %v", b, err)
	}
}

// TestInternalErrorsDoNotLeak: an error the skin does not know is a bare
// InternalError; the detail goes to the log only.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	var log strings.Builder
	h := New(Config{Log: &log})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/b/k", nil)
	q := &request{r: req, w: rec, rw: &responseWriter{ResponseWriter: rec}, id: "ID", query: url.Values{}, op: "GetObject"}
	h.writeError(q, h.toError(q, errSecret))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret-path") || !strings.Contains(rec.Body.String(), "<Code>InternalError</Code>") {
		t.Errorf("internal error answer %d %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(log.String(), "secret-path") || !strings.Contains(log.String(), "ID") {
		t.Errorf("log lacks the detail: %q", log.String())
	}
}

// TestLakeErrorMapping: lake sentinels, however wrapped, become S3's
// codes with the fields S3 adds.
func TestLakeErrorMapping(t *testing.T) {
	h := New(Config{Log: io.Discard})
	req := httptest.NewRequest("PUT", "/bkt/some/key?uploadId=U1", nil)
	req.Header.Set("If-None-Match", "*")
	q := &request{r: req, id: "ID", query: req.URL.Query(), bucket: "bkt", key: "some/key"}
	for _, c := range []struct {
		err    error
		code   string
		status int
		field  Field
	}{
		{lake.ErrBucketNotFound, "NoSuchBucket", 404, Field{"BucketName", "bkt"}},
		{lake.ErrObjectNotFound, "NoSuchKey", 404, Field{"Key", "some/key"}},
		{lake.ErrBucketExists, "BucketAlreadyOwnedByYou", 409, Field{"BucketName", "bkt"}},
		{lake.ErrBucketNotEmpty, "BucketNotEmpty", 409, Field{"BucketName", "bkt"}},
		{lake.ErrInvalidBucketName, "InvalidBucketName", 400, Field{"BucketName", "bkt"}},
		{lake.ErrUploadNotFound, "NoSuchUpload", 404, Field{"UploadId", "U1"}},
		{lake.ErrInvalidPart, "InvalidPart", 400, Field{}},
		{lake.ErrInvalidPartOrder, "InvalidPartOrder", 400, Field{}},
		{lake.ErrEntityTooSmall, "EntityTooSmall", 400, Field{}},
		{lake.ErrInvalidPartNumber, "InvalidArgument", 400, Field{}},
		{lake.ErrInvalidRange, "InvalidRange", 416, Field{}},
		{lake.ErrInvalidChecksumAlgorithm, "InvalidRequest", 400, Field{}},
		{lake.ErrPreconditionFailed, "PreconditionFailed", 412, Field{"Condition", "If-None-Match"}},
		{lake.ErrInvalidKey, "InvalidArgument", 400, Field{}},
		{lake.ErrClosed, "ServiceUnavailable", 503, Field{}},
		{io.ErrUnexpectedEOF, "IncompleteBody", 400, Field{}},
		{os.ErrDeadlineExceeded, "RequestTimeout", 400, Field{}},
	} {
		e := h.toError(q, fmt.Errorf("lake: doing something to %q: %w", "x", c.err))
		if e.Code != c.code || e.Status != c.status {
			t.Errorf("%v = %s %d, want %s %d", c.err, e.Code, e.Status, c.code, c.status)
		}
		if c.field.Name != "" && (len(e.Fields) == 0 || e.Fields[0] != c.field) {
			t.Errorf("%v fields %v, want %v first", c.err, e.Fields, c.field)
		}
	}
}

type secretErr struct{}

func (secretErr) Error() string { return "open /var/secret-path: permission denied" }

var errSecret error = secretErr{}

// TestHostilePaths: keys that look like path traversal are just keys:
// stored and listed exactly as sent, and nothing lands outside the lake.
func TestHostilePaths(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("hostile")
	keys := map[string]string{ // wire path after /hostile/ -> key
		"..%2F..%2Fescape":       "../../escape",
		"../../escape2":          "../../escape2",
		"%2E%2E":                 "..",
		".":                      ".",
		"a/../../b":              "a/../../b",
		"/abs":                   "/abs",
		"a//b":                   "a//b",
		"sp%20ace+plus":          "sp ace+plus",
		"nul%00byte":             "nul\x00byte",
		"%E2%9C%93/%F0%9F%98%80": "✓/😀",
		"pct%2541":               "pct%41",
	}
	for wire, key := range keys {
		req := e.newReq("PUT", "/hostile/"+wire, []byte(key))
		req.URL.RawPath = "" // send the path exactly as written
		req.URL.Opaque = "//" + req.URL.Host + "/hostile/" + wire
		sign(t, req, []byte(key), "", time.Now())
		resp, body := e.send(req)
		if resp.StatusCode != 200 {
			t.Errorf("PUT %q = %d %s", wire, resp.StatusCode, body)
			continue
		}
		info, err := e.lake.HeadObject("hostile", key)
		if err != nil || info.Size != int64(len(key)) {
			t.Errorf("PUT %q: key %q not stored as sent: %v", wire, key, err)
		}
	}
	// Only the lake's own entries at its top, and only the bucket's
	// directory under objects/: a key that escaped its bucket directory
	// would show up as a stranger here (or next to the lake).
	top, err := os.ReadDir(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range top {
		switch ent.Name() {
		case "index.db", "objects", "uploads", "tmp", "LOCK":
		default:
			t.Errorf("%s appeared at the lake's top", ent.Name())
		}
	}
	buckets, err := os.ReadDir(filepath.Join(e.dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	if len(buckets) != 1 || buckets[0].Name() != "hostile" {
		t.Errorf("objects/ holds %v, want only hostile", buckets)
	}
	if ents, _ := os.ReadDir(filepath.Dir(e.dir)); len(ents) != 1 {
		t.Errorf("%d entries next to the lake, want only the lake", len(ents))
	}
	// Raw path segments with dots never leave the bucket's namespace: the
	// listing holds exactly the keys put.
	page, err := e.lake.List("hostile", lake.ListOptions{MaxKeys: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Objects) != len(keys) {
		var got []string
		for _, o := range page.Objects {
			got = append(got, o.Key)
		}
		t.Errorf("listing holds %d keys, want %d: %q", len(got), len(keys), got)
	}
}
