package s3api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/caudal/caudal/audit"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/sigv4"
)

// Error is an S3 error answer: <Error><Code/><Message/>…</Error> with the
// HTTP status. Actions return *Error for S3-level refusals; other errors
// are mapped by toError (lake sentinels) or become 500 InternalError.
type Error struct {
	Code    string
	Status  int
	Message string
	// Fields are extra elements S3 adds for some codes (BucketName, Key,
	// Condition, ArgumentName, ArgumentValue, …), in order.
	Fields []Field
	// Resource, when set, is written as <Resource> (S3 names the resource
	// for some codes, e.g. MethodNotAllowed).
	Resource string
}

// Field is one extra element of an S3 error body.
type Field struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// newError is an *Error with optional extra fields.
func newError(code string, status int, message string, fields ...Field) *Error {
	return &Error{Code: code, Status: status, Message: message, Fields: fields}
}

func notImplemented(h *Handler, q *request) error {
	return newError("NotImplemented", http.StatusNotImplemented,
		"A header you provided implies functionality that is not implemented")
}

// Refusals shared by several actions. S3's messages, from the S3 API
// reference's error code list (ErrorResponses.html).

// errInvalidArgument is S3's InvalidArgument with the offending argument
// named, e.g. ("max-keys", "x").
func errInvalidArgument(message, name, value string) *Error {
	return newError("InvalidArgument", http.StatusBadRequest, message,
		Field{"ArgumentName", name}, Field{"ArgumentValue", value})
}

// errInvalidRequest is S3's catch-all 400 for requests it understands but
// refuses.
func errInvalidRequest(message string) *Error {
	return newError("InvalidRequest", http.StatusBadRequest, message)
}

// errMalformedXML answers a request body that is not the XML S3 expects.
func errMalformedXML() *Error {
	return newError("MalformedXML", http.StatusBadRequest,
		"The XML you provided was not well-formed or did not validate against our published schema")
}

func errIncompleteBody() *Error {
	return newError("IncompleteBody", http.StatusBadRequest,
		"You did not provide the number of bytes specified by the Content-Length HTTP header")
}

func errKeyTooLong(size int) *Error {
	return newError("KeyTooLongError", http.StatusBadRequest, "Your key is too long",
		Field{"Size", strconv.Itoa(size)}, Field{"MaxSizeAllowed", strconv.Itoa(lake.MaxKeyBytes)})
}

func errNoSuchBucket(bucket string) *Error {
	return newError("NoSuchBucket", http.StatusNotFound, "The specified bucket does not exist",
		Field{"BucketName", bucket})
}

