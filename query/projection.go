package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caudal/caudal/catalog"
)

// Partition projection (Athena's "Partition projection with Amazon
// Athena"): a table whose TBLPROPERTIES say projection.enabled = 'true'
// has its partitions computed from properties instead of read from the
// catalog. Each partition key declares projection.<key>.type:
//
//	integer   projection.<key>.range 'lo,hi', .interval (1), .digits (0)
//	date      projection.<key>.range 'start,end' in .format or NOW[±n UNIT],
//	          .format (a Java DateTimeFormatter pattern), .interval (1),
//	          .interval.unit (YEARS … SECONDS; default the format's finest)
//	enum      projection.<key>.values 'a,b,c' (blanks are part of values)
//	injected  the values are the WHERE clause's equality literals
//
// storage.location.template ('s3://b/p/${key1}/${key2}/') places each
// partition; without it the table location plus Hive's key=value/ path.
// The candidate values of each key are filtered by the WHERE clause's
// simple predicates on that key (the same extraction catalog pruning
// uses), so a query reads only the partitions it can match; locations
// with no files are skipped.

// maxProjectedPartitions bounds the partitions one table reference may
// project. Athena's bound is 1,000,000; each projected partition here costs
// a lake listing, so the bound is lower, high enough for an hourly
// partitioning over ten years.
const maxProjectedPartitions = 100_000

// maxProjectionSteps bounds the values one key's range may enumerate
// before the WHERE clause filters them (an integer range 0,10^12 with no
// predicate).
const maxProjectionSteps = 10_000_000

// projectionEnabled reports whether t's partitions are projected.
func projectionEnabled(t *catalog.Table) bool {
	return strings.EqualFold(strings.TrimSpace(t.Parameters["projection.enabled"]), "true")
}

func projectionError(t *catalog.Table, format string, args ...any) error {
	return &Error{Kind: ErrInvalidTable, Code: "HIVE_METASTORE_ERROR",
		Message: fmt.Sprintf("Partition projection of table %s.%s: ", t.DatabaseName, t.Name) + fmt.Sprintf(format, args...)}
}

// projectedPartitions computes the partitions of t the query in ref reads.
// Each partition carries its location when the table has a location
// template; otherwise the caller derives the Hive path.
func (e *Engine) projectedPartitions(t *catalog.Table, ref *tableRef) ([]catalog.Partition, error) {
	now := time.Now().UTC()
	if e.cfg.Now != nil {
		now = e.cfg.Now().UTC()
	}
	where := conjuncts(ref.where, 0)
	values := make([][]string, len(t.PartitionKeys))
	total := 1
	for i, k := range t.PartitionKeys {
		vals, err := projectKey(t, k, where, ref, now)
		if err != nil {
			return nil, err
		}
		values[i] = vals
		total *= len(vals)
		if total == 0 {
			return nil, nil
		}
		if total > maxProjectedPartitions {
			return nil, &Error{Kind: ErrQuery, Code: "HIVE_EXCEEDED_PARTITION_LIMIT",
				Message: fmt.Sprintf("Partition projection of table %s.%s would read more than %d partitions; add WHERE conditions on its partition columns (%s) to narrow it",
					t.DatabaseName, t.Name, maxProjectedPartitions, keyNames(t.PartitionKeys))}
		}
	}
	template := strings.TrimSpace(t.Parameters["storage.location.template"])
	if template != "" {
		for _, k := range t.PartitionKeys {
			if !strings.Contains(template, "${"+k.Name+"}") && !strings.Contains(template, "${"+strings.ToLower(k.Name)+"}") {
				return nil, projectionError(t, "storage.location.template %q does not contain ${%s}", template, k.Name)
			}
		}
	}
	parts := make([]catalog.Partition, 0, total)
	combo := make([]string, len(values))
	var walk func(i int)
	walk = func(i int) {
		if i == len(values) {
			p := catalog.Partition{DatabaseName: t.DatabaseName, TableName: t.Name, Values: append([]string(nil), combo...)}
			if template != "" {
				loc := template
				for j, k := range t.PartitionKeys {
					loc = strings.ReplaceAll(loc, "${"+k.Name+"}", combo[j])
					loc = strings.ReplaceAll(loc, "${"+strings.ToLower(k.Name)+"}", combo[j])
				}
				p.StorageDescriptor = &catalog.StorageDescriptor{Location: loc}
			}
			parts = append(parts, p)
			return
		}
		for _, v := range values[i] {
			combo[i] = v
			walk(i + 1)
		}
	}
	walk(0)
	return parts, nil
}

