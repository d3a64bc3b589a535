package s3api

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func b64MD5(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func b64CRC32(b []byte) string {
	s := crc32.ChecksumIEEE(b)
	return base64.StdEncoding.EncodeToString([]byte{byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)})
}

// getBody reads an object through a raw signed GET.
func (e *s3env) getBody(target string) string {
	e.t.Helper()
	resp, body := e.do("GET", target, nil, nil)
	if resp.StatusCode != 200 {
		e.t.Fatalf("GET %s: %d %s", target, resp.StatusCode, body)
	}
	return string(body)
}

// TestPutIntegrityRefusals: a malformed Content-MD5 or checksum is
// refused, and a digest that does not match the body is BadDigest with
// the old object left whole.
func TestPutIntegrityRefusals(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("sums")
	if resp, b := e.do("PUT", "/sums/k", []byte("old"), nil); resp.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, b)
	}
	body := []byte("new body")
	cases := []struct {
		name   string
		hdr    map[string]string
		code   string
		status int
		msg    string
	}{
		{"malformed md5", map[string]string{"Content-MD5": "not base64!"}, "InvalidDigest", 400, ""},
		{"short md5", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString([]byte("abc"))}, "InvalidDigest", 400, ""},
		{"wrong md5", map[string]string{"Content-MD5": b64MD5([]byte("other"))}, "BadDigest", 400,
			"The Content-MD5 you specified did not match what we received."},
		{"wrong crc32", map[string]string{"X-Amz-Checksum-Crc32": b64CRC32([]byte("other"))}, "BadDigest", 400,
			"The CRC32 you specified did not match the calculated checksum."},
		{"malformed crc32", map[string]string{"X-Amz-Checksum-Crc32": "!!"}, "InvalidRequest", 400, ""},
		{"two checksums", map[string]string{"X-Amz-Checksum-Crc32": b64CRC32(body), "X-Amz-Checksum-Crc32c": "AAAAAA=="}, "InvalidRequest", 400, ""},
		{"sdk algorithm without value", map[string]string{"X-Amz-Sdk-Checksum-Algorithm": "CRC32"}, "InvalidRequest", 400, ""},
		{"bad storage class", map[string]string{"X-Amz-Storage-Class": "GOLD"}, "InvalidStorageClass", 400, ""},
		{"metadata too large", map[string]string{"X-Amz-Meta-A": strings.Repeat("a", 2100)}, "MetadataTooLarge", 400, ""},
		{"bad tagging", map[string]string{"X-Amz-Tagging": "a=1&a=2"}, "InvalidArgument", 400, ""},
		{"if-none-match etag", map[string]string{"If-None-Match": `"abc"`}, "NotImplemented", 501, ""},
		{"object lock", map[string]string{"X-Amz-Object-Lock-Mode": "GOVERNANCE"}, "InvalidRequest", 400, "Bucket is missing Object Lock Configuration"},
		{"sse-kms-dsse", map[string]string{"X-Amz-Server-Side-Encryption": "aws:kms:dsse"}, "NotImplemented", 501, ""},
		{"kms key without aws:kms", map[string]string{"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": "alias/x"}, "InvalidArgument", 400, ""},
		{"sse bogus", map[string]string{"X-Amz-Server-Side-Encryption": "ROT13"}, "InvalidArgument", 400, ""},
		{"sse-c over http", map[string]string{"X-Amz-Server-Side-Encryption-Customer-Algorithm": "AES256"}, "InvalidRequest", 400,
			"Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection."},
	}
	for _, c := range cases {
		resp, b := e.do("PUT", "/sums/k", body, c.hdr)
		got := wantError(t, resp, b, c.status, c.code)
		if c.msg != "" && got.Message != c.msg {
			t.Errorf("%s: message %q, want %q", c.name, got.Message, c.msg)
		}
		if old := e.getBody("/sums/k"); old != "old" {
			t.Fatalf("%s: object is now %q", c.name, old)
		}
	}
	// SSE-S3 is accepted and answered.
	if resp, b := e.do("PUT", "/sums/sse", body, map[string]string{"X-Amz-Server-Side-Encryption": "AES256"}); resp.StatusCode != 200 ||
		resp.Header.Get("X-Amz-Server-Side-Encryption") != "AES256" {
		t.Errorf("SSE-S3: %d %v %s", resp.StatusCode, resp.Header, b)
	}
	// The right digests store the object and answer the checksum.
	resp, b := e.do("PUT", "/sums/k", body, map[string]string{"Content-MD5": b64MD5(body), "X-Amz-Checksum-Crc32": b64CRC32(body)})
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Checksum-Crc32") != b64CRC32(body) ||
		resp.Header.Get("ETag") != `"`+md5Hex(body)+`"` {
		t.Fatalf("good digests: %d %v %s", resp.StatusCode, resp.Header, b)
	}
}

