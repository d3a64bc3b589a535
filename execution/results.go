package execution

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/query"
)

// ResultSet is a finished query's answer. Rows hold the data only; Header
// says the statement was a SELECT, whose first row on the wire is the
// column names (the skin adds it). A ResultSet is shared and must not be
// changed.
type ResultSet struct {
	Columns []query.Column
	Rows    [][]query.Datum
	Header  bool
}

// Results returns execution id and its answer. A query not yet finished
// is ErrNotFinished; one that failed or was cancelled is ErrQueryFailed
// with its reason.
func (m *Manager) Results(ctx context.Context, id string) (Execution, *ResultSet, error) {
	e, err := m.Get(id)
	if err != nil {
		return Execution{}, nil, err
	}
	switch e.State {
	case Queued, Running:
		return e, nil, newError(ErrNotFinished, "Query has not yet finished. Current state: %s", e.State)
	case Failed, Cancelled:
		reason := e.StateChangeReason
		if reason == "" {
			reason = "Query did not finish successfully. Final query state: " + string(e.State)
		}
		return e, nil, newError(ErrQueryFailed, "%s", reason)
	}
	if rs := m.cache.get(id); rs != nil {
		return e, rs, nil
	}
	rs, err := m.readResult(&e)
	if err != nil {
		return e, nil, fmt.Errorf("execution %s: read result %s: %w", id, e.OutputLocation, err)
	}
	m.cache.put(id, rs)
	return e, rs, nil
}

// writeResult writes res to the lake at e.OutputLocation and caches it.
func (m *Manager) writeResult(ctx context.Context, e *Execution, res *query.Result) error {
	bucket, key, err := splitS3(e.OutputLocation)
	if err != nil {
		return err
	}
	rs := &ResultSet{Columns: res.Columns, Rows: res.Rows, Header: res.StatementType == query.StatementDML}
	var buf bytes.Buffer
	if strings.HasSuffix(key, ".csv") {
		encodeCSV(&buf, rs)
	} else {
		encodeText(&buf, rs)
	}
	_, err = m.cfg.Lake.PutObject(ctx, bucket, key, &buf, lake.PutOptions{Meta: lake.Metadata{ContentType: contentType(key)}})
	if errors.Is(err, lake.ErrBucketNotFound) {
		return newError(ErrInvalidLocation, "Unable to verify/create output bucket %s", bucket)
	}
	if err != nil {
		return fmt.Errorf("write query result to %s: %w", e.OutputLocation, err)
	}
	m.cache.put(e.ID, rs)
	return nil
}

func contentType(key string) string {
	if strings.HasSuffix(key, ".csv") {
		return "text/csv"
	}
	return "text/plain"
}

// splitS3 splits s3://bucket/key.
func splitS3(loc string) (bucket, key string, err error) {
	bucket, prefix, err := outputPath(loc)
	if err != nil {
		return "", "", err
	}
	return bucket, strings.TrimSuffix(prefix, "/"), nil
}

// readResult reads e's result file back from the lake.
func (m *Manager) readResult(e *Execution) (*ResultSet, error) {
	bucket, key, err := splitS3(e.OutputLocation)
	if err != nil {
		return nil, err
	}
	obj, err := m.cfg.Lake.GetObject(bucket, key)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	const maxResultFile = 1 << 30
	b, err := io.ReadAll(io.LimitReader(obj.Body, maxResultFile))
	if err != nil {
		return nil, err
	}
	rs := &ResultSet{Columns: e.Columns, Header: strings.HasSuffix(key, ".csv")}
	if rs.Header {
		rows, err := ParseCSV(b)
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, errors.New("result file has no header row")
		}
		rs.Rows = rows[1:]
	} else {
		rs.Rows = parseText(b, len(e.Columns))
	}
	for i, r := range rs.Rows {
		if len(r) != len(e.Columns) {
			return nil, fmt.Errorf("result row %d has %d values for %d columns", i+1, len(r), len(e.Columns))
		}
	}
	return rs, nil
}

// encodeCSV writes rs as Athena writes a SELECT's result: a header row of
// column names, then one line per row; every value is double-quoted (a
// quote inside doubled) and a NULL is an empty, unquoted field, so that
// NULL and the empty string stay apart.
func encodeCSV(w *bytes.Buffer, rs *ResultSet) {
	for i, c := range rs.Columns {
		if i > 0 {
			w.WriteByte(',')
		}
		writeQuoted(w, c.Name)
	}
	w.WriteByte('\n')
	for _, row := range rs.Rows {
		for i, d := range row {
			if i > 0 {
				w.WriteByte(',')
			}
			if !d.Null {
				writeQuoted(w, d.Value)
			}
		}
		w.WriteByte('\n')
	}
}

