package protocol

import (
	"strconv"
	"strings"
)

// MaxViolations is how many constraint violations AWS lists in one
// validation message.
const MaxViolations = 10

// Violations collects a request's model-constraint violations (required,
// pattern, length, range, enum) and words them as AWS's Coral front end
// does for every JSON service:
//
//	1 validation error detected: Value 'x' at 'streamName' failed to satisfy
//	constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+
//
// and "N validation errors detected: …; …" for several, at most
// MaxViolations. Each service wraps the message in its own error code
// (Kinesis and Glue ValidationException, Athena InvalidRequestException).
type Violations struct {
	list []string
}

// Fail records one violation; value is already rendered ("null" or
// quoted), path is the lowerCamel member path.
func (v *Violations) Fail(value, path, constraint string) {
	if len(v.list) < MaxViolations {
		v.list = append(v.list, "Value "+value+" at '"+path+"' failed to satisfy constraint: "+constraint)
	}
}

// Message is the validation message, or "" when nothing failed.
func (v *Violations) Message() string {
	if len(v.list) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(v.list)))
	if len(v.list) == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	b.WriteString(strings.Join(v.list, "; "))
	return b.String()
}
