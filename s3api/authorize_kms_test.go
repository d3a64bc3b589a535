package s3api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/caudal/caudal/keystore"
)

// TestAuthorizeKMSKeyUse: writing an object under a customer-managed KMS
// key needs kms:GenerateDataKey on it (and kms:Decrypt too for a multipart
// upload), reading one needs kms:Decrypt, whether the key was asked for in
// the request or comes from the bucket default; HEAD and the AWS-managed
// aws/s3 key need no KMS permission. A refusal writes nothing.
func TestAuthorizeKMSKeyUse(t *testing.T) {
	e, who := authzEnv(t)
	e.mkBucket("bkt")
	e.mkBucket("dflt")
	k, err := e.keys.CreateKey(keystore.CreateOptions{Description: "customer key"})
	if err != nil {
		t.Fatal(err)
	}
	kmsHdr := map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": k.ID}
	// Written as root (no KMS check applies to root): a sealed object to read.
	if resp, out := e.do("PUT", "/bkt/sealed", []byte("secret"), kmsHdr); resp.StatusCode != 200 {
		t.Fatalf("root PUT: %d %s", resp.StatusCode, out)
	}
	cfg := `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>` +
		k.ARN + `</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`
	if resp, out := e.do("PUT", "/dflt?encryption", []byte(cfg), map[string]string{"Content-MD5": md5b64([]byte(cfg))}); resp.StatusCode != 200 {
		t.Fatalf("PutBucketEncryption: %d %s", resp.StatusCode, out)
	}

	s3only := principalWith(t, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	who.Store(s3only)
	refused := func(what string, resp *http.Response, out []byte, action string) {
		t.Helper()
		want := "is not authorized to perform: " + action + " on resource: &quot;" + k.ARN + "&quot;"
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(out), "<Code>AccessDenied</Code>") || !strings.Contains(string(out), want) {
			t.Errorf("%s: %d %s, want 403 AccessDenied naming %s", what, resp.StatusCode, out, action)
		}
	}
	resp, out := e.do("PUT", "/bkt/new", []byte("x"), kmsHdr)
	refused("PUT with the key", resp, out, "kms:GenerateDataKey")
	resp, out = e.do("PUT", "/dflt/new", []byte("x"), nil)
	refused("PUT under the bucket default", resp, out, "kms:GenerateDataKey")
	resp, out = e.do("POST", "/bkt/mp?uploads", nil, kmsHdr)
	refused("CreateMultipartUpload with the key", resp, out, "kms:GenerateDataKey")
	resp, out = e.do("GET", "/bkt/sealed", nil, nil)
	refused("GET", resp, out, "kms:Decrypt")
	resp, out = e.do("PUT", "/bkt/copy", nil, map[string]string{"x-amz-copy-source": "/bkt/sealed"})
	refused("CopyObject from a sealed source", resp, out, "kms:Decrypt")
	for _, k := range []string{"/bkt/new", "/dflt/new", "/bkt/copy"} {
		if resp, _ := e.do("HEAD", k, nil, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("refused write left %s: HEAD %d", k, resp.StatusCode)
		}
	}
	if resp, out := e.do("HEAD", "/bkt/sealed", nil, nil); resp.StatusCode != 200 {
		t.Errorf("HEAD needs no KMS permission: %d %s", resp.StatusCode, out)
	}
	// The AWS-managed key and SSE-S3 need nothing beyond S3's actions.
	for _, h := range []map[string]string{{"x-amz-server-side-encryption": "aws:kms"}, {"x-amz-server-side-encryption": "AES256"}} {
		if resp, out := e.do("PUT", "/bkt/managed", []byte("m"), h); resp.StatusCode != 200 {
			t.Errorf("PUT %v: %d %s", h, resp.StatusCode, out)
		}
		if resp, out := e.do("GET", "/bkt/managed", nil, nil); resp.StatusCode != 200 || string(out) != "m" {
			t.Errorf("GET %v: %d %s", h, resp.StatusCode, out)
		}
	}

	// With GenerateDataKey only: writes pass, reads and multipart do not.
	who.Store(principalWith(t, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
		{"Effect":"Allow","Action":"kms:GenerateDataKey","Resource":"`+k.ARN+`"}]}`))
	if resp, out := e.do("PUT", "/dflt/new", []byte("x"), nil); resp.StatusCode != 200 {
		t.Errorf("PUT under the default with kms:GenerateDataKey: %d %s", resp.StatusCode, out)
	}
	resp, out = e.do("POST", "/bkt/mp?uploads", nil, kmsHdr)
	refused("CreateMultipartUpload without kms:Decrypt", resp, out, "kms:Decrypt")
	resp, out = e.do("GET", "/dflt/new", nil, nil)
	refused("GET without kms:Decrypt", resp, out, "kms:Decrypt")

	// With both: everything.
	who.Store(principalWith(t, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
		{"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"`+k.ARN+`"}]}`))
	if resp, out := e.do("GET", "/bkt/sealed", nil, nil); resp.StatusCode != 200 || string(out) != "secret" {
		t.Errorf("GET with kms:Decrypt: %d %s", resp.StatusCode, out)
	}
	if resp, out := e.do("PUT", "/bkt/copy", nil, map[string]string{"x-amz-copy-source": "/bkt/sealed"}); resp.StatusCode != 200 {
		t.Errorf("CopyObject with kms:Decrypt: %d %s", resp.StatusCode, out)
	}
	if resp, out := e.do("POST", "/bkt/mp?uploads", nil, kmsHdr); resp.StatusCode != 200 {
		t.Errorf("CreateMultipartUpload with both: %d %s", resp.StatusCode, out)
	}
}
