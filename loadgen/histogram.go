package loadgen

import (
	"math"
	"math/bits"
	"time"
)

// Histogram records durations in log-linear buckets, HDR-style: values
// below 2^(subBits+1) ns are exact, and above that every power-of-two range
// is split into 2^subBits equal buckets, so a reported quantile is within
// 1/64 (about 1.6%) of the true value at any magnitude, in constant memory.
//
// A Histogram is not safe for concurrent use: each producer keeps its own
// and they are merged at the end.
type Histogram struct {
	counts [numBuckets]uint64
	n      uint64
	sum    float64 // ns, for the mean
	min    uint64
	max    uint64
}

const (
	subBits    = 6
	subCount   = 1 << subBits // buckets per power of two
	exactLimit = 2 * subCount // values below this have their own bucket
	numBuckets = exactLimit + (64-subBits-1)*subCount
)

// bucketOf maps a value to its bucket; buckets are ordered by value.
func bucketOf(v uint64) int {
	if v < exactLimit {
		return int(v)
	}
	shift := bits.Len64(v) - (subBits + 1) // ≥ 1
	top := v >> shift                      // in [subCount, 2*subCount)
	return exactLimit + (shift-1)*subCount + int(top-subCount)
}

// bucketHigh is the largest value that maps to bucket b.
func bucketHigh(b int) uint64 {
	if b < exactLimit {
		return uint64(b)
	}
	shift := (b-exactLimit)/subCount + 1
	top := uint64((b-exactLimit)%subCount + subCount)
	return (top+1)<<shift - 1
}

// Record adds one observation; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	h.max = max(h.max, v)
	h.n++
	h.sum += float64(v)
}

// Merge adds o's observations to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// Count is the number of observations.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest observation, exactly.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean is the exact mean of the observations.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Quantile returns a value at or just above (within one bucket) the q-th
// quantile, 0 ≤ q ≤ 1: the highest value of the bucket holding the
// observation of rank ⌈q·n⌉, capped at the exact maximum. It is 0 for an
// empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for b, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(bucketHigh(b), h.max))
		}
	}
	return time.Duration(h.max)
}
