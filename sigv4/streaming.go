package sigv4

import (
	"errors"
	"io"
	"net/http"
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
// requests whose body is streamed in signed chunks.
func (v *Verifier) VerifySigned(r *http.Request, payloadHash string) (*Signed, error) {
	return nil, errors.New("sigv4: VerifySigned not implemented yet")
}

// ChunkedReader decodes an aws-chunked body ("<hex-size>[;chunk-signature=
// <sig>]\r\n<data>\r\n"…, a zero-size final chunk, then optional trailing
// headers and a blank line), verifying each chunk signature (signed modes)
// and the trailer signature (…-TRAILER signed mode) as it goes. Read
// returns an *Error (KindMismatch for a bad signature, KindChunk for
// malformed framing) instead of data it cannot vouch for. The framing is
// bounded: a chunk header or trailer line longer than a few KiB is
// malformed.
type ChunkedReader struct{}

// NewChunkedReader decodes body in mode (one of the Streaming* constants).
// signed is the verified request context; it may be nil only for
// StreamingUnsignedTrailer.
func NewChunkedReader(body io.Reader, mode string, signed *Signed) *ChunkedReader {
	return &ChunkedReader{}
}

// Read reads decoded payload bytes.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	return 0, errors.New("sigv4: ChunkedReader not implemented yet")
}

// Trailer returns the trailing headers (canonical names, e.g.
// "X-Amz-Checksum-Crc32"), valid after Read returned io.EOF.
func (c *ChunkedReader) Trailer() http.Header { return nil }

// KindChunk classifies malformed aws-chunked framing.
const KindChunk Kind = 100
