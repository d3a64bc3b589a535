package policy

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// A Condition is one operator/key pair of a statement's Condition block with
// its values. A statement's conditions are ANDed; a condition's values are
// ORed (for negated operators: the key matches none of them).
type Condition struct {
	Operator string   // as written, e.g. "StringLike" or "ForAnyValue:StringEqualsIfExists"
	Key      string   // condition key as written, e.g. "aws:SourceIp"
	Values   []string // as written; numbers and booleans in their JSON text

	c compiledCondition
}

type opFamily uint8

const (
	famString opFamily = iota + 1
	famStringIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famIP
	famARN
	famNull
)

type comparison uint8

const (
	cmpEq comparison = iota
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

type setQualifier uint8

const (
	setNone setQualifier = iota
	setForAllValues
	setForAnyValue
)

// operatorSpec is one row of the operator table.
type operatorSpec struct {
	family opFamily
	cmp    comparison
	negate bool // StringNotEquals is "not (StringEquals)": true when the key is absent
}

// operators lists the supported condition operators, without qualifier or
// IfExists suffix. BinaryEquals is not supported (no caudal key is binary).
var operators = map[string]operatorSpec{
	"StringEquals":              {family: famString},
	"StringNotEquals":           {family: famString, negate: true},
	"StringEqualsIgnoreCase":    {family: famStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {family: famStringIgnoreCase, negate: true},
	"StringLike":                {family: famStringLike},
	"StringNotLike":             {family: famStringLike, negate: true},
	"NumericEquals":             {family: famNumeric, cmp: cmpEq},
	"NumericNotEquals":          {family: famNumeric, cmp: cmpEq, negate: true},
	"NumericLessThan":           {family: famNumeric, cmp: cmpLT},
	"NumericLessThanEquals":     {family: famNumeric, cmp: cmpLE},
	"NumericGreaterThan":        {family: famNumeric, cmp: cmpGT},
	"NumericGreaterThanEquals":  {family: famNumeric, cmp: cmpGE},
	"DateEquals":                {family: famDate, cmp: cmpEq},
	"DateNotEquals":             {family: famDate, cmp: cmpEq, negate: true},
	"DateLessThan":              {family: famDate, cmp: cmpLT},
	"DateLessThanEquals":        {family: famDate, cmp: cmpLE},
	"DateGreaterThan":           {family: famDate, cmp: cmpGT},
	"DateGreaterThanEquals":     {family: famDate, cmp: cmpGE},
	"Bool":                      {family: famBool},
	"IpAddress":                 {family: famIP},
	"NotIpAddress":              {family: famIP, negate: true},
	// AWS: ArnEquals and ArnLike behave alike; both take wildcards per component.
	"ArnEquals":    {family: famARN},
	"ArnLike":      {family: famARN},
	"ArnNotEquals": {family: famARN, negate: true},
	"ArnNotLike":   {family: famARN, negate: true},
	"Null":         {family: famNull},
}

// compiledCondition is a Condition ready to evaluate without allocating.
type compiledCondition struct {
	spec     operatorSpec
	set      setQualifier
	ifExists bool
	key      string // lower-cased

	patterns []pattern      // string families
	arns     [][]pattern    // famARN: one pattern per ARN component (1 when not an ARN)
	numbers  []float64      // famNumeric
	times    []time.Time    // famDate
	prefixes []netip.Prefix // famIP
	nulls    []bool         // famNull: true means "the key must be absent"
	bools    []string       // famBool
}

// compileCondition checks and compiles one operator/key/values triple.
func compileCondition(operator, key string, values []string, variables bool) (Condition, error) {
	c := Condition{Operator: operator, Key: key, Values: values}
	name := operator
	switch {
	case strings.HasPrefix(name, "ForAllValues:"):
		c.c.set, name = setForAllValues, strings.TrimPrefix(name, "ForAllValues:")
	case strings.HasPrefix(name, "ForAnyValue:"):
		c.c.set, name = setForAnyValue, strings.TrimPrefix(name, "ForAnyValue:")
	}
	if base, ok := strings.CutSuffix(name, "IfExists"); ok && base != "Null" {
		if _, known := operators[base]; known {
			c.c.ifExists, name = true, base
		}
	}
	spec, ok := operators[name]
	if !ok {
		return c, malformed(msgSyntax, "unknown condition operator %q", operator)
	}
	if spec.family == famNull && c.c.set != setNone {
		return c, malformed(msgSyntax, "condition operator %q cannot take a set qualifier", operator)
	}
	// IAM accepts keys without a vendor prefix ("a") and empty value lists;
	// with no values a positive operator matches nothing.
	c.c.spec, c.c.key = spec, intern(strings.ToLower(key))
	plain := compileOptions{variables: variables}
	glob := compileOptions{variables: variables, wildcards: true}
	for _, v := range values {
		switch spec.family {
		case famString, famStringIgnoreCase:
			c.c.patterns = append(c.c.patterns, compilePattern(v, plain))
		case famStringLike:
			c.c.patterns = append(c.c.patterns, compilePattern(v, glob))
		case famARN:
			parts := splitARN(v, variables)
			ps := make([]pattern, len(parts))
			for i, part := range parts {
				ps[i] = compilePattern(part, glob)
			}
			c.c.arns = append(c.c.arns, ps)
		case famNumeric:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return c, malformed(msgLegacy, "%s on %q: %q is not a number", operator, key, v)
			}
			c.c.numbers = append(c.c.numbers, f)
		case famDate:
			t, ok := parseDate(v)
			if !ok {
				return c, malformed(msgLegacy, "%s on %q: %q is not an ISO 8601 date or epoch time", operator, key, v)
			}
			c.c.times = append(c.c.times, t)
		case famIP:
			p, ok := parsePrefix(v)
			if !ok {
				return c, malformed(msgLegacy, "%s on %q: %q is not an IP address or CIDR block", operator, key, v)
			}
			c.c.prefixes = append(c.c.prefixes, p)
		case famBool:
			c.c.bools = append(c.c.bools, v)
		case famNull:
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return c, malformed(msgLegacy, "Null on %q: %q is not true or false", key, v)
			}
			c.c.nulls = append(c.c.nulls, strings.EqualFold(v, "true"))
		}
	}
	return c, nil
}

