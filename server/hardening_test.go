package server

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// rawRequest writes req on a fresh connection to s and reads one answer.
func rawRequest(t *testing.T, addr, req string) (*http.Response, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatalf("write request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

func TestOversizedHeaderIs431(t *testing.T) {
	s := startTest(t, Config{})
	// 80 KiB of header, past MaxHeaderBytes (64 KiB).
	req := "GET /bucket/key HTTP/1.1\r\nHost: x\r\nX-Amz-Meta-Big: " + strings.Repeat("a", 80<<10) + "\r\n\r\n"
	resp, _ := rawRequest(t, s.Addr(), req)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("80 KiB header = %d, want 431", resp.StatusCode)
	}
	// Just under the limit is a normal (here: unsigned, so refused by S3)
	// request.
	req = "GET /bucket/key HTTP/1.1\r\nHost: x\r\nX-Amz-Meta-Big: " + strings.Repeat("a", 60<<10) + "\r\n\r\n"
	if resp, _ := rawRequest(t, s.Addr(), req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("60 KiB header = %d, want S3's 403", resp.StatusCode)
	}
}

// TestOversizedKinesisBodyRefusedUnread: a Kinesis body announced past the
// 7 MiB bound is refused from its Content-Length, before it is sent; a
// chunked one is refused once the bound is passed, not read to its end.
func TestOversizedKinesisBodyRefusedUnread(t *testing.T) {
	s := startTest(t, Config{})
	hdr := "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\nContent-Type: application/x-amz-json-1.1\r\n"
	// Only the headers and 2 bytes of a 1 GiB body are ever sent.
	resp, _ := rawRequest(t, s.Addr(), hdr+"Content-Length: 1073741824\r\n\r\n{\"")
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("1 GiB Content-Length = %d, want 413 without the body", resp.StatusCode)
	}

	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	sent := make(chan int64, 1)
	go func() {
		// Up to 64 MiB in 1 MiB chunks; the server stops reading after
		// 7 MiB and closes, which ends this loop with a write error.
		var n int64
		defer func() { sent <- n }()
		if _, err := io.WriteString(c, hdr+"Transfer-Encoding: chunked\r\n\r\n"); err != nil {
			return
		}
		chunk := fmt.Sprintf("%x\r\n%s\r\n", 1<<20, bytes.Repeat([]byte("a"), 1<<20))
		for n < 64<<20 {
			if _, err := io.WriteString(c, chunk); err != nil {
				return
			}
			n += 1 << 20
		}
		io.WriteString(c, "0\r\n\r\n")
	}()
	resp, err = http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("chunked oversized body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("64 MiB chunked body = %d, want 413", resp.StatusCode)
	}
	c.Close()
	if n := <-sent; n >= 64<<20 {
		t.Errorf("the client could send all %d bytes; the server read past the limit", n)
	}
}

// testPace is a short body pace so tests see it act within a second or two.
var testPace = bodyPace{window: time.Second, minBytes: 4 << 10}

func TestSlowBodyIsCut(t *testing.T) {
	s := startTest(t, Config{bodyPace: testPace})
	for _, tc := range []struct{ name, addr, req string }{
		{"S3 PUT", s.Addr(), "PUT /bucket/key HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"},
		{"Kinesis", s.Addr(), "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100000\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", tc.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tc.req); err != nil {
				t.Fatal(err)
			}
			// One byte every 200 ms: 100000 bytes would take 5.5 hours.
			stop := make(chan struct{})
			trickled := make(chan int, 1)
			go func() {
				n := 0
				defer func() { trickled <- n }()
				tick := time.NewTicker(200 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						if _, err := c.Write([]byte("a")); err != nil {
							return
						}
						n++
					}
				}
			}()
			// The server must end the exchange (an error answer, then
			// close) long before the body is complete; 20 s bounds a hang.
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			_, err = io.Copy(io.Discard, c)
			close(stop)
			n := <-trickled
			// An answer then EOF, or a reset (the server closed with the
			// client's bytes unread) both cut the client off.
			if err != nil && !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("server did not close the trickling connection: %v (after %d bytes)", err, n)
			}
			if n >= 100000 {
				t.Fatalf("the whole body was accepted")
			}
		})
	}
}

// TestPacedUploadsSucceed: bodies that keep the pace are untouched, fast
// large ones and ones that pause for less than the window between bursts.
func TestPacedUploadsSucceed(t *testing.T) {
	s := startTest(t, Config{bodyPace: testPace})
	ctx := ctxT(t)
	c := s3Client(s, true)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("paced")}); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 2<<20) // 32 MiB
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("paced"), Key: aws.String("big"), Body: bytes.NewReader(big)}); err != nil {
		t.Fatalf("32 MiB PUT under the pace: %v", err)
	}
	// 12 bursts of 8 KiB, 400 ms apart: slower than the window overall
	// (4.8 s), but every window sees its bytes. A presigned PUT, so the
	// body need not be hashed before it is sent.
	req, err := s3.NewPresignClient(c).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("paced"), Key: aws.String("bursty")})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 12; i++ {
			pw.Write(bytes.Repeat([]byte{'a' + byte(i)}, 8<<10))
			time.Sleep(400 * time.Millisecond)
		}
		pw.Close()
	}()
	put, _ := http.NewRequest(http.MethodPut, req.URL, pr)
	put.ContentLength = 12 * 8 << 10
	resp, err := http.DefaultClient.Do(put)
	if err != nil {
		t.Fatalf("bursty PUT at the pace: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("bursty PUT at the pace = %d %s", resp.StatusCode, body)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("paced"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, big) {
		t.Errorf("GET big returned %d bytes, want the %d put", len(got), len(big))
	}
	// The same connection serves the next request afterwards: the pace's
	// deadline does not linger after the body ends.
	time.Sleep(1500 * time.Millisecond)
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("paced"), Key: aws.String("bursty")}); err != nil {
		t.Fatalf("HEAD after the pace window: %v", err)
	}
}

