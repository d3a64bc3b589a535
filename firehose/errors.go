package firehose

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/protocol"
)

// Firehose's error codes. All are HTTP 400 except ServiceUnavailable (500).
const (
	codeResourceNotFound       = "ResourceNotFoundException"
	codeResourceInUse          = "ResourceInUseException"
	codeInvalidArgument        = "InvalidArgumentException"
	codeConcurrentModification = "ConcurrentModificationException"
	codeLimitExceeded          = "LimitExceededException"
	codeServiceUnavailable     = "ServiceUnavailableException"
	codeValidation             = "ValidationException"
	codeAccessDenied           = "AccessDeniedException"
)

// engineCodes maps each delivery sentinel to its Firehose code: the one
// place engine errors become wire errors.
var engineCodes = []struct {
	kind error
	code string
}{
	{delivery.ErrNotFound, codeResourceNotFound},
	{delivery.ErrInUse, codeResourceInUse},
	{delivery.ErrInvalidArgument, codeInvalidArgument},
	{delivery.ErrConcurrentModification, codeConcurrentModification},
	{delivery.ErrLimitExceeded, codeLimitExceeded},
}

func errorCode(c *protocol.Call, err error) (code, msg string) {
	var de *delivery.Error
	if errors.As(err, &de) {
		msg = de.Message
	}
	for _, m := range engineCodes {
		if errors.Is(err, m.kind) {
			return m.code, msg
		}
	}
	slog.Default().Error("firehose: delivery engine failure", "operation", c.Operation, "requestId", c.RequestID, "err", err)
	return codeServiceUnavailable, "Service unavailable. Please retry."
}

// wireError turns an engine error into the AWS error the client sees.
func wireError(c *protocol.Call, err error) error {
	if err == nil {
		return nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	code, msg := errorCode(c, err)
	status := http.StatusBadRequest
	if code == codeServiceUnavailable {
		status = http.StatusServiceUnavailable
	}
	return &protocol.Error{Code: code, Status: status, Message: msg}
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

// authorize asks whether the caller may perform firehose:<Operation> on
// resource, mapping auth's refusal to AccessDeniedException.
func authorize(ctx context.Context, c *protocol.Call, resource string) error {
	err := auth.Check(ctx, "firehose:"+c.Operation, resource, nil)
	var d *auth.DeniedError
	if errors.As(err, &d) {
		return &protocol.Error{Code: codeAccessDenied, Status: http.StatusBadRequest, Message: d.Error()}
	}
	return err
}

// resolve authorizes a call on the delivery stream name in region.
func (s *service) resolve(ctx context.Context, c *protocol.Call, name string) (string, error) {
	reg := region(c)
	if err := authorize(ctx, c, s.e.ARN(reg, name)); err != nil {
		return "", err
	}
	return reg, nil
}
