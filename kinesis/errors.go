package kinesis

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

// AWS error codes of Kinesis Data Streams, as the model names them.
const (
	codeResourceNotFound      = "ResourceNotFoundException"
	codeResourceInUse         = "ResourceInUseException"
	codeInvalidArgument       = "InvalidArgumentException"
	codeValidation            = "ValidationException"
	codeLimitExceeded         = "LimitExceededException"
	codeExpiredIterator       = "ExpiredIteratorException"
	codeExpiredNextToken      = "ExpiredNextTokenException"
	codeThroughputExceeded    = "ProvisionedThroughputExceededException"
	codeInternalFailure       = "InternalFailureException"
	codeAccessDenied          = "AccessDeniedException"
	codePerRecordInternalFail = "InternalFailure" // PutRecords' per-record ErrorCode
)

// engineCodes maps each engine sentinel to its AWS error code and status.
// It is the one place engine errors become wire errors.
var engineCodes = []struct {
	kind   error
	code   string
	status int
}{
	{stream.ErrStreamNotFound, codeResourceNotFound, http.StatusBadRequest},
	{stream.ErrResourceInUse, codeResourceInUse, http.StatusBadRequest},
	{stream.ErrInvalidArgument, codeInvalidArgument, http.StatusBadRequest},
	{stream.ErrValidation, codeValidation, http.StatusBadRequest},
	{stream.ErrLimitExceeded, codeLimitExceeded, http.StatusBadRequest},
	{stream.ErrExpiredIterator, codeExpiredIterator, http.StatusBadRequest},
	{stream.ErrThroughputExceeded, codeThroughputExceeded, http.StatusBadRequest},
	{stream.ErrInternal, codeInternalFailure, http.StatusInternalServerError},
}

// wireError turns an engine error into the AWS error the client sees. The
// message is the engine's (*stream.Error words it as AWS does); an error
// the engine did not classify is an internal failure whose detail stays in
// the server's log, not on the wire.
func wireError(err error) error {
	if err == nil {
		return nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	msg := err.Error()
	var se *stream.Error
	if errors.As(err, &se) {
		msg = se.Message
	}
	for _, m := range engineCodes {
		if errors.Is(err, m.kind) {
			return &protocol.Error{Code: m.code, Status: m.status, Message: msg}
		}
	}
	// Unclassified: let the protocol layer log it and answer InternalFailure.
	return fmt.Errorf("kinesis: engine: %w", err)
}

// recordErrorCode is the per-record ErrorCode of PutRecords for an engine
// error: AWS reports only throughput and internal failures per record.
func recordErrorCode(err error) (code, msg string) {
	msg = err.Error()
	var se *stream.Error
	if errors.As(err, &se) {
		msg = se.Message
	}
	if errors.Is(err, stream.ErrThroughputExceeded) {
		return codeThroughputExceeded, msg
	}
	return codePerRecordInternalFail, "Internal service failure."
}

func newError(code, format string, args ...any) *protocol.Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &protocol.Error{Code: code, Status: http.StatusBadRequest, Message: msg}
}

func invalidArgument(format string, args ...any) *protocol.Error {
	return newError(codeInvalidArgument, format, args...)
}

func resourceNotFound(format string, args ...any) *protocol.Error {
	return newError(codeResourceNotFound, format, args...)
}

// streamNotFound is AWS's wording for a stream that does not exist.
func (s *service) streamNotFound(name string) *protocol.Error {
	return resourceNotFound("Stream %s under account %s not found.", name, s.accountID)
}
