package loadgen

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsAreOrderedAndContiguous(t *testing.T) {
	// Every value maps to a bucket whose high bound is ≥ the value, and the
	// next value past a bucket's high bound starts the next bucket.
	for b := 0; b < numBuckets-1; b++ {
		hi := bucketHigh(b)
		if got := bucketOf(hi); got != b {
			t.Fatalf("bucketOf(bucketHigh(%d)=%d) = %d", b, hi, got)
		}
		if got := bucketOf(hi + 1); got != b+1 {
			t.Fatalf("bucketOf(%d) = %d, want %d", hi+1, got, b+1)
		}
	}
	if got := bucketOf(math.MaxUint64); got != numBuckets-1 {
		t.Fatalf("largest value lands in bucket %d of %d", got, numBuckets)
	}
}

func TestBucketRelativeError(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		v := r.Uint64N(1<<40) >> r.UintN(40)
		hi := bucketHigh(bucketOf(v))
		if hi < v {
			t.Fatalf("bucket of %d ends below it at %d", v, hi)
		}
		if float64(hi-v) > float64(v)/subCount+1 {
			t.Fatalf("bucket of %d ends at %d: more than 1/%d above", v, hi, subCount)
		}
	}
}

func TestQuantilesAgainstSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var h Histogram
	var vals []time.Duration
	for range 50000 {
		// Log-normal-ish latencies from 10 µs to ~1 s.
		d := time.Duration(float64(10*time.Microsecond) * float64(uint64(1)<<r.UintN(17)) * (1 + r.Float64()))
		vals = append(vals, d)
		h.Record(d)
	}
	slices.Sort(vals)
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 0.999, 1} {
		idx := max(int(float64(len(vals))*q+0.999999)-1, 0)
		want := vals[idx]
		got := h.Quantile(q)
		if got < want || float64(got-want) > float64(want)/subCount+1 {
			t.Errorf("Quantile(%v) = %v, exact %v: outside one bucket above", q, got, want)
		}
	}
	if h.Count() != uint64(len(vals)) || h.Max() != vals[len(vals)-1] {
		t.Errorf("count %d max %v, want %d %v", h.Count(), h.Max(), len(vals), vals[len(vals)-1])
	}
}

func TestHistogramSmallAndEmpty(t *testing.T) {
	var h Histogram
	if h.Quantile(0.99) != 0 || h.Mean() != 0 {
		t.Fatal("empty histogram reports nonzero")
	}
	for _, d := range []time.Duration{5, 1, 3, -7} {
		h.Record(d)
	}
	// Values below 128 ns are exact; -7 counts as 0.
	if got := h.Quantile(0.5); got != 1 {
		t.Errorf("median of {0,1,3,5} = %v, want 1", got)
	}
	if got := h.Quantile(1); got != 5 {
		t.Errorf("max quantile = %v, want 5", got)
	}
	if h.Mean() != 2 {
		t.Errorf("mean = %v, want 2", h.Mean())
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all Histogram
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 10000 {
		d := time.Duration(r.Int64N(int64(time.Second)))
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	a.Merge(&Histogram{}) // merging an empty one changes nothing
	if a != all {
		t.Fatal("merged histogram differs from one that saw every value")
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h Histogram
	for i := range b.N {
		h.Record(time.Duration(i * 977))
	}
}
