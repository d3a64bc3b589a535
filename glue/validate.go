package glue

import (
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

// Glue reports model-constraint violations (required, pattern, length,
// range) as one ValidationException listing them, in the wording of AWS's
// Coral front end:
//
//	1 validation error detected: Value 'x' at 'databaseInput.name' failed
//	to satisfy constraint: Member must have length less than or equal to 255
//
// and "N validation errors detected: …; …" for several (at most ten).
// Paths are the lowerCamel member names, list members as
// 'partitionInputList.1.member.values'. One real Glue answer to a
// CreateTable names the TableInput member 'table'
// ('table.storageDescriptor.columns.5.member.comment', in
// moj-analytical-services/etl_manager issue #90), so the TableInput paths
// start with 'table'.
//
// Refusals that need the catalog (a missing entity, a partition whose
// values do not fit the keys) are InvalidInputException or
// EntityNotFoundException from the engine, as Glue answers them.

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

func (v *checker) fail(value, path, constraint string) { v.Fail(value, path, constraint) }

// quote renders a value as AWS does, cut short so that a hostile 10 MB
// value does not come back in the message.
func quote(s string) string {
	const max = 512
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return "'" + s + "'"
}

func (v *checker) required(path string, present bool) bool {
	if !present {
		v.fail("null", path, "Member must not be null")
	}
	return present
}

// strSpec is the model's constraint on a string shape.
type strSpec struct {
	min, max  int // length bounds in UTF-16 units; max 0 means none
	multiLine bool
	pattern   bool // the model's single- or multi-line pattern applies
}

// The model's patterns, as AWS prints them.
const (
	patternSingleLine = `[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*`
	patternMultiLine  = `[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*`
)

var (
	specName        = strSpec{min: 1, max: 255, pattern: true}           // NameString, CatalogIdString, KeyString
	specDescription = strSpec{max: 2048, multiLine: true, pattern: true} // DescriptionString
	specURI         = strSpec{min: 1, max: 1024, multiLine: true, pattern: true}
	specTableType   = strSpec{max: 255}
	specViewText    = strSpec{max: 409600}
	specColumnType  = strSpec{max: 131072, pattern: true}
	specComment     = strSpec{max: 255, pattern: true}
	specLocation    = strSpec{max: 2056, multiLine: true, pattern: true}
	specFormat      = strSpec{max: 128, pattern: true}
	specValue       = strSpec{min: 1, max: 1024} // ValueString
	specFilter      = strSpec{max: 2048, pattern: true}
	specPredicate   = strSpec{max: 2048, multiLine: true, pattern: true}
	specParamValue  = strSpec{max: 512000}
)

func (v *checker) str(path string, s *string, spec strSpec) {
	if s != nil {
		v.strVal(path, *s, spec)
	}
}

func (v *checker) strReq(path string, s *string, spec strSpec) {
	if v.required(path, s != nil) {
		v.strVal(path, *s, spec)
	}
}

func (v *checker) strVal(path, s string, spec strSpec) {
	n := utf16Len(s)
	if spec.pattern && !matchesLines(s, spec.multiLine) {
		p := patternSingleLine
		if spec.multiLine {
			p = patternMultiLine
		}
		v.fail(quote(s), path, "Member must satisfy regular expression pattern: "+p)
	}
	if n < spec.min {
		v.fail(quote(s), path, "Member must have length greater than or equal to "+strconv.Itoa(spec.min))
	}
	if spec.max > 0 && n > spec.max {
		v.fail(quote(s), path, "Member must have length less than or equal to "+strconv.Itoa(spec.max))
	}
}

// matchesLines matches the model's line patterns: tab, and every
// character from U+0020 except surrogates (impossible in valid UTF-8) and
// U+FFFE/U+FFFF; multi-line also admits CR and LF. (Invalid UTF-8 never
// reaches here: the JSON decoder turns it into U+FFFD, which is allowed.)
func matchesLines(s string, multiLine bool) bool {
	for _, r := range s {
		switch {
		case r == '\t':
		case multiLine && (r == '\r' || r == '\n'):
		case r < 0x20, r == 0xFFFE, r == 0xFFFF:
			return false
		}
	}
	return true
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

// listLen checks a list's length.
func (v *checker) listLen(path string, n, min, max int) {
	if n < min {
		v.fail("'["+strconv.Itoa(n)+" members]'", path, "Member must have length greater than or equal to "+strconv.Itoa(min))
	}
	if max > 0 && n > max {
		v.fail("'["+strconv.Itoa(n)+" members]'", path, "Member must have length less than or equal to "+strconv.Itoa(max))
	}
}

// params checks a ParametersMap: keys are KeyString (1..255, single
// line), values at most 512,000 characters.
func (v *checker) params(path string, m map[string]string) {
	for k, val := range m {
		n := utf16Len(k)
		if n < 1 || n > 255 || !matchesLines(k, false) {
			v.fail(quote(k), path, "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: "+patternSingleLine+"]")
			return
		}
		if utf16Len(val) > specParamValue.max {
			v.fail(quote(val), path, "Map value must satisfy constraint: [Member must have length less than or equal to 512000]")
			return
		}
	}
}

// values checks a partition's ValueStringList.
func (v *checker) values(path string, vals []string) {
	for i, s := range vals {
		v.strVal(path+"."+strconv.Itoa(i+1)+".member", s, specValue)
	}
}

// columns checks a ColumnList.
func (v *checker) columns(path string, cols []catalog.Column) {
	for i := range cols {
		c := &cols[i]
		p := path + "." + strconv.Itoa(i+1) + ".member"
		v.strVal(p+".name", c.Name, specName)
		v.strVal(p+".type", c.Type, specColumnType)
		v.strVal(p+".comment", c.Comment, specComment)
		v.params(p+".parameters", c.Parameters)
	}
}

// storage checks a StorageDescriptor.
func (v *checker) storage(path string, sd *catalog.StorageDescriptor) {
	if sd == nil {
		return
	}
	v.columns(path+".columns", sd.Columns)
	v.strVal(path+".location", sd.Location, specLocation)
	v.strVal(path+".inputFormat", sd.InputFormat, specFormat)
	v.strVal(path+".outputFormat", sd.OutputFormat, specFormat)
	if si := sd.SerdeInfo; si != nil {
		if si.Name != "" {
			v.strVal(path+".serdeInfo.name", si.Name, specName)
		}
		if si.SerializationLibrary != "" {
			v.strVal(path+".serdeInfo.serializationLibrary", si.SerializationLibrary, specName)
		}
		v.params(path+".serdeInfo.parameters", si.Parameters)
	}
	for i, c := range sd.BucketColumns {
		v.strVal(path+".bucketColumns."+strconv.Itoa(i+1)+".member", c, specName)
	}
	for i, o := range sd.SortColumns {
		p := path + ".sortColumns." + strconv.Itoa(i+1) + ".member"
		v.strVal(p+".column", o.Column, specName)
		so := o.SortOrder
		v.intRange(p+".sortOrder", &so, 0, 1)
	}
	v.params(path+".parameters", sd.Parameters)
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
