package e2e

// Shared helpers of the S3 lake tests (s3_*_test.go): deterministic
// payloads, the ETags and checksums S3 documents, and an HTTPS front for the
// server so that clients take the code paths they take against real S3.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// randomBytes returns n pseudo-random bytes from seed: the same seed always
// gives the same bytes, so a test can regenerate what it uploaded.
func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x53))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rng.Uint64())
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// md5ETag is the ETag S3 gives an object uploaded in one PUT: the quoted hex
// MD5 of its bytes.
func md5ETag(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// multipartETag is the ETag S3 gives a completed multipart upload: the hex
// MD5 of the concatenated binary MD5s of its parts, a dash and the part
// count (observed S3 behaviour that every S3 client and MinIO rely on; the
// API reference only promises "not an MD5 of the object data").
func multipartETag(b []byte, partSize int) string {
	var sums []byte
	n := 0
	for off := 0; off < len(b); off += partSize {
		sum := md5.Sum(b[off:min(off+partSize, len(b))])
		sums = append(sums, sum[:]...)
		n++
	}
	sum := md5.Sum(sums)
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sum[:]), n)
}

// crc32Base64 is the x-amz-checksum-crc32 value of b: the base64 of the
// big-endian IEEE CRC-32.
func crc32Base64(b []byte) string {
	var v [4]byte
	binary.BigEndian.PutUint32(v[:], crc32.ChecksumIEEE(b))
	return base64.StdEncoding.EncodeToString(v[:])
}

// s3ErrorCode is the S3 error code of err ("" if it carries none).
func s3ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// tlsFront is an HTTPS endpoint in front of a caudal server. Over http the
// SDKs sign the payload or send checksums in headers; over https (as
// against real S3) the newer ones send aws-chunked bodies with
// STREAMING-UNSIGNED-PAYLOAD-TRAILER and an x-amz-checksum-crc32 trailer
// (botocore httpchecksum.py, aws-sdk-go-v2 service/internal/checksum), and
// the older boto3 sends UNSIGNED-PAYLOAD. The front only terminates TLS: it
// passes requests through unchanged, Host included (it is signed), so the
// server sees exactly what the client sent.
type tlsFront struct {
	URL    string       // https://127.0.0.1:port
	CAFile string       // PEM of the front's self-signed certificate
	Client *http.Client // an HTTP client that trusts it

	mu    sync.Mutex
	modes map[string]bool // X-Amz-Content-Sha256 values of the PUTs seen
}

// putModes returns the payload modes (X-Amz-Content-Sha256, with hashes
// shown as "<sha256>") of the PUT requests the front passed on.
func (f *tlsFront) putModes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for m := range f.modes {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

func startTLSFront(t testing.TB, s *Server) *tlsFront {
	t.Helper()
	target, err := url.Parse(s.Endpoint())
	if err != nil {
		t.Fatalf("parse endpoint: %v", err)
	}
	f := &tlsFront{modes: map[string]bool{}}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			if pr.In.Method == http.MethodPut {
				mode := pr.In.Header.Get("X-Amz-Content-Sha256")
				if len(mode) == 64 && !strings.ContainsAny(mode, "-_") {
					mode = "<sha256>"
				}
				f.mu.Lock()
				f.modes[mode] = true
				f.mu.Unlock()
			}
		},
		// No response buffering surprises: flush as the server writes.
		FlushInterval: -1,
	}
	// When the server answers before reading the whole body (an error),
	// drain the rest as the server itself does, so the client reads the
	// answer instead of a reset from the front.
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxy.ServeHTTP(w, r)
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "front-ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatalf("write CA file: %v", err)
	}
	f.URL, f.CAFile, f.Client = ts.URL, ca, ts.Client()
	return f
}

// S3Client is an S3 client for the front with the SDK's default checksums.
func (f *tlsFront) S3Client(t testing.TB, s *Server) *s3.Client {
	return s.S3Client(t, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(f.URL)
		o.HTTPClient = f.Client
	})
}

// vhostClient is an S3 client that addresses buckets virtual-host style,
// "<bucket>.localhost:<port>", dialling the server whatever the name
// resolves to.
func vhostClient(t testing.TB, s *Server) *s3.Client {
	_, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		t.Fatalf("split %q: %v", s.Addr, err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, s.Addr)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return s.S3Client(t, func(o *s3.Options) {
		o.BaseEndpoint = aws.String("http://localhost:" + port)
		o.UsePathStyle = false
		o.HTTPClient = &http.Client{Transport: tr}
	})
}

// getBytes reads a whole object.
func getBytes(ctx context.Context, c *s3.Client, bucket, key string) ([]byte, *s3.GetObjectOutput, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return b, out, err
}

// mustCreateBucket creates a bucket or fails the test.
func mustCreateBucket(t testing.TB, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", bucket, err)
	}
}

// mustPut stores b under key with one PutObject or fails the test.
func mustPut(t testing.TB, c *s3.Client, bucket, key string, b []byte) {
	t.Helper()
	if _, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(b)}); err != nil {
		t.Fatalf("PutObject %s/%s (%d bytes): %v", bucket, key, len(b), err)
	}
}

// listAllKeys lists every key under prefix with ListObjectsV2 and the size
// of each; a key listed twice fails the test.
func listAllKeys(t testing.TB, c *s3.Client, bucket, prefix string) map[string]int64 {
	t.Helper()
	keys := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctxT(t))
		if err != nil {
			t.Fatalf("ListObjectsV2 %s prefix %q: %v", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if _, dup := keys[k]; dup {
				t.Errorf("ListObjectsV2 %s: key %q listed twice", bucket, k)
			}
			keys[k] = aws.ToInt64(o.Size)
		}
	}
	return keys
}
