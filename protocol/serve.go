package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/caudal/caudal/audit"
	"github.com/caudal/caudal/auth"
)

// Answers AWS's JSON front end gives before it knows the operation, as
// kinesalite's connection tests recorded them against Kinesis. They are XML
// because the front end has not yet chosen a protocol; status 403.
const (
	xmlAccessDenied = "<AccessDeniedException>\n" +
		"  <Message>Unable to determine service/operation name to be authorized</Message>\n" +
		"</AccessDeniedException>\n"
	xmlMissingToken = "<MissingAuthenticationTokenException>\n" +
		"  <Message>Missing Authentication Token</Message>\n" +
		"</MissingAuthenticationTokenException>\n"
	xmlUnknownOperation = "<UnknownOperationException/>\n"
)

// internalFailure is what a client sees of an error we did not mean to
// show: the code and wording of AWS's common-errors list for JSON services
// (InternalFailure, 500), which leaks nothing. The detail goes to
// Service.Log with the request ID.
var internalFailure = &Error{
	Code:    "InternalFailure",
	Status:  http.StatusInternalServerError,
	Message: "The request processing has failed because of an unknown error, exception or failure.",
}

// ServeHTTP reads the body (bounded), picks the codec from Content-Type,
// finds the operation in X-Amz-Target, takes the Caller from the request
// context, runs the handler and writes its answer or error with
// x-amzn-RequestId.
//
// Call.Body is only valid until the handler returns: the buffer is reused.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := NewRequestID()
	h := w.Header()
	h.Set("x-amzn-RequestId", reqID)
	h.Set("x-amz-id-2", newID2())

	if r.Method != http.MethodPost {
		if hasAuth(r) {
			writeRaw(w, http.StatusForbidden, "", xmlAccessDenied)
		} else {
			writeRaw(w, http.StatusForbidden, "", xmlMissingToken)
		}
		return
	}
	reqType := r.Header.Get("Content-Type")
	codec, ok := CodecOf(reqType)
	target := r.Header.Get("X-Amz-Target")
	if !ok {
		if target == "" {
			writeRaw(w, http.StatusForbidden, "", xmlAccessDenied)
		} else {
			writeRaw(w, http.StatusNotFound, "", xmlUnknownOperation)
		}
		return
	}
	ctype := answerContentType(codec, reqType)

	limit := s.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	if r.ContentLength > limit {
		writeRaw(w, http.StatusRequestEntityTooLarge, "", "")
		return
	}
	bodyBuf := getBuf()
	defer putBuf(bodyBuf)
	body, err := readBody(bodyBuf, r.Body, r.ContentLength, limit)
	if errors.Is(err, errTooLarge) {
		writeRaw(w, http.StatusRequestEntityTooLarge, "", "")
		return
	}
	if err != nil {
		// The client sent less than it announced or went away; whoever
		// is still listening gets a serialization error.
		writeError(w, codec, ctype, serializationError(""))
		return
	}

	op, handler := s.lookup(target)
	ev, audited := audit.EventFrom(r.Context())
	if audited && handler != nil {
		ev.SetOperation(s.EventSource, op)
	}
	if len(body) == 0 {
		// AWS refuses an empty body even for operations without input
		// members (SDKs always send {}), naming the operation problem
		// first if there is one.
		if handler == nil {
			writeError(w, codec, ctype, unknownOperation)
		} else {
			writeError(w, codec, ctype, serializationError(""))
		}
		return
	}
	if handler == nil {
		writeError(w, codec, ctype, unknownOperation)
		return
	}

	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.logger().Error("protocol: handler panicked", "requestId", reqID, "operation", op,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			writeError(w, codec, ctype, internalFailure)
		}
	}()

	var caller Caller
	if s.Auth != nil {
		caller, err = s.Auth(r, body)
		if err != nil {
			s.fail(w, ev, codec, ctype, reqID, op, err)
			return
		}
	} else {
		caller, _ = CallerFrom(r.Context())
	}

	call := &Call{Operation: op, Codec: codec, Body: body, Caller: caller, RequestID: reqID, transient: true}
	defer call.releaseBlobs() // after the answer is written: it may alias blobs
	ctx := r.Context()
	if caller.Subject != nil {
		ctx = auth.WithSubject(ctx, caller.Subject)
	}
	out, err := handler(ctx, call)
	if err != nil {
		s.fail(w, ev, codec, ctype, reqID, op, err)
		return
	}
	if r, ok := out.(Releaser); ok && !isNilPointer(out) {
		defer r.Release()
	}
	if a, ok := out.(JSONAppender); ok && codec == JSON && !isNilPointer(out) {
		bp := answerPool.Get().(*[]byte)
		b := a.AppendJSON((*bp)[:0])
		h.Set("Content-Type", ctype)
		h.Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		w.Write(b) //nolint:errcheck // the client went away; nothing to do
		if cap(b) <= maxPooledBuf {
			*bp = b[:0]
			answerPool.Put(bp)
		}
		return
	}
	ob := getBuf()
	defer putBuf(ob)
	if err := encode(ob, codec, out); err != nil {
		s.fail(w, ev, codec, ctype, reqID, op, fmt.Errorf("encode %s output: %w", op, err))
		return
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(ob.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(ob.Bytes()) //nolint:errcheck // the client went away; nothing to do
}

var unknownOperation = &Error{Code: "UnknownOperationException", Status: http.StatusBadRequest}

// lookup finds the handler for an X-Amz-Target of "<TargetPrefix>.<Op>".
func (s *Service) lookup(target string) (string, Handler) {
	prefix, op, ok := strings.Cut(target, ".")
	if !ok || prefix != s.TargetPrefix || op == "" {
		return "", nil
	}
	h := s.Ops[op]
	if h == nil {
		return "", nil
	}
	return op, h
}

// fail writes err, logging it first when the client will not see it, and
// records it on the call's audit event (nil when not audited).
func (s *Service) fail(w http.ResponseWriter, ev *audit.Event, codec Codec, ctype, reqID, op string, err error) {
	var e *Error
	if !errors.As(err, &e) || e == nil {
		s.logger().Error("protocol: internal failure", "requestId", reqID, "operation", op, "err", err)
		e = internalFailure
	}
	if ev != nil {
		ev.SetError(e.Code, e.Message) // the audit trail's errorCode
	}
	writeError(w, codec, ctype, err)
}

func (s *Service) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

var errTooLarge = errors.New("request body too large")

// readBody reads the whole body into buf, refusing more than limit bytes.
// With a known length it reads exactly that many bytes into one allocation.
func readBody(buf *bytes.Buffer, body io.Reader, length, limit int64) ([]byte, error) {
	if body == nil || length == 0 {
		return nil, nil
	}
	if length > 0 {
		buf.Grow(int(length))
		b := buf.AvailableBuffer()[:length]
		if _, err := io.ReadFull(body, b); err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		return b, nil
	}
	n, err := buf.ReadFrom(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if n > limit {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

// hasAuth reports whether r carries any SigV4 material.
func hasAuth(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || r.URL.Query().Has("X-Amz-Algorithm")
}

// WriteError writes err in the service error envelope of codec.
//
// An *Error (found with errors.As) is written as is; anything else as a 500
// InternalFailure with a generic message. The body is {"__type": Code,
// "message": Message} (message left out when empty, as AWS leaves it out of
// SerializationException and UnknownOperationException), in JSON or CBOR,
// and the code is repeated in x-amzn-ErrorType.
func WriteError(w http.ResponseWriter, codec Codec, requestID string, err error) {
	if requestID != "" {
		w.Header().Set("x-amzn-RequestId", requestID)
	}
	ctype := ContentTypeJSON11
	if codec == CBOR {
		ctype = ContentTypeCBOR11
	}
	writeError(w, codec, ctype, err)
}

// errorBody is the wire shape of an error in both codecs.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
}

func writeError(w http.ResponseWriter, codec Codec, ctype string, err error) {
	var e *Error
	if !errors.As(err, &e) || e == nil {
		e = internalFailure
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if e.Code == "" {
		// A code-less error is a front-end answer (the bare 413 of an
		// oversized body): AWS sends it with no body at all.
		writeRaw(w, status, "", "")
		return
	}
	buf := getBuf()
	defer putBuf(buf)
	var body any = errorBody{Type: e.Code, Message: e.Message}
	if len(e.Fields) > 0 {
		m := make(map[string]string, len(e.Fields)+2)
		for k, v := range e.Fields {
			m[k] = v
		}
		m["__type"] = e.Code
		if e.Message != "" {
			m["message"] = e.Message
		}
		body = m
	}
	if err := encode(buf, codec, body); err != nil {
		// Two strings always encode; keep the answer well-formed anyway.
		buf.Reset()
		buf.WriteString(`{"__type":"InternalFailure"}`)
	}
	h := w.Header()
	h.Set("x-amzn-ErrorType", e.Code)
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away; nothing to do
}

// writeRaw writes a fixed answer (the XML and empty ones of the front end).
func writeRaw(w http.ResponseWriter, status int, ctype, body string) {
	h := w.Header()
	if ctype != "" {
		h.Set("Content-Type", ctype)
	} else {
		// AWS sends these without a Content-Type; a nil value stops Go
		// from sniffing one.
		h["Content-Type"] = nil
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	io.WriteString(w, body) //nolint:errcheck // the client went away; nothing to do
}

// NewRequestID returns a fresh request ID in AWS's shape: a random (version
// 4) UUID in lower-case hex. It uses math/rand/v2's per-thread ChaCha8
// generator: unpredictable enough for an identifier and lock-free.
func NewRequestID() string {
	var b [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

// newID2 returns an x-amz-id-2 value: Kinesis sends 72 random bytes in
// base64 (kinesalite's connection tests check 72-80 decoded bytes).
func newID2() string {
	var b [72]byte
	for i := 0; i < len(b); i += 8 {
		v := rand.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return base64.StdEncoding.EncodeToString(b[:])
}
