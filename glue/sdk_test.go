package glue

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/smithy-go"
)

// apiCode is the AWS error code of err ("" if it is no API error).
func apiCode(err error) (code, msg string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", ""
}

func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	got, gotMsg := apiCode(err)
	if got != code || msg != "" && gotMsg != msg {
		t.Fatalf("error %v (code %q, message %q), want %s %q", err, got, gotMsg, code, msg)
	}
}

// eventsTable is a partitioned Parquet table as Athena's DDL declares one.
func eventsTable(name string) *types.TableInput {
	return &types.TableInput{
		Name:        aws.String(name),
		Description: aws.String("click events"),
		Owner:       aws.String("analytics"),
		TableType:   aws.String("EXTERNAL_TABLE"),
		Parameters: map[string]string{
			"classification":            "parquet",
			"projection.enabled":        "true",
			"projection.dt.type":        "date",
			"storage.location.template": "s3://lake/events/dt=${dt}/",
		},
		StorageDescriptor: &types.StorageDescriptor{
			Columns: []types.Column{
				{Name: aws.String("id"), Type: aws.String("bigint")},
				{Name: aws.String("price"), Type: aws.String("decimal(10,2)"), Comment: aws.String("EUR")},
				{Name: aws.String("tags"), Type: aws.String("array<string>")},
				{Name: aws.String("attrs"), Type: aws.String("map<string,int>")},
				{Name: aws.String("geo"), Type: aws.String("struct<lat:double,lon:double>")},
			},
			Location:     aws.String("s3://lake/events/"),
			InputFormat:  aws.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"),
			OutputFormat: aws.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"),
			Compressed:   true,
			SerdeInfo: &types.SerDeInfo{
				SerializationLibrary: aws.String("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
				Parameters:           map[string]string{"serialization.format": "1"},
			},
			BucketColumns:          []string{"id"},
			SortColumns:            []types.Order{{Column: aws.String("id"), SortOrder: 1}},
			NumberOfBuckets:        4,
			StoredAsSubDirectories: false,
		},
		PartitionKeys: []types.Column{
			{Name: aws.String("year"), Type: aws.String("int")},
			{Name: aws.String("dt"), Type: aws.String("string")},
		},
	}
}

func TestSDKDatabases(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	before := time.Now().Add(-time.Second)
	_, err := h.gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{
		Name: aws.String("Sales"), Description: aws.String("sales data"), LocationUri: aws.String("s3://lake/sales/"),
		Parameters: map[string]string{"owner": "team"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("sales")}})
	wantError(t, err, "AlreadyExistsException", "Database already exists.")
	var ae *types.AlreadyExistsException
	if !errors.As(err, &ae) {
		t.Errorf("SDK did not type the error: %T", err)
	}

	got, err := h.gc.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("SALES")})
	if err != nil {
		t.Fatal(err)
	}
	db := got.Database
	if aws.ToString(db.Name) != "sales" || aws.ToString(db.Description) != "sales data" || aws.ToString(db.LocationUri) != "s3://lake/sales/" ||
		db.Parameters["owner"] != "team" || aws.ToString(db.CatalogId) != testAccount || db.CreateTime == nil ||
		db.CreateTime.Before(before) || db.CreateTime.After(time.Now().Add(time.Second)) {
		t.Fatalf("GetDatabase %+v", db)
	}
	if len(db.CreateTableDefaultPermissions) != 1 || aws.ToString(db.CreateTableDefaultPermissions[0].Principal.DataLakePrincipalIdentifier) != "IAM_ALLOWED_PRINCIPALS" {
		t.Errorf("default permissions %+v", db.CreateTableDefaultPermissions)
	}

	_, err = h.gc.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("nope")})
	wantError(t, err, "EntityNotFoundException", "Database nope not found.")
	var nf *types.EntityNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("SDK did not type the error: %T", err)
	}

	_, err = h.gc.UpdateDatabase(ctx, &glue.UpdateDatabaseInput{Name: aws.String("sales"), DatabaseInput: &types.DatabaseInput{
		Name: aws.String("sales"), Description: aws.String("v2"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	got2, _ := h.gc.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("sales")})
	if aws.ToString(got2.Database.Description) != "v2" || !got2.Database.CreateTime.Equal(*db.CreateTime) {
		t.Errorf("after update %+v", got2.Database)
	}
	_, err = h.gc.UpdateDatabase(ctx, &glue.UpdateDatabaseInput{Name: aws.String("missing"), DatabaseInput: &types.DatabaseInput{Name: aws.String("missing")}})
	wantError(t, err, "EntityNotFoundException", "Database missing not found.")

	for i := range 23 {
		if _, err := h.gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String(fmt.Sprintf("db_%02d", i))}}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	pages := 0
	p := glue.NewGetDatabasesPaginator(h.gc, &glue.GetDatabasesInput{MaxResults: aws.Int32(10)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range out.DatabaseList {
			names = append(names, aws.ToString(d.Name))
		}
	}
	if pages != 3 || len(names) != 24 || !slices.IsSorted(names) {
		t.Fatalf("%d pages: %v", pages, names)
	}

	if _, err := h.gc.DeleteDatabase(ctx, &glue.DeleteDatabaseInput{Name: aws.String("Sales")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.gc.DeleteDatabase(ctx, &glue.DeleteDatabaseInput{Name: aws.String("sales")})
	wantError(t, err, "EntityNotFoundException", "Database sales not found.")
}

func TestSDKTables(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	_, err := h.gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("db"), TableInput: eventsTable("events")})
	wantError(t, err, "EntityNotFoundException", "Database db not found.")
	h.gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("db")}})
	if _, err := h.gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("DB"), TableInput: eventsTable("Events")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("db"), TableInput: eventsTable("events")})
	wantError(t, err, "AlreadyExistsException", "Table already exists.")

	out, err := h.gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("Db"), Name: aws.String("EVENTS")})
	if err != nil {
		t.Fatal(err)
	}
	tb := out.Table
	want := eventsTable("events")
	sd := tb.StorageDescriptor
	if aws.ToString(tb.Name) != "events" || aws.ToString(tb.DatabaseName) != "db" || aws.ToString(tb.Owner) != "analytics" ||
		aws.ToString(tb.TableType) != "EXTERNAL_TABLE" || tb.Parameters["storage.location.template"] != "s3://lake/events/dt=${dt}/" ||
		aws.ToString(tb.CatalogId) != testAccount || aws.ToString(tb.VersionId) != "0" || tb.CreateTime == nil || tb.UpdateTime == nil {
		t.Fatalf("GetTable %+v", tb)
	}
	if len(sd.Columns) != 5 || aws.ToString(sd.Columns[4].Type) != "struct<lat:double,lon:double>" || aws.ToString(sd.Columns[1].Comment) != "EUR" ||
		aws.ToString(sd.Location) != "s3://lake/events/" || aws.ToString(sd.InputFormat) != aws.ToString(want.StorageDescriptor.InputFormat) ||
		!sd.Compressed || sd.NumberOfBuckets != 4 || sd.SerdeInfo.Parameters["serialization.format"] != "1" ||
		aws.ToString(sd.SerdeInfo.SerializationLibrary) != aws.ToString(want.StorageDescriptor.SerdeInfo.SerializationLibrary) ||
		!slices.Equal(sd.BucketColumns, []string{"id"}) || len(sd.SortColumns) != 1 || sd.SortColumns[0].SortOrder != 1 {
		t.Fatalf("StorageDescriptor %+v", sd)
	}
	if len(tb.PartitionKeys) != 2 || aws.ToString(tb.PartitionKeys[0].Type) != "int" {
		t.Fatalf("PartitionKeys %+v", tb.PartitionKeys)
	}
	_, err = h.gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("db"), Name: aws.String("nope")})
	wantError(t, err, "EntityNotFoundException", "Table nope not found.")
	_, err = h.gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("nodb"), Name: aws.String("events")})
	wantError(t, err, "EntityNotFoundException", "Database nodb not found.")

	// A view and a table without partition keys (answered with []).
	_, err = h.gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("db"), TableInput: &types.TableInput{
		Name: aws.String("v_recent"), TableType: aws.String("VIRTUAL_VIEW"),
		ViewOriginalText: aws.String("/* Presto View: e30= */"), ViewExpandedText: aws.String("/* Presto View */"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := h.gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("db"), Name: aws.String("v_recent")})
	if aws.ToString(v.Table.ViewOriginalText) != "/* Presto View: e30= */" || v.Table.PartitionKeys == nil {
		t.Errorf("view %+v", v.Table)
	}

	upd := eventsTable("events")
	upd.Description = aws.String("v2")
	if _, err := h.gc.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("db"), TableInput: upd}); err != nil {
		t.Fatal(err)
	}
	out2, _ := h.gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("db"), Name: aws.String("events")})
	if aws.ToString(out2.Table.Description) != "v2" || aws.ToString(out2.Table.VersionId) != "1" || !out2.Table.CreateTime.Equal(*tb.CreateTime) {
		t.Errorf("after update %+v", out2.Table)
	}
	vers, err := h.gc.GetTableVersions(ctx, &glue.GetTableVersionsInput{DatabaseName: aws.String("db"), TableName: aws.String("events")})
	if err != nil || len(vers.TableVersions) != 1 || aws.ToString(vers.TableVersions[0].VersionId) != "1" {
		t.Errorf("versions %+v %v", vers, err)
	}
	_, err = h.gc.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("db"), TableInput: eventsTable("ghost")})
	wantError(t, err, "EntityNotFoundException", "Table ghost not found.")

	for _, n := range []string{"sales_2023", "sales_2024", "orders"} {
		h.gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("db"), TableInput: &types.TableInput{Name: aws.String(n)}})
	}
	list := func(expr string, max int32) []string {
		in := &glue.GetTablesInput{DatabaseName: aws.String("db"), MaxResults: aws.Int32(max)}
		if expr != "" {
			in.Expression = aws.String(expr)
		}
		var names []string
		p := glue.NewGetTablesPaginator(h.gc, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, tb := range out.TableList {
				names = append(names, aws.ToString(tb.Name))
			}
		}
		return names
	}
	if got := list("", 2); !slices.Equal(got, []string{"events", "orders", "sales_2023", "sales_2024", "v_recent"}) {
		t.Errorf("GetTables all: %v", got)
	}
	if got := list("sales*", 1); !slices.Equal(got, []string{"sales_2023", "sales_2024"}) {
		t.Errorf("GetTables sales*: %v", got)
	}
	if got := list("orders|v_.*", 100); !slices.Equal(got, []string{"orders", "v_recent"}) {
		t.Errorf("GetTables alternatives: %v", got)
	}

	bd, err := h.gc.BatchDeleteTable(ctx, &glue.BatchDeleteTableInput{DatabaseName: aws.String("db"), TablesToDelete: []string{"sales_2023", "ghost", "ORDERS"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(bd.Errors) != 1 || aws.ToString(bd.Errors[0].TableName) != "ghost" || aws.ToString(bd.Errors[0].ErrorDetail.ErrorCode) != "EntityNotFoundException" {
		t.Errorf("BatchDeleteTable errors %+v", bd.Errors)
	}
	if got := list("", 100); !slices.Equal(got, []string{"events", "sales_2024", "v_recent"}) {
		t.Errorf("after batch delete: %v", got)
	}
	if _, err := h.gc.DeleteTable(ctx, &glue.DeleteTableInput{DatabaseName: aws.String("db"), Name: aws.String("events")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.gc.DeleteTable(ctx, &glue.DeleteTableInput{DatabaseName: aws.String("db"), Name: aws.String("events")})
	wantError(t, err, "EntityNotFoundException", "Table events not found.")
}

// setupPartitioned creates db.events partitioned by year (int) and dt
// (string) with partitions for years 2019..2024 and two days each.
func setupPartitioned(t *testing.T, h *harness) {
	ctx := ctxT(t)
	if _, err := h.gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("db")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("db"), TableInput: eventsTable("events")}); err != nil {
		t.Fatal(err)
	}
	var in []types.PartitionInput
	for y := 2019; y <= 2024; y++ {
		for _, d := range []string{"01-01", "06-15"} {
			dt := fmt.Sprintf("%d-%s", y, d)
			in = append(in, types.PartitionInput{
				Values:            []string{fmt.Sprint(y), dt},
				StorageDescriptor: &types.StorageDescriptor{Location: aws.String("s3://lake/events/year=" + fmt.Sprint(y) + "/dt=" + dt + "/")},
				Parameters:        map[string]string{"rows": "10"},
			})
		}
	}
	out, err := h.gc.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String("db"), TableName: aws.String("events"), PartitionInputList: in})
	if err != nil || len(out.Errors) != 0 {
		t.Fatalf("BatchCreatePartition %+v %v", out, err)
	}
}

