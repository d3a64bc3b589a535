package s3api

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Presigned URLs boto3 made with its default (Signature Version 2) for
// testAccessKey at time 1700000000, ExpiresIn 3600 (botocore.auth's clock
// pinned): 1.43 and 1.26 sign bucket-level resources differently.
var boto3V2URLs = []struct {
	name, method, target string
}{
	{"get_object", "GET", "/vec-bucket/a%20b/%C3%BC%2B.txt?AWSAccessKeyId=AKIDCAUDALTEST000001&Signature=hES9H1g1%2FnOx9NKRb7xQA9Mq5D0%3D&Expires=1700003600"},
	{"list_objects_v2 (1.43)", "GET", "/vec-bucket?list-type=2&prefix=a%20b%2F&encoding-type=url&AWSAccessKeyId=AKIDCAUDALTEST000001&Signature=tFSENPxeKLgoVZ6exm1J6UE2EB8%3D&Expires=1700003600"},
	{"list_objects_v2 (1.26)", "GET", "/vec-bucket?list-type=2&prefix=a%20b%2F&encoding-type=url&AWSAccessKeyId=AKIDCAUDALTEST000001&Signature=t2ESIb7Z6zSnIhoyb7752aWKmhY%3D&Expires=1700003600"},
	{"list_multipart_uploads (1.43)", "GET", "/vec-bucket?uploads&AWSAccessKeyId=AKIDCAUDALTEST000001&Signature=iLkL6m3rKNJu6FTNtKDDtx3vMIw%3D&Expires=1700003600"},
	{"list_multipart_uploads (1.26)", "GET", "/vec-bucket?uploads&AWSAccessKeyId=AKIDCAUDALTEST000001&Signature=eQs%2BXZHshuhO5A%2FycO9kCX%2BlcaI%3D&Expires=1700003600"},
}

func TestBoto3PresignedV2(t *testing.T) {
	now := time.Unix(1700000000, 0)
	e := newS3Env(t, Config{Now: func() time.Time { return now }})
	e.mkBucket("vec-bucket")
	e.put("vec-bucket", "a b/ü+.txt", "vector")
	get := func(method, target string, hdr map[string]string, body string) (*http.Response, []byte) {
		req, err := http.NewRequest(method, e.url+target, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return e.send(req)
	}
	for _, c := range boto3V2URLs {
		resp, body := get(c.method, c.target, nil, "")
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, body)
		}
	}
	if _, body := get("GET", boto3V2URLs[0].target, nil, ""); string(body) != "vector" {
		t.Errorf("presigned GET body %q", body)
	}
	// A presigned PUT with a Content-Type: the header the uploader sends,
	// or the query parameter botocore put in the URL, signs it.
	put := "/vec-bucket/up.txt?AWSAccessKeyId=AKIDCAUDALTEST000001&Signature=8hc72YYyiTjcY%2Bzrdf9Oo0cvdwc%3D&content-type=text%2Fplain&Expires=1700003600"
	for _, hdr := range []map[string]string{{"Content-Type": "text/plain"}, nil} {
		if resp, body := get("PUT", put, hdr, "uploaded"); resp.StatusCode != 200 {
			t.Errorf("presigned PUT (headers %v) = %d %s", hdr, resp.StatusCode, body)
		}
	}
	resp, body := get("PUT", put, map[string]string{"Content-Type": "image/png"}, "x")
	wantError(t, resp, body, 403, "SignatureDoesNotMatch")

	// Tampering with what was signed.
	tampered := strings.Replace(boto3V2URLs[0].target, "Expires=1700003600", "Expires=1700007200", 1)
	resp, body = get("GET", tampered, nil, "")
	if se := wantError(t, resp, body, 403, "SignatureDoesNotMatch"); se.Fields["StringToSign"] != "GET\n\n\n1700007200\n/vec-bucket/a%20b/%C3%BC%2B.txt" {
		t.Errorf("StringToSign %q", se.Fields["StringToSign"])
	}
	resp, body = get("GET", strings.Replace(boto3V2URLs[0].target, "AKIDCAUDALTEST000001", "AKIDUNKNOWN", 1), nil, "")
	wantError(t, resp, body, 403, "InvalidAccessKeyId")
	resp, body = get("GET", "/vec-bucket/x?AWSAccessKeyId=AKIDCAUDALTEST000001&Expires=1700003600", nil, "")
	wantError(t, resp, body, 403, "AccessDenied")

	now = time.Unix(1700003601, 0)
	resp, body = get("GET", boto3V2URLs[0].target, nil, "")
	if se := wantError(t, resp, body, 403, "AccessDenied"); se.Message != "Request has expired" || se.Fields["Expires"] != "2023-11-14T23:13:20Z" {
		t.Errorf("expired V2 URL: %q %q", se.Message, se.Fields)
	}
}

// TestV2HeaderAWSExample is the worked example of S3's REST
// authentication documentation (virtual-host style: the bucket signs as
// part of the resource).
func TestV2HeaderAWSExample(t *testing.T) {
	date := "Tue, 27 Mar 2007 19:36:42 +0000"
	when, _ := http.ParseTime(strings.Replace(date, "+0000", "GMT", 1))
	h := New(Config{
		Now: func() time.Time { return when.Add(time.Minute) },
		Secret: func(id string) (string, bool) {
			return "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", id == "AKIAIOSFODNN7EXAMPLE"
		},
		HostSuffixes: []string{"s3.us-west-1.amazonaws.com"},
	})
	check := func(sig, wantCode string) {
		t.Helper()
		req := httptest.NewRequest("GET", "/photos/puppy.jpg", nil)
		req.Host = "awsexamplebucket1.s3.us-west-1.amazonaws.com"
		req.Header.Set("Date", date)
		req.Header.Set("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:"+sig)
		q := &request{r: req, query: url.Values{}, bucket: "awsexamplebucket1", key: "photos/puppy.jpg"}
		err := h.authenticate(q)
		switch {
		case wantCode == "" && err != nil:
			t.Errorf("AWS example signature refused: %v", err)
		case wantCode != "" && (err == nil || h.toError(q, err).Code != wantCode):
			t.Errorf("signature %q: %v, want %s", sig, err, wantCode)
		}
		if wantCode == "" && q.cred.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" {
			t.Errorf("credential %+v", q.cred)
		}
	}
	check("qgk2+6Sv9/oM7G3qLEjTH1a1l1g=", "")
	check("qgk2+6Sv9/oM7G3qLEjTH1a1l1h=", "SignatureDoesNotMatch")
	check("", "InvalidArgument")
	h.cfg.Now = func() time.Time { return when.Add(time.Hour) }
	check("qgk2+6Sv9/oM7G3qLEjTH1a1l1g=", "RequestTimeTooSkewed")
}
