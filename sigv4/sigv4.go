// Package sigv4 verifies AWS Signature Version 4 on incoming requests: the
// Authorization-header form every SDK uses and the presigned query-string
// form (X-Amz-Algorithm, X-Amz-Credential, … X-Amz-Signature) that S3
// presigned URLs use. It knows nothing of keys beyond a lookup function and
// nothing of services beyond the credential scope.
//
// It also decodes S3's aws-chunked request bodies (streaming.go): the
// signed chunk form, where every chunk signature chains from the request's
// seed signature (VerifySigned gives that context), its variant with signed
// trailing headers, and the unsigned form with x-amz-checksum-* trailers.
//
// Request errors carry the code, HTTP status and message AWS's JSON
// services (Kinesis) answer, checked in the order AWS checks them; body
// errors carry S3's. The evidence is next to each message in errors.go.
// Parsing is pure and allocation-light; signing keys are cached per
// (secret, date, region, service).
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Algorithm is the only signing algorithm supported.
const Algorithm = "AWS4-HMAC-SHA256"

// Payload hash values a caller may pass instead of a body hash.
const (
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// EmptyPayloadHash is the hex SHA-256 of an empty body.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// timeFormat is ISO 8601 basic format, the form of X-Amz-Date.
const timeFormat = "20060102T150405Z"

// maxPresignExpires is SigV4's limit on X-Amz-Expires: one week.
const maxPresignExpires = 7 * 24 * 60 * 60

// Credential is the scope a request was signed for.
type Credential struct {
	AccessKeyID string
	Date        string // YYYYMMDD of the scope
	Region      string
	Service     string
}

// Verifier checks request signatures. The zero value of each optional field
// is its default. A Verifier is safe for concurrent use once set up.
type Verifier struct {
	// Secret returns the secret access key of an access key id.
	Secret func(accessKeyID string) (secret string, ok bool)
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// MaxSkew is how far X-Amz-Date may be from Now (default 15 min, as
	// AWS).
	MaxSkew time.Duration
	// Service, when set, is the only service a credential scope may name
	// ("kinesis"); otherwise the caller checks Credential.Service.
	Service string
	// DisableURIPathEscaping uses the request path as sent in the
	// canonical request instead of escaping it a second time. S3 signs
	// that way; every other service double-escapes (the AWS SDKs'
	// DisableURIPathEscaping option).
	DisableURIPathEscaping bool

	keys keyCache
}

// Verify checks the SigV4 signature of r and returns the credential scope it
// was signed with. payloadHash is the lower-case hex SHA-256 of the body the
// caller has read, or the literal the caller decided to accept (e.g.
// UnsignedPayload). The error is always an *Error.
func (v *Verifier) Verify(r *http.Request, payloadHash string) (Credential, error) {
	return v.verifyRequest(r, payloadHash, nil)
}

// verifyRequest picks the form (header or query string) and verifies it;
// out, when not nil, receives the signing context (see verify).
func (v *Verifier) verifyRequest(r *http.Request, payloadHash string, out *Signed) (Credential, error) {
	// An empty Authorization header counts as none, as on AWS (kinesalite
	// treats it so).
	hasHeader := strings.TrimSpace(strings.Join(r.Header.Values("Authorization"), "")) != ""
	query := r.URL.Query()
	hasQuery := query.Has("X-Amz-Algorithm")
	switch {
	case hasHeader && hasQuery:
		return Credential{}, errBothAuth()
	case hasHeader:
		return v.verifyHeader(r, payloadHash, out)
	case hasQuery:
		return v.verifyQuery(r, query, payloadHash, out)
	}
	return Credential{}, errMissingToken()
}

// signedRequest is what both forms extract before the common checks.
type signedRequest struct {
	algorithm     string
	credential    string // raw, e.g. AK/20240101/us-east-1/kinesis/aws4_request
	signedHeaders string // raw, ';'-separated
	signature     string
	amzDate       string // as sent
	date          time.Time
	presigned     bool
	expires       int64 // seconds; presigned only, -1 when absent
}

func (v *Verifier) verifyHeader(r *http.Request, payloadHash string, out *Signed) (Credential, error) {
	h := strings.Join(r.Header.Values("Authorization"), ",")
	p, missing, err := parseParams(h)
	if err != nil {
		return Credential{}, err
	}
	dateStr := r.Header.Get("X-Amz-Date")
	if dateStr == "" {
		dateStr = r.Header.Get("Date")
	}
	if len(missing) > 0 || dateStr == "" {
		return Credential{}, errIncompleteHeader(missing, dateStr == "", h)
	}
	date, amzDate, ok := parseDate(dateStr)
	if !ok {
		return Credential{}, errDateFormat(dateStr)
	}
	sr := signedRequest{
		algorithm: p.algorithm, credential: p.credential, signedHeaders: p.signedHeaders,
		signature: p.signature, amzDate: amzDate, date: date, expires: -1,
	}
	return v.verify(r, &sr, payloadHash, out)
}

func (v *Verifier) verifyQuery(r *http.Request, q url.Values, payloadHash string, out *Signed) (Credential, error) {
	var missing []string
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return Credential{}, errIncompleteQuery(missing)
	}
	dateStr := q.Get("X-Amz-Date")
	date, ok := parseISO(dateStr)
	if !ok {
		return Credential{}, errDateFormat(dateStr)
	}
	expires := int64(-1)
	if q.Has("X-Amz-Expires") {
		e, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
		switch {
		case err != nil:
			return Credential{}, errExpiresNotNumber()
		case e < 0:
			return Credential{}, errExpiresNegative()
		case e > maxPresignExpires:
			return Credential{}, errExpiresTooLong()
		}
		expires = e
	}
	sr := signedRequest{
		algorithm: q.Get("X-Amz-Algorithm"), credential: q.Get("X-Amz-Credential"),
		signedHeaders: q.Get("X-Amz-SignedHeaders"), signature: q.Get("X-Amz-Signature"),
		amzDate: dateStr, date: date, presigned: true, expires: expires,
	}
	return v.verify(r, &sr, payloadHash, out)
}

