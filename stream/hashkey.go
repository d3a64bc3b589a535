package stream

import (
	"crypto/md5"
	"encoding/binary"
	"math/big"
	"math/bits"
)

// MaxHashKey is 2^128-1, the last key of the hash-key space.
var MaxHashKey = HashKey{Hi: ^uint64(0), Lo: ^uint64(0)}

var (
	bigOne    = big.NewInt(1)
	bigTwo128 = new(big.Int).Lsh(bigOne, 128)
)

// ParseHashKey parses a decimal hash key in 0..2^128-1. It accepts only
// the model's spelling ("0" or a decimal without leading zeros).
func ParseHashKey(s string) (HashKey, bool) {
	if s == "" || len(s) > 39 || (len(s) > 1 && s[0] == '0') {
		return HashKey{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return HashKey{}, false
		}
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok || b.Sign() < 0 || b.Cmp(bigTwo128) >= 0 {
		return HashKey{}, false
	}
	return hashKeyFromBig(b), true
}

// String formats the key in decimal, as AWS does on the wire.
func (k HashKey) String() string { return k.big().String() }

// Cmp compares k and o: -1, 0 or +1.
func (k HashKey) Cmp(o HashKey) int {
	switch {
	case k.Hi < o.Hi:
		return -1
	case k.Hi > o.Hi:
		return 1
	case k.Lo < o.Lo:
		return -1
	case k.Lo > o.Lo:
		return 1
	}
	return 0
}

// Add1 returns k+1 (wrapping at 2^128).
func (k HashKey) Add1() HashKey {
	lo, c := bits.Add64(k.Lo, 1, 0)
	return HashKey{Hi: k.Hi + c, Lo: lo}
}

// Sub1 returns k-1 (wrapping at 0).
func (k HashKey) Sub1() HashKey {
	lo, b := bits.Sub64(k.Lo, 1, 0)
	return HashKey{Hi: k.Hi - b, Lo: lo}
}

func (k HashKey) big() *big.Int {
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], k.Hi)
	binary.BigEndian.PutUint64(buf[8:], k.Lo)
	return new(big.Int).SetBytes(buf[:])
}

func hashKeyFromBig(b *big.Int) HashKey {
	var buf [16]byte
	b.FillBytes(buf[:])
	return HashKey{Hi: binary.BigEndian.Uint64(buf[:8]), Lo: binary.BigEndian.Uint64(buf[8:])}
}

// PartitionKeyHash is how AWS routes a record: MD5 of the partition key's
// UTF-8 bytes read as a big-endian unsigned 128-bit integer.
func PartitionKeyHash(partitionKey string) HashKey {
	sum := md5.Sum([]byte(partitionKey))
	return HashKey{Hi: binary.BigEndian.Uint64(sum[:8]), Lo: binary.BigEndian.Uint64(sum[8:])}
}

// hashRange is an inclusive range of hash keys.
type hashRange struct{ Start, End HashKey }

func (r hashRange) contains(k HashKey) bool { return r.Start.Cmp(k) <= 0 && k.Cmp(r.End) <= 0 }

// EvenSplit divides [start, end] into n contiguous ranges the way AWS does
// for CreateStream: each range is floor(width/n) keys wide and the last one
// runs to end. For the whole space and n=2 the first range ends at
// 170141183460469231731687303715884105727 (2^127-1).
func evenSplit(start, end HashKey, n int) []hashRange {
	s := start.big()
	width := new(big.Int).Sub(end.big(), s)
	width.Add(width, bigOne)
	step := new(big.Int).Div(width, big.NewInt(int64(n)))
	out := make([]hashRange, n)
	cur := new(big.Int).Set(s)
	for i := 0; i < n; i++ {
		out[i].Start = hashKeyFromBig(cur)
		if i == n-1 {
			out[i].End = end
			break
		}
		cur.Add(cur, step)
		out[i].End = hashKeyFromBig(new(big.Int).Sub(cur, bigOne))
	}
	return out
}
