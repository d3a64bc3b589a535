package athena

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/protocol"
)

// Athena's error codes, as the model names them.
const (
	codeInvalidRequest = "InvalidRequestException"
	codeInternalServer = "InternalServerException"
	codeMetadata       = "MetadataException"
	codeTooManyRequest = "TooManyRequestsException"
)

// AthenaErrorCode values Athena puts in InvalidRequestException.
const (
	athenaInvalidInput = "INVALID_INPUT"
)

// invalidRequest is an InvalidRequestException with AthenaErrorCode
// INVALID_INPUT, the shape of every Athena refusal of a request.
func invalidRequest(format string, args ...any) *protocol.Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &protocol.Error{Code: codeInvalidRequest, Status: http.StatusBadRequest, Message: msg,
		Fields: map[string]string{"AthenaErrorCode": athenaInvalidInput}}
}

func metadataError(msg string) *protocol.Error {
	return &protocol.Error{Code: codeMetadata, Status: http.StatusBadRequest, Message: msg}
}

const internalMessage = "Internal service failure."

// wireError turns an engine error into the AWS error the client sees; it
// is the one place engine errors become wire errors. Refusals keep the
// engine's wording (execution.Error and catalog.Error word them as AWS
// does); anything else is logged with the request ID and answered as
// InternalServerException without detail.
func (s *service) wireError(c *protocol.Call, err error) error {
	if err == nil {
		return nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	var ee *execution.Error
	if errors.As(err, &ee) {
		if errors.Is(err, execution.ErrTooManyRequests) {
			return &protocol.Error{Code: codeTooManyRequest, Status: http.StatusBadRequest, Message: ee.Message,
				Fields: map[string]string{"Reason": "CONCURRENT_QUERY_LIMIT_EXCEEDED"}}
		}
		return invalidRequest("%s", ee.Message)
	}
	var ce *catalog.Error
	if errors.As(err, &ce) && !errors.Is(err, catalog.ErrInternal) {
		if errors.Is(err, catalog.ErrInvalidInput) {
			return invalidRequest("%s", ce.Message)
		}
		return metadataError(ce.Message)
	}
	slog.Default().Error("athena: internal failure", "operation", c.Operation, "requestId", c.RequestID, "err", err)
	return &protocol.Error{Code: codeInternalServer, Status: http.StatusInternalServerError, Message: internalMessage}
}
