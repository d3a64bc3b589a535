package e2e

// TLS end to end: `caudal server --tls-self-signed`, driven over https by
// the Go SDK (HTTP/2), both boto3 generations (verify=<cert>) and both AWS
// CLI generations (--ca-bundle); plain HTTP and clients that do not trust
// the certificate get nowhere; a restart keeps the certificate.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// tlsBoto3Script writes and reads a record and an object over https,
// trusting only the certificate given, and prints one JSON line.
const tlsBoto3Script = `
import boto3, json, sys, time
endpoint, ca, name = sys.argv[1], sys.argv[2], sys.argv[3]
kw = dict(endpoint_url=endpoint, region_name="us-east-1", verify=ca)
k = boto3.client("kinesis", **kw)
k.create_stream(StreamName=name, ShardCount=1)
k.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
put = k.put_record(StreamName=name, Data=b"hello over tls", PartitionKey="p")
it = k.get_shard_iterator(StreamName=name, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
recs = k.get_records(ShardIterator=it)["Records"]
s3 = boto3.client("s3", **kw)
s3.create_bucket(Bucket=name)
s3.put_object(Bucket=name, Key="k", Body=b"object over tls")
body = s3.get_object(Bucket=name, Key="k")["Body"].read()
# Without the certificate, the same call fails verification.
try:
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").list_buckets()
    untrusted = "accepted"
except Exception as e:
    untrusted = type(e).__name__ + ": " + str(e)
print(json.dumps({"records": [r["Data"].decode() for r in recs], "object": body.decode(), "untrusted": untrusted}))
`

