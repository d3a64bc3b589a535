package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Fixed test credentials handed to the server through CAUDAL_ACCESS_KEY_ID /
// CAUDAL_SECRET_ACCESS_KEY unless a test asks for generated ones.
const (
	testAccessKeyID     = "AKIACAUDALE2ETEST001"
	testSecretAccessKey = "caudal-e2e-secret/0123456789abcdefghijklmnop"
	testRegion          = "us-east-1"
)

// Bounds for process lifecycle waits. Generous because CI machines are slow,
// but finite so a hung server fails the test instead of hanging it.
const (
	readyTimeout = 20 * time.Second
	stopTimeout  = 15 * time.Second
)

// caudalBinary is the path of the binary under test, set by TestMain.
var caudalBinary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if bin := os.Getenv("CAUDAL_TEST_BINARY"); bin != "" {
		caudalBinary = bin
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "caudal-e2e-bin-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: create temp dir for the binary: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	caudalBinary = filepath.Join(dir, "caudal")
	// The test binary runs in the package directory (e2e/); the module root
	// is its parent.
	args := []string{"build", "-o", caudalBinary}
	if os.Getenv("CAUDAL_E2E_RACE") != "" {
		// A race-enabled server: any "WARNING: DATA RACE" it prints fails
		// the test that was running (see startServer's cleanup).
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./cmd/caudal")...)
	build.Dir = ".."
	out, err := build.CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: FAILED to build ./cmd/caudal: %v\n%s\n", err, out)
		return 1
	}
	return m.Run()
}

// Server is one running (or stopped) caudal server process. Its data
// directory and port survive Stop/Kill so that Restart brings back the same
// server.
type Server struct {
	t testing.TB

	Dir  string // data directory
	Addr string // host:port it listens on

	// Credentials the server accepts: the fixed test key, or (with
	// withGeneratedCredentials) the key read back from credentials.json.
	AccessKeyID     string
	SecretAccessKey string

	args      []string // extra server flags
	envCreds  bool
	tls       bool   // serving HTTPS with a self-signed certificate (withTLS)
	cfgFile   string // empty AWS config file for client subprocesses
	credsFile string // empty AWS shared-credentials file

	mu       sync.Mutex
	cmd      *exec.Cmd
	done     chan struct{} // closed when the current process has exited
	exitCode int           // valid after done is closed
	stdout   *syncBuffer   // across all starts of this server
	stderr   *syncBuffer
	starts   int
	stopping bool // the test stopped or killed the current process on purpose

	// clientHTTP are the HTTP clients of the SDK clients this Server made;
	// Restart drops their idle connections (see forgetConnections).
	clientHTTP []*http.Transport
}

// sdkHTTPClient returns an HTTP client for an SDK client of s, remembered
// so that Restart can drop its idle connections.
func (s *Server) sdkHTTPClient() *http.Client {
	tr := awshttp.NewBuildableClient().GetTransport()
	s.mu.Lock()
	s.clientHTTP = append(s.clientHTTP, tr)
	s.mu.Unlock()
	return &http.Client{Transport: tr}
}

// forgetConnections closes the idle connections SDK clients kept to the
// previous process. Reusing one races inside the Go SDK: the attempt on
// the dead connection fails, the retry's request body (smithy-go's
// safeReadCloser over the same stream) is closed by the failed attempt
// while the transport copies it, its WriteTo answers io.EOF, net/http
// treats that as a body read error and closes the new connection under
// the 200 it is reading ("use of closed network connection", seen in
// TestE2ECrashKill9DuringPutRecords about once in ten runs). A program
// talking to a restarted server would retry that call; the tests verify
// what the server kept, so they start the new process with fresh
// connections.
func (s *Server) forgetConnections() {
	s.mu.Lock()
	clients := append([]*http.Transport(nil), s.clientHTTP...)
	s.mu.Unlock()
	for _, c := range clients {
		c.CloseIdleConnections()
	}
}

// serverOption configures startServer.
type serverOption func(*Server)

// withArgs appends server flags, e.g. "--quotas", "off".
func withArgs(args ...string) serverOption {
	return func(s *Server) { s.args = append(s.args, args...) }
}

// withQuotasOff lifts the per-shard quotas, for load tests.
func withQuotasOff() serverOption { return withArgs("--quotas", "off") }

// withTLS starts the server with --tls-self-signed: Endpoint is https://,
// and the health check trusts the generated certificate (CAFile).
func withTLS() serverOption {
	return func(s *Server) { s.tls = true; s.args = append(s.args, "--tls-self-signed") }
}

