// Package execution owns Athena's query executions and work groups: it
// accepts a query, gives it an ID at once, runs it in the background on a
// Runner (the SQL engine, package query) with bounded concurrency, writes
// its answer to the lake as Athena does (<OutputLocation>/<ID>.csv, or
// .txt for DDL and utility statements), and keeps the history of every
// execution durable across restarts. There is no HTTP here; the Athena wire
// skin (package athena) calls the Manager.
//
// # Life of an execution
//
// Start checks the request (work group, output location, idempotency
// token), records the execution QUEUED (one fsynced bbolt commit: an ID
// returned is an ID that survives a crash) and starts a goroutine that
// waits for one of Config.MaxConcurrent run slots, turns RUNNING, runs the
// query and ends SUCCEEDED, FAILED or CANCELLED (a second commit). RUNNING
// is kept in memory only: a crash turns QUEUED and RUNNING alike into
// FAILED at the next Open ("caudal restarted while the query ran"), so
// persisting it would buy nothing. Stop cancels the query's context, which
// interrupts DuckDB; a query waiting for a slot is cancelled without
// running. A slow query holds one slot and never the Manager's lock, so the
// API keeps answering.
//
// Work groups: "primary" always exists and cannot be deleted. A work
// group's BytesScannedCutoffPerQuery is enforced after the scan, not
// during it: the engine reports DataScannedBytes once the query has run,
// and a query over the cutoff is then CANCELLED (as Athena cancels it)
// with "Bytes scanned limit was exceeded" and its result is not written.
//
// # Results
//
// A successful query's rows are written to the lake before it turns
// SUCCEEDED, so the lake file is the truth and survives restarts. The
// Manager also keeps recent results in memory (an LRU bounded by
// Config.ResultCacheBytes); a result not in memory is re-read from its
// file in the lake and cached again. Column metadata (names and types) is
// stored with the execution record, since a CSV file cannot carry it.
//
// # On-disk format (version 1)
//
// One bbolt file, <Dir>/executions.db:
//
//	meta        "format" -> "1"
//	executions  seq (8 bytes big-endian, increasing) -> JSON of Execution
//	ids         execution ID -> seq
//	tokens      ClientRequestToken -> execution ID
//	pending     execution ID -> "" while it is QUEUED or RUNNING
//	byworkgroup work group 0x00 seq -> execution ID (ListQueryExecutions)
//	workgroups  name -> JSON of WorkGroup
//
// seq orders executions by submission, so a reverse scan lists newest
// first. This layout must not change silently: a change bumps the format
// number, and Open must keep reading the previous one.
package execution

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/query"
	bolt "go.etcd.io/bbolt"
)

// Runner runs one SQL statement; *query.Engine is the real one. Errors
// about the query should be *query.Error (their Error() text becomes the
// execution's StateChangeReason); a cancelled ctx must end the run.
type Runner interface {
	Run(ctx context.Context, sql, database string) (*query.Result, error)
}

// Config configures Open. Zero values are the defaults.
type Config struct {
	Dir    string     // directory of executions.db; required
	Runner Runner     // required
	Lake   *lake.Lake // where results are written; required
	// MaxConcurrent bounds the queries running at once (default 4); the
	// rest wait QUEUED.
	MaxConcurrent int
	// MaxQueued bounds the executions waiting or running at once (default
	// 1000); Start refuses more with ErrTooManyRequests.
	MaxQueued int
	// ResultCacheBytes bounds the results kept in memory (default 256 MiB).
	ResultCacheBytes int64
	// NoSync skips fsyncs (tests only).
	NoSync bool
	Now    func() time.Time // default time.Now
}

// FileName is the history's file inside Config.Dir.
const FileName = "executions.db"

// States of an execution, as Athena names them.
type State string

const (
	Queued    State = "QUEUED"
	Running   State = "RUNNING"
	Succeeded State = "SUCCEEDED"
	Failed    State = "FAILED"
	Cancelled State = "CANCELLED"
)

