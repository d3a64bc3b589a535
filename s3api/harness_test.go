package s3api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/lake"
)

// The key every test signs with.
const (
	testAccessKey = "AKIDCAUDALTEST000001"
	testSecret    = "caudal-test-secret-key-0000000000000000"
)

// s3env is a Handler over a real lake in a temp dir, served on loopback,
// with an AWS SDK for Go v2 S3 client pointed at it (path-style).
type s3env struct {
	t       testing.TB
	lake    *lake.Lake
	handler *Handler
	srv     *httptest.Server
	url     string // http://127.0.0.1:port
	client  *s3.Client
	dir     string           // the lake's directory
	keys    *keystore.Store  // the lake's key store
	now     func() time.Time // signing time of do's requests: cfg.Now, or time.Now
}

// newS3Env starts an env; cfg's Lake, Secret and Log are filled in.
func newS3Env(t testing.TB, cfg Config) *s3env {
	t.Helper()
	dir := t.TempDir()
	// The key store lives outside the test's temp dir: TestHostilePaths
	// checks that nothing but the lake appears next to the lake.
	ksDir, err := os.MkdirTemp("", "caudal-s3api-keys-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(ksDir) })
	ks, err := keystore.Open(keystore.Config{Dir: filepath.Join(ksDir, "keys"), MasterKey: make([]byte, 32), ConfigDir: ksDir})
	if err != nil {
		t.Fatalf("keystore.Open: %v", err)
	}
	lk, err := lake.Open(lake.Config{Dir: dir, NoSync: true, Now: cfg.Now, Keys: ks})
	if err != nil {
		t.Fatalf("lake.Open: %v", err)
	}
	cfg.Lake = lk
	cfg.Secret = func(id string) (string, bool) { return testSecret, id == testAccessKey }
	var log bytes.Buffer
	if cfg.Log == nil {
		cfg.Log = &log
	}
	h := New(cfg)
	srv := httptest.NewServer(h)
	e := &s3env{t: t, lake: lk, handler: h, srv: srv, url: srv.URL, dir: dir, keys: ks, now: time.Now}
	if cfg.Now != nil {
		e.now = cfg.Now
	}
	e.client = e.clientFor("us-east-1")
	t.Cleanup(func() {
		srv.Close()
		if err := lk.Close(); err != nil {
			t.Errorf("lake.Close: %v", err)
		}
		if strings.Contains(log.String(), "internal error") {
			t.Errorf("handler logged an internal error:\n%s", log.String())
		}
	})
	return e
}

func (e *s3env) clientFor(region string) *s3.Client {
	return s3.New(s3.Options{
		Region:       region,
		BaseEndpoint: aws.String(e.url),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
	})
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// put stores an object through the lake (bucket tests do not depend on
// the object actions).
func (e *s3env) put(bucket, key, body string) {
	e.t.Helper()
	if _, err := e.lake.PutObject(context.Background(), bucket, key, strings.NewReader(body), lake.PutOptions{}); err != nil {
		e.t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

// putAll stores keys concurrently (the lake group-commits them).
func (e *s3env) putAll(bucket string, keys []string, body string) {
	e.t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(keys))
	work := make(chan string)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range work {
				if _, err := e.lake.PutObject(context.Background(), bucket, k, strings.NewReader(body), lake.PutOptions{}); err != nil {
					errs <- fmt.Errorf("put %s/%s: %w", bucket, k, err)
				}
			}
		}()
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		e.t.Fatal(err)
	}
}

func (e *s3env) mkBucket(name string) {
	e.t.Helper()
	if err := e.lake.CreateBucket(name, ""); err != nil {
		e.t.Fatalf("create bucket %s: %v", name, err)
	}
}

var testSigner = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })

func hashHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// newReq builds a raw request to the env. target is the path and query as
// they go on the wire (already percent-encoded).
func (e *s3env) newReq(method, target string, body []byte) *http.Request {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+target, bytes.NewReader(body))
	if err != nil {
		e.t.Fatalf("NewRequest %s: %v", target, err)
	}
	if body == nil {
		req.Body = http.NoBody
	}
	return req
}

// sign signs req in the header form with payload hash (the real hash of
// body when payload is ""), as of when.
func sign(t testing.TB, req *http.Request, body []byte, payload string, when time.Time) {
	t.Helper()
	if payload == "" {
		payload = hashHex(body)
	}
	req.Header.Set("X-Amz-Content-Sha256", payload)
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	if err := testSigner.SignHTTP(context.Background(), creds, req, payload, "s3", "us-east-1", when); err != nil {
		t.Fatalf("sign: %v", err)
	}
}

// do signs (now) and sends a raw request, returning status, headers and
// body.
func (e *s3env) do(method, target string, body []byte, hdr map[string]string) (*http.Response, []byte) {
	e.t.Helper()
	req := e.newReq(method, target, body)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	sign(e.t, req, body, "", e.now())
	return e.send(req)
}

func (e *s3env) send(req *http.Request) (*http.Response, []byte) {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read body: %v", err)
	}
	return resp, b
}

// s3Err is an S3 <Error> body with every element kept.
type s3Err struct {
	Code, Message, RequestId, HostId string
	Fields                           map[string]string
}

func parseS3Error(t *testing.T, body []byte) s3Err {
	t.Helper()
	var raw struct {
		XMLName xml.Name `xml:"Error"`
		Any     []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(body, &raw); err != nil {
		t.Fatalf("error body is not an S3 <Error>: %v\n%s", err, body)
	}
	e := s3Err{Fields: map[string]string{}}
	for _, a := range raw.Any {
		switch a.XMLName.Local {
		case "Code":
			e.Code = a.Value
		case "Message":
			e.Message = a.Value
		case "RequestId":
			e.RequestId = a.Value
		case "HostId":
			e.HostId = a.Value
		default:
			e.Fields[a.XMLName.Local] = a.Value
		}
	}
	return e
}

// wantError checks an answer is S3's error code with status, in S3's
// shape (XML <Error> with RequestId and HostId matching the headers), and
// returns it.
func wantError(t *testing.T, resp *http.Response, body []byte, status int, code string) s3Err {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d (%s); body:\n%s", resp.StatusCode, status, code, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("Content-Type %q, want application/xml", ct)
	}
	if !bytes.HasPrefix(body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error>")) {
		t.Errorf("error body does not start as S3's:\n%s", body)
	}
	e := parseS3Error(t, body)
	if e.Code != code {
		t.Errorf("code %q (%s), want %q", e.Code, e.Message, code)
	}
	if e.RequestId == "" || e.RequestId != resp.Header.Get("X-Amz-Request-Id") {
		t.Errorf("RequestId %q, header %q", e.RequestId, resp.Header.Get("X-Amz-Request-Id"))
	}
	if e.HostId == "" || e.HostId != resp.Header.Get("X-Amz-Id-2") {
		t.Errorf("HostId %q, header %q", e.HostId, resp.Header.Get("X-Amz-Id-2"))
	}
	return e
}

func timeNow() time.Time { return time.Now() }