// withGeneratedCredentials starts the server without CAUDAL_ACCESS_KEY_ID/
// CAUDAL_SECRET_ACCESS_KEY so that it generates (or reloads) its root key;
// the harness reads it back from <data>/credentials.json.
func withGeneratedCredentials() serverOption { return func(s *Server) { s.envCreds = false } }

// startServer starts caudal on a free 127.0.0.1 port and waits until
// /_caudal/health answers 200. The process is stopped (SIGTERM, then SIGKILL
// after stopTimeout) when the test ends; on failure its output is logged.
func startServer(t testing.TB, opts ...serverOption) *Server {
	t.Helper()
	s := &Server{
		t:               t,
		AccessKeyID:     testAccessKeyID,
		SecretAccessKey: testSecretAccessKey,
		envCreds:        true,
		stdout:          &syncBuffer{},
		stderr:          &syncBuffer{},
	}
	for _, o := range opts {
		o(s)
	}
	if s.Dir == "" {
		s.Dir = t.TempDir()
	}
	cfgDir := t.TempDir()
	s.cfgFile = filepath.Join(cfgDir, "config")
	s.credsFile = filepath.Join(cfgDir, "credentials")
	for _, f := range []string{s.cfgFile, s.credsFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatalf("write empty AWS config file: %v", err)
		}
	}
	t.Cleanup(func() {
		s.mu.Lock()
		unexpected := s.cmd != nil && !s.stopping
		s.mu.Unlock()
		if s.running() {
			if code := s.stop(syscall.SIGTERM); code != 0 {
				t.Errorf("caudal server exited with code %d on SIGTERM at the end of the test, want 0", code)
			}
		} else if unexpected {
			t.Errorf("caudal server died during the test (exit code %d) without being stopped or killed", s.ExitCode())
		}
		for _, bad := range []string{"WARNING: DATA RACE", "panic:", "fatal error:", "panicked"} {
			if strings.Contains(s.Stderr(), bad) || strings.Contains(s.Stdout(), bad) {
				t.Errorf("caudal server printed %q", bad)
			}
		}
		if t.Failed() {
			s.dumpOutput()
		}
	})

	// A free port found by binding :0 can be taken by someone else before
	// the server binds it; retry a few times on a fresh port if the process
	// exits before becoming healthy.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s.Addr = freeAddr(t)
		if lastErr = s.start(); lastErr == nil {
			return s
		}
		if s.running() { // alive but never healthy: no point in retrying
			break
		}
	}
	t.Fatalf("caudal server did not become ready: %v", lastErr)
	return nil
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// start launches the process on s.Dir and s.Addr and waits for health.
func (s *Server) start() error {
	cmd := exec.Command(caudalBinary, append([]string{"server", "--listen", s.Addr, "--data", s.Dir}, s.args...)...)
	// The default master key file (keystore) goes under the test's own
	// config dir, not the user's ~/.config; it survives restarts.
	env := append(filteredEnviron("CAUDAL_", "AWS_", "XDG_CONFIG_HOME="), "XDG_CONFIG_HOME="+filepath.Dir(s.cfgFile))
	if s.envCreds {
		env = append(env, "CAUDAL_ACCESS_KEY_ID="+testAccessKeyID, "CAUDAL_SECRET_ACCESS_KEY="+testSecretAccessKey)
	}
	cmd.Env = env
	s.mu.Lock()
	s.starts++
	s.mu.Unlock()
	cmd.Stdout = s.stdout
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", caudalBinary, err)
	}
	done := make(chan struct{})
	s.mu.Lock()
	s.cmd = cmd
	s.done = done
	s.exitCode = -1
	s.stopping = false
	s.mu.Unlock()
	go func() {
		err := cmd.Wait()
		code := 0
		if err != nil {
			code = -1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode() // -1 when killed by a signal
			}
		}
		s.mu.Lock()
		s.exitCode = code
		s.mu.Unlock()
		close(done)
	}()
	if err := s.waitHealthy(done); err != nil {
		return err
	}
	if !s.envCreds {
		if err := s.loadGeneratedCredentials(); err != nil {
			return err
		}
	}
	return nil
}

// waitHealthy polls /_caudal/health until 200, the process exits, or
// readyTimeout passes.
func (s *Server) waitHealthy(done <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(readyTimeout)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("server exited (code %d) before it was healthy", s.ExitCode())
		default:
		}
		if s.tls {
			// The certificate appears once the server has generated it.
			tc, err := s.TLSHTTPClient()
			if err != nil {
				last = err.Error()
				time.Sleep(25 * time.Millisecond)
				continue
			}
			client = tc
		}
		resp, err := client.Get(s.Endpoint() + "/_caudal/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("no 200 from %s/_caudal/health within %v (last: %s)", s.Endpoint(), readyTimeout, last)
}

