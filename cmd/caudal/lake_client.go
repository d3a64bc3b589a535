package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// lakeClient is an S3 client bound to one caudal endpoint, with what it
// needs to explain failures in the user's terms.
type lakeClient struct {
	*s3.Client
	// base explains the failures every client shares (unreachable
	// endpoint, rejected credentials) in the same words as the Kinesis
	// commands; its Kinesis client is never used.
	base client
}

// newLakeClient builds an S3 client for the endpoint in g, with the
// credentials newClient would use. Requests are path-style
// (http://host:port/bucket/key) because that works for every endpoint,
// an IP address included; virtual-host style needs a DNS name whose
// subdomains resolve to the server.
func newLakeClient(ctx context.Context, e *env, g *globals) (*lakeClient, error) {
	creds, src, err := resolveCredentials(ctx, e, g)
	if err != nil {
		return nil, err
	}
	sc := s3.New(s3.Options{
		Region:       g.region,
		BaseEndpoint: aws.String(g.endpoint),
		Credentials:  creds,
		UsePathStyle: true,
		HTTPClient:   &meteredHTTPClient{next: awshttp.NewBuildableClient()},
		// The SDK's default checksums stay on: the CLI exercises the wire
		// API as a user's program does. Ranged GETs legitimately carry no
		// whole-object checksum; don't log that for every part.
		DisableLogOutputChecksumValidationSkipped: true,
	})
	return &lakeClient{Client: sc, base: client{g: g, credSrc: src}}, nil
}

// explain turns an S3 error into one that says what to do. bucket is the
// bucket the call was about ("" for none).
func (c *lakeClient) explain(err error, bucket string) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		// Only a failure to talk to the server is the server's absence;
		// a local error (a file that cannot be read) is told as it is.
		var oe *net.OpError
		if errors.As(err, &oe) {
			return c.base.explain(err)
		}
		return err
	}
	switch api.ErrorCode() {
	case "NoSuchBucket":
		if bucket == "" {
			return fmt.Errorf("the bucket does not exist: %s", api.ErrorMessage())
		}
		return fmt.Errorf("bucket %s does not exist (create it with: caudal lake mb s3://%s)", bucket, bucket)
	case "BucketNotEmpty":
		return fmt.Errorf("bucket %s is not empty (delete it with everything in it: caudal lake rb --force s3://%s)", bucket, bucket)
	case "InvalidBucketName":
		return fmt.Errorf("%q is not a valid bucket name: use 3 to 63 lowercase letters, digits, dots and hyphens, "+
			"beginning and ending with a letter or digit", bucket)
	case "BucketAlreadyExists":
		return fmt.Errorf("bucket name %s is taken by another account; choose another name", bucket)
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AuthorizationHeaderMalformed", "AccessDenied":
		return fmt.Errorf("caudal at %s rejected the credentials from %s: %s: %s — use the key the server printed at start-up (or --data pointing at its data directory)",
			c.base.g.endpoint, c.base.credSrc, api.ErrorCode(), api.ErrorMessage())
	case "RequestTimeTooSkewed":
		return fmt.Errorf("caudal at %s refused the request: this machine's clock differs from the server's by more than 15 minutes: %s",
			c.base.g.endpoint, api.ErrorMessage())
	}
	return c.base.explain(err)
}

// isNotFound reports whether err is a 404 answer. HEAD answers have no
// body, so a missing bucket or key reaches the SDK only as a status.
func isNotFound(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// meter counts the payload bytes of the transfers whose context carries
// it: request bodies of uploads as the HTTP client sends them, response
// bodies of downloads as they are read. Counting on the wire rather than
// at the file makes the progress bar show what has reached the server,
// not what the SDK has buffered or hashed ahead of sending.
type meter struct{ n atomic.Int64 }

type meterKey struct{}

// withMeter returns a context whose S3 requests add their payload bytes
// to m.
func withMeter(ctx context.Context, m *meter) context.Context {
	return context.WithValue(ctx, meterKey{}, m)
}

// meteredHTTPClient is the SDK's HTTP client with byte counting for
// requests whose context carries a meter.
type meteredHTTPClient struct{ next s3.HTTPClient }

func (c *meteredHTTPClient) Do(req *http.Request) (*http.Response, error) {
	m, _ := req.Context().Value(meterKey{}).(*meter)
	if m == nil {
		return c.next.Do(req)
	}
	// Only bodies of known, non-zero length are wrapped: an empty body
	// must keep its identity for net/http to send it without chunking.
	if req.Body != nil && req.ContentLength > 0 && (req.Method == http.MethodPut || req.Method == http.MethodPost) {
		req.Body = &meteredBody{ReadCloser: req.Body, m: m}
	}
	resp, err := c.next.Do(req)
	if err == nil && req.Method == http.MethodGet && resp.StatusCode/100 == 2 {
		resp.Body = &meteredBody{ReadCloser: resp.Body, m: m}
	}
	return resp, err
}

type meteredBody struct {
	io.ReadCloser
	m *meter
}

func (b *meteredBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.m.n.Add(int64(n))
	return n, err
}