// holds evaluates the condition against the request context, following
// "IAM JSON policy elements: Condition operators": a key absent from the
// request makes the condition false, except for negated operators (true),
// …IfExists (true) and Null; ForAllValues over an absent key is true and
// ForAnyValue over an absent key is false ("Set operators for multivalued
// context keys").
func (c *compiledCondition) holds(ctx *env) bool {
	vals, present := lookup(ctx, c.key)
	if c.spec.family == famNull {
		for _, mustBeAbsent := range c.nulls {
			if mustBeAbsent != present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case c.ifExists:
			return true
		case c.set == setForAllValues:
			return true
		case c.set == setForAnyValue:
			return false
		default:
			return c.spec.negate
		}
	}
	switch c.set {
	case setForAllValues:
		// Every request value must satisfy the operator (for a negated
		// operator: match none of the policy values).
		for _, v := range vals {
			if c.matchesAny(v, ctx) == c.spec.negate {
				return false
			}
		}
		return true
	case setForAnyValue:
		for _, v := range vals {
			if c.matchesAny(v, ctx) != c.spec.negate {
				return true
			}
		}
		return false
	default:
		// A single-valued operator on a multivalued key: true when any request
		// value matches; negated operators hold when none does.
		for _, v := range vals {
			if c.matchesAny(v, ctx) {
				return !c.spec.negate
			}
		}
		return c.spec.negate
	}
}

// matchesAny reports whether request value v matches any of the policy
// values under the positive form of the operator.
func (c *compiledCondition) matchesAny(v string, ctx *env) bool {
	switch c.spec.family {
	case famString, famStringLike:
		for i := range c.patterns {
			if c.patterns[i].match(v, false, ctx) {
				return true
			}
		}
	case famStringIgnoreCase:
		for i := range c.patterns {
			p := &c.patterns[i]
			if p.exact {
				if strings.EqualFold(p.literal(), v) {
					return true
				}
			} else if p.match(v, true, ctx) {
				return true
			}
		}
	case famARN:
		for _, parts := range c.arns {
			if matchARN(parts, v, ctx) {
				return true
			}
		}
	case famNumeric:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		for _, want := range c.numbers {
			if compare(c.spec.cmp, cmpFloat(f, want)) {
				return true
			}
		}
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, want := range c.times {
			if compare(c.spec.cmp, t.Compare(want)) {
				return true
			}
		}
	case famBool:
		for _, want := range c.bools {
			if equalFoldASCII(want, v) { // ASCII only: "ſ" must not pass for "s"
				return true
			}
		}
	case famIP:
		addr, ok := ctx.addr(v)
		if !ok {
			return false
		}
		for _, p := range c.prefixes {
			if p.Contains(addr) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	return 2 // NaN: no comparison holds
}

// compare reports whether "request cmp policy" holds given their ordering.
func compare(cmp comparison, order int) bool {
	switch cmp {
	case cmpEq:
		return order == 0
	case cmpLT:
		return order == -1
	case cmpLE:
		return order == -1 || order == 0
	case cmpGT:
		return order == 1
	case cmpGE:
		return order == 1 || order == 0
	}
	return false
}

// dateLayouts are the ISO 8601 forms AWS documents for Date operators.
var dateLayouts = []string{
	time.RFC3339Nano, // also takes RFC3339 without fraction
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02",
	"20060102T150405Z",
}

// parseDate parses an ISO 8601 date or an epoch time in seconds.
func parseDate(s string) (time.Time, bool) {
	if digits := strings.TrimPrefix(s, "-"); digits != "" && strings.Trim(digits, "0123456789") == "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parsePrefix parses a CIDR block or a bare address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// splitARN splits an ARN into its six components (arn:partition:service:
// region:account:resource, the resource keeping any further colons). Colons
// inside a policy variable (${aws:username}) do not split. A value with fewer
// than six components is returned whole and matched as one glob.
func splitARN(s string, variables bool) []string {
	parts := splitAll(s, variables)
	if len(parts) < 6 {
		return []string{s}
	}
	// The resource component keeps its colons.
	return append(parts[:5], strings.Join(parts[5:], ":"))
}

// matchARN matches request ARN v against a compiled policy ARN component by
// component, so a wildcard never crosses a component's colon.
func matchARN(parts []pattern, v string, ctx *env) bool {
	if len(parts) == 1 {
		return parts[0].match(v, false, ctx)
	}
	start := 0
	for i := 0; i < 5; i++ {
		colon := strings.IndexByte(v[start:], ':')
		if colon < 0 {
			return false
		}
		if !parts[i].match(v[start:start+colon], false, ctx) {
			return false
		}
		start += colon + 1
	}
	return parts[5].match(v[start:], false, ctx)
}
