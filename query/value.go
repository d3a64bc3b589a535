package query

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// formatter renders one non-NULL value as Athena prints it.
type formatter func(v any) string

// athenaColumn maps a DuckDB result column to Athena's ColumnInfo and the
// formatter of its values.
func athenaColumn(name, duckType string) (Column, formatter) {
	c := Column{Name: name, Nullable: "UNKNOWN"}
	t := strings.ToUpper(duckType)
	switch {
	case strings.HasSuffix(t, "]"):
		c.Type = "array"
	case strings.HasPrefix(t, "MAP("):
		c.Type = "map"
	case strings.HasPrefix(t, "STRUCT("):
		c.Type = "row"
	case strings.HasPrefix(t, "DECIMAL"):
		c.Type = "decimal"
		fmt.Sscanf(t, "DECIMAL(%d,%d)", &c.Precision, &c.Scale)
	case t == "VARCHAR":
		c.Type, c.Precision = "varchar", 2147483647
	case t == "BIGINT" || t == "HUGEINT" || t == "UBIGINT" || t == "UINTEGER" || t == "UHUGEINT":
		c.Type, c.Precision = "bigint", 19
	case t == "INTEGER" || t == "USMALLINT":
		c.Type, c.Precision = "integer", 10
	case t == "SMALLINT" || t == "UTINYINT":
		c.Type, c.Precision = "smallint", 5
	case t == "TINYINT":
		c.Type, c.Precision = "tinyint", 3
	case t == "DOUBLE":
		c.Type, c.Precision = "double", 17
	case t == "FLOAT":
		c.Type, c.Precision = "float", 17
	case t == "BOOLEAN":
		c.Type = "boolean"
	case t == "DATE":
		c.Type = "date"
		return c, func(v any) string { return formatTime(v, "2006-01-02") }
	case t == "TIMESTAMPTZ" || t == "TIMESTAMP WITH TIME ZONE":
		c.Type, c.Precision, c.Scale = "timestamp with time zone", 3, 0
		return c, func(v any) string { return formatTime(v, "2006-01-02 15:04:05.000") + " UTC" }
	case strings.HasPrefix(t, "TIMESTAMP"):
		c.Type, c.Precision = "timestamp", 3
		return c, func(v any) string { return formatTime(v, "2006-01-02 15:04:05.000") }
	case t == "TIME" || t == "TIMETZ":
		c.Type, c.Precision = "time", 3
		return c, func(v any) string { return formatTime(v, "15:04:05.000") }
	case t == "BLOB":
		c.Type = "varbinary"
	case t == "JSON":
		c.Type = "json"
	case t == "INTERVAL":
		c.Type = "interval day to second"
	case t == "UUID":
		c.Type = "uuid"
	case t == "NULL" || t == "":
		c.Type = "unknown"
	default:
		c.Type = strings.ToLower(t)
	}
	if c.Type == "row" || c.Type == "array" || c.Type == "map" {
		typ := parseComplexType(duckType)
		return c, func(v any) string { return formatTyped(v, typ) }
	}
	return c, formatValue
}

func formatTime(v any, layout string) string {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(layout)
	}
	return formatValue(v)
}

// formatValue renders any value DuckDB's driver returns the way Athena
// (Trino's client protocol rendered as text) does: arrays [a, b], maps
// {k=v}, rows {name=value}, doubles as Java prints them.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case *big.Int:
		return x.String()
	case float64:
		return javaDouble(x, 64)
	case float32:
		return javaDouble(float64(x), 32)
	case duckdb.Decimal:
		return formatDecimal(x)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.UTC().Format("2006-01-02")
		}
		return x.UTC().Format("2006-01-02 15:04:05.000")
	case []byte:
		return spacedHex(x)
	case duckdb.Interval:
		d := time.Duration(x.Micros) * time.Microsecond
		days := int64(x.Days) + int64(x.Months)*30
		return fmt.Sprintf("%d %02d:%02d:%02d.%03d", days, int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60, d.Milliseconds()%1000)
	case duckdb.UUID:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case duckdb.OrderedMap:
		return formatMap(&x)
	case *duckdb.OrderedMap:
		return formatMap(x)
	case duckdb.Map:
		keys := make([]string, 0, len(x))
		vals := make(map[string]string, len(x))
		for k, e := range x {
			ks := formatValue(k)
			keys = append(keys, ks)
			vals[ks] = formatValue(e)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + vals[k]
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[string]any:
		// A STRUCT reached without its type (formatTyped keeps the
		// declared order when it has the type): names sort.
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + formatValue(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func formatMap(m *duckdb.OrderedMap) string {
	keys, vals := m.Keys(), m.Values()
	parts := make([]string, len(keys))
	for i := range keys {
		parts[i] = formatValue(keys[i]) + "=" + formatValue(vals[i])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func spacedHex(b []byte) string {
	h := hex.EncodeToString(b)
	var s strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			s.WriteByte(' ')
		}
		s.WriteString(h[i : i+2])
	}
	return s.String()
}

func formatDecimal(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	s := new(big.Int).Abs(d.Value).String()
	neg := d.Value.Sign() < 0
	scale := int(d.Scale)
	if scale > 0 {
		for len(s) <= scale {
			s = "0" + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// javaDouble formats f as Java's Double.toString (Trino's text form of a
// double): plain notation with at least one fractional digit for 1e-3 <=
// |f| < 1e7, else d.dddE±n; shortest digits that round-trip.
func javaDouble(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	a := math.Abs(f)
	if a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, bits) // 1.234e-05
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}
