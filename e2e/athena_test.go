package e2e

// The Athena API against a real server process: boto3 (both generations)
// through scripts/athena_queries.py, which uploads data through the S3
// API, declares tables with DDL and makes the detailed checks of queries,
// pagination, errors, stop, idempotency and work groups; then the history
// must survive a kill -9 (re-read with the AWS SDK for Go v2, results
// included). The course's own Athena example (scripts/athena_course.py)
// must run as written, apart from its endpoint.

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// AthenaClient is an AWS SDK for Go v2 Athena client for the server.
func (s *Server) AthenaClient(t testing.TB) *athena.Client {
	t.Helper()
	return athena.New(athena.Options{
		BaseEndpoint: aws.String(s.Endpoint()),
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey, ""),
		Retryer:      retry.AddWithMaxAttempts(retry.NewStandard(), 2),
	})
}

func TestE2EAthenaBoto3(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "athena_queries.py")
		checkVersion(t, g, res)
		if got := resNum(t, res, "pages"); got != 3 {
			t.Errorf("get_query_results paginator saw %v pages, want 3", got)
		}
		kept, _ := res["kept"].(map[string]any)
		id, _ := kept["id"].(string)
		if id == "" {
			t.Fatalf("script reported no kept execution: %v", res["kept"])
		}

		// SIGKILL: the execution was SUCCEEDED (fsynced) and its result
		// file written to the lake before boto3 could see it; both must
		// be there after the restart.
		s.Kill()
		s.Restart()
		ctx := ctxT(t)
		ac := s.AthenaClient(t)
		x, err := ac.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatalf("after restart, GetQueryExecution: %v", err)
		}
		if x.QueryExecution.Status.State != types.QueryExecutionStateSucceeded || !strings.HasPrefix(*x.QueryExecution.Query, "SELECT id, name, price") {
			t.Fatalf("after restart: %s %q", x.QueryExecution.Status.State, aws.ToString(x.QueryExecution.Query))
		}
		rows := 0
		p := athena.NewGetQueryResultsPaginator(ac, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("after restart, GetQueryResults: %v", err)
			}
			rows += len(page.ResultSet.Rows)
		}
		if rows != 2501 {
			t.Errorf("after restart, %d rows (with the header), want 2501", rows)
		}
	})
}

func TestE2EAthenaCourseExample(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		ctx := ctxT(t)
		if _, err := s.S3Client(t).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("my-athena-results-bucket")}); err != nil {
			t.Fatal(err)
		}
		res := runScript(t, g.python, s, "athena_course.py")
		id, _ := res["QueryExecutionId"].(string)
		if len(id) != 36 {
			t.Fatalf("the course's start_query_execution answered %v", res)
		}
		if b, _ := res["buckets"].([]any); len(b) != 1 || b[0] != "my-athena-results-bucket" {
			t.Errorf("the course's list_buckets saw %v", res["buckets"])
		}
		// The course only starts the query; it ends as Athena would end
		// it on an empty catalog: FAILED, with a reason Athena gives.
		ac := s.AthenaClient(t)
		deadline := time.Now().Add(15 * time.Second)
		for {
			x, err := ac.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			st := x.QueryExecution.Status
			if st.State == types.QueryExecutionStateFailed {
				if r := aws.ToString(st.StateChangeReason); !strings.Contains(r, "line 1:") {
					t.Errorf("reason %q", r)
				}
				break
			}
			if st.State == types.QueryExecutionStateSucceeded || st.State == types.QueryExecutionStateCancelled || time.Now().After(deadline) {
				t.Fatalf("the course's query ended %s: %s", st.State, aws.ToString(st.StateChangeReason))
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
