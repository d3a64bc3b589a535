package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"sort"
	"strings"
)

// X-Amz-Content-Sha256 values that announce an aws-chunked body
// (Content-Encoding: aws-chunked, X-Amz-Decoded-Content-Length).
const (
	// StreamingPayload: every chunk carries a chunk-signature chained from
	// the request's seed signature.
	StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	// StreamingPayloadTrailer: signed chunks, then trailing headers with
	// x-amz-trailer-signature.
	StreamingPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	// StreamingUnsignedTrailer: unsigned chunks and trailing headers (the
	// form newer SDKs send with x-amz-checksum-* trailers over http or
	// https with default checksums).
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// KindChunk classifies malformed aws-chunked framing.
const KindChunk Kind = 100

// Bounds on what a client may make the decoder hold.
const (
	// maxSignedChunk bounds a signed chunk, which is held whole until its
	// signature is checked. Clients send 64 KiB (Java SDK, minio-go, the
	// AWS example) to 1 MiB (botocore's aws-chunked wrapper); AWS asks for
	// at least 8 KiB and recommends 64 KiB.
	maxSignedChunk = 16 << 20
	// maxUnsignedChunk only keeps sums from overflowing: unsigned chunks
	// are streamed, never held, and the Go SDK sends a body of known
	// length as a single chunk (up to S3's 5 GiB object limit).
	maxUnsignedChunk = 1 << 50
	// maxLine bounds a chunk header or trailer line, CRLF included. The
	// longest real one is a signed chunk header (~90 bytes).
	maxLine = 4096
	// maxTrailers bounds the trailing headers; SDKs send one checksum.
	maxTrailers = 16
	// minChunkBuf is the first allocation for a signed chunk's buffer; it
	// grows (doubling) only as bytes actually arrive.
	minChunkBuf = 64 << 10
)

// Signed is a verified request's signing context: what a streaming body's
// chunk signatures chain from.
type Signed struct {
	Credential
	Signature string // the request's (seed) signature, hex
	AmzDate   string // X-Amz-Date as sent
	Scope     string // date/region/service/aws4_request
	key       [32]byte
}

// VerifySigned is Verify that also returns the signing context, for
// requests whose body is streamed in signed chunks. It runs exactly
// Verify's checks; on error the *Signed is nil.
func (v *Verifier) VerifySigned(r *http.Request, payloadHash string) (*Signed, error) {
	var s Signed
	if _, err := v.verifyRequest(r, payloadHash, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ChunkedReader decodes an aws-chunked body ("<hex-size>[;chunk-signature=
// <sig>]\r\n<data>\r\n"…, a zero-size final chunk, then optional trailing
// headers and a blank line), verifying each chunk signature (signed modes)
// and the trailer signature (…-TRAILER signed mode) as it goes. Read
// returns an *Error (KindMismatch for a bad signature, KindChunk for
// malformed framing) instead of data it cannot vouch for. The framing is
// bounded: a chunk header or trailer line longer than a few KiB is
// malformed.
//
// The accepted forms are exactly what clients send (AWS's sigv4-streaming
// and sigv4-streaming-trailers pages; botocore's AwsChunkedWrapper; the Go
// SDK's aws_chunked_encoding.go):
//
//	signed:           "<hex>;chunk-signature=<64 hex>\r\n<data>\r\n" …
//	                  "0;chunk-signature=<64 hex>\r\n" "\r\n"
//	signed, trailer:  … "0;chunk-signature=<64 hex>\r\n"
//	                  "<name>:<value>\r\n" … "x-amz-trailer-signature:<64 hex>\r\n" "\r\n"
//	unsigned trailer: "<hex>\r\n<data>\r\n" … "0\r\n" "<name>:<value>\r\n" … "\r\n"
//
// Every client checked sends the final blank line (botocore 1.26 and 1.43,
// the Go SDK v2), so a body ending without it is truncated. Nothing may
// follow the final blank line: extra bytes there are malformed framing
// rather than ignored, since they can only be a client bug or smuggling.
// Chunk sizes are not held to S3's 8 KiB minimum for non-final chunks.
//
// Invariants: in the signed modes no byte of a chunk is returned before its
// signature (chained from the previous one, so chunks cannot be dropped,
// reordered or repeated) has been checked; Read never returns more bytes
// than the body's chunks declare; once Read returns an error it returns the
// same error forever. In the unsigned mode there is nothing to check, so
// data streams through as it arrives and a framing error can come after
// some of a chunk's bytes: in every mode the body is good only if Read ends
// with io.EOF, and a caller must not commit what it read before that. A
// ChunkedReader is not safe for concurrent use.
//
// Typical use, after the caller has checked Content-Encoding:
//
//	mode := r.Header.Get("X-Amz-Content-Sha256") // one of the Streaming* constants
//	signed, err := v.VerifySigned(r, mode)
//	…
//	body := sigv4.NewChunkedReader(r.Body, mode, signed)
//	body.SetDecodedLength(decodedLength) // from X-Amz-Decoded-Content-Length
//	… read body to io.EOF, then body.Trailer() holds x-amz-checksum-*
type ChunkedReader struct {
	br      *bufio.Reader
	signed  bool  // chunks carry chunk-signature
	trailer bool  // the mode announces trailing headers
	err     error // sticky: io.EOF at the end, or what stopped decoding

	// Signed modes.
	mac       hash.Hash // HMAC-SHA256 under the signing key, Reset per use
	sha       hash.Hash // SHA-256 of a chunk, Reset per chunk
	amzDate   string
	scope     string
	chunkHead []byte   // "AWS4-HMAC-SHA256-PAYLOAD\n<date>\n<scope>\n"
	prev      [64]byte // previous signature (seed, then each chunk's), hex
	sent      [64]byte // the signature the current chunk header carries
	hexSum    [64]byte // scratch: a hash in hex
	sum       [32]byte // scratch: a raw hash
	buf       []byte   // the verified chunk being handed out
	off       int      // read position in buf

	// Unsigned mode.
	remaining int64 // bytes of the current chunk not yet returned
	needCRLF  bool  // the current chunk's data is done, its CRLF unread

	decoded  int64 // sum of the chunk sizes declared so far
	expect   int64 // SetDecodedLength's n, or -1
	trailers http.Header
}

// NewChunkedReader decodes body in mode (one of the Streaming* constants).
// signed is the verified request context; it may be nil only for
// StreamingUnsignedTrailer.
func NewChunkedReader(body io.Reader, mode string, signed *Signed) *ChunkedReader {
	c := &ChunkedReader{br: bufio.NewReaderSize(body, maxLine), expect: -1}
	switch mode {
	case StreamingPayload:
		c.signed = true
	case StreamingPayloadTrailer:
		c.signed, c.trailer = true, true
	case StreamingUnsignedTrailer:
		c.trailer = true
	default:
		c.err = fmt.Errorf("sigv4: %q is not an aws-chunked mode", mode)
		return c
	}
	if c.signed {
		if signed == nil {
			c.err = fmt.Errorf("sigv4: %s needs the request's signing context", mode)
			return c
		}
		if len(signed.Signature) != len(c.prev) {
			c.err = fmt.Errorf("sigv4: seed signature %q is not 64 hex digits", signed.Signature)
			return c
		}
		c.mac = hmac.New(sha256.New, signed.key[:])
		c.sha = sha256.New()
		c.amzDate, c.scope = signed.AmzDate, signed.Scope
		c.chunkHead = []byte("AWS4-HMAC-SHA256-PAYLOAD\n" + signed.AmzDate + "\n" + signed.Scope + "\n")
		copy(c.prev[:], signed.Signature)
	}
	return c
}

// SetDecodedLength makes the reader insist that the chunks hold exactly n
// bytes, the request's X-Amz-Decoded-Content-Length: a chunk that would go
// past n fails before any of its bytes are returned, and a final chunk
// reached short of n fails instead of io.EOF. Both failures are KindChunk
// IncompleteBody, as S3 answers. Call it before the first Read; n < 0
// turns the check off (the default).
func (c *ChunkedReader) SetDecodedLength(n int64) {
	if n < 0 {
		n = -1
	}
	c.expect = n
}

// Read reads decoded payload bytes.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if c.off < len(c.buf) {
			n := copy(p, c.buf[c.off:])
			c.off += n
			return n, nil
		}
		if c.remaining > 0 {
			return c.readUnsigned(p)
		}
		if c.err != nil {
			return 0, c.err
		}
		c.next()
	}
}

// Trailer returns the trailing headers (canonical names, e.g.
// "X-Amz-Checksum-Crc32"), valid after Read returned io.EOF; before that,
// and for a body without trailing headers, it is nil.
func (c *ChunkedReader) Trailer() http.Header {
	if c.err != io.EOF {
		return nil
	}
	return c.trailers
}

// readUnsigned streams the current unsigned chunk's data into p.
func (c *ChunkedReader) readUnsigned(p []byte) (int, error) {
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.br.Read(p)
	c.remaining -= int64(n)
	if err != nil {
		// Any end of input inside a chunk is a truncated body. The bytes
		// read so far are returned first; the error sticks.
		c.remaining = 0
		c.fail(err)
		if n > 0 {
			return n, nil
		}
		return 0, c.err
	}
	return n, nil
}

// next decodes the next chunk header and, in the signed modes, the whole
// chunk; at the final chunk it reads the trailing headers. On return
// either data is ready (buf or remaining) or c.err is set.
func (c *ChunkedReader) next() {
	if c.needCRLF {
		if !c.readCRLF() {
			return
		}
		c.needCRLF = false
	}
	line, ok := c.readLine()
	if !ok {
		return
	}
	size, ok := c.parseChunkHeader(line)
	if !ok {
		return
	}
	if c.expect >= 0 && size > c.expect-c.decoded {
		c.err = errDecodedLength(c.expect, c.decoded+size, true)
		return
	}
	c.decoded += size
	if c.signed {
		if !c.readChunk(int(size)) || !c.verifyChunk() {
			c.buf = c.buf[:0]
			return
		}
	} else {
		c.remaining = size
		c.needCRLF = size > 0
	}
	if size == 0 {
		c.finish()
	}
}

// parseChunkHeader reads "<hex>;chunk-signature=<sig>" (signed modes,
// keeping the signature in c.sent) or "<hex>" (unsigned).
func (c *ChunkedReader) parseChunkHeader(line []byte) (int64, bool) {
	const ext = ";chunk-signature="
	hexSize := line
	var sig []byte
	if c.signed {
		i := bytes.IndexByte(line, ';')
		if i < 0 || !bytes.HasPrefix(line[i:], []byte(ext)) {
			c.err = errChunkFraming(errors.New("chunk header without chunk-signature"))
			return 0, false
		}
		hexSize, sig = line[:i], line[i+len(ext):]
	}
	limit := int64(maxUnsignedChunk)
	if c.signed {
		limit = maxSignedChunk
	}
	size, ok := parseHexSize(hexSize)
	if !ok {
		c.err = errChunkFraming(fmt.Errorf("chunk size %q is not a hexadecimal number", truncate(hexSize)))
		return 0, false
	}
	if size > limit {
		if c.signed {
			c.err = errChunkTooLarge(size)
		} else {
			c.err = errChunkFraming(fmt.Errorf("chunk size %d too large", size))
		}
		return 0, false
	}
	if c.signed {
		if len(sig) != len(c.sent) {
			// It cannot match; no need to read the chunk to say so.
			c.err = errChunkSignature("chunk signature is not 64 hex digits")
			return 0, false
		}
		copy(c.sent[:], sig) // sig lives in bufio's buffer, gone at the next read
	}
	return size, true
}

// parseHexSize parses 1 to 16 hex digits (either case), rejecting values
// that do not fit an int64.
func parseHexSize(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var n uint64
	for _, ch := range b {
		var d byte
		switch {
		case ch >= '0' && ch <= '9':
			d = ch - '0'
		case ch >= 'a' && ch <= 'f':
			d = ch - 'a' + 10
		case ch >= 'A' && ch <= 'F':
			d = ch - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// readChunk reads a signed chunk's size bytes and its closing CRLF into
// c.buf. The buffer grows as bytes arrive, never on the declared size
// alone, and is reused for every chunk.
func (c *ChunkedReader) readChunk(size int) bool {
	c.buf, c.off = c.buf[:0], 0
	if size == 0 {
		// The final chunk has no data and no CRLF of its own: the trailing
		// header section (possibly just the blank line) follows at once.
		return true
	}
	for len(c.buf) < size {
		if len(c.buf) == cap(c.buf) {
			grown := make([]byte, len(c.buf), min(max(2*cap(c.buf), minChunkBuf), size))
			copy(grown, c.buf)
			c.buf = grown
		}
		n, err := io.ReadFull(c.br, c.buf[len(c.buf):min(cap(c.buf), size)])
		c.buf = c.buf[:len(c.buf)+n]
		if err != nil {
			c.fail(err)
			return false
		}
	}
	return c.readCRLF()
}

// verifyChunk checks c.sent against the signature of c.buf chained from
// c.prev, and on success makes c.sent the new c.prev.
//
// String to sign (AWS sigv4-streaming):
//
//	AWS4-HMAC-SHA256-PAYLOAD \n date \n scope \n previous signature \n
//	hex(sha256("")) \n hex(sha256(chunk data))
func (c *ChunkedReader) verifyChunk() bool {
	c.sha.Reset()
	c.sha.Write(c.buf)
	c.sha.Sum(c.sum[:0])
	hex.Encode(c.hexSum[:], c.sum[:])
	c.mac.Reset()
	c.mac.Write(c.chunkHead)
	c.mac.Write(c.prev[:])
	c.mac.Write(emptyHashLine)
	c.mac.Write(c.hexSum[:])
	if !c.macMatches() {
		c.err = errChunkSignature("chunk signature does not match")
		return false
	}
	c.prev = c.sent
	return true
}

// emptyHashLine is the fixed middle of a chunk's string to sign: the hash
// of the (empty) chunk headers.
var emptyHashLine = []byte("\n" + EmptyPayloadHash + "\n")

// macMatches finishes c.mac and compares it, in constant time, with the
// hex signature in c.sent.
func (c *ChunkedReader) macMatches() bool {
	c.mac.Sum(c.sum[:0])
	hex.Encode(c.hexSum[:], c.sum[:])
	return hmac.Equal(c.hexSum[:], c.sent[:])
}

// finish handles what follows the final chunk: the trailing headers and
// the blank line, then the end of the body. It leaves c.err set.
func (c *ChunkedReader) finish() {
	if c.expect >= 0 && c.decoded != c.expect {
		c.err = errDecodedLength(c.expect, c.decoded, false)
		return
	}
	if !c.readTrailers() {
		return
	}
	switch _, err := c.br.ReadByte(); {
	case err == nil:
		c.err = errChunkFraming(errors.New("data after the final chunk"))
	case err == io.EOF:
		c.err = io.EOF
	default:
		c.fail(err)
	}
}

// trailerLine is one trailing header as sent.
type trailerLine struct {
	name, value string // name lower-cased, value trimmed
	raw         string // the line as sent, without CRLF
}

// readTrailers reads trailing header lines up to the blank line, checks the
// trailer signature in the signed trailer mode, and keeps the headers.
func (c *ChunkedReader) readTrailers() bool {
	var lines []trailerLine
	var haveSig bool
	for {
		line, ok := c.readLine()
		if !ok {
			return false
		}
		if len(line) == 0 {
			break
		}
		if !c.trailer {
			c.err = errChunkFraming(errors.New("no blank line after the final chunk"))
			return false
		}
		if haveSig {
			c.err = errTrailerMalformed(errors.New("trailing header after x-amz-trailer-signature"))
			return false
		}
		name, value, ok := parseTrailerLine(line)
		if !ok {
			c.err = errTrailerMalformed(fmt.Errorf("trailing header line %q", truncate(line)))
			return false
		}
		if name == "x-amz-trailer-signature" {
			if !c.signed {
				c.err = errTrailerMalformed(errors.New("x-amz-trailer-signature in an unsigned body"))
				return false
			}
			if len(value) != len(c.sent) {
				c.err = errChunkSignature("trailer signature is not 64 hex digits")
				return false
			}
			copy(c.sent[:], value)
			haveSig = true
			continue
		}
		if len(lines) == maxTrailers {
			c.err = errTrailerMalformed(fmt.Errorf("more than %d trailing headers", maxTrailers))
			return false
		}
		lines = append(lines, trailerLine{name: name, value: value, raw: string(line)})
	}
	if c.signed && c.trailer {
		if !haveSig {
			c.err = errChunkSignature("no x-amz-trailer-signature")
			return false
		}
		if !c.verifyTrailer(lines) {
			c.err = errChunkSignature("trailer signature does not match")
			return false
		}
	}
	if len(lines) > 0 {
		c.trailers = make(http.Header, len(lines))
		for _, l := range lines {
			c.trailers.Add(l.name, l.value)
		}
	}
	return true
}

// verifyTrailer checks c.sent against the trailer signature, chained from
// the final chunk's:
//
//	AWS4-HMAC-SHA256-TRAILER \n date \n scope \n previous signature \n
//	hex(sha256(trailing headers))
//
// where the trailing headers are "name:value\n" each. Signers write them
// in canonical-header form (lower-case names sorted; smithy-kotlin and the
// CRT sort them on the wire too), so that form is tried first, then the
// lines exactly as sent, in case a signer hashed its wire order; with one
// trailer, as every SDK sends, the two are the same.
func (c *ChunkedReader) verifyTrailer(lines []trailerLine) bool {
	sorted := make([]trailerLine, len(lines))
	copy(sorted, lines)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	var canon, wire bytes.Buffer
	for _, l := range sorted {
		canon.WriteString(l.name + ":" + l.value + "\n")
	}
	for _, l := range lines {
		wire.WriteString(l.raw + "\n")
	}
	if c.trailerMatches(canon.Bytes()) {
		return true
	}
	return !bytes.Equal(canon.Bytes(), wire.Bytes()) && c.trailerMatches(wire.Bytes())
}

func (c *ChunkedReader) trailerMatches(block []byte) bool {
	h := sha256.Sum256(block)
	c.mac.Reset()
	c.mac.Write([]byte("AWS4-HMAC-SHA256-TRAILER\n" + c.amzDate + "\n" + c.scope + "\n"))
	c.mac.Write(c.prev[:])
	c.mac.Write([]byte{'\n'})
	var hx [64]byte
	hex.Encode(hx[:], h[:])
	c.mac.Write(hx[:])
	return c.macMatches()
}

// parseTrailerLine splits "name:value" (optional blanks around the value),
// lower-casing the name. The name must be an HTTP token.
func parseTrailerLine(line []byte) (name, value string, ok bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return "", "", false
	}
	for _, ch := range line[:i] {
		if !isTokenChar(ch) {
			return "", "", false
		}
	}
	v := bytes.Trim(line[i+1:], " \t")
	for _, ch := range v {
		if ch < ' ' && ch != '\t' || ch == 0x7f {
			return "", "", false
		}
	}
	return strings.ToLower(string(line[:i])), string(v), true
}

// isTokenChar reports whether ch may appear in an HTTP header name
// (RFC 9110 tchar).
func isTokenChar(ch byte) bool {
	switch {
	case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", ch) >= 0
}

// readLine reads one CRLF-terminated line of at most maxLine bytes and
// returns it without the CRLF. The slice is bufio's: valid until the next
// read.
func (c *ChunkedReader) readLine() ([]byte, bool) {
	line, err := c.br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		c.err = errChunkFraming(fmt.Errorf("line longer than %d bytes", maxLine))
		return nil, false
	case err != nil:
		c.fail(err)
		return nil, false
	case len(line) < 2 || line[len(line)-2] != '\r':
		c.err = errChunkFraming(errors.New("line not ended by CRLF"))
		return nil, false
	}
	return line[:len(line)-2], true
}

// readCRLF reads the CRLF that closes a chunk's data.
func (c *ChunkedReader) readCRLF() bool {
	for _, want := range []byte{'\r', '\n'} {
		b, err := c.br.ReadByte()
		if err != nil {
			c.fail(err)
			return false
		}
		if b != want {
			c.err = errChunkFraming(errors.New("chunk data not followed by CRLF"))
			return false
		}
	}
	return true
}

// fail records a read error from the body: its end is a truncated body
// (KindChunk, wrapping io.ErrUnexpectedEOF); anything else is the
// transport's and passes through, wrapped.
func (c *ChunkedReader) fail(err error) {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		c.err = errChunkTruncated()
		return
	}
	c.err = fmt.Errorf("sigv4: reading aws-chunked body: %w", err)
}

// truncate shortens what an error quotes from the body.
func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
