package loadgen

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// LakeReport is the outcome of one RunLake, as printed by caudal bench
// lake and as its --json output.
type LakeReport struct {
	Config LakeReportConfig `json:"config"`
	Bucket string           `json:"bucket"`
	Prefix string           `json:"prefix"` // every key of the run starts with it
	// Put's latency is of whole uploads; Get's of whole reads (until the
	// last byte was verified), with the time to the response headers in
	// Get.FirstByte. Delete is the clean-up (DeleteObjects), absent with
	// Keep.
	Put          *LakePhase       `json:"put"`
	Get          *LakePhase       `json:"get,omitempty"`
	Delete       *LakePhase       `json:"delete,omitempty"`
	Verification LakeVerification `json:"verification"`
	// OK is false when a PUT failed, or an acknowledged object was
	// missing, corrupt or could not be read back; Problem then says which.
	// A run without GET verifies nothing but still needs every PUT to
	// succeed.
	OK      bool   `json:"ok"`
	Problem string `json:"problem,omitempty"`
}

// problem says why the run failed, or "" when it passed.
func (r *LakeReport) problem() string {
	v := r.Verification
	switch {
	case r.Put == nil || r.Put.Objects == 0:
		return "no object was stored"
	case r.Put.Errors > 0:
		return fmt.Sprintf("%d of %d PUTs failed", r.Put.Errors, r.Put.Calls)
	case r.Get == nil:
		return ""
	case v.Missing > 0 || v.Corrupt > 0:
		return fmt.Sprintf("%d acknowledged objects missing and %d corrupt", v.Missing, v.Corrupt)
	case v.Verified != v.Acked:
		return fmt.Sprintf("%d of %d acknowledged objects could not be read back", v.Acked-v.Verified, v.Acked)
	}
	return ""
}

// LakeReportConfig is the workload, as run.
type LakeReportConfig struct {
	Endpoint        string       `json:"endpoint,omitempty"`
	Size            int64        `json:"size"`
	Concurrency     int          `json:"concurrency"`
	Count           int          `json:"count,omitempty"`
	Duration        float64      `json:"duration_s,omitempty"` // the PUT phase's bound when Count is 0
	Multipart       bool         `json:"multipart"`
	PartSize        int64        `json:"part_size,omitempty"`
	PartConcurrency int          `json:"part_concurrency,omitempty"`
	Checksum        ChecksumMode `json:"checksum"`
	UnsignedPayload bool         `json:"unsigned_payload"`
}

func lakeReportConfig(c LakeConfig) LakeReportConfig {
	rc := LakeReportConfig{Endpoint: c.Endpoint, Size: c.Size, Concurrency: c.Concurrency, Count: c.Count,
		Duration: c.Duration.Seconds(), Multipart: c.multipart(), Checksum: c.Checksum, UnsignedPayload: c.UnsignedPayload}
	if rc.Multipart {
		rc.PartSize, rc.PartConcurrency = c.PartSize, c.PartConcurrency
	}
	if c.Count > 0 {
		rc.Duration = 0 // only a safety cap
	}
	return rc
}

// LakePhase is the measurement of one phase. MB is 10^6 bytes of object
// data (headers and protocol overhead not counted).
type LakePhase struct {
	Seconds       float64  `json:"seconds"`
	Objects       uint64   `json:"objects"`
	Bytes         uint64   `json:"bytes"`
	ObjectsPerSec float64  `json:"objects_per_s"`
	MBPerSec      float64  `json:"mb_per_s"`
	Calls         uint64   `json:"calls"`
	Latency       Latency  `json:"latency_ms"`
	FirstByte     *Latency `json:"first_byte_ms,omitempty"`
	Errors        uint64   `json:"errors"`
	FirstError    string   `json:"first_error,omitempty"`
	// GeneratorCPUSeconds is the CPU time of the whole generator process
	// during the phase; ServerCPUSeconds the server's, when
	// LakeConfig.ServerPID names a local server process.
	GeneratorCPUSeconds float64  `json:"generator_cpu_s"`
	ServerCPUSeconds    *float64 `json:"server_cpu_s,omitempty"`
}

// LakeVerification is the GET phase's check of every acknowledged object.
type LakeVerification struct {
	Acked    uint64 `json:"acked"`    // objects whose PUT succeeded
	Verified uint64 `json:"verified"` // read back whole, every byte right
	Missing  uint64 `json:"missing"`  // NoSuchKey for an acknowledged object
	Corrupt  uint64 `json:"corrupt"`  // wrong bytes or length
	Errors   uint64 `json:"errors"`   // GETs that failed otherwise (not verified)
	// FirstProblem describes the first missing or corrupt object.
	FirstProblem string `json:"first_problem,omitempty"`
}

