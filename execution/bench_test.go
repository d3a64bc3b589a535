package execution

import (
	"context"
	"testing"

	"github.com/caudal/caudal/query"
)

type oneRow struct{}

func (oneRow) Run(ctx context.Context, sql, database string) (*query.Result, error) {
	return &query.Result{StatementType: query.StatementDML, Columns: []query.Column{{Name: "one", Type: "integer"}},
		Rows: [][]query.Datum{{{Value: "1"}}}}, nil
}

// BenchmarkStartWaitResults is the Manager's own per-query cost, without
// HTTP: Start (one fsynced commit), the run, the result file in the lake
// and the final commit, then Results. The lake is unsynced here; the
// history is fsynced, as in production.
func BenchmarkStartWaitResults(b *testing.B) {
	e := newEnv(b, oneRow{}, func(c *Config) { c.NoSync = false })
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		id, err := e.m.Start(StartInput{Query: "SELECT 1", OutputLocation: "s3://results/bench/"})
		if err != nil {
			b.Fatal(err)
		}
		if x, err := e.m.Wait(ctx, id); err != nil || x.State != Succeeded {
			b.Fatalf("%+v %v", x, err)
		}
		if _, rs, err := e.m.Results(ctx, id); err != nil || len(rs.Rows) != 1 {
			b.Fatal(err)
		}
	}
}
