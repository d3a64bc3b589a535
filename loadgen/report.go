package loadgen

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Report is the outcome of one Run, as printed by caudal bench and as its
// --json output.
type Report struct {
	Config ReportConfig `json:"config"`
	Stream string       `json:"stream"`
	// Write covers the producers. Its latency is of write calls; Throttles
	// counts records refused for throughput (each retried).
	Write *Phase `json:"write"`
	// Consumers covers GetRecords while writing (--consumers); ReadBack the
	// read of everything after writing (--read-back). Their latency is of
	// GetRecords calls and Throttles counts refused calls.
	Consumers     *Phase         `json:"consumers,omitempty"`
	ReadBack      *Phase         `json:"read_back,omitempty"`
	Verifications []Verification `json:"verification"`
	// OK is false when a verification found a missing, duplicated or
	// corrupt record. A run with no read pass verifies nothing and is OK.
	OK bool `json:"ok"`
}

// ReportConfig is the workload, as run.
type ReportConfig struct {
	Endpoint   string  `json:"endpoint,omitempty"`
	Shards     int     `json:"shards"`
	Producers  int     `json:"producers"`
	API        API     `json:"api"`
	RecordSize int     `json:"record_size"`
	Batch      int     `json:"batch"`
	Keys       int     `json:"keys"`
	Duration   float64 `json:"duration_s"`
	Records    int64   `json:"records,omitempty"`
	Rate       float64 `json:"rate,omitempty"`
	Consumers  bool    `json:"consumers"`
	ReadBack   bool    `json:"read_back"`
	// Client is "wire" (the generator's own PutRecords/GetRecords) or
	// "sdk" (the AWS SDK for Go v2).
	Client string `json:"client"`
}

func reportConfig(c Config) ReportConfig {
	return ReportConfig{Endpoint: c.Endpoint, Shards: c.Shards, Producers: c.Producers, API: c.API, RecordSize: c.RecordSize,
		Batch: c.Batch, Keys: c.Keys, Duration: c.Duration.Seconds(), Records: c.Records, Rate: c.Rate,
		Consumers: c.Consumers, ReadBack: c.ReadBack, Client: map[bool]string{false: "wire", true: "sdk"}[c.SDK]}
}

// Phase is the measurement of one phase. MB is 10^6 bytes of record data
// (partition keys and protocol overhead not counted).
type Phase struct {
	Seconds       float64 `json:"seconds"`
	Records       uint64  `json:"records"`
	Bytes         uint64  `json:"bytes"`
	RecordsPerSec float64 `json:"records_per_s"`
	MBPerSec      float64 `json:"mb_per_s"`
	Calls         uint64  `json:"calls"`
	Latency       Latency `json:"latency_ms"`
	Throttles     uint64  `json:"throttles"`
	Errors        uint64  `json:"errors"`
	FirstError    string  `json:"first_error,omitempty"`
	// GeneratorCPUSeconds is the CPU time the whole generator process used
	// during the phase (with consumers, the write and consumer phases
	// overlap and each reports the same whole-process figure).
	GeneratorCPUSeconds float64 `json:"generator_cpu_s"`
	// ServerCPUSeconds is the server's CPU time during the phase, when
	// Config.ServerPID names a local server process.
	ServerCPUSeconds *float64 `json:"server_cpu_s,omitempty"`
}

// Latency summarizes call latencies, in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func newPhase(elapsed time.Duration, c *counters, h *Histogram, firstErr string) *Phase {
	p := &Phase{Seconds: elapsed.Seconds(), Records: c.records.Load(), Bytes: c.bytes.Load(), Calls: c.calls.Load(),
		Throttles: c.throttles.Load(), Errors: c.errors.Load(), FirstError: firstErr,
		Latency: Latency{P50: ms(h.Quantile(0.5)), P99: ms(h.Quantile(0.99)), P999: ms(h.Quantile(0.999)), Max: ms(h.Max()), Mean: ms(h.Mean())}}
	if s := elapsed.Seconds(); s > 0 {
		p.RecordsPerSec = float64(p.Records) / s
		p.MBPerSec = float64(p.Bytes) / 1e6 / s
	}
	return p
}

// WriteText prints the report as tables.
func (r *Report) WriteText(w io.Writer) error {
	c := r.Config
	what := fmt.Sprintf("%s of %d × %d-byte records", c.API, c.Batch, c.RecordSize)
	if c.API == PutRecord {
		what = fmt.Sprintf("putrecord of %d-byte records", c.RecordSize)
	}
	fmt.Fprintf(w, "stream %s (%d shards): %d producers, %s, %d partition keys\n\n", r.Stream, c.Shards, c.Producers, what, c.Keys)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tseconds\trecords\trecords/s\tMB/s\tcalls\tp50 ms\tp99 ms\tp99.9 ms\tmax ms\tthrottles\terrors\tgen CPU s\tserver CPU s\t")
	row := func(name string, p *Phase) {
		if p == nil {
			return
		}
		server := "—"
		if p.ServerCPUSeconds != nil {
			server = fmt.Sprintf("%.2f", *p.ServerCPUSeconds)
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%d\t%.0f\t%.2f\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t%d\t%.2f\t%s\t\n", name, p.Seconds, p.Records,
			p.RecordsPerSec, p.MBPerSec, p.Calls, p.Latency.P50, p.Latency.P99, p.Latency.P999, p.Latency.Max, p.Throttles, p.Errors,
			p.GeneratorCPUSeconds, server)
	}
	row("write", r.Write)
	row("consumers", r.Consumers)
	row("read-back", r.ReadBack)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range []*Phase{r.Write, r.Consumers, r.ReadBack} {
		if p != nil && p.FirstError != "" {
			fmt.Fprintf(w, "first error: %s\n", p.FirstError)
		}
	}
	fmt.Fprintln(w)
	if len(r.Verifications) == 0 {
		fmt.Fprintln(w, "verification: skipped (no read pass: use --read-back or --consumers)")
		return nil
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "verification\tacked\tread\tmissing\tduplicates\tunacked\tcorrupt\tforeign\tresult\t")
	for _, v := range r.Verifications {
		res := "OK: every acknowledged record read exactly once"
		if !v.OK {
			res = "FAILED"
			if v.FirstMissing != "" {
				res += " (first missing: " + v.FirstMissing + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", v.Pass, v.Acked, v.ReadOnce, v.Missing, v.Duplicates, v.Unacked, v.Corrupt, v.Foreign, res)
	}
	return tw.Flush()
}