// loadGeneratedCredentials reads the root key from <data>/credentials.json.
// The file's exact layout belongs to the product; accept any JSON object
// that has an access key id and a secret access key somewhere in it.
func (s *Server) loadGeneratedCredentials() error {
	raw, err := os.ReadFile(filepath.Join(s.Dir, "credentials.json"))
	if err != nil {
		return fmt.Errorf("read generated credentials: %w", err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("parse credentials.json: %w", err)
	}
	id, secret := findKeyPair(v)
	if id == "" || secret == "" {
		return fmt.Errorf("credentials.json has no access key id and secret: %s", raw)
	}
	s.AccessKeyID, s.SecretAccessKey = id, secret
	return nil
}

// findKeyPair finds the first object with an access-key-id-like and a
// secret-like string field, searching depth first.
func findKeyPair(v any) (id, secret string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			str, ok := val.(string)
			if !ok {
				continue
			}
			lk := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
			switch {
			case strings.Contains(lk, "secret"):
				secret = str
			case strings.Contains(lk, "keyid") || lk == "accesskey":
				id = str
			}
		}
		if id != "" && secret != "" {
			return id, secret
		}
		for _, val := range x {
			if i, s := findKeyPair(val); i != "" {
				return i, s
			}
		}
	case []any:
		for _, val := range x {
			if i, s := findKeyPair(val); i != "" {
				return i, s
			}
		}
	}
	return "", ""
}

// Endpoint is the server's base URL, e.g. http://127.0.0.1:43123
// (https:// withTLS).
func (s *Server) Endpoint() string {
	if s.tls {
		return "https://" + s.Addr
	}
	return "http://" + s.Addr
}

// CAFile is the self-signed certificate a withTLS server generated, the
// file clients trust (--ca-bundle, verify=).
func (s *Server) CAFile() string { return filepath.Join(s.Dir, "tls", "cert.pem") }

// TLSHTTPClient is an HTTP client (HTTP/2 and HTTP/1.1) that trusts only
// CAFile.
func (s *Server) TLSHTTPClient() (*http.Client, error) {
	pem, err := os.ReadFile(s.CAFile())
	if err != nil {
		return nil, fmt.Errorf("read the server's certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", s.CAFile())
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: true,
	}}, nil
}

// running reports whether the current process is alive.
func (s *Server) running() bool {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// ExitCode is the last process's exit code (-1 if killed by a signal or
// still running).
func (s *Server) ExitCode() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exitCode
}

// stop sends sig and waits for exit; after stopTimeout it sends SIGKILL.
// It returns the exit code.
func (s *Server) stop(sig syscall.Signal) int {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return s.ExitCode()
	}
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	select {
	case <-done:
		return s.ExitCode()
	default:
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(stopTimeout):
		s.t.Errorf("caudal server did not exit within %v of %v; killing it", stopTimeout, sig)
		_ = cmd.Process.Kill()
		<-done
	}
	return s.ExitCode()
}

// Kill sends SIGKILL and waits for the process to be gone.
func (s *Server) Kill() { s.stop(syscall.SIGKILL) }

// Stop sends SIGTERM, waits for the process to exit, and returns its exit code.
func (s *Server) Stop() int { return s.stop(syscall.SIGTERM) }

// Restart starts the server again on the same data directory and port,
// stopping it first (SIGTERM) if it is still running. It fails the test if
// the server does not become healthy.
func (s *Server) Restart() {
	s.t.Helper()
	if s.running() {
		if code := s.Stop(); code != 0 {
			s.t.Errorf("server exited with code %d on SIGTERM before restart", code)
		}
	}
	// The old listener is gone once the process is; a port in TIME_WAIT is
	// still bindable because Go listeners set SO_REUSEADDR. Retry briefly in
	// case the kernel has not released the socket yet.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = s.start(); err == nil {
			s.forgetConnections()
			return
		}
		if s.running() {
			break
		}
	}
	s.t.Fatalf("caudal server did not come back after restart: %v", err)
}

// Stdout and Stderr return everything the server printed so far, across
// restarts.
func (s *Server) Stdout() string { return s.stdout.String() }
func (s *Server) Stderr() string { return s.stderr.String() }

func (s *Server) dumpOutput() {
	s.mu.Lock()
	starts := s.starts
	s.mu.Unlock()
	s.t.Logf("caudal server %s (data %s, started %d times) stdout:\n%s", s.Addr, s.Dir, starts, tail(s.Stdout(), 64<<10))
	s.t.Logf("caudal server stderr:\n%s", tail(s.Stderr(), 64<<10))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…(truncated)…\n" + s[len(s)-n:]
}

