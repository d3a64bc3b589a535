package glue

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

// AWS error codes of Glue, as the model names them. Glue answers all of
// them with HTTP 400, except InternalServiceException (500).
const (
	codeEntityNotFound  = "EntityNotFoundException"
	codeAlreadyExists   = "AlreadyExistsException"
	codeInvalidInput    = "InvalidInputException"
	codeValidation      = "ValidationException"
	codeInternalService = "InternalServiceException"
)

// engineCodes maps each catalog sentinel to its Glue error code. It is the
// one place catalog errors become wire errors.
var engineCodes = []struct {
	kind error
	code string
}{
	{catalog.ErrDatabaseNotFound, codeEntityNotFound},
	{catalog.ErrTableNotFound, codeEntityNotFound},
	{catalog.ErrPartitionNotFound, codeEntityNotFound},
	{catalog.ErrAlreadyExists, codeAlreadyExists},
	{catalog.ErrInvalidInput, codeInvalidInput},
}

const internalMessage = "Internal service exception."

// errorCode returns the Glue code and message of a catalog error, logging
// internal failures (whose causes name files) with the request ID.
func (s *service) errorCode(c *protocol.Call, err error) (code, msg string) {
	var ce *catalog.Error
	if errors.As(err, &ce) {
		msg = ce.Message
	} else {
		msg = err.Error()
	}
	for _, m := range engineCodes {
		if errors.Is(err, m.kind) {
			return m.code, msg
		}
	}
	slog.Default().Error("glue: catalog failure", "operation", c.Operation, "requestId", c.RequestID, "err", err)
	return codeInternalService, internalMessage
}

// wireError turns a catalog error into the AWS error the client sees.
func (s *service) wireError(c *protocol.Call, err error) error {
	if err == nil {
		return nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	code, msg := s.errorCode(c, err)
	status := http.StatusBadRequest
	if code == codeInternalService {
		status = http.StatusInternalServerError
	}
	return &protocol.Error{Code: code, Status: status, Message: msg}
}

// errorDetail is a batch entry's error (the model's ErrorDetail).
func (s *service) errorDetail(c *protocol.Call, err error) *errorDetail {
	code, msg := s.errorCode(c, err)
	return &errorDetail{ErrorCode: code, ErrorMessage: msg}
}

func newError(code, format string, args ...any) *protocol.Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &protocol.Error{Code: code, Status: http.StatusBadRequest, Message: msg}
}

func invalidInput(format string, args ...any) *protocol.Error {
	return newError(codeInvalidInput, format, args...)
}

// checkCatalog refuses a CatalogId other than the account's: caudal has
// one catalog per server.
func (s *service) checkCatalog(id *string) error {
	if id == nil || *id == s.accountID {
		return nil
	}
	return newError(codeEntityNotFound, "Catalog %s not found.", *id)
}
