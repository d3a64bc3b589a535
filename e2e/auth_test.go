package e2e

// SigV4 over the wire: raw HTTP requests with missing, malformed, wrong,
// unknown and stale signatures, each of which must be refused with AWS's
// code and status and change nothing; region scoping; generated root
// credentials; and a graceful SIGTERM under load.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

const (
	contentTypeJSON = "application/x-amz-json-1.1"
	contentTypeCBOR = "application/x-amz-cbor-1.1"
	targetPrefix    = "Kinesis_20131202."
)

// rawResp is an HTTP answer read in full.
type rawResp struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// errType is the JSON error envelope's __type without any namespace prefix
// ("com.amazon.coral.service#UnrecognizedClientException" → the part after #).
func (r rawResp) errType(t testing.TB) string {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("error body is not JSON (HTTP %d): %q", r.StatusCode, r.Body)
	}
	typ, _ := env["__type"].(string)
	if i := strings.LastIndex(typ, "#"); i >= 0 {
		typ = typ[i+1:]
	}
	return typ
}

// newKinesisRequest builds an unsigned Kinesis request for op.
func newKinesisRequest(t testing.TB, s *Server, op, contentType string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.Endpoint()+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	return req
}

// signRequest signs req for Kinesis in region with the given key at time at,
// over the payload signedBody (which may differ from what is sent, to
// simulate tampering).
func signRequest(t testing.TB, req *http.Request, signedBody []byte, akid, secret, region string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256(signedBody)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}, req, hex.EncodeToString(sum[:]), "kinesis", region, at)
	if err != nil {
		t.Fatalf("sign request: %v", err)
	}
}

func doRaw(t testing.TB, req *http.Request) rawResp {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Header.Get("X-Amz-Target"), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	return rawResp{StatusCode: resp.StatusCode, Header: resp.Header, Body: b}
}

// signedJSON sends a correctly signed JSON 1.1 call with the server's key.
func signedJSON(t testing.TB, s *Server, region, op string, body []byte, _ *aws.Credentials) rawResp {
	t.Helper()
	req := newKinesisRequest(t, s, op, contentTypeJSON, body)
	signRequest(t, req, body, s.AccessKeyID, s.SecretAccessKey, region, time.Now())
	return doRaw(t, req)
}

// wantRawError asserts an error answer's status, __type and request ID.
func wantRawError(t testing.TB, r rawResp, code string, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Errorf("HTTP %d, want %d (%s); body %s", r.StatusCode, status, code, r.Body)
	}
	if got := r.errType(t); got != code {
		t.Errorf("__type %q, want %q; body %s", got, code, r.Body)
	}
	if r.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("%s answer has no x-amzn-RequestId", code)
	}
	if ct := r.Header.Get("Content-Type"); ct != contentTypeJSON {
		t.Errorf("%s answer Content-Type %q, want %q (the request's protocol)", code, ct, contentTypeJSON)
	}
}

// wantNoStream asserts that a correctly signed client sees no such stream.
func wantNoStream(t testing.TB, c *kinesis.Client, name string) {
	t.Helper()
	_, err := c.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
}

func createBody(name string) []byte {
	return []byte(fmt.Sprintf(`{"StreamName":%q,"ShardCount":1}`, name))
}