// Done reports whether s is final.
func (s State) Done() bool { return s == Succeeded || s == Failed || s == Cancelled }

// AthenaError is Athena's structured failure: Category 1 system, 2 user,
// 3 other; Type a code of Athena's error type reference.
type AthenaError struct {
	Category  int    `json:"Category"`
	Type      int    `json:"Type"`
	Retryable bool   `json:"Retryable"`
	Message   string `json:"Message"`
}

// Statistics are an execution's timings (milliseconds) and bytes scanned.
type Statistics struct {
	EngineExecutionMillis   int64 `json:"EngineExecutionMillis"`
	DataScannedBytes        int64 `json:"DataScannedBytes"`
	TotalExecutionMillis    int64 `json:"TotalExecutionMillis"`
	QueueMillis             int64 `json:"QueueMillis"`
	PlanningMillis          int64 `json:"PlanningMillis"`
	ServiceProcessingMillis int64 `json:"ServiceProcessingMillis"`
}

// Execution is one query execution as GetQueryExecution shows it.
type Execution struct {
	ID                 string         `json:"ID"`
	Query              string         `json:"Query"`
	StatementType      string         `json:"StatementType"`      // DDL, DML or UTILITY
	Database           string         `json:"Database,omitempty"` // as requested; "" runs in "default"
	Catalog            string         `json:"Catalog,omitempty"`
	WorkGroup          string         `json:"WorkGroup"`
	OutputLocation     string         `json:"OutputLocation"` // s3://bucket/prefix/<ID>.csv
	ClientRequestToken string         `json:"ClientRequestToken,omitempty"`
	State              State          `json:"State"`
	StateChangeReason  string         `json:"StateChangeReason,omitempty"`
	Submitted          time.Time      `json:"Submitted"`
	Completed          time.Time      `json:"Completed,omitzero"`
	Error              *AthenaError   `json:"Error,omitempty"`
	Stats              Statistics     `json:"Stats"`
	Columns            []query.Column `json:"Columns,omitempty"`
	UpdateCount        int64          `json:"UpdateCount,omitempty"`
	Rows               int64          `json:"Rows,omitempty"`
}

// StartInput is StartQueryExecution's request, already validated for
// shape by the skin.
type StartInput struct {
	Query              string
	Database           string // "" means "default"
	Catalog            string
	WorkGroup          string // "" means "primary"
	OutputLocation     string // "" means the work group's
	ClientRequestToken string
	// Authorize, when set, is asked before the execution is recorded
	// whether the caller may write its result object (the final
	// s3://bucket/prefix/<ID>.csv|.txt); its error is returned as is.
	Authorize func(resultLocation string) error
	// Access, when set, is asked while the query runs what it may do
	// through the catalog (query.WithAccess).
	Access query.Access
	// ObjectAccess, when set, is asked while the query runs what it may
	// read and write in the lake (query.WithObjectAccess).
	ObjectAccess query.ObjectAccess
}

// Manager runs and remembers query executions. It is safe for concurrent
// use.
type Manager struct {
	cfg   Config
	db    *bolt.DB
	slots chan struct{} // one token per running query
	cache *resultCache

	// mu guards live and closed. It is never held across a query run, a
	// bbolt commit of a finished execution, or a lake write.
	mu     sync.Mutex
	live   map[string]*liveExec // QUEUED and RUNNING executions
	closed bool
	wg     sync.WaitGroup // one per live execution's goroutine
}

// liveExec is an execution still queued or running. exec is guarded by
// Manager.mu.
type liveExec struct {
	exec     Execution
	cancel   context.CancelFunc
	done     chan struct{} // closed once the final state is stored
	cutoff   int64         // the work group's BytesScannedCutoffPerQuery, 0 for none
	stopped  bool          // Stop asked for it (guarded by Manager.mu)
	shutdown bool          // Close asked for it (guarded by Manager.mu)
}