// verify runs the checks common to both forms, in AWS's order: time window,
// Host signed, algorithm, credential shape, credential scope, key, signature.
// When out is not nil and the signature matches, it also fills in the
// signing context a streaming body chains from (VerifySigned); Verify
// passes nil and pays nothing for it.
func (v *Verifier) verify(r *http.Request, sr *signedRequest, payloadHash string, out *Signed) (Credential, error) {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = 15 * time.Minute
	}
	t := now().UTC()
	if sr.presigned && sr.expires >= 0 {
		if t.After(sr.date.Add(time.Duration(sr.expires) * time.Second)) {
			return Credential{}, errPresignExpired(sr.date, sr.expires, t)
		}
		if sr.date.After(t.Add(skew)) {
			return Credential{}, errNotYetCurrent(sr.date, t, skew)
		}
	} else {
		if sr.date.Before(t.Add(-skew)) {
			return Credential{}, errExpired(sr.date, t, skew)
		}
		if sr.date.After(t.Add(skew)) {
			return Credential{}, errNotYetCurrent(sr.date, t, skew)
		}
	}

	signed, ok := splitSignedHeaders(sr.signedHeaders)
	if !ok || !containsHost(signed) {
		return Credential{}, errHostNotSigned()
	}
	if sr.algorithm != Algorithm {
		return Credential{}, errAlgorithm(sr.algorithm)
	}
	cred, term, err := parseCredential(sr.credential)
	if err != nil {
		return Credential{}, err
	}
	if msg := v.scopeProblems(cred, term, sr.amzDate); msg != "" {
		return Credential{}, errScope(msg)
	}
	secret, ok := v.Secret(cred.AccessKeyID)
	if !ok {
		return Credential{}, errUnknownKey()
	}

	canonical := canonicalRequest(r, signed, sr.signedHeaders, payloadHash, sr.presigned, v.DisableURIPathEscaping)
	sum := sha256.Sum256(canonical)
	scope := sr.credential[len(cred.AccessKeyID)+1:]
	scope = strings.TrimRight(scope, "/")
	sts := make([]byte, 0, len(Algorithm)+len(sr.amzDate)+len(scope)+67)
	sts = append(sts, Algorithm...)
	sts = append(sts, '\n')
	sts = append(sts, sr.amzDate...)
	sts = append(sts, '\n')
	sts = append(sts, scope...)
	sts = append(sts, '\n')
	sts = hex.AppendEncode(sts, sum[:])

	key := v.keys.get(secret, cred)
	mac := hmac.New(sha256.New, key[:])
	mac.Write(sts)
	var want [64]byte
	hex.Encode(want[:], mac.Sum(nil))
	if !hmac.Equal(want[:], []byte(sr.signature)) {
		return Credential{}, errMismatch(canonical, sts)
	}
	if out != nil {
		*out = Signed{Credential: cred, Signature: sr.signature, AmzDate: sr.amzDate, Scope: scope, key: key}
	}
	return cred, nil
}

