package query

import (
	"context"
	"strings"
)

// TableCheck decides whether the statement being run may read table
// db.table (names as the catalog stores them, lower case); a non-nil
// error refuses it. The Athena skin sets one per execution so that a
// query reads only the tables the caller may read through Glue
// (glue:GetTable).
type TableCheck func(db, table string) error

type tableCheckKey struct{}

// WithTableCheck returns ctx carrying check; Run asks it for every table
// a statement reads (SELECT, and the sources of CTAS and INSERT INTO)
// before the table is looked up.
func WithTableCheck(ctx context.Context, check TableCheck) context.Context {
	return context.WithValue(ctx, tableCheckKey{}, check)
}

// checkTable asks ctx's TableCheck, if any, about db.table. A refusal is
// PERMISSION_DENIED, Athena's "Insufficient permissions to execute the
// query." with the refusal's wording after it.
func checkTable(ctx context.Context, db, table string) error {
	check, _ := ctx.Value(tableCheckKey{}).(TableCheck)
	if check == nil {
		return nil
	}
	if err := check(strings.ToLower(db), strings.ToLower(table)); err != nil {
		return &Error{Kind: ErrQuery, Code: "PERMISSION_DENIED",
			Message: "Insufficient permissions to execute the query. " + err.Error(), Err: err}
	}
	return nil
}