// Open opens (creating if needed) the history in cfg.Dir. Executions a
// crash left QUEUED or RUNNING are recorded FAILED.
func Open(cfg Config) (*Manager, error) {
	if cfg.Dir == "" || cfg.Runner == nil || cfg.Lake == nil {
		return nil, errors.New("execution: Config needs Dir, Runner and Lake")
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 4
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = 1000
	}
	if cfg.ResultCacheBytes <= 0 {
		cfg.ResultCacheBytes = 256 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("execution: create directory: %w", err)
	}
	path := filepath.Join(cfg.Dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoSync: cfg.NoSync})
	if err != nil {
		return nil, fmt.Errorf("execution: open %s: %w", path, err)
	}
	m := &Manager{
		cfg:   cfg,
		db:    db,
		slots: make(chan struct{}, cfg.MaxConcurrent),
		cache: newResultCache(cfg.ResultCacheBytes),
		live:  make(map[string]*liveExec),
	}
	if err := db.Update(func(tx *bolt.Tx) error { return m.initLayout(tx) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("execution: %s: %w", path, err)
	}
	return m, nil
}

// Close cancels the executions still queued or running (they are recorded
// FAILED: "caudal stopped while the query ran"), waits for them and closes
// the history.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	for _, l := range m.live {
		l.shutdown = true
		l.cancel()
	}
	m.mu.Unlock()
	m.wg.Wait()
	if err := m.db.Close(); err != nil {
		return fmt.Errorf("execution: close: %w", err)
	}
	return nil
}

// newID returns a random (version 4) UUID, the shape of Athena's
// QueryExecutionId.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand.Read never fails (Go ≥ 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// statementType classifies a statement by its first keyword, as Athena
// reports it before the query runs: DDL for CREATE, DROP, ALTER and MSCK,
// UTILITY for SHOW, DESCRIBE and EXPLAIN, DML for the rest (SELECT,
// WITH, INSERT, VALUES). CREATE TABLE … AS SELECT is DDL here and DML
// once the engine has said so.
func statementType(sql string) string {
	w := firstKeyword(sql)
	switch w {
	case "create", "drop", "alter", "msck":
		return query.StatementDDL
	case "show", "describe", "desc", "explain":
		return query.StatementUtility
	}
	return query.StatementDML
}

// firstKeyword is the lower-cased first word of sql, skipping blanks,
// comments and opening parentheses.
func firstKeyword(sql string) string {
	s := sql
	for {
		s = strings.TrimLeft(s, " \t\r\n(")
		switch {
		case strings.HasPrefix(s, "--"):
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[i+1:]
				continue
			}
			return ""
		case strings.HasPrefix(s, "/*"):
			if i := strings.Index(s[2:], "*/"); i >= 0 {
				s = s[i+4:]
				continue
			}
			return ""
		}
		break
	}
	end := strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
	})
	if end < 0 {
		end = len(s)
	}
	return strings.ToLower(s[:end])
}

