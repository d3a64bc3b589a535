package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// specSigner signs aws-chunked bodies straight from AWS's description
// (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
// sigv4-streaming-trailers.html), sharing no code with the decoder: its own
// key derivation, string to sign and encoding.
type specSigner struct {
	key   []byte
	date  string // X-Amz-Date
	scope string
	prev  string // previous signature, hex
}

func specHMAC(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func specSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// newSpecSigner is a signer for secret's key on the scope of amzDate in
// us-east-1/s3, chaining from seed.
func newSpecSigner(secret, amzDate, seed string) *specSigner {
	day := amzDate[:8]
	k := specHMAC([]byte("AWS4"+secret), day)
	k = specHMAC(k, "us-east-1")
	k = specHMAC(k, "s3")
	k = specHMAC(k, "aws4_request")
	return &specSigner{key: k, date: amzDate, scope: day + "/us-east-1/s3/aws4_request", prev: seed}
}

// context is the Signed a verified request with this signer's seed has.
func (s *specSigner) context() *Signed {
	sg := &Signed{
		Credential: Credential{AccessKeyID: testID, Date: s.date[:8], Region: "us-east-1", Service: "s3"},
		Signature:  s.prev, AmzDate: s.date, Scope: s.scope,
	}
	copy(sg.key[:], s.key)
	return sg
}

func (s *specSigner) chunk(data []byte) string {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + s.date + "\n" + s.scope + "\n" + s.prev + "\n" + specSHA(nil) + "\n" + specSHA(data)
	s.prev = hex.EncodeToString(specHMAC(s.key, sts))
	return s.prev
}

func (s *specSigner) trailer(canonical string) string {
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + s.date + "\n" + s.scope + "\n" + s.prev + "\n" + specSHA([]byte(canonical))
	s.prev = hex.EncodeToString(specHMAC(s.key, sts))
	return s.prev
}

// kv is one trailing header as a client writes it.
type kv struct{ name, value string }

// encodeSigned frames chunks (the final empty chunk is added) with chunk
// signatures; with trailers (or withTrailerSig) it appends them and their
// signature, the STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER form.
func encodeSigned(s *specSigner, chunks [][]byte, trailers []kv, withTrailerSig bool) []byte {
	var b bytes.Buffer
	for _, c := range chunks {
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(c), s.chunk(c))
		b.Write(c)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "0;chunk-signature=%s\r\n", s.chunk(nil))
	if withTrailerSig || len(trailers) > 0 {
		var canonical strings.Builder
		for _, t := range trailers {
			b.WriteString(t.name + ":" + t.value + "\r\n")
			canonical.WriteString(t.name + ":" + t.value + "\n")
		}
		b.WriteString("x-amz-trailer-signature:" + s.trailer(canonical.String()) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// encodeUnsigned frames chunks the way botocore's AwsChunkedWrapper and the
// Go SDK's aws-chunked encoder do.
func encodeUnsigned(chunks [][]byte, trailers []kv) []byte {
	var b bytes.Buffer
	for _, c := range chunks {
		fmt.Fprintf(&b, "%x\r\n", len(c))
		b.Write(c)
		b.WriteString("\r\n")
	}
	b.WriteString("0\r\n")
	for _, t := range trailers {
		b.WriteString(t.name + ":" + t.value + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// pattern is n deterministic, non-repeating-looking bytes.
func pattern(n, seed int) []byte {
	b := make([]byte, n)
	x := uint32(seed*2654435761 + 1)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// readAll reads r to its end with reads of size step, returning what was
// read and the first error (io.EOF included, unlike io.ReadAll).
func readAll(r io.Reader, step int) ([]byte, error) {
	var out []byte
	p := make([]byte, step)
	for {
		n, err := r.Read(p)
		out = append(out, p[:n]...)
		if err != nil {
			return out, err
		}
		if n == 0 {
			return out, errors.New("Read returned 0, nil")
		}
	}
}

const testSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"

// TestChunkedAWSExample is the worked example of AWS's sigv4-streaming page
// (PUT /examplebucket/chunkObject.txt, 64 KiB + 1 KiB of 'a'): the request
// verifies through VerifySigned with the seed signature the page gives, the
// spec signer reproduces the page's three chunk signatures, and the reader
// decodes the page's body.
func TestChunkedAWSExample(t *testing.T) {
	const (
		sig1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
		sig2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
		sig3 = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
	)
	a64, a1 := bytes.Repeat([]byte("a"), 65536), bytes.Repeat([]byte("a"), 1024)
	body := "10000;chunk-signature=" + sig1 + "\r\n" + string(a64) + "\r\n" +
		"400;chunk-signature=" + sig2 + "\r\n" + string(a1) + "\r\n" +
		"0;chunk-signature=" + sig3 + "\r\n\r\n"
	if len(body) != 66824 {
		t.Fatalf("example body is %d bytes, the page says 66824", len(body))
	}

	ss := newSpecSigner(testSecret, "20130524T000000Z", testSeed)
	for i, c := range []struct {
		data []byte
		want string
	}{{a64, sig1}, {a1, sig2}, {nil, sig3}} {
		if got := ss.chunk(c.data); got != c.want {
			t.Fatalf("spec signer chunk %d: %s, the page says %s", i, got, c.want)
		}
	}

	r := httptest.NewRequest(http.MethodPut, "http://s3.amazonaws.com/examplebucket/chunkObject.txt", strings.NewReader(body))
	r.Header.Set("X-Amz-Date", "20130524T000000Z")
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("X-Amz-Content-Sha256", StreamingPayload)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"+
		"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"+
		"Signature="+testSeed)
	v := newVerifier(time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC))
	v.DisableURIPathEscaping = true
	v.Service = "s3"
	signed, err := v.VerifySigned(r, r.Header.Get("X-Amz-Content-Sha256"))
	if err != nil {
		t.Fatalf("VerifySigned: %v", err)
	}
	want := Signed{
		Credential: Credential{AccessKeyID: testID, Date: "20130524", Region: "us-east-1", Service: "s3"},
		Signature:  testSeed, AmzDate: "20130524T000000Z", Scope: "20130524/us-east-1/s3/aws4_request",
	}
	copy(want.key[:], ss.key)
	if *signed != want {
		t.Fatalf("VerifySigned = %+v, want %+v", *signed, want)
	}

	for _, step := range []int{1, 7, 4096, 65536, 1 << 20} {
		cr := NewChunkedReader(strings.NewReader(body), StreamingPayload, signed)
		cr.SetDecodedLength(66560)
		got, err := readAll(cr, step)
		if err != io.EOF {
			t.Fatalf("step %d: err %v", step, err)
		}
		if !bytes.Equal(got, append(a64, a1...)) {
			t.Fatalf("step %d: decoded %d bytes, want 66560 of 'a'", step, len(got))
		}
		if cr.Trailer() != nil {
			t.Fatalf("step %d: trailer %v without trailing headers", step, cr.Trailer())
		}
	}
}

// TestChunkedAWSTrailerExample is the worked example of AWS's
// sigv4-streaming-trailers page (the same 65 KiB of 'a', seed 106e2a8a…,
// an x-amz-checksum-crc32c trailer), with the final blank line clients send.
func TestChunkedAWSTrailerExample(t *testing.T) {
	const (
		seed     = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
		sig1     = "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"
		sig2     = "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"
		sig3     = "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"
		trailSig = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
	)
	a64, a1 := bytes.Repeat([]byte("a"), 65536), bytes.Repeat([]byte("a"), 1024)
	ss := newSpecSigner(testSecret, "20130524T000000Z", seed)
	signed := ss.context()
	for i, c := range []struct {
		data []byte
		want string
	}{{a64, sig1}, {a1, sig2}, {nil, sig3}} {
		if got := ss.chunk(c.data); got != c.want {
			t.Fatalf("spec signer chunk %d: %s, the page says %s", i, got, c.want)
		}
	}
	if got := ss.trailer("x-amz-checksum-crc32c:sOO8/Q==\n"); got != trailSig {
		t.Fatalf("spec signer trailer: %s, the page says %s", got, trailSig)
	}
	body := "10000;chunk-signature=" + sig1 + "\r\n" + string(a64) + "\r\n" +
		"400;chunk-signature=" + sig2 + "\r\n" + string(a1) + "\r\n" +
		"0;chunk-signature=" + sig3 + "\r\n" +
		"x-amz-checksum-crc32c:sOO8/Q==\r\n" +
		"x-amz-trailer-signature:" + trailSig + "\r\n\r\n"
	cr := NewChunkedReader(strings.NewReader(body), StreamingPayloadTrailer, signed)
	got, err := readAll(cr, 32<<10)
	if err != io.EOF || !bytes.Equal(got, append(a64, a1...)) {
		t.Fatalf("decoded %d bytes, err %v", len(got), err)
	}
	if tr := cr.Trailer(); len(tr) != 1 || tr.Get("X-Amz-Checksum-Crc32c") != "sOO8/Q==" {
		t.Fatalf("trailer %v", tr)
	}
}

// TestChunkedValid decodes what the spec signer and the clients' encoders
// produce, in every mode, read in steps small and large.
func TestChunkedValid(t *testing.T) {
	const date = "20240102T030405Z"
	sizes := [][]int{{}, {1}, {5, 3}, {65536, 65536, 100}, {8192, 1 << 20}, {70000}}
	twoSums := []kv{{"x-amz-checksum-crc32", "AAAAAA=="}, {"x-amz-checksum-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}}
	type tc struct {
		name     string
		mode     string
		chunks   [][]byte
		trailers []kv
	}
	var cases []tc
	for i, sz := range sizes {
		var chunks [][]byte
		for j, n := range sz {
			chunks = append(chunks, pattern(n, i*10+j))
		}
		cases = append(cases,
			tc{fmt.Sprintf("signed/%v", sz), StreamingPayload, chunks, nil},
			tc{fmt.Sprintf("signed-trailer/%v", sz), StreamingPayloadTrailer, chunks, []kv{{"x-amz-checksum-crc32", "sOO8/Q=="}}},
			tc{fmt.Sprintf("signed-two-checksums/%v", sz), StreamingPayloadTrailer, chunks, twoSums},
			tc{fmt.Sprintf("signed-no-trailers/%v", sz), StreamingPayloadTrailer, chunks, nil},
			tc{fmt.Sprintf("unsigned/%v", sz), StreamingUnsignedTrailer, chunks, nil},
			tc{fmt.Sprintf("unsigned-trailer/%v", sz), StreamingUnsignedTrailer, chunks, []kv{{"x-amz-checksum-crc32c", "sOO8/Q=="}}},
			tc{fmt.Sprintf("unsigned-two-checksums/%v", sz), StreamingUnsignedTrailer, chunks, twoSums},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ss := newSpecSigner(testSecret, date, testSeed)
			signed := ss.context()
			var body []byte
			if c.mode == StreamingUnsignedTrailer {
				body, signed = encodeUnsigned(c.chunks, c.trailers), nil
			} else {
				body = encodeSigned(ss, c.chunks, c.trailers, c.mode == StreamingPayloadTrailer)
			}
			want := bytes.Join(c.chunks, nil)
			for _, step := range []int{1, 1000, 64 << 10} {
				if step == 1 && len(want) > 100000 {
					continue
				}
				cr := NewChunkedReader(bytes.NewReader(body), c.mode, signed)
				cr.SetDecodedLength(int64(len(want)))
				got, err := readAll(cr, step)
				if err != io.EOF {
					t.Fatalf("step %d: err %v", step, err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("step %d: decoded %d bytes, want %d", step, len(got), len(want))
				}
				tr := cr.Trailer()
				if len(tr) != len(c.trailers) {
					t.Fatalf("trailer %v, want %v", tr, c.trailers)
				}
				for _, kv := range c.trailers {
					if got := tr.Values(kv.name); len(got) != 1 || got[0] != kv.value {
						t.Fatalf("trailer %s = %q, want %q", kv.name, got, kv.value)
					}
				}
				// The end sticks.
				if n, err := cr.Read(make([]byte, 10)); n != 0 || err != io.EOF {
					t.Fatalf("Read after EOF: %d, %v", n, err)
				}
			}
		})
	}
}

// TestChunkedTrailerOrder: a signer that hashed its trailers in wire order
// rather than sorted is accepted too, and the canonical (sorted) form is
// accepted whatever the wire order.
func TestChunkedTrailerOrder(t *testing.T) {
	unsorted := []kv{{"x-amz-checksum-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}, {"x-amz-checksum-crc32", "AAAAAA=="}}
	for _, canonical := range []string{
		"x-amz-checksum-sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nx-amz-checksum-crc32:AAAAAA==\n", // wire order
		"x-amz-checksum-crc32:AAAAAA==\nx-amz-checksum-sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", // sorted
	} {
		ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
		signed := ss.context()
		body := fmt.Sprintf("3;chunk-signature=%s\r\nabc\r\n0;chunk-signature=%s\r\n", ss.chunk([]byte("abc")), ss.chunk(nil))
		for _, t := range unsorted {
			body += t.name + ":" + t.value + "\r\n"
		}
		body += "x-amz-trailer-signature:" + ss.trailer(canonical) + "\r\n\r\n"
		got, err := readAll(NewChunkedReader(strings.NewReader(body), StreamingPayloadTrailer, signed), 100)
		if err != io.EOF || string(got) != "abc" {
			t.Fatalf("signed over %q: got %q, %v", canonical, got, err)
		}
	}
}

// wantErr checks err is an *Error of kind (and code, when given).
func wantErr(t *testing.T, err error, kind Kind, code string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err %v (%T), want *Error", err, err)
	}
	if e.Kind != kind || code != "" && e.Code != code {
		t.Fatalf("err %v: kind %d code %s, want kind %d code %s", err, e.Kind, e.Code, kind, code)
	}
	switch kind {
	case KindMismatch:
		if e.Status != http.StatusForbidden || e.Code != "SignatureDoesNotMatch" {
			t.Fatalf("mismatch answered %d %s", e.Status, e.Code)
		}
	case KindChunk:
		if e.Status != http.StatusBadRequest {
			t.Fatalf("malformed body answered %d", e.Status)
		}
	}
	return e
}

// TestChunkedBadChunkSignature: a chunk whose signature (or data) is wrong
// fails the read, and none of its bytes come out: the reader returns the
// chunks before it and then the error, forever.
func TestChunkedBadChunkSignature(t *testing.T) {
	c1, c2, c3 := pattern(9000, 1), pattern(9001, 2), pattern(100, 3)
	for _, corrupt := range []string{"signature", "data", "short signature", "upper-case signature"} {
		t.Run(corrupt, func(t *testing.T) {
			ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
			signed := ss.context()
			body := encodeSigned(ss, [][]byte{c1, c2, c3}, nil, false)
			hdr2 := bytes.Index(body, []byte(fmt.Sprintf("%x;chunk-signature=", len(c2))))
			sigAt := hdr2 + len(fmt.Sprintf("%x;chunk-signature=", len(c2)))
			switch corrupt {
			case "signature":
				body[sigAt+10] ^= 1
			case "data":
				body[sigAt+64+2+4500] ^= 0x80
			case "short signature":
				body = append(body[:sigAt+63:sigAt+63], body[sigAt+64:]...)
			case "upper-case signature":
				copy(body[sigAt:sigAt+64], strings.ToUpper(string(body[sigAt:sigAt+64])))
			}
			for _, step := range []int{1, 4096, 1 << 20} {
				cr := NewChunkedReader(bytes.NewReader(body), StreamingPayload, signed)
				got, err := readAll(cr, step)
				wantErr(t, err, KindMismatch, "SignatureDoesNotMatch")
				if !bytes.Equal(got, c1) {
					t.Fatalf("step %d: returned %d bytes, want exactly the first chunk's %d", step, len(got), len(c1))
				}
				if n, err2 := cr.Read(make([]byte, 10)); n != 0 || err2 != err {
					t.Fatalf("error did not stick: %d, %v", n, err2)
				}
			}
		})
	}
}

// TestChunkedReorderedChunks: chunks cannot be swapped, repeated or
// dropped, because each signature chains from the one before.
func TestChunkedReorderedChunks(t *testing.T) {
	ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
	signed := ss.context()
	chunks := [][]byte{pattern(8192, 1), pattern(8192, 2), pattern(8192, 3)}
	var framed [][]byte // each chunk with its header, as signed in order
	for _, c := range chunks {
		framed = append(framed, []byte(fmt.Sprintf("%x;chunk-signature=%s\r\n%s\r\n", len(c), ss.chunk(c), c)))
	}
	final := []byte(fmt.Sprintf("0;chunk-signature=%s\r\n\r\n", ss.chunk(nil)))
	for _, tc := range []struct {
		name  string
		order []int
		want  []byte // what comes out before the error
	}{
		{"swapped", []int{0, 2, 1}, chunks[0]},
		{"duplicated", []int{0, 0, 1, 2}, chunks[0]},
		{"dropped", []int{0, 2}, chunks[0]},
		{"final early", []int{0, 1}, bytes.Join(chunks[:2], nil)},
		{"first missing", []int{1, 2}, nil},
	} {
		var body []byte
		for _, i := range tc.order {
			body = append(body, framed[i]...)
		}
		body = append(body, final...)
		got, err := readAll(NewChunkedReader(bytes.NewReader(body), StreamingPayload, signed), 4096)
		wantErr(t, err, KindMismatch, "SignatureDoesNotMatch")
		if !bytes.Equal(got, tc.want) {
			t.Fatalf("%s: returned %d bytes, want %d", tc.name, len(got), len(tc.want))
		}
	}
}

// TestChunkedBadTrailerSignature: the trailer signature covers the trailing
// headers and chains from the final chunk.
func TestChunkedBadTrailerSignature(t *testing.T) {
	data := pattern(10000, 7)
	good := func() ([]byte, *Signed) {
		ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
		signed := ss.context()
		return encodeSigned(ss, [][]byte{data}, []kv{{"x-amz-checksum-crc32", "AAAAAA=="}}, true), signed
	}
	for _, tc := range []struct {
		name   string
		mangle func([]byte) []byte
	}{
		{"signature flipped", func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-trailer-signature:")) + len("x-amz-trailer-signature:")
			b[i] ^= 1
			return b
		}},
		{"header value changed", func(b []byte) []byte {
			return bytes.Replace(b, []byte("AAAAAA=="), []byte("AAAAAB=="), 1)
		}},
		{"header added", func(b []byte) []byte {
			return bytes.Replace(b, []byte("x-amz-trailer-signature:"), []byte("x-amz-meta-a:b\r\nx-amz-trailer-signature:"), 1)
		}},
		{"header dropped", func(b []byte) []byte {
			return bytes.Replace(b, []byte("x-amz-checksum-crc32:AAAAAA==\r\n"), nil, 1)
		}},
		{"signature missing", func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-trailer-signature:"))
			return append(b[:i:i], "\r\n"...)
		}},
		{"signature short", func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-trailer-signature:")) + len("x-amz-trailer-signature:")
			return append(b[:i+10:i+10], "\r\n\r\n"...)
		}},
	} {
		body, signed := good()
		body = tc.mangle(body)
		cr := NewChunkedReader(bytes.NewReader(body), StreamingPayloadTrailer, signed)
		got, err := readAll(cr, 100000)
		wantErr(t, err, KindMismatch, "SignatureDoesNotMatch")
		// The chunks were good and came out; the body as a whole did not
		// end well, which is what the caller acts on.
		if !bytes.Equal(got, data) {
			t.Fatalf("%s: returned %d bytes", tc.name, len(got))
		}
		if cr.Trailer() != nil {
			t.Fatalf("%s: trailer %v offered after a failure", tc.name, cr.Trailer())
		}
	}
}

// TestChunkedTruncated: a body cut anywhere before its end is an error
// wrapping io.ErrUnexpectedEOF, never a short payload with io.EOF.
func TestChunkedTruncated(t *testing.T) {
	ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
	signed := ss.context()
	chunks := [][]byte{pattern(300, 1), pattern(17, 2)}
	trailers := []kv{{"x-amz-checksum-crc32", "AAAAAA=="}}
	bodies := map[string][]byte{
		StreamingPayload:         encodeSigned(newSpecSigner(testSecret, "20240102T030405Z", testSeed), chunks, nil, false),
		StreamingPayloadTrailer:  encodeSigned(newSpecSigner(testSecret, "20240102T030405Z", testSeed), chunks, trailers, true),
		StreamingUnsignedTrailer: encodeUnsigned(chunks, trailers),
	}
	for mode, body := range bodies {
		for cut := 0; cut < len(body); cut++ {
			cr := NewChunkedReader(bytes.NewReader(body[:cut]), mode, signed)
			got, err := readAll(cr, 64)
			e := wantErr(t, err, KindChunk, "IncompleteBody")
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%s cut at %d: %v does not wrap io.ErrUnexpectedEOF", mode, cut, e)
			}
			if len(got) > cut {
				t.Fatalf("%s cut at %d: returned %d bytes", mode, cut, len(got))
			}
		}
		// And the uncut body decodes.
		if _, err := readAll(NewChunkedReader(bytes.NewReader(body), mode, signed), 64); err != io.EOF {
			t.Fatalf("%s whole: %v", mode, err)
		}
	}
}

// TestChunkedMalformed: broken framing is a KindChunk error with S3's code.
func TestChunkedMalformed(t *testing.T) {
	sig := strings.Repeat("0", 64)
	for _, tc := range []struct {
		name, mode, body, code string
	}{
		{"non-hex size", StreamingUnsignedTrailer, "zz\r\nabc\r\n0\r\n\r\n", "IncompleteBody"},
		{"empty size", StreamingUnsignedTrailer, "\r\nabc\r\n0\r\n\r\n", "IncompleteBody"},
		{"signed size non-hex", StreamingPayload, "x1;chunk-signature=" + sig + "\r\n", "IncompleteBody"},
		{"size with blank", StreamingUnsignedTrailer, "3 \r\nabc\r\n0\r\n\r\n", "IncompleteBody"},
		{"negative size", StreamingUnsignedTrailer, "-3\r\nabc\r\n0\r\n\r\n", "IncompleteBody"},
		{"17 hex digits", StreamingUnsignedTrailer, "00000000000000003\r\nabc\r\n0\r\n\r\n", "IncompleteBody"},
		{"int64 overflow", StreamingUnsignedTrailer, "8000000000000000\r\n", "IncompleteBody"},
		{"unsigned too large", StreamingUnsignedTrailer, "ffffffffffffff\r\n", "IncompleteBody"},
		{"signed chunk over 16 MiB", StreamingPayload, "1000001;chunk-signature=" + sig + "\r\n", "InvalidRequest"},
		{"signed chunk huge", StreamingPayload, "7fffffffffffffff;chunk-signature=" + sig + "\r\n", "InvalidRequest"},
		{"no chunk-signature", StreamingPayload, "3\r\nabc\r\n", "IncompleteBody"},
		{"other extension", StreamingPayload, "3;foo=bar\r\nabc\r\n", "IncompleteBody"},
		{"signature in unsigned mode", StreamingUnsignedTrailer, "3;chunk-signature=" + sig + "\r\nabc\r\n0\r\n\r\n", "IncompleteBody"},
		{"bare LF header", StreamingUnsignedTrailer, "3\nabc\r\n0\r\n\r\n", "IncompleteBody"},
		{"data without CRLF", StreamingUnsignedTrailer, "3\r\nabcd\r\n0\r\n\r\n", "IncompleteBody"},
		{"data with LF only", StreamingUnsignedTrailer, "3\r\nabc\n0\r\n\r\n", "IncompleteBody"},
		{"line too long", StreamingUnsignedTrailer, strings.Repeat("0", 5000) + "3\r\nabc\r\n0\r\n\r\n", "IncompleteBody"},
		{"data after the end", StreamingUnsignedTrailer, "3\r\nabc\r\n0\r\n\r\nxyz", "IncompleteBody"},
		{"second body after the end", StreamingUnsignedTrailer, "3\r\nabc\r\n0\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "IncompleteBody"},
		{"trailer bare LF", StreamingUnsignedTrailer, "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\n\r\n", "IncompleteBody"},
		{"trailer without colon", StreamingUnsignedTrailer, "3\r\nabc\r\n0\r\nx-amz-checksum-crc32 AAAAAA==\r\n\r\n", "MalformedTrailerError"},
		{"trailer empty name", StreamingUnsignedTrailer, "3\r\nabc\r\n0\r\n:AAAAAA==\r\n\r\n", "MalformedTrailerError"},
		{"trailer name with blank", StreamingUnsignedTrailer, "3\r\nabc\r\n0\r\nx-amz checksum:AAAAAA==\r\n\r\n", "MalformedTrailerError"},
		{"trailer value with control", StreamingUnsignedTrailer, "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AA\x00AA==\r\n\r\n", "MalformedTrailerError"},
		{"trailer signature in unsigned mode", StreamingUnsignedTrailer, "3\r\nabc\r\n0\r\nx-amz-trailer-signature:" + sig + "\r\n\r\n", "MalformedTrailerError"},
		{"too many trailers", StreamingUnsignedTrailer, "3\r\nabc\r\n0\r\n" + strings.Repeat("x-amz-meta-a:b\r\n", maxTrailers+1) + "\r\n", "MalformedTrailerError"},
		{"trailer after no-trailer final chunk", StreamingPayload, "", "IncompleteBody"}, // body built below
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
			signed := ss.context()
			body := tc.body
			if body == "" {
				body = fmt.Sprintf("3;chunk-signature=%s\r\nabc\r\n0;chunk-signature=%s\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n",
					ss.chunk([]byte("abc")), ss.chunk(nil))
			}
			if tc.mode == StreamingUnsignedTrailer {
				signed = nil
			}
			got, err := readAll(NewChunkedReader(strings.NewReader(body), tc.mode, signed), 4096)
			e := wantErr(t, err, KindChunk, tc.code)
			if e.Err == nil {
				t.Fatalf("%v carries no cause", e)
			}
			if len(got) > 3 {
				t.Fatalf("returned %q", got)
			}
		})
	}
}

// TestChunkedNoAllocationOnDeclaredSize: a chunk header declaring the
// largest allowed size, followed by a few bytes, must not make the reader
// allocate that size.
func TestChunkedNoAllocationOnDeclaredSize(t *testing.T) {
	ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
	body := fmt.Sprintf("%x;chunk-signature=%s\r\nonly a few bytes", maxSignedChunk, strings.Repeat("0", 64))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := readAll(NewChunkedReader(strings.NewReader(body), StreamingPayload, ss.context()), 4096)
	runtime.ReadMemStats(&after)
	wantErr(t, err, KindChunk, "IncompleteBody")
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("allocated %d bytes for a %d byte body", grew, len(body))
	}
}

// TestChunkedDecodedLength: SetDecodedLength holds the chunks to
// X-Amz-Decoded-Content-Length: a chunk that would go past it fails before
// any of its bytes come out, and a body that ends short fails at the end.
func TestChunkedDecodedLength(t *testing.T) {
	chunks := [][]byte{pattern(9000, 1), pattern(9000, 2)}
	for _, mode := range []string{StreamingPayload, StreamingUnsignedTrailer} {
		body := func() ([]byte, *Signed) {
			if mode == StreamingUnsignedTrailer {
				return encodeUnsigned(chunks, nil), nil
			}
			ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
			signed := ss.context()
			return encodeSigned(ss, chunks, nil, false), signed
		}
		for _, tc := range []struct {
			expect   int64
			wantData int // bytes returned before the error, or all on success
			ok       bool
		}{
			{18000, 18000, true},
			{-1, 18000, true},
			{17999, 9000, false},
			{9000, 9000, false},
			{18001, 18000, false},
			{0, 0, false},
		} {
			b, signed := body()
			cr := NewChunkedReader(bytes.NewReader(b), mode, signed)
			cr.SetDecodedLength(tc.expect)
			got, err := readAll(cr, 1000)
			if tc.ok {
				if err != io.EOF {
					t.Fatalf("%s expect %d: %v", mode, tc.expect, err)
				}
			} else {
				e := wantErr(t, err, KindChunk, "IncompleteBody")
				if e.Message != "You did not provide the number of bytes specified by the Content-Length HTTP header" {
					t.Fatalf("message %q", e.Message)
				}
			}
			if len(got) != tc.wantData {
				t.Fatalf("%s expect %d: returned %d bytes, want %d", mode, tc.expect, len(got), tc.wantData)
			}
		}
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestChunkedTransportError: an error from the body itself (a reset
// connection, http.MaxBytesReader) passes through, wrapped, not dressed up
// as a client's malformed body.
func TestChunkedTransportError(t *testing.T) {
	boom := errors.New("connection reset")
	for _, mode := range []string{StreamingPayload, StreamingUnsignedTrailer} {
		ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
		signed := ss.context()
		var body []byte
		if mode == StreamingPayload {
			body = encodeSigned(ss, [][]byte{pattern(5000, 1)}, nil, false)
		} else {
			body, signed = encodeUnsigned([][]byte{pattern(5000, 1)}, nil), nil
		}
		_, err := readAll(NewChunkedReader(&failingReader{data: body[:2000], err: boom}, mode, signed), 100)
		var e *Error
		if !errors.Is(err, boom) || errors.As(err, &e) {
			t.Fatalf("%s: err %v, want the transport's error", mode, err)
		}
	}
}

// TestChunkedMisuse: an unknown mode or a signed mode without the signing
// context is the caller's bug, reported as a plain error.
func TestChunkedMisuse(t *testing.T) {
	body := []byte("0\r\n\r\n")
	for _, tc := range []struct {
		mode   string
		signed *Signed
	}{
		{"UNSIGNED-PAYLOAD", nil},
		{"", nil},
		{StreamingPayload, nil},
		{StreamingPayloadTrailer, nil},
		{StreamingPayload, &Signed{Signature: "abc"}},
	} {
		_, err := readAll(NewChunkedReader(bytes.NewReader(body), tc.mode, tc.signed), 10)
		var e *Error
		if err == nil || err == io.EOF || errors.As(err, &e) {
			t.Fatalf("mode %q: err %v", tc.mode, err)
		}
	}
}

// TestChunkedAllocsPerChunk: decoding allocates per reader, not per chunk.
func TestChunkedAllocsPerChunk(t *testing.T) {
	allocs := func(chunks int) float64 {
		ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
		signed := ss.context()
		var cs [][]byte
		for i := 0; i < chunks; i++ {
			cs = append(cs, pattern(8192, i))
		}
		body := encodeSigned(ss, cs, nil, false)
		p := make([]byte, 32<<10)
		br := bytes.NewReader(body)
		return testing.AllocsPerRun(20, func() {
			br.Reset(body)
			cr := NewChunkedReader(br, StreamingPayload, signed)
			for {
				if _, err := cr.Read(p); err != nil {
					if err != io.EOF {
						t.Fatal(err)
					}
					return
				}
			}
		})
	}
	few, many := allocs(2), allocs(40)
	if many > few {
		t.Fatalf("%v allocations for 2 chunks, %v for 40: something allocates per chunk", few, many)
	}
}

// TestVerifyLiteralPayloadHashes: the X-Amz-Content-Sha256 literals S3
// clients send (UNSIGNED-PAYLOAD and the streaming modes) are just the
// payload hash of the canonical request; Verify and VerifySigned accept a
// request signed with one when given the same one, and no other.
func TestVerifyLiteralPayloadHashes(t *testing.T) {
	literals := []string{UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedTrailer}
	for _, lit := range literals {
		r := httptest.NewRequest(http.MethodPut, "http://127.0.0.1:4566/bucket/key", strings.NewReader("ignored"))
		r.Header.Set("X-Amz-Content-Sha256", lit)
		r.Header.Set("Content-Encoding", "aws-chunked")
		r.Header.Set("X-Amz-Decoded-Content-Length", "7")
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testID, SecretAccessKey: testSecret},
			r, lit, "s3", "us-east-1", signTime); err != nil {
			t.Fatal(err)
		}
		v := newVerifier(signTime)
		v.DisableURIPathEscaping = true
		if _, err := v.Verify(r, lit); err != nil {
			t.Fatalf("%s: %v", lit, err)
		}
		s, err := v.VerifySigned(r, lit)
		if err != nil {
			t.Fatalf("%s: VerifySigned: %v", lit, err)
		}
		auth := r.Header.Get("Authorization")
		if !strings.HasSuffix(auth, "Signature="+s.Signature) || s.AmzDate != "20240102T030405Z" ||
			s.Scope != "20240102/us-east-1/s3/aws4_request" || s.AccessKeyID != testID || s.Service != "s3" {
			t.Fatalf("%s: signing context %+v for %s", lit, s, auth)
		}
		for _, other := range append(literals, EmptyPayloadHash) {
			if other == lit {
				continue
			}
			var e *Error
			if _, err := v.Verify(r, other); !errors.As(err, &e) || e.Kind != KindMismatch {
				t.Fatalf("Verify with %s of a request signed with %s: %v", other, lit, err)
			}
			if s, err := v.VerifySigned(r, other); s != nil || err == nil {
				t.Fatalf("VerifySigned with %s accepted a request signed with %s", other, lit)
			}
		}
	}
}

// TestChunkedEndToEnd: a signed streaming PUT over a real HTTP connection,
// verified with VerifySigned and decoded from the request body.
func TestChunkedEndToEnd(t *testing.T) {
	v := newVerifier(signTime)
	v.DisableURIPathEscaping = true
	payload := pattern(200000, 42)
	type decoded struct {
		data    []byte
		trailer http.Header
	}
	results := make(chan decoded, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode := r.Header.Get("X-Amz-Content-Sha256")
		s, err := v.VerifySigned(r, mode)
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		cr := NewChunkedReader(r.Body, mode, s)
		cr.SetDecodedLength(int64(len(payload)))
		data, err := io.ReadAll(cr)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		results <- decoded{data, cr.Trailer()}
	}))
	defer srv.Close()

	r, err := http.NewRequest(http.MethodPut, srv.URL+"/bucket/key", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Amz-Content-Sha256", StreamingPayloadTrailer)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(payload)))
	r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testID, SecretAccessKey: testSecret},
		r, StreamingPayloadTrailer, "s3", "us-east-1", signTime); err != nil {
		t.Fatal(err)
	}
	seed := r.Header.Get("Authorization")[strings.LastIndex(r.Header.Get("Authorization"), "=")+1:]
	ss := newSpecSigner(testSecret, signTime.Format("20060102T150405Z"), seed)
	body := encodeSigned(ss, [][]byte{payload[:65536], payload[65536:131072], payload[131072:]},
		[]kv{{"x-amz-checksum-crc32", "AAAAAA=="}}, true)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s", resp.Status, msg)
	}
	got := <-results
	if !bytes.Equal(got.data, payload) || got.trailer.Get("X-Amz-Checksum-Crc32") != "AAAAAA==" {
		t.Fatalf("server decoded %d bytes, trailer %v", len(got.data), got.trailer)
	}
}

