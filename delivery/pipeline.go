package delivery

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/delivery/columnar"
	"github.com/caudal/caudal/delivery/compression"
	"github.com/caudal/caudal/delivery/prefix"
	"github.com/caudal/caudal/kpl"
	"github.com/caudal/caudal/lake"
)

// rec is one record on its way to the lake.
type rec struct {
	data    []byte
	arrival int64  // approximate arrival, Unix ms
	seq     string // log offset or stream sequence number (error records)
	subSeq  int    // index inside a de-aggregated record; -1 when none
	keys    map[string]string
}

// Error output types ("!{firehose:error-output-type}") and codes.
const (
	errTypeConversion   = "format-conversion-failed"
	errTypePartitioning = "partitioning-failed"
)

// failed is one record bound for the error prefix.
type failed struct {
	r             rec
	typ           string
	code, message string
}

// stats are a delivery stream's counters (Metrics).
type stats struct {
	records, bytes, objects, errorRecords, failures atomic.Int64
	lastDelivery                                    atomic.Int64 // Unix ms
	mu                                              sync.Mutex
	lastError                                       string
}

func (s *stats) setError(err error) {
	s.mu.Lock()
	s.lastError = err.Error()
	s.mu.Unlock()
}

// object is one object to write.
type object struct {
	key  string
	body []byte
	data bool // a data object (not an error object)
}

// deliver runs a batch through the pipeline and writes its objects to the
// lake. It returns an error (and the caller keeps the batch) only when an
// object could not be written; record-level failures go to the error
// prefix.
func (ds *dstream) deliver(p *plan, batch []rec, fromStream bool) error {
	objs, delivered, nbytes, nerr, err := ds.build(p, batch, fromStream)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := ds.write(ds.ctx, p.bucket, o); err != nil {
			return err
		}
	}
	// The objects are in the lake: keep the largest data body's memory
	// for the next batch's conversion (build).
	for _, o := range objs {
		if o.data && cap(o.body) > cap(ds.outBuf) && cap(o.body) <= maxBufferBytesTotal {
			ds.outBuf = o.body[:0]
		}
	}
	ds.stats.records.Add(int64(delivered))
	ds.stats.bytes.Add(nbytes)
	ds.stats.objects.Add(int64(len(objs)))
	ds.stats.errorRecords.Add(int64(nerr))
	ds.stats.lastDelivery.Store(ds.e.cfg.Now().UnixMilli())
	ds.registerPartitions(p.bucket, objs)
	return nil
}

func (ds *dstream) write(ctx context.Context, bucket string, o object) error {
	_, err := ds.e.cfg.Lake.PutObject(ctx, bucket, o.key, bytes.NewReader(o.body), lake.PutOptions{})
	if err != nil {
		return fmt.Errorf("delivery: write s3://%s/%s: %w", bucket, o.key, err)
	}
	return nil
}

