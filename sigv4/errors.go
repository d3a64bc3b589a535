package sigv4

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Error is a verification failure, ready for an AWS JSON service's error
// envelope. Kind classifies it so other wire APIs (S3 answers
// SignatureDoesNotMatch, InvalidAccessKeyId, AccessDenied "Request has
// expired" …) can map it to their own codes without parsing messages.
type Error struct {
	Code    string
	Status  int
	Message string
	Kind    Kind
	// Err is the underlying cause, when there is one worth telling apart
	// from the wire message: io.ErrUnexpectedEOF for a truncated
	// aws-chunked body, or what exactly was malformed in its framing. It
	// is for logs and errors.Is; it never goes on the wire.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + " (" + e.Err.Error() + ")"
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the underlying cause, so errors.Is(err,
// io.ErrUnexpectedEOF) holds for a truncated streaming body.
func (e *Error) Unwrap() error { return e.Err }

// Kind classifies an Error.
type Kind int

const (
	KindMissing       Kind = iota + 1 // no signature at all
	KindIncomplete                    // a required part absent or malformed
	KindBoth                          // header and query-string signature both present
	KindExpired                       // date too old, or presigned URL past X-Amz-Expires
	KindNotYetValid                   // date too far in the future
	KindHostNotSigned                 // Host not among the signed headers
	KindScope                         // credential scope wrong (region, service, terminator, date)
	KindUnknownKey                    // access key id not known
	KindMismatch                      // signature does not match
)

// The codes and messages below are AWS's for JSON services (Kinesis,
// DynamoDB), all HTTP 400. Evidence:
//   - kinesalite test/connection.js, recorded against Kinesis: missing auth,
//     the IncompleteSignatureException lists for header and query forms,
//     and "Found both …".
//   - dynalite's index.js (early versions) keeps the real AWS answers, in
//     order, as comments: date format, "Signature expired", Host signed,
//     algorithm, credential shape, scope, unknown key, mismatch with the
//     canonical string and string to sign.
//   - Public issue threads quoting AWS: "Signature expired: 20140325T143453Z
//     is now earlier than 20140325T143751Z (20140325T145251Z - 15 min.)"
//     (aws-sdk-js #254), "Signature not yet current: … is still later than …
//     (… + 5 min.)" (serverless/enterprise #11), "The security token included
//     in the request is invalid." (Kinesis, KPL #116), "Credential must have
//     exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term,
//     got '…'" (aws-sdk-go #1042).

func newErr(kind Kind, code, msg string) *Error {
	return &Error{Code: code, Status: http.StatusBadRequest, Message: msg, Kind: kind}
}

const (
	codeMissing    = "MissingAuthenticationTokenException"
	codeIncomplete = "IncompleteSignatureException"
	codeInvalid    = "InvalidSignatureException"
	codeUnknownKey = "UnrecognizedClientException"
)

func errMissingToken() *Error {
	return newErr(KindMissing, codeMissing, "Missing Authentication Token")
}

func errBothAuth() *Error {
	return newErr(KindBoth, codeInvalid, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
}

func errIncompleteHeader(missing []string, noDate bool, header string) *Error {
	var b strings.Builder
	for _, m := range missing {
		fmt.Fprintf(&b, "Authorization header requires '%s' parameter. ", m)
	}
	if noDate {
		b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	b.WriteString("Authorization=")
	b.WriteString(header)
	return newErr(KindIncomplete, codeIncomplete, b.String())
}

func errIncompleteQuery(missing []string) *Error {
	var b strings.Builder
	for _, m := range missing {
		fmt.Fprintf(&b, "AWS query-string parameters must include '%s'. ", m)
	}
	b.WriteString("Re-examine the query-string parameters.")
	return newErr(KindIncomplete, codeIncomplete, b.String())
}

func errNotKeyValue(tok, header string) *Error {
	return newErr(KindIncomplete, codeIncomplete,
		fmt.Sprintf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", tok, header))
}

func errDateFormat(got string) *Error {
	return newErr(KindIncomplete, codeIncomplete,
		fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", got))
}

func skewText(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min.", int(d/time.Minute))
	}
	return fmt.Sprintf("%d sec.", int(d/time.Second))
}

func errExpired(date, now time.Time, skew time.Duration) *Error {
	return newErr(KindExpired, codeInvalid, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
		date.Format(timeFormat), now.Add(-skew).Format(timeFormat), now.Format(timeFormat), skewText(skew)))
}

func errNotYetCurrent(date, now time.Time, skew time.Duration) *Error {
	return newErr(KindNotYetValid, codeInvalid, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s)",
		date.Format(timeFormat), now.Add(skew).Format(timeFormat), now.Format(timeFormat), skewText(skew)))
}

// errPresignExpired words a presigned request past its X-Amz-Expires in the
// same shape as the skew message (AWS's exact JSON-service wording for this
// case is not on record; S3 maps KindExpired to its own "Request has
// expired").
func errPresignExpired(date time.Time, expires int64, now time.Time) *Error {
	d := time.Duration(expires) * time.Second
	return newErr(KindExpired, codeInvalid, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
		date.Format(timeFormat), now.Add(-d).Format(timeFormat), now.Format(timeFormat), skewText(d)))
}

func errExpiresNotNumber() *Error {
	return newErr(KindIncomplete, codeIncomplete, "X-Amz-Expires should be a number")
}

func errExpiresNegative() *Error {
	return newErr(KindIncomplete, codeIncomplete, "X-Amz-Expires must be non-negative")
}

func errExpiresTooLong() *Error {
	return newErr(KindIncomplete, codeIncomplete,
		"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
}

func errHostNotSigned() *Error {
	return newErr(KindHostNotSigned, codeInvalid, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
}

func errAlgorithm(alg string) *Error {
	return newErr(KindIncomplete, codeIncomplete,
		fmt.Sprintf("Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now). ", alg))
}

func errCredentialShape(cred string) *Error {
	return newErr(KindIncomplete, codeIncomplete,
		fmt.Sprintf("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", cred))
}

func errScope(msg string) *Error {
	return newErr(KindScope, codeInvalid, msg)
}

func errUnknownKey() *Error {
	return newErr(KindUnknownKey, codeUnknownKey, "The security token included in the request is invalid.")
}

// errMismatch carries, as AWS's JSON services do, the canonical request and
// string to sign the server computed, so a client author can diff them.
func errMismatch(canonical, sts []byte) *Error {
	return newErr(KindMismatch, codeInvalid,
		"The request signature we calculated does not match the signature you provided. "+
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"+
			"The Canonical String for this request should have been\n'"+string(canonical)+"'\n\n"+
			"The String-to-Sign should have been\n'"+string(sts)+"'\n")
}

// Errors of aws-chunked (streaming) bodies. Only S3 accepts such bodies, so
// unlike the errors above these carry S3's codes, statuses and messages and
// the S3 skin can pass them through as they are (it may still map by Kind).
// Evidence:
//   - SignatureDoesNotMatch (403) and IncompleteBody (400, "You did not
//     provide the number of bytes specified by the Content-Length HTTP
//     header") are in the S3 error table (botocore s3 model, Error.Code
//     documentation, mirrored from docs.aws.amazon.com/AmazonS3/latest/API/
//     ErrorResponses.html). The wording S3 actually sends for a bad
//     signature is the shorter "Check your key and signing method."
//   - S3 answers IncompleteBody for any broken aws-chunked framing and
//     MalformedTrailerError (400, "The request contained trailing data that
//     was not well-formed or did not conform to our published schema.") for
//     broken trailing headers: versitygw's s3err table and its unsigned
//     chunk reader, which its authors check against S3 itself, use exactly
//     these ("The request body terminated unexpectedly" for the truncated
//     and malformed cases).
//   - A signed chunk larger than maxSignedChunk has no S3 equivalent (S3
//     publishes no upper chunk size); caudal answers InvalidRequest, S3's
//     generic 400, with a message saying why.
//
// The reason (what exactly was malformed) goes in Err, not in Message, so
// the wire text stays S3's.

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your key and signing method."

// errChunkSignature is a chunk or trailer signature that does not match
// (or is missing); cause says which.
func errChunkSignature(cause string) *Error {
	return &Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden, Message: msgSignatureMismatch,
		Kind: KindMismatch, Err: errors.New(cause)}
}

// errChunkFraming is malformed aws-chunked framing; cause says what.
func errChunkFraming(cause error) *Error {
	return &Error{Code: "IncompleteBody", Status: http.StatusBadRequest,
		Message: "The request body terminated unexpectedly", Kind: KindChunk, Err: cause}
}

// errChunkTruncated is a body that ended before its final chunk (or
// inside it): never a silently short payload.
func errChunkTruncated() *Error {
	return errChunkFraming(io.ErrUnexpectedEOF)
}

// errDecodedLength is a body whose chunks do not add up to
// X-Amz-Decoded-Content-Length (see ChunkedReader.SetDecodedLength).
func errDecodedLength(declared, got int64, more bool) *Error {
	cause := fmt.Errorf("chunks hold %d bytes, X-Amz-Decoded-Content-Length says %d", got, declared)
	if more {
		cause = fmt.Errorf("chunks hold more than the %d bytes X-Amz-Decoded-Content-Length says", declared)
	}
	return &Error{Code: "IncompleteBody", Status: http.StatusBadRequest,
		Message: "You did not provide the number of bytes specified by the Content-Length HTTP header",
		Kind:    KindChunk, Err: cause}
}

func errTrailerMalformed(cause error) *Error {
	return &Error{Code: "MalformedTrailerError", Status: http.StatusBadRequest,
		Message: "The request contained trailing data that was not well-formed or did not conform to our published schema.",
		Kind:    KindChunk, Err: cause}
}

func errChunkTooLarge(size int64) *Error {
	return &Error{Code: "InvalidRequest", Status: http.StatusBadRequest,
		Message: fmt.Sprintf("Chunk size %d exceeds the maximum of %d bytes for a signed chunk.", size, maxSignedChunk),
		Kind:    KindChunk, Err: fmt.Errorf("chunk of %d bytes over the %d byte limit", size, maxSignedChunk)}
}
