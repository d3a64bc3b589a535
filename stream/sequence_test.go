package stream

import (
	"math/big"
	"testing"
)

func TestSequenceRoundTrip(t *testing.T) {
	cases := []seqNum{{0, 0, 0}, {9999999999, 99999999, ^uint64(0)}, {1234567890, 7, 42}}
	for _, c := range cases {
		s := formatSeq(c.tag, c.shard, c.offset)
		if len(s) != seqLen || s[0] == '0' {
			t.Fatalf("formatSeq(%v) = %q", c, s)
		}
		got, ok := parseSeq(s)
		if !ok || got != c {
			t.Fatalf("parseSeq(%q) = %v, %v; want %v", s, got, ok, c)
		}
	}
	for _, bad := range []string{"", "0", "49", "4912345678900000000100000000000000000000x", "59123456789000000001000000000000000000000"[:40],
		"4912345678900000000199999999999999999999"} {
		if _, ok := parseSeq(bad); ok {
			t.Errorf("parseSeq(%q) accepted", bad)
		}
	}
}

// Numeric order of sequence numbers follows (shard index, offset).
func TestSequenceOrder(t *testing.T) {
	n := func(s string) *big.Int { b, _ := new(big.Int).SetString(s, 10); return b }
	a := n(formatSeq(5, 1, 999))
	b := n(formatSeq(5, 1, 1000))
	c := n(formatSeq(5, 2, 0))
	if a.Cmp(b) >= 0 || b.Cmp(c) >= 0 {
		t.Fatal("sequence numbers are not ordered by shard index then offset")
	}
}

func TestParseShardID(t *testing.T) {
	for s, want := range map[string]int{"shardId-000000000000": 0, "shardId-000000000012": 12, "7": 7, "shardId-3": 3} {
		if got, ok := ParseShardID(s); !ok || got != want {
			t.Errorf("ParseShardID(%q) = %d, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "shardId-", "shard-1", "shardId-x", "-1", "shardId-9999999999999"} {
		if _, ok := ParseShardID(s); ok {
			t.Errorf("ParseShardID(%q) accepted", s)
		}
	}
	if ShardID(7) != "shardId-000000000007" {
		t.Fatal(ShardID(7))
	}
}

// appendNextSeq is appendSeq of the next offset, across every carry.
func TestAppendNextSeq(t *testing.T) {
	for _, off := range []uint64{0, 1, 8, 9, 99, 1099, 999_999, 12_345_678_999, seqEndOffset - 2, seqEndOffset - 1} {
		buf := appendSeq([]byte("prefix"), 4_294_967_295, 12, off)
		got := appendNextSeq(buf)
		want := appendSeq(appendSeq([]byte("prefix"), 4_294_967_295, 12, off), 4_294_967_295, 12, off+1)
		if string(got) != string(want) {
			t.Errorf("after offset %d: got %s, want %s", off, got, want)
		}
	}
}
