package execution

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/query"
	bolt "go.etcd.io/bbolt"
)

// fakeRunner answers by the query text; it stands in for the SQL engine
// only where the test is about the state machine (queueing, stopping,
// history), not about SQL.
//
//	"block"      waits until its context ends (or release is closed)
//	"fail"       a SYNTAX_ERROR
//	"big"        scans 50 MB
//	"rows N"     N rows of (n, NULL, "x,\"y\"")
//	anything else: one row
type fakeRunner struct {
	release chan struct{}
	mu      sync.Mutex
	started []string
}

func newFake() *fakeRunner { return &fakeRunner{release: make(chan struct{})} }

func (f *fakeRunner) Run(ctx context.Context, sql, database string) (*query.Result, error) {
	f.mu.Lock()
	f.started = append(f.started, sql)
	f.mu.Unlock()
	cols := []query.Column{{Name: "n", Type: "integer"}, {Name: "nothing", Type: "varchar"}, {Name: "s", Type: "varchar"}}
	res := &query.Result{StatementType: query.StatementDML, Columns: cols}
	switch {
	case sql == "block":
		select {
		case <-ctx.Done():
			return nil, &query.Error{Kind: query.ErrCancelled, Code: "USER_CANCELLED", Message: "Query cancelled by user", Err: ctx.Err()}
		case <-f.release:
		}
	case sql == "fail":
		return nil, &query.Error{Kind: query.ErrSyntax, Code: "SYNTAX_ERROR", Line: 1, Col: 1, Message: "mismatched input 'fail'"}
	case sql == "big":
		res.Stats.DataScannedBytes = 50_000_000
	case strings.HasPrefix(sql, "rows "):
		var n int
		fmt.Sscan(strings.TrimPrefix(sql, "rows "), &n)
		for i := range n {
			res.Rows = append(res.Rows, []query.Datum{{Value: fmt.Sprint(i)}, {Null: true}, {Value: `x,"y"`}})
		}
		return res, nil
	case strings.HasPrefix(sql, "show"):
		return &query.Result{StatementType: query.StatementUtility, Columns: []query.Column{{Name: "tab_name", Type: "string"}},
			Rows: [][]query.Datum{{{Value: "a"}}, {{Value: "b"}}}}, nil
	}
	res.Rows = [][]query.Datum{{{Value: "1"}, {Null: true}, {Value: ""}}}
	return res, nil
}

type env struct {
	t    testing.TB
	dir  string
	lake *lake.Lake
	run  Runner
	m    *Manager
}

func newEnv(t testing.TB, run Runner, configure func(*Config)) *env {
	t.Helper()
	dir := t.TempDir()
	lk, err := lake.Open(lake.Config{Dir: filepath.Join(dir, "lake"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lk.Close() })
	if err := lk.CreateBucket("results", ""); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir, lake: lk, run: run}
	e.open(configure)
	return e
}