// chunkedTrailerBody frames payload as STREAMING-UNSIGNED-PAYLOAD-TRAILER
// with the given trailer lines.
func chunkedTrailerBody(payload []byte, chunk int, trailer string) []byte {
	var b bytes.Buffer
	for len(payload) > 0 {
		n := min(chunk, len(payload))
		fmt.Fprintf(&b, "%x\r\n", n)
		b.Write(payload[:n])
		b.WriteString("\r\n")
		payload = payload[n:]
	}
	b.WriteString("0\r\n")
	b.WriteString(trailer)
	b.WriteString("\r\n")
	return b.Bytes()
}

// TestPutChunkedTrailer sends aws-chunked bodies with a CRC32 trailer as
// newer SDKs do: a right one is stored (and "aws-chunked" is not kept as
// the object's Content-Encoding), a wrong one is BadDigest and keeps the
// old object.
func TestPutChunkedTrailer(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("chunks")
	payload := randomBytes(70_000, 5)
	put := func(key, trailerValue, encoding string) (*http.Response, []byte) {
		body := chunkedTrailerBody(payload, 16<<10, "x-amz-checksum-crc32:"+trailerValue+"\r\n")
		req := e.newReq("PUT", "/chunks/"+key, body)
		req.Header.Set("Content-Encoding", encoding)
		req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(payload)))
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
		req.Header.Set("X-Amz-Sdk-Checksum-Algorithm", "CRC32")
		sign(t, req, body, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", time.Now())
		return e.send(req)
	}
	resp, b := put("k", b64CRC32(payload), "aws-chunked")
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Checksum-Crc32") != b64CRC32(payload) {
		t.Fatalf("good trailer: %d %v %s", resp.StatusCode, resp.Header, b)
	}
	if got := e.getBody("/chunks/k"); got != string(payload) {
		t.Fatalf("stored %d bytes, want the decoded payload", len(got))
	}
	resp, _ = e.do("HEAD", "/chunks/k", nil, nil)
	if ce := resp.Header.Get("Content-Encoding"); ce != "" {
		t.Errorf("Content-Encoding %q stored from aws-chunked", ce)
	}
	if resp, b := put("gz", b64CRC32(payload), "aws-chunked,gzip"); resp.StatusCode != 200 {
		t.Fatalf("aws-chunked,gzip: %d %s", resp.StatusCode, b)
	}
	resp, _ = e.do("HEAD", "/chunks/gz", nil, nil)
	if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Errorf("Content-Encoding %q, want gzip", ce)
	}

	resp, b = put("k", b64CRC32([]byte("something else")), "aws-chunked")
	if e := wantError(t, resp, b, 400, "BadDigest"); e.Message != "The CRC32 you specified did not match the calculated checksum." {
		t.Errorf("message %q", e.Message)
	}
	resp, b = put("k", "", "aws-chunked")
	wantError(t, resp, b, 400, "InvalidRequest")
	if got := e.getBody("/chunks/k"); got != string(payload) {
		t.Fatalf("a refused upload changed the object")
	}
}

