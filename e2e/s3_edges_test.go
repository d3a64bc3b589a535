package e2e

// The lake's promises at their edges, seen through the S3 API: a body cut
// short never becomes an object, an overwrite is atomic for readers (whole
// old or whole new, never a mix), an open read keeps its bytes through an
// overwrite and a delete, listings follow UTF-8 byte order whatever the
// directory layout on disk, and an empty object has no satisfiable range.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestE2ES3Edges(t *testing.T) {
	s := startServer(t)
	c := s.S3Client(t)
	t.Run("CutBodiesNeverStored", func(t *testing.T) { testS3CutBodies(t, s, c) })
	t.Run("OverwriteIsAtomic", func(t *testing.T) { testS3OverwriteAtomic(t, s, c) })
	t.Run("OpenReadSurvivesOverwriteAndDelete", func(t *testing.T) { testS3OpenRead(t, c) })
	t.Run("ListingOrder", func(t *testing.T) { testS3ListingOrder(t, c) })
	t.Run("ExpectContinueRefusedAtOnce", func(t *testing.T) { testS3ExpectContinue(t, s, c) })
	t.Run("EmptyObjectRange", func(t *testing.T) {
		mustCreateBucket(t, c, "empty-range")
		mustPut(t, c, "empty-range", "empty", nil)
		_, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String("empty-range"), Key: aws.String("empty"), Range: aws.String("bytes=0-0")})
		if s3ErrorCode(err) != "InvalidRange" || httpStatus(err) != 416 {
			t.Errorf("GetObject Range bytes=0-0 of an empty object: %v, want 416 InvalidRange", err)
		}
	})
}

// testS3ExpectContinue: boto3, the AWS CLI and most SDKs send "Expect:
// 100-continue" with large bodies and wait for the server's word before
// sending them. RFC 7231 §5.1.1: the server MUST send either a final status
// at once, if the headers decide it, or 100 (Continue). A refusal decided
// by the headers (missing bucket, bad signature) must come back without
// the body ever being sent.
func testS3ExpectContinue(t *testing.T, s *Server, c *s3.Client) {
	mustCreateBucket(t, c, "expect")
	for _, tc := range []struct {
		what, path, secret string
		status             int
		code               string
	}{
		{"into a missing bucket", "/expect-missing/k", s.SecretAccessKey, 404, "NoSuchBucket"},
		{"with a wrong secret", "/expect/k", "not-the-secret", 403, "SignatureDoesNotMatch"},
	} {
		const n = 6 << 20
		req, err := http.NewRequest(http.MethodPut, s.Endpoint()+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = n
		req.Header.Set("Expect", "100-continue")
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: tc.secret}, req, "UNSIGNED-PAYLOAD", "s3", testRegion, time.Now()); err != nil {
			t.Fatal(err)
		}
		conn, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var head bytes.Buffer
		fmt.Fprintf(&head, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", tc.path, s.Addr, n)
		for k, vs := range req.Header {
			for _, v := range vs {
				fmt.Fprintf(&head, "%s: %s\r\n", k, v)
			}
		}
		head.WriteString("\r\n")
		if _, err := conn.Write(head.Bytes()); err != nil {
			t.Fatal(err)
		}
		// botocore waits 1 s for the answer before it sends the body anyway.
		_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		start := time.Now()
		resp, err := http.ReadResponse(bufio.NewReader(conn), req)
		switch {
		case err != nil:
			t.Errorf("PUT %s with Expect: 100-continue and no body yet: no answer within %v (%v); the server must answer the refusal (or 100 Continue) at once", tc.what, time.Since(start).Round(time.Millisecond), err)
		case resp.StatusCode == http.StatusContinue:
			// Allowed by the RFC, though S3 refuses first; nothing more to check.
		default:
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(b), "<Code>"+tc.code+"</Code>") {
				t.Errorf("PUT %s with Expect: 100-continue: %d %.200s, want %d %s", tc.what, resp.StatusCode, b, tc.status, tc.code)
			}
		}
		conn.Close()
	}
}

// rawPut sends a SigV4-signed PUT over a bare TCP connection: headers as
// given (signed), then body, then it closes its side. It returns the status
// the server answered (0 if it answered nothing within a few seconds) and
// the answer's body. The server has finished with the request once this
// returns an answer or the connection closes.
func rawPut(t *testing.T, s *Server, path string, payloadHash string, header http.Header, contentLength int, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, s.Endpoint()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	req.ContentLength = int64(contentLength)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey}
	if err := signer.SignHTTP(context.Background(), creds, req, payloadHash, "s3", testRegion, time.Now()); err != nil {
		t.Fatalf("sign: %v", err)
	}
	conn, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", path, s.Addr, contentLength)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("Connection: close\r\n\r\n")
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(append(head.Bytes(), body...)); err != nil {
		t.Fatalf("write request: %v", err)
	}
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// awsChunked frames data as an unsigned aws-chunked body with a CRC32
// trailer (what the SDKs send as STREAMING-UNSIGNED-PAYLOAD-TRAILER).
func awsChunked(data []byte, chunk int, trailerCRC string) []byte {
	var b bytes.Buffer
	for off := 0; off < len(data); off += chunk {
		part := data[off:min(off+chunk, len(data))]
		fmt.Fprintf(&b, "%x\r\n", len(part))
		b.Write(part)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "0\r\nx-amz-checksum-crc32:%s\r\n\r\n", trailerCRC)
	return b.Bytes()
}

