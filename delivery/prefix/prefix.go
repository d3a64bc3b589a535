// Package prefix owns Amazon Data Firehose's custom S3 prefixes and object
// names: parsing and validating a Prefix or ErrorOutputPrefix with its
// !{namespace:value} expressions, evaluating it for one object, and the
// object-name suffix Firehose appends. It follows "Custom Prefixes for
// Amazon S3 Objects" (s3-prefixes) and "Amazon S3 Object Name Format"
// (basic-deliver) in the Amazon Data Firehose developer guide, and the
// Prefix/ErrorOutputPrefix constraints of the Firehose API
// (botocore firehose/2015-08-04: Prefix and ErrorOutputPrefix are at most
// 1,024 characters).
//
// Expressions:
//
//	!{timestamp:<Java DateTimeFormatter pattern>}  the object's time
//	!{firehose:random-string}                      11 random characters, fresh per instance
//	!{firehose:error-output-type}                  ErrorOutputPrefix only
//	!{partitionKeyFromQuery:<key>}                 dynamic partitioning, Prefix only
//	!{partitionKeyFromLambda:<key>}                dynamic partitioning, Prefix only
//
// The rules that span both prefixes (an ErrorOutputPrefix is required when
// the Prefix has expressions, and so on) are checked by ValidatePair. Where
// Firehose falls back to defaults, this package supplies them but leaves
// the choice to the caller: a Prefix without a timestamp expression gets
// DefaultTimePrefix appended (not under dynamic partitioning, whose
// prefixes are used as written), and with no ErrorOutputPrefix failed
// records go under DefaultErrorPrefix.
package prefix

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxLength is the most characters the API accepts in a Prefix or
// ErrorOutputPrefix.
const MaxLength = 1024

// MaxEvaluatedLength is the most characters a prefix may have once its
// expressions are evaluated.
const MaxEvaluatedLength = 512

// ErrInvalid reports a prefix that violates Firehose's rules; the wire
// skin maps it to InvalidArgumentException with the error's text.
var ErrInvalid = errors.New("invalid prefix")

// ErrRender reports a prefix that cannot be evaluated for one object (a
// partition key the record does not have, or a result over
// MaxEvaluatedLength). Firehose delivers such records under the error
// prefix.
var ErrRender = errors.New("prefix evaluation failed")

