package sigv4

import (
	"fmt"
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
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

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
