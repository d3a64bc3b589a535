package query

import (
	"context"
	"strings"
)

// Access decides whether the statement being run may perform a Glue
// action ("glue:GetTable") on table db.table; db and table are lower case,
// table is "" for an action on a database and both are "" for an action
// on the whole catalog. A non-nil error refuses it. The Athena skin sets
// one per execution so that a query does through the catalog only what
// the caller may do through Glue.
type Access func(action, db, table string) error

type accessKey struct{}

// WithAccess returns ctx carrying a; Run then asks it for every table a
// statement reads (glue:GetTable on each table of a SELECT, and of the
// sources of CTAS and INSERT INTO) before the table is looked up, and for
// the Glue action of a DDL or SHOW statement (ddlAction) on the catalog
// before it runs.
func WithAccess(ctx context.Context, a Access) context.Context {
	return context.WithValue(ctx, accessKey{}, a)
}

// allow asks ctx's Access, if any. A refusal is PERMISSION_DENIED,
// Athena's "Insufficient permissions to execute the query." with the
// refusal's wording after it.
func allow(ctx context.Context, action, db, table string) error {
	a, _ := ctx.Value(accessKey{}).(Access)
	if a == nil {
		return nil
	}
	if err := a(action, strings.ToLower(db), strings.ToLower(table)); err != nil {
		return &Error{Kind: ErrQuery, Code: "PERMISSION_DENIED",
			Message: "Insufficient permissions to execute the query. " + err.Error(), Err: err}
	}
	return nil
}

// ddlAction is the Glue action a DDL or utility statement performs on the
// catalog, from its leading words; "" when there is none to name (the
// statement is refused later as unsupported).
func ddlAction(toks []token) string {
	var words []string
	for _, t := range toks {
		if t.kind == tokSpace || t.kind == tokComment {
			continue
		}
		words = append(words, t.lower())
	}
	at := func(i int) string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	switch at(0) {
	case "create":
		if at(1) == "database" || at(1) == "schema" {
			return "glue:CreateDatabase"
		}
		return "glue:CreateTable"
	case "drop":
		if at(1) == "database" || at(1) == "schema" {
			return "glue:DeleteDatabase"
		}
		return "glue:DeleteTable"
	case "show":
		switch at(1) {
		case "databases", "schemas":
			return "glue:GetDatabases"
		case "tables":
			return "glue:GetTables"
		case "partitions":
			return "glue:GetPartitions"
		}
		return "glue:GetTable"
	case "describe", "desc":
		return "glue:GetTable"
	case "msck":
		return "glue:BatchCreatePartition"
	case "alter":
		for _, w := range words[1:] {
			switch w {
			case "add":
				return "glue:BatchCreatePartition"
			case "drop":
				return "glue:BatchDeletePartition"
			}
		}
		return "glue:UpdateTable"
	}
	return ""
}
