package athena

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/smithy-go"
)

// wantAPIError checks that err is the AWS error code with a message
// containing msg ("" checks only the code).
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("got %s: %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// TestOperationsKnown: every handler is an operation of botocore's model
// (its operation list is in testdata, from boto3 1.43's service-2.json)
// and of the SDK's client.
func TestOperationsKnown(t *testing.T) {
	b, err := os.ReadFile("testdata/botocore-operations.txt")
	if err != nil {
		t.Fatal(err)
	}
	model := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			model[line] = true
		}
	}
	if len(model) != 70 {
		t.Fatalf("model lists %d operations, want 70", len(model))
	}
	svc := New(nil, nil, testAccount)
	ct := reflect.TypeOf(&athena.Client{})
	for op := range svc.Ops {
		if _, ok := ct.MethodByName(op); !ok || !model[op] {
			t.Errorf("handler for %s, which the model or the SDK does not know", op)
		}
	}
	if svc.TargetPrefix != "AmazonAthena" || len(svc.Ops) != 17 {
		t.Fatalf("%s %d", svc.TargetPrefix, len(svc.Ops))
	}
}

func TestSDKStartPollPaginate(t *testing.T) {
	h := newHarness(t, nil)
	ctx := ctxT(t)
	h.numbersTable(2500)
	id := h.start("SELECT x, CASE WHEN x = 2 THEN NULL ELSE s END AS s, '' AS e FROM numbers ORDER BY x")
	x := h.poll(id)
	if x.Status.State != types.QueryExecutionStateSucceeded {
		t.Fatalf("%s: %s", x.Status.State, aws.ToString(x.Status.StateChangeReason))
	}
	if x.StatementType != types.StatementTypeDml || *x.WorkGroup != "primary" || x.QueryExecutionContext.Database != nil || *x.QueryExecutionContext.Catalog != "awsdatacatalog" ||
		*x.ResultConfiguration.OutputLocation != "s3://results/athena/"+id+".csv" ||
		*x.EngineVersion.EffectiveEngineVersion != "Athena engine version 3" || x.Status.SubmissionDateTime == nil ||
		x.Status.CompletionDateTime == nil || *x.Statistics.DataScannedInBytes <= 0 || x.Statistics.TotalExecutionTimeInMillis == nil {
		b, _ := json.Marshal(x)
		t.Fatalf("execution: %s", b)
	}
	var pages [][]types.Row
	var token *string
	for {
		out, err := h.ac.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(pages) == 0 {
			ci := out.ResultSet.ResultSetMetadata.ColumnInfo
			if len(ci) != 3 || *ci[0].Name != "x" || *ci[0].Type != "integer" || *ci[1].Type != "varchar" || *ci[0].CatalogName != "hive" ||
				ci[0].CaseSensitive || !ci[1].CaseSensitive || ci[0].Nullable != types.ColumnNullableUnknown || *ci[1].Label != "s" {
				b, _ := json.Marshal(ci)
				t.Fatalf("column info %s", b)
			}
		}
		pages = append(pages, out.ResultSet.Rows)
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(pages) != 3 || len(pages[0]) != 1000 || len(pages[1]) != 1000 || len(pages[2]) != 501 {
		t.Fatalf("pages of %d rows", len(pages))
	}
	head := pages[0][0].Data
	if *head[0].VarCharValue != "x" || *head[1].VarCharValue != "s" || *head[2].VarCharValue != "e" {
		t.Fatalf("header %v", head)
	}
	first := pages[0][1].Data
	if *first[0].VarCharValue != "1" || *first[1].VarCharValue != "s1" || first[2].VarCharValue == nil || *first[2].VarCharValue != "" {
		t.Fatalf("row 1 %+v", first)
	}
	if pages[0][2].Data[1].VarCharValue != nil {
		t.Fatal("a NULL has a VarCharValue")
	}
	if *pages[1][0].Data[0].VarCharValue != "1000" || *pages[2][500].Data[0].VarCharValue != "2500" {
		t.Fatalf("later pages start %s, end %s (no header after the first page)", *pages[1][0].Data[0].VarCharValue, *pages[2][500].Data[0].VarCharValue)
	}
	// The result file is Athena's CSV.
	o, err := h.lake.GetObject("results", "athena/"+id+".csv")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(o.Body)
	o.Close()
	if !strings.HasPrefix(string(b), "\"x\",\"s\",\"e\"\n\"1\",\"s1\",\"\"\n\"2\",,\"\"\n") {
		t.Fatalf("csv starts %q", b[:60])
	}
	// MaxResults and a forged token.
	out, err := h.ac.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(2)})
	if err != nil || len(out.ResultSet.Rows) != 2 || out.NextToken == nil {
		t.Fatalf("%v %v", out, err)
	}
	_, err = h.ac.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), NextToken: aws.String("bm9wZQ")})
	wantAPIError(t, err, "InvalidRequestException", "")
	_, err = h.ac.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(1001)})
	wantAPIError(t, err, "InvalidRequestException", "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000")
}

