package sigv4

import (
	"net/http"
	"sort"
	"strings"
)

// Authorization is a parsed, well-formed SigV4 Authorization header.
type Authorization struct {
	Algorithm     string
	Credential    Credential
	SignedHeaders []string // lower-case names, in the order sent
	Signature     string
}

// authParams are the raw parameters of an Authorization header.
type authParams struct {
	algorithm     string
	credential    string
	signedHeaders string
	signature     string
}

// ParseAuthorization parses an Authorization header of the form
//
//	AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=…
//
// and checks everything that can be checked without the request: all three
// parameters present, the algorithm, the credential's five elements and
// terminator, a non-empty region and service, and signed-header names. It
// returns an *Error worded as AWS words it. Verify does the same checks
// interleaved with the date checks, in AWS's order.
func ParseAuthorization(h string) (Authorization, error) {
	p, missing, err := parseParams(h)
	if err != nil {
		return Authorization{}, err
	}
	if len(missing) > 0 {
		return Authorization{}, errIncompleteHeader(missing, false, h)
	}
	signed, ok := splitSignedHeaders(p.signedHeaders)
	if !ok || !containsHost(signed) {
		return Authorization{}, errHostNotSigned()
	}
	if p.algorithm != Algorithm {
		return Authorization{}, errAlgorithm(p.algorithm)
	}
	cred, term, err := parseCredential(p.credential)
	if err != nil {
		return Authorization{}, err
	}
	if cred.AccessKeyID == "" {
		return Authorization{}, errUnknownKey()
	}
	// Without a request there is no date to compare the scope with; check
	// only that it is a date.
	var v Verifier
	date := cred.Date
	if !validScopeDate(date) {
		date = "00000000"
	}
	msg := v.scopeProblems(cred, term, date+"T000000Z")
	if cred.Service == "" {
		msg = strings.TrimSpace(msg + " Credential should be scoped to a service, not ''.")
	}
	if msg != "" {
		return Authorization{}, errScope(msg)
	}
	names := make([]string, len(signed))
	copy(names, signed)
	return Authorization{Algorithm: p.algorithm, Credential: cred, SignedHeaders: names, Signature: p.signature}, nil
}

func validScopeDate(d string) bool {
	if len(d) != 8 {
		return false
	}
	for i := 0; i < 8; i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// parseParams splits an Authorization header into its algorithm and
// key=value parameters. As AWS does, parameters may be separated by commas,
// spaces or both, and it reports which required ones are absent (missing,
// in AWS's order) rather than failing on the first. A token without '='
// is an IncompleteSignatureException of its own.
func parseParams(h string) (authParams, []string, error) {
	var p authParams
	rest := strings.TrimLeft(h, " \t")
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		p.algorithm, rest = rest[:i], rest[i+1:]
	} else {
		p.algorithm, rest = rest, ""
	}
	for rest != "" {
		var tok string
		if i := strings.IndexAny(rest, ", \t"); i >= 0 {
			tok, rest = rest[:i], rest[i+1:]
		} else {
			tok, rest = rest, ""
		}
		if tok == "" {
			continue
		}
		k, val, ok := strings.Cut(tok, "=")
		if !ok {
			return authParams{}, nil, errNotKeyValue(tok, h)
		}
		switch k {
		case "Credential":
			p.credential = val
		case "SignedHeaders":
			p.signedHeaders = val
		case "Signature":
			p.signature = val
		}
	}
	var missing []string
	if p.credential == "" {
		missing = append(missing, "Credential")
	}
	if p.signature == "" {
		missing = append(missing, "Signature")
	}
	if p.signedHeaders == "" {
		missing = append(missing, "SignedHeaders")
	}
	return p, missing, nil
}

// parseCredential splits keyid/date/region/service/terminator; trailing
// slashes are ignored, as AWS ignores them.
func parseCredential(s string) (Credential, string, error) {
	t := strings.TrimRight(s, "/")
	parts := strings.Split(t, "/")
	if len(parts) != 5 {
		return Credential{}, "", errCredentialShape(s)
	}
	return Credential{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}, parts[4], nil
}