func TestE2EAuthRefusals(t *testing.T) {
	s := startServer(t)
	c := s.KinesisClient(t)

	// Sanity: a correctly signed raw request works, so the refusals below
	// are about the signature and nothing else.
	ok := signedJSON(t, s, testRegion, "CreateStream", createBody("auth-ok"), nil)
	if ok.StatusCode != 200 {
		t.Fatalf("correctly signed CreateStream: HTTP %d %s", ok.StatusCode, ok.Body)
	}
	waitActive(t, c, "auth-ok")

	cases := []struct {
		name   string
		stream string
		prep   func(req *http.Request, body []byte)
		code   string
	}{
		{"NoAuthorization", "auth-none", func(req *http.Request, body []byte) {}, "MissingAuthenticationTokenException"},
		{"GarbageAuthorization", "auth-garbage", func(req *http.Request, body []byte) {
			req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			req.Header.Set("Authorization", "garbage")
		}, "IncompleteSignatureException"},
		{"IncompleteAuthorization", "auth-incomplete", func(req *http.Request, body []byte) {
			req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKeyID+"/20260101/us-east-1/kinesis/aws4_request")
		}, "IncompleteSignatureException"},
		{"WrongSecret", "auth-wrong-secret", func(req *http.Request, body []byte) {
			signRequest(t, req, body, s.AccessKeyID, s.SecretAccessKey+"x", testRegion, time.Now())
		}, "InvalidSignatureException"},
		{"UnknownKey", "auth-unknown-key", func(req *http.Request, body []byte) {
			signRequest(t, req, body, "AKIAUNKNOWNUNKNOWN00", s.SecretAccessKey, testRegion, time.Now())
		}, "UnrecognizedClientException"},
		{"Expired", "auth-expired", func(req *http.Request, body []byte) {
			signRequest(t, req, body, s.AccessKeyID, s.SecretAccessKey, testRegion, time.Now().Add(-20*time.Minute))
		}, "InvalidSignatureException"},
		{"FromTheFuture", "auth-future", func(req *http.Request, body []byte) {
			signRequest(t, req, body, s.AccessKeyID, s.SecretAccessKey, testRegion, time.Now().Add(20*time.Minute))
		}, "InvalidSignatureException"},
		{"TamperedBody", "auth-tampered", func(req *http.Request, body []byte) {
			// Signed for another stream name of the same length.
			signRequest(t, req, createBody("auth-tampereX"), s.AccessKeyID, s.SecretAccessKey, testRegion, time.Now())
		}, "InvalidSignatureException"},
		{"TamperedTarget", "auth-target", func(req *http.Request, body []byte) {
			req.Header.Set("X-Amz-Target", targetPrefix+"DescribeStream")
			signRequest(t, req, body, s.AccessKeyID, s.SecretAccessKey, testRegion, time.Now())
			req.Header.Set("X-Amz-Target", targetPrefix+"CreateStream")
		}, "InvalidSignatureException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := createBody(tc.stream)
			req := newKinesisRequest(t, s, "CreateStream", contentTypeJSON, body)
			tc.prep(req, body)
			r := doRaw(t, req)
			wantRawError(t, r, tc.code, 400)
			if tc.code == "InvalidSignatureException" && tc.name == "Expired" && !strings.Contains(strings.ToLower(string(r.Body)), "expired") {
				t.Errorf("expired-signature message does not say so: %s", r.Body)
			}
			wantNoStream(t, c, tc.stream)
			wantNoStream(t, c, "auth-tampereX")
		})
	}

	// A refused PutRecord stores nothing.
	t.Run("RefusedPutStoresNothing", func(t *testing.T) {
		body := []byte(`{"StreamName":"auth-ok","PartitionKey":"k","Data":"aGVsbG8="}`)
		req := newKinesisRequest(t, s, "PutRecord", contentTypeJSON, body)
		signRequest(t, req, body, s.AccessKeyID, "wrong", testRegion, time.Now())
		wantRawError(t, doRaw(t, req), "InvalidSignatureException", 400)
		if r := readShard(t, c, "auth-ok", "shardId-000000000000"); len(r.Records) != 0 {
			t.Errorf("refused PutRecord stored %d records", len(r.Records))
		}
	})

	// An unknown operation is refused as such, before authentication (AWS's
	// order), and never as a 404.
	t.Run("UnknownOperation", func(t *testing.T) {
		req := newKinesisRequest(t, s, "NoSuchOperation", contentTypeJSON, []byte(`{}`))
		wantRawError(t, doRaw(t, req), "UnknownOperationException", 400)
		req = newKinesisRequest(t, s, "NoSuchOperation", contentTypeJSON, []byte(`{}`))
		signRequest(t, req, []byte(`{}`), s.AccessKeyID, s.SecretAccessKey, testRegion, time.Now())
		wantRawError(t, doRaw(t, req), "UnknownOperationException", 400)
	})

	// Malformed JSON, correctly signed: SerializationException, not a 500.
	t.Run("MalformedJSON", func(t *testing.T) {
		r := signedJSON(t, s, testRegion, "CreateStream", []byte(`{"StreamName":`), nil)
		wantRawError(t, r, "SerializationException", 400)
	})
}