func TestSDKDDLHasNoHeader(t *testing.T) {
	h := newHarness(t, nil)
	ctx := ctxT(t)
	x := h.sql("CREATE DATABASE sales")
	if x.StatementType != types.StatementTypeDdl || !strings.HasSuffix(*x.ResultConfiguration.OutputLocation, ".txt") {
		t.Fatalf("%s %s", x.StatementType, *x.ResultConfiguration.OutputLocation)
	}
	x = h.sql("SHOW DATABASES")
	out, err := h.ac.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: x.QueryExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.ResultSet.Rows {
		names = append(names, *r.Data[0].VarCharValue)
	}
	if strings.Join(names, ",") != "default,sales" {
		t.Fatalf("SHOW DATABASES rows %v (a header would be first)", names)
	}
}

func TestSDKFailures(t *testing.T) {
	h := newHarness(t, nil)
	ctx := ctxT(t)
	x := h.poll(h.start("SELECT * FROM missing_table"))
	if x.Status.State != types.QueryExecutionStateFailed || !strings.HasPrefix(*x.Status.StateChangeReason, "TABLE_NOT_FOUND: line 1:15: ") ||
		*x.Status.AthenaError.ErrorCategory != 2 || *x.Status.AthenaError.ErrorType != 1301 || *x.Status.AthenaError.ErrorMessage != *x.Status.StateChangeReason {
		b, _ := json.Marshal(x.Status)
		t.Fatalf("%s", b)
	}
	_, err := h.ac.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: x.QueryExecutionId})
	wantAPIError(t, err, "InvalidRequestException", *x.Status.StateChangeReason)
	var ire *types.InvalidRequestException
	if !errors.As(err, &ire) || aws.ToString(ire.AthenaErrorCode) != "INVALID_INPUT" {
		t.Fatalf("AthenaErrorCode: %+v", ire)
	}

	x = h.poll(h.start("SELEC 1"))
	if x.Status.State != types.QueryExecutionStateFailed || !strings.HasPrefix(*x.Status.StateChangeReason, "SYNTAX_ERROR: line 1:1:") || *x.Status.AthenaError.ErrorType != 1006 {
		t.Fatalf("%s %s", x.Status.State, aws.ToString(x.Status.StateChangeReason))
	}

	out, err := h.ac.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1"),
		ResultConfiguration: &types.ResultConfiguration{OutputLocation: aws.String("s3://no-such-bucket/x/")}})
	if err != nil {
		t.Fatal(err)
	}
	x = h.poll(*out.QueryExecutionId)
	if x.Status.State != types.QueryExecutionStateFailed || *x.Status.StateChangeReason != "Unable to verify/create output bucket no-such-bucket" {
		t.Fatalf("%s %s", x.Status.State, aws.ToString(x.Status.StateChangeReason))
	}

	_, err = h.ac.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1")})
	wantAPIError(t, err, "InvalidRequestException", "No output location provided.")
	_, err = h.ac.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String("nope")})
	wantAPIError(t, err, "InvalidRequestException", "QueryExecution nope was not found")
	_, err = h.ac.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1"), WorkGroup: aws.String("ghost"),
		ResultConfiguration: &types.ResultConfiguration{OutputLocation: aws.String("s3://results/")}})
	wantAPIError(t, err, "InvalidRequestException", "WorkGroup ghost is not found.")
}