// Env returns a complete environment for a client subprocess (boto3, the
// AWS CLI): the current environment without any AWS_* variable, plus the
// server's credentials, region us-east-1, no instance metadata lookups, no
// pager, and empty config/credentials files so that nothing in ~/.aws can
// interfere. Pass the endpoint explicitly (--endpoint-url / endpoint_url):
// the older clients ignore AWS_ENDPOINT_URL.
func (s *Server) Env() []string {
	return append(filteredEnviron("AWS_"),
		"AWS_ACCESS_KEY_ID="+s.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+s.SecretAccessKey,
		"AWS_DEFAULT_REGION="+testRegion,
		"AWS_REGION="+testRegion,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+s.cfgFile,
		"AWS_SHARED_CREDENTIALS_FILE="+s.credsFile,
		"AWS_PAGER=",
	)
}

// filteredEnviron is os.Environ without variables starting with any prefix.
func filteredEnviron(prefixes ...string) []string {
	var env []string
next:
	for _, kv := range os.Environ() {
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				continue next
			}
		}
		env = append(env, kv)
	}
	return env
}

// KinesisClient is an AWS SDK for Go v2 Kinesis client for this server in
// us-east-1. Retries are limited to 2 attempts so that a failing server
// surfaces quickly instead of being retried for seconds.
func (s *Server) KinesisClient(t testing.TB) *kinesis.Client {
	return s.KinesisClientIn(t, testRegion)
}

// KinesisClientIn is KinesisClient for another region.
func (s *Server) KinesisClientIn(t testing.TB, region string) *kinesis.Client {
	t.Helper()
	return kinesis.New(kinesis.Options{
		BaseEndpoint: aws.String(s.Endpoint()),
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey, ""),
		Retryer:      retry.AddWithMaxAttempts(retry.NewStandard(), 2),
		HTTPClient:   s.sdkHTTPClient(),
	})
}

// syncBuffer is a bytes.Buffer safe for the process's output goroutines and
// the test reading it concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Clients are the paths of the real clients the e2e tests drive.
type Clients struct {
	PythonNew string // python3 with boto3 >= 1.36 (flexible checksums era)
	PythonOld string // python3 with an older boto3 (Debian's 1.26)
	AWSV1     string // AWS CLI v1
	AWSV2     string // AWS CLI v2
}

var (
	clientsOnce sync.Once
	clientsVal  Clients
	clientsErrs []string
)

// clients locates the real clients once per test binary. A missing or wrong
// client FAILS the test with an install hint: CI must not pass by skipping.
//
// Lookup order:
//   - PythonNew: $CAUDAL_TEST_PYTHON_NEW, /root/.pyenv/shims/python3, python3
//     on PATH unless it is /usr/bin/python3; must import boto3 >= 1.36.
//   - PythonOld: $CAUDAL_TEST_PYTHON_OLD, /usr/bin/python3; must import
//     boto3 < 1.36.
//   - AWSV1: $CAUDAL_TEST_AWS_V1, /root/.pyenv/shims/aws, aws on PATH unless
//     it is /usr/bin/aws; must report aws-cli/1.
//   - AWSV2: $CAUDAL_TEST_AWS_V2, /usr/bin/aws; must report aws-cli/2.
func clients(t testing.TB) Clients {
	t.Helper()
	clientsOnce.Do(func() {
		var wg sync.WaitGroup
		var mu sync.Mutex
		fail := func(msg string) { mu.Lock(); clientsErrs = append(clientsErrs, msg); mu.Unlock() }
		wg.Add(4)
		go func() {
			defer wg.Done()
			p, err := findPython("CAUDAL_TEST_PYTHON_NEW", []string{"/root/.pyenv/shims/python3", pathUnless("python3", "/usr/bin/python3")}, func(v []int) bool { return versionAtLeast(v, 1, 36) })
			if err != nil {
				fail(fmt.Sprintf("new boto3 (>= 1.36) not found: %v; install it with `pip install 'boto3>=1.36' awscli` (pyenv) or set CAUDAL_TEST_PYTHON_NEW", err))
			}
			clientsVal.PythonNew = p
		}()
		go func() {
			defer wg.Done()
			p, err := findPython("CAUDAL_TEST_PYTHON_OLD", []string{"/usr/bin/python3"}, func(v []int) bool { return !versionAtLeast(v, 1, 36) })
			if err != nil {
				fail(fmt.Sprintf("old boto3 (< 1.36, Debian's 1.26) not found: %v; install it with `apt-get install python3-boto3` or set CAUDAL_TEST_PYTHON_OLD", err))
			}
			clientsVal.PythonOld = p
		}()
		go func() {
			defer wg.Done()
			p, err := findCLI("CAUDAL_TEST_AWS_V1", []string{"/root/.pyenv/shims/aws", pathUnless("aws", "/usr/bin/aws")}, "aws-cli/1.")
			if err != nil {
				fail(fmt.Sprintf("AWS CLI v1 not found: %v; install it with `pip install awscli` (pyenv) or set CAUDAL_TEST_AWS_V1", err))
			}
			clientsVal.AWSV1 = p
		}()
		go func() {
			defer wg.Done()
			p, err := findCLI("CAUDAL_TEST_AWS_V2", []string{"/usr/bin/aws"}, "aws-cli/2.")
			if err != nil {
				fail(fmt.Sprintf("AWS CLI v2 not found: %v; install it with `apt-get install awscli` (Debian 12 ships v2) or set CAUDAL_TEST_AWS_V2", err))
			}
			clientsVal.AWSV2 = p
		}()
		wg.Wait()
	})
	if len(clientsErrs) > 0 {
		t.Fatalf("real clients missing (tests fail instead of skipping):\n  %s", strings.Join(clientsErrs, "\n  "))
	}
	return clientsVal
}

