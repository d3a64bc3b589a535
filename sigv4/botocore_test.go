package sigv4

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// botocoreSigner signs requests with botocore's own SigV4 code (what boto3
// and the AWS CLI use), reading a JSON list of requests on stdin and
// writing the signed URL and headers of each.
const botocoreSigner = `
import json, sys
from botocore.auth import SigV4Auth, SigV4QueryAuth, S3SigV4QueryAuth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

creds = Credentials(sys.argv[1], sys.argv[2])
out = []
for r in json.load(sys.stdin):
    req = AWSRequest(method=r["method"], url=r["url"], data=r["body"].encode(), headers=r["headers"])
    cls = {"header": SigV4Auth, "query": SigV4QueryAuth, "s3query": S3SigV4QueryAuth, "s3header": S3SigV4Auth}[r["form"]]
    args = (creds, r["service"], "us-east-1") + ((60,) if "query" in r["form"] else ())
    cls(*args).add_auth(req)  # signs with the current time
    p = req.prepare()
    out.append({"url": p.url, "headers": dict(p.headers)})
json.dump(out, sys.stdout)
`

// TestVerifyBotocoreSigned verifies requests signed by botocore, the signer
// of boto3 and the AWS CLI, including paths and queries that need SigV4's
// canonical escaping, in header and presigned forms and S3's path rule.
func TestVerifyBotocoreSigned(t *testing.T) {
	for _, py := range []string{newBotocore(t), oldBotocore(t)} {
		t.Run(py, func(t *testing.T) { verifyBotocoreSigned(t, py) })
	}
}

func verifyBotocoreSigned(t *testing.T, py string) {
	// botocore signs with the wall clock, so the verifier uses it too.
	v := newVerifier(time.Time{})
	v.Now = nil
	srv := verifyServer(t, v)
	s3v := newVerifier(time.Time{})
	s3v.Now = nil
	s3v.DisableURIPathEscaping = true
	s3srv := verifyServer(t, s3v)

	type req struct {
		Form    string            `json:"form"`
		Service string            `json:"service"`
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Body    string            `json:"body"`
		Headers map[string]string `json:"headers"`
		s3      bool
	}
	kin := map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"}
	reqs := []req{
		{Form: "header", Service: "kinesis", Method: "POST", URL: srv.URL + "/", Body: `{}`, Headers: kin},
		{Form: "header", Service: "kinesis", Method: "POST", URL: srv.URL + "/", Body: `{"a":"b c"}`,
			Headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.PutRecord", "X-Amz-Meta-Odd": "  a   b  "}},
		{Form: "header", Service: "kinesis", Method: "GET", URL: srv.URL + "/a%20b/c?z=1&a=%2F&a=0&e=&sp=x%20y", Body: ``, Headers: map[string]string{}},
		{Form: "query", Service: "kinesis", Method: "GET", URL: srv.URL + "/p?x=1", Body: ``, Headers: map[string]string{}},
		{Form: "s3header", Service: "s3", Method: "PUT", URL: s3srv.URL + "/bucket/dir/key%20with%20spaces%2Band%2Bplus", Body: `data`,
			Headers: map[string]string{"Content-Type": "text/plain"}, s3: true},
		{Form: "s3query", Service: "s3", Method: "GET", URL: s3srv.URL + "/bucket/caf%C3%A9.txt?versionId=null", Body: ``,
			Headers: map[string]string{}, s3: true},
	}
	in, _ := json.Marshal(reqs)
	cmd := exec.Command(py, "-c", botocoreSigner, testID, testSecret)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore signer: %v\n%s", err, stderr.String())
	}
	var signed []struct {
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(outb, &signed); err != nil {
		t.Fatalf("botocore output %q: %v", outb, err)
	}
	for i, s := range signed {
		r := reqs[i]
		hr, err := http.NewRequest(r.Method, s.URL, strings.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range s.Headers {
			if strings.EqualFold(k, "host") {
				continue
			}
			hr.Header.Set(k, v)
		}
		if r.s3 && (r.Form == "s3query" || hr.Header.Get("X-Amz-Content-Sha256") == UnsignedPayload) {
			hr.Header.Set("X-Test-Unsigned", "1")
		}
		res := send(t, hr)
		if !res.OK {
			t.Errorf("%s %s (%s): refused %s: %s", r.Method, s.URL, r.Form, res.Code, res.Message)
		}
		if i == 0 {
			// The same request with one signed header changed is refused.
			tampered, _ := http.NewRequest(r.Method, s.URL, strings.NewReader(r.Body))
			tampered.Header = hr.Header.Clone()
			tampered.Header.Set("X-Amz-Target", "Kinesis_20131202.DeleteStream")
			if res := send(t, tampered); res.OK || res.Kind != KindMismatch {
				t.Errorf("tampered botocore request: %+v", res)
			}
		}
	}
}
