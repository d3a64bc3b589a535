package server

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rewrite runs input through expectConn's framing in reads of the given
// sizes (cycled) and returns what net/http would read.
func rewrite(t testing.TB, input []byte, sizes []int) []byte {
	a, b := net.Pipe()
	go func() {
		for i := 0; len(input) > 0; i++ {
			n := len(input)
			if len(sizes) > 0 {
				n = min(n, max(1, sizes[i%len(sizes)]))
			}
			if _, err := a.Write(input[:n]); err != nil {
				return
			}
			input = input[n:]
		}
		a.Close()
	}()
	c := &expectConn{Conn: b, framing: framing{state: stateRequestLine}}
	var out bytes.Buffer
	buf := make([]byte, 7)
	for {
		n, err := c.Read(buf[:1+out.Len()%len(buf)])
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes()
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
	}
}

func TestExpectRewrite(t *testing.T) {
	body := "line\r\nExpect: inside-a-body\r\n"
	chunked := "PUT /b/chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 202-maybe\r\n\r\n" +
		"5;ext=1\r\nhello\r\n1f\r\n" + "Expect: in-chunk-data-xxxxxxxxx" + "\r\n0\r\nX-Trailer: Expect: no\r\n\r\n"
	cases := []struct{ name, in, want string }{
		{"other value renamed",
			"GET / HTTP/1.1\r\nHost: h\r\nexpect: something\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: h\r\nXxpect: something\r\n\r\n"},
		{"100-continue kept",
			"PUT /b/k HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 0\r\n\r\n",
			"PUT /b/k HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 0\r\n\r\n"},
		{"body untouched, next request rewritten",
			"PUT /b/k HTTP/1.1\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nExpect: x\r\n\r\n" + body +
				"GET / HTTP/1.0\r\nExpect: y\r\n\r\n",
			"PUT /b/k HTTP/1.1\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nXxpect: x\r\n\r\n" + body +
				"GET / HTTP/1.0\r\nXxpect: y\r\n\r\n"},
		{"chunked body and trailers untouched",
			chunked + "GET / HTTP/1.1\r\nExpect: z\r\n\r\n",
			strings.Replace(chunked, "Expect: 202", "Xxpect: 202", 1) + "GET / HTTP/1.1\r\nXxpect: z\r\n\r\n"},
		{"HTTP/2 preface passes",
			"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nExpect: x\r\n",
			"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nExpect: x\r\n"},
		{"ambiguous framing passes",
			"PUT / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc\r\nGET / HTTP/1.1\r\nExpect: x\r\n\r\n",
			"PUT / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc\r\nGET / HTTP/1.1\r\nExpect: x\r\n\r\n"},
		{"upgrade passes",
			"GET / HTTP/1.1\r\nUpgrade: websocket\r\nExpect: x\r\n\r\n",
			"GET / HTTP/1.1\r\nUpgrade: websocket\r\nExpect: x\r\n\r\n"},
	}
	for _, c := range cases {
		for _, sizes := range [][]int{nil, {1}, {3, 7, 1}, {4096}} {
			if got := rewrite(t, []byte(c.in), sizes); string(got) != c.want {
				t.Errorf("%s (reads %v):\ngot  %q\nwant %q", c.name, sizes, got, c.want)
			}
		}
	}
}

// FuzzExpectRewrite: for any bytes and any read sizes, the rewrite keeps
// the length, changes nothing but "Expect" header names (to "Xxpect"), and
// does not depend on how the bytes arrive.
func FuzzExpectRewrite(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nExpect: x\r\n\r\n"), []byte{1, 3})
	f.Add([]byte("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\nexpect: y\r\n\r\n"), []byte{5})
	f.Add([]byte("PUT / HTTP/1.1\r\nContent-Length: 12\r\n\r\n\nExpect: no\r\nGET / HTTP/1.0\nExpect: 1\n\n"), []byte{})
	f.Fuzz(func(t *testing.T, input, sizes []byte) {
		if len(input) > 1<<16 {
			return
		}
		var sz []int
		for _, s := range sizes {
			sz = append(sz, int(s))
		}
		whole := rewrite(t, input, nil)
		pieces := rewrite(t, input, sz)
		if !bytes.Equal(whole, pieces) {
			t.Fatalf("result depends on read sizes %v:\n%q\n%q", sz, whole, pieces)
		}
		if len(whole) != len(input) {
			t.Fatalf("length changed %d -> %d", len(input), len(whole))
		}
		for i := 0; i < len(input); i++ {
			if whole[i] == input[i] {
				continue
			}
			// A difference must be a whole renamed name at a line start.
			ok := i >= 1 && input[i-1] == '\n' && i+7 <= len(input) &&
				strings.EqualFold(string(input[i:i+6]), "Expect") && input[i+6] == ':' &&
				string(whole[i:i+6]) == hiddenExpect
			if !ok {
				t.Fatalf("byte %d changed outside an Expect name:\n%q\n%q", i, input, whole)
			}
			i += 5
		}
	})
}