// TestGetRangesRaw covers the Range rules at the wire: 206 with
// Content-Range, the whole object for headers S3 ignores, 416 with the
// object size, and no checksum headers on partial answers.
func TestGetRangesRaw(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("rng")
	body := []byte("0123456789")
	if resp, b := e.do("PUT", "/rng/k", body, map[string]string{"X-Amz-Checksum-Crc32": b64CRC32(body)}); resp.StatusCode != 200 {
		t.Fatalf("PUT %d %s", resp.StatusCode, b)
	}
	e.put("rng", "empty", "")
	cases := []struct {
		key, rng     string
		status       int
		body, crange string
	}{
		{"k", "bytes=2-4", 206, "234", "bytes 2-4/10"},
		{"k", "bytes=7-", 206, "789", "bytes 7-9/10"},
		{"k", "bytes=-3", 206, "789", "bytes 7-9/10"},
		{"k", "bytes=8-100", 206, "89", "bytes 8-9/10"},
		{"k", "bytes=0-1,4-5", 200, "0123456789", ""},
		{"k", "bytes=5-2", 200, "0123456789", ""},
		{"k", "pages=1-2", 200, "0123456789", ""},
		{"k", "bytes=x-y", 200, "0123456789", ""},
		{"empty", "bytes=-5", 200, "", ""},
	}
	for _, c := range cases {
		resp, b := e.do("GET", "/rng/"+c.key, nil, map[string]string{"Range": c.rng, "X-Amz-Checksum-Mode": "ENABLED"})
		if resp.StatusCode != c.status || string(b) != c.body || resp.Header.Get("Content-Range") != c.crange {
			t.Errorf("%s %q: %d %q Content-Range %q", c.key, c.rng, resp.StatusCode, b, resp.Header.Get("Content-Range"))
		}
		if crc := resp.Header.Get("X-Amz-Checksum-Crc32"); c.status == 206 && crc != "" {
			t.Errorf("%q: a 206 carries the object's CRC32", c.rng)
		} else if c.key == "k" && c.status == 200 && crc != b64CRC32(body) {
			t.Errorf("%q: a whole answer with checksum mode lacks the CRC32 (%q)", c.rng, crc)
		}
	}
	for _, c := range []struct{ key, rng, size string }{{"k", "bytes=10-", "10"}, {"k", "bytes=-0", "10"}, {"empty", "bytes=0-", "0"}} {
		resp, b := e.do("GET", "/rng/"+c.key, nil, map[string]string{"Range": c.rng})
		got := wantError(t, resp, b, 416, "InvalidRange")
		if got.Fields["ActualObjectSize"] != c.size || got.Fields["RangeRequested"] != c.rng {
			t.Errorf("%s %q: fields %v", c.key, c.rng, got.Fields)
		}
	}
	// HEAD answers a range's headers without a body.
	resp, b := e.do("HEAD", "/rng/k", nil, map[string]string{"Range": "bytes=1-2"})
	if resp.StatusCode != 206 || resp.Header.Get("Content-Length") != "2" || len(b) != 0 {
		t.Errorf("HEAD range: %d length %q body %q", resp.StatusCode, resp.Header.Get("Content-Length"), b)
	}
	// partNumber refusals.
	resp, b = e.do("GET", "/rng/k?partNumber=0", nil, nil)
	wantError(t, resp, b, 400, "InvalidArgument")
	resp, b = e.do("GET", "/rng/k?partNumber=1", nil, map[string]string{"Range": "bytes=0-1"})
	wantError(t, resp, b, 400, "InvalidRequest")
	resp, b = e.do("GET", "/rng/k?partNumber=1", nil, nil)
	if resp.StatusCode != 206 || string(b) != string(body) || resp.Header.Get("X-Amz-Mp-Parts-Count") != "" {
		t.Errorf("partNumber=1 of a single-part object: %d %q %v", resp.StatusCode, b, resp.Header)
	}
	resp, b = e.do("GET", "/rng/k?partNumber=2", nil, nil)
	wantError(t, resp, b, 416, "InvalidPartNumber")
}

