package firehose

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

const testAccount = "123456789012"

// harness is a real delivery engine (over a real lake, catalog and stream
// engine on temp dirs) behind the Firehose skin on a loopback httptest
// server. The middleware stands in for the server's SigV4 check: it puts a
// Caller in the context, the root principal unless deny is set.
type harness struct {
	t       testing.TB
	lake    *lake.Lake
	streams *stream.Engine
	e       *delivery.Engine
	srv     *httptest.Server
	fc      *firehose.Client
	deny    bool
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t}
	var err error
	if h.lake, err = lake.Open(lake.Config{Dir: t.TempDir(), NoSync: true}); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(catalog.Config{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if h.streams, err = stream.Open(stream.Config{Dir: t.TempDir(), AccountID: testAccount, RetentionInterval: -1}); err != nil {
		t.Fatal(err)
	}
	if err := h.lake.CreateBucket("dest", ""); err != nil {
		t.Fatal(err)
	}
	if h.e, err = delivery.Open(delivery.Config{Dir: t.TempDir(), Lake: h.lake, Catalog: cat, Streams: h.streams, AccountID: testAccount, NoSync: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.e.Close()
		h.streams.Close()
		cat.Close()
		h.lake.Close()
	})
	svc := New(h.e)
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := &auth.Principal{Account: testAccount, Root: true, ARN: "arn:aws:iam::" + testAccount + ":root"}
		if h.deny {
			p = &auth.Principal{Account: testAccount, UserName: "alice", ARN: "arn:aws:iam::" + testAccount + ":user/alice"}
		}
		c := protocol.Caller{AccessKeyID: "AKIDTEST", Region: scopeRegion(r.Header.Get("Authorization")),
			Subject: &auth.Subject{Principal: p, Time: time.Now()}}
		svc.ServeHTTP(w, r.WithContext(protocol.WithCaller(r.Context(), c)))
	}))
	t.Cleanup(h.srv.Close)
	h.fc = firehose.New(firehose.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(h.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   h.srv.Client(),
	})
	return h
}

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

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// raw posts body to operation op as JSON 1.1 and returns status and body.
func (h *harness) raw(op, body string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/", strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", TargetPrefix+"."+op)
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s: %v", op, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func streamOpts() stream.CreateOptions { return stream.CreateOptions{ShardCount: 1} }
