package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"
)

// `caudal query` is an Athena client of the server, as a user's program
// is: StartQueryExecution, poll GetQueryExecution, page through
// GetQueryResults. Nothing here knows SQL; the server does.

// defaultOutputLocation is where results go unless --output-location says
// otherwise. Its bucket is created on first use, so that a first query
// works on a fresh server; a bucket the user names must already exist.
const defaultOutputLocation = "s3://caudal-query-results/"

// exitInterrupted is the status of a query stopped with Ctrl-C, as a shell
// reports a process killed by SIGINT (128+2).
const exitInterrupted = 130

// exitStatus is an error that ends the process with a status other than 1.
type exitStatus struct {
	error
	code int
}

// Polling backs off from pollFirst to pollMax: short queries answer within
// a few tens of milliseconds, long ones need no faster polling than 1 s.
const (
	pollFirst = 50 * time.Millisecond
	pollMax   = time.Second
)

// resultsPageSize is GetQueryResults' largest page.
const resultsPageSize = 1000

type queryOptions struct {
	database       string
	workGroup      string
	outputLocation string
	format         string
	maxRows        int
}

func newQueryCmd(e *env, g *globals) *cobra.Command {
	o := &queryOptions{}
	cmd := &cobra.Command{
		Use:   "query [SQL | -]",
		Short: "Run SQL over the lake through caudal's Athena API",
		Long: `Run one SQL statement through caudal's Athena API, as boto3's
start_query_execution / get_query_execution / get_query_results would, and print
the result. The SQL is the argument, or stdin when the argument is "-" or absent
and stdin is not a terminal.

  caudal query "SELECT kind, count(*) AS n FROM events GROUP BY kind"
  caudal query --format csv "SELECT * FROM events" > events.csv
  caudal query --database sales < report.sql

--format table (the default on a terminal; csv otherwise) aligns columns under a
header and shows NULL as NULL; csv is RFC 4180 with a header line (NULL is an
empty field, an empty string is ""); json prints one object per row, numbers and
booleans typed by the column type, NULL as null. At the end, stderr says how many
rows, how long and how many bytes were scanned. A failed query prints Athena's
reason and exits 1; Ctrl-C stops the query on the server and exits 130.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sql, err := querySQL(e, args)
			if err != nil {
				return err
			}
			if o.format == "" {
				o.format = "csv"
				if isTerminal(e.stdout) {
					o.format = "table"
				}
			}
			w, err := newRowWriter(o.format, e.stdout)
			if err != nil {
				return usageError{err}
			}
			if o.maxRows < 0 {
				return usageError{fmt.Errorf("--max-rows %d: want 0 (no limit) or more", o.maxRows)}
			}
			return runQuery(cmd.Context(), e, g, o, sql, w)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.database, "database", "default", "database unqualified table names refer to")
	f.StringVar(&o.workGroup, "workgroup", "primary", "Athena work group to run the query in")
	f.StringVar(&o.outputLocation, "output-location", defaultOutputLocation, "s3:// location the result file is written under")
	f.StringVar(&o.format, "format", "", "output format: table, csv or json (default table on a terminal, csv otherwise)")
	f.IntVar(&o.maxRows, "max-rows", 0, "print at most this many rows (0: all)")
	return cmd
}

// querySQL is the statement to run: the argument, or stdin for "-" or no
// argument when stdin is not a terminal (a terminal would wait for input
// the user does not know is wanted).
func querySQL(e *env, args []string) (string, error) {
	if len(args) == 1 && args[0] != "-" {
		if strings.TrimSpace(args[0]) == "" {
			return "", usageError{errors.New("the SQL argument is empty")}
		}
		return args[0], nil
	}
	if len(args) == 0 {
		if f, ok := e.stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				return "", usageError{errors.New(`no SQL: give it as an argument, or on stdin ("-")`)}
			}
		}
	}
	b, err := io.ReadAll(e.stdin)
	if err != nil {
		return "", fmt.Errorf("read SQL from stdin: %w", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", usageError{errors.New("no SQL on stdin")}
	}
	return string(b), nil
}

// runQuery runs sql and writes its rows to w.
func runQuery(ctx context.Context, e *env, g *globals, o *queryOptions, sql string, w rowWriter) error {
	creds, src, err := resolveCredentials(ctx, e, g)
	if err != nil {
		return err
	}
	base := &client{g: g, credSrc: src}
	ac := athena.New(athena.Options{
		Region:       g.region,
		BaseEndpoint: aws.String(g.endpoint),
		Credentials:  creds,
	})
	if err := ensureOutputBucket(ctx, e, g, o.outputLocation); err != nil {
		return err
	}

	// The token makes StartQueryExecution idempotent, so that a query
	// started by a request interrupted in flight can be found and stopped
	// (if that request never arrived, the retry starts the query and it is
	// stopped at once: a CANCELLED entry in the history).
	token := make([]byte, 16)
	rand.Read(token)
	in := &athena.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		ClientRequestToken:    aws.String(hex.EncodeToString(token)),
		QueryExecutionContext: &types.QueryExecutionContext{Database: aws.String(o.database)},
		ResultConfiguration:   &types.ResultConfiguration{OutputLocation: aws.String(o.outputLocation)},
		WorkGroup:             aws.String(o.workGroup),
	}
	began := time.Now()
	start, err := ac.StartQueryExecution(ctx, in)
	if err != nil && ctx.Err() != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if again, err := ac.StartQueryExecution(stopCtx, in); err == nil {
			ac.StopQueryExecution(stopCtx, &athena.StopQueryExecutionInput{QueryExecutionId: again.QueryExecutionId})
		}
		return exitStatus{errors.New("interrupted before the query started"), exitInterrupted}
	}
	if err != nil {
		return base.explain(err)
	}
	id := aws.ToString(start.QueryExecutionId)

	qe, err := waitForQuery(ctx, ac, id, e.stderr, began)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// Interrupted: the query must not go on running on the server.
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, serr := ac.StopQueryExecution(stopCtx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); serr != nil {
			return exitStatus{fmt.Errorf("interrupted; stopping query %s failed: %w", id, base.explain(serr)), exitInterrupted}
		}
		return exitStatus{fmt.Errorf("interrupted: query %s stopped", id), exitInterrupted}
	}
	if err != nil {
		return base.explain(err)
	}
	st := qe.Status
	switch st.State {
	case types.QueryExecutionStateSucceeded:
	case types.QueryExecutionStateCancelled:
		return fmt.Errorf("query %s was cancelled: %s", id, aws.ToString(st.StateChangeReason))
	default:
		return fmt.Errorf("query %s failed: %s", id, aws.ToString(st.StateChangeReason))
	}

	rows, capped, err := fetchResults(ctx, ac, id, qe.StatementType == types.StatementTypeDml, o.maxRows, w)
	if ctx.Err() != nil {
		return exitStatus{fmt.Errorf("interrupted while reading the results of query %s", id), exitInterrupted}
	}
	if err != nil {
		return base.explain(err)
	}
	var scanned int64
	if qe.Statistics != nil {
		scanned = aws.ToInt64(qe.Statistics.DataScannedInBytes)
	}
	what := fmt.Sprintf("%d row%s", rows, plural(rows))
	if capped {
		what = fmt.Sprintf("first %s (--max-rows)", what)
	}
	fmt.Fprintf(e.stderr, "%s in %.2f s, %s scanned\n", what, time.Since(began).Seconds(), humanSize(scanned))
	return nil
}

// ensureOutputBucket makes sure the bucket of the output location exists:
// the default one is created on first use; a bucket the user named is
// never created behind their back, and its absence is told before the
// query runs rather than as a failed query.
func ensureOutputBucket(ctx context.Context, e *env, g *globals, location string) error {
	loc, err := parseS3URL(location)
	if err != nil {
		return usageError{fmt.Errorf("--output-location: %w", err)}
	}
	lc, err := newLakeClient(ctx, e, g)
	if err != nil {
		return err
	}
	_, err = lc.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(loc.Bucket)})
	switch {
	case err == nil:
		return nil
	case !isNotFound(err):
		return lc.explain(err, loc.Bucket)
	case location != defaultOutputLocation:
		return fmt.Errorf("bucket %s of --output-location does not exist (create it with: caudal lake mb s3://%s)", loc.Bucket, loc.Bucket)
	}
	_, err = lc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(loc.Bucket)})
	if err != nil && !isCode(err, "BucketAlreadyOwnedByYou") {
		return lc.explain(err, loc.Bucket)
	}
	return nil
}

// waitForQuery polls until the query is no longer QUEUED or RUNNING. On a
// terminal it shows the state and the time waited on one line of status,
// cleared when done.
func waitForQuery(ctx context.Context, ac *athena.Client, id string, status io.Writer, began time.Time) (*types.QueryExecution, error) {
	spin := isTerminal(status)
	defer func() {
		if spin {
			fmt.Fprint(status, "\r\033[K")
		}
	}()
	frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
	frame := 0
	var redraw <-chan time.Time // the spinner turns between polls too
	if spin {
		tk := time.NewTicker(100 * time.Millisecond)
		defer tk.Stop()
		redraw = tk.C
	}
	delay := pollFirst
	for {
		out, err := ac.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			return nil, err
		}
		qe := out.QueryExecution
		if qe == nil || qe.Status == nil {
			return nil, fmt.Errorf("GetQueryExecution %s answered no status", id)
		}
		state := qe.Status.State
		switch state {
		case types.QueryExecutionStateQueued, types.QueryExecutionStateRunning:
		default:
			return qe, nil
		}
		t := time.NewTimer(delay)
	wait:
		for {
			if spin {
				fmt.Fprintf(status, "\r%c %s %.1f s", frames[frame%len(frames)], state, time.Since(began).Seconds())
				frame++
			}
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
				break wait
			case <-redraw:
			}
		}
		delay = min(delay*2, pollMax)
	}
}

// fetchResults pages through the results of a SUCCEEDED query into w and
// returns how many rows it wrote and whether maxRows (0: no limit) cut
// them short. hasHeader says the first row of the first page repeats the
// column names (Athena does that for DML, SELECT, results only).
func fetchResults(ctx context.Context, ac *athena.Client, id string, hasHeader bool, maxRows int, w rowWriter) (rows int, capped bool, err error) {
	var token *string
	first := true
	for {
		page, err := ac.GetQueryResults(ctx, &athena.GetQueryResultsInput{
			QueryExecutionId: aws.String(id),
			NextToken:        token,
			MaxResults:       aws.Int32(resultsPageSize),
		})
		if err != nil {
			return rows, false, err
		}
		rs := page.ResultSet
		if rs == nil {
			rs = &types.ResultSet{}
		}
		data := rs.Rows
		if first {
			w.columns(queryColumns(rs.ResultSetMetadata))
			if hasHeader && len(data) > 0 {
				data = data[1:]
			}
			first = false
		}
		for _, r := range data {
			if maxRows > 0 && rows == maxRows {
				return rows, true, w.flush()
			}
			vals := make([]*string, len(r.Data))
			for i, d := range r.Data {
				vals[i] = d.VarCharValue
			}
			if err := w.row(vals); err != nil {
				return rows, false, err
			}
			rows++
		}
		token = page.NextToken
		if aws.ToString(token) == "" {
			return rows, false, w.flush()
		}
		if maxRows > 0 && rows == maxRows {
			// Exactly at the cap with pages left: there are more rows.
			return rows, true, w.flush()
		}
	}
}

func queryColumns(md *types.ResultSetMetadata) []column {
	if md == nil {
		return nil
	}
	cols := make([]column, len(md.ColumnInfo))
	for i, ci := range md.ColumnInfo {
		cols[i] = column{Name: aws.ToString(ci.Name), Type: strings.ToLower(aws.ToString(ci.Type))}
	}
	return cols
}
