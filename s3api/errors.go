package s3api

import (
	"net/http"
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
}

// Field is one extra element of an S3 error body.
type Field struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func notImplemented(h *Handler, q *request) error {
	return &Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
		Message: "A header you provided implies functionality that is not implemented"}
}
