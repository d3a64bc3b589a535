package partitionkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

type golden struct {
	Query  string            `json:"query"`
	Record string            `json:"record"`
	Keys   map[string]string `json:"keys"`
	Error  string            `json:"error"`
}

// TestJQ16Golden compares Extract with what real jq 1.6 produced for the
// same query and record (testdata/gen_jq16.py regenerates the file).
func TestJQ16Golden(t *testing.T) {
	b, err := os.ReadFile("testdata/jq16_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []golden
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 50 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			q, err := Compile(c.Query)
			if err != nil {
				t.Fatalf("Compile(%s): %v", c.Query, err)
			}
			got, err := q.Extract([]byte(c.Record))
			if c.Error != "" {
				if err == nil || !errors.Is(err, ErrPartitioning) {
					t.Fatalf("%s on %s: got %v, %v; jq 1.6 fails (%s)", c.Query, c.Record, got, err, c.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s on %s: %v; jq 1.6 gives %v", c.Query, c.Record, err, c.Keys)
			}
			if !reflect.DeepEqual(got, c.Keys) {
				t.Fatalf("%s on %s:\n got %q\nwant %q (jq 1.6)", c.Query, c.Record, got, c.Keys)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for _, q := range []string{"", "   ", "{a: .x", ".[", "{a: nosuchfunc}", "input", "{a: inputs}", "$undefined"} {
		if _, err := Compile(q); !errors.Is(err, ErrQuery) {
			t.Errorf("Compile(%q) = %v; want ErrQuery", q, err)
		}
	}
}

// TestHostileQueries: queries that never finish are cut off by the step
// bound, whatever the machine's load, and reported as partitioning
// failures.
func TestHostileQueries(t *testing.T) {
	for _, src := range []string{
		`{a: ([repeat(.)] | length)}`,
		`{a: ([range(1e9)] | length)}`,
		`{a: (last(range(1e12)))}`,
		`def f: f; {a: f}`,
		`{a: ([limit(1e9; repeat(1))] | length)}`,
		`{a: (reduce range(1e12) as $i (0; . + $i))}`,
	} {
		t.Run(src, func(t *testing.T) {
			q, err := Compile(src)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := q.Extract([]byte(`{"x":1}`))
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, ErrPartitioning) || !errors.Is(err, ErrStepLimit) {
					t.Fatalf("got %v; want a step-limit failure", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("query was not cancelled")
			}
		})
	}
}

// TestStepBudget: the documented example query fits a small fraction of
// the default budget; cancellation and the wall-clock backstop still work.
func TestStepBudget(t *testing.T) {
	q, err := Compile(`{customer_id: .customer_id, device: .type.device, year: .ts|strftime("%Y"), month: .ts|strftime("%m"), day: .ts|strftime("%d"), hour: .ts|strftime("%H")}`)
	if err != nil {
		t.Fatal(err)
	}
	rec := []byte(`{"type":{"device":"mobile"},"customer_id":"1234567890","ts":1565382027}`)
	q.Steps = DefaultSteps / 1000
	if _, err := q.Extract(rec); err != nil {
		t.Fatalf("example query over %d steps: %v", q.Steps, err)
	}
	q.Steps = 10
	if _, err := q.Extract(rec); !errors.Is(err, ErrStepLimit) {
		t.Fatalf("10 steps: got %v", err)
	}
	q.Steps = 0
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := q.ExtractContext(ctx, rec); !errors.Is(err, context.Canceled) || !errors.Is(err, ErrPartitioning) {
		t.Fatalf("cancelled context: got %v", err)
	}
	slow, err := Compile(`{a: (last(range(1e12)))}`)
	if err != nil {
		t.Fatal(err)
	}
	slow.Steps = 1 << 62
	slow.Timeout = time.Millisecond
	if _, err := slow.Extract(rec); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("backstop: got %v", err)
	}
}

func TestTooManyKeys(t *testing.T) {
	q, err := Compile(`[range(60) | {(tostring): .}] | add`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Extract([]byte(`{}`)); !errors.Is(err, ErrPartitioning) {
		t.Fatalf("got %v", err)
	}
}

func TestEnvironmentHidden(t *testing.T) {
	t.Setenv("CAUDAL_SECRET_FOR_TEST", "leak")
	q, err := Compile(`{a: ($ENV.CAUDAL_SECRET_FOR_TEST // "none"), b: (env.CAUDAL_SECRET_FOR_TEST // "none")}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.Extract([]byte(`{}`))
	if err != nil || got["a"] != "none" || got["b"] != "none" {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestUserDefinitionsWin(t *testing.T) {
	q, err := Compile(`def tostring: "mine"; {a: (1|tostring)}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.Extract([]byte(`{}`))
	if err != nil || got["a"] != "mine" {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestFormatNumber(t *testing.T) {
	cases := map[float64]string{
		0: "0", 1: "1", -1: "-1", 10: "10", 1e15: "1000000000000000", 1e16: "1e+16",
		123456789012345680: "123456789012345680", 1e-4: "0.0001", 1e-5: "1e-05",
		1.5e-300: "1.5e-300", math.MaxFloat64: "1.7976931348623157e+308",
		math.Inf(1): "1.7976931348623157e+308", math.Inf(-1): "-1.7976931348623157e+308",
		math.NaN(): "null", 0.5: "0.5", 12.5: "12.5", 5e-324: "5e-324",
	}
	for f, want := range cases {
		if got := FormatNumber(f); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", f, got, want)
		}
	}
	if got := FormatNumber(math.Copysign(0, -1)); got != "-0" {
		t.Errorf("FormatNumber(-0) = %q", got)
	}
}

// TestConcurrent: one compiled query serves many goroutines.
func TestConcurrent(t *testing.T) {
	q, err := Compile(`{id: .id, y: (.ts|strftime("%Y"))}`)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				got, err := q.Extract(fmt.Appendf(nil, `{"id": %d, "ts": 1565382027}`, i))
				if err == nil && (got["id"] != fmt.Sprint(i) || got["y"] != "2019") {
					err = fmt.Errorf("got %v for %d", got, i)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzExtract: Extract never panics and either fails with ErrPartitioning
// or yields at most MaxKeys string values; Compile fails only with
// ErrQuery.
func FuzzExtract(f *testing.F) {
	f.Add(`{customer_id: .customer_id, year: .ts | strftime("%Y")}`, []byte(`{"customer_id":"c1","ts":1565382027}`))
	f.Add(`{a: .x}`, []byte(`{"x": 1e400}`))
	f.Add(`{a: (.x|tostring)}`, []byte(`{"x": [1, {"b": null}, "s\u0001"]}`))
	f.Add(`{a: .x[]}`, []byte(`{"x": [1,2]}`))
	f.Add(`.`, []byte(`{"a": "b"}`))
	f.Add(`{(.k): .v}`, []byte(`{"k": "", "v": true}`))
	f.Add(`{a: ("x" * 1000)}`, []byte(`{}`))
	f.Add(`{a: .}`, []byte(strings.Repeat("[", 200)+strings.Repeat("]", 200)))
	f.Fuzz(func(t *testing.T, query string, record []byte) {
		if len(query) > 200 || strings.Contains(query, "*") || strings.Contains(query, "range") || strings.Contains(query, "repeat") || strings.Contains(query, "limit") {
			return // keep runs fast and memory-bounded; hostile queries have their own test
		}
		q, err := Compile(query)
		if err != nil {
			if !errors.Is(err, ErrQuery) {
				t.Fatalf("Compile error not ErrQuery: %v", err)
			}
			return
		}
		q.Steps = 20_000
		keys, err := q.Extract(record)
		if err != nil {
			if !errors.Is(err, ErrPartitioning) {
				t.Fatalf("Extract error not ErrPartitioning: %v", err)
			}
			return
		}
		if len(keys) > MaxKeys {
			t.Fatalf("%d keys", len(keys))
		}
	})
}

func BenchmarkExtract(b *testing.B) {
	q, err := Compile(`{customer_id: .customer_id, device: .type.device, year: .event_timestamp|strftime("%Y"), hour: .event_timestamp|strftime("%H")}`)
	if err != nil {
		b.Fatal(err)
	}
	rec := []byte(`{"type":{"device":"mobile","event":"user_clicked_submit_button"},"customer_id":"1234567890","event_timestamp":1565382027,"region":"sample_region"}`)
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Extract(rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// FuzzFormatNumber: jq 1.6's number text reads back as the same double,
// and uses the exponent form exactly where jvp_dtoa_fmt does.
func FuzzFormatNumber(f *testing.F) {
	for _, v := range []float64{0, 1, 1e16, 1e15, 123456789012345680, 1e-4, 1e-5, 5e-324, math.MaxFloat64, -2.5e+20} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		s := FormatNumber(v)
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != v {
			t.Fatalf("FormatNumber(%v) = %q reads back as %v, %v", v, s, back, err)
		}
		if v == 0 {
			return
		}
		digits := strings.TrimLeft(strings.ReplaceAll(strconv.FormatFloat(math.Abs(v), 'e', -1, 64)[:strings.IndexByte(strconv.FormatFloat(math.Abs(v), 'e', -1, 64), 'e')], ".", ""), "0")
		exp := int(math.Floor(math.Log10(math.Abs(v))))
		decpt := exp + 1
		wantExp := decpt <= -4 || decpt > len(digits)+15
		if strings.Contains(s, "e") != wantExp && math.Abs(math.Log10(math.Abs(v))-float64(exp)) > 1e-9 {
			t.Fatalf("FormatNumber(%v) = %q; exponent form expected %v", v, s, wantExp)
		}
	})
}