func TestGetConditionalRaw(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("cnd")
	body := []byte("payload")
	resp, _ := e.do("PUT", "/cnd/k", body, map[string]string{"X-Amz-Checksum-Crc32": b64CRC32(body), "X-Amz-Meta-Color": "red"})
	etag := resp.Header.Get("ETag")

	resp, b := e.do("GET", "/cnd/k", nil, map[string]string{"If-None-Match": etag, "X-Amz-Checksum-Mode": "ENABLED"})
	if resp.StatusCode != 304 || len(b) != 0 || resp.Header.Get("ETag") != etag || resp.Header.Get("Last-Modified") == "" ||
		resp.Header.Get("X-Amz-Checksum-Crc32") != "" {
		t.Errorf("304: %d body %q headers %v", resp.StatusCode, b, resp.Header)
	}
	resp, b = e.do("GET", "/cnd/k", nil, map[string]string{"If-Match": `"other"`})
	if got := wantError(t, resp, b, 412, "PreconditionFailed"); got.Fields["Condition"] != "If-Match" {
		t.Errorf("Condition %q", got.Fields["Condition"])
	}
	resp, b = e.do("HEAD", "/cnd/k", nil, map[string]string{"If-Match": `"other"`})
	if resp.StatusCode != 412 || len(b) != 0 {
		t.Errorf("HEAD 412: %d %q", resp.StatusCode, b)
	}
	resp, b = e.do("HEAD", "/cnd/missing", nil, nil)
	if resp.StatusCode != 404 || len(b) != 0 {
		t.Errorf("HEAD missing: %d %q", resp.StatusCode, b)
	}

	// The stored headers, as S3 names them, and response-* overrides.
	resp, _ = e.do("GET", "/cnd/k?response-content-type=text%2Fplain&response-cache-control=no-cache", nil, nil)
	if resp.Header.Get("Content-Type") != "text/plain" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("overrides: %v", resp.Header)
	}
	resp, _ = e.do("GET", "/cnd/k", nil, nil)
	if resp.Header.Get("Content-Type") != "binary/octet-stream" || resp.Header.Get("X-Amz-Meta-Color") != "red" ||
		resp.Header.Get("Accept-Ranges") != "bytes" || resp.Header.Get("X-Amz-Storage-Class") != "" {
		t.Errorf("headers: %v", resp.Header)
	}
	if _, err := time.Parse(http.TimeFormat, resp.Header.Get("Last-Modified")); err != nil {
		t.Errorf("Last-Modified %q: %v", resp.Header.Get("Last-Modified"), err)
	}
	resp, b = e.do("GET", "/cnd/k?versionId=3sL4kqtJlcpXroDTDmJ", nil, nil)
	wantError(t, resp, b, 400, "InvalidArgument")
	if resp, _ := e.do("GET", "/cnd/k?versionId=null", nil, nil); resp.StatusCode != 200 {
		t.Errorf("versionId=null: %d", resp.StatusCode)
	}
}

