package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/fxamacker/cbor/v2"

	"github.com/caudal/caudal/protocol"
)

// startTest starts a server on a free loopback port with a fresh data dir.
func startTest(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Getenv == nil {
		cfg.Getenv = func(string) string { return "" }
	}
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return s
}

func kinesisClient(s *Server, httpClient *http.Client) *kinesis.Client {
	k := s.Key()
	o := kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, ""),
	}
	if httpClient != nil {
		o.HTTPClient = httpClient
	}
	return kinesis.New(o)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// awsError decodes a JSON error body and returns its __type.
func awsError(t *testing.T, resp *http.Response) (code, message string) {
	t.Helper()
	defer resp.Body.Close()
	if resp.Header.Get("X-Amzn-Requestid") == "" {
		t.Errorf("error answer (%d) without x-amzn-RequestId", resp.StatusCode)
	}
	var body struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("error body %q is not JSON: %v", raw, err)
	}
	if i := strings.LastIndex(body.Type, "#"); i >= 0 {
		body.Type = body.Type[i+1:]
	}
	return body.Type, body.Message + body.Message2
}

func TestHealthStartingThenReady(t *testing.T) {
	var during int
	s := startTest(t, Config{beforeOpen: func(addr string) {
		resp, err := http.Get("http://" + addr + "/_caudal/health")
		if err != nil {
			t.Errorf("health before engines open: %v", err)
			return
		}
		resp.Body.Close()
		during = resp.StatusCode
	}})
	if during != http.StatusServiceUnavailable {
		t.Errorf("health while starting = %d, want 503", during)
	}
	resp, err := http.Get(s.URL() + "/_caudal/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || body["status"] != "ok" {
		t.Errorf("health when ready = %d %v, want 200 status ok", resp.StatusCode, body)
	}
}

func TestServiceCallWhileStartingIs503(t *testing.T) {
	var code string
	var status int
	startTest(t, Config{beforeOpen: func(addr string) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader("{}"))
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("call while starting: %v", err)
			return
		}
		status = resp.StatusCode
		code, _ = awsError(t, resp)
	}})
	if status != http.StatusServiceUnavailable || code != "ServiceUnavailableException" {
		t.Errorf("call while starting = %d %s, want 503 ServiceUnavailableException", status, code)
	}
}

func TestSignedKinesisCalls(t *testing.T) {
	s := startTest(t, Config{})
	ctx := ctxT(t)
	c := kinesisClient(s, nil)
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	out, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatalf("ListStreams: %v", err)
	}
	if len(out.StreamNames) != 1 || out.StreamNames[0] != "orders" {
		t.Errorf("ListStreams = %v, want [orders]", out.StreamNames)
	}
	// Streams are scoped by the region of the credential scope.
	other := kinesis.New(c.Options(), func(o *kinesis.Options) { o.Region = "eu-west-1" })
	out, err = other.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatalf("ListStreams eu-west-1: %v", err)
	}
	if len(out.StreamNames) != 0 {
		t.Errorf("ListStreams in eu-west-1 = %v, want none", out.StreamNames)
	}
}

