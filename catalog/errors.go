package catalog

import (
	"errors"
	"fmt"
)

// Kinds of failure. Every error a Catalog method returns wraps exactly one
// of them (test with errors.Is); the wire skins map them to AWS codes.
var (
	ErrDatabaseNotFound  = errors.New("database not found")
	ErrTableNotFound     = errors.New("table not found")
	ErrPartitionNotFound = errors.New("partition not found")
	ErrAlreadyExists     = errors.New("already exists")
	ErrInvalidInput      = errors.New("invalid input")
	ErrInternal          = errors.New("internal catalog failure")
)

// Error is a catalog failure: its Kind is one of the sentinels above and
// its Message is worded as Glue words the same refusal, so a skin can pass
// it to the client unchanged. Err is the underlying cause of an internal
// failure (never shown to clients).
type Error struct {
	Kind    error
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Is reports whether target is the error's kind, so errors.Is(err,
// ErrTableNotFound) works through any wrapping.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Glue's wording, as clients see it (moto records the same strings from
// the real service: moto/glue/exceptions.py).
func databaseNotFound(name string) error {
	return &Error{Kind: ErrDatabaseNotFound, Message: fmt.Sprintf("Database %s not found.", name)}
}

func tableNotFound(name string) error {
	return &Error{Kind: ErrTableNotFound, Message: fmt.Sprintf("Table %s not found.", name)}
}

func partitionNotFound() error {
	return &Error{Kind: ErrPartitionNotFound, Message: "Cannot find partition."}
}

func alreadyExists(what string) error {
	return &Error{Kind: ErrAlreadyExists, Message: what + " already exists."}
}

func invalidInput(format string, args ...any) error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Kind: ErrInvalidInput, Message: msg}
}