func writeQuoted(w *bytes.Buffer, s string) {
	w.WriteByte('"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		w.WriteString(s[:i+1])
		w.WriteByte('"')
		s = s[i+1:]
	}
	w.WriteString(s)
	w.WriteByte('"')
}

// encodeText writes rs as Athena writes a DDL or utility statement's
// result: one line per row, values separated by tabs, no header, no
// quoting.
func encodeText(w *bytes.Buffer, rs *ResultSet) {
	for _, row := range rs.Rows {
		for i, d := range row {
			if i > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(d.Value)
		}
		w.WriteByte('\n')
	}
}

// parseText reads encodeText's format: ncols values per line (a line with
// fewer is padded with NULLs; the last column takes any extra tabs).
func parseText(b []byte, ncols int) [][]query.Datum {
	if ncols == 0 {
		return nil
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" && len(b) == 0 {
		return nil
	}
	var rows [][]query.Datum
	for _, line := range strings.Split(s, "\n") {
		f := strings.SplitN(line, "\t", ncols)
		row := make([]query.Datum, ncols)
		for i := range row {
			if i < len(f) {
				row[i] = query.Datum{Value: f[i]}
			} else {
				row[i] = query.Datum{Null: true}
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// ParseCSV reads encodeCSV's format (RFC 4180 with '\n' or "\r\n" line
// ends): a quoted field is a value, an empty unquoted field is a NULL, an
// unquoted non-empty field is taken as it stands. The result files live in
// the lake, where anyone with S3 access may overwrite them, so the parser
// must refuse garbage (an unterminated quote, text after a closing quote)
// without panicking.
func ParseCSV(b []byte) ([][]query.Datum, error) {
	var rows [][]query.Datum
	var row []query.Datum
	i := 0
	for i < len(b) {
		// One field starts at i.
		var d query.Datum
		if b[i] == '"' {
			var sb strings.Builder
			j := i + 1
			for {
				k := bytes.IndexByte(b[j:], '"')
				if k < 0 {
					return nil, fmt.Errorf("csv: unterminated quoted field at byte %d", i)
				}
				sb.Write(b[j : j+k])
				j += k + 1
				if j < len(b) && b[j] == '"' {
					sb.WriteByte('"')
					j++
					continue
				}
				break
			}
			d.Value = sb.String()
			i = j
		} else {
			j := i
			for j < len(b) && b[j] != ',' && b[j] != '\n' && b[j] != '\r' {
				if b[j] == '"' {
					return nil, fmt.Errorf("csv: quote inside unquoted field at byte %d", j)
				}
				j++
			}
			if j == i {
				d.Null = true
			} else {
				d.Value = string(b[i:j])
			}
			i = j
		}
		row = append(row, d)
		switch {
		case i == len(b):
			rows = append(rows, row)
			return rows, nil
		case b[i] == ',':
			i++
			if i == len(b) {
				row = append(row, query.Datum{Null: true})
				rows = append(rows, row)
				return rows, nil
			}
		case b[i] == '\n':
			rows = append(rows, row)
			row = nil
			i++
		case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
			rows = append(rows, row)
			row = nil
			i += 2
		default:
			return nil, fmt.Errorf("csv: unexpected %q after field at byte %d", b[i], i)
		}
	}
	return rows, nil
}

// resultCache keeps recent results in memory, least recently used first
// out, within a byte budget (an estimate: value bytes plus per-value and
// per-row overhead). A result larger than the whole budget is not kept.
type resultCache struct {
	mu      sync.Mutex
	budget  int64
	used    int64                    // guarded by mu
	order   *list.List               // of *cacheEntry, most recent at front; guarded by mu
	entries map[string]*list.Element // guarded by mu
}

type cacheEntry struct {
	id   string
	rs   *ResultSet
	size int64
}

func newResultCache(budget int64) *resultCache {
	return &resultCache{budget: budget, order: list.New(), entries: make(map[string]*list.Element)}
}

func resultSize(rs *ResultSet) int64 {
	n := int64(64 * len(rs.Columns))
	for _, r := range rs.Rows {
		n += 24
		for _, d := range r {
			n += 24 + int64(len(d.Value))
		}
	}
	return n
}

func (c *resultCache) get(id string) *ResultSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[id]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry).rs
}

func (c *resultCache) put(id string, rs *ResultSet) {
	size := resultSize(rs)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[id]; ok {
		c.used -= el.Value.(*cacheEntry).size
		c.order.Remove(el)
		delete(c.entries, id)
	}
	if size > c.budget {
		return
	}
	for c.used+size > c.budget {
		el := c.order.Back()
		e := el.Value.(*cacheEntry)
		c.used -= e.size
		c.order.Remove(el)
		delete(c.entries, e.id)
	}
	c.entries[id] = c.order.PushFront(&cacheEntry{id: id, rs: rs, size: size})
	c.used += size
}
