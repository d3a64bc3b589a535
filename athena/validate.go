package athena

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/caudal/caudal/protocol"
)

// Athena reports model-constraint violations (required, pattern, length,
// range, enum) as one InvalidRequestException listing them in the Coral
// front end's words:
//
//	1 validation error detected: Value '2000' at 'maxResults' failed to
//	satisfy constraint: Member must have value less than or equal to 1000
//
// and "N validation errors detected: …; …" for several, at most ten.
// Paths are the lowerCamel member names ('queryExecutionContext.database').

// checker collects constraint violations for one request
// (protocol.Violations words them).
type checker struct {
	protocol.Violations
}

// err returns the InvalidRequestException for the violations found, or nil.
func (v *checker) err() error {
	if msg := v.Message(); msg != "" {
		return &protocol.Error{Code: codeInvalidRequest, Status: http.StatusBadRequest, Message: msg}
	}
	return nil
}

func (v *checker) fail(value, path, constraint string) { v.Fail(value, path, constraint) }

func quote(s string) string { return "'" + s + "'" }

func (v *checker) required(path string, present bool) bool {
	if !present {
		v.fail("null", path, "Member must not be null")
	}
	return present
}

// strSpec is the model's constraint on a string shape.
type strSpec struct {
	min, max int // length bounds in UTF-16 units; max 0 means none
	pattern  string
	match    func(string) bool
}

var (
	specQueryString   = strSpec{min: 1, max: 262144}
	specToken         = strSpec{min: 32, max: 128}
	specWorkGroup     = strSpec{pattern: "[a-zA-Z0-9._-]{1,128}", match: isWorkGroupName}
	specDatabase      = strSpec{min: 1, max: 255}
	specCatalog       = strSpec{min: 1, max: 256}
	specExecutionID   = strSpec{min: 1, max: 128, pattern: `\S+`, match: noSpace}
	specNextToken     = strSpec{min: 1, max: 1024}
	specDescription   = strSpec{max: 1024}
	specName          = strSpec{min: 1, max: 128}
	specExpression    = strSpec{max: 256}
	specEngineVersion = strSpec{min: 1, max: 128}
	specTagKey        = strSpec{min: 1, max: 128}
	specTagValue      = strSpec{max: 256}
)

func isWorkGroupName(s string) bool {
	if len(s) < 1 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func noSpace(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\r\n\v\f")
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += len(utf16.Encode([]rune{r}))
	}
	return n
}

func (v *checker) str(path string, s *string, spec strSpec) {
	if s == nil {
		return
	}
	if spec.match != nil && !spec.match(*s) {
		v.fail(quote(*s), path, "Member must satisfy regular expression pattern: "+spec.pattern)
	}
	n := utf16Len(*s)
	if n < spec.min {
		v.fail(quote(*s), path, "Member must have length greater than or equal to "+strconv.Itoa(spec.min))
	}
	if spec.max > 0 && n > spec.max {
		// A 262,144-character query is not echoed back in full.
		shown := *s
		if len(shown) > 256 {
			shown = shown[:256] + "..."
		}
		v.fail(quote(shown), path, "Member must have length less than or equal to "+strconv.Itoa(spec.max))
	}
}

func (v *checker) strReq(path string, s *string, spec strSpec) {
	if v.required(path, s != nil) {
		v.str(path, s, spec)
	}
}

// intRange checks an optional integer member against [min, max]; max <
// min means no upper bound.
func (v *checker) intRange(path string, p *int64, min, max int64) {
	if p == nil {
		return
	}
	n := *p
	if n < min {
		v.fail(quote(strconv.FormatInt(n, 10)), path, "Member must have value greater than or equal to "+strconv.FormatInt(min, 10))
	}
	if max >= min && n > max {
		v.fail(quote(strconv.FormatInt(n, 10)), path, "Member must have value less than or equal to "+strconv.FormatInt(max, 10))
	}
}

func (v *checker) enum(path string, s *string, values ...string) {
	if s == nil {
		return
	}
	for _, x := range values {
		if *s == x {
			return
		}
	}
	v.fail(quote(*s), path, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
