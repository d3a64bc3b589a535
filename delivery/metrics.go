package delivery

import (
	"sort"
	"time"
)

// Metrics are one delivery stream's delivery lag and freshness, beyond
// what Firehose's API reports (its CloudWatch metrics
// DeliveryToS3.Records, DeliveryToS3.DataFreshness and the like).
type Metrics struct {
	Name   string `json:"DeliveryStreamName"`
	Region string `json:"Region"`
	Type   string `json:"DeliveryStreamType"`
	// RecordsDelivered and BytesDelivered count records written to the
	// data prefix since the engine opened; ObjectsDelivered counts
	// objects including error objects; RecordsFailed counts records
	// written to the error prefix; FlushFailures counts failed flush
	// attempts (each retried).
	RecordsDelivered int64 `json:"RecordsDelivered"`
	BytesDelivered   int64 `json:"BytesDelivered"`
	ObjectsDelivered int64 `json:"ObjectsDelivered"`
	RecordsFailed    int64 `json:"RecordsFailed"`
	FlushFailures    int64 `json:"FlushFailures"`
	// LastDelivery is when the last batch landed (zero: none yet).
	LastDelivery time.Time `json:"LastDelivery,omitzero"`
	// OldestUndelivered is the arrival time of the oldest record not yet
	// delivered (zero: none); DataFreshnessSeconds is its age.
	OldestUndelivered    time.Time `json:"OldestUndelivered,omitzero"`
	DataFreshnessSeconds float64   `json:"DataFreshnessSeconds"`
	// PendingRecords (DirectPut: records in the log past the checkpoint)
	// and PendingBytes (an estimate) are what the next flushes deliver.
	PendingRecords int64  `json:"PendingRecords"`
	PendingBytes   int64  `json:"PendingBytes"`
	LastError      string `json:"LastError,omitempty"`
}

// Metrics returns every delivery stream's metrics, by region and name.
func (e *Engine) Metrics() []Metrics {
	e.mu.RLock()
	streams := make([]*dstream, 0, len(e.streams))
	for _, ds := range e.streams {
		streams = append(streams, ds)
	}
	e.mu.RUnlock()
	now := e.cfg.Now()
	out := make([]Metrics, 0, len(streams))
	for _, ds := range streams {
		m := ds.snapshot()
		mt := Metrics{
			Name: m.Name, Region: m.Region, Type: m.Type,
			RecordsDelivered: ds.stats.records.Load(), BytesDelivered: ds.stats.bytes.Load(),
			ObjectsDelivered: ds.stats.objects.Load(), RecordsFailed: ds.stats.errorRecords.Load(),
			FlushFailures: ds.stats.failures.Load(),
		}
		if ms := ds.stats.lastDelivery.Load(); ms > 0 {
			mt.LastDelivery = time.UnixMilli(ms).UTC()
		}
		ds.stats.mu.Lock()
		mt.LastError = ds.stats.lastError
		ds.stats.mu.Unlock()
		if ds.log != nil {
			first, next := ds.log.Bounds()
			ck := ds.checkpointOffset()
			if ck < first {
				ck = first
			}
			if next > ck {
				mt.PendingRecords = int64(next - ck)
				mt.PendingBytes = ds.pendBytes.Load()
				if recs, err := ds.log.Read(ck, 1, 0, nil); err == nil && len(recs) > 0 {
					mt.OldestUndelivered = time.UnixMilli(recs[0].Timestamp).UTC()
				}
			}
		}
		if !mt.OldestUndelivered.IsZero() {
			mt.DataFreshnessSeconds = now.Sub(mt.OldestUndelivered).Seconds()
		}
		out = append(out, mt)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Region != out[j].Region {
			return out[i].Region < out[j].Region
		}
		return out[i].Name < out[j].Name
	})
	return out
}
