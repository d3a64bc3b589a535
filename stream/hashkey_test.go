package stream

import (
	"crypto/md5"
	"fmt"
	"math/big"
	"testing"
)

func TestParseHashKey(t *testing.T) {
	good := []string{"0", "1", "170141183460469231731687303715884105727", "340282366920938463463374607431768211455"}
	for _, s := range good {
		k, ok := ParseHashKey(s)
		if !ok || k.String() != s {
			t.Errorf("ParseHashKey(%q) = %v, %v", s, k, ok)
		}
	}
	bad := []string{"", "-1", "01", "1.5", "abc", " 1", "340282366920938463463374607431768211456", "9999999999999999999999999999999999999999"}
	for _, s := range bad {
		if _, ok := ParseHashKey(s); ok {
			t.Errorf("ParseHashKey(%q) accepted", s)
		}
	}
	if MaxHashKey.String() != "340282366920938463463374607431768211455" {
		t.Fatalf("MaxHashKey = %s", MaxHashKey)
	}
	if (HashKey{Lo: ^uint64(0)}).Add1() != (HashKey{Hi: 1}) || (HashKey{Hi: 1}).Sub1() != (HashKey{Lo: ^uint64(0)}) {
		t.Fatal("carry across the 64-bit halves is wrong")
	}
}

// AWS's ranges: 2 shards end the first at 2^127-1; 3 shards at
// floor(2^128/3)-1.
func TestEvenSplitMatchesAWS(t *testing.T) {
	r := evenSplit(HashKey{}, MaxHashKey, 2)
	if r[0].End.String() != "170141183460469231731687303715884105727" || r[1].Start.String() != "170141183460469231731687303715884105728" || r[1].End != MaxHashKey {
		t.Fatalf("2 shards: %v", r)
	}
	r = evenSplit(HashKey{}, MaxHashKey, 3)
	if r[0].End.String() != "113427455640312821154458202477256070484" || r[1].End.String() != "226854911280625642308916404954512140969" {
		t.Fatalf("3 shards: %s %s", r[0].End, r[1].End)
	}
	for _, n := range []int{1, 2, 3, 4, 5, 7, 10, 64, 100, 500} {
		checkTiles(t, evenSplit(HashKey{}, MaxHashKey, n))
	}
}

// checkTiles fails unless rs covers 0..2^128-1 in order without gaps or
// overlaps.
func checkTiles(t *testing.T, rs []hashRange) {
	t.Helper()
	if len(rs) == 0 || rs[0].Start != (HashKey{}) || rs[len(rs)-1].End != MaxHashKey {
		t.Fatalf("ranges do not span the key space: %v", rs)
	}
	for i := range rs {
		if rs[i].Start.Cmp(rs[i].End) > 0 {
			t.Fatalf("range %d is empty: %v", i, rs[i])
		}
		if i > 0 && rs[i-1].End.Add1() != rs[i].Start {
			t.Fatalf("gap or overlap between %d and %d: %v %v", i-1, i, rs[i-1], rs[i])
		}
	}
}

func TestPartitionKeyHashIsMD5(t *testing.T) {
	for _, pk := range []string{"", "a", "partition-1", "ünïcødé"} {
		sum := md5.Sum([]byte(pk))
		want := new(big.Int).SetBytes(sum[:]).String()
		if got := PartitionKeyHash(pk).String(); got != want {
			t.Errorf("PartitionKeyHash(%q) = %s, want %s", pk, got, want)
		}
	}
	// A well-known value: md5("a") = 0cc175b9c0f1b6a831c399e269772661.
	if got := PartitionKeyHash("a").String(); got != "16955237001963240173058271559858726497" {
		t.Fatalf("md5(a) = %s", got)
	}
}

func TestRoutingFollowsHashRanges(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 4)
	st, _ := e.Describe(testRegion, "s")
	counts := map[string]int{}
	const n = 4000
	entries := make([]PutEntry, 0, 500)
	flush := func() {
		res, err := e.PutRecords(testRegion, "s", entries)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			k := PartitionKeyHash(entries[i].PartitionKey)
			var want string
			for _, sh := range st.Shards {
				if sh.HashKeyStart.Cmp(k) <= 0 && k.Cmp(sh.HashKeyEnd) <= 0 {
					want = sh.ID
				}
			}
			if r.ShardID != want {
				t.Fatalf("key %q (hash %s) went to %s, want %s", entries[i].PartitionKey, k, r.ShardID, want)
			}
			counts[r.ShardID]++
		}
		entries = entries[:0]
	}
	for i := 0; i < n; i++ {
		entries = append(entries, PutEntry{PartitionKey: fmt.Sprintf("user-%d", i), Data: []byte("x")})
		if len(entries) == 500 {
			flush()
		}
	}
	for id, c := range counts {
		if c < n/4*8/10 || c > n/4*12/10 {
			t.Errorf("shard %s got %d of %d records; MD5 should spread them evenly", id, c, n)
		}
	}
	if len(counts) != 4 {
		t.Fatalf("records reached %d shards, want 4", len(counts))
	}
	// ExplicitHashKey overrides the partition key.
	res := putTo(t, e, "s", "0", "a")
	if res[0].ShardID != "shardId-000000000000" {
		t.Fatalf("hash 0 went to %s", res[0].ShardID)
	}
	res = putTo(t, e, "s", MaxHashKey.String(), "a")
	if res[0].ShardID != "shardId-000000000003" {
		t.Fatalf("hash max went to %s", res[0].ShardID)
	}
	_, err := e.PutRecords(testRegion, "s", []PutEntry{{PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211456"}})
	wantErr(t, err, ErrInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456")
}
