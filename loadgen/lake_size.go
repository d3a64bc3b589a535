package loadgen

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sizeUnits are the suffixes ParseSize accepts, longest first so that
// "MiB" is not read as "B". Binary units are powers of 1024 and decimal
// units powers of 1000, as in S3's and the AWS CLI's documentation.
var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// ParseSize reads a byte count such as "1MiB", "256MiB", "1.5GiB", "5MB"
// or "4096". Units are case-insensitive; a bare K, M, G or T is binary.
// The result must be a whole number of bytes.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	if t == "" {
		return 0, fmt.Errorf("size %q: no number", s)
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		if n < 0 || float64(n)*mult > math.MaxInt64/2 {
			return 0, fmt.Errorf("size %q: out of range", s)
		}
		return n * int64(mult), nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit (B, KiB, MiB, GiB, KB, MB, GB)", s)
	}
	b := f * mult
	if b < 0 || b > math.MaxInt64/2 {
		return 0, fmt.Errorf("size %q: out of range", s)
	}
	if b != math.Trunc(b) {
		return 0, fmt.Errorf("size %q: not a whole number of bytes", s)
	}
	return int64(b), nil
}

// FormatSize prints n in the largest binary unit that divides it exactly
// ("1MiB", "256MiB", "1536KiB", "1000B").
func FormatSize(n int64) string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}
