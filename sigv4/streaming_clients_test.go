package sigv4

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// received is what putServer decoded from one PUT.
type received struct {
	mode    string // X-Amz-Content-Sha256
	data    []byte
	trailer http.Header
	err     error
}

// putServer is a TLS server (clients send aws-chunked bodies only over
// TLS) that verifies each PUT with VerifySigned, decodes its aws-chunked
// body with SetDecodedLength, and reports what it got.
func putServer(t *testing.T) (*httptest.Server, <-chan received) {
	t.Helper()
	v := newVerifier(signTime)
	v.Now = nil // the clients sign with the wall clock
	v.DisableURIPathEscaping = true
	got := make(chan received, 16)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode := r.Header.Get("X-Amz-Content-Sha256")
		rec := received{mode: mode}
		defer func() { got <- rec }()
		s, err := v.VerifySigned(r, mode)
		if err != nil {
			rec.err = err
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		cr := NewChunkedReader(r.Body, mode, s)
		if n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64); err == nil {
			cr.SetDecodedLength(n)
		}
		rec.data, rec.err = io.ReadAll(cr)
		if rec.err != nil {
			http.Error(w, rec.err.Error(), http.StatusBadRequest)
			return
		}
		rec.trailer = cr.Trailer()
		w.Header().Set("ETag", `"0"`)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func crc32Base64(b []byte) string {
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(b))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// checkReceived checks one decoded PUT: the mode the client announced, the
// payload, and the CRC32 trailer it sent.
func checkReceived(t *testing.T, who string, rec received, want []byte) {
	t.Helper()
	if rec.err != nil {
		t.Fatalf("%s: server: %v", who, rec.err)
	}
	if rec.mode != StreamingUnsignedTrailer {
		t.Fatalf("%s sent X-Amz-Content-Sha256 %q, want the aws-chunked unsigned-trailer form", who, rec.mode)
	}
	if !bytes.Equal(rec.data, want) {
		t.Fatalf("%s: decoded %d bytes, want %d", who, len(rec.data), len(want))
	}
	if got := rec.trailer.Get("X-Amz-Checksum-Crc32"); got != crc32Base64(want) {
		t.Fatalf("%s: trailer %v, want x-amz-checksum-crc32 %s", who, rec.trailer, crc32Base64(want))
	}
}

// TestChunkedGoSDKPutObject decodes what the AWS SDK for Go v2 sends for
// PutObject over TLS with its default checksum: a body of known length as
// one aws-chunked chunk, an unseekable one in 64 KiB chunks.
func TestChunkedGoSDKPutObject(t *testing.T) {
	srv, got := putServer(t)
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		HTTPClient:   srv.Client(),
		Credentials:  credentials.NewStaticCredentialsProvider(testID, testSecret, ""),
	})
	payload := pattern(300000, 9)
	for _, tc := range []struct {
		name string
		body io.Reader
		size *int64
	}{
		{"seekable", bytes.NewReader(payload), nil},
		{"unseekable", struct{ io.Reader }{bytes.NewReader(payload)}, aws.Int64(int64(len(payload)))},
	} {
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String("bucket"), Key: aws.String("dir/" + tc.name),
			Body: tc.body, ContentLength: tc.size, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		if err != nil {
			t.Fatalf("%s: PutObject: %v", tc.name, err)
		}
		checkReceived(t, "Go SDK "+tc.name, <-got, payload)
	}
}

// botocorePut uploads stdin's bytes with boto3's put_object over TLS (where
// botocore sends aws-chunked with a checksum trailer), not checking the
// test server's certificate.
const botocorePut = `
import sys, io, boto3
from botocore.config import Config
data = sys.stdin.buffer.read()
c = boto3.client("s3", endpoint_url=sys.argv[1], verify=False, region_name="us-east-1",
    aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3],
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
kw = {"ChecksumAlgorithm": "CRC32"} if sys.argv[4] == "crc32" else {}
c.put_object(Bucket="bucket", Key="k", Body=io.BytesIO(data), **kw)
`

// TestChunkedBotocorePutObject decodes what boto3 (botocore's
// AwsChunkedWrapper) sends: a new botocore (CRC32 by default, and asked
// for it) and an old one, which sends aws-chunked only when asked.
func TestChunkedBotocorePutObject(t *testing.T) {
	srv, got := putServer(t)
	py, old := newBotocore(t), oldBotocore(t)
	type run struct{ python, checksum string }
	runs := []run{{py, "default"}, {py, "crc32"}, {old, "crc32"}}
	payload := pattern(2500000, 3) // over botocore's 1 MiB chunk size
	for _, r := range runs {
		cmd := exec.Command(r.python, "-W", "ignore", "-c", botocorePut, srv.URL, testID, testSecret, r.checksum)
		cmd.Stdin = bytes.NewReader(payload)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s (%s): %v\n%s", r.python, r.checksum, err, out)
		}
		checkReceived(t, r.python+" "+r.checksum, <-got, payload)
	}
}
