package s3api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/caudal/caudal/lake"
)

// benchServer is a Handler over a lake in b's temp dir on loopback. The
// lake skips fsync (NoSync): these benchmarks measure the wire skin's
// path (signature, streaming, hashing, the index), not the disk's flush.
func benchServer(b *testing.B) (*httptest.Server, *lake.Lake) {
	b.Helper()
	lk, err := lake.Open(lake.Config{Dir: b.TempDir(), NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := lk.CreateBucket("bench", ""); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(New(Config{Lake: lk,
		Secret: func(id string) (string, bool) { return testSecret, id == testAccessKey }}))
	b.Cleanup(func() { srv.Close(); lk.Close() })
	return srv, lk
}

// benchRequest is a header-signed request with UNSIGNED-PAYLOAD, as the
// SDKs send over https.
func benchRequest(b *testing.B, method, url string, body []byte) *http.Request {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	if err := testSigner.SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	return req
}

func BenchmarkPutObject1MiB(b *testing.B) {
	srv, _ := benchServer(b)
	body := randomBytes(1<<20, 1)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := srv.Client().Do(benchRequest(b, "PUT", srv.URL+"/bench/object", body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("PUT: %d", resp.StatusCode)
		}
	}
}

func BenchmarkGetObject1MiB(b *testing.B) {
	srv, lk := benchServer(b)
	body := randomBytes(1<<20, 1)
	if _, err := lk.PutObject(context.Background(), "bench", "object", bytes.NewReader(body), lake.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := srv.Client().Do(benchRequest(b, "GET", srv.URL+"/bench/object", nil))
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n != int64(len(body)) {
			b.Fatalf("GET: %d, %d bytes", resp.StatusCode, n)
		}
	}
}