func testS3CutBodies(t *testing.T, s *Server, c *s3.Client) {
	ctx := ctxT(t)
	const bucket = "cut-bodies"
	mustCreateBucket(t, c, bucket)
	old := []byte("the old object, whole")
	mustPut(t, c, bucket, "k", old)
	data := randomBytes(70, 200<<10)
	chunkedHeader := http.Header{
		"Content-Encoding":             {"aws-chunked"},
		"X-Amz-Decoded-Content-Length": {strconv.Itoa(len(data))},
		"X-Amz-Trailer":                {"x-amz-checksum-crc32"},
	}
	good := awsChunked(data, 64<<10, crc32Base64(data))
	bad := awsChunked(data, 64<<10, crc32Base64(old))

	stillOld := func(what string) {
		t.Helper()
		if got, _, err := getBytes(ctx, c, bucket, "k"); err != nil || !bytes.Equal(got, old) {
			t.Errorf("after %s: object is %d bytes (%v), want the old %d; a cut or bad body must never replace it", what, len(got), err, len(old))
		}
		if n := listAllKeys(t, c, bucket, ""); len(n) != 1 || n["k"] != int64(len(old)) {
			t.Errorf("after %s: listing %v, want only k with %d bytes", what, n, len(old))
		}
	}

	// Plain body, UNSIGNED-PAYLOAD, half of the declared length.
	st, answer := rawPut(t, s, "/"+bucket+"/k", "UNSIGNED-PAYLOAD", nil, len(data), data[:len(data)/2])
	if st != 400 && st != 0 { // 400 IncompleteBody, or no answer to a client that is gone
		t.Errorf("PUT of half its Content-Length answered %d: %s", st, answer)
	}
	stillOld("a PUT cut at half its Content-Length")

	// aws-chunked, cut in the middle of the second chunk.
	st, answer = rawPut(t, s, "/"+bucket+"/k", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunkedHeader, len(good), good[:len(good)/2])
	if st != 400 && st != 0 {
		t.Errorf("aws-chunked PUT cut mid-chunk answered %d: %s", st, answer)
	}
	stillOld("an aws-chunked PUT cut mid-chunk")

	// aws-chunked, whole, with a trailer checksum that does not match.
	st, answer = rawPut(t, s, "/"+bucket+"/k", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunkedHeader, len(bad), bad)
	if st != 400 || !strings.Contains(answer, "<Code>BadDigest</Code>") {
		t.Errorf("aws-chunked PUT with a wrong CRC32 trailer: %d %s, want 400 BadDigest", st, answer)
	}
	stillOld("an aws-chunked PUT with a wrong CRC32 trailer")

	// aws-chunked whose decoded length is not the declared one.
	short := awsChunked(data[:len(data)-1], 64<<10, crc32Base64(data[:len(data)-1]))
	st, answer = rawPut(t, s, "/"+bucket+"/k", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunkedHeader, len(short), short)
	if st != 400 {
		t.Errorf("aws-chunked PUT one byte short of X-Amz-Decoded-Content-Length answered %d: %s, want 400", st, answer)
	}
	stillOld("an aws-chunked PUT one byte short of its decoded length")

	// The same framing, whole and right, is stored: the cases above failed
	// for their damage, not for their form.
	st, answer = rawPut(t, s, "/"+bucket+"/k", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunkedHeader, len(good), good)
	if st != 200 {
		t.Fatalf("whole aws-chunked PUT: %d %s, want 200", st, answer)
	}
	got, out, err := getBytes(ctx, c, bucket, "k")
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("after a whole aws-chunked PUT: %d bytes, %v; want the %d sent", len(got), err, len(data))
	} else if aws.ToString(out.ContentEncoding) != "" {
		t.Errorf("aws-chunked was stored as Content-Encoding %q; S3 strips it", aws.ToString(out.ContentEncoding))
	}
}

