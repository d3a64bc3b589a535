package auth

import (
	"errors"
	"fmt"
)

// Kinds of identity-store refusals. Each *Error wraps one of them; the IAM
// wire skin maps them to IAM's codes (NoSuchEntity, EntityAlreadyExists,
// LimitExceeded, DeleteConflict, MalformedPolicyDocument, InvalidInput).
var (
	ErrNoSuchEntity    = errors.New("no such entity")
	ErrEntityExists    = errors.New("entity already exists")
	ErrLimitExceeded   = errors.New("limit exceeded")
	ErrDeleteConflict  = errors.New("delete conflict")
	ErrMalformedPolicy = errors.New("malformed policy document")
	ErrInvalidInput    = errors.New("invalid input")
)

// Error is a refusal of the identity store. Message is IAM's wording for
// the case, fit to be answered as is.
type Error struct {
	Kind    error // one of the Err* sentinels above
	Message string
	Err     error // the cause, when there is one (a policy parse error)
}

func (e *Error) Error() string { return e.Message }

// Unwrap lets errors.Is match both the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func errNoSuchUser(name string) error {
	return &Error{Kind: ErrNoSuchEntity, Message: fmt.Sprintf("The user with name %s cannot be found.", name)}
}

func errNoSuchKey(id string) error {
	return &Error{Kind: ErrNoSuchEntity, Message: fmt.Sprintf("The Access Key with id %s cannot be found.", id)}
}

func errNoSuchPolicy(name string) error {
	return &Error{Kind: ErrNoSuchEntity, Message: fmt.Sprintf("The user policy with name %s cannot be found.", name)}
}
