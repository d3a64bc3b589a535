package s3api

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/sigv4"
)

// authenticate verifies q's signature (verify) and then binds the signing
// key's principal to the request: the handlers find it in q.r's context
// (auth.SubjectFrom) for authorization, and the audit event, when there is
// one, names the caller. A key deleted or disabled between the two lookups
// is refused as unknown.
func (h *Handler) authenticate(q *request) error {
	if err := h.verify(q); err != nil {
		return err
	}
	var p *auth.Principal
	if h.cfg.Principal == nil {
		p = &auth.Principal{Root: true, AccessKeyID: q.cred.AccessKeyID, Path: "/"}
	} else {
		var ok bool
		if p, ok = h.cfg.Principal(q.cred.AccessKeyID); !ok {
			return errInvalidAccessKeyID(q)
		}
	}
	ctx, now := q.r.Context(), h.cfg.Now()
	auth.RecordCaller(ctx, p, q.cred.Region)
	if h.cfg.NoteUse != nil {
		h.cfg.NoteUse(q.cred.AccessKeyID, "s3", q.cred.Region, now)
	}
	q.r = q.r.WithContext(auth.WithSubject(ctx, auth.NewSubject(q.r, p, now)))
	return nil
}

// verify verifies q's SigV4 signature in whichever form it came
// (Authorization header or presigned query) and sets up q.body to verify
// the payload as the action reads it:
//
//   - x-amz-content-sha256 = hex SHA-256: the body is hashed while read and
//     a mismatch is an XAmzContentSHA256Mismatch error at EOF;
//   - UNSIGNED-PAYLOAD (and every presigned request, which S3 signs so):
//     the body is taken as it comes;
//   - the STREAMING-* values: the body is aws-chunked; chunk signatures
//     (and the trailer's) are checked by sigv4.ChunkedReader and its
//     decoded length against X-Amz-Decoded-Content-Length.
//
// A header-signed request without x-amz-content-sha256 is refused as S3
// refuses it. Every refusal is S3's code for the case (authError).
func (h *Handler) verify(q *request) error {
	r := q.r
	authz := strings.TrimSpace(strings.Join(r.Header.Values("Authorization"), ","))
	presigned := q.query.Has("X-Amz-Algorithm")
	switch {
	case authz != "" && presigned:
		return errInvalidArgument("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "+
			"Signature query string parameter or the Authorization header should be specified",
			"Authorization", authz)
	case strings.HasPrefix(authz, "AWS "), authz == "" && q.query.Has("AWSAccessKeyId"):
		// Signature Version 2 (boto3's default for presigned URLs).
		return h.authenticateV2(q, authz)
	case authz == "" && !presigned:
		return errAccessDenied()
	case presigned:
		cred, err := h.verifier.Verify(r, sigv4.UnsignedPayload)
		if err != nil {
			return err
		}
		q.cred, q.body = cred, r.Body
		return nil
	}

	sha := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case sha == "":
		return errInvalidRequest("Missing required header for this request: x-amz-content-sha256")
	case sha == sigv4.UnsignedPayload:
		cred, err := h.verifier.Verify(r, sha)
		if err != nil {
			return err
		}
		q.cred, q.body = cred, r.Body
		return nil
	case sha == sigv4.StreamingPayload || sha == sigv4.StreamingPayloadTrailer || sha == sigv4.StreamingUnsignedTrailer:
		return h.authenticateStreaming(q, sha)
	case isSHA256Hex(sha):
		cred, err := h.verifier.Verify(r, sha)
		if err != nil {
			return err
		}
		q.cred = cred
		q.body = &hashingReader{r: r.Body, h: sha256.New(), want: strings.ToLower(sha)}
		return nil
	}
	return errInvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "+
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
		"x-amz-content-sha256", sha)
}

