package policy

import (
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every error Parse returns for a document that is
// not a valid policy. The wire skin answers it as MalformedPolicyDocument with
// the MalformedError's Message.
var ErrMalformed = errors.New("malformed policy document")

// ErrTooLarge is wrapped by Parse's error for a document over its size limit.
// IAM answers it as LimitExceeded.
var ErrTooLarge = errors.New("policy document too large")

// Messages IAM puts in its MalformedPolicyDocument answers (as recorded by
// moto's IAM policy validator tests, which mirror IAM, and public reports).
const (
	msgSyntax      = "Syntax errors in policy."
	msgLegacy      = "The policy failed legacy parsing"
	msgPrincipal   = "Policy document should not specify a principal."
	msgNoResources = "Policy statement must contain resources."
	msgNoActions   = "Policy statement must contain actions."
	msgVendor      = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgSidShape    = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	msgSidUnique   = "Statement IDs (SID) in a single policy must be unique."
	msgOneColon    = "Actions/Condition can contain only one colon."
	msgVendor2     = "Resource vendor must be fully qualified and cannot contain regexes."
	msgVersion     = "Policy document must be version 2012-10-17 or greater."
)

// MalformedError says why a document is not a valid policy.
type MalformedError struct {
	// Message is IAM's text for this kind of mistake, suitable for the
	// MalformedPolicyDocument answer as is.
	Message string
	// Reason names the offending element, for logs and humans.
	Reason string
}

func (e *MalformedError) Error() string { return e.Message + " (" + e.Reason + ")" }

// Unwrap lets errors.Is(err, ErrMalformed) hold.
func (e *MalformedError) Unwrap() error { return ErrMalformed }

func malformed(message, format string, args ...any) error {
	return &MalformedError{Message: message, Reason: fmt.Sprintf(format, args...)}
}

// SizeError reports a document over its limit.
type SizeError struct {
	Size  int // non-whitespace characters in the document
	Limit int
}

// Error is IAM's LimitExceeded message.
func (e *SizeError) Error() string {
	return fmt.Sprintf("Cannot exceed quota for PolicySize: %d", e.Limit)
}

// Unwrap lets errors.Is(err, ErrTooLarge) hold.
func (e *SizeError) Unwrap() error { return ErrTooLarge }
