package athena

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/query"
)

// trivialRunner answers every query with one row at once: what remains
// of a query's latency is caudal's own per-query overhead.
type trivialRunner struct{}

func (trivialRunner) Run(ctx context.Context, sql, database string) (*query.Result, error) {
	return &query.Result{StatementType: query.StatementDML, Columns: []query.Column{{Name: "one", Type: "integer"}},
		Rows: [][]query.Datum{{{Value: "1"}}}}, nil
}

// BenchmarkStartToResult measures one query's fixed overhead through the
// wire API as a client sees it: StartQueryExecution, GetQueryExecution
// polled (without sleeping) until SUCCEEDED, GetQueryResults; with the
// history fsynced and the result file written to the lake. The issue's
// target is under 20 ms per query.
func BenchmarkStartToResult(b *testing.B) {
	h := newHarness(b, func(c *execution.Config) { c.NoSync = os.Getenv("BENCH_NOSYNC") != "" })
	h.run = trivialRunner{}
	h.reopen()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := h.ac.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1 AS one"),
			ResultConfiguration: &types.ResultConfiguration{OutputLocation: aws.String("s3://results/bench/")}})
		if err != nil {
			b.Fatal(err)
		}
		for {
			x, err := h.ac.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: out.QueryExecutionId})
			if err != nil {
				b.Fatal(err)
			}
			if x.QueryExecution.Status.State == types.QueryExecutionStateSucceeded {
				break
			}
			if x.QueryExecution.Status.State != types.QueryExecutionStateQueued && x.QueryExecution.Status.State != types.QueryExecutionStateRunning {
				b.Fatalf("%s", x.QueryExecution.Status.State)
			}
		}
		r, err := h.ac.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: out.QueryExecutionId})
		if err != nil || len(r.ResultSet.Rows) != 2 {
			b.Fatalf("%v %v", r, err)
		}
	}
}