// toError maps any error an action returned to the S3 error to answer.
// It is the one place lake sentinels and verifier errors become S3 codes.
// Errors it does not recognise are logged to Config.Log and answered as a
// bare InternalError, so no internal detail (paths, messages) leaks.
func (h *Handler) toError(q *request, err error) *Error {
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return h.authError(q, se)
	}
	switch {
	case errors.Is(err, lake.ErrBucketNotFound):
		return errNoSuchBucket(q.bucket)
	case errors.Is(err, lake.ErrObjectNotFound):
		return newError("NoSuchKey", http.StatusNotFound, "The specified key does not exist.",
			Field{"Key", q.key})
	case errors.Is(err, lake.ErrBucketExists):
		return newError("BucketAlreadyOwnedByYou", http.StatusConflict,
			"Your previous request to create the named bucket succeeded and you already own it.",
			Field{"BucketName", q.bucket})
	case errors.Is(err, lake.ErrReservedBucket):
		return errReservedBucket()
	case errors.Is(err, lake.ErrBucketNotEmpty):
		return newError("BucketNotEmpty", http.StatusConflict, "The bucket you tried to delete is not empty",
			Field{"BucketName", q.bucket})
	case errors.Is(err, lake.ErrInvalidBucketName):
		return newError("InvalidBucketName", http.StatusBadRequest, "The specified bucket is not valid.",
			Field{"BucketName", q.bucket})
	case errors.Is(err, lake.ErrInvalidKey):
		if len(q.key) > lake.MaxKeyBytes {
			return errKeyTooLong(len(q.key))
		}
		return errInvalidArgument("Invalid object key", "key", q.key)
	case errors.Is(err, lake.ErrUploadNotFound):
		return newError("NoSuchUpload", http.StatusNotFound,
			"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
			Field{"UploadId", q.query.Get("uploadId")})
	case errors.Is(err, lake.ErrInvalidPart):
		return newError("InvalidPart", http.StatusBadRequest,
			"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	case errors.Is(err, lake.ErrInvalidPartOrder):
		return newError("InvalidPartOrder", http.StatusBadRequest,
			"The list of parts was not in ascending order. Parts must be ordered by part number.")
	case errors.Is(err, lake.ErrEntityTooSmall):
		return newError("EntityTooSmall", http.StatusBadRequest,
			"Your proposed upload is smaller than the minimum allowed object size.")
	case errors.Is(err, lake.ErrInvalidPartNumber):
		return errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
			"partNumber", q.query.Get("partNumber"))
	case errors.Is(err, lake.ErrInvalidRange):
		return newError("InvalidRange", http.StatusRequestedRangeNotSatisfiable,
			"The requested range is not satisfiable")
	case errors.Is(err, lake.ErrInvalidChecksumAlgorithm):
		return errInvalidRequest("Checksum algorithm or type is not supported")
	case errors.Is(err, lake.ErrPreconditionFailed):
		cond := "If-Match"
		if q.r.Header.Get("If-None-Match") != "" {
			cond = "If-None-Match"
		}
		return newError("PreconditionFailed", http.StatusPreconditionFailed,
			"At least one of the pre-conditions you specified did not hold", Field{"Condition", cond})
	case errors.Is(err, lake.ErrClosed):
		// Shutting down after the drain timed out: try again elsewhere
		// or later.
		return newError("ServiceUnavailable", http.StatusServiceUnavailable, "Please reduce your request rate.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		// The client sent less than it announced (or hung up mid-body).
		return errIncompleteBody()
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The server's body pace cut a client that stopped sending.
		return newError("RequestTimeout", http.StatusBadRequest,
			"Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
	case errors.Is(err, context.Canceled) && q.r.Context().Err() != nil:
		// The client went away; nobody reads this answer.
		return newError("RequestTimeout", http.StatusBadRequest,
			"Your socket connection to the server was not read from or written to within the timeout period.")
	}
	fmt.Fprintf(h.cfg.Log, "s3api: %s %s request %s: internal error: %v\n", q.op, q.r.URL.Path, q.id, err)
	return newError("InternalError", http.StatusInternalServerError, "We encountered an internal error. Please try again.")
}

// errorBody is <Error> as S3 writes it: Code, Message, the code's extra
// fields, Resource when known, RequestId, HostId. S3's error body has no
// namespace.
type errorBody struct {
	Code      string
	Message   string
	Fields    []xmlField
	Resource  string `xml:",omitempty"`
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

// writeError answers e. HEAD answers carry the status and headers only, as
// S3's do. When the action already started its answer (a GET failing
// mid-body) nothing can be said any more; the connection is cut so the
// client sees a short body rather than a silently truncated object.
func (h *Handler) writeError(q *request, e *Error) {
	if q.rw.wrote {
		panic(http.ErrAbortHandler)
	}
	if ev, ok := audit.EventFrom(q.r.Context()); ok {
		ev.SetError(e.Code, e.Message) // the audit trail's errorCode
	}
	drainUnread(q)
	hdr := q.rw.Header()
	hdr.Set("Content-Type", "application/xml")
	if q.r.Method == http.MethodHead {
		q.rw.WriteHeader(e.Status)
		return
	}
	body := errorBody{Code: e.Code, Message: e.Message, Resource: e.Resource,
		RequestID: q.id, HostID: q.rw.Header().Get("X-Amz-Id-2")}
	for _, f := range e.Fields {
		body.Fields = append(body.Fields, xmlField{XMLName: xmlName(f.Name), Value: f.Value})
	}
	b, err := marshalXML("Error", "", body)
	if err != nil {
		// Unreachable: errorBody holds strings only.
		q.rw.WriteHeader(e.Status)
		return
	}
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	q.rw.WriteHeader(e.Status)
	q.rw.Write(b)
}

// maxDrainBytes bounds how much of an unread request body an error answer
// reads and discards first; a bigger remainder is cut off with the
// connection. 16 MiB covers single PUTs and upload parts of the usual
// sizes (SDK part sizes are 5–16 MiB).
const maxDrainBytes = 16 << 20

// drainUnread reads and discards what is left of the request body before
// an error answer. Some clients (the Go SDK, whose requests net/http's
// transport treats as HTTP/1.0 for "Expect: 100-continue") write the whole
// body without waiting for 100 Continue; if the server answered and closed
// with that body unread, the close resets the connection under the
// client's write and the client reports "connection reset by peer"
// instead of the S3 error. Reading the body first makes net/http send 100
// Continue to clients that wait for it, which RFC 9110 §10.1.1 allows.
// A client that trickles is cut off by the server's body pace
// (server/bodypace.go), so draining cannot hold a handler indefinitely.
func drainUnread(q *request) {
	body := q.r.Body
	if body == nil || body == http.NoBody || q.r.ContentLength > maxDrainBytes {
		return
	}
	_, _ = io.CopyN(io.Discard, body, maxDrainBytes)
}
