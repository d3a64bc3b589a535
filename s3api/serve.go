package s3api

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/caudal/caudal/audit"
	"github.com/caudal/caudal/lake"
)

// ServeHTTP answers one S3 REST request: it names the request (request id
// headers on every answer, errors included), finds the bucket and key
// (path-style or virtual-host-style), authenticates it, routes it to its
// action and writes the action's error, if any, as S3's XML <Error>.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rw := &responseWriter{ResponseWriter: w}
	q := &request{
		r: r, w: rw, rw: rw, id: newRequestID(),
		query:         r.URL.Query(),
		contentLength: r.ContentLength,
		trailer:       noTrailer,
	}
	hdr := w.Header()
	hdr.Set("X-Amz-Request-Id", q.id)
	hdr.Set("X-Amz-Id-2", newHostID())
	if err := h.serve(q); err != nil {
		h.writeError(q, h.toError(q, err))
	}
}

func (h *Handler) serve(q *request) error {
	bucket, key, err := h.target(q.r)
	if err != nil {
		return err
	}
	q.bucket, q.key = bucket, key
	// Named before authentication so the audit trail says what a refused
	// call asked for.
	op := route(q.r.Method, bucket != "", key != "", q.query.Has, q.r.Header)
	if ev, ok := audit.EventFrom(q.r.Context()); ok {
		ev.SetOperation(audit.SourceS3, audit.S3OperationName(op))
	}
	if err := h.authenticate(q); err != nil {
		return err
	}
	if op == "" {
		return errMethodNotAllowed(q)
	}
	if reservedBucket(bucket) && q.r.Method != http.MethodGet && q.r.Method != http.MethodHead {
		return errReservedBucket()
	}
	q.op = op
	if len(key) > lake.MaxKeyBytes {
		return errKeyTooLong(len(key))
	}
	act, ok := actions[op]
	if !ok {
		return notImplemented(h, q)
	}
	if err := h.authorize(q); err != nil {
		return err
	}
	return act(h, q)
}

// reservedBucket reports whether bucket is one the server writes and
// nobody else may: the audit trail's (audit.BucketName). Reads stay
// allowed to whoever may read buckets; every write (PUT, POST, DELETE:
// objects, uploads, copies into, bucket configuration, deleting the
// bucket) is refused even to the root key. The whole "caudal-audit-"
// prefix is reserved, so no user can create a look-alike either.
func reservedBucket(bucket string) bool {
	return strings.HasPrefix(bucket, audit.BucketPrefix)
}

func errReservedBucket() *Error {
	return newError("AccessDenied", http.StatusForbidden, "Access Denied: the audit trail's bucket is written by caudal only")
}

// target returns the bucket and the decoded key r addresses. The key is
// taken from the path exactly as the client sent it (the request line, as
// the signature covers it) and percent-decoded once, so a key may hold
// '/', "//", a leading '/', '%', '+' (literal: a path is not a form) and
// any UTF-8. A Host "<bucket>.<suffix>" names the bucket (virtual-host
// style) for every suffix in Config.HostSuffixes; any other Host,
// including IP addresses and the bare suffixes, is path-style: the first
// path segment is the bucket.
func (h *Handler) target(r *http.Request) (bucket, key string, err error) {
	raw := rawPath(r)
	if !strings.HasPrefix(raw, "/") {
		return "", "", errInvalidURI(raw)
	}
	raw = raw[1:]
	if b := h.hostBucket(r.Host); b != "" {
		key, err := url.PathUnescape(raw)
		if err != nil {
			return "", "", errInvalidURI("/" + raw)
		}
		return b, key, nil
	}
	b, k, _ := strings.Cut(raw, "/")
	if bucket, err = url.PathUnescape(b); err != nil {
		return "", "", errInvalidURI("/" + raw)
	}
	if key, err = url.PathUnescape(k); err != nil {
		return "", "", errInvalidURI("/" + raw)
	}
	if bucket == "" && key != "" {
		// "//key": no bucket names the empty string.
		return "", "", errInvalidURI("/" + raw)
	}
	return bucket, key, nil
}

// rawPath is the request path as sent, still percent-encoded: the request
// line's path when it has one (origin form), else the URL's escaped path
// (absolute-form requests, requests built in process).
func rawPath(r *http.Request) string {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if r.URL.Path == "" && r.URL.RawPath == "" {
		if r.URL.Opaque != "" {
			return r.URL.Opaque
		}
		return "/"
	}
	return r.URL.EscapedPath()
}

// hostBucket returns the bucket a virtual-host-style Host names, or "".
func (h *Handler) hostBucket(host string) string {
	if strings.HasPrefix(host, "[") { // IPv6 literal, path-style
		return ""
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" || net.ParseIP(host) != nil {
		return ""
	}
	// The longest matching suffix wins: with "localhost" and
	// "s3.localhost" both listed, b.s3.localhost names bucket b.
	bucket := ""
	for _, suffix := range h.cfg.HostSuffixes {
		suffix = strings.ToLower(suffix)
		if host == suffix {
			return "" // the endpoint itself: path-style
		}
		if len(host) > len(suffix)+1 && strings.HasSuffix(host, suffix) && host[len(host)-len(suffix)-1] == '.' {
			if b := host[:len(host)-len(suffix)-1]; bucket == "" || len(b) < len(bucket) {
				bucket = b
			}
		}
	}
	return bucket
}

func errInvalidURI(uri string) *Error {
	return newError("InvalidURI", http.StatusBadRequest, "Couldn't parse the specified URI.", Field{"URI", uri})
}

func errMethodNotAllowed(q *request) *Error {
	kind := "OBJECT"
	switch {
	case q.bucket == "":
		kind = "SERVICE"
	case q.key == "":
		kind = "BUCKET"
	}
	return newError("MethodNotAllowed", http.StatusMethodNotAllowed,
		"The specified method is not allowed against this resource.",
		Field{"Method", q.r.Method}, Field{"ResourceType", kind})
}

// newRequestID is an x-amz-request-id: 16 upper-case hex digits, as S3's.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// newHostID is an x-amz-id-2: an opaque base64 token, as S3's.
func newHostID() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

func noTrailer() http.Header { return nil }

// responseWriter remembers whether the answer has started, so an error
// after the first byte is not written into the middle of a body.
type responseWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *responseWriter) WriteHeader(status int) {
	if status >= 200 {
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps net/http's sendfile path for io.Copy(w, file).
func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	w.wrote = true
	return io.Copy(w.ResponseWriter, r)
}

// Unwrap lets http.ResponseController reach the connection (Flush,
// deadlines).
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
