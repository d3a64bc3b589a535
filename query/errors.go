package query

import (
	"errors"
	"fmt"
)

// Kinds of failure. Every error Run returns for a bad query wraps exactly
// one of them (test with errors.Is); the Athena skin maps them to
// FAILED states and error categories.
var (
	ErrSyntax           = errors.New("syntax error")             // SYNTAX_ERROR
	ErrTableNotFound    = errors.New("table not found")          // TABLE_NOT_FOUND
	ErrDatabaseNotFound = errors.New("database not found")       // SCHEMA_NOT_FOUND
	ErrColumnNotFound   = errors.New("column not found")         // COLUMN_NOT_FOUND
	ErrAlreadyExists    = errors.New("already exists")           // ALREADY_EXISTS
	ErrNotSupported     = errors.New("not supported")            // NOT_SUPPORTED
	ErrInvalidTable     = errors.New("invalid table definition") // HIVE_UNSUPPORTED_FORMAT and the like
	ErrQuery            = errors.New("query failed")             // GENERIC_USER_ERROR / runtime failures
	ErrCancelled        = errors.New("query cancelled")          // the context ended
)

// Error is a failed query, worded as Athena words it: Code is Athena's
// error name ("SYNTAX_ERROR", "TABLE_NOT_FOUND", …), Line and Col the
// 1-based position in the query text when known (0 otherwise), Message the
// text after the position. Error() gives the whole reason as Athena puts
// it in StateChangeReason, e.g. "TABLE_NOT_FOUND: line 1:15: Table
// 'awsdatacatalog.db.t' does not exist".
type Error struct {
	Kind    error
	Code    string
	Line    int
	Col     int
	Message string
	Err     error // underlying cause (DuckDB's error), not shown to clients
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: line %d:%d: %s", e.Code, e.Line, e.Col, e.Message)
	}
	return e.Code + ": " + e.Message
}

// Is makes errors.Is(err, ErrSyntax) and the like work.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func syntaxErrorf(line, col int, format string, args ...any) error {
	return &Error{Kind: ErrSyntax, Code: "SYNTAX_ERROR", Line: line, Col: col, Message: fmt.Sprintf(format, args...)}
}

func syntaxErrorAt(t token, format string, args ...any) error {
	return syntaxErrorf(t.line, t.col, format, args...)
}

func unexpected(t token) error {
	return syntaxErrorAt(t, "mismatched input %s", t.describe())
}

func tableNotFound(t token, db, table string) error {
	return &Error{Kind: ErrTableNotFound, Code: "TABLE_NOT_FOUND", Line: t.line, Col: t.col,
		Message: fmt.Sprintf("Table 'awsdatacatalog.%s.%s' does not exist", db, table)}
}

func databaseNotFound(t token, db string) error {
	return &Error{Kind: ErrDatabaseNotFound, Code: "SCHEMA_NOT_FOUND", Line: t.line, Col: t.col,
		Message: fmt.Sprintf("Schema '%s' does not exist", db)}
}

func notSupportedf(t token, format string, args ...any) error {
	return &Error{Kind: ErrNotSupported, Code: "NOT_SUPPORTED", Line: t.line, Col: t.col, Message: fmt.Sprintf(format, args...)}
}