// TestExpectHeaderReachesS3: a signed S3 request carrying an Expect other
// than 100-continue is served (S3 ignores the header) instead of being
// answered 417 by net/http, and the header is back under its own name
// for the signature check.
func TestExpectHeaderReachesS3(t *testing.T) {
	s := startTest(t, Config{})
	k := s.Key()
	body := []byte(`<CreateBucketConfiguration><LocationConstraint>eu-north-1</LocationConstraint></CreateBucketConfiguration>`)
	req, err := http.NewRequest("PUT", s.URL()+"/expect-bucket", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Expect", "202-accepted")
	sum := sha256Hex(body)
	req.Header.Set("X-Amz-Content-Sha256", sum)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey}
	if err := signer.SignHTTP(ctxT(t), creds, req, sum, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	// net/http's client would refuse to send this Expect; write it raw.
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT with Expect: 202-accepted = %d %s, want 200", resp.StatusCode, got)
	}
	// The same connection serves a next request.
	req2, _ := http.NewRequest("GET", s.URL()+"/_caudal/health", nil)
	req2.Header.Set("Expect", "nothing")
	if err := req2.Write(conn); err != nil {
		t.Fatal(err)
	}
	resp2, err := http.ReadResponse(bufio.NewReader(conn), req2)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusOK {
		t.Errorf("second request on the connection = %d", resp2.StatusCode)
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// memConn is a net.Conn reading from memory (benchmarks).
type memConn struct {
	net.Conn
	r *bytes.Reader
}

func (c *memConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// BenchmarkExpectConnBody is the cost expectConn adds to reading a
// request: headers are scanned, a 1 MiB Content-Length body passes
// straight through.
func BenchmarkExpectConnBody(b *testing.B) {
	head := "PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\n" +
		"Content-Length: 1048576\r\n\r\n"
	req := append([]byte(head), make([]byte, 1<<20)...)
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c := &expectConn{Conn: &memConn{r: bytes.NewReader(req)}, framing: framing{state: stateRequestLine}}
		n := 0
		for {
			m, err := c.Read(buf)
			n += m
			if err == io.EOF {
				break
			}
		}
		if n != len(req) {
			b.Fatalf("read %d of %d", n, len(req))
		}
	}
}

// scriptConn returns its steps' bytes and errors in order, then EOF.
type scriptConn struct {
	net.Conn
	steps []struct {
		data string
		err  error
	}
}

func (c *scriptConn) Read(p []byte) (int, error) {
	if len(c.steps) == 0 {
		return 0, io.EOF
	}
	s := c.steps[0]
	c.steps = c.steps[1:]
	return copy(p, s.data), s.err
}

// TestExpectConnSurvivesDeadlines: net/http interrupts its background
// read with a past deadline; a timeout in the middle of a buffered partial
// line must surface as the error and leave the framing intact.
func TestExpectConnSurvivesDeadlines(t *testing.T) {
	timeout := &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}
	sc := &scriptConn{steps: []struct {
		data string
		err  error
	}{
		{"GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nExp", nil},
		{"", timeout},
		{"ect: later\r\n\r\n", nil},
	}}
	c := &expectConn{Conn: sc, framing: framing{state: stateRequestLine}}
	var out bytes.Buffer
	buf := make([]byte, 64)
	sawTimeout := false
	for {
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if errors.Is(err, os.ErrDeadlineExceeded) {
			sawTimeout = true
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	want := "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nXxpect: later\r\n\r\n"
	if !sawTimeout || out.String() != want {
		t.Errorf("timeout seen %v; got %q, want %q", sawTimeout, out.String(), want)
	}
}