// constraint formats an ErrInvalid error the way Firehose words its
// prefix constraint violations (the "Ths" is AWS's spelling).
func constraint(format string, args ...any) error {
	return fmt.Errorf("%w: Ths supplied prefix(es) do not satisfy the following constraint: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

type kind uint8

const (
	kindLiteral kind = iota
	kindTimestamp
	kindRandom
	kindErrorOutputType
	kindQueryKey
	kindLambdaKey
)

type segment struct {
	kind kind
	text string     // literal text, or the partition key name
	ts   javaFormat // for kindTimestamp
}

// Template is a parsed Prefix or ErrorOutputPrefix. It is immutable and
// safe for concurrent use.
type Template struct {
	src       string
	forErrors bool
	segs      []segment
}

// Values are what a Template's expressions evaluate to for one object.
// Random, when set, is used for every random-string instance (a hook for
// tests); when empty each instance gets a fresh random string, as Firehose
// does.
type Values struct {
	Time            time.Time
	ErrorOutputType string
	PartitionKeys   map[string]string
	LambdaKeys      map[string]string
	Random          string
}

// Parse parses s as a Prefix, or as an ErrorOutputPrefix when forErrors
// is true, and checks the rules that concern one prefix alone.
func Parse(s string, forErrors bool) (*Template, error) {
	field := "Prefix"
	if forErrors {
		field = "ErrorOutputPrefix"
	}
	if n := utf8.RuneCountInString(s); n > MaxLength {
		return nil, fmt.Errorf("%w: %s is %d characters, more than %d", ErrInvalid, field, n, MaxLength)
	}
	t := &Template{src: s, forErrors: forErrors}
	lit := func(x string) {
		if x == "" {
			return
		}
		if n := len(t.segs); n > 0 && t.segs[n-1].kind == kindLiteral {
			t.segs[n-1].text += x
			return
		}
		t.segs = append(t.segs, segment{kind: kindLiteral, text: x})
	}
	rest := s
	for {
		i := strings.Index(rest, "!{")
		if i < 0 {
			lit(rest)
			break
		}
		lit(rest[:i])
		rest = rest[i+2:]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return nil, constraint("The sequence '!{' can only appear in !{namespace:value} expressions; %s has an unterminated expression", field)
		}
		expr := rest[:end]
		rest = rest[end+1:]
		seg, err := parseExpr(expr, field, forErrors)
		if err != nil {
			return nil, err
		}
		t.segs = append(t.segs, seg)
	}
	return t, nil
}

func parseExpr(expr, field string, forErrors bool) (segment, error) {
	ns, val, ok := strings.Cut(expr, ":")
	if !ok {
		return segment{}, constraint("The expression '!{%s}' in %s is not of the form !{namespace:value}", expr, field)
	}
	switch ns {
	case "timestamp":
		f, err := parseJavaFormat(val)
		if err != nil {
			return segment{}, constraint("The timestamp expression '!{%s}' in %s is not a valid DateTimeFormatter pattern: %v", expr, field, err)
		}
		return segment{kind: kindTimestamp, ts: f}, nil
	case "firehose":
		switch val {
		case "random-string":
			return segment{kind: kindRandom}, nil
		case "error-output-type":
			if !forErrors {
				return segment{}, constraint("Prefix cannot contain !{firehose:error-output-type}")
			}
			return segment{kind: kindErrorOutputType}, nil
		default:
			return segment{}, constraint("The firehose namespace in %s supports only the values error-output-type and random-string, not '%s'", field, val)
		}
	case "partitionKeyFromQuery", "partitionKeyFromLambda":
		if forErrors {
			return segment{}, constraint("ErrorOutputPrefix cannot contain the %s namespace", ns)
		}
		if val == "" {
			return segment{}, constraint("The expression '!{%s}' in %s names no partition key", expr, field)
		}
		k := kindQueryKey
		if ns == "partitionKeyFromLambda" {
			k = kindLambdaKey
		}
		return segment{kind: k, text: val}, nil
	default:
		return segment{}, constraint("The namespace '%s' in %s is not one of firehose, timestamp, partitionKeyFromQuery, partitionKeyFromLambda", ns, field)
	}
}

// String returns the prefix as written.
func (t *Template) String() string { return t.src }

// HasExpressions reports whether the prefix has any !{...} expression.
func (t *Template) HasExpressions() bool {
	return t.count(func(k kind) bool { return k != kindLiteral }) > 0
}

// HasTimestamp reports whether the prefix has a timestamp expression. A
// Prefix without one gets DefaultTimePrefix appended by Firehose (except
// under dynamic partitioning).
func (t *Template) HasTimestamp() bool {
	return t.count(func(k kind) bool { return k == kindTimestamp }) > 0
}

// HasErrorOutputType reports whether the prefix has
// !{firehose:error-output-type}.
func (t *Template) HasErrorOutputType() bool {
	return t.count(func(k kind) bool { return k == kindErrorOutputType }) > 0
}

// QueryKeys returns the keys of the prefix's partitionKeyFromQuery
// expressions, in order of first appearance.
func (t *Template) QueryKeys() []string { return t.keys(kindQueryKey) }

// LambdaKeys returns the keys of the prefix's partitionKeyFromLambda
// expressions, in order of first appearance.
func (t *Template) LambdaKeys() []string { return t.keys(kindLambdaKey) }

func (t *Template) count(match func(kind) bool) int {
	n := 0
	if t == nil {
		return 0
	}
	for _, s := range t.segs {
		if match(s.kind) {
			n++
		}
	}
	return n
}

func (t *Template) keys(k kind) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range t.segs {
		if s.kind == k && !seen[s.text] {
			seen[s.text] = true
			out = append(out, s.text)
		}
	}
	return out
}

// Render evaluates the prefix for one object. Every timestamp expression
// formats v.Time in its location, so all of them name the same instant.
func (t *Template) Render(v Values) (string, error) {
	if t == nil {
		return "", fmt.Errorf("%w: no template", ErrRender)
	}
	var b strings.Builder
	at := v.Time
	for _, s := range t.segs {
		switch s.kind {
		case kindLiteral:
			b.WriteString(s.text)
		case kindTimestamp:
			s.ts.format(&b, at)
		case kindRandom:
			if v.Random != "" {
				b.WriteString(v.Random)
			} else {
				b.WriteString(RandomString())
			}
		case kindErrorOutputType:
			b.WriteString(v.ErrorOutputType)
		case kindQueryKey, kindLambdaKey:
			m, ns := v.PartitionKeys, "partitionKeyFromQuery"
			if s.kind == kindLambdaKey {
				m, ns = v.LambdaKeys, "partitionKeyFromLambda"
			}
			val, ok := m[s.text]
			if !ok {
				return "", fmt.Errorf("%w: no value for !{%s:%s}", ErrRender, ns, s.text)
			}
			b.WriteString(val)
		}
	}
	if n := utf8.RuneCountInString(b.String()); n > MaxEvaluatedLength {
		return "", fmt.Errorf("%w: evaluated prefix is %d characters, more than %d", ErrRender, n, MaxEvaluatedLength)
	}
	return b.String(), nil
}

// ObjectPrefix evaluates a destination's Prefix for one object: the
// rendered template, then DefaultTimePrefix when it has no timestamp
// expression, unless dynamic partitioning is enabled (its prefixes are used
// as written).
func (t *Template) ObjectPrefix(v Values, dynamicPartitioning bool) (string, error) {
	s, err := t.Render(v)
	if err != nil {
		return "", err
	}
	if !dynamicPartitioning && !t.HasTimestamp() {
		s += DefaultTimePrefix(v.Time)
		if n := utf8.RuneCountInString(s); n > MaxEvaluatedLength {
			return "", fmt.Errorf("%w: evaluated prefix is %d characters, more than %d", ErrRender, n, MaxEvaluatedLength)
		}
	}
	return s, nil
}