// build turns a batch into objects: data objects per rendered prefix and
// error objects per error output type.
func (ds *dstream) build(p *plan, batch []rec, fromStream bool) (objs []object, delivered int, nbytes int64, nerr int, err error) {
	var fails []failed
	recs := batch
	if p.deaggregate != "" || fromStream {
		recs = deaggregate(p.deaggregate, batch, fromStream, &fails)
	}
	if len(recs) == 0 && len(fails) == 0 {
		return nil, 0, 0, 0, nil
	}
	oldest := int64(0)
	for _, r := range batch {
		if oldest == 0 || r.arrival < oldest {
			oldest = r.arrival
		}
	}
	bt := p.objectTime(time.UnixMilli(oldest))

	// Partition keys.
	if p.query != nil {
		kept := recs[:0:0]
		for _, r := range recs {
			keys, qerr := p.query.Extract(r.data)
			if qerr != nil {
				fails = append(fails, failed{r: r, typ: errTypePartitioning, code: "DynamicPartitioning.MetadataExtractionFailed", message: qerr.Error()})
				continue
			}
			r.keys = keys
			kept = append(kept, r)
		}
		recs = kept
	}

	// Group by rendered prefix, in first-seen order.
	type group struct {
		prefix string
		recs   []rec
	}
	var groups []*group
	byKey := map[string]*group{}
	if !p.dynamic && p.query == nil && len(recs) > 0 {
		// No partition keys: one prefix for the whole batch, and the
		// group is the batch, not a copy of it record by record.
		pre, rerr := p.prefix.Render(prefix.Values{Time: bt, Random: randomString()})
		if rerr != nil {
			for _, r := range recs {
				fails = append(fails, failed{r: r, typ: errTypePartitioning, code: "DynamicPartitioning.PrefixEvaluationFailed", message: rerr.Error()})
			}
			recs = nil
		} else {
			if !p.prefix.HasTimestamp() {
				pre += defaultTimePrefix(bt)
			}
			groups = append(groups, &group{prefix: pre, recs: recs})
			recs = nil
		}
	}
	for _, r := range recs {
		k := ""
		if p.dynamic {
			k = canonicalKeys(r.keys)
		}
		g := byKey[k]
		if g == nil {
			pre, rerr := p.prefix.Render(prefix.Values{Time: bt, PartitionKeys: r.keys, Random: randomString()})
			if rerr != nil {
				fails = append(fails, failed{r: r, typ: errTypePartitioning, code: "DynamicPartitioning.PrefixEvaluationFailed", message: rerr.Error()})
				continue
			}
			if !p.prefix.HasTimestamp() && !p.dynamic {
				pre += defaultTimePrefix(bt)
			}
			g = &group{prefix: pre}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.recs = append(g.recs, r)
	}

	var conv *columnar.Converter
	var convErr error
	if p.convert != nil && len(groups) > 0 {
		conv, convErr = ds.converter(p.convert)
	}
	for _, g := range groups {
		name := g.prefix + prefix.ObjectName(p.name, p.version, bt) + p.extension
		if p.convert != nil {
			if convErr != nil {
				for _, r := range g.recs {
					fails = append(fails, failed{r: r, typ: errTypeConversion, code: "DataFormatConversion.InvalidSchema", message: convErr.Error()})
				}
				continue
			}
			datas := make([][]byte, len(g.recs))
			for i, r := range g.recs {
				datas[i] = r.data
			}
			// A fresh buffer would grow by doubling (allocating and
			// clearing each size) through every batch's Parquet: start
			// from the last batch's (deliver).
			buf := bytes.NewBuffer(ds.outBuf[:0])
			ds.outBuf = nil
			written, cfails, cerr := conv.Convert(datas, buf)
			if cerr != nil {
				return nil, 0, 0, 0, fmt.Errorf("delivery: convert to Parquet: %w", cerr)
			}
			for _, f := range cfails {
				if f.Index >= 0 && f.Index < len(g.recs) {
					fails = append(fails, failed{r: g.recs[f.Index], typ: errTypeConversion, code: f.Code, message: f.Message})
				}
			}
			if written == 0 {
				ds.outBuf = buf.Bytes()[:0]
			} else {
				objs = append(objs, object{key: name, body: buf.Bytes(), data: true})
				delivered += written
				for _, r := range g.recs {
					nbytes += int64(len(r.data))
				}
				if len(cfails) > 0 {
					bad := make([]bool, len(g.recs))
					for _, f := range cfails {
						if f.Index >= 0 && f.Index < len(g.recs) && !bad[f.Index] {
							bad[f.Index] = true
							nbytes -= int64(len(g.recs[f.Index].data))
						}
					}
				}
			}
			continue
		}
		buf := bytes.NewBuffer(ds.outBuf[:0])
		ds.outBuf = nil
		w, cerr := compression.NewWriter(p.compression, buf, entryName(name, p.extension))
		if cerr != nil {
			return nil, 0, 0, 0, fmt.Errorf("delivery: compression %s: %w", p.compression, cerr)
		}
		for _, r := range g.recs {
			w.Write(r.data)
			if p.delimiter != "" {
				io.WriteString(w, p.delimiter)
			}
			nbytes += int64(len(r.data))
		}
		if cerr := w.Close(); cerr != nil {
			return nil, 0, 0, 0, fmt.Errorf("delivery: compression %s: %w", p.compression, cerr)
		}
		objs = append(objs, object{key: name, body: buf.Bytes(), data: true})
		delivered += len(g.recs)
	}
	if len(fails) > 0 {
		eobjs, eerr := ds.errorObjects(p, bt, fails)
		if eerr != nil {
			return nil, 0, 0, 0, eerr
		}
		objs = append(objs, eobjs...)
	}
	return objs, delivered, nbytes, len(fails), nil
}

// entryName names the single entry of a ZIP object.
func entryName(key, ext string) string {
	base := key[strings.LastIndexByte(key, '/')+1:]
	return strings.TrimSuffix(base, ext)
}

func canonicalKeys(keys map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(keys[k])
		b.WriteByte(0)
	}
	return b.String()
}

