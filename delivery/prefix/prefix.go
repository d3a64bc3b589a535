// Package prefix owns Amazon Data Firehose's custom S3 prefixes and object
// names ("Custom Prefixes for Amazon S3 Objects" and "Amazon S3 Object Name
// Format" in the Amazon Data Firehose developer guide).
package prefix

import (
	"errors"
	"fmt"
	"time"
)

// Template is a parsed Prefix or ErrorOutputPrefix.
type Template struct {
	src string
}

// Values are what a Template's expressions evaluate to for one object.
type Values struct {
	Time            time.Time
	ErrorOutputType string
	PartitionKeys   map[string]string
	LambdaKeys      map[string]string
	Random          string
}

// Parse is a placeholder until the full implementation lands.
func Parse(s string, forErrors bool) (*Template, error) {
	return &Template{src: s}, nil
}

// Render evaluates the template.
func (t *Template) Render(v Values) (string, error) {
	if t == nil {
		return "", errors.New("prefix: nil template")
	}
	return t.src, nil
}

// HasTimestamp reports whether the template has a timestamp expression.
func (t *Template) HasTimestamp() bool { return false }

// DefaultTimePrefix is "YYYY/MM/dd/HH/" in UTC.
func DefaultTimePrefix(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%04d/%02d/%02d/%02d/", t.Year(), t.Month(), t.Day(), t.Hour())
}

// ObjectName is the object-name suffix Firehose appends to the prefix.
func ObjectName(deliveryStream string, version int, t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%s-%d-%s-%s", deliveryStream, version, t.Format("2006-01-02-15-04-05"), "00000000-0000-0000-0000-000000000000")
}
