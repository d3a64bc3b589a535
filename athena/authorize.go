package athena

// Authorization: every operation asks auth.Check for athena:<Operation>
// on the resource the Service Authorization Reference names, after the
// request is decoded and checked and before anything changes:
//
//   - work-group operations and StartQueryExecution/ListQueryExecutions:
//     arn:aws:athena:<region>:<account>:workgroup/<name> ("primary" when
//     none is named);
//   - GetQueryExecution, GetQueryResults, StopQueryExecution and each id
//     of BatchGetQueryExecution: the work group the execution ran in
//     (looked up first, so an unknown id is still InvalidRequestException);
//   - GetDataCatalog, GetDatabase, ListDatabases, GetTableMetadata,
//     ListTableMetadata: …:datacatalog/<name>; ListWorkGroups and
//     ListDataCatalogs: "*".
//
// So that Athena is no way around the Glue and S3 permissions (as in AWS,
// where Athena acts with the caller's credentials):
//
//   - the catalog metadata operations also need the Glue action that
//     reads the same thing (glue:GetDatabase, glue:GetDatabases,
//     glue:GetTable, glue:GetTables) on the Glue catalog, database and
//     table ARNs;
//   - StartQueryExecution needs s3:PutObject on the result object it
//     will write (s3://bucket/prefix/<id>.csv), asked by the execution
//     manager once the location (the request's or the work group's) is
//     known and before the execution is recorded;
//   - GetQueryResults needs s3:GetObject on that result object.
//
//   - every table a statement reads (SELECT, the sources of CTAS and
//     INSERT INTO) needs glue:GetTable on the catalog, its database and
//     itself, and a DDL or SHOW statement the Glue action it performs
//     (glue:CreateTable, glue:DeleteTable, glue:BatchCreatePartition,
//     glue:GetTables…) on the catalog, asked by the query engine as it
//     runs (query.WithAccess); a refusal fails the query with
//     PERMISSION_DENIED "Insufficient permissions to execute the query.".
//
//   - what a statement does in the lake, asked by the query engine as it
//     runs (query.WithObjectAccess): s3:ListBucket (with s3:prefix) on
//     every location it lists, s3:GetObject on every data file it reads,
//     s3:PutObject on every object CTAS and INSERT INTO write.
//
// Not authorized: the database and table ARNs of a DDL statement's Glue
// action (only the catalog's).
//
// A refusal is AccessDeniedException (HTTP 400) with auth's wording.

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/query"
)

const codeAccessDenied = "AccessDeniedException"

func callRegion(c *protocol.Call) string {
	if c.Caller.Region != "" {
		return c.Caller.Region
	}
	return "us-east-1"
}

func (s *service) workGroupARN(c *protocol.Call, name string) string {
	if name == "" {
		name = execution.PrimaryWorkGroup
	}
	return "arn:aws:athena:" + callRegion(c) + ":" + s.accountID + ":workgroup/" + name
}

func (s *service) dataCatalogARN(c *protocol.Call, name string) string {
	return "arn:aws:athena:" + callRegion(c) + ":" + s.accountID + ":datacatalog/" + name
}

func (s *service) glueARN(c *protocol.Call, resource string) string {
	return "arn:aws:glue:" + callRegion(c) + ":" + s.accountID + ":" + resource
}

// authorize checks athena:<c.Operation> on resource.
func (s *service) authorize(ctx context.Context, c *protocol.Call, resource string) error {
	return accessDenied(auth.Check(ctx, "athena:"+c.Operation, resource, nil))
}

// authorizeGlue checks a Glue action on the catalog and, when db is not
// "", the database and, when table is not "", the table ("*" for all).
func (s *service) authorizeGlue(ctx context.Context, c *protocol.Call, action, db, table string) error {
	resources := []string{s.glueARN(c, "catalog")}
	db, table = strings.ToLower(db), strings.ToLower(table)
	if db != "" {
		resources = append(resources, s.glueARN(c, "database/"+db))
	}
	if table != "" {
		resources = append(resources, s.glueARN(c, "table/"+db+"/"+table))
	}
	for _, r := range resources {
		if err := accessDenied(auth.Check(ctx, action, r, nil)); err != nil {
			return err
		}
	}
	return nil
}

// onCatalog authorizes a metadata operation: athena:<Operation> on the
// data catalog, then the Glue action reading the same resources.
func (s *service) onCatalog(ctx context.Context, c *protocol.Call, catalogName, glueAction, db, table string) error {
	if err := s.authorize(ctx, c, s.dataCatalogARN(c, catalogName)); err != nil {
		return err
	}
	return s.authorizeGlue(ctx, c, glueAction, db, table)
}

// onExecution looks up execution id and authorizes the call on its work
// group; it returns the execution.
func (s *service) onExecution(ctx context.Context, c *protocol.Call, id string) (execution.Execution, error) {
	e, err := s.m.Get(id)
	if err != nil {
		return e, s.wireError(c, err)
	}
	return e, s.authorize(ctx, c, s.workGroupARN(c, e.WorkGroup))
}

// s3ObjectARN is the ARN of the object at an s3://bucket/key location.
func s3ObjectARN(loc string) string {
	return "arn:aws:s3:::" + strings.TrimPrefix(loc, "s3://")
}

// catalogAccess is StartInput.Access: the Glue action on the catalog,
// database and table, as the caller. The check runs after the request
// has been answered, so it is asked on a context that carries only the
// caller's subject (not the request's audit event, written by then).
func (s *service) catalogAccess(ctx context.Context, c *protocol.Call) query.Access {
	sub, _ := auth.SubjectFrom(ctx)
	detached := auth.WithSubject(context.Background(), sub)
	call := &protocol.Call{Operation: c.Operation, Caller: c.Caller} // c's buffers are reused once it is answered
	return func(action, db, table string) error {
		err := s.authorizeGlue(detached, call, action, db, table)
		var pe *protocol.Error
		if errors.As(err, &pe) {
			return errors.New(pe.Message) // the query's failure reason carries auth's wording alone
		}
		return err
	}
}

// objectAccess is StartInput.ObjectAccess: the S3 action on a lake
// resource, as the caller, on the same detached context as catalogAccess.
func objectAccess(ctx context.Context) query.ObjectAccess {
	sub, _ := auth.SubjectFrom(ctx)
	detached := auth.WithSubject(context.Background(), sub)
	return func(action, resource string, conditions map[string][]string) error {
		return auth.Check(detached, action, resource, conditions)
	}
}

// resultWriter is StartInput.Authorize: s3:PutObject on the result object.
func resultWriter(ctx context.Context) func(string) error {
	return func(loc string) error {
		return accessDenied(auth.Check(ctx, "s3:PutObject", s3ObjectARN(loc), nil))
	}
}

// accessDenied maps auth's refusal to AccessDeniedException.
func accessDenied(err error) error {
	var d *auth.DeniedError
	if errors.As(err, &d) {
		return &protocol.Error{Code: codeAccessDenied, Status: http.StatusBadRequest, Message: d.Error()}
	}
	return err
}