// splitSignedHeaders splits "host;x-amz-date" into names. Every name must
// be a non-empty lower-case token; ok is false otherwise.
func splitSignedHeaders(s string) ([]string, bool) {
	if s == "" {
		return nil, false
	}
	names := strings.Split(s, ";")
	for _, n := range names {
		if n == "" {
			return nil, false
		}
		for i := 0; i < len(n); i++ {
			c := n[i]
			if c >= 'A' && c <= 'Z' || c <= ' ' || c >= 0x7f || c == ':' || c == ',' || c == '=' {
				return nil, false
			}
		}
	}
	return names, true
}

func containsHost(names []string) bool {
	for _, n := range names {
		if n == "host" {
			return true
		}
	}
	return false
}

// canonicalRequest builds SigV4's canonical request:
//
//	Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
//
// presigned leaves X-Amz-Signature out of the query. The path is the one the
// client sent (RequestURI), escaped again unless rawPath.
func canonicalRequest(r *http.Request, signed []string, signedRaw, payloadHash string, presigned, rawPath bool) []byte {
	b := make([]byte, 0, 512)
	b = append(b, r.Method...)
	b = append(b, '\n')

	path := requestPath(r)
	if path == "" {
		path = "/"
	}
	if rawPath {
		b = append(b, path...)
	} else {
		b = appendEscaped(b, path, false)
	}
	b = append(b, '\n')

	b = appendCanonicalQuery(b, r.URL.RawQuery, presigned)
	b = append(b, '\n')

	for _, name := range signed {
		b = append(b, name...)
		b = append(b, ':')
		b = appendHeaderValue(b, r, name)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, signedRaw...)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	return b
}

// requestPath is the path exactly as the client sent it (still
// percent-encoded), falling back to the URL's escaped path for requests
// built in process.
func requestPath(r *http.Request) string {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	return r.URL.EscapedPath()
}

// appendHeaderValue appends the canonical value of a signed header: all
// values of the name, each trimmed with inner runs of spaces folded to one,
// joined by commas. Host, Content-Length and Transfer-Encoding live outside
// Header on a server request.
func appendHeaderValue(b []byte, r *http.Request, name string) []byte {
	var vals []string
	switch name {
	case "host":
		vals = []string{r.Host}
		if r.Host == "" {
			vals = []string{r.URL.Host}
		}
	default:
		vals = r.Header.Values(name)
		if len(vals) == 0 {
			switch name {
			case "content-length":
				if r.ContentLength > 0 {
					vals = []string{itoa(r.ContentLength)}
				}
			case "transfer-encoding":
				vals = []string{strings.Join(r.TransferEncoding, ",")}
			}
		}
	}
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFolded(b, v)
	}
	return b
}

func itoa(n int64) string {
	var buf [20]byte
	i := len(buf)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}

// appendFolded trims v and folds runs of spaces to one space. Only spaces
// fold: the SigV4 spec says "sequential spaces", and the Go SDK (which
// caudal's own CLI uses) leaves tabs alone.
func appendFolded(b []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			space = true
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return b
}

// appendCanonicalQuery appends the query sorted by key then value, each
// decoded and re-encoded per RFC 3986 ('+' is a space, as both Go's and
// Python's SDKs read it).
func appendCanonicalQuery(b []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return b
	}
	type kv struct{ k, v string }
	pairs := make([]kv, 0, 8)
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, kv{k: string(appendEscaped(nil, k, true)), v: string(appendEscaped(nil, v, true))})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.k...)
		b = append(b, '=')
		b = append(b, p.v...)
	}
	return b
}

// unescapeQuery decodes a query component, keeping malformed escapes as
// they are (the signature then fails instead of the parse).
func unescapeQuery(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			out = append(out, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// appendEscaped percent-encodes every byte but RFC 3986's unreserved ones
// (and '/' unless encodeSlash), upper-case hex, as SigV4 requires.
func appendEscaped(b []byte, s string, encodeSlash bool) []byte {
	const hexdig = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexdig[c>>4], hexdig[c&15])
	}
	return b
}