func TestMaxConnectionsWait(t *testing.T) {
	s := startTest(t, Config{MaxConnections: 2})
	health := "GET /_caudal/health HTTP/1.1\r\nHost: x\r\n\r\n"
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// An answer proves the server accepted (and holds) the connection.
		io.WriteString(c, health)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		resp.Body.Close()
		held = append(held, c)
	}
	third, err := net.Dial("tcp", s.Addr()) // the kernel completes it
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	io.WriteString(third, health)
	br := bufio.NewReader(third)
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := br.Peek(1); err == nil {
		t.Fatal("a third connection was served while two were open with --max-connections 2")
	}
	held[0].Close()
	third.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("third connection after one closed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("third connection = %d, want 200", resp.StatusCode)
	}
}

// TestNoSecretLogged drives good and failing requests (wrong secrets, whose
// answers include the canonical request and the string to sign) and finds
// the root secret, and the signing keys derived from it, nowhere: not in
// the log, not in any answer, not in the banner of a restart.
func TestNoSecretLogged(t *testing.T) {
	const id, secret = "AKIASECRETTEST000001", "nOt/sO+sEcReT-0123456789abcdefghijklmnopq"
	env := map[string]string{EnvAccessKeyID: id, EnvSecretAccessKey: secret}
	var mu sync.Mutex
	var log bytes.Buffer
	dir := t.TempDir()
	s := startTest(t, Config{DataDir: dir, Getenv: func(k string) string { return env[k] }, Log: lockedWriter{&mu, &log}})
	s.PrintBanner()

	var answers bytes.Buffer
	record := &recordingTransport{next: http.DefaultTransport, out: &answers}
	hc := &http.Client{Transport: record}
	ctx := ctxT(t)
	good := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	bad := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider(id, "wrong"+secret, "")})
	good.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	good.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("missing")})
	bad.ListStreams(ctx, &kinesis.ListStreamsInput{})
	s3opts := func(secret string) s3.Options {
		return s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), UsePathStyle: true, HTTPClient: hc,
			Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")}
	}
	goodS3, badS3 := s3.New(s3opts(secret)), s3.New(s3opts("wrong"+secret))
	goodS3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("b")})
	goodS3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: strings.NewReader("hello")})
	goodS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("k")})
	badS3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k2"), Body: strings.NewReader("hello")})
	badS3.ListBuckets(ctx, &s3.ListBucketsInput{})
	presigned, err := s3.NewPresignClient(badS3).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := hc.Get(presigned.URL); err == nil {
		resp.Body.Close()
	}
	if !strings.Contains(answers.String(), "SignatureDoesNotMatch") || !strings.Contains(answers.String(), "CanonicalRequest") {
		t.Fatalf("the wrong-secret S3 answers were not recorded:\n%s", answers.String())
	}

	mu.Lock()
	logged := log.String()
	mu.Unlock()
	for _, leak := range secretForms(secret) {
		if strings.Contains(logged, leak) {
			t.Errorf("the log holds the secret (as %q):\n%s", leak, logged)
		}
		if strings.Contains(answers.String(), leak) {
			t.Errorf("an answer holds the secret (as %q)", leak)
		}
	}
	if !strings.Contains(logged, "secret key:    not shown") {
		t.Errorf("banner for a key from the environment should not show the secret:\n%s", logged)
	}

	// Asked for, the banner shows it.
	var shown bytes.Buffer
	s.cfg.Log, s.cfg.ShowSecret = &shown, true
	s.PrintBanner()
	if !strings.Contains(shown.String(), secret) {
		t.Error("--show-secret did not print the secret")
	}
}

// secretForms are the secret and the SigV4 signing keys derived from it
// for today, in hex and base64.
func secretForms(secret string) []string {
	forms := []string{secret}
	date := time.Now().UTC().Format("20060102")
	for _, svc := range []string{"kinesis", "s3"} {
		k := []byte("AWS4" + secret)
		for _, part := range []string{date, "us-east-1", svc, "aws4_request"} {
			m := hmac.New(sha256.New, k)
			m.Write([]byte(part))
			k = m.Sum(nil)
		}
		forms = append(forms, hex.EncodeToString(k), base64.StdEncoding.EncodeToString(k))
	}
	return forms
}

// recordingTransport appends every answer's status, headers and body to out.
type recordingTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	out  *bytes.Buffer
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.out, "%s\n", resp.Status)
	resp.Header.Write(r.out)
	r.out.Write(body)
	r.out.WriteString("\n")
	return resp, nil
}