func TestSDKIdempotencyToken(t *testing.T) {
	h := newHarness(t, nil)
	ctx := ctxT(t)
	in := &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1"), ClientRequestToken: aws.String(strings.Repeat("a", 32)),
		ResultConfiguration: &types.ResultConfiguration{OutputLocation: aws.String("s3://results/")}}
	a, err := h.ac.StartQueryExecution(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.ac.StartQueryExecution(ctx, in)
	if err != nil || *a.QueryExecutionId != *b.QueryExecutionId {
		t.Fatalf("%v %v %v", a.QueryExecutionId, b, err)
	}
	in.QueryString = aws.String("SELECT 2")
	_, err = h.ac.StartQueryExecution(ctx, in)
	wantAPIError(t, err, "InvalidRequestException", "Idempotent parameters do not match")
	in.ClientRequestToken = aws.String("short")
	_, err = h.ac.StartQueryExecution(ctx, in)
	wantAPIError(t, err, "InvalidRequestException", "at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32")
	h.poll(*a.QueryExecutionId)
}

func TestSDKStopRunningQuery(t *testing.T) {
	h := newHarness(t, nil)
	ctx := ctxT(t)
	h.numbersTable(3000)
	id := h.start("SELECT sum(a.x * b.x + c.x) FROM numbers a, numbers b, numbers c")
	for {
		x, err := h.ac.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if s := x.QueryExecution.Status.State; s == types.QueryExecutionStateRunning {
			break
		} else if s != types.QueryExecutionStateQueued {
			t.Fatalf("the slow query ended %s before it could be stopped: %s", s, aws.ToString(x.QueryExecution.Status.StateChangeReason))
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, err := h.ac.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	wantAPIError(t, err, "InvalidRequestException", "Query has not yet finished. Current state: RUNNING")
	if _, err := h.ac.StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	x := h.poll(id)
	if x.Status.State != types.QueryExecutionStateCancelled {
		t.Fatalf("%s %s", x.Status.State, aws.ToString(x.Status.StateChangeReason))
	}
	// The API answered all along, and answers the next query at once.
	h.sql("SELECT 1")
}

func TestSDKWorkGroups(t *testing.T) {
	h := newHarness(t, nil)
	ctx := ctxT(t)
	_, err := h.ac.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("analysts"), Description: aws.String("for the team"),
		Configuration: &types.WorkGroupConfiguration{
			ResultConfiguration:        &types.ResultConfiguration{OutputLocation: aws.String("s3://results/analysts/")},
			BytesScannedCutoffPerQuery: aws.Int64(10_000_000),
		}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.ac.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("analysts")})
	wantAPIError(t, err, "InvalidRequestException", "WorkGroup analysts is already created")
	_, err = h.ac.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("bad name")})
	wantAPIError(t, err, "InvalidRequestException", "Member must satisfy regular expression pattern: [a-zA-Z0-9._-]{1,128}")
	_, err = h.ac.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("tiny"),
		Configuration: &types.WorkGroupConfiguration{BytesScannedCutoffPerQuery: aws.Int64(5)}})
	wantAPIError(t, err, "InvalidRequestException", "Member must have value greater than or equal to 10000000")

	g, err := h.ac.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String("analysts")})
	if err != nil {
		t.Fatal(err)
	}
	if g.WorkGroup.State != types.WorkGroupStateEnabled || *g.WorkGroup.Configuration.BytesScannedCutoffPerQuery != 10_000_000 ||
		*g.WorkGroup.Configuration.ResultConfiguration.OutputLocation != "s3://results/analysts/" || *g.WorkGroup.Description != "for the team" {
		b, _ := json.Marshal(g.WorkGroup)
		t.Fatalf("%s", b)
	}

	// A query scanning more than the cutoff is cancelled once the scan
	// has been counted.
	var big strings.Builder
	for i := 0; big.Len() < 11_000_000; i++ {
		fmt.Fprintf(&big, "%d,%s\n", i, strings.Repeat("z", 90))
	}
	h.put("data", "numbers/part-0.csv", big.String())
	h.sql("CREATE EXTERNAL TABLE numbers (x int, s string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://data/numbers/'")
	out, err := h.ac.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT count(*) FROM numbers"), WorkGroup: aws.String("analysts")})
	if err != nil {
		t.Fatal(err)
	}
	x := h.poll(*out.QueryExecutionId)
	if x.Status.State != types.QueryExecutionStateCancelled || *x.Status.StateChangeReason != "Bytes scanned limit was exceeded" ||
		*x.Statistics.DataScannedInBytes < 11_000_000 || *x.WorkGroup != "analysts" ||
		*x.ResultConfiguration.OutputLocation != "s3://results/analysts/"+*out.QueryExecutionId+".csv" {
		b, _ := json.Marshal(x)
		t.Fatalf("%s", b)
	}
	if _, err := h.ac.UpdateWorkGroup(ctx, &athena.UpdateWorkGroupInput{WorkGroup: aws.String("analysts"),
		ConfigurationUpdates: &types.WorkGroupConfigurationUpdates{RemoveBytesScannedCutoffPerQuery: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	out, _ = h.ac.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT count(*) FROM numbers"), WorkGroup: aws.String("analysts")})
	if x := h.poll(*out.QueryExecutionId); x.Status.State != types.QueryExecutionStateSucceeded {
		t.Fatalf("without cutoff: %s", x.Status.State)
	}

	l, err := h.ac.ListWorkGroups(ctx, &athena.ListWorkGroupsInput{MaxResults: aws.Int32(1)})
	if err != nil || len(l.WorkGroups) != 1 || *l.WorkGroups[0].Name != "analysts" || l.NextToken == nil {
		t.Fatalf("%+v %v", l, err)
	}
	l, err = h.ac.ListWorkGroups(ctx, &athena.ListWorkGroupsInput{MaxResults: aws.Int32(1), NextToken: l.NextToken})
	if err != nil || len(l.WorkGroups) != 1 || *l.WorkGroups[0].Name != "primary" || l.NextToken != nil {
		t.Fatalf("%+v %v", l, err)
	}
	lq, err := h.ac.ListQueryExecutions(ctx, &athena.ListQueryExecutionsInput{WorkGroup: aws.String("analysts")})
	if err != nil || len(lq.QueryExecutionIds) != 2 || lq.QueryExecutionIds[0] != *out.QueryExecutionId {
		t.Fatalf("%+v %v", lq, err)
	}

	_, err = h.ac.DeleteWorkGroup(ctx, &athena.DeleteWorkGroupInput{WorkGroup: aws.String("primary")})
	wantAPIError(t, err, "InvalidRequestException", "primary")
	if _, err := h.ac.DeleteWorkGroup(ctx, &athena.DeleteWorkGroupInput{WorkGroup: aws.String("analysts")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.ac.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String("analysts")})
	wantAPIError(t, err, "InvalidRequestException", "WorkGroup analysts is not found.")
}

func TestSDKListBatchAndHistoryAcrossReopen(t *testing.T) {
	h := newHarness(t, nil)
	ctx := ctxT(t)
	var ids []string
	for i := range 5 {
		ids = append(ids, *h.sql(fmt.Sprintf("SELECT %d AS n", i)).QueryExecutionId)
	}
	var listed []string
	var token *string
	for {
		out, err := h.ac.ListQueryExecutions(ctx, &athena.ListQueryExecutionsInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, out.QueryExecutionIds...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(listed) != 5 || listed[0] != ids[4] || listed[4] != ids[0] {
		t.Fatalf("listed %v, want newest first of %v", listed, ids)
	}
	b, err := h.ac.BatchGetQueryExecution(ctx, &athena.BatchGetQueryExecutionInput{QueryExecutionIds: []string{ids[0], "missing", ids[1]}})
	if err != nil || len(b.QueryExecutions) != 2 || len(b.UnprocessedQueryExecutionIds) != 1 ||
		*b.UnprocessedQueryExecutionIds[0].QueryExecutionId != "missing" || *b.UnprocessedQueryExecutionIds[0].ErrorMessage != "QueryExecution missing was not found" {
		t.Fatalf("%+v %v", b, err)
	}

	h.reopen()
	x, err := h.ac.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(ids[3])})
	if err != nil || x.QueryExecution.Status.State != types.QueryExecutionStateSucceeded || *x.QueryExecution.Query != "SELECT 3 AS n" {
		t.Fatalf("%+v %v", x, err)
	}
	r, err := h.ac.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(ids[3])})
	if err != nil || len(r.ResultSet.Rows) != 2 || *r.ResultSet.Rows[1].Data[0].VarCharValue != "3" || *r.ResultSet.ResultSetMetadata.ColumnInfo[0].Type != "integer" {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestSDKCatalogMetadata(t *testing.T) {
	h := newHarness(t, nil)
	ctx := ctxT(t)
	h.numbersTable(3)
	dc, err := h.ac.ListDataCatalogs(ctx, &athena.ListDataCatalogsInput{})
	if err != nil || len(dc.DataCatalogsSummary) != 1 || *dc.DataCatalogsSummary[0].CatalogName != "AwsDataCatalog" {
		t.Fatalf("%+v %v", dc, err)
	}
	dbs, err := h.ac.ListDatabases(ctx, &athena.ListDatabasesInput{CatalogName: aws.String("AwsDataCatalog")})
	if err != nil || len(dbs.DatabaseList) != 1 || *dbs.DatabaseList[0].Name != "default" {
		t.Fatalf("%+v %v", dbs, err)
	}
	tm, err := h.ac.GetTableMetadata(ctx, &athena.GetTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"),
		DatabaseName: aws.String("default"), TableName: aws.String("numbers")})
	if err != nil || len(tm.TableMetadata.Columns) != 2 || *tm.TableMetadata.Columns[1].Type != "string" ||
		tm.TableMetadata.Parameters["location"] != "s3://data/numbers/" {
		t.Fatalf("%+v %v", tm, err)
	}
	lt, err := h.ac.ListTableMetadata(ctx, &athena.ListTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String("default")})
	if err != nil || len(lt.TableMetadataList) != 1 {
		t.Fatalf("%+v %v", lt, err)
	}
	_, err = h.ac.GetTableMetadata(ctx, &athena.GetTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"),
		DatabaseName: aws.String("default"), TableName: aws.String("nope")})
	wantAPIError(t, err, "MetadataException", "nope")
	_, err = h.ac.ListDatabases(ctx, &athena.ListDatabasesInput{CatalogName: aws.String("other")})
	wantAPIError(t, err, "MetadataException", "other")
}