func keyNames(keys []catalog.Column) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

// keyFilter is the WHERE clause's simple predicates on key k as a test of
// one value; nil when there are none or they do not fit the key's type
// (the query's own WHERE still applies, so not pruning is sound).
func keyFilter(where [][]node, k catalog.Column, t *catalog.Table, ref *tableRef) func(string) bool {
	keys := map[string]string{strings.ToLower(k.Name): k.Name}
	var terms []string
	for _, c := range where {
		if s := pruningTerm(c, keys, t.Name, ref.alias); s != "" {
			terms = append(terms, s)
		}
	}
	if len(terms) == 0 {
		return nil
	}
	expr, err := catalog.ParseExpression(strings.Join(terms, " AND "))
	if err != nil || expr == nil {
		return nil
	}
	match, err := expr.Bind([]catalog.Column{k})
	if err != nil {
		return nil
	}
	return func(v string) bool { return match([]string{v}) }
}

// projectKey lists key k's candidate values that pass the WHERE clause.
func projectKey(t *catalog.Table, k catalog.Column, where [][]node, ref *tableRef, now time.Time) ([]string, error) {
	prefix := "projection." + k.Name + "."
	prop := func(name string) string {
		if v, ok := t.Parameters[prefix+name]; ok {
			return v
		}
		return t.Parameters["projection."+strings.ToLower(k.Name)+"."+name]
	}
	filter := keyFilter(where, k, t, ref)
	var out []string
	keep := func(v string) error {
		if filter == nil || filter(v) {
			out = append(out, v)
			if len(out) > maxProjectedPartitions {
				return &Error{Kind: ErrQuery, Code: "HIVE_EXCEEDED_PARTITION_LIMIT",
					Message: fmt.Sprintf("Partition projection of table %s.%s would read more than %d values of %s; add WHERE conditions on it to narrow it",
						t.DatabaseName, t.Name, maxProjectedPartitions, k.Name)}
			}
		}
		return nil
	}
	kind := strings.ToLower(strings.TrimSpace(prop("type")))
	switch kind {
	case "enum":
		raw, ok := t.Parameters[prefix+"values"]
		if !ok {
			raw = prop("values")
		}
		if raw == "" {
			return nil, projectionError(t, "projection.%s.values is required for an enum column", k.Name)
		}
		for _, v := range strings.Split(raw, ",") {
			if err := keep(v); err != nil {
				return nil, err
			}
		}
		return out, nil
	case "integer":
		lo, hi, err := integerRange(prop("range"))
		if err != nil {
			return nil, projectionError(t, "projection.%s.range: %v", k.Name, err)
		}
		step, err := positiveInt(prop("interval"), 1)
		if err != nil {
			return nil, projectionError(t, "projection.%s.interval: %v", k.Name, err)
		}
		digits, err := positiveInt(prop("digits"), 0)
		if err != nil || digits > 64 {
			return nil, projectionError(t, "projection.%s.digits: %q is not a small positive integer", k.Name, prop("digits"))
		}
		// Counted in uint64: hi-lo overflows int64 for the widest ranges.
		if hi >= lo && (uint64(hi)-uint64(lo))/uint64(step) >= maxProjectionSteps {
			return nil, projectionError(t, "projection.%s.range %d,%d has more than %d values", k.Name, lo, hi, maxProjectionSteps)
		}
		for v := lo; v <= hi; v += step {
			if err := keep(fmt.Sprintf("%0*d", digits, v)); err != nil {
				return nil, err
			}
			if hi-v < step { // v+step would pass hi (or overflow)
				break
			}
		}
		return out, nil
	case "date":
		layout, err := parseJavaDateFormat(prop("format"))
		if err != nil {
			return nil, projectionError(t, "projection.%s.format: %v", k.Name, err)
		}
		from, to, err := dateRange(prop("range"), layout, now)
		if err != nil {
			return nil, projectionError(t, "projection.%s.range: %v", k.Name, err)
		}
		n, err := positiveInt(prop("interval"), 1)
		if err != nil {
			return nil, projectionError(t, "projection.%s.interval: %v", k.Name, err)
		}
		unit := layout.finestUnit()
		if u := strings.TrimSpace(prop("interval.unit")); u != "" {
			var ok bool
			if unit, ok = parseDateUnit(u); !ok {
				return nil, projectionError(t, "projection.%s.interval.unit %q is not one of YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES, SECONDS", k.Name, u)
			}
		}
		for i := int64(0); ; i++ {
			if i >= maxProjectionSteps {
				return nil, projectionError(t, "projection.%s.range has more than %d values", k.Name, maxProjectionSteps)
			}
			v := addDateUnits(from, unit, i*n)
			if v.After(to) {
				return out, nil
			}
			if err := keep(layout.format(v)); err != nil {
				return nil, err
			}
		}
	case "injected":
		vals, err := injectedValues(where, k, t, ref)
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			if err := keep(v); err != nil {
				return nil, err
			}
		}
		return out, nil
	case "":
		return nil, projectionError(t, "projection.%s.type is required for every partition column", k.Name)
	}
	return nil, projectionError(t, "projection.%s.type %q is not one of enum, integer, date, injected", k.Name, kind)
}