// outputPath splits an OutputLocation (s3://bucket[/prefix]) into the
// bucket and the key prefix results go under ("" or ending in "/").
func outputPath(loc string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(loc, "s3://")
	if !ok || rest == "" || rest[0] == '/' {
		return "", "", newError(ErrInvalidLocation, "outputLocation is not a valid S3 path. Provided %s", loc)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// resultExt is the result file's extension: Athena writes a SELECT's
// answer as CSV and other statements' as text.
func resultExt(statementType string) string {
	if statementType == query.StatementDML {
		return ".csv"
	}
	return ".txt"
}

// Start records a new execution QUEUED and starts it; it returns the
// execution's ID at once. A ClientRequestToken seen before returns the
// earlier execution's ID when the query is the same, and
// ErrIdempotencyMismatch when it is not.
func (m *Manager) Start(in StartInput) (string, error) {
	if in.WorkGroup == "" {
		in.WorkGroup = PrimaryWorkGroup
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return "", ErrClosed
	}
	if len(m.live) >= m.cfg.MaxQueued {
		m.mu.Unlock()
		return "", newError(ErrTooManyRequests, "You have exceeded the limit for the number of queries you can run concurrently. Reduce the number of concurrent queries submitted by this account. Contact customer support to request a concurrent query limit increase.")
	}
	m.mu.Unlock()

	now := m.cfg.Now()
	exec := Execution{
		ID:                 newID(),
		Query:              in.Query,
		StatementType:      statementType(in.Query),
		Database:           in.Database,
		Catalog:            in.Catalog,
		WorkGroup:          in.WorkGroup,
		ClientRequestToken: in.ClientRequestToken,
		State:              Queued,
		Submitted:          now,
	}
	var cutoff int64
	var existing string
	err := m.db.Update(func(tx *bolt.Tx) error {
		if in.ClientRequestToken != "" {
			if id := tx.Bucket(bucketTokens).Get([]byte(in.ClientRequestToken)); id != nil {
				prev, err := getExecTx(tx, string(id))
				if err != nil {
					return err
				}
				if prev.Query != in.Query || prev.WorkGroup != in.WorkGroup || prev.Database != in.Database {
					return newError(ErrIdempotencyMismatch, "Idempotent parameters do not match")
				}
				existing = prev.ID
				return nil
			}
		}
		wg, err := getWorkGroupTx(tx, in.WorkGroup)
		if err != nil {
			return err
		}
		if wg.State == WorkGroupDisabled {
			return newError(ErrWorkGroupDisabled, "WorkGroup %s is disabled.", wg.Name)
		}
		loc := in.OutputLocation
		if wg.OutputLocation != "" && (loc == "" || wg.EnforceConfiguration) {
			loc = wg.OutputLocation
		}
		if loc == "" {
			return newError(ErrNoOutputLocation, "No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.")
		}
		if _, _, err := outputPath(loc); err != nil {
			return err
		}
		if !strings.HasSuffix(loc, "/") {
			loc += "/"
		}
		exec.OutputLocation = loc + exec.ID + resultExt(exec.StatementType)
		if in.Authorize != nil {
			if err := in.Authorize(exec.OutputLocation); err != nil {
				return err
			}
		}
		cutoff = wg.BytesScannedCutoff
		if in.ClientRequestToken != "" {
			if err := tx.Bucket(bucketTokens).Put([]byte(in.ClientRequestToken), []byte(exec.ID)); err != nil {
				return err
			}
		}
		return putExecTx(tx, &exec, true)
	})
	if err != nil {
		return "", m.wrapStore(err)
	}
	if existing != "" {
		return existing, nil
	}

	ctx, cancel := context.WithCancel(context.Background())
	if in.Access != nil {
		ctx = query.WithAccess(ctx, in.Access)
	}
	if in.ObjectAccess != nil {
		ctx = query.WithObjectAccess(ctx, in.ObjectAccess)
	}
	l := &liveExec{exec: exec, cancel: cancel, done: make(chan struct{}), cutoff: cutoff}
	m.mu.Lock()
	if m.closed {
		// Close ran between the check above and here; record the
		// execution as the shutdown would have.
		m.mu.Unlock()
		cancel()
		exec.State, exec.StateChangeReason, exec.Completed = Failed, reasonStopped, m.cfg.Now()
		exec.Error = &AthenaError{Category: 1, Type: 100, Retryable: true, Message: reasonStopped}
		m.db.Update(func(tx *bolt.Tx) error { return putExecTx(tx, &exec, false) }) //nolint:errcheck // closing; best effort
		return exec.ID, nil
	}
	m.live[exec.ID] = l
	m.wg.Add(1)
	m.mu.Unlock()
	go m.run(ctx, l)
	return exec.ID, nil
}

// Reasons the Manager itself gives.
const (
	reasonStopped   = "caudal stopped while the query ran"
	reasonRestarted = "caudal restarted while the query ran"
	reasonCancelled = "Query cancelled by user"
	reasonCutoff    = "Bytes scanned limit was exceeded"
)

// run takes a slot, runs the query, writes its result and stores the
// final state.
func (m *Manager) run(ctx context.Context, l *liveExec) {
	defer m.wg.Done()
	defer l.cancel()
	select {
	case m.slots <- struct{}{}:
	case <-ctx.Done():
		m.finish(l, nil, ctx.Err(), time.Time{}, time.Time{})
		return
	}
	defer func() { <-m.slots }()

	m.mu.Lock()
	l.exec.State = Running
	exec := l.exec
	m.mu.Unlock()

	started := m.cfg.Now()
	// A CTAS without external_location writes under <result
	// location>/tables/<id>/, as Athena does: tell the engine where.
	resultDir := exec.OutputLocation[:strings.LastIndex(exec.OutputLocation, "/")+1]
	res, err := m.cfg.Runner.Run(query.WithExecution(ctx, exec.ID, resultDir), exec.Query, exec.Database)
	engineDone := m.cfg.Now()
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err == nil && l.cutoff > 0 && res.Stats.DataScannedBytes > l.cutoff {
		err = errCutoff
	}
	if err == nil {
		err = m.writeResult(ctx, &exec, res)
	}
	m.finish(l, res, err, started, engineDone)
}

var errCutoff = errors.New("bytes scanned cutoff exceeded")

// finish stores the final state of l from the run's outcome, then drops l
// from the live set.
func (m *Manager) finish(l *liveExec, res *query.Result, runErr error, started, engineDone time.Time) {
	now := m.cfg.Now()
	m.mu.Lock()
	e := l.exec
	stopped, shutdown := l.stopped, l.shutdown
	m.mu.Unlock()

	e.Completed = now
	if !started.IsZero() {
		e.Stats.QueueMillis = started.Sub(e.Submitted).Milliseconds()
		e.Stats.EngineExecutionMillis = engineDone.Sub(started).Milliseconds()
		e.Stats.ServiceProcessingMillis = now.Sub(engineDone).Milliseconds()
	} else {
		e.Stats.QueueMillis = now.Sub(e.Submitted).Milliseconds()
	}
	e.Stats.TotalExecutionMillis = now.Sub(e.Submitted).Milliseconds()
	if res != nil {
		e.Stats.DataScannedBytes = res.Stats.DataScannedBytes
		e.Stats.PlanningMillis = res.Stats.PlanningTime.Milliseconds()
	}
	switch {
	case runErr == nil:
		e.State = Succeeded
		e.StatementType = res.StatementType
		e.Columns = res.Columns
		e.UpdateCount = res.UpdateCount
		e.Rows = int64(len(res.Rows))
	case shutdown:
		e.State, e.StateChangeReason = Failed, reasonStopped
		e.Error = &AthenaError{Category: 1, Type: 100, Retryable: true, Message: reasonStopped}
	case stopped || errors.Is(runErr, query.ErrCancelled) || errors.Is(runErr, context.Canceled):
		e.State, e.StateChangeReason = Cancelled, reasonCancelled
	case errors.Is(runErr, errCutoff):
		e.State, e.StateChangeReason = Cancelled, reasonCutoff
		e.Error = &AthenaError{Category: 2, Type: 1000, Message: reasonCutoff}
	default:
		e.State = Failed
		e.StateChangeReason = runErr.Error()
		e.Error = athenaError(runErr)
	}
	err := m.db.Update(func(tx *bolt.Tx) error { return putExecTx(tx, &e, false) })
	m.mu.Lock()
	if err != nil {
		// The history could not be written: the execution stays in
		// memory as it ended (and a restart records it FAILED).
		l.exec = e
	} else {
		delete(m.live, e.ID)
	}
	m.mu.Unlock()
	close(l.done)
}

// athenaError classifies a failed run as Athena's AthenaError does (see
// https://docs.aws.amazon.com/athena/latest/ug/error-reference.html:
// category 1 system, 2 user; type 1006 syntax error, 1301 entity not
// found, 1003 DDL task failed, 1000 user error, 100 internal service
// error).
func athenaError(err error) *AthenaError {
	msg := err.Error()
	var qe *query.Error
	if !errors.As(err, &qe) {
		var me *Error
		if errors.As(err, &me) {
			return &AthenaError{Category: 2, Type: 1000, Message: msg}
		}
		return &AthenaError{Category: 1, Type: 100, Retryable: true, Message: msg}
	}
	switch {
	case errors.Is(err, query.ErrSyntax), errors.Is(err, query.ErrColumnNotFound):
		return &AthenaError{Category: 2, Type: 1006, Message: msg}
	case errors.Is(err, query.ErrTableNotFound), errors.Is(err, query.ErrDatabaseNotFound):
		return &AthenaError{Category: 2, Type: 1301, Message: msg}
	case errors.Is(err, query.ErrAlreadyExists), errors.Is(err, query.ErrInvalidTable):
		return &AthenaError{Category: 2, Type: 1003, Message: msg}
	}
	return &AthenaError{Category: 2, Type: 1000, Message: msg}
}

// Get returns the execution id.
func (m *Manager) Get(id string) (Execution, error) {
	m.mu.Lock()
	if l, ok := m.live[id]; ok {
		e := l.exec
		m.mu.Unlock()
		return e, nil
	}
	m.mu.Unlock()
	var e Execution
	err := m.db.View(func(tx *bolt.Tx) error {
		var err error
		e, err = getExecTx(tx, id)
		return err
	})
	if err != nil {
		return Execution{}, m.wrapStore(err)
	}
	// A live execution may have been stored between the two looks.
	return e, nil
}

// Stop cancels execution id if it is queued or running and waits (at most
// a few seconds) for it to end, so that a Get right after shows it
// CANCELLED. Stopping a finished execution does nothing, as in Athena.
func (m *Manager) Stop(id string) error {
	m.mu.Lock()
	l, ok := m.live[id]
	if ok {
		l.stopped = true
		l.cancel()
	}
	m.mu.Unlock()
	if !ok {
		_, err := m.Get(id)
		return err
	}
	select {
	case <-l.done:
	case <-time.After(5 * time.Second):
	}
	return nil
}

// Wait blocks until execution id has ended or ctx is done, and returns it.
// (The wire API polls; tests and the CLI wait.)
func (m *Manager) Wait(ctx context.Context, id string) (Execution, error) {
	m.mu.Lock()
	l, ok := m.live[id]
	m.mu.Unlock()
	if ok {
		select {
		case <-l.done:
		case <-ctx.Done():
			return Execution{}, ctx.Err()
		}
	}
	return m.Get(id)
}

// List returns the IDs of work group wg's executions, newest first, at
// most limit of them, starting after the position a previous call
// returned (0 for the first page). next is 0 after the last page.
func (m *Manager) List(wg string, after uint64, limit int) (ids []string, next uint64, err error) {
	if wg == "" {
		wg = PrimaryWorkGroup
	}
	err = m.db.View(func(tx *bolt.Tx) error {
		if _, err := getWorkGroupTx(tx, wg); err != nil {
			return err
		}
		// Newest first: walk wg's keys backwards from just below
		// (wg, after), or from the end of wg's keys on the first page.
		prefix := append([]byte(wg), 0)
		from := after
		if from == 0 {
			from = ^uint64(0)
		}
		c := tx.Bucket(bucketByGroup).Cursor()
		k, v := c.Seek(groupKey(wg, from))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, v = c.Prev() {
			if len(ids) == limit {
				next = seqOf(k[len(prefix):]) + 1 // resume at and below this one
				return nil
			}
			ids = append(ids, string(v))
		}
		return nil
	})
	if err != nil {
		return nil, 0, m.wrapStore(err)
	}
	return ids, next, nil
}

// wrapStore leaves the Manager's own errors as they are and gives context
// to storage failures.
func (m *Manager) wrapStore(err error) error {
	if err == nil {
		return nil
	}
	var me *Error
	if errors.As(err, &me) {
		return err
	}
	return fmt.Errorf("execution: history: %w", err)
}