// pathUnless returns name's path on PATH unless it resolves to the same file
// as other (e.g. the Debian python3 when looking for the pyenv one).
func pathUnless(name, other string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	rp, err1 := filepath.EvalSymlinks(p)
	ro, err2 := filepath.EvalSymlinks(other)
	if err1 == nil && err2 == nil && rp == ro {
		return ""
	}
	return p
}

var versionRE = regexp.MustCompile(`(\d+)\.(\d+)(?:\.(\d+))?`)

func parseVersion(s string) []int {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	var v []int
	for _, part := range m[1:] {
		n, _ := strconv.Atoi(part)
		v = append(v, n)
	}
	return v
}

func versionAtLeast(v []int, major, minor int) bool {
	if len(v) < 2 {
		return false
	}
	return v[0] > major || v[0] == major && v[1] >= minor
}

func findPython(envVar string, candidates []string, ok func([]int) bool) (string, error) {
	if p := os.Getenv(envVar); p != "" {
		candidates = []string{p}
	}
	var tried []string
	for _, c := range candidates {
		if c == "" {
			continue
		}
		out, err := probe(c, "-c", "import boto3; print(boto3.__version__)")
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", c, err))
			continue
		}
		if v := parseVersion(out); ok(v) {
			return c, nil
		}
		tried = append(tried, fmt.Sprintf("%s: boto3 %s", c, strings.TrimSpace(out)))
	}
	return "", fmt.Errorf("tried [%s]", strings.Join(tried, "; "))
}

func findCLI(envVar string, candidates []string, prefix string) (string, error) {
	if p := os.Getenv(envVar); p != "" {
		candidates = []string{p}
	}
	var tried []string
	for _, c := range candidates {
		if c == "" {
			continue
		}
		out, err := probe(c, "--version")
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", c, err))
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(out), prefix) {
			return c, nil
		}
		tried = append(tried, fmt.Sprintf("%s: %s", c, strings.TrimSpace(out)))
	}
	return "", fmt.Errorf("tried [%s]", strings.Join(tried, "; "))
}

// probe runs a short command with a bounded time and returns its output.
// The bound is generous: a Python client's first start imports botocore's
// models, and on a loaded 2-core machine that once took over 30 s, which
// read as "client missing" and failed every client test.
func probe(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = filteredEnviron("AWS_")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// eventually polls cond every 20 ms until it returns true or timeout passes;
// then it fails the test with msg. Use it instead of sleeping.
func eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: "+msg, append([]any{timeout}, args...)...)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// S3Client is an AWS SDK for Go v2 S3 client for this server, path-style,
// with the SDK's default checksum behaviour and retries limited like
// KinesisClient's. opts adjust it (virtual-host style, another HTTP client).
func (s *Server) S3Client(t testing.TB, opts ...func(*s3.Options)) *s3.Client {
	t.Helper()
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(s.Endpoint()),
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey, ""),
		Retryer:      retry.AddWithMaxAttempts(retry.NewStandard(), 2),
		HTTPClient:   s.sdkHTTPClient(),
		UsePathStyle: true,
		// What config.LoadDefaultConfig resolves by default; s3.New alone
		// leaves them unset, which sends no checksum at all.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}, opts...)
}