func positiveInt(s string, def int64) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a positive integer", s)
	}
	return n, nil
}

func integerRange(s string) (lo, hi int64, err error) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, fmt.Errorf("%q is not two comma-separated integers", s)
	}
	lo, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	hi, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
	if err1 != nil || err2 != nil || strings.Contains(b, ",") {
		return 0, 0, fmt.Errorf("%q is not two comma-separated integers", s)
	}
	return lo, hi, nil
}

// injectedValues are the literals the WHERE clause's equality conditions
// (key = 'v', key IN ('v', …)) allow for key k; several such conjuncts
// intersect. Athena refuses a query with none, or with any other
// condition on the key.
func injectedValues(where [][]node, k catalog.Column, t *catalog.Table, ref *tableRef) ([]string, error) {
	violation := &Error{Kind: ErrQuery, Code: "CONSTRAINT_VIOLATION",
		Message: fmt.Sprintf("For the injected projected partition column %s, the WHERE clause must contain only static equality conditions, and at least one such condition must be present.", k.Name)}
	keys := map[string]string{strings.ToLower(k.Name): k.Name}
	var vals []string
	seen := false
	for _, c := range where {
		eq, ok := equalityLiterals(c, keys, t.Name, ref.alias)
		if !ok {
			if pruningTerm(c, keys, t.Name, ref.alias) != "" {
				return nil, violation // a range or <> on the key
			}
			continue
		}
		if !seen {
			vals, seen = eq, true
			continue
		}
		var both []string
		for _, v := range vals {
			for _, w := range eq {
				if v == w {
					both = append(both, v)
					break
				}
			}
		}
		vals = both
	}
	if !seen {
		return nil, violation
	}
	return vals, nil
}

// equalityLiterals reads key = lit, lit = key or key IN (lit, …).
func equalityLiterals(c []node, keys map[string]string, table, alias string) ([]string, bool) {
	if _, n := keyAt(c, keys, table, alias); n > 0 {
		rest := c[n:]
		if len(rest) >= 2 && !rest[0].group && rest[0].tok.isOp("=") {
			if lit, m := literalAt(rest[1:]); m > 0 && m == len(rest)-1 {
				return []string{unquoteLiteral(lit)}, true
			}
			return nil, false
		}
		if len(rest) == 2 && rest[0].tok.is("in") && rest[1].isGroup("(") {
			var out []string
			for _, a := range splitArgs(rest[1].kids) {
				lit, m := literalAt(a)
				if m == 0 || m != len(a) {
					return nil, false
				}
				out = append(out, unquoteLiteral(lit))
			}
			return out, true
		}
		return nil, false
	}
	if lit, n := literalAt(c); n > 0 && len(c) > n+1 && !c[n].group && c[n].tok.isOp("=") {
		if _, m := keyAt(c[n+1:], keys, table, alias); m > 0 && n+1+m == len(c) {
			return []string{unquoteLiteral(lit)}, true
		}
	}
	return nil, false
}