func latencyOf(h *Histogram) Latency {
	return Latency{P50: ms(h.Quantile(0.5)), P99: ms(h.Quantile(0.99)), P999: ms(h.Quantile(0.999)), Max: ms(h.Max()), Mean: ms(h.Mean())}
}

// newLakePhase summarizes a phase; c.records counts objects.
func newLakePhase(elapsed time.Duration, c *counters, h, firstByte *Histogram, firstErr string) *LakePhase {
	p := &LakePhase{Seconds: elapsed.Seconds(), Objects: c.records.Load(), Bytes: c.bytes.Load(), Calls: c.calls.Load(),
		Errors: c.errors.Load(), FirstError: firstErr, Latency: latencyOf(h)}
	if firstByte != nil {
		l := latencyOf(firstByte)
		p.FirstByte = &l
	}
	if s := elapsed.Seconds(); s > 0 {
		p.ObjectsPerSec = float64(p.Objects) / s
		p.MBPerSec = float64(p.Bytes) / 1e6 / s
	}
	return p
}

// fillLakeCPU sets p's CPU fields for the interval from a to b.
func (p *LakePhase) fillLakeCPU(a, b cpuSample) {
	if p == nil {
		return
	}
	p.GeneratorCPUSeconds = (b.self - a.self).Seconds()
	if a.serverOK && b.serverOK {
		s := (b.server - a.server).Seconds()
		p.ServerCPUSeconds = &s
	}
}

// WriteText prints the report as a table.
func (r *LakeReport) WriteText(w io.Writer) error {
	c := r.Config
	how := "one PutObject each"
	if c.Multipart {
		how = fmt.Sprintf("upload manager, %s parts, %d parts in flight per object", FormatSize(c.PartSize), c.PartConcurrency)
	}
	signing := "signed payload"
	if c.UnsignedPayload {
		signing = "unsigned payload"
	}
	fmt.Fprintf(w, "bucket %s, keys %s*: %s objects, %d in flight, %s, checksum %s, %s\n\n",
		r.Bucket, r.Prefix, FormatSize(c.Size), c.Concurrency, how, c.Checksum, signing)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tseconds\tobjects\tobjects/s\tMB/s\tp50 ms\tp99 ms\tmax ms\tfirst byte p50/p99 ms\terrors\tgen CPU s\tserver CPU s\t")
	row := func(name string, p *LakePhase) {
		if p == nil {
			return
		}
		server, fb := "—", "—"
		if p.ServerCPUSeconds != nil {
			server = fmt.Sprintf("%.2f", *p.ServerCPUSeconds)
		}
		if p.FirstByte != nil {
			fb = fmt.Sprintf("%.2f / %.2f", p.FirstByte.P50, p.FirstByte.P99)
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%d\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t%s\t%d\t%.2f\t%s\t\n", name, p.Seconds, p.Objects,
			p.ObjectsPerSec, p.MBPerSec, p.Latency.P50, p.Latency.P99, p.Latency.Max, fb, p.Errors, p.GeneratorCPUSeconds, server)
	}
	row("put", r.Put)
	row("get", r.Get)
	row("delete", r.Delete)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range []struct {
		name string
		p    *LakePhase
	}{{"put", r.Put}, {"get", r.Get}, {"delete", r.Delete}} {
		if p.p != nil && p.p.FirstError != "" {
			fmt.Fprintf(w, "first %s error: %s\n", p.name, p.p.FirstError)
		}
	}
	fmt.Fprintln(w)
	v := r.Verification
	if r.Get == nil {
		fmt.Fprintln(w, "verification: skipped (no GET phase)")
	} else {
		fmt.Fprintf(w, "verification: %d acknowledged, %d verified, %d missing, %d corrupt, %d unreadable\n",
			v.Acked, v.Verified, v.Missing, v.Corrupt, v.Errors)
		if v.FirstProblem != "" {
			fmt.Fprintf(w, "first problem: %s\n", v.FirstProblem)
		}
	}
	res := "OK: every PUT acknowledged"
	if r.Get != nil {
		res += ", every object read back whole and byte-exact"
	}
	if !r.OK {
		res = "FAILED: " + r.Problem
	}
	_, err := fmt.Fprintln(w, "result:", res)
	return err
}
