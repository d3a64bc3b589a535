package athena

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/query"
	"github.com/caudal/caudal/sigv4"
)

const (
	testAccount = "123456789012"
	testKeyID   = "AKIDATHENATEST"
	testSecret  = "athena-test-secret"
)

// harness is the real stack on a temp dir (lake, catalog, DuckDB query
// engine, execution manager) behind the Athena skin on a loopback
// httptest server. Its Auth hook verifies SigV4 exactly as the server's
// does (signing name "athena", payload hash from the body read), so the
// SDK's signing is exercised for real. reopen closes and reopens the
// execution manager on the same directory, as a restart would.
type harness struct {
	// subject is who the Auth hook says signed each request: the root
	// principal unless a test sets another (authorize_test.go).
	subject atomic.Pointer[auth.Subject]

	t    testing.TB
	dir  string
	lake *lake.Lake
	cat  *catalog.Catalog
	run  execution.Runner
	m    *execution.Manager
	svc  atomic.Pointer[protocol.Service]
	srv  *httptest.Server
	ac   *athena.Client
	cfg  func(*execution.Config)
	auth func(r *http.Request, body []byte) (protocol.Caller, error)
}

func newHarness(t testing.TB, configure func(*execution.Config)) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), cfg: configure}
	h.subject.Store(rootSubject)
	lk, err := lake.Open(lake.Config{Dir: filepath.Join(h.dir, "lake"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lk.Close() })
	h.lake = lk
	for _, b := range []string{"results", "data"} {
		if err := lk.CreateBucket(b, ""); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := catalog.Open(catalog.Config{Dir: filepath.Join(h.dir, "catalog"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if err := cat.CreateDatabase(catalog.Database{Name: "default"}); err != nil {
		t.Fatal(err)
	}
	h.cat = cat
	eng, err := query.Open(query.Config{Lake: lk, Catalog: cat, LakeDir: filepath.Join(h.dir, "lake"),
		TempDir: filepath.Join(h.dir, "duck"), MaxConcurrent: 2, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	h.run = eng
	verifier := &sigv4.Verifier{
		Secret:  func(id string) (string, bool) { return testSecret, id == testKeyID },
		Now:     time.Now,
		MaxSkew: 15 * time.Minute,
		Service: SigningName,
	}
	h.auth = func(r *http.Request, body []byte) (protocol.Caller, error) {
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
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.svc.Load().ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	h.open()
	h.ac = athena.New(athena.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(h.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(testKeyID, testSecret, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   h.srv.Client(),
	})
	return h
}

// open opens the execution manager and the skin over it.
func (h *harness) open() {
	h.t.Helper()
	cfg := execution.Config{Dir: filepath.Join(h.dir, "exec"), Runner: h.run, Lake: h.lake, NoSync: true}
	if h.cfg != nil {
		h.cfg(&cfg)
	}
	m, err := execution.Open(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.m = m
	h.t.Cleanup(func() { m.Close() })
	svc := New(m, h.cat, testAccount)
	svc.Auth = h.auth
	h.svc.Store(svc)
}

func (h *harness) reopen() {
	h.t.Helper()
	if err := h.m.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// put writes an object to the lake.
func (h *harness) put(bucket, key, body string) {
	h.t.Helper()
	if _, err := h.lake.PutObject(context.Background(), bucket, key, strings.NewReader(body), lake.PutOptions{}); err != nil {
		h.t.Fatal(err)
	}
}

// numbersTable declares table default.numbers (x int, s string) over a CSV
// of n rows (x = 1..n, s = "s<x>") in s3://data/numbers/.
func (h *harness) numbersTable(n int) {
	h.t.Helper()
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,s%d\n", i, i)
	}
	h.put("data", "numbers/part-0.csv", b.String())
	h.sql("CREATE EXTERNAL TABLE numbers (x int, s string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS TEXTFILE LOCATION 's3://data/numbers/'")
}

// start starts sql in the primary work group with results under
// s3://results/.
func (h *harness) start(sql string) string {
	h.t.Helper()
	out, err := h.ac.StartQueryExecution(context.Background(), &athena.StartQueryExecutionInput{
		QueryString:         aws.String(sql),
		ResultConfiguration: &types.ResultConfiguration{OutputLocation: aws.String("s3://results/athena/")},
	})
	if err != nil {
		h.t.Fatalf("start %q: %v", sql, err)
	}
	return *out.QueryExecutionId
}

// poll polls GetQueryExecution, as boto3 users do, until the state is
// final.
func (h *harness) poll(id string) *types.QueryExecution {
	h.t.Helper()
	for range 2000 {
		out, err := h.ac.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			h.t.Fatalf("get %s: %v", id, err)
		}
		switch out.QueryExecution.Status.State {
		case types.QueryExecutionStateSucceeded, types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			return out.QueryExecution
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.t.Fatalf("%s never finished", id)
	return nil
}

// sql runs sql to SUCCEEDED.
func (h *harness) sql(sql string) *types.QueryExecution {
	h.t.Helper()
	x := h.poll(h.start(sql))
	if x.Status.State != types.QueryExecutionStateSucceeded {
		h.t.Fatalf("%q: %s %s", sql, x.Status.State, aws.ToString(x.Status.StateChangeReason))
	}
	return x
}

// raw posts body to operation op as JSON 1.1, SigV4-signed with the test
// key, and returns the status and body of the answer.
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
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