func TestSDKPartitions(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	setupPartitioned(t, h)
	db, tbl := aws.String("db"), aws.String("events")

	// Batch with per-entry errors.
	out, err := h.gc.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: db, TableName: tbl, PartitionInputList: []types.PartitionInput{
		{Values: []string{"2024", "2024-01-01"}},
		{Values: []string{"2025", "2025-01-01"}},
		{Values: []string{"2025"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 2 || aws.ToString(out.Errors[0].ErrorDetail.ErrorCode) != "AlreadyExistsException" ||
		!slices.Equal(out.Errors[0].PartitionValues, []string{"2024", "2024-01-01"}) ||
		aws.ToString(out.Errors[1].ErrorDetail.ErrorCode) != "InvalidInputException" {
		t.Fatalf("errors %+v", out.Errors)
	}
	_, err = h.gc.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: db, TableName: aws.String("nope"), PartitionInputList: []types.PartitionInput{{Values: []string{"1", "2"}}}})
	wantError(t, err, "EntityNotFoundException", "Table nope not found.")

	_, err = h.gc.CreatePartition(ctx, &glue.CreatePartitionInput{DatabaseName: db, TableName: tbl, PartitionInput: &types.PartitionInput{Values: []string{"2025", "2025-01-01"}}})
	wantError(t, err, "AlreadyExistsException", "Partition already exists.")
	if _, err := h.gc.CreatePartition(ctx, &glue.CreatePartitionInput{DatabaseName: db, TableName: tbl, PartitionInput: &types.PartitionInput{Values: []string{"2026", "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}

	gp, err := h.gc.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: db, TableName: tbl, PartitionValues: []string{"2020", "2020-06-15"}})
	if err != nil {
		t.Fatal(err)
	}
	p := gp.Partition
	if !slices.Equal(p.Values, []string{"2020", "2020-06-15"}) || aws.ToString(p.DatabaseName) != "db" || aws.ToString(p.TableName) != "events" ||
		aws.ToString(p.StorageDescriptor.Location) != "s3://lake/events/year=2020/dt=2020-06-15/" || p.Parameters["rows"] != "10" ||
		p.CreationTime == nil || aws.ToString(p.CatalogId) != testAccount {
		t.Fatalf("GetPartition %+v", p)
	}
	_, err = h.gc.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: db, TableName: tbl, PartitionValues: []string{"1999", "x"}})
	wantError(t, err, "EntityNotFoundException", "Cannot find partition.")

	get := func(expr string, max int32) []string {
		t.Helper()
		in := &glue.GetPartitionsInput{DatabaseName: db, TableName: tbl}
		if expr != "" {
			in.Expression = aws.String(expr)
		}
		if max > 0 {
			in.MaxResults = aws.Int32(max)
		}
		var got []string
		pg := glue.NewGetPartitionsPaginator(h.gc, in)
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatalf("GetPartitions %q: %v", expr, err)
			}
			if max > 0 && len(out.Partitions) > int(max) {
				t.Fatalf("page of %d > %d", len(out.Partitions), max)
			}
			for _, p := range out.Partitions {
				got = append(got, p.Values[1])
			}
		}
		slices.Sort(got)
		return got
	}
	if got := get("", 5); len(got) != 14 {
		t.Errorf("all partitions: %d %v", len(got), got)
	}
	if got := get("year > 2023", 0); !slices.Equal(got, []string{"2024-01-01", "2024-06-15", "2025-01-01", "2026-01-01"}) {
		t.Errorf("year > 2023: %v", got)
	}
	if got := get("year BETWEEN 2020 AND 2021 AND dt LIKE '%-06-15'", 1); !slices.Equal(got, []string{"2020-06-15", "2021-06-15"}) {
		t.Errorf("between/like: %v", got)
	}
	if got := get("year IN (2019, 2026) OR dt = '2022-01-01'", 0); !slices.Equal(got, []string{"2019-01-01", "2019-06-15", "2022-01-01", "2026-01-01"}) {
		t.Errorf("in/or: %v", got)
	}
	_, err = h.gc.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: db, TableName: tbl, Expression: aws.String("region = 'eu'")})
	wantError(t, err, "InvalidInputException", "Invalid partition expression!")
	_, err = h.gc.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: db, TableName: tbl, Expression: aws.String("year = ")})
	wantError(t, err, "InvalidInputException", "")
	_, err = h.gc.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: db, TableName: tbl, NextToken: aws.String("bogus")})
	wantError(t, err, "InvalidInputException", "")

	// Segments split the partitions without overlap.
	seen := map[string]int{}
	for s := range int32(3) {
		out, err := h.gc.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: db, TableName: tbl, Segment: &types.Segment{SegmentNumber: s, TotalSegments: aws.Int32(3)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range out.Partitions {
			seen[p.Values[1]]++
		}
	}
	if len(seen) != 14 {
		t.Errorf("segments saw %d partitions", len(seen))
	}

	bg, err := h.gc.BatchGetPartition(ctx, &glue.BatchGetPartitionInput{DatabaseName: db, TableName: tbl, PartitionsToGet: []types.PartitionValueList{
		{Values: []string{"2019", "2019-01-01"}}, {Values: []string{"1", "2"}}, {Values: []string{"2024", "2024-06-15"}},
	}})
	if err != nil || len(bg.Partitions) != 2 || len(bg.UnprocessedKeys) != 0 {
		t.Fatalf("BatchGetPartition %+v %v", bg, err)
	}

	_, err = h.gc.UpdatePartition(ctx, &glue.UpdatePartitionInput{DatabaseName: db, TableName: tbl, PartitionValueList: []string{"2026", "2026-01-01"},
		PartitionInput: &types.PartitionInput{Values: []string{"2026", "2026-01-02"}, Parameters: map[string]string{"moved": "yes"}}})
	if err != nil {
		t.Fatal(err)
	}
	gp2, err := h.gc.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: db, TableName: tbl, PartitionValues: []string{"2026", "2026-01-02"}})
	if err != nil || gp2.Partition.Parameters["moved"] != "yes" {
		t.Fatalf("moved partition %+v %v", gp2, err)
	}
	_, err = h.gc.UpdatePartition(ctx, &glue.UpdatePartitionInput{DatabaseName: db, TableName: tbl, PartitionValueList: []string{"2026", "2026-01-01"},
		PartitionInput: &types.PartitionInput{Values: []string{"2026", "2026-01-01"}}})
	wantError(t, err, "EntityNotFoundException", "Cannot find partition.")

	bd, err := h.gc.BatchDeletePartition(ctx, &glue.BatchDeletePartitionInput{DatabaseName: db, TableName: tbl, PartitionsToDelete: []types.PartitionValueList{
		{Values: []string{"2026", "2026-01-02"}}, {Values: []string{"2000", "x"}},
	}})
	if err != nil || len(bd.Errors) != 1 || aws.ToString(bd.Errors[0].ErrorDetail.ErrorCode) != "EntityNotFoundException" ||
		!slices.Equal(bd.Errors[0].PartitionValues, []string{"2000", "x"}) {
		t.Fatalf("BatchDeletePartition %+v %v", bd, err)
	}
	if _, err := h.gc.DeletePartition(ctx, &glue.DeletePartitionInput{DatabaseName: db, TableName: tbl, PartitionValues: []string{"2025", "2025-01-01"}}); err != nil {
		t.Fatal(err)
	}
	_, err = h.gc.DeletePartition(ctx, &glue.DeletePartitionInput{DatabaseName: db, TableName: tbl, PartitionValues: []string{"2025", "2025-01-01"}})
	wantError(t, err, "EntityNotFoundException", "Cannot find partition.")
	if got := get("", 0); len(got) != 12 {
		t.Errorf("left %d partitions", len(got))
	}

	// Deleting the database takes its tables and partitions with it.
	if _, err := h.gc.DeleteDatabase(ctx, &glue.DeleteDatabaseInput{Name: db}); err != nil {
		t.Fatal(err)
	}
	h.gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: db}})
	h.gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: db, TableInput: eventsTable("events")})
	if got := get("", 0); len(got) != 0 {
		t.Errorf("partitions survived their database: %v", got)
	}
}

func TestSDKMiscAndAuth(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	st, err := h.gc.GetCatalogImportStatus(ctx, &glue.GetCatalogImportStatusInput{})
	if err != nil || !st.ImportStatus.ImportCompleted {
		t.Fatalf("GetCatalogImportStatus %+v %v", st, err)
	}
	_, err = h.gc.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("x"), CatalogId: aws.String("999999999999")})
	wantError(t, err, "EntityNotFoundException", "Catalog 999999999999 not found.")
	_, err = h.gc.GetDatabases(ctx, &glue.GetDatabasesInput{CatalogId: aws.String(testAccount)})
	if err != nil {
		t.Fatal(err)
	}
	// A wrong secret is refused before any handler runs.
	_, err = h.client(testKeyID, "wrong").GetDatabases(ctx, &glue.GetDatabasesInput{})
	if code, _ := apiCode(err); code != "InvalidSignatureException" && code != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: %v", err)
	}
	_, err = h.client("AKIDUNKNOWN", testSecret).GetDatabases(ctx, &glue.GetDatabasesInput{})
	if code, _ := apiCode(err); code == "" || strings.Contains(code, "Glue") {
		t.Fatalf("unknown key: %v", err)
	}
}
