package query

import (
	"context"
	"errors"
	"testing"
)

func TestDDLAction(t *testing.T) {
	for sql, want := range map[string]string{
		"CREATE DATABASE d":                                  "glue:CreateDatabase",
		"create schema if not exists d":                      "glue:CreateDatabase",
		"CREATE EXTERNAL TABLE t (x int) LOCATION 's3://b/'": "glue:CreateTable",
		"CREATE TABLE t AS SELECT 1":                         "glue:CreateTable",
		"DROP DATABASE d CASCADE":                            "glue:DeleteDatabase",
		"/* c */ DROP TABLE IF EXISTS t":                     "glue:DeleteTable",
		"SHOW DATABASES":                                     "glue:GetDatabases",
		"SHOW TABLES IN d":                                   "glue:GetTables",
		"SHOW PARTITIONS t":                                  "glue:GetPartitions",
		"SHOW CREATE TABLE t":                                "glue:GetTable",
		"DESCRIBE t":                                         "glue:GetTable",
		"MSCK REPAIR TABLE t":                                "glue:BatchCreatePartition",
		"ALTER TABLE t ADD PARTITION (k='1')":                "glue:BatchCreatePartition",
		"ALTER TABLE t DROP PARTITION (k='1')":               "glue:BatchDeletePartition",
		"ALTER TABLE t SET TBLPROPERTIES ('a'='b')":          "glue:UpdateTable",
		"VACUUM t": "",
	} {
		toks, err := tokenize(sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if got := ddlAction(toks); got != want {
			t.Errorf("%s: %q, want %q", sql, got, want)
		}
	}
}

func TestAllow(t *testing.T) {
	if err := allow(context.Background(), "glue:GetTable", "d", "t"); err != nil {
		t.Fatalf("no Access: %v", err)
	}
	var got []string
	ctx := WithAccess(context.Background(), func(action, db, table string) error {
		got = append(got, action, db, table)
		if table == "secret" {
			return errors.New("User: u is not authorized")
		}
		return nil
	})
	if err := allow(ctx, "glue:GetTable", "D", "T"); err != nil || len(got) != 3 || got[1] != "d" || got[2] != "t" {
		t.Fatalf("%v %v", err, got)
	}
	err := allow(ctx, "glue:GetTable", "d", "secret")
	var qe *Error
	if !errors.As(err, &qe) || !errors.Is(err, ErrQuery) ||
		err.Error() != "PERMISSION_DENIED: Insufficient permissions to execute the query. User: u is not authorized" {
		t.Fatalf("%v", err)
	}
}