func TestWireMalformedAndValidation(t *testing.T) {
	h := newHarness(t, nil)
	for _, c := range []struct {
		op, body string
		status   int
		want     string
	}{
		{"StartQueryExecution", `{`, 400, `"SerializationException"`},
		{"StartQueryExecution", `{}`, 400, `1 validation error detected: Value null at 'queryString' failed to satisfy constraint: Member must not be null`},
		{"StartQueryExecution", `{"QueryString":""}`, 400, `Member must have length greater than or equal to 1`},
		{"StartQueryExecution", `{"QueryString":7}`, 400, `SerializationException`},
		{"GetQueryResults", `{"QueryExecutionId":"a b","MaxResults":0}`, 400, `2 validation errors detected`},
		{"GetQueryResults", `{"QueryExecutionId":"x","QueryResultType":"ROWS"}`, 400, `Member must satisfy enum value set: [DATA_MANIFEST, DATA_ROWS]`},
		{"ListQueryExecutions", `{"MaxResults":51}`, 400, `Member must have value less than or equal to 50`},
		{"ListQueryExecutions", `{"NextToken":"AAAA"}`, 400, `Invalid NextToken`},
		{"BatchGetQueryExecution", `{"QueryExecutionIds":[]}`, 400, `Member must have length greater than or equal to 1`},
		{"GetQueryExecution", `{"QueryExecutionId":"nope"}`, 400, `"AthenaErrorCode":"INVALID_INPUT"`},
		{"CreateNamedQuery", `{}`, 400, `UnknownOperationException`},
	} {
		status, body := h.raw(c.op, c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s %s: %d %s, want %d containing %s", c.op, c.body, status, body, c.status, c.want)
		}
	}
	// A huge query string is refused without echoing it whole.
	status, body := h.raw("StartQueryExecution", `{"QueryString":"`+strings.Repeat("x", 262145)+`"}`)
	if status != 400 || len(body) > 2000 || !strings.Contains(body, "less than or equal to 262144") {
		t.Errorf("%d %d bytes", status, len(body))
	}
}

// FuzzGetQueryResultsToken: any NextToken is refused or read, never a
// panic or a 500.
func FuzzGetQueryResultsToken(f *testing.F) {
	f.Add(encodeToken(tokenResults, "id", "5"))
	f.Add("AAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		fields, err := decodeToken(tok, tokenResults, 2)
		if err == nil && len(fields) != 2 {
			t.Fatalf("%d fields", len(fields))
		}
	})
}
