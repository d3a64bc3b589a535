package glue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/sigv4"
)

const (
	testAccount = "123456789012"
	testKeyID   = "AKIDGLUETEST"
	testSecret  = "glue-test-secret"
)

// harness is a real catalog on a temp dir behind the Glue skin on a
// loopback httptest server. Its Auth hook verifies SigV4 exactly as the
// server's does (signing name "glue", payload hash from the body read), so
// the SDK's signing is exercised for real.
type harness struct {
	// subject is who the Auth hook says signed each request: the root
	// principal unless a test sets another (authorize_test.go).
	subject atomic.Pointer[auth.Subject]

	t   testing.TB
	cat *catalog.Catalog
	srv *httptest.Server
	gc  *glue.Client
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	cat, err := catalog.Open(catalog.Config{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatalf("open catalog: %v", err)
	}
	t.Cleanup(func() {
		if err := cat.Close(); err != nil {
			t.Errorf("close catalog: %v", err)
		}
	})
	svc := New(cat, testAccount)
	h := &harness{t: t, cat: cat}
	h.subject.Store(rootSubject)
	verifier := &sigv4.Verifier{
		Secret: func(id string) (string, bool) {
			return testSecret, id == testKeyID
		},
		Now:     time.Now,
		MaxSkew: 15 * time.Minute,
		Service: SigningName,
	}
	svc.Auth = func(r *http.Request, body []byte) (protocol.Caller, error) {
		sum := sha256.Sum256(body)
		cred, err := verifier.Verify(r, hex.EncodeToString(sum[:]))
		if err != nil {
			var se *sigv4.Error
			if errors.As(err, &se) {
				return protocol.Caller{}, &protocol.Error{Code: se.Code, Status: se.Status, Message: se.Message}
			}
			return protocol.Caller{}, err
		}
		return protocol.Caller{AccessKeyID: cred.AccessKeyID, Region: cred.Region, Subject: h.subject.Load()}, nil
	}
	h.srv = httptest.NewServer(svc)
	t.Cleanup(h.srv.Close)
	h.gc = h.client(testKeyID, testSecret)
	return h
}

// client is an AWS SDK for Go v2 Glue client with retries off so that
// every error reaches the test.
func (h *harness) client(id, secret string) *glue.Client {
	return glue.New(glue.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(h.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   h.srv.Client(),
	})
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// raw posts body to operation op as JSON 1.1, SigV4-signed with the test
// key, and returns the status and body of the answer: for the inputs the
// SDK would never send.
func (h *harness) raw(op, body string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/", strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", TargetPrefix+"."+op)
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), SigningName, "us-east-1", time.Now()); err != nil {
		h.t.Fatal(err)
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
