package kinesis

import (
	"errors"
	"fmt"
	"log/slog"
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
// message is the engine's (*stream.Error words it as AWS does), except for
// internal failures: their message names files and causes, so it is logged
// with the request ID and the client gets AWS's generic wording.
func (s *service) wireError(c *protocol.Call, err error) error {
	if err == nil {
		return nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	if errors.Is(err, stream.ErrInternal) {
		s.logInternal(c, err)
		return &protocol.Error{Code: codeInternalFailure, Status: http.StatusInternalServerError, Message: internalFailureMessage}
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
	// Unclassified: the protocol layer logs it and answers InternalFailure.
	return fmt.Errorf("kinesis: %s: engine: %w", c.Operation, err)
}

const internalFailureMessage = "Internal service failure."

// logInternal records an engine failure the client sees only as
// InternalFailure, with what is needed to find it again.
func (s *service) logInternal(c *protocol.Call, err error) {
	attrs := []any{"operation", c.Operation, "requestId", c.RequestID, "err", err}
	var se *stream.Error
	if errors.As(err, &se) && se.Err != nil {
		attrs = append(attrs, "cause", se.Err)
	}
	slog.Default().Error("kinesis: engine internal failure", attrs...)
}

// recordErrorCode is the per-record ErrorCode of PutRecords for an engine
// error: AWS reports only throughput and internal failures per record.
func (s *service) recordErrorCode(c *protocol.Call, err error) (code, msg string) {
	msg = err.Error()
	var se *stream.Error
	if errors.As(err, &se) {
		msg = se.Message
	}
	if errors.Is(err, stream.ErrThroughputExceeded) {
		return codeThroughputExceeded, msg
	}
	s.logInternal(c, err)
	return codePerRecordInternalFail, internalFailureMessage
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
