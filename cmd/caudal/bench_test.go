package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/caudal/caudal/loadgen"
)

// TestBenchVerifiesEveryRecord runs short benches of each shape against an
// in-process server and checks that verification ran and passed and that
// the counts agree with each other.
func TestBenchVerifiesEveryRecord(t *testing.T) {
	ts := startServer(t)
	cases := []struct {
		name string
		args []string
		want int64 // records written, when bounded by --records
	}{
		{"putrecords with consumers", []string{"--records", "20000", "--record-size", "200", "--batch", "250", "--producers", "3", "--shards", "3", "--consumers",
			// The in-process server is this process: its CPU is readable.
			"--server-pid", strconv.Itoa(os.Getpid())}, 20000},
		{"putrecords through the SDK", []string{"--sdk", "--records", "5000", "--record-size", "100", "--batch", "500", "--producers", "2", "--consumers"}, 5000},
		{"putrecord", []string{"--api", "putrecord", "--records", "300", "--producers", "4", "--record-size", "16"}, 300},
		{"by duration, rate capped", []string{"--duration", "1s", "--rate", "5000", "--batch", "100", "--record-size", "100", "--keys", "3"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := ts.must(t, cliRun{}, append([]string{"bench", "--json"}, tc.args...)...)
			var rep loadgen.Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("--json output: %v\n%s", err, out)
			}
			if !rep.OK || rep.ReadBack == nil {
				t.Fatalf("bench not verified OK:\n%s", out)
			}
			if want := map[bool]string{true: "sdk", false: "wire"}[slices.Contains(tc.args, "--sdk")]; rep.Config.Client != want {
				t.Errorf("client %q, want %q", rep.Config.Client, want)
			}
			w := rep.Write
			if tc.want > 0 && int64(w.Records) != tc.want {
				t.Errorf("wrote %d records, want %d", w.Records, tc.want)
			}
			if w.Records == 0 || w.Errors != 0 || w.Bytes != w.Records*uint64(rep.Config.RecordSize) {
				t.Errorf("write phase inconsistent: %+v (record size %d)", w, rep.Config.RecordSize)
			}
			if rep.Config.API == loadgen.PutRecord && w.Calls != w.Records+w.Throttles {
				t.Errorf("putrecord: %d calls for %d records and %d throttles", w.Calls, w.Records, w.Throttles)
			}
			if hasPID := slices.Contains(tc.args, "--server-pid"); (w.ServerCPUSeconds != nil) != hasPID ||
				(hasPID && (rep.ReadBack.ServerCPUSeconds == nil || *w.ServerCPUSeconds <= 0)) {
				t.Errorf("server CPU reported %v with --server-pid %v", w.ServerCPUSeconds, hasPID)
			}
			if w.GeneratorCPUSeconds <= 0 {
				t.Errorf("generator CPU %v", w.GeneratorCPUSeconds)
			}
			if rep.ReadBack.Records != w.Records {
				t.Errorf("read back %d records of %d written", rep.ReadBack.Records, w.Records)
			}
			passes := 1
			if rep.Consumers != nil {
				passes = 2
				if rep.Consumers.Records != w.Records {
					t.Errorf("consumers read %d records of %d written", rep.Consumers.Records, w.Records)
				}
			}
			if len(rep.Verifications) != passes {
				t.Fatalf("%d verifications, want %d", len(rep.Verifications), passes)
			}
			for _, v := range rep.Verifications {
				if !v.OK || v.Acked != w.Records || v.ReadOnce != w.Records || v.Missing+v.Duplicates+v.Corrupt+v.Unacked+v.Foreign != 0 {
					t.Errorf("verification %+v for %d written", v, w.Records)
				}
			}
			// The fresh stream is deleted at the end.
			if strings.Contains(ts.must(t, cliRun{}, "streams", "list"), rep.Stream) {
				t.Errorf("stream %s left behind", rep.Stream)
			}
		})
	}
}