func (e *env) open(configure func(*Config)) {
	e.t.Helper()
	cfg := Config{Dir: filepath.Join(e.dir, "exec"), Runner: e.run, Lake: e.lake, NoSync: true}
	if configure != nil {
		configure(&cfg)
	}
	m, err := Open(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.m = m
	e.t.Cleanup(func() { m.Close() })
}

func (e *env) start(sql string) string {
	e.t.Helper()
	id, err := e.m.Start(StartInput{Query: sql, OutputLocation: "s3://results/q/"})
	if err != nil {
		e.t.Fatalf("start %q: %v", sql, err)
	}
	return id
}

func (e *env) wait(id string) Execution {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	x, err := e.m.Wait(ctx, id)
	if err != nil {
		e.t.Fatalf("wait %s: %v", id, err)
	}
	return x
}

func (e *env) object(bucket, key string) string {
	e.t.Helper()
	o, err := e.lake.GetObject(bucket, key)
	if err != nil {
		e.t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer o.Close()
	b, _ := io.ReadAll(o.Body)
	return string(b)
}

func TestSucceededWritesAthenaCSV(t *testing.T) {
	e := newEnv(t, newFake(), nil)
	id := e.start("rows 2")
	if len(id) != 36 || id[14] != '4' {
		t.Fatalf("id %q is not a v4 UUID", id)
	}
	x := e.wait(id)
	if x.State != Succeeded || x.StatementType != "DML" || x.Rows != 2 || x.OutputLocation != "s3://results/q/"+id+".csv" {
		t.Fatalf("execution: %+v", x)
	}
	if x.Completed.Before(x.Submitted) || x.Stats.TotalExecutionMillis < x.Stats.EngineExecutionMillis {
		t.Fatalf("times: %+v", x)
	}
	got := e.object("results", "q/"+id+".csv")
	want := "\"n\",\"nothing\",\"s\"\n\"0\",,\"x,\"\"y\"\"\"\n\"1\",,\"x,\"\"y\"\"\"\n"
	if got != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", got, want)
	}
	_, rs, err := e.m.Results(context.Background(), id)
	if err != nil || len(rs.Rows) != 2 || !rs.Header || !rs.Rows[0][1].Null || rs.Rows[1][2].Value != `x,"y"` {
		t.Fatalf("results %+v %v", rs, err)
	}
}

func TestUtilityResultIsText(t *testing.T) {
	e := newEnv(t, newFake(), nil)
	id := e.start("show tables")
	x := e.wait(id)
	if x.State != Succeeded || x.StatementType != "UTILITY" || !strings.HasSuffix(x.OutputLocation, id+".txt") {
		t.Fatalf("%+v", x)
	}
	if got := e.object("results", "q/"+id+".txt"); got != "a\nb\n" {
		t.Fatalf("txt %q", got)
	}
	// Read back from the lake, as after a restart.
	e.m.cache = newResultCache(1 << 20)
	_, rs, err := e.m.Results(context.Background(), id)
	if err != nil || rs.Header || len(rs.Rows) != 2 || rs.Rows[1][0].Value != "b" {
		t.Fatalf("%+v %v", rs, err)
	}
}

func TestFailedCarriesReasonAndAthenaError(t *testing.T) {
	e := newEnv(t, newFake(), nil)
	x := e.wait(e.start("fail"))
	if x.State != Failed || x.StateChangeReason != "SYNTAX_ERROR: line 1:1: mismatched input 'fail'" ||
		x.Error == nil || x.Error.Category != 2 || x.Error.Type != 1006 || x.Error.Message != x.StateChangeReason {
		t.Fatalf("%+v %+v", x, x.Error)
	}
	_, _, err := e.m.Results(context.Background(), x.ID)
	if !errors.Is(err, ErrQueryFailed) || err.Error() != x.StateChangeReason {
		t.Fatalf("results of a failed query: %v", err)
	}
}

func TestStopRunningAndQueued(t *testing.T) {
	e := newEnv(t, newFake(), func(c *Config) { c.MaxConcurrent = 1 })
	running := e.start("block")
	waitState(t, e.m, running, Running)
	queued := e.start("rows 1")
	if x, _ := e.m.Get(queued); x.State != Queued {
		t.Fatalf("second query %s, want QUEUED behind the first", x.State)
	}
	_, _, err := e.m.Results(context.Background(), running)
	if !errors.Is(err, ErrNotFinished) || err.Error() != "Query has not yet finished. Current state: RUNNING" {
		t.Fatalf("results while running: %v", err)
	}
	if err := e.m.Stop(queued); err != nil {
		t.Fatal(err)
	}
	if x, _ := e.m.Get(queued); x.State != Cancelled {
		t.Fatalf("queued after stop: %s", x.State)
	}
	if err := e.m.Stop(running); err != nil {
		t.Fatal(err)
	}
	if x, _ := e.m.Get(running); x.State != Cancelled || x.StateChangeReason != reasonCancelled {
		t.Fatalf("running after stop: %+v", x)
	}
	if err := e.m.Stop(running); err != nil {
		t.Fatalf("stopping a finished query: %v", err)
	}
	if err := e.m.Stop("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("stop unknown: %v", err)
	}
	// The slot is free again.
	if x := e.wait(e.start("rows 1")); x.State != Succeeded {
		t.Fatalf("%+v", x)
	}
}

func waitState(t *testing.T, m *Manager, id string, s State) {
	t.Helper()
	for range 1000 {
		if x, _ := m.Get(id); x.State == s {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s never reached %s", id, s)
}

func TestClientRequestToken(t *testing.T) {
	e := newEnv(t, newFake(), nil)
	tok := strings.Repeat("t", 32)
	in := StartInput{Query: "rows 1", OutputLocation: "s3://results/", ClientRequestToken: tok}
	a, err := e.m.Start(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.m.Start(in)
	if err != nil || a != b {
		t.Fatalf("same token and query: %s %s %v", a, b, err)
	}
	in.Query = "rows 2"
	if _, err := e.m.Start(in); !errors.Is(err, ErrIdempotencyMismatch) {
		t.Fatalf("same token, other query: %v", err)
	}
	e.wait(a)
}

func TestOutputLocationRules(t *testing.T) {
	e := newEnv(t, newFake(), nil)
	if _, err := e.m.Start(StartInput{Query: "x"}); !errors.Is(err, ErrNoOutputLocation) {
		t.Fatalf("no location: %v", err)
	}
	if _, err := e.m.Start(StartInput{Query: "x", OutputLocation: "/tmp/x"}); !errors.Is(err, ErrInvalidLocation) {
		t.Fatalf("not s3: %v", err)
	}
	id, err := e.m.Start(StartInput{Query: "x", OutputLocation: "s3://no-such-bucket/p"})
	if err != nil {
		t.Fatal(err)
	}
	x := e.wait(id)
	if x.State != Failed || x.StateChangeReason != "Unable to verify/create output bucket no-such-bucket" || x.OutputLocation != "s3://no-such-bucket/p/"+id+".csv" {
		t.Fatalf("%+v", x)
	}
	// The work group's location applies when the request has none, and
	// always when the work group enforces its configuration.
	if err := e.m.CreateWorkGroup(WorkGroup{Name: "wg", OutputLocation: "s3://results/wg"}); err != nil {
		t.Fatal(err)
	}
	id, _ = e.m.Start(StartInput{Query: "x", WorkGroup: "wg"})
	if x := e.wait(id); x.OutputLocation != "s3://results/wg/"+id+".csv" || x.State != Succeeded {
		t.Fatalf("%+v", x)
	}
	enforce := true
	if err := e.m.UpdateWorkGroup("wg", WorkGroupUpdate{EnforceConfiguration: &enforce}); err != nil {
		t.Fatal(err)
	}
	id, _ = e.m.Start(StartInput{Query: "x", WorkGroup: "wg", OutputLocation: "s3://results/mine/"})
	if x := e.wait(id); x.OutputLocation != "s3://results/wg/"+id+".csv" {
		t.Fatalf("enforced: %+v", x)
	}
}

func TestBytesScannedCutoff(t *testing.T) {
	e := newEnv(t, newFake(), nil)
	cutoff := int64(10_000_000)
	if err := e.m.CreateWorkGroup(WorkGroup{Name: "cheap", OutputLocation: "s3://results/", BytesScannedCutoff: cutoff}); err != nil {
		t.Fatal(err)
	}
	id, _ := e.m.Start(StartInput{Query: "big", WorkGroup: "cheap"})
	x := e.wait(id)
	if x.State != Cancelled || x.StateChangeReason != reasonCutoff || x.Stats.DataScannedBytes != 50_000_000 {
		t.Fatalf("%+v", x)
	}
	id, _ = e.m.Start(StartInput{Query: "big", OutputLocation: "s3://results/"})
	if x := e.wait(id); x.State != Succeeded {
		t.Fatalf("primary has no cutoff: %+v", x)
	}
}

func TestWorkGroups(t *testing.T) {
	e := newEnv(t, newFake(), nil)
	if err := e.m.DeleteWorkGroup(PrimaryWorkGroup); !errors.Is(err, ErrPrimaryWorkGroup) {
		t.Fatalf("delete primary: %v", err)
	}
	if err := e.m.CreateWorkGroup(WorkGroup{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.CreateWorkGroup(WorkGroup{Name: "a"}); !errors.Is(err, ErrWorkGroupExists) {
		t.Fatalf("create twice: %v", err)
	}
	dis := WorkGroupDisabled
	if err := e.m.UpdateWorkGroup("a", WorkGroupUpdate{State: &dis}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Start(StartInput{Query: "x", WorkGroup: "a", OutputLocation: "s3://results/"}); !errors.Is(err, ErrWorkGroupDisabled) {
		t.Fatalf("disabled: %v", err)
	}
	wgs, _ := e.m.ListWorkGroups()
	if len(wgs) != 2 || wgs[0].Name != "a" || wgs[1].Name != "primary" {
		t.Fatalf("%+v", wgs)
	}
	if err := e.m.DeleteWorkGroup("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.GetWorkGroup("a"); !errors.Is(err, ErrWorkGroupNotFound) || err.Error() != "WorkGroup a is not found." {
		t.Fatalf("%v", err)
	}
	if _, err := e.m.Start(StartInput{Query: "x", WorkGroup: "a", OutputLocation: "s3://results/"}); !errors.Is(err, ErrWorkGroupNotFound) {
		t.Fatalf("deleted: %v", err)
	}
}

func TestListNewestFirstPaged(t *testing.T) {
	e := newEnv(t, newFake(), nil)
	e.m.CreateWorkGroup(WorkGroup{Name: "other", OutputLocation: "s3://results/"})
	var ids []string
	for i := range 7 {
		ids = append(ids, e.start(fmt.Sprint("rows ", i)))
		if i%2 == 0 {
			e.m.Start(StartInput{Query: "x", WorkGroup: "other"})
		}
	}
	var got []string
	var next uint64
	for pages := 0; ; pages++ {
		page, n, err := e.m.List("", next, 3)
		if err != nil || pages > 3 {
			t.Fatalf("list: %v after %d pages", err, pages)
		}
		got = append(got, page...)
		if next = n; next == 0 {
			break
		}
	}
	if len(got) != 7 {
		t.Fatalf("got %d ids", len(got))
	}
	for i := range got {
		if got[i] != ids[6-i] {
			t.Fatalf("order: %v, want reverse of %v", got, ids)
		}
	}
	if _, _, err := e.m.List("nope", 0, 3); !errors.Is(err, ErrWorkGroupNotFound) {
		t.Fatal(err)
	}
}

func TestHistorySurvivesRestartAndCrash(t *testing.T) {
	e := newEnv(t, newFake(), nil)
	done := e.start("rows 3")
	e.wait(done)
	blocked := e.start("block")
	waitState(t, e.m, blocked, Running)
	if err := e.m.Close(); err != nil {
		t.Fatal(err)
	}
	// Simulate a crash that left one execution RUNNING: mark the finished
	// one pending again, as the first commit would have left it.
	db, err := bolt.Open(filepath.Join(e.dir, "exec", FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	crashed := newID()
	err = db.Update(func(tx *bolt.Tx) error {
		x := Execution{ID: crashed, Query: "q", WorkGroup: PrimaryWorkGroup, State: Running, Submitted: time.Now()}
		return putExecTx(tx, &x, true)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	e.open(nil)
	if x, _ := e.m.Get(blocked); x.State != Failed || x.StateChangeReason != reasonStopped {
		t.Fatalf("running at clean stop: %+v", x)
	}
	if x, _ := e.m.Get(crashed); x.State != Failed || x.StateChangeReason != reasonRestarted || x.Error.Category != 1 {
		t.Fatalf("running at crash: %+v", x)
	}
	x, rs, err := e.m.Results(context.Background(), done)
	if err != nil || x.State != Succeeded || len(rs.Rows) != 3 || len(x.Columns) != 3 || rs.Rows[2][0].Value != "2" {
		t.Fatalf("after restart: %+v %+v %v", x, rs, err)
	}
}

func TestResultCacheBound(t *testing.T) {
	c := newResultCache(1000)
	small := &ResultSet{Rows: [][]query.Datum{{{Value: "x"}}}}
	for i := range 100 {
		c.put(fmt.Sprint(i), small)
	}
	if c.used > 1000 || c.get("99") == nil || c.get("0") != nil {
		t.Fatalf("used %d", c.used)
	}
	huge := &ResultSet{Rows: [][]query.Datum{{{Value: strings.Repeat("x", 2000)}}}}
	c.put("huge", huge)
	if c.get("huge") != nil {
		t.Fatal("a result over the whole budget was kept")
	}
}

func TestParseCSV(t *testing.T) {
	rows, err := ParseCSV([]byte("\"a\",\"b\"\r\n,\"\"\n\"x\"\"y\",z\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !rows[1][0].Null || rows[1][1].Null || rows[1][1].Value != "" || rows[2][0].Value != `x"y` || rows[2][1].Value != "z" {
		t.Fatalf("%+v", rows)
	}
	for _, bad := range []string{`"open`, `"a"b`, `a"b`, "\"a\"\r"} {
		if _, err := ParseCSV([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("\"a\",\"b\"\n,\"\"\n"))
	f.Add([]byte(`"x""y",z`))
	f.Add([]byte("\r\n,,\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := ParseCSV(b)
		if err != nil {
			return
		}
		// Whatever parses re-encodes (quoted, NULLs empty) to something
		// that parses to the same values.
		var cols []query.Column
		if len(rows) > 0 {
			for range rows[0] {
				cols = append(cols, query.Column{Name: "c"})
			}
		}
		for _, r := range rows {
			if len(r) != len(cols) {
				return
			}
		}
		var buf strings.Builder
		for _, r := range rows {
			for i, d := range r {
				if i > 0 {
					buf.WriteByte(',')
				}
				if !d.Null {
					buf.WriteString(`"` + strings.ReplaceAll(d.Value, `"`, `""`) + `"`)
				}
			}
			buf.WriteByte('\n')
		}
		again, err := ParseCSV([]byte(buf.String()))
		if err != nil {
			t.Fatalf("re-encoded %q: %v", buf.String(), err)
		}
		if len(again) != len(rows) {
			t.Fatalf("%d rows became %d", len(rows), len(again))
		}
		for i := range rows {
			for j := range rows[i] {
				if rows[i][j] != again[i][j] {
					t.Fatalf("row %d col %d: %+v became %+v", i, j, rows[i][j], again[i][j])
				}
			}
		}
	})
}

// TestRealEngine runs queries through the real SQL engine over a temp
// lake and catalog: the Manager and query.Engine agree on results,
// failures and statement types.
func TestRealEngine(t *testing.T) {
	dir := t.TempDir()
	lk, err := lake.Open(lake.Config{Dir: filepath.Join(dir, "lake"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Close()
	lk.CreateBucket("results", "")
	cat, err := catalog.Open(catalog.Config{Dir: filepath.Join(dir, "catalog"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if err := cat.CreateDatabase(catalog.Database{Name: "default"}); err != nil {
		t.Fatal(err)
	}
	eng, err := query.Open(query.Config{Lake: lk, Catalog: cat, LakeDir: filepath.Join(dir, "lake"), TempDir: filepath.Join(dir, "tmp"), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	e := &env{t: t, dir: dir, lake: lk, run: eng}
	e.open(nil)

	x := e.wait(e.start("SELECT 1 AS a, CAST(NULL AS varchar) AS b, 'it''s' AS c"))
	if x.State != Succeeded || x.StatementType != "DML" || len(x.Columns) != 3 || x.Columns[0].Name != "a" {
		t.Fatalf("%+v", x)
	}
	if got := e.object("results", "q/"+x.ID+".csv"); got != "\"a\",\"b\",\"c\"\n\"1\",,\"it's\"\n" {
		t.Fatalf("csv %q", got)
	}
	x = e.wait(e.start("SELECT * FROM nowhere"))
	if x.State != Failed || !strings.HasPrefix(x.StateChangeReason, "TABLE_NOT_FOUND") || x.Error.Type != 1301 {
		t.Fatalf("%+v", x)
	}
	x = e.wait(e.start("CREATE DATABASE sales"))
	if x.State != Succeeded || x.StatementType != "DDL" {
		t.Fatalf("%+v %+v", x, x.Error)
	}
	x = e.wait(e.start("SHOW DATABASES"))
	_, rs, err := e.m.Results(context.Background(), x.ID)
	if err != nil || x.StatementType != "UTILITY" || rs.Header || len(rs.Rows) < 2 {
		t.Fatalf("%+v %+v %v", x, rs, err)
	}
}