// testS3OverwriteAtomic overwrites one key from several writers while
// readers read it: every read is one whole version.
func testS3OverwriteAtomic(t *testing.T, s *Server, c *s3.Client) {
	const bucket, key = "atomic", "hot/key"
	mustCreateBucket(t, c, bucket)
	first := objVersion{num: 1, size: 300 << 10}
	mustPut(t, c, bucket, key, objContent(key, first))
	var (
		mu      sync.Mutex
		sent    = map[int]objVersion{1: first}
		next    atomic.Int64
		reads   atomic.Int64
		stop    atomic.Bool
		wg      sync.WaitGroup
		badRead atomic.Int64
	)
	next.Store(1)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for !stop.Load() {
				v := objVersion{num: int(next.Add(1)), size: 64<<10 + rng.IntN(1<<20)}
				mu.Lock()
				sent[v.num] = v
				mu.Unlock()
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(objContent(key, v))})
				cancel()
				if err != nil {
					t.Errorf("PutObject v%d: %v", v.num, err)
					return
				}
			}
		}(w)
	}
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				got, _, err := getBytes(ctx, c, bucket, key)
				cancel()
				if err != nil {
					t.Errorf("GetObject during overwrites: %v", err)
					return
				}
				reads.Add(1)
				num, err := parseObjVersion(key, got)
				mu.Lock()
				v, ok := sent[num]
				mu.Unlock()
				if err != nil || !ok || sha256.Sum256(got) != sha256.Sum256(objContent(key, v)) {
					if badRead.Add(1) <= 3 {
						t.Errorf("a read during overwrites got %d bytes that are no whole version (header v%d, %v)", len(got), num, err)
					}
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	t.Logf("%d versions written, %d reads", next.Load(), reads.Load())
}

// testS3OpenRead: a GetObject in progress keeps reading the object it
// opened while the key is overwritten and then deleted.
func testS3OpenRead(t *testing.T, c *s3.Client) {
	ctx := ctxT(t)
	const bucket = "open-read"
	mustCreateBucket(t, c, bucket)
	orig := randomBytes(80, 16<<20)
	mustPut(t, c, bucket, "k", orig)
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer out.Body.Close()
	head := make([]byte, 1<<20)
	if _, err := io.ReadFull(out.Body, head); err != nil {
		t.Fatalf("read the first MiB: %v", err)
	}
	mustPut(t, c, bucket, "k", randomBytes(81, 16<<20))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	rest, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read the rest after an overwrite and a delete: %v", err)
	}
	if got := append(head, rest...); !bytes.Equal(got, orig) {
		t.Errorf("a read that began before an overwrite and a delete returned %d bytes that are not the object it opened", len(got))
	}
}

// testS3ListingOrder lists keys whose byte order differs from a directory
// walk's: '-' and '.' sort before '/', '0' after it.
func testS3ListingOrder(t *testing.T, c *s3.Client) {
	ctx := ctxT(t)
	const bucket = "list-order"
	mustCreateBucket(t, c, bucket)
	keys := []string{"ord/a", "ord/a-b", "ord/a.b", "ord/a/b", "ord/a/c/d", "ord/a0", "ord/a!", "ord/a/", "ord/A", "ord/b",
		"ord/é", "ord/z", "ord/\u00ff", "ord/\u0100", "ord/日", "ord/🙂", "ord/a//x"}
	for _, k := range keys {
		mustPut(t, c, bucket, k, []byte(k))
	}
	want := append([]string{}, keys...)
	sort.Strings(want) // bytewise: UTF-8 binary order, as S3 lists
	var got []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("ord/"), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		for _, o := range page.Contents {
			got = append(got, aws.ToString(o.Key))
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ListObjectsV2 order:\n got %q\nwant %q", got, want)
	}

	// With a delimiter, pages of 3: keys and prefixes interleave in order.
	for _, tc := range []struct{ prefix, delim string }{{"ord/", "/"}, {"ord/a", "/"}, {"ord/a", "b"}, {"", "/"}} {
		wantKeys, wantPrefixes := []string{}, []string{}
		seen := map[string]bool{}
		for _, k := range want {
			if !strings.HasPrefix(k, tc.prefix) {
				continue
			}
			if i := strings.Index(k[len(tc.prefix):], tc.delim); i >= 0 {
				cp := k[:len(tc.prefix)+i+len(tc.delim)]
				if !seen[cp] {
					seen[cp] = true
					wantPrefixes = append(wantPrefixes, cp)
				}
				continue
			}
			wantKeys = append(wantKeys, k)
		}
		var gotKeys, gotPrefixes []string
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(tc.prefix), Delimiter: aws.String(tc.delim), MaxKeys: aws.Int32(3)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListObjectsV2 prefix %q delimiter %q: %v", tc.prefix, tc.delim, err)
			}
			for _, o := range page.Contents {
				gotKeys = append(gotKeys, aws.ToString(o.Key))
			}
			for _, cp := range page.CommonPrefixes {
				gotPrefixes = append(gotPrefixes, aws.ToString(cp.Prefix))
			}
		}
		if fmt.Sprint(gotKeys) != fmt.Sprint(wantKeys) || fmt.Sprint(gotPrefixes) != fmt.Sprint(wantPrefixes) {
			t.Errorf("ListObjectsV2 prefix %q delimiter %q, 3 a page:\n got keys %q prefixes %q\nwant keys %q prefixes %q",
				tc.prefix, tc.delim, gotKeys, gotPrefixes, wantKeys, wantPrefixes)
		}
	}
}
