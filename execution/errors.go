package execution

import (
	"errors"
	"fmt"
)

// Kinds of refusal. Every error the Manager returns for a bad request is an
// *Error wrapping exactly one of them (test with errors.Is); the Athena
// skin answers them all as InvalidRequestException (TooManyRequests as
// TooManyRequestsException) with Error.Message as AWS words it.
var (
	ErrNotFound            = errors.New("query execution not found")
	ErrWorkGroupNotFound   = errors.New("work group not found")
	ErrWorkGroupExists     = errors.New("work group already exists")
	ErrWorkGroupDisabled   = errors.New("work group disabled")
	ErrPrimaryWorkGroup    = errors.New("primary work group cannot be deleted")
	ErrNoOutputLocation    = errors.New("no output location")
	ErrInvalidLocation     = errors.New("invalid output location")
	ErrIdempotencyMismatch = errors.New("client request token reused with other parameters")
	ErrNotFinished         = errors.New("query has not finished")
	ErrQueryFailed         = errors.New("query did not succeed")
	ErrTooManyRequests     = errors.New("too many queued queries")
	ErrClosed              = errors.New("execution: manager closed")
)

// Error is a refused request, with AWS's wording in Message.
type Error struct {
	Kind    error
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is makes errors.Is(err, ErrNotFound) and the like work.
func (e *Error) Is(target error) bool { return target == e.Kind }

func newError(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

func notFound(id string) error {
	return newError(ErrNotFound, "QueryExecution %s was not found", id)
}

func workGroupNotFound(name string) error {
	return newError(ErrWorkGroupNotFound, "WorkGroup %s is not found.", name)
}