func TestE2ETLS(t *testing.T) {
	cl := clients(t)
	s := startServer(t, withTLS())
	if !strings.HasPrefix(s.Endpoint(), "https://") {
		t.Fatalf("endpoint %s is not https", s.Endpoint())
	}
	if !strings.Contains(s.Stdout(), "--ca-bundle "+s.CAFile()) {
		t.Errorf("banner does not tell the AWS CLI to trust %s:\n%s", s.CAFile(), s.Stdout())
	}
	hc, err := s.TLSHTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)

	t.Run("GoSDK", func(t *testing.T) {
		resp, err := hc.Get(s.Endpoint() + "/_caudal/health")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusOK {
			t.Errorf("health over TLS = %s %d, want HTTP/2 200", resp.Proto, resp.StatusCode)
		}
		k := kinesis.New(kinesis.Options{
			BaseEndpoint: aws.String(s.Endpoint()), Region: testRegion, HTTPClient: hc,
			Credentials: credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey, ""),
			Retryer:     retry.AddWithMaxAttempts(retry.NewStandard(), 2),
		})
		createStream(t, k, "gotls", 1)
		put, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("gotls"), Data: []byte("go over tls"), PartitionKey: aws.String("p")})
		if err != nil {
			t.Fatalf("PutRecord over TLS: %v", err)
		}
		it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("gotls"), ShardId: put.ShardId, ShardIteratorType: "TRIM_HORIZON"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatalf("GetRecords over TLS: %v", err)
		}
		if len(got.Records) != 1 || string(got.Records[0].Data) != "go over tls" {
			t.Errorf("GetRecords over TLS = %d records, want the one put", len(got.Records))
		}
		c := s.S3Client(t, func(o *s3.Options) { o.HTTPClient = hc })
		mustCreateBucket(t, c, "gotls")
		big := bytes.Repeat([]byte("tls!"), 3<<20) // 12 MiB: several HTTP/2 windows
		mustPut(t, c, "gotls", "big", big)
		b, _, err := getBytes(ctx, c, "gotls", "big")
		if err != nil || !bytes.Equal(b, big) {
			t.Errorf("GET over TLS: %d bytes, %v; want the %d put", len(b), err, len(big))
		}
	})

	t.Run("clients", func(t *testing.T) {
		var mu sync.Mutex
		var failures []string
		var wg sync.WaitGroup
		run := func(what string, check func() string) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if msg := check(); msg != "" {
					mu.Lock()
					failures = append(failures, what+": "+msg)
					mu.Unlock()
				}
			}()
		}
		for name, py := range map[string]string{"boto3-new": cl.PythonNew, "boto3-old": cl.PythonOld} {
			run(name, func() string {
				out, err := runClient(s, py, "-c", tlsBoto3Script, s.Endpoint(), s.CAFile(), "tls-"+name)
				if err != nil {
					return err.Error() + "\n" + out
				}
				lines := strings.Split(strings.TrimSpace(out), "\n")
				var res struct {
					Records   []string
					Object    string
					Untrusted string
				}
				if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
					return "no JSON result: " + out
				}
				if len(res.Records) != 1 || res.Records[0] != "hello over tls" || res.Object != "object over tls" {
					return "read back " + lines[len(lines)-1]
				}
				if !strings.Contains(res.Untrusted, "SSL") && !strings.Contains(res.Untrusted, "certificate") {
					return "a client without the certificate got: " + res.Untrusted
				}
				return ""
			})
		}
		for name, aws := range map[string]string{"aws-cli-v1": cl.AWSV1, "aws-cli-v2": cl.AWSV2} {
			run(name, func() string {
				base := []string{"--endpoint-url", s.Endpoint(), "--ca-bundle", s.CAFile(), "--region", testRegion}
				// Kinesis over TLS is the Go SDK's and boto3's part; the
				// CLI's is S3 (fewer CLI starts keep the test short).
				if out, err := runClient(s, aws, append(base, "s3", "mb", "s3://cli-"+name)...); err != nil {
					return "s3 mb: " + err.Error() + "\n" + out
				}
				out, err := runClient(s, aws, append(base, "s3", "ls")...)
				if err != nil || !strings.Contains(out, "cli-"+name) {
					return "s3 ls: " + out
				}
				// Without --ca-bundle the CLI refuses the certificate.
				out, err = runClient(s, aws, "--endpoint-url", s.Endpoint(), "--region", testRegion, "s3", "ls")
				if err == nil || !strings.Contains(strings.ToLower(out), "certificate") {
					return "s3 ls without --ca-bundle: " + out
				}
				return ""
			})
		}
		wg.Wait()
		for _, f := range failures {
			t.Error(f)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		resp, err := http.Get("http://" + s.Addr + "/_caudal/health")
		if err != nil {
			t.Fatalf("plain HTTP to the TLS port: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "https://") {
			t.Errorf("plain HTTP to the TLS port = %d %q, want 400 naming https://", resp.StatusCode, body)
		}
		untrusting := &http.Client{Timeout: 10 * time.Second}
		if _, err := untrusting.Get(s.Endpoint() + "/_caudal/health"); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("a client not trusting the certificate: %v, want a certificate error", err)
		}
	})

	t.Run("restart keeps the certificate", func(t *testing.T) {
		before, err := os.ReadFile(s.CAFile())
		if err != nil {
			t.Fatal(err)
		}
		s.Restart()
		after, err := os.ReadFile(s.CAFile())
		if err != nil || !bytes.Equal(before, after) {
			t.Fatalf("restart changed %s", s.CAFile())
		}
		// A client that trusted the old certificate still gets in, and
		// finds the stream it wrote.
		fresh, err := s.TLSHTTPClient()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := fresh.Get(s.Endpoint() + "/_caudal/health")
		if err != nil {
			t.Fatalf("health after restart: %v", err)
		}
		resp.Body.Close()
		if !strings.Contains(s.Stdout(), "self-signed, loaded from "+s.CAFile()) {
			t.Errorf("the restart's banner does not say the certificate was reused:\n%s", tail(s.Stdout(), 4<<10))
		}
	})

	// The key came from the environment, so no banner shows its secret,
	// and no request (good, or refused for a missing certificate) logs it.
	if strings.Contains(s.Stdout()+s.Stderr(), s.SecretAccessKey) {
		t.Error("the server printed the root secret access key")
	}
}

// runClient runs a client subprocess with the server's credentials and
// returns its combined output.
func runClient(s *Server, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(s.Env(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}
