package e2e

// The authorization matrix (issue 7): scripts/authz_matrix.py makes IAM
// users, keys and inline policies through the IAM API with both boto3
// generations and calls Kinesis, S3, Glue and Athena as them — allowed and
// denied actions and resources, wildcards, NotAction/NotResource, explicit
// Deny over Allow, aws:SourceIp, aws:SecureTransport (plain and
// --tls-self-signed servers), s3:prefix on ListBucket, presigned URLs of
// the user (allowed, denied, expired), disabled and deleted keys — and
// checks that refused writes changed nothing. The Go side replays requests
// signed 20 minutes ago, which no policy may let in.

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func TestE2EAuthzMatrix(t *testing.T) {
	for _, gen := range pythonGens(t) {
		t.Run(gen.name, func(t *testing.T) {
			s := startServer(t)
			out := runScript(t, gen.python, s, "authz_matrix.py")
			if out["secure_transport"] != "denied" {
				t.Errorf("plain HTTP: aws:SecureTransport row %v", out["secure_transport"])
			}
			if gen.boto3 != "" {
				if v, _ := out["versions"].(map[string]any); !strings.HasPrefix(v["boto3"].(string), gen.boto3) {
					t.Errorf("boto3 %v, want %s*", v["boto3"], gen.boto3)
				}
			}

			tlsSrv := startServer(t, withTLS())
			t.Setenv("CAUDAL_CA_FILE", tlsSrv.CAFile())
			out = runScript(t, gen.python, tlsSrv, "authz_matrix.py", "tls")
			if out["secure_transport"] != "allowed" {
				t.Errorf("TLS: aws:SecureTransport row %v", out["secure_transport"])
			}
		})
	}
}

// TestE2EAuthzReplay: a request signed with an X-Amz-Date 20 minutes old
// is refused with AWS's code for each service, however often it is sent,
// and what it asked for does not happen.
func TestE2EAuthzReplay(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	then := time.Now().Add(-20 * time.Minute)
	creds := aws.Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey}

	body := []byte(`{"StreamName":"replayed","ShardCount":1}`)
	for i := 0; i < 2; i++ {
		req := newKinesisRequest(t, s, "CreateStream", contentTypeJSON, body)
		signRequest(t, req, body, s.AccessKeyID, s.SecretAccessKey, testRegion, then)
		r := doRaw(t, req)
		wantRawError(t, r, "InvalidSignatureException", http.StatusBadRequest)
		if !strings.Contains(string(r.Body), "Signature expired") {
			t.Errorf("Kinesis replay message: %s", r.Body)
		}
	}
	list := []byte(`{}`)
	req := newKinesisRequest(t, s, "ListStreams", contentTypeJSON, list)
	signRequest(t, req, list, s.AccessKeyID, s.SecretAccessKey, testRegion, time.Now())
	if r := doRaw(t, req); r.StatusCode != 200 || bytes.Contains(r.Body, []byte("replayed")) {
		t.Errorf("after the replays: %d %s", r.StatusCode, r.Body)
	}

	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	for i := 0; i < 2; i++ {
		req, err := http.NewRequest(http.MethodPut, s.Endpoint()+"/replayed-bucket", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		if err := signer.SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", testRegion, then); err != nil {
			t.Fatal(err)
		}
		r := doRaw(t, req)
		if r.StatusCode != http.StatusForbidden || !bytes.Contains(r.Body, []byte("<Code>RequestTimeTooSkewed</Code>")) {
			t.Errorf("S3 replay: %d %s", r.StatusCode, r.Body)
		}
	}
	req, err := http.NewRequest(http.MethodHead, s.Endpoint()+"/replayed-bucket", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	if err := signer.SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	if r := doRaw(t, req); r.StatusCode != http.StatusNotFound {
		t.Errorf("HeadBucket after the replays: %d (want 404: the bucket must not exist)", r.StatusCode)
	}
}
