package iam

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"github.com/caudal/caudal/audit"
	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/sigv4"
)

// Error is an IAM error answer. Codes and statuses are the error shapes of
// botocore's iam/2010-05-08 model (NoSuchEntity 404, EntityAlreadyExists,
// LimitExceeded and DeleteConflict 409, MalformedPolicyDocument and
// InvalidInput 400, ServiceFailure 500) and the query protocol's common
// errors (ValidationError 400, AccessDenied 403, InvalidClientTokenId 403).
type Error struct {
	Code    string
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

var errInvalidClientTokenID = &Error{Code: "InvalidClientTokenId", Status: http.StatusForbidden,
	Message: "The security token included in the request is invalid."}

func errValidation(msg string) *Error {
	return &Error{Code: "ValidationError", Status: http.StatusBadRequest, Message: msg}
}

// authError words a signature refusal as the query-protocol services do:
// the JSON services' "…Exception" codes lose the suffix, and refusals of a
// signature that was present are 403 SignatureDoesNotMatch.
func authError(se *sigv4.Error) *Error {
	switch se.Kind {
	case sigv4.KindMissing:
		return &Error{Code: "MissingAuthenticationToken", Status: http.StatusForbidden, Message: se.Message}
	case sigv4.KindIncomplete, sigv4.KindBoth:
		return &Error{Code: "IncompleteSignature", Status: http.StatusBadRequest, Message: se.Message}
	case sigv4.KindUnknownKey:
		return errInvalidClientTokenID
	}
	return &Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden, Message: se.Message}
}

// toError maps any error an action returned to its IAM answer; an error it
// does not know is a ServiceFailure (and logged).
func (h *Handler) toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var de *auth.DeniedError
	if errors.As(err, &de) {
		return &Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: de.Error()}
	}
	var ae *auth.Error
	if errors.As(err, &ae) {
		kinds := []struct {
			kind   error
			code   string
			status int
		}{
			{auth.ErrNoSuchEntity, "NoSuchEntity", http.StatusNotFound},
			{auth.ErrEntityExists, "EntityAlreadyExists", http.StatusConflict},
			{auth.ErrLimitExceeded, "LimitExceeded", http.StatusConflict},
			{auth.ErrDeleteConflict, "DeleteConflict", http.StatusConflict},
			{auth.ErrMalformedPolicy, "MalformedPolicyDocument", http.StatusBadRequest},
			{auth.ErrInvalidInput, "InvalidInput", http.StatusBadRequest},
		}
		for _, k := range kinds {
			if errors.Is(ae.Kind, k.kind) {
				return &Error{Code: k.code, Status: k.status, Message: ae.Message}
			}
		}
	}
	fmt.Fprintf(h.cfg.Log, "caudal: iam: internal error: %v\n", err)
	return &Error{Code: "ServiceFailure", Status: http.StatusInternalServerError,
		Message: "The request processing has failed because of an unknown error, exception or failure."}
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, id string, err error) {
	e := h.toError(err)
	if ev, ok := audit.EventFrom(r.Context()); ok {
		ev.SetError(e.Code, e.Message)
	}
	var resp errorResponse
	resp.Xmlns = Namespace
	resp.Error.Type = "Sender"
	if e.Status >= 500 {
		resp.Error.Type = "Receiver"
	}
	resp.Error.Code, resp.Error.Message, resp.RequestID = e.Code, e.Message, id
	out, _ := xml.Marshal(resp)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	w.Write([]byte(xml.Header))
	w.Write(out)
}