// scopeProblems lists what is wrong with a well-formed credential scope, in
// AWS's words, concatenated as AWS concatenates them.
func (v *Verifier) scopeProblems(c Credential, terminator, amzDate string) string {
	var b strings.Builder
	if !validRegion(c.Region) {
		fmt.Fprintf(&b, "Credential should be scoped to a valid region, not '%s'. ", c.Region)
	}
	if v.Service != "" && c.Service != v.Service {
		fmt.Fprintf(&b, "Credential should be scoped to correct service: '%s'. ", v.Service)
	}
	if terminator != "aws4_request" {
		fmt.Fprintf(&b, "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", terminator)
	}
	if c.Date != amzDate[:8] {
		fmt.Fprintf(&b, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			c.Date, amzDate[:8], amzDate)
	}
	return b.String()
}

// validRegion accepts any region name shaped like one (caudal serves every
// region; resources are scoped by it): lower-case letters, digits, dashes.
func validRegion(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// parseDate reads X-Amz-Date (ISO 8601 basic) or a Date header (ISO 8601
// basic or an HTTP date) and returns the time and its ISO basic form, which
// is what the string to sign carries.
func parseDate(s string) (time.Time, string, bool) {
	if t, ok := parseISO(s); ok {
		return t, s, true
	}
	if t, err := http.ParseTime(s); err == nil {
		t = t.UTC()
		return t, t.Format(timeFormat), true
	}
	return time.Time{}, "", false
}

func parseISO(s string) (time.Time, bool) {
	if len(s) != len(timeFormat) {
		return time.Time{}, false
	}
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// keyCache holds derived signing keys. Deriving costs four HMACs; a busy
// client reuses the same (secret, day, region, service) for every request.
type keyCache struct {
	mu   sync.Mutex
	keys map[string][32]byte // guarded by mu
}

const maxCachedKeys = 1024

func (c *keyCache) get(secret string, cred Credential) [32]byte {
	id := secret + "\x00" + cred.Date + "\x00" + cred.Region + "\x00" + cred.Service
	c.mu.Lock()
	k, ok := c.keys[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = deriveKey(secret, cred.Date, cred.Region, cred.Service)
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxCachedKeys {
		c.keys = make(map[string][32]byte)
	}
	c.keys[id] = k
	c.mu.Unlock()
	return k
}

// deriveKey is SigV4's signing key: HMAC chain over date, region, service
// and the terminator, starting from "AWS4"+secret.
func deriveKey(secret, date, region, service string) [32]byte {
	k := hmacSum([]byte("AWS4"+secret), date)
	k = hmacSum(k[:], region)
	k = hmacSum(k[:], service)
	return hmacSum(k[:], "aws4_request")
}

func hmacSum(key []byte, data string) [32]byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	var out [32]byte
	m.Sum(out[:0])
	return out
}
