package glue

// Authorization: every operation asks auth.Check for glue:<Operation> on
// each Data Catalog resource AWS requires for it (all must be allowed),
// after the request is decoded and checked and before the catalog is read
// or changed. The resources ("Specifying AWS Glue resource ARNs"):
//
//   - the catalog, arn:aws:glue:<region>:<account>:catalog, always;
//   - the database, …:database/<name>, for every database or table call;
//   - the table, …:table/<database>/<table>, for table and partition calls
//     (BatchDeleteTable: each table named);
//   - GetDatabases: …:database/*; GetTables: …:table/<database>/*;
//   - DeleteDatabase, which drops the tables too: …:table/<database>/*
//     and then each table the database holds, so a Deny on one table also
//     keeps its database from being dropped.
//
// Names are lower-cased as Glue stores them. A refusal is
// AccessDeniedException (HTTP 400) with auth's wording.

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/protocol"
)

const codeAccessDenied = "AccessDeniedException"

// arns builds the catalog's resource ARNs for a call's region.
type arns struct{ prefix string }

func (s *service) arns(c *protocol.Call) arns {
	reg := c.Caller.Region
	if reg == "" {
		reg = "us-east-1"
	}
	return arns{prefix: "arn:aws:glue:" + reg + ":" + s.accountID + ":"}
}

func (a arns) catalog() string { return a.prefix + "catalog" }

func (a arns) database(db string) string { return a.prefix + "database/" + strings.ToLower(db) }

func (a arns) table(db, table string) string {
	return a.prefix + "table/" + strings.ToLower(db) + "/" + strings.ToLower(table)
}

// authorize checks glue:<c.Operation> on every resource, in order.
func (s *service) authorize(ctx context.Context, c *protocol.Call, resources ...string) error {
	for _, r := range resources {
		if err := auth.Check(ctx, "glue:"+c.Operation, r, nil); err != nil {
			return accessDenied(err)
		}
	}
	return nil
}

// onTable authorizes a call on the catalog, database db and table.
func (s *service) onTable(ctx context.Context, c *protocol.Call, db, table string) error {
	a := s.arns(c)
	return s.authorize(ctx, c, a.catalog(), a.database(db), a.table(db, table))
}

// onDatabase authorizes a call on the catalog and database db.
func (s *service) onDatabase(ctx context.Context, c *protocol.Call, db string) error {
	a := s.arns(c)
	return s.authorize(ctx, c, a.catalog(), a.database(db))
}

// accessDenied maps auth's refusal to Glue's AccessDeniedException.
func accessDenied(err error) error {
	var d *auth.DeniedError
	if errors.As(err, &d) {
		return &protocol.Error{Code: codeAccessDenied, Status: http.StatusBadRequest, Message: d.Error()}
	}
	return err
}

// authorizeDropDatabase authorizes DeleteDatabase of db: the catalog, the
// database, table/<db>/* and every table in it.
func (s *service) authorizeDropDatabase(ctx context.Context, c *protocol.Call, db string) error {
	a := s.arns(c)
	if err := s.authorize(ctx, c, a.catalog(), a.database(db), a.table(db, "*")); err != nil {
		return err
	}
	p := catalog.Page{}
	for {
		ts, next, err := s.c.ListTables(db, "", p)
		if err != nil {
			return nil // the database is gone or unreadable: DeleteDatabase reports it
		}
		for i := range ts {
			if err := s.authorize(ctx, c, a.table(db, ts[i].Name)); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		p.NextToken = next
	}
}
