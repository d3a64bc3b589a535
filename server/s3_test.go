package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// s3Client is an SDK client for the server. Virtual-host style sends
// "<bucket>.localhost:<port>" as the Host; its dialer connects to the
// server whatever the name, so no resolver set-up is needed.
func s3Client(s *Server, pathStyle bool) *s3.Client {
	k := s.Key()
	_, port, _ := net.SplitHostPort(s.Addr())
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, s.Addr())
	}
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://localhost:" + port),
		UsePathStyle: pathStyle,
		Credentials:  credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, ""),
		HTTPClient:   &http.Client{Transport: &http.Transport{DialContext: dial}},
	})
}

func TestS3ThroughServer(t *testing.T) {
	dir := t.TempDir()
	var startingStatus int
	var startingBody string
	s := startTest(t, Config{DataDir: dir, Fsync: "never", beforeOpen: func(addr string) {
		resp, err := http.Get("http://" + addr + "/some-bucket")
		if err != nil {
			t.Errorf("S3 call while starting: %v", err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		startingStatus, startingBody = resp.StatusCode, string(b)
	}})
	if startingStatus != http.StatusServiceUnavailable || !strings.Contains(startingBody, "<Code>ServiceUnavailable</Code>") {
		t.Errorf("S3 while starting = %d %s, want 503 ServiceUnavailable", startingStatus, startingBody)
	}
	ctx := ctxT(t)
	path, vhost := s3Client(s, true), s3Client(s, false)
	if _, err := path.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("path-made")}); err != nil {
		t.Fatalf("path-style CreateBucket: %v", err)
	}
	if _, err := vhost.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vhost-made")}); err != nil {
		t.Fatalf("virtual-host CreateBucket: %v", err)
	}
	for _, c := range []*s3.Client{path, vhost} {
		for _, b := range []string{"path-made", "vhost-made"} {
			if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b)}); err != nil {
				t.Errorf("HeadBucket %s: %v", b, err)
			}
		}
	}
	// Kinesis still owns X-Amz-Target posts to "/".
	if _, err := kinesisClient(s, nil).ListStreams(ctx, nil); err != nil {
		t.Errorf("Kinesis beside S3: %v", err)
	}
	if _, err := os.Stat(LakeDir(dir)); err != nil {
		t.Errorf("lake directory: %v", err)
	}

	// Buckets survive a restart on the same data directory.
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2 := startTest(t, Config{DataDir: dir})
	out, err := s3Client(s2, true).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range out.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	if strings.Join(names, ",") != "path-made,vhost-made" {
		t.Errorf("buckets after restart = %v", names)
	}
	_, err = s3Client(s2, false).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("never-made")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadBucket missing = %v, want NotFound", err)
	}
}