// randomString is the value of !{firehose:random-string}: 11 characters
// of lower-case letters and digits.
func randomString() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [11]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// deaggregate expands KPL-aggregated records (and, for SubRecordType JSON,
// concatenated JSON objects). A record that claims KPL aggregation but
// does not decode is kept as it is, as Firehose delivers it.
func deaggregate(mode string, batch []rec, fromStream bool, fails *[]failed) []rec {
	// out stays nil (and batch is returned as it is) until a record
	// expands: most stream records are not aggregated.
	var out []rec
	for i, r := range batch {
		var parts []rec
		if mode == "JSON" {
			dec := json.NewDecoder(bytes.NewReader(r.data))
			ok := true
			for j := 0; ; j++ {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					if !errors.Is(err, io.EOF) {
						ok = false
					}
					break
				}
				parts = append(parts, rec{data: []byte(raw), arrival: r.arrival, seq: r.seq, subSeq: j})
			}
			if !ok {
				parts = nil
			}
		} else if subs, aggregated, err := kpl.Deaggregate(r.data); err == nil && aggregated {
			parts = make([]rec, 0, len(subs))
			for j, s := range subs {
				parts = append(parts, rec{data: s.Data, arrival: r.arrival, seq: r.seq, subSeq: j})
			}
		}
		if parts == nil {
			if out != nil {
				out = append(out, r)
			}
			continue
		}
		if out == nil {
			out = append(make([]rec, 0, len(batch)+len(parts)), batch[:i]...)
		}
		out = append(out, parts...)
	}
	if out == nil {
		return batch
	}
	return out
}

// convCache is a delivery stream's last Parquet converter and what it was
// built from: the plan's conversion and the table's columns. Reusing it
// keeps the converter's pooled buffers warm across flushes; a changed
// table (UpdateTable, or dropped and created again) builds a new one.
// Worker-owned.
type convCache struct {
	c    *conversion
	cols []catalog.Column
	conv *columnar.Converter
}

// converter returns the Parquet converter for the catalog table's current
// columns, built once per plan and column list.
func (ds *dstream) converter(c *conversion) (*columnar.Converter, error) {
	if ds.e.cfg.Catalog == nil {
		return nil, errors.New("no catalog on this server")
	}
	t, err := ds.e.cfg.Catalog.GetTable(c.database, c.table)
	if err != nil {
		return nil, fmt.Errorf("schema %s.%s: %w", c.database, c.table, err)
	}
	var cols []catalog.Column
	if t.StorageDescriptor != nil {
		cols = t.StorageDescriptor.Columns
	}
	cc := &ds.conv
	if cc.conv != nil && cc.c == c && slices.EqualFunc(cc.cols, cols, func(a, b catalog.Column) bool { return a.Name == b.Name && a.Type == b.Type }) {
		return cc.conv, nil
	}
	conv, err := newConverter(c, cols)
	if err != nil {
		*cc = convCache{}
		return nil, err
	}
	*cc = convCache{c: c, cols: slices.Clone(cols), conv: conv}
	return conv, nil
}

