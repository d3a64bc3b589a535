package query

import (
	"strings"
)

// A rewrite turns one Trino function call (its arguments already
// translated) into DuckDB nodes. name is the call's identifier token, for
// error positions.
type rewrite func(name token, args [][]node) ([]node, error)

// renames are Trino functions DuckDB has under another name with the same
// arguments and meaning.
var renames = map[string]string{
	"approx_distinct":      "approx_count_distinct",
	"regexp_like":          "regexp_matches",
	"arbitrary":            "any_value",
	"split":                "str_split",
	"contains":             "list_contains",
	"array_join":           "array_to_string",
	"array_distinct":       "list_distinct",
	"array_max":            "list_max",
	"array_min":            "list_min",
	"array_sort":           "list_sort",
	"array_position":       "list_position",
	"transform":            "list_transform",
	"filter":               "list_filter", // not FILTER (WHERE …): see call
	"day_of_week":          "isodow",
	"dow":                  "isodow",
	"day_of_year":          "dayofyear",
	"doy":                  "dayofyear",
	"day_of_month":         "dayofmonth",
	"week_of_year":         "weekofyear",
	"year_of_week":         "isoyear",
	"yow":                  "isoyear",
	"last_day_of_month":    "last_day",
	"truncate":             "trunc",
	"rand":                 "random",
	"is_nan":               "isnan",
	"is_finite":            "isfinite",
	"is_infinite":          "isinf",
	"codepoint":            "unicode",
	"to_hex":               "hex",
	"from_hex":             "unhex",
	"levenshtein_distance": "levenshtein",
	"hamming_distance":     "hamming",
	"regexp_split":         "string_split_regex",
	"to_unixtime":          "epoch",
	"from_unixtime":        "to_timestamp",
	"approx_percentile":    "approx_quantile",
	"element_at":           "", // handled by rewrites
}

// templates are rewrites written as DuckDB SQL in which _1, _2, … stand for
// the call's arguments, keyed by "name/arity".
var templates = map[string]string{
	"element_at/2":             "(_1)[_2]",
	"from_iso8601_timestamp/1": "CAST(_1 AS TIMESTAMPTZ)",
	"from_iso8601_date/1":      "CAST(_1 AS DATE)",
	"date/1":                   "CAST(_1 AS DATE)",
	"json_parse/1":             "CAST(_1 AS JSON)",
	"json_format/1":            "CAST(_1 AS VARCHAR)",
	"date_diff/3":              "date_sub(_1, _2, _3)",
	"date_trunc/2":             "athena_date_trunc(_1, _2)",
	"millisecond/1":            "athena_millisecond(_1)",
	"if/2":                     "CASE WHEN _1 THEN _2 END",
	"replace/2":                "replace(_1, _2, '')",
	"regexp_replace/2":         "regexp_replace(_1, _2, '', 'g')",
	"regexp_extract/2":         "athena_regexp_extract(_1, _2)",
	"regexp_extract/3":         "athena_regexp_extract(_1, _2, _3)",
	"slice/3":                  "list_slice(_1, _2, _2 + _3 - 1)",
	"current_timezone/0":       "'UTC'",
	"to_unixtime/1":            "epoch(_1)",
	"from_unixtime/1":          "to_timestamp(_1)",
	"approx_percentile/2":      "approx_quantile(_1, _2)",
	"cardinality/1":            "athena_cardinality(_1)",
	"json_extract_scalar/2":    "athena_json_extract_scalar(_1, _2)",
}

// parsedTemplates holds templates as trees, built once.
var parsedTemplates = func() map[string][]node {
	out := make(map[string][]node, len(templates))
	for k, src := range templates {
		toks, err := tokenize(src)
		if err != nil {
			panic("query: bad template " + k + ": " + err.Error())
		}
		nodes, err := buildTree(toks)
		if err != nil {
			panic("query: bad template " + k + ": " + err.Error())
		}
		out[k] = nodes
	}
	return out
}()

// instantiate copies a template, putting args in place of _1, _2, ….
func instantiate(tmpl []node, args [][]node) []node {
	out := make([]node, 0, len(tmpl)+4)
	for _, n := range tmpl {
		if !n.group && n.tok.kind == tokIdent && len(n.tok.text) == 2 && n.tok.text[0] == '_' && n.tok.text[1] >= '1' && n.tok.text[1] <= '9' {
			if i := int(n.tok.text[1] - '1'); i < len(args) {
				out = append(out, args[i]...)
				continue
			}
		}
		if n.group {
			n.kids = instantiate(n.kids, args)
		}
		out = append(out, n)
	}
	return out
}

// special are rewrites that need to look at their arguments.
var special = map[string]rewrite{
	"date_parse":     rewriteDateParse,
	"date_format":    rewriteDateFormat,
	"date_add":       rewriteDateAdd,
	"concat":         rewriteConcat,
	"regexp_replace": rewriteRegexpReplace,
	"row":            rewriteRow,
}

func rewriteDateParse(name token, args [][]node) ([]node, error) {
	if len(args) != 2 {
		return nil, wrongArity(name, 2, len(args))
	}
	f, err := convertFormatArg(name, args[1])
	if err != nil {
		return nil, err
	}
	return callNodes("strptime", args[0], f), nil
}