// ErrorObjectPrefix evaluates where one object of failed records goes:
// errorPrefix rendered with v.ErrorOutputType, or, when the destination has
// no ErrorOutputPrefix (errorPrefix nil, allowed only for a Prefix without
// expressions), DefaultErrorPrefix under the literal Prefix.
func ErrorObjectPrefix(prefix, errorPrefix *Template, v Values) (string, error) {
	if errorPrefix != nil {
		return errorPrefix.Render(v)
	}
	if prefix != nil && prefix.HasExpressions() {
		return "", fmt.Errorf("%w: no ErrorOutputPrefix for a Prefix with expressions", ErrRender)
	}
	base := ""
	if prefix != nil {
		base = prefix.src
	}
	return DefaultErrorPrefix(base, v.ErrorOutputType, v.Time), nil
}

// ValidatePair checks the rules that tie a destination's Prefix and
// ErrorOutputPrefix together and returns both parsed (errorOutputPrefix's
// Template is nil when it is empty). dynamicPartitioning is the
// destination's DynamicPartitioningConfiguration.Enabled.
func ValidatePair(prefix, errorOutputPrefix string, dynamicPartitioning bool) (p, e *Template, err error) {
	p, err = Parse(prefix, false)
	if err != nil {
		return nil, nil, err
	}
	if errorOutputPrefix != "" {
		if e, err = Parse(errorOutputPrefix, true); err != nil {
			return nil, nil, err
		}
	}
	partitioned := len(p.QueryKeys())+len(p.LambdaKeys()) > 0
	switch {
	case e == nil && p.HasExpressions():
		return nil, nil, constraint("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions")
	case e == nil && dynamicPartitioning:
		return nil, nil, constraint("ErrorOutputPrefix cannot be null or empty when dynamic partitioning is enabled")
	case e != nil && e.HasExpressions() && !e.HasErrorOutputType():
		return nil, nil, constraint("ErrorOutputPrefix must contain !{firehose:error-output-type} when it contains expressions")
	case dynamicPartitioning && !partitioned:
		return nil, nil, constraint("Prefix must contain at least one partitionKeyFromQuery or partitionKeyFromLambda expression when dynamic partitioning is enabled")
	case !dynamicPartitioning && partitioned:
		return nil, nil, constraint("Prefix cannot contain partitionKeyFromQuery or partitionKeyFromLambda expressions when dynamic partitioning is not enabled")
	}
	return p, e, nil
}

// DefaultTimePrefix is the prefix Firehose uses, or appends to a Prefix
// without a timestamp expression: "YYYY/MM/dd/HH/" in t's location (UTC
// unless the destination sets CustomTimeZone).
func DefaultTimePrefix(t time.Time) string {
	var b [14]byte
	putInt(b[0:4], t.Year())
	b[4] = '/'
	putInt(b[5:7], int(t.Month()))
	b[7] = '/'
	putInt(b[8:10], t.Day())
	b[10] = '/'
	putInt(b[11:13], t.Hour())
	b[13] = '/'
	return string(b[:])
}

// DefaultErrorPrefix is where failed records go when the destination has
// no ErrorOutputPrefix: the evaluated Prefix, the error output type, then
// the default time prefix, e.g. "logs/processing-failed/2018/08/27/10/".
func DefaultErrorPrefix(evaluatedPrefix, errorOutputType string, t time.Time) string {
	return evaluatedPrefix + errorOutputType + "/" + DefaultTimePrefix(t)
}

// ObjectName is the object-name suffix Firehose appends to the evaluated
// prefix: DeliveryStreamName-DeliveryStreamVersion-YYYY-MM-dd-HH-mm-ss-UUID,
// with the time in t's location (UTC unless the destination sets
// CustomTimeZone) and a random (version 4) UUID. The compression format's
// extension goes after it.
func ObjectName(deliveryStream string, version int, t time.Time) string {
	var ts [19]byte
	putInt(ts[0:4], t.Year())
	ts[4] = '-'
	putInt(ts[5:7], int(t.Month()))
	ts[7] = '-'
	putInt(ts[8:10], t.Day())
	ts[10] = '-'
	putInt(ts[11:13], t.Hour())
	ts[13] = '-'
	putInt(ts[14:16], t.Minute())
	ts[16] = '-'
	putInt(ts[17:19], t.Second())
	return fmt.Sprintf("%s-%d-%s-%s", deliveryStream, version, ts[:], newUUID())
}

// RandomString is what !{firehose:random-string} evaluates to: 11
// characters, the first 11 of a random UUID's text (8 hex digits, a
// hyphen, 2 hex digits), as in the developer guide's example "046b6c7f-0b".
func RandomString() string { return newUUID()[:11] }

// newUUID returns a random version 4 UUID in its 36-character text form.
func newUUID() string {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		panic(fmt.Sprintf("prefix: crypto/rand failed: %v", err)) // crypto/rand.Read never fails on supported platforms
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

// putInt writes v zero-padded into b (v must fit).
func putInt(b []byte, v int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}