func TestE2EAuthRegions(t *testing.T) {
	s := startServer(t)
	east := s.KinesisClient(t)
	west := s.KinesisClientIn(t, "eu-west-1")
	arn := createStream(t, west, "regional", 1)
	if !strings.HasPrefix(arn, "arn:aws:kinesis:eu-west-1:") {
		t.Errorf("ARN of a stream created in eu-west-1 = %q", arn)
	}
	wantNoStream(t, east, "regional")
	out, err := east.ListStreams(ctxT(t), &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if contains(out.StreamNames, "regional") {
		t.Errorf("us-east-1 lists the eu-west-1 stream")
	}
	// The same name in us-east-1 is another stream.
	createStream(t, east, "regional", 2)
	for _, tc := range []struct {
		c    *kinesis.Client
		want int32
	}{{east, 2}, {west, 1}} {
		sum, err := tc.c.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("regional")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount); got != tc.want {
			t.Errorf("%s: %d shards, want %d", aws.ToString(sum.StreamDescriptionSummary.StreamARN), got, tc.want)
		}
	}
	// Records stay in their region.
	if _, err := west.PutRecord(ctxT(t), &kinesis.PutRecordInput{StreamName: aws.String("regional"), PartitionKey: aws.String("k"), Data: []byte("west")}); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, r := range readLineage(t, east, "regional") {
		total += len(r.Records)
	}
	if total != 0 {
		t.Errorf("a record put in eu-west-1 is readable in us-east-1")
	}
}

func TestE2EAuthGeneratedCredentials(t *testing.T) {
	s := startServer(t, withGeneratedCredentials())
	path := filepath.Join(s.Dir, "credentials.json")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("credentials.json: %v", err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("credentials.json mode = %o, want 600", mode)
	}
	if s.AccessKeyID == testAccessKeyID || len(s.AccessKeyID) < 16 || len(s.SecretAccessKey) < 30 {
		t.Errorf("generated key looks wrong: id %q, secret of %d chars", s.AccessKeyID, len(s.SecretAccessKey))
	}
	if !strings.Contains(s.Stdout(), s.AccessKeyID) || !strings.Contains(s.Stdout(), s.SecretAccessKey) {
		t.Errorf("the start-up banner does not print the generated key (id %s and its secret):\n%s", s.AccessKeyID, s.Stdout())
	}
	c := s.KinesisClient(t)
	createStream(t, c, "generated", 1)

	// The fixed test key is not accepted by this server.
	body := []byte(`{}`)
	req := newKinesisRequest(t, s, "ListStreams", contentTypeJSON, body)
	signRequest(t, req, body, testAccessKeyID, testSecretAccessKey, testRegion, time.Now())
	wantRawError(t, doRaw(t, req), "UnrecognizedClientException", 400)

	// A restart keeps the key.
	id, secret := s.AccessKeyID, s.SecretAccessKey
	s.Restart()
	if s.AccessKeyID != id || s.SecretAccessKey != secret {
		t.Fatalf("restart changed the root key from %s to %s", id, s.AccessKeyID)
	}
	if _, err := c.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("generated")}); err != nil {
		t.Fatalf("request with the generated key after restart: %v", err)
	}
}

// TestE2ESigtermDrains stops the server with SIGTERM while producers write:
// it must exit 0, and every record it acknowledged must be there after a
// restart.
func TestE2ESigtermDrains(t *testing.T) {
	s := startServer(t, withQuotasOff())
	c := s.KinesisClient(t)
	createStream(t, c, "drain", 2)

	var (
		mu     sync.Mutex
		acked  = map[string]string{} // data → sequence number
		n      atomic.Int64
		wg     sync.WaitGroup
		stopCh = make(chan struct{})
	)
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stopCh:
					return
				default:
				}
				var entries []types.PutRecordsRequestEntry
				for j := 0; j < 10; j++ {
					entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(p, j)), Data: []byte(fmt.Sprintf("p%d-%d-%d", p, i, j))})
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("drain"), Records: entries})
				cancel()
				if err != nil {
					// The server is going away; stop at the first refusal.
					return
				}
				mu.Lock()
				for j, r := range out.Records {
					if r.ErrorCode == nil {
						acked[string(entries[j].Data)] = aws.ToString(r.SequenceNumber)
						n.Add(1)
					}
				}
				mu.Unlock()
			}
		}(p)
	}
	eventually(t, 30*time.Second, func() bool { return n.Load() >= 500 }, "producers did not get 500 records acknowledged")
	code := s.Stop()
	close(stopCh)
	wg.Wait()
	if code != 0 {
		t.Errorf("exit code after SIGTERM under load = %d, want 0", code)
	}
	s.Restart()
	seen := map[string]int{}
	for _, r := range readLineage(t, c, "drain") {
		for _, rec := range r.Records {
			seen[string(rec.Data)]++
		}
	}
	mu.Lock()
	defer mu.Unlock()
	missing := 0
	for d := range acked {
		if seen[d] != 1 {
			missing++
			if missing < 10 {
				t.Errorf("acknowledged record %s read %d times after SIGTERM and restart", d, seen[d])
			}
		}
	}
	t.Logf("%d records acknowledged before SIGTERM; %d missing or duplicated", len(acked), missing)
}
