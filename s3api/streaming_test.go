package s3api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signedChunkedRequest builds a PUT whose body is data in aws-chunked
// signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), chained from the
// seed signature as AWS's sigv4-streaming page describes. tamper changes
// one byte of the first chunk after signing.
func (e *s3env) signedChunkedRequest(target string, data []byte, tamper bool) *http.Request {
	e.t.Helper()
	now := time.Now().UTC()
	amzDate := now.Format("20060102T150405Z")
	scope := now.Format("20060102") + "/us-east-1/s3/aws4_request"
	encode := func(sigs [2]string) []byte {
		return []byte(fmt.Sprintf("%x;chunk-signature=%s\r\n%s\r\n0;chunk-signature=%s\r\n\r\n", len(data), sigs[0], data, sigs[1]))
	}
	placeholder := strings.Repeat("0", 64)
	req := e.newReq("PUT", target, nil)
	req.ContentLength = int64(len(encode([2]string{placeholder, placeholder})))
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	if err := signer.SignHTTP(context.Background(), creds, req, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "s3", "us-east-1", now); err != nil {
		e.t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	prev := auth[strings.Index(auth, "Signature=")+len("Signature="):]

	key := hmacSHA256([]byte("AWS4"+testSecret), now.Format("20060102"))
	key = hmacSHA256(key, "us-east-1")
	key = hmacSHA256(key, "s3")
	key = hmacSHA256(key, "aws4_request")
	var sigs [2]string
	for i, chunk := range [][]byte{data, nil} {
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + hashHex(nil) + "\n" + hashHex(chunk)
		sigs[i] = hex.EncodeToString(hmacSHA256(key, sts))
		prev = sigs[i]
	}
	body := encode(sigs)
	if tamper {
		i := bytes.Index(body, data)
		body[i] ^= 1
	}
	req.Body = readCloser{bytes.NewReader(body)}
	return req
}

func TestStreamingBodies(t *testing.T) {
	e := newS3Env(t, Config{})
	config := func(region string) []byte {
		return []byte("<CreateBucketConfiguration><LocationConstraint>" + region + "</LocationConstraint></CreateBucketConfiguration>")
	}
	region := func(bucket string) string {
		b, err := e.lake.HeadBucket(bucket)
		if err != nil {
			return "(none)"
		}
		return b.Region
	}

	resp, body := e.send(e.signedChunkedRequest("/signed-chunks", config("eu-central-1"), false))
	if resp.StatusCode != 200 || region("signed-chunks") != "eu-central-1" {
		t.Errorf("signed aws-chunked CreateBucket = %d %s; region %q", resp.StatusCode, body, region("signed-chunks"))
	}
	resp, body = e.send(e.signedChunkedRequest("/tampered-chunks", config("eu-central-1"), true))
	wantError(t, resp, body, 403, "SignatureDoesNotMatch")
	if r := region("tampered-chunks"); r != "(none)" {
		t.Errorf("a tampered body created a bucket in %q", r)
	}

	unsigned := func(target string, data []byte, decoded string) *http.Request {
		enc := []byte(fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(data), data))
		req := e.newReq("PUT", target, enc)
		req.Header.Set("Content-Encoding", "aws-chunked")
		if decoded != "" {
			req.Header.Set("X-Amz-Decoded-Content-Length", decoded)
		}
		sign(t, req, enc, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", time.Now())
		return req
	}
	data := config("us-west-2")
	resp, body = e.send(unsigned("/unsigned-chunks", data, strconv.Itoa(len(data))))
	if resp.StatusCode != 200 || region("unsigned-chunks") != "us-west-2" {
		t.Errorf("unsigned aws-chunked CreateBucket = %d %s", resp.StatusCode, body)
	}
	resp, body = e.send(unsigned("/short-chunks", data, strconv.Itoa(len(data)+1)))
	wantError(t, resp, body, 400, "IncompleteBody")
	resp, body = e.send(unsigned("/long-chunks", data, strconv.Itoa(len(data)-1)))
	wantError(t, resp, body, 400, "IncompleteBody")
	resp, body = e.send(unsigned("/no-decoded-length", data, ""))
	wantError(t, resp, body, 411, "MissingContentLength")
	resp, body = e.send(unsigned("/bad-decoded-length", data, "-5"))
	wantError(t, resp, body, 400, "InvalidArgument")
	for _, b := range []string{"short-chunks", "long-chunks", "no-decoded-length", "bad-decoded-length"} {
		if r := region(b); r != "(none)" {
			t.Errorf("refused body created bucket %s", b)
		}
	}
}