// unquoteLiteral turns a literal's source text ('it”s', 12) into its value.
func unquoteLiteral(lit string) string {
	if len(lit) >= 2 && lit[0] == '\'' && lit[len(lit)-1] == '\'' {
		return strings.ReplaceAll(lit[1:len(lit)-1], "''", "'")
	}
	return lit
}

// Date units of interval.unit and relative range bounds.
type dateUnit int

const (
	unitSeconds dateUnit = iota
	unitMinutes
	unitHours
	unitDays
	unitWeeks
	unitMonths
	unitYears
)

func parseDateUnit(s string) (dateUnit, bool) {
	u := strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "S")
	switch u {
	case "SECOND":
		return unitSeconds, true
	case "MINUTE":
		return unitMinutes, true
	case "HOUR":
		return unitHours, true
	case "DAY":
		return unitDays, true
	case "WEEK":
		return unitWeeks, true
	case "MONTH":
		return unitMonths, true
	case "YEAR":
		return unitYears, true
	}
	return 0, false
}

// addDateUnits adds n units to t, counting months and years on the
// calendar.
func addDateUnits(t time.Time, u dateUnit, n int64) time.Time {
	switch u {
	case unitSeconds:
		return t.Add(time.Duration(n) * time.Second)
	case unitMinutes:
		return t.Add(time.Duration(n) * time.Minute)
	case unitHours:
		return t.Add(time.Duration(n) * time.Hour)
	case unitDays:
		return t.AddDate(0, 0, int(n))
	case unitWeeks:
		return t.AddDate(0, 0, 7*int(n))
	case unitMonths:
		return t.AddDate(0, int(n), 0)
	}
	return t.AddDate(int(n), 0, 0)
}

// dateRange reads 'start,end': each a date in the layout, or NOW with an
// optional offset (NOW-3DAYS, NOW+1HOUR). Both are truncated to the
// layout's precision, as Athena parses them with the format.
func dateRange(s string, layout javaDateFormat, now time.Time) (from, to time.Time, err error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return from, to, fmt.Errorf("%q is not two comma-separated dates", s)
	}
	var bounds [2]time.Time
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if strings.HasPrefix(strings.ToUpper(p), "NOW") {
			t, err := relativeDate(p[3:], now)
			if err != nil {
				return from, to, fmt.Errorf("%q: %w", p, err)
			}
			if t, err = layout.parse(layout.format(t)); err != nil {
				return from, to, err
			}
			bounds[i] = t
			continue
		}
		t, err := layout.parse(p)
		if err != nil {
			return from, to, err
		}
		bounds[i] = t
	}
	return bounds[0], bounds[1], nil
}

// relativeDate applies an offset such as "-3DAYS" or "+1HOUR" ("" is none).
func relativeDate(off string, now time.Time) (time.Time, error) {
	off = strings.TrimSpace(off)
	if off == "" {
		return now, nil
	}
	sign := int64(1)
	switch off[0] {
	case '-':
		sign = -1
	case '+':
	default:
		return now, fmt.Errorf("expected NOW, NOW+<n><unit> or NOW-<n><unit>")
	}
	rest := strings.TrimSpace(off[1:])
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(rest[:i], 10, 32)
	if err != nil {
		return now, fmt.Errorf("expected a number after NOW%c", off[0])
	}
	u, ok := parseDateUnit(rest[i:])
	if !ok {
		return now, fmt.Errorf("unit %q is not one of YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES, SECONDS", rest[i:])
	}
	return addDateUnits(now, u, sign*n), nil
}

