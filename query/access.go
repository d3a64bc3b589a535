package query

import (
	"context"
	"fmt"
	"strings"

	"github.com/caudal/caudal/lake"
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

// ObjectAccess decides whether the statement being run may perform an S3
// action ("s3:GetObject") on a lake resource ARN, with the action's
// condition keys (lower case, as policy.Request wants them; nil for
// none). A non-nil error refuses it. The Athena skin sets one per
// execution so that a query reads and writes through the lake only what
// the caller may read and write through S3, as Athena does with the
// caller's credentials.
type ObjectAccess func(action, resource string, conditions map[string][]string) error

type objectAccessKey struct{}

// WithObjectAccess returns ctx carrying a; Run then asks it for
// s3:ListBucket on every location a statement lists (with s3:prefix),
// s3:GetObject on every data file a query reads, and s3:PutObject on
// every object CTAS and INSERT INTO write.
func WithObjectAccess(ctx context.Context, a ObjectAccess) context.Context {
	return context.WithValue(ctx, objectAccessKey{}, a)
}

// allowObject asks ctx's ObjectAccess, if any, refusing as allow does.
func allowObject(ctx context.Context, action, bucket, key string, conditions map[string][]string) error {
	a, _ := ctx.Value(objectAccessKey{}).(ObjectAccess)
	if a == nil {
		return nil
	}
	arn := "arn:aws:s3:::" + bucket
	if key != "" || action != "s3:ListBucket" {
		arn += "/" + key
	}
	return allowResource(ctx, a, action, arn, conditions)
}

// allowSealedObject asks ctx's ObjectAccess, if any, for kms:Decrypt on
// the customer-managed KMS key bucket/key is sealed under, as S3 does
// before GetObject hands out such an object (the AWS-managed aws/s3 key
// needs no KMS permission).
func allowSealedObject(ctx context.Context, lk *lake.Lake, bucket, key string) error {
	a, _ := ctx.Value(objectAccessKey{}).(ObjectAccess)
	if a == nil {
		return nil
	}
	info, err := lk.HeadObject(bucket, key)
	if err != nil {
		return fmt.Errorf("query: head %s/%s: %w", bucket, key, err)
	}
	arn, err := lk.ObjectCustomerKey(info)
	if err != nil || arn == "" {
		return err
	}
	return allowResource(ctx, a, "kms:Decrypt", arn, nil)
}

func allowResource(ctx context.Context, a ObjectAccess, action, arn string, conditions map[string][]string) error {
	if err := a(action, arn, conditions); err != nil {
		return &Error{Kind: ErrQuery, Code: "PERMISSION_DENIED",
			Message: "Insufficient permissions to execute the query. " + err.Error(), Err: err}
	}
	return nil
}

// listCondition is s3:ListBucket's condition keys for a listing of prefix.
func listCondition(prefix string) map[string][]string {
	return map[string][]string{"s3:prefix": {prefix}}
}
