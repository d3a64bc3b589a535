package kinesis

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/caudal/caudal/protocol"
)

// AWS reports model-constraint violations (required, pattern, length,
// range, enum) as one ValidationException listing them, worded by its
// Coral front end:
//
//	1 validation error detected: Value 'x' at 'streamName' failed to satisfy
//	constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+
//
// and "N validation errors detected: …; …" for several. Paths are the
// lowerCamel member names, list members as 'records.1.member.partitionKey'.
// AWS lists at most ten violations. kinesalite's validations/index.js
// records this wording from the real service.
//
// Violations are listed in the order of the model's members; within one
// member: null, pattern, minimum, maximum.

// checker collects constraint violations for one request
// (protocol.Violations words them).
type checker struct {
	protocol.Violations
}

// err returns the ValidationException for the violations found, or nil.
func (v *checker) err() error {
	if msg := v.Message(); msg != "" {
		return &protocol.Error{Code: codeValidation, Status: http.StatusBadRequest, Message: msg}
	}
	return nil
}

// fail records one violation; value is already rendered ("null" or
// quoted).
func (v *checker) fail(value, path, constraint string) { v.Fail(value, path, constraint) }

func quote(s string) string { return "'" + s + "'" }

// required reports a missing required member; it returns whether the
// member is present.
func (v *checker) required(path string, present bool) bool {
	if !present {
		v.fail("null", path, "Member must not be null")
	}
	return present
}

// strSpec is the model's constraint on a string shape.
type strSpec struct {
	min, max int               // length bounds in UTF-16 units; max 0 means none
	pattern  string            // as AWS prints it
	match    func(string) bool // full-string match of pattern
}

var (
	specStreamName   = strSpec{min: 1, max: 128, pattern: `[a-zA-Z0-9_.-]+`, match: isNameChars}
	specShardID      = specStreamName
	specConsumerName = specStreamName
	specStreamARN    = strSpec{min: 1, max: 2048, pattern: `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`,
		match: regexpMatcher(`arn:aws.*:kinesis:.*:\d{12}:stream/\S+`)}
	specResourceARN = strSpec{min: 1, max: 2048, pattern: `arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`,
		match: regexpMatcher(`arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`)}
	specConsumerARN = strSpec{min: 1, max: 2048,
		pattern: `^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`,
		match:   regexpMatcher(`^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`)}
	specStreamID      = strSpec{min: 1, max: 24, pattern: `[a-z0-9]{20}-[a-z0-9]{3}`, match: regexpMatcher(`[a-z0-9]{20}-[a-z0-9]{3}`)}
	specHashKey       = strSpec{pattern: `0|([1-9]\d{0,38})`, match: func(s string) bool { return isDecimal(s, 39) }}
	specSequence      = strSpec{pattern: `0|([1-9]\d{0,128})`, match: func(s string) bool { return isDecimal(s, 129) }}
	specPartitionKey  = strSpec{min: 1, max: 256}
	specShardIterator = strSpec{min: 1, max: 512}
	specNextToken     = strSpec{min: 1, max: 1048576}
	specTagKey        = strSpec{min: 1, max: 128}
	specKeyID         = strSpec{min: 1, max: 2048}
)

// str checks an optional string member.
func (v *checker) str(path string, s *string, spec strSpec) {
	if s != nil {
		v.strVal(path, *s, spec)
	}
}

// strReq checks a required string member.
func (v *checker) strReq(path string, s *string, spec strSpec) {
	if v.required(path, s != nil) {
		v.strVal(path, *s, spec)
	}
}

func (v *checker) strVal(path, s string, spec strSpec) {
	if spec.match != nil && !spec.match(s) {
		v.fail(quote(s), path, "Member must satisfy regular expression pattern: "+spec.pattern)
	}
	if spec.min > 0 || spec.max > 0 {
		n := utf16Len(s)
		if n < spec.min {
			v.fail(quote(s), path, "Member must have length greater than or equal to "+strconv.Itoa(spec.min))
		}
		if spec.max > 0 && n > spec.max {
			v.fail(quote(s), path, "Member must have length less than or equal to "+strconv.Itoa(spec.max))
		}
	}
}

// intRange checks an optional integer member against [min, max]; max < min
// means no upper bound.
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

// intReq checks a required integer member.
func (v *checker) intReq(path string, p *int64, min, max int64) {
	if v.required(path, p != nil) {
		v.intRange(path, p, min, max)
	}
}