// javaDateFormat is a Java DateTimeFormatter pattern restricted to the
// fixed-width numeric fields partition paths use (yyyy MM dd HH mm ss)
// and literal text: punctuation, or letters in single quotes (” is a
// quote). Formatting and parsing are done here rather than through Go's
// layouts, whose reference digits would clash with literal text.
type javaDateFormat []datePiece

type datePiece struct {
	field byte // 'y', 'M', 'd', 'H', 'm', 's'; 0 for literal text
	lit   string
}

var dateFieldWidth = map[string]byte{"yyyy": 'y', "MM": 'M', "dd": 'd', "HH": 'H', "mm": 'm', "ss": 's'}

func parseJavaDateFormat(p string) (javaDateFormat, error) {
	if p == "" {
		return nil, fmt.Errorf("required for a date column")
	}
	var out javaDateFormat
	lit := func(s string) {
		if n := len(out); n > 0 && out[n-1].field == 0 {
			out[n-1].lit += s
			return
		}
		out = append(out, datePiece{lit: s})
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				lit("'")
				i += 2
				continue
			}
			end := i + 1
			var b strings.Builder
			for {
				if end >= len(p) {
					return nil, fmt.Errorf("unterminated quote in %q", p)
				}
				if p[end] == '\'' {
					if end+1 < len(p) && p[end+1] == '\'' {
						b.WriteByte('\'')
						end += 2
						continue
					}
					break
				}
				b.WriteByte(p[end])
				end++
			}
			lit(b.String())
			i = end + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			f, ok := dateFieldWidth[p[i:j]]
			if !ok {
				return nil, fmt.Errorf("pattern letters %q in %q are not supported (supported: yyyy, MM, dd, HH, mm, ss and 'quoted text')", p[i:j], p)
			}
			out = append(out, datePiece{field: f})
			i = j
		default:
			lit(string(c))
			i++
		}
	}
	return out, nil
}

func (f javaDateFormat) format(t time.Time) string {
	var b strings.Builder
	for _, p := range f {
		switch p.field {
		case 0:
			b.WriteString(p.lit)
		case 'y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'M':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'm':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 's':
			fmt.Fprintf(&b, "%02d", t.Second())
		}
	}
	return b.String()
}

// parse reads s in the format; missing fields are their minimum (month
// and day 1, time 0), in UTC.
func (f javaDateFormat) parse(s string) (time.Time, error) {
	v := map[byte]int{'y': 1970, 'M': 1, 'd': 1}
	rest := s
	for _, p := range f {
		if p.field == 0 {
			if !strings.HasPrefix(rest, p.lit) {
				return time.Time{}, fmt.Errorf("%q does not match the format", s)
			}
			rest = rest[len(p.lit):]
			continue
		}
		w := 2
		if p.field == 'y' {
			w = 4
		}
		if len(rest) < w {
			return time.Time{}, fmt.Errorf("%q does not match the format", s)
		}
		n, err := strconv.Atoi(rest[:w])
		if err != nil || n < 0 {
			return time.Time{}, fmt.Errorf("%q does not match the format", s)
		}
		v[p.field] = n
		rest = rest[w:]
	}
	if rest != "" {
		return time.Time{}, fmt.Errorf("%q does not match the format", s)
	}
	t := time.Date(v['y'], time.Month(v['M']), v['d'], v['H'], v['m'], v['s'], 0, time.UTC)
	if t.Month() != time.Month(v['M']) || t.Day() != v['d'] || t.Hour() != v['H'] || t.Minute() != v['m'] || t.Second() != v['s'] {
		return time.Time{}, fmt.Errorf("%q is not a valid date", s)
	}
	return t, nil
}

// finestUnit is the default interval.unit: the format's smallest field.
func (f javaDateFormat) finestUnit() dateUnit {
	u := unitYears
	for _, p := range f {
		var pu dateUnit
		switch p.field {
		case 'y':
			pu = unitYears
		case 'M':
			pu = unitMonths
		case 'd':
			pu = unitDays
		case 'H':
			pu = unitHours
		case 'm':
			pu = unitMinutes
		case 's':
			pu = unitSeconds
		default:
			continue
		}
		if pu < u {
			u = pu
		}
	}
	return u
}