// authenticateStreaming verifies the seed signature of an aws-chunked
// request and makes q.body its decoded, verified payload.
func (h *Handler) authenticateStreaming(q *request, mode string) error {
	r := q.r
	signed, err := h.verifier.VerifySigned(r, mode)
	if err != nil {
		return err
	}
	v := r.Header.Get("X-Amz-Decoded-Content-Length")
	if v == "" {
		return newError("MissingContentLength", http.StatusLengthRequired, "You must provide the Content-Length HTTP header.")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return errInvalidArgument("x-amz-decoded-content-length must be a non-negative integer",
			"x-amz-decoded-content-length", v)
	}
	chunked := sigv4.NewChunkedReader(r.Body, mode, signed)
	chunked.SetDecodedLength(n)
	q.cred = signed.Credential
	q.contentLength = n
	q.body = chunked
	q.trailer = chunked.Trailer
	return nil
}

// errInvalidAccessKeyID is S3's answer to a key that is unknown, deleted
// or inactive.
func errInvalidAccessKeyID(q *request) *Error {
	id := q.cred.AccessKeyID
	if id == "" {
		id = accessKeyID(q)
	}
	return newError("InvalidAccessKeyId", http.StatusForbidden,
		"The AWS Access Key Id you provided does not exist in our records.", Field{"AWSAccessKeyId", id})
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func errAccessDenied() *Error {
	return newError("AccessDenied", http.StatusForbidden, "Access Denied")
}

// hashingReader passes a body through, hashing it, and at EOF refuses it
// if the hash is not the one the client signed.
type hashingReader struct {
	r    io.Reader
	h    hash.Hash
	want string // lower-case hex
	err  error  // sticky result once EOF was seen
}

func (b *hashingReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	b.h.Write(p[:n])
	if err == io.EOF {
		got := hex.EncodeToString(b.h.Sum(nil))
		if got != b.want {
			err = newError("XAmzContentSHA256Mismatch", http.StatusBadRequest,
				"The provided 'x-amz-content-sha256' header does not match what was computed.",
				Field{"ClientComputedContentSHA256", b.want}, Field{"S3ComputedContentSHA256", got})
		}
		b.err = err
	}
	return n, err
}

// authError maps a verifier refusal to S3's code for it. The verifier's
// kinds are AWS's checks; S3 words them its own way (S3 API reference,
// ErrorResponses.html, and the answers S3 is on record giving):
//
//	missing signature        403 AccessDenied "Access Denied"
//	expired (header)         403 RequestTimeTooSkewed + RequestTime, ServerTime, MaxAllowedSkewMilliseconds
//	expired (presigned)      403 AccessDenied "Request has expired" + X-Amz-Expires, Expires, ServerTime
//	malformed (header)       400 AuthorizationHeaderMalformed, or 403 AccessDenied for a bad date
//	malformed (presigned)    400 AuthorizationQueryParametersError
//	scope                    400 AuthorizationHeaderMalformed / AuthorizationQueryParametersError + Region
//	unknown key              403 InvalidAccessKeyId + AWSAccessKeyId
//	mismatch                 403 SignatureDoesNotMatch + StringToSign, CanonicalRequest (and their bytes)
//	bad aws-chunked body     as sigv4 words it: S3's IncompleteBody, MalformedTrailerError, …
func (h *Handler) authError(q *request, se *sigv4.Error) *Error {
	presigned := q.query.Has("X-Amz-Algorithm")
	now := h.cfg.Now().UTC()
	switch se.Kind {
	case sigv4.KindMissing:
		return errAccessDenied()
	case sigv4.KindBoth:
		return errInvalidArgument("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "+
			"Signature query string parameter or the Authorization header should be specified",
			"Authorization", q.r.Header.Get("Authorization"))
	case sigv4.KindExpired, sigv4.KindNotYetValid:
		if presigned && se.Kind == sigv4.KindExpired {
			e := newError("AccessDenied", http.StatusForbidden, "Request has expired",
				Field{"X-Amz-Expires", q.query.Get("X-Amz-Expires")})
			if t, err := time.Parse("20060102T150405Z", q.query.Get("X-Amz-Date")); err == nil {
				secs, _ := strconv.ParseInt(q.query.Get("X-Amz-Expires"), 10, 64)
				e.Fields = append(e.Fields, Field{"Expires", t.Add(time.Duration(secs) * time.Second).Format(time.RFC3339)})
			}
			e.Fields = append(e.Fields, Field{"ServerTime", now.Format(time.RFC3339)})
			return e
		}
		sent := q.query.Get("X-Amz-Date")
		if !presigned {
			if sent = q.r.Header.Get("X-Amz-Date"); sent == "" {
				sent = q.r.Header.Get("Date")
			}
		}
		return newError("RequestTimeTooSkewed", http.StatusForbidden,
			"The difference between the request time and the current time is too large.",
			Field{"RequestTime", sent}, Field{"ServerTime", now.Format(time.RFC3339)},
			Field{"MaxAllowedSkewMilliseconds", "900000"})
	case sigv4.KindIncomplete, sigv4.KindHostNotSigned:
		if presigned {
			return newError("AuthorizationQueryParametersError", http.StatusBadRequest, se.Message)
		}
		if strings.Contains(se.Message, "'X-Amz-Date' or a 'Date' header") || strings.HasPrefix(se.Message, "Date must be") {
			return newError("AccessDenied", http.StatusForbidden, "AWS authentication requires a valid Date or x-amz-date header")
		}
		return newError("AuthorizationHeaderMalformed", http.StatusBadRequest,
			"The authorization header is malformed; "+strings.TrimSpace(se.Message))
	case sigv4.KindScope:
		msg := strings.TrimSpace(se.Message)
		if presigned {
			return newError("AuthorizationQueryParametersError", http.StatusBadRequest,
				"Error parsing the X-Amz-Credential parameter; "+msg, Field{"Region", h.cfg.Region})
		}
		return newError("AuthorizationHeaderMalformed", http.StatusBadRequest,
			"The authorization header is malformed; "+msg, Field{"Region", h.cfg.Region})
	case sigv4.KindUnknownKey:
		return errInvalidAccessKeyID(q)
	case sigv4.KindMismatch:
		e := newError("SignatureDoesNotMatch", http.StatusForbidden,
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		if canonical, sts, ok := mismatchDetail(se.Message); ok {
			e.Fields = []Field{
				{"AWSAccessKeyId", accessKeyID(q)},
				{"StringToSign", sts},
				{"SignatureProvided", providedSignature(q)},
				{"StringToSignBytes", spacedHex(sts)},
				{"CanonicalRequest", canonical},
				{"CanonicalRequestBytes", spacedHex(canonical)},
			}
		}
		return e
	case sigv4.KindChunk:
		// The chunked reader's errors already carry S3's code and words.
		return newError(se.Code, se.Status, se.Message)
	}
	return newError("AccessDenied", http.StatusForbidden, "Access Denied")
}

// mismatchDetail takes the canonical request and string to sign out of
// the verifier's mismatch message, which carries them (as AWS's JSON
// services do) between fixed markers.
func mismatchDetail(msg string) (canonical, sts string, ok bool) {
	const cMark = "The Canonical String for this request should have been\n'"
	const sMark = "'\n\nThe String-to-Sign should have been\n'"
	i := strings.Index(msg, cMark)
	j := strings.Index(msg, sMark)
	if i < 0 || j < i {
		return "", "", false
	}
	canonical = msg[i+len(cMark) : j]
	sts = strings.TrimSuffix(strings.TrimSuffix(msg[j+len(sMark):], "\n"), "'")
	return canonical, sts, true
}

// accessKeyID is the access key id a request names, from whichever
// signature form it used.
func accessKeyID(q *request) string {
	cred := q.query.Get("X-Amz-Credential")
	if h := q.r.Header.Get("Authorization"); h != "" {
		if i := strings.Index(h, "Credential="); i >= 0 {
			cred = h[i+len("Credential="):]
		}
	}
	id, _, _ := strings.Cut(cred, "/")
	return id
}

func providedSignature(q *request) string {
	if h := q.r.Header.Get("Authorization"); h != "" {
		if i := strings.Index(h, "Signature="); i >= 0 {
			s := h[i+len("Signature="):]
			if j := strings.IndexAny(s, ", "); j >= 0 {
				s = s[:j]
			}
			return s
		}
	}
	return q.query.Get("X-Amz-Signature")
}

// spacedHex is S3's *Bytes form: each byte as two hex digits, space
// separated.
func spacedHex(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex.EncodeToString([]byte{s[i]}))
	}
	return b.String()
}
