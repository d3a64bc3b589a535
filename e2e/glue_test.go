package e2e

// The Glue Data Catalog API against a real server process: boto3 (both
// generations) through scripts/glue_catalog.py, which makes the detailed
// checks; then the catalog it left must survive a kill -9 (re-read with
// the AWS SDK for Go v2), and the AWS CLI (v1 and v2) must read and page
// it. The CLI test makes few CLI calls: each costs seconds of start-up.

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
)

// GlueClient is an AWS SDK for Go v2 Glue client for the server.
func (s *Server) GlueClient(t testing.TB) *glue.Client {
	t.Helper()
	return glue.New(glue.Options{
		BaseEndpoint: aws.String(s.Endpoint()),
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey, ""),
		Retryer:      retry.AddWithMaxAttempts(retry.NewStandard(), 2),
	})
}

func TestE2EGlueBoto3(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "glue_catalog.py")
		checkVersion(t, g, res)
		if got := resNum(t, res, "partitions_listed"); got != 150 {
			t.Errorf("GetPartitions paginator saw %v partitions, want 150", got)
		}
		if got := resNum(t, res, "typed_filter"); got != 20 {
			t.Errorf("typed int filter matched %v partitions, want 20", got)
		}
		if got := resNum(t, res, "selective_filter"); got != 26 {
			t.Errorf("selective filter matched %v partitions, want 26", got)
		}
		kept, _ := res["kept"].(map[string]any)
		db, _ := kept["database"].(string)
		if db == "" {
			t.Fatalf("script reported no kept database: %v", res["kept"])
		}

		// SIGKILL, not a clean stop: every change was acknowledged after
		// its commit was fsynced, so all of it must be there.
		s.Kill()
		s.Restart()
		checkKeptCatalog(t, s, db)
	})
}

// checkKeptCatalog re-reads what glue_catalog.py left: database db with
// table events and its 150 partitions.
func checkKeptCatalog(t *testing.T, s *Server, db string) {
	t.Helper()
	ctx := ctxT(t)
	gc := s.GlueClient(t)
	d, err := gc.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String(db)})
	if err != nil {
		t.Fatalf("after restart, GetDatabase %s: %v", db, err)
	}
	if aws.ToString(d.Database.Description) != "updated" {
		t.Errorf("after restart, database %+v", d.Database)
	}
	tb, err := gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String(db), Name: aws.String("events")})
	if err != nil {
		t.Fatalf("after restart, GetTable: %v", err)
	}
	if aws.ToString(tb.Table.Description) != "v2" || len(tb.Table.StorageDescriptor.Columns) != 7 || len(tb.Table.PartitionKeys) != 2 {
		t.Errorf("after restart, table %+v", tb.Table)
	}
	var years []int
	p := glue.NewGetPartitionsPaginator(gc, &glue.GetPartitionsInput{
		DatabaseName: aws.String(db), TableName: aws.String("events"),
		Expression: aws.String("year >= 2020"), MaxResults: aws.Int32(7),
	})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("after restart, GetPartitions: %v", err)
		}
		for _, part := range out.Partitions {
			y, _ := strconv.Atoi(part.Values[0])
			years = append(years, y)
			n++
		}
	}
	if n != 50 || slices.Min(years) != 2020 {
		t.Errorf("after restart, year >= 2020 matched %d partitions (years %v), want 50", n, years)
	}
	got, err := gc.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: aws.String(db), TableName: aws.String("events"), PartitionValues: []string{"2024", "2024-01-10"}})
	if err != nil || got.Partition.Parameters["rows"] != "99" {
		t.Errorf("after restart, updated partition: %+v %v", got, err)
	}
}

func TestE2EGlueCLI(t *testing.T) {
	for _, g := range cliGens(t) {
		t.Run(g.name, func(t *testing.T) {
			s := startServer(t)
			ctx := ctxT(t)
			gc := s.GlueClient(t)
			if _, err := gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("clidb")}}); err != nil {
				t.Fatal(err)
			}
			if _, err := gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("clidb"), TableInput: &types.TableInput{
				Name:              aws.String("Logs"),
				PartitionKeys:     []types.Column{{Name: aws.String("day"), Type: aws.String("int")}},
				StorageDescriptor: &types.StorageDescriptor{Location: aws.String("s3://lake/logs/")},
			}}); err != nil {
				t.Fatal(err)
			}
			var parts []types.PartitionInput
			for d := 1; d <= 30; d++ {
				parts = append(parts, types.PartitionInput{Values: []string{fmt.Sprint(d)}})
			}
			if _, err := gc.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String("clidb"), TableName: aws.String("logs"), PartitionInputList: parts}); err != nil {
				t.Fatal(err)
			}
			tb := g.ok(t, s, "glue", "get-table", "--database-name", "CLIDB", "--name", "logs")
			if jsonPath(t, tb, "Table", "Name") != "logs" || jsonPath(t, tb, "Table", "StorageDescriptor", "Location") != "s3://lake/logs/" {
				t.Errorf("get-table: %v", tb)
			}
			// The CLI pages by itself (--page-size 4 makes 3 calls).
			ps := g.ok(t, s, "glue", "get-partitions", "--database-name", "clidb", "--table-name", "logs",
				"--expression", "day > 9 AND day <= 20", "--page-size", "4")
			if n := jsonLen(t, ps, "Partitions"); n != 11 {
				t.Errorf("get-partitions day in (9,20]: %d partitions, want 11", n)
			}
			g.fails(t, s, "EntityNotFoundException", "glue", "get-table", "--database-name", "clidb", "--name", "nope")
		})
	}
}