// enum checks an optional enum member.
func (v *checker) enum(path string, s *string, values []string) {
	if s != nil && !oneOf(*s, values) {
		v.fail(quote(*s), path, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
	}
}

func (v *checker) enumReq(path string, s *string, values []string) {
	if v.required(path, s != nil) {
		v.enum(path, s, values)
	}
}

// blobMax checks a blob's length; AWS prints the value as the Java
// ByteBuffer it decoded.
func (v *checker) blobMax(path string, b []byte, max int) {
	if len(b) > max {
		n := strconv.Itoa(len(b))
		v.fail("'java.nio.HeapByteBuffer[pos=0 lim="+n+" cap="+n+"]'", path,
			"Member must have length less than or equal to "+strconv.Itoa(max))
	}
}

// listLen checks a list's length; render prints the list as AWS does.
func (v *checker) listLen(path string, n, min, max int, render func() string) {
	if n < min {
		v.fail(quote(render()), path, "Member must have length greater than or equal to "+strconv.Itoa(min))
	}
	if max > 0 && n > max {
		v.fail(quote(render()), path, "Member must have length less than or equal to "+strconv.Itoa(max))
	}
}

// stringList checks a list of strings with length bounds on the list and
// on each member (TagKeyList).
func (v *checker) stringList(path string, l []string, present bool, min, max int, member strSpec) {
	if !v.required(path, present) {
		return
	}
	render := func() string { return "[" + strings.Join(l, ", ") + "]" }
	v.listLen(path, len(l), min, max, render)
	for _, s := range l {
		n := utf16Len(s)
		if n < member.min || (member.max > 0 && n > member.max) {
			v.fail(quote(render()), path, "Member must satisfy constraint: [Member must have length less than or equal to "+
				strconv.Itoa(member.max)+", Member must have length greater than or equal to "+strconv.Itoa(member.min)+"]")
			break
		}
	}
}

// enumList checks a list of enum values (MetricsNameList).
func (v *checker) enumList(path string, l []string, present bool, min, max int, values []string) {
	if !v.required(path, present) {
		return
	}
	render := func() string { return "[" + strings.Join(l, ", ") + "]" }
	v.listLen(path, len(l), min, max, render)
	for _, s := range l {
		if !oneOf(s, values) {
			v.fail(quote(render()), path, "Member must satisfy constraint: [Member must satisfy enum value set: ["+
				strings.Join(values, ", ")+"]]")
			break
		}
	}
}

// tagMap checks a TagMap (1..200 entries, keys 1..128, values 0..256).
func (v *checker) tagMap(path string, m map[string]string, present bool) {
	if !v.required(path, present) {
		return
	}
	render := func() string {
		keys := sortedKeys(m)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + m[k]
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	v.listLen(path, len(m), 1, 200, render)
	for k := range m {
		if n := utf16Len(k); n < 1 || n > 128 {
			v.fail(quote(render()), path, "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
			break
		}
	}
	for _, val := range m {
		if utf16Len(val) > 256 {
			v.fail(quote(render()), path, "Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]")
			break
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func oneOf(s string, values []string) bool {
	for _, x := range values {
		if s == x {
			return true
		}
	}
	return false
}

// utf16Len is a string's length as Java counts it (UTF-16 code units),
// which is what the model's length constraints measure.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// isNameChars matches [a-zA-Z0-9_.-]+ without a regexp: stream names are
// checked on every call.
func isNameChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// isDecimal matches 0|([1-9]\d{0,max-1}).
func isDecimal(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	if s[0] == '0' {
		return len(s) == 1
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// regexpMatcher anchors a model pattern as Java's String.matches does.
func regexpMatcher(pattern string) func(string) bool {
	re := regexp.MustCompile(`^(?:` + pattern + `)$`)
	return re.MatchString
}

// Enum value sets, in the order AWS prints them.
var (
	// Recorded from AWS by kinesalite (validations/getShardIterator.js).
	enumShardIteratorType = []string{"AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"}
	enumStreamMode        = []string{"PROVISIONED", "ON_DEMAND"}
	enumEncryptionType    = []string{"NONE", "KMS"}
	enumScalingType       = []string{"UNIFORM_SCALING"}
	enumShardFilterType   = []string{"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"}
	enumMetricsName       = []string{"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
		"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds", "ALL"}
	enumCommitmentStatus = []string{"ENABLED", "DISABLED"}
)