// TestDeleteObjectsRaw: the body must carry a checksum, hold 1..1000
// keys and stay under the XML size bound.
func TestDeleteObjectsRaw(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("dls")
	e.put("dls", "a", "x")
	doc := []byte(`<Delete><Object><Key>a</Key><VersionId>null</VersionId></Object><Object><Key>b</Key></Object></Delete>`)
	resp, b := e.do("POST", "/dls?delete", doc, nil)
	wantError(t, resp, b, 400, "InvalidRequest")
	resp, b = e.do("POST", "/dls?delete", doc, map[string]string{"Content-MD5": b64MD5([]byte("x"))})
	wantError(t, resp, b, 400, "BadDigest")
	if got := e.getBody("/dls/a"); got != "x" {
		t.Fatalf("refused DeleteObjects deleted")
	}
	resp, b = e.do("POST", "/dls?delete", doc, map[string]string{"Content-MD5": b64MD5(doc)})
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Deleted><Key>a</Key><VersionId>null</VersionId></Deleted><Deleted><Key>b</Key></Deleted></DeleteResult>`)) {
		t.Errorf("DeleteObjects: %d %s", resp.StatusCode, b)
	}

	many := []byte("<Delete>" + strings.Repeat("<Object><Key>k</Key></Object>", 1001) + "</Delete>")
	resp, b = e.do("POST", "/dls?delete", many, map[string]string{"X-Amz-Checksum-Crc32": b64CRC32(many)})
	wantError(t, resp, b, 400, "MalformedXML")
	huge := []byte("<Delete><Object><Key>" + strings.Repeat("k", 5<<20) + "</Key></Object></Delete>")
	resp, b = e.do("POST", "/dls?delete", huge, map[string]string{"Content-MD5": b64MD5(huge)})
	wantError(t, resp, b, 400, "MaxMessageLengthExceeded")
	bad := []byte("<Delete><Object><Key>a</Object></Delete>")
	resp, b = e.do("POST", "/dls?delete", bad, map[string]string{"Content-MD5": b64MD5(bad)})
	wantError(t, resp, b, 400, "MalformedXML")
}

func TestCopyAndTaggingRaw(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("cpy")
	e.put("cpy", "k", "x")
	resp, b := e.do("PUT", "/cpy/k", nil, map[string]string{"X-Amz-Copy-Source": "/cpy/k"})
	if got := wantError(t, resp, b, 400, "InvalidRequest"); got.Message != "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes." {
		t.Errorf("self copy message %q", got.Message)
	}
	resp, b = e.do("PUT", "/cpy/k2", nil, map[string]string{"X-Amz-Copy-Source": "cpy"})
	wantError(t, resp, b, 400, "InvalidArgument")
	resp, b = e.do("PUT", "/cpy/k2", nil, map[string]string{"X-Amz-Copy-Source": "cpy/k", "X-Amz-Metadata-Directive": "MERGE"})
	wantError(t, resp, b, 400, "InvalidArgument")
	// A storage class change makes a self copy legal.
	resp, b = e.do("PUT", "/cpy/k", nil, map[string]string{"X-Amz-Copy-Source": "cpy/k?versionId=null", "X-Amz-Storage-Class": "GLACIER_IR"})
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte("<CopyObjectResult xmlns=")) {
		t.Fatalf("self copy to another class: %d %s", resp.StatusCode, b)
	}
	resp, _ = e.do("HEAD", "/cpy/k", nil, nil)
	if resp.Header.Get("X-Amz-Storage-Class") != "GLACIER_IR" {
		t.Errorf("storage class %q", resp.Header.Get("X-Amz-Storage-Class"))
	}
	// A copy is STANDARD unless the request names a class.
	if resp, b := e.do("PUT", "/cpy/k3", nil, map[string]string{"X-Amz-Copy-Source": "cpy/k"}); resp.StatusCode != 200 {
		t.Fatalf("copy: %d %s", resp.StatusCode, b)
	}
	resp, _ = e.do("HEAD", "/cpy/k3", nil, nil)
	if sc := resp.Header.Get("X-Amz-Storage-Class"); sc != "" {
		t.Errorf("copy of a GLACIER_IR object without a class header is %q", sc)
	}

	tagging := []byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>`)
	resp, b = e.do("PUT", "/cpy/k?tagging", tagging, nil)
	wantError(t, resp, b, 400, "InvalidRequest") // no Content-MD5 or checksum
	resp, b = e.do("PUT", "/cpy/k?tagging", tagging, map[string]string{"Content-MD5": b64MD5(tagging)})
	if resp.StatusCode != 200 {
		t.Fatalf("PutObjectTagging: %d %s", resp.StatusCode, b)
	}
	resp, _ = e.do("HEAD", "/cpy/k", nil, nil)
	if resp.Header.Get("X-Amz-Tagging-Count") != "1" {
		t.Errorf("x-amz-tagging-count %q", resp.Header.Get("X-Amz-Tagging-Count"))
	}
	long := []byte(`<Tagging><TagSet><Tag><Key>` + strings.Repeat("k", 129) + `</Key><Value>1</Value></Tag></TagSet></Tagging>`)
	resp, b = e.do("PUT", "/cpy/k?tagging", long, map[string]string{"Content-MD5": b64MD5(long)})
	wantError(t, resp, b, 400, "InvalidTag")
}

// rawExchange sends a signed request's head, with a declared body length
// (none when negative) and extra header lines, then rawBody, and reads the
// answer. With a Content-Length larger than rawBody the server must answer
// from the headers alone.
func (e *s3env) rawExchange(req *http.Request, contentLength int64, extra, rawBody string) *http.Response {
	e.t.Helper()
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { conn.Close() })
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, req.URL.RequestURI(), req.Host)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	if contentLength >= 0 {
		fmt.Fprintf(&head, "Content-Length: %d\r\n", contentLength)
	}
	head.WriteString(extra + "\r\n" + rawBody)
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, head.String()); err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		e.t.Fatalf("read response: %v", err)
	}
	return resp
}

func TestPutLengthRefusals(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("len")
	req := e.newReq("PUT", "/len/huge", nil)
	req.ContentLength = 6 << 30
	sign(t, req, nil, "UNSIGNED-PAYLOAD", time.Now())
	resp := e.rawExchange(req, 6<<30, "", "")
	b, _ := io.ReadAll(resp.Body)
	if got := wantError(t, resp, b, 400, "EntityTooLarge"); got.Fields["MaxSizeAllowed"] != "5368709120" {
		t.Errorf("fields %v", got.Fields)
	}

	req = e.newReq("PUT", "/len/chunked", nil)
	sign(t, req, nil, "UNSIGNED-PAYLOAD", time.Now())
	// A chunked body is sent whole: net/http drains it after the answer.
	resp = e.rawExchange(req, -1, "Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")
	b, _ = io.ReadAll(resp.Body)
	wantError(t, resp, b, 411, "MissingContentLength")
}
