package kinesis

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

// testAccount is the account of every test engine and skin.
const testAccount = "123456789012"

// harness is a real engine on a temp dir behind the Kinesis skin on a
// loopback httptest server. The middleware stands in for the server's
// SigV4 check: it takes the region from the Authorization header's
// credential scope (as SigV4 verification would) and puts the Caller in
// the request context.
type harness struct {
	// subject is who the middleware says signed each request: the root
	// principal unless a test sets another (authorize_test.go).
	subject atomic.Pointer[auth.Subject]

	t   testing.TB
	e   *stream.Engine
	srv *httptest.Server
	kc  *kinesis.Client
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with the engine's configuration adjusted
// by configure.
func newHarnessWith(t testing.TB, configure func(*stream.Config)) *harness {
	t.Helper()
	cfg := stream.Config{Dir: t.TempDir(), AccountID: testAccount, RetentionInterval: -1}
	if ks, err := keystore.Open(keystore.Config{Dir: t.TempDir(), MasterKey: make([]byte, 32), ConfigDir: t.TempDir(), AccountID: testAccount}); err == nil {
		cfg.Keys = ks // encryption at rest (StartStreamEncryption)
	} else {
		t.Fatalf("keystore: %v", err)
	}
	if configure != nil {
		configure(&cfg)
	}
	e, err := stream.Open(cfg)
	if err != nil {
		t.Fatalf("open engine: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("close engine: %v", err)
		}
	})
	svc := New(e, testAccount)
	h := &harness{t: t, e: e}
	h.subject.Store(rootSubject)
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := protocol.Caller{AccessKeyID: "AKIDTEST", Region: scopeRegion(r.Header.Get("Authorization")), Subject: h.subject.Load()}
		svc.ServeHTTP(w, r.WithContext(protocol.WithCaller(r.Context(), c)))
	}))
	t.Cleanup(h.srv.Close)
	h.kc = h.client("us-east-1")
	return h
}

// scopeRegion is the region of a SigV4 Authorization header's credential
// scope ("Credential=AKID/20260101/us-east-1/kinesis/aws4_request"), or ""
// (the skin's default) when there is none.
func scopeRegion(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

// client is an AWS SDK for Go v2 Kinesis client for region, with retries
// off so that every error reaches the test.
func (h *harness) client(region string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       region,
		BaseEndpoint: aws.String(h.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   h.srv.Client(),
	})
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// raw posts body to operation op as the JSON 1.1 protocol, with region in
// the credential scope when region is not "", and returns the status and
// body of the answer.
func (h *harness) raw(op, region, body string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/", strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", TargetPrefix+"."+op)
	if region != "" {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/"+region+"/kinesis/aws4_request, SignedHeaders=host, Signature=00")
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s: %v", op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s: read answer: %v", op, err)
	}
	return resp.StatusCode, string(b)
}

// createStream creates a PROVISIONED stream of n shards with the engine.
func (h *harness) createStream(name string, n int) {
	h.t.Helper()
	if err := h.e.CreateStream("us-east-1", name, stream.CreateOptions{ShardCount: n, Mode: stream.ModeProvisioned}); err != nil {
		h.t.Fatalf("create %s: %v", name, err)
	}
}

func (h *harness) arn(name string) string {
	return "arn:aws:kinesis:us-east-1:" + testAccount + ":stream/" + name
}

// clock is a settable clock for the engine.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