// TestBenchReusedStreamAndTextReport runs against an existing stream that
// already holds other data: that data is ignored, the stream is kept, and
// the default output is the text report.
func TestBenchReusedStreamAndTextReport(t *testing.T) {
	ts := startServer(t)
	ts.must(t, cliRun{}, "streams", "create", "reused", "--shards", "1")
	ctx := context.Background()
	if _, err := ts.sdk().PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("reused"), Data: []byte("older data"), PartitionKey: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	out := ts.must(t, cliRun{}, "bench", "--stream", "reused", "--records", "1000", "--consumers")
	for _, want := range []string{"stream reused (1 shards)", "write", "consumers", "read-back", "OK: every acknowledged record read exactly once"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	// --stream is kept.
	if !strings.Contains(ts.must(t, cliRun{}, "streams", "list"), "reused") {
		t.Error("an existing --stream was deleted")
	}
}

// TestBenchFailsWhenARecordIsLost puts a proxy between the bench and the
// server that drops one record from one GetRecords answer: verification
// must fail, name the lost record, and the command must exit with an error.
func TestBenchFailsWhenARecordIsLost(t *testing.T) {
	ts := startServer(t)
	target, err := url.Parse(ts.URL())
	if err != nil {
		t.Fatal(err)
	}
	var dropped atomic.Bool
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Header.Get("X-Amz-Target") != "Kinesis_20131202.GetRecords" || resp.StatusCode != 200 || dropped.Load() {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return err
		}
		if recs, _ := m["Records"].([]any); len(recs) > 0 && dropped.CompareAndSwap(false, true) {
			m["Records"] = recs[1:]
			if body, err = json.Marshal(m); err != nil {
				return err
			}
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	ps := httptest.NewServer(proxy)
	defer ps.Close()
	out, _, err := ts.run(t, cliRun{}, "bench", "--endpoint", ps.URL, "--records", "2000", "--json")
	if err == nil || !strings.Contains(err.Error(), "verification failed") {
		t.Fatalf("bench with a lost record: err = %v\n%s", err, out)
	}
	var rep loadgen.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if rep.OK || len(rep.Verifications) != 1 || rep.Verifications[0].Missing != 1 || rep.Verifications[0].FirstMissing == "" {
		t.Fatalf("report after one lost record: %+v", rep.Verifications)
	}
}

// TestBenchRetriesAThrottledCall puts a proxy that refuses the first
// PutRecords call whole, as AWS does when a stream is over its limits: the
// generator's own client must read the error code, count the throttle and
// retry the batch, and everything must verify.
func TestBenchRetriesAThrottledCall(t *testing.T) {
	ts := startServer(t)
	target, err := url.Parse(ts.URL())
	if err != nil {
		t.Fatal(err)
	}
	var refused atomic.Bool
	proxy := httputil.NewSingleHostReverseProxy(target)
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "Kinesis_20131202.PutRecords" && refused.CompareAndSwap(false, true) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for stream"}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer ps.Close()
	out := ts.must(t, cliRun{}, "bench", "--endpoint", ps.URL, "--records", "1000", "--batch", "100", "--producers", "1", "--json")
	var rep loadgen.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if !refused.Load() || !rep.OK || rep.Write.Throttles != 100 || rep.Write.Records != 1000 || rep.Write.Errors != 0 {
		t.Fatalf("after one throttled call: refused %v, report %+v", refused.Load(), rep.Write)
	}
}

func TestBenchUsageErrors(t *testing.T) {
	ts := startServer(t)
	for _, args := range [][]string{
		{"--batch", "501"},
		{"--api", "getrecords"},
		{"--record-size", "8"},
		{"--batch", "500", "--record-size", "20000"},
	} {
		_, _, err := ts.run(t, cliRun{}, append([]string{"bench"}, args...)...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("bench %v: err = %v, want a usage error", args, err)
		}
	}
	// An endpoint that does not answer fails fast with the CLI's advice.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _, err := ts.run(t, cliRun{ctx: ctx}, "bench", "--endpoint", "http://127.0.0.1:1", "--duration", "1s")
	if err == nil || !strings.Contains(err.Error(), "cannot reach caudal") {
		t.Errorf("unreachable endpoint: %v", err)
	}
}