func rewriteDateFormat(name token, args [][]node) ([]node, error) {
	if len(args) != 2 {
		return nil, wrongArity(name, 2, len(args))
	}
	f, err := convertFormatArg(name, args[1])
	if err != nil {
		return nil, err
	}
	return callNodes("strftime", args[0], f), nil
}

func convertFormatArg(name token, arg []node) ([]node, error) {
	if len(arg) != 1 || arg[0].group || arg[0].tok.kind != tokString {
		return nil, notSupportedf(name, "%s with a format that is not a string literal", name.lower())
	}
	f, err := convertMySQLFormat(arg[0].tok.stringValue())
	if err != nil {
		return nil, &Error{Kind: ErrQuery, Code: "INVALID_FUNCTION_ARGUMENT", Line: arg[0].tok.line, Col: arg[0].tok.col, Message: err.Error()}
	}
	return []node{stringNode(f)}, nil
}

// intervalFuncs maps date_add/date_diff units to DuckDB's interval makers.
var intervalFuncs = map[string]string{
	"millisecond": "to_milliseconds",
	"second":      "to_seconds",
	"minute":      "to_minutes",
	"hour":        "to_hours",
	"day":         "to_days",
	"week":        "to_weeks",
	"month":       "to_months",
	"quarter":     "", // three months
	"year":        "to_years",
}

// rewriteDateAdd: date_add('unit', n, x) → athena_date_add(x, to_<unit>s(n)),
// a macro that keeps a DATE a DATE as Trino does (DuckDB's date + interval
// is a TIMESTAMP).
func rewriteDateAdd(name token, args [][]node) ([]node, error) {
	if len(args) != 3 {
		return nil, wrongArity(name, 3, len(args))
	}
	if len(args[0]) != 1 || args[0][0].tok.kind != tokString {
		return nil, notSupportedf(name, "date_add with a unit that is not a string literal")
	}
	unit := strings.ToLower(args[0][0].tok.stringValue())
	fn, ok := intervalFuncs[unit]
	if !ok {
		return nil, &Error{Kind: ErrQuery, Code: "INVALID_FUNCTION_ARGUMENT", Line: args[0][0].tok.line, Col: args[0][0].tok.col,
			Message: "'" + unit + "' is not a valid Timestamp field"}
	}
	n := []node{parenNode(args[1])}
	if unit == "quarter" {
		fn = "to_months"
		n = []node{leaf(synth(tokNumber, "3")), opNode("*"), parenNode(args[1])}
	}
	return callNodes("athena_date_add", args[2], callNodes(fn, castNodes(n, "INTEGER"))), nil
}

// castNodes builds CAST(x AS typ).
func castNodes(x []node, typ string) []node {
	kids := append(append([]node{}, x...), identNode("AS"), identNode(typ))
	return []node{identNode("CAST"), parenNode(kids)}
}

// rewriteConcat: Trino's concat is NULL when any argument is (DuckDB's
// skips NULLs); || behaves as Trino's on strings and arrays alike.
func rewriteConcat(name token, args [][]node) ([]node, error) {
	if len(args) == 0 {
		return nil, wrongArity(name, 2, 0)
	}
	var kids []node
	for i, a := range args {
		if i > 0 {
			kids = append(kids, opNode("||"))
		}
		kids = append(kids, parenNode(a))
	}
	return []node{parenNode(kids)}, nil
}

// rewriteRegexpReplace: Trino replaces every match and writes groups as $1;
// DuckDB replaces the first unless told 'g' and writes groups as \1.
func rewriteRegexpReplace(name token, args [][]node) ([]node, error) {
	switch len(args) {
	case 2:
		return instantiate(parsedTemplates["regexp_replace/2"], args), nil
	case 3:
		repl := args[2]
		if len(repl) == 1 && repl[0].tok.kind == tokString {
			repl = []node{stringNode(convertReplacement(repl[0].tok.stringValue()))}
		}
		return callNodes("regexp_replace", args[0], args[1], repl, []node{stringNode("g")}), nil
	case 4: // DuckDB's own form (options last), as Translate writes it
		return callNodes("regexp_replace", args...), nil
	}
	return nil, wrongArity(name, 3, len(args))
}

// convertReplacement turns Java's $n group references into RE2's \n.
func convertReplacement(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			b.WriteByte(s[i+1])
			i++
		case s[i] == '$' && i+1 < len(s) && isDigit(s[i+1]):
			b.WriteByte('\\')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// rewriteRow: ROW(a, b) is an anonymous row whose fields Athena shows as
// field0, field1, …; DuckDB's row() has unnamed fields, which its Go
// driver cannot read back.
func rewriteRow(name token, args [][]node) ([]node, error) {
	out := make([][]node, len(args))
	for i, a := range args {
		out[i] = append([]node{identNode("field" + itoa(i)), opNode(":=")}, a...)
	}
	return callNodes("struct_pack", out...), nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func wrongArity(name token, want, got int) error {
	return &Error{Kind: ErrQuery, Code: "FUNCTION_NOT_FOUND", Line: name.line, Col: name.col,
		Message: "Unexpected parameters for function " + name.lower() + ": expected " + itoa(want) + " arguments, got " + itoa(got)}
}