func postTarget(t *testing.T, url, target, body string, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestUnsignedRequestIsRefused(t *testing.T) {
	s := startTest(t, Config{})
	resp := postTarget(t, s.URL()+"/", "Kinesis_20131202.CreateStream", `{"StreamName":"x","ShardCount":1}`, nil)
	code, _ := awsError(t, resp)
	if code != "MissingAuthenticationTokenException" || resp.StatusCode/100 != 4 {
		t.Errorf("unsigned call = %d %s, want 4xx MissingAuthenticationTokenException", resp.StatusCode, code)
	}
	// ...and it changed nothing.
	out, err := kinesisClient(s, nil).ListStreams(ctxT(t), &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.StreamNames) != 0 {
		t.Errorf("streams after refused create: %v", out.StreamNames)
	}
}

// signedRequest signs a Kinesis call the way the SDK does, for service.
func signedRequest(t *testing.T, s *Server, service, target string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	sum := sha256.Sum256(body)
	k := s.Key()
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestSignatureForAnotherServiceIsRefused(t *testing.T) {
	s := startTest(t, Config{})
	req := signedRequest(t, s, "dynamodb", "Kinesis_20131202.ListStreams", []byte("{}"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	code, msg := awsError(t, resp)
	if resp.StatusCode != http.StatusBadRequest || code != "InvalidSignatureException" ||
		!strings.Contains(msg, "Credential should be scoped to correct service: 'kinesis'") {
		t.Errorf("dynamodb-scoped call = %d %s %q, want 400 InvalidSignatureException scoped to kinesis", resp.StatusCode, code, msg)
	}
}

func TestSignedRequestsThroughRawHTTP(t *testing.T) {
	s := startTest(t, Config{})
	body := []byte("{}")
	req := signedRequest(t, s, "kinesis", "Kinesis_20131202.ListStreams", body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("signed ListStreams = %d, want 200", resp.StatusCode)
	}

	// A body changed after signing no longer matches the signature.
	req = signedRequest(t, s, "kinesis", "Kinesis_20131202.CreateStream", []byte(`{"StreamName":"a","ShardCount":1}`))
	req.Body = io.NopCloser(strings.NewReader(`{"StreamName":"b","ShardCount":1}`))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := awsError(t, resp); code != "InvalidSignatureException" {
		t.Errorf("tampered body = %d %s, want InvalidSignatureException", resp.StatusCode, code)
	}
}

func TestOversizedBodyIsRefused(t *testing.T) {
	s := startTest(t, Config{})
	limit := int((*s.services.Load())[0].handler.MaxBodyBytes)
	if limit <= 0 {
		limit = protocol.DefaultMaxBodyBytes
	}
	big := `{"StreamName":"` + strings.Repeat("a", limit) + `"}`
	resp := postTarget(t, s.URL()+"/", "Kinesis_20131202.CreateStream", big, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body = %d, want 413", resp.StatusCode)
	}
}

func TestUnroutableRequests(t *testing.T) {
	s := startTest(t, Config{})
	// An unknown operation is named as such before authentication, as AWS does.
	resp0 := postTarget(t, s.URL()+"/", "Kinesis_20131202.NoSuchOperation", "{}", nil)
	if code, _ := awsError(t, resp0); resp0.StatusCode != http.StatusBadRequest || code != "UnknownOperationException" {
		t.Errorf("unsigned unknown operation = %d %s, want 400 UnknownOperationException", resp0.StatusCode, code)
	}
	resp := postTarget(t, s.URL()+"/", "DynamoDB_20120810.ListTables", "{}", nil)
	if code, _ := awsError(t, resp); resp.StatusCode != http.StatusBadRequest || code != "UnknownOperationException" {
		t.Errorf("unknown target = %d %s, want 400 UnknownOperationException", resp.StatusCode, code)
	}
	// Every other path is S3's: unsigned, it is S3's AccessDenied in XML.
	resp, err := http.Get(s.URL() + "/some-bucket/key")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>AccessDenied</Code>") ||
		resp.Header.Get("X-Amz-Request-Id") == "" {
		t.Errorf("GET /some-bucket/key = %d %s, want S3's 403 AccessDenied with a request id", resp.StatusCode, body)
	}
	resp, err = http.Get(s.URL() + "/_caudal/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /_caudal/nope = %d, want 404", resp.StatusCode)
	}
}

func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

func TestH2C(t *testing.T) {
	s := startTest(t, Config{})
	hc := h2cClient()
	resp, err := hc.Get(s.URL() + "/_caudal/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusOK {
		t.Errorf("h2c health = %s %d, want HTTP/2 200", resp.Proto, resp.StatusCode)
	}
	ctx := ctxT(t)
	c := kinesisClient(s, hc)
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("h2"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatalf("CreateStream over h2c: %v", err)
	}
	if _, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("h2")}); err != nil {
		t.Fatalf("DescribeStreamSummary over h2c: %v", err)
	}
}

// TestShutdownDrainsInFlight holds a signed request half-sent while the
// server shuts down: the request must still be answered, and Shutdown
// must wait for it.
func TestShutdownDrainsInFlight(t *testing.T) {
	cfg := Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Log: io.Discard, Getenv: func(string) string { return "" }}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"StreamName":"drain","ShardCount":1}`)
	req := signedRequest(t, s, "kinesis", "Kinesis_20131202.CreateStream", body)
	pr, pw := io.Pipe()
	req.Body = pr
	req.ContentLength = int64(len(body))

	type result struct {
		status int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got <- result{status: resp.StatusCode}
	}()
	if _, err := pw.Write(body[:10]); err != nil {
		t.Fatal(err)
	}
	// Wait until the request is inside the handler, reading its body.
	for deadline := time.Now().Add(10 * time.Second); s.active.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the handler")
		}
	}
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()

	// Shutdown must not finish while the request is in flight.
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with a request in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	if _, err := pw.Write(body[10:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	r := <-got
	if r.err != nil || r.status != http.StatusOK {
		t.Fatalf("in-flight CreateStream = %d %v, want 200", r.status, r.err)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// The stream it created survives a restart.
	s2 := startTest(t, Config{DataDir: cfg.DataDir})
	if _, err := kinesisClient(s2, nil).DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("drain")}); err != nil {
		t.Fatalf("stream created during drain is gone after restart: %v", err)
	}
}

func TestRunBannerAndCancel(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var log bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Listen: "127.0.0.1:0", DataDir: dir, Getenv: func(string) string { return "" },
			Log: lockedWriter{&mu, &log}}, func(addr string) { addrc <- addr })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	mu.Lock()
	banner := log.String()
	mu.Unlock()
	first, _, _ := strings.Cut(banner, "\n")
	if first != "caudal listening on http://"+addr {
		t.Errorf("banner first line = %q, want %q", first, "caudal listening on http://"+addr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "credentials.json"))
	if err != nil {
		t.Fatalf("credentials not stored: %v", err)
	}
	var key struct{ AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal(data, &key); err != nil || key.AccessKeyId == "" {
		t.Fatalf("credentials.json %q: %v", data, err)
	}
	for _, want := range []string{key.AccessKeyId, key.SecretAccessKey, "generated",
		"aws --endpoint-url http://" + addr + " --region us-east-1 kinesis list-streams",
		`boto3.client("kinesis", endpoint_url="http://` + addr + `"`,
		"aws --endpoint-url http://" + addr + " --region us-east-1 s3 ls",
		`boto3.client("s3", endpoint_url="http://` + addr + `"`,
		"http://<bucket>.localhost:" + addr[strings.LastIndexByte(addr, ':')+1:]} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, err := http.Get("http://" + addr + "/_caudal/health"); err == nil {
		t.Error("server still answers after Run returned")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestConfig(t *testing.T) {
	c := Config{}.withDefaults()
	if c.Listen != DefaultListen || c.DataDir != DefaultDataDir || c.Fsync != "always" || c.AccountID != DefaultAccountID || c.QuotasOff {
		t.Errorf("defaults = %+v", c)
	}
	if err := c.validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
	env := map[string]string{EnvListen: "0.0.0.0:1", EnvData: "/d", EnvQuotas: "off", EnvFsync: "never"}
	var e Config
	if err := e.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if e.Listen != "0.0.0.0:1" || e.DataDir != "/d" || !e.QuotasOff || e.Fsync != "never" {
		t.Errorf("ApplyEnv = %+v", e)
	}
	for _, bad := range []Config{{Listen: "nohost"}, {Fsync: "sometimes"}, {AccountID: "12"}} {
		if err := bad.withDefaults().validate(); err == nil {
			t.Errorf("validate(%+v) = nil, want an error", bad)
		}
	}
	if err := (&Config{}).ApplyEnv(func(k string) string {
		if k == EnvQuotas {
			return "maybe"
		}
		return ""
	}); err == nil {
		t.Error("CAUDAL_QUOTAS=maybe accepted")
	}
	if _, err := Start(Config{Fsync: "bogus", DataDir: t.TempDir()}); err == nil {
		t.Error("Start with a bad config succeeded")
	}
}

func TestListenConflictIsExplained(t *testing.T) {
	s := startTest(t, Config{})
	_, err := Start(Config{Listen: s.Addr(), DataDir: t.TempDir(), Log: io.Discard, Getenv: func(string) string { return "" }})
	if err == nil || !strings.Contains(err.Error(), "--listen") {
		t.Errorf("second server on %s: %v, want an error suggesting --listen", s.Addr(), err)
	}
}

func TestContentSHA256Header(t *testing.T) {
	s := startTest(t, Config{})
	body := []byte("{}")
	sum := sha256.Sum256(body)

	// Consistent with the body and signed: accepted.
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	k := s.Key()
	creds := aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "kinesis", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("consistent X-Amz-Content-Sha256 = %d, want 200", resp.StatusCode)
	}

	// Signed over a hash that is not the body's: refused.
	other := sha256.Sum256([]byte(`{"Limit":1}`))
	req, _ = http.NewRequest(http.MethodPost, s.URL()+"/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(other[:]))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(other[:]), "kinesis", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := awsError(t, resp); code != "InvalidSignatureException" {
		t.Errorf("X-Amz-Content-Sha256 not matching the body = %d %s, want InvalidSignatureException", resp.StatusCode, code)
	}
}

func TestAuthErrorsUseTheRequestCodec(t *testing.T) {
	s := startTest(t, Config{})
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", bytes.NewReader([]byte{0xa0})) // CBOR {}
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	req.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-cbor-1.1" {
		t.Fatalf("unsigned CBOR call answered with Content-Type %q (%q), want CBOR", ct, raw)
	}
	var body map[string]any
	if err := cbor.Unmarshal(raw, &body); err != nil {
		t.Fatalf("CBOR error body %x: %v", raw, err)
	}
	if body["__type"] != "MissingAuthenticationTokenException" {
		t.Errorf("CBOR error body = %v", body)
	}
}

func TestDataDirInUseIsRefused(t *testing.T) {
	dir := t.TempDir()
	quiet := func(string) string { return "" }
	first, err := Start(Config{Listen: "127.0.0.1:0", DataDir: dir, Log: io.Discard, Getenv: quiet})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Start(Config{Listen: "127.0.0.1:0", DataDir: dir, Log: io.Discard, Getenv: quiet})
	if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "--data") {
		t.Fatalf("second server on %s: %v, want an error saying the directory is in use", dir, err)
	}
	if err := first.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Once the first has stopped, the directory is free again.
	again, err := Start(Config{Listen: "127.0.0.1:0", DataDir: dir, Log: io.Discard, Getenv: quiet})
	if err != nil {
		t.Fatalf("start after the first server stopped: %v", err)
	}
	if err := again.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}
