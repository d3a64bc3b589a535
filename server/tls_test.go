package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// trustingClient is an HTTPS client that trusts only certFile; http2
// chooses whether it offers HTTP/2.
func trustingClient(t *testing.T, certFile string, http2 bool) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no PEM certificate", certFile)
	}
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetHTTP2(http2)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		Protocols:       &p,
	}}
}

func TestTLSSelfSigned(t *testing.T) {
	var mu sync.Mutex
	var sawTLS []bool
	dir := t.TempDir()
	s := startTest(t, Config{DataDir: dir, TLSSelfSigned: true, observe: func(r *http.Request) {
		mu.Lock()
		sawTLS = append(sawTLS, r.TLS != nil && r.TLS.HandshakeComplete)
		mu.Unlock()
	}})
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL = %s, want https://127.0.0.1:port", s.URL())
	}
	if s.CertFile() != SelfSignedCertFile(dir) {
		t.Errorf("CertFile = %q, want %q", s.CertFile(), SelfSignedCertFile(dir))
	}
	st, err := os.Stat(SelfSignedKeyFile(dir))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, mode %v, want 0600", err, st.Mode().Perm())
	}

	for _, h2 := range []bool{true, false} {
		resp, err := trustingClient(t, s.CertFile(), h2).Get(s.URL() + "/_caudal/health")
		if err != nil {
			t.Fatalf("health over TLS (h2 offered: %v): %v", h2, err)
		}
		resp.Body.Close()
		want := 1
		if h2 {
			want = 2
		}
		if resp.StatusCode != http.StatusOK || resp.ProtoMajor != want || resp.TLS == nil {
			t.Errorf("health over TLS (h2 offered: %v) = %d %s, want 200 HTTP/%d", h2, resp.StatusCode, resp.Proto, want)
		}
	}

	// A signed Kinesis call over HTTP/2 and TLS.
	c := kinesisClient(s, trustingClient(t, s.CertFile(), true))
	if _, err := c.CreateStream(ctxT(t), &kinesis.CreateStreamInput{StreamName: aws.String("tls"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatalf("CreateStream over TLS: %v", err)
	}
	mu.Lock()
	if len(sawTLS) < 3 || bytes.Contains(boolsToBytes(sawTLS), []byte{0}) {
		t.Errorf("requests saw r.TLS = %v, want set on every one", sawTLS)
	}
	mu.Unlock()

	// A client that does not trust the certificate gets nowhere.
	if _, err := http.Get(s.URL() + "/_caudal/health"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("GET with the system roots = %v, want a certificate error", err)
	}

	// Plain HTTP on the TLS port is answered with a 400 that says why.
	resp, err := http.Get("http://" + s.Addr() + "/_caudal/health")
	if err != nil {
		t.Fatalf("plain GET on the TLS port: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "https://") {
		t.Errorf("plain GET on the TLS port = %d %q, want 400 naming https://", resp.StatusCode, body)
	}
	// So is h2c (prior knowledge): the connection gets no HTTP/2 answer.
	if resp, err := h2cClient().Get("http://" + s.Addr() + "/_caudal/health"); err == nil {
		resp.Body.Close()
		t.Errorf("h2c on the TLS port answered %s %d", resp.Proto, resp.StatusCode)
	}
}

func boolsToBytes(bs []bool) []byte {
	out := make([]byte, len(bs))
	for i, b := range bs {
		if b {
			out[i] = 1
		}
	}
	return out
}

// TestTLSExpectRewrite: over HTTP/1.1 and TLS, an Expect header other than
// 100-continue still reaches the services instead of net/http's 417, so
// expectConn sits above TLS.
func TestTLSExpectRewrite(t *testing.T) {
	s := startTest(t, Config{TLSSelfSigned: true})
	pem, _ := os.ReadFile(s.CertFile())
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	conn, err := tls.Dial("tcp", s.Addr(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /_caudal/health HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("Expect: something-else over TLS = %d, want 200 (no 417)", resp.StatusCode)
	}
}

func TestTLSCertificateReusedAndRenewed(t *testing.T) {
	dir := t.TempDir()
	hosts := certHosts("127.0.0.1:0", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	now := time.Now()
	first, note, err := selfSigned(dir, hosts, now)
	if err != nil || !strings.Contains(note, "generated on first start") {
		t.Fatalf("first selfSigned: %v (%s)", err, note)
	}
	for _, h := range []string{"localhost", "bucket.localhost", "bucket.s3.localhost", "127.0.0.1", "::1"} {
		if err := first.Leaf.VerifyHostname(h); err != nil {
			t.Errorf("certificate does not name %s: %v", h, err)
		}
	}
	if first.Leaf.IsCA {
		t.Error("self-signed certificate is a CA; it should be a leaf")
	}
	again, note, err := selfSigned(dir, hosts, now.Add(time.Hour))
	if err != nil || !bytes.Equal(again.Certificate[0], first.Certificate[0]) || !strings.Contains(note, "loaded") {
		t.Errorf("second selfSigned regenerated (%s, %v), want the same certificate", note, err)
	}
	// Another listen name: regenerated to cover it.
	named, note, err := selfSigned(dir, append(hosts, "caudal.example"), now)
	if err != nil || bytes.Equal(named.Certificate[0], first.Certificate[0]) || !strings.Contains(note, "did not name caudal.example") {
		t.Errorf("selfSigned for a new host name: %s, %v; want a regenerated certificate", note, err)
	}
	// Expired: regenerated with a note.
	later := named.Leaf.NotAfter.Add(time.Hour)
	renewed, note, err := selfSigned(dir, hosts, later)
	if err != nil || !strings.Contains(note, "expired") || !renewed.Leaf.NotAfter.After(later) {
		t.Errorf("selfSigned after expiry: %s, %v; want a renewed certificate", note, err)
	}
	// A key that does not match the certificate (a crash between the
	// renames): regenerated.
	other, _, err := selfSigned(t.TempDir(), hosts, now)
	if err != nil {
		t.Fatal(err)
	}
	_ = other
	if err := os.WriteFile(SelfSignedKeyFile(dir), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, note, err := selfSigned(dir, hosts, now); err != nil || !strings.Contains(note, "unreadable") {
		t.Errorf("selfSigned with a broken key file: %s, %v; want regenerated", note, err)
	}
}

func TestTLSRestartKeepsCertificate(t *testing.T) {
	dir := t.TempDir()
	s := startTest(t, Config{DataDir: dir, TLSSelfSigned: true})
	before, _ := os.ReadFile(s.CertFile())
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	s2 := startTest(t, Config{DataDir: dir, TLSSelfSigned: true})
	after, _ := os.ReadFile(s2.CertFile())
	if len(before) == 0 || !bytes.Equal(before, after) {
		t.Error("restart changed the self-signed certificate")
	}
}

func TestTLSCertFlagsAndErrors(t *testing.T) {
	// A certificate of the user's own (here: one generated elsewhere).
	certDir := t.TempDir()
	if _, _, err := selfSigned(certDir, []string{"localhost", "127.0.0.1"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	s := startTest(t, Config{TLSCert: SelfSignedCertFile(certDir), TLSKey: SelfSignedKeyFile(certDir)})
	resp, err := trustingClient(t, SelfSignedCertFile(certDir), true).Get(s.URL() + "/_caudal/health")
	if err != nil {
		t.Fatalf("health with --tls-cert: %v", err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("--tls-cert server spoke %s, want HTTP/2", resp.Proto)
	}
	for _, bad := range []Config{
		{TLSCert: "a.pem"},
		{TLSKey: "k.pem"},
		{TLSSelfSigned: true, TLSCert: "a.pem", TLSKey: "k.pem"},
	} {
		if err := bad.withDefaults().validate(); err == nil {
			t.Errorf("validate(%+v) = nil, want an error", bad)
		}
	}
	if _, err := Start(Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Log: io.Discard, Getenv: func(string) string { return "" },
		TLSCert: "/nonexistent.pem", TLSKey: "/nonexistent.key"}); err == nil || !strings.Contains(err.Error(), "/nonexistent.pem") {
		t.Errorf("Start with a missing certificate: %v, want an error naming it", err)
	}
	env := map[string]string{EnvTLSSelfSigned: "on", EnvMaxConnections: "12", EnvTLSCert: "c", EnvTLSKey: "k"}
	var c Config
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if !c.TLSSelfSigned || c.MaxConnections != 12 || c.TLSCert != "c" || c.TLSKey != "k" {
		t.Errorf("ApplyEnv = %+v", c)
	}
	for k, v := range map[string]string{EnvTLSSelfSigned: "maybe", EnvMaxConnections: "-1"} {
		if err := (&Config{}).ApplyEnv(func(key string) string {
			if key == k {
				return v
			}
			return ""
		}); err == nil {
			t.Errorf("%s=%s accepted", k, v)
		}
	}
}

func TestTLSBanner(t *testing.T) {
	var log bytes.Buffer
	dir := t.TempDir()
	s := startTest(t, Config{DataDir: dir, TLSSelfSigned: true})
	s.cfg.Log = &log
	s.PrintBanner()
	banner := log.String()
	cert := SelfSignedCertFile(dir)
	for _, want := range []string{
		"caudal listening on https://" + s.Addr(),
		"--ca-bundle " + cert,
		"AWS_CA_BUNDLE=" + cert,
		`verify="` + cert + `"`,
		"curl --cacert " + cert,
		"RootCAs",
		"https://<bucket>.s3.localhost:",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("TLS banner lacks %q:\n%s", want, banner)
		}
	}
}

// TestTLSSlowBodyIsCutOverHTTP2: the body pace holds per stream over
// HTTP/2 too (through the stream's read deadline).
func TestTLSSlowBodyIsCutOverHTTP2(t *testing.T) {
	s := startTest(t, Config{TLSSelfSigned: true, bodyPace: testPace})
	pr, pw := io.Pipe()
	sent := make(chan int, 1)
	stop := make(chan struct{})
	go func() {
		n := 0
		defer func() { sent <- n }()
		for n < 100000 {
			select {
			case <-stop:
				pw.Close()
				return
			case <-time.After(200 * time.Millisecond):
			}
			if _, err := pw.Write([]byte("a")); err != nil {
				return
			}
			n++
		}
		pw.Close()
	}()
	// Kinesis reads the whole body before it authenticates, so only the
	// pace can end this request.
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", pr)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecord")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	c := trustingClient(t, s.CertFile(), true)
	c.Timeout = 20 * time.Second
	resp, err := c.Do(req)
	close(stop)
	n := <-sent
	if err == nil {
		resp.Body.Close()
		if resp.ProtoMajor != 2 {
			t.Errorf("PUT spoke %s, want HTTP/2", resp.Proto)
		}
	} else if strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("trickling HTTP/2 body was not cut: %v", err)
	}
	if n >= 100000 {
		t.Fatal("the whole trickled body was accepted")
	}
}

// TestTLSVirtualHostS3: <bucket>.s3.localhost over TLS verifies against the
// generated certificate and names the bucket.
func TestTLSVirtualHostS3(t *testing.T) {
	s := startTest(t, Config{TLSSelfSigned: true})
	_, port, _ := net.SplitHostPort(s.Addr())
	hc := trustingClient(t, s.CertFile(), true)
	hc.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, s.Addr())
	}
	k := s.Key()
	c := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("https://s3.localhost:" + port), HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, ""),
	})
	ctx := ctxT(t)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vhost")}); err != nil {
		t.Fatalf("CreateBucket at vhost.s3.localhost: %v", err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatalf("PutObject at vhost.s3.localhost: %v", err)
	}
	// The same object path-style: the virtual host named bucket vhost.
	path := s3.New(c.Options(), func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle = aws.String(s.URL()), true
	})
	out, err := path.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vhost"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("path-style GET of the object put at vhost.s3.localhost: %v", err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(got) != "v" {
		t.Errorf("path-style GET = %q, want %q", got, "v")
	}
}