// BenchmarkChunkedReader decodes a signed body of 64 KiB chunks (the size
// the Java SDK and minio-go use), checking every chunk signature.
func BenchmarkChunkedReader(b *testing.B) {
	ss := newSpecSigner(testSecret, "20240102T030405Z", testSeed)
	signed := ss.context()
	var chunks [][]byte
	for i := 0; i < 64; i++ {
		chunks = append(chunks, pattern(64<<10, i))
	}
	body := encodeSigned(ss, chunks, nil, false)
	br := bytes.NewReader(body)
	p := make([]byte, 32<<10)
	b.SetBytes(64 * 64 << 10)
	b.ReportAllocs()
	for b.Loop() {
		br.Reset(body)
		cr := NewChunkedReader(br, StreamingPayload, signed)
		for {
			_, err := cr.Read(p)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkChunkedReaderUnsigned decodes the unsigned-trailer form the Go
// SDK and botocore send by default.
func BenchmarkChunkedReaderUnsigned(b *testing.B) {
	var chunks [][]byte
	for i := 0; i < 4; i++ {
		chunks = append(chunks, pattern(1<<20, i))
	}
	body := encodeUnsigned(chunks, []kv{{"x-amz-checksum-crc32", "AAAAAA=="}})
	br := bytes.NewReader(body)
	p := make([]byte, 32<<10)
	b.SetBytes(4 << 20)
	b.ReportAllocs()
	for b.Loop() {
		br.Reset(body)
		cr := NewChunkedReader(br, StreamingUnsignedTrailer, nil)
		for {
			_, err := cr.Read(p)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