// newConverter builds a converter for a conversion and a table's columns.
func newConverter(c *conversion, tcols []catalog.Column) (*columnar.Converter, error) {
	var cols []columnar.Column
	for _, col := range tcols {
		cols = append(cols, columnar.Column{Name: col.Name, Type: col.Type})
	}
	opt := columnar.Options{Columns: cols, Compression: c.parquet.Compression, EnableDictionaryCompression: enabled(c.parquet.EnableDictionaryCompression)}
	if c.parquet.BlockSizeBytes != nil {
		opt.BlockSizeBytes = *c.parquet.BlockSizeBytes
	}
	if c.parquet.PageSizeBytes != nil {
		opt.PageSizeBytes = *c.parquet.PageSizeBytes
	}
	if h := c.deserializer.HiveJsonSerDe; h != nil {
		opt.Deserializer = columnar.Deserializer{Hive: true, TimestampFormats: h.TimestampFormats}
	} else if o := c.deserializer.OpenXJsonSerDe; o != nil {
		opt.Deserializer = columnar.Deserializer{CaseInsensitive: o.CaseInsensitive, ColumnToJSONKeyMappings: o.ColumnToJsonKeyMappings,
			ConvertDotsInJSONKeysToUnderscores: enabled(o.ConvertDotsInJsonKeysToUnderscores)}
	}
	return columnar.New(opt)
}

// errorObjects renders the failed records as AWS error records, one JSON
// document per line, one object per error output type and prefix.
func (ds *dstream) errorObjects(p *plan, bt time.Time, fails []failed) ([]object, error) {
	now := ds.e.cfg.Now().UnixMilli()
	type eg struct {
		prefix string
		buf    bytes.Buffer
	}
	var order []*eg
	byKey := map[string]*eg{}
	for _, f := range fails {
		k := f.typ + "\x00" + canonicalKeys(f.r.keys)
		g := byKey[k]
		if g == nil {
			pre, err := p.renderErrorPrefix(bt, f.typ, f.r.keys)
			if err != nil {
				// An error prefix needing a key the record lacks: fall
				// back to the default error prefix.
				pre = f.typ + "/" + defaultTimePrefix(bt)
			}
			g = &eg{prefix: pre}
			byKey[k] = g
			order = append(order, g)
		}
		line := errorRecord(p, f, now)
		g.buf.Write(line)
		g.buf.WriteByte('\n')
	}
	objs := make([]object, 0, len(order))
	for _, g := range order {
		objs = append(objs, object{key: g.prefix + prefix.ObjectName(p.name, p.version, bt), body: g.buf.Bytes()})
	}
	return objs, nil
}

// errorRecord is one failed record in AWS's error-record format: the
// "Handling errors for data format conversion" schema for conversion
// failures, the dynamic partitioning one for partitioning failures.
func errorRecord(p *plan, f failed, now int64) []byte {
	raw := base64.StdEncoding.EncodeToString(f.r.data)
	var v any
	if f.typ == errTypeConversion {
		type table struct {
			CatalogID    *string `json:"catalogId"`
			DatabaseName string  `json:"databaseName"`
			TableName    string  `json:"tableName"`
			Region       *string `json:"region"`
			VersionID    string  `json:"versionId"`
			CatalogArn   *string `json:"catalogArn"`
		}
		var sub *int
		if f.r.subSeq >= 0 {
			s := f.r.subSeq
			sub = &s
		}
		t := table{VersionID: "LATEST"}
		if p.convert != nil {
			t.DatabaseName, t.TableName = p.convert.database, p.convert.table
			if p.convert.schema.CatalogId != "" {
				t.CatalogID = &p.convert.schema.CatalogId
			}
			if p.convert.schema.Region != "" {
				t.Region = &p.convert.schema.Region
			}
			if p.convert.schema.VersionId != "" {
				t.VersionID = p.convert.schema.VersionId
			}
		}
		v = struct {
			AttemptsMade           int    `json:"attemptsMade"`
			ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
			ErrorCode              string `json:"ErrorCode"`
			ErrorMessage           string `json:"ErrorMessage"`
			AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
			RawData                string `json:"rawData"`
			SequenceNumber         string `json:"sequenceNumber"`
			SubSequenceNumber      *int   `json:"subSequenceNumber"`
			DataCatalogTable       table  `json:"dataCatalogTable"`
		}{1, f.r.arrival, f.code, f.message, now, raw, f.r.seq, sub, t}
	} else {
		v = struct {
			AttemptsMade           int    `json:"attemptsMade"`
			ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
			ErrorCode              string `json:"errorCode"`
			ErrorMessage           string `json:"errorMessage"`
			AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
			RawData                string `json:"rawData"`
		}{1, f.r.arrival, f.code, f.message, now, raw}
	}
	b, _ := json.Marshal(v)
	return b
}
