package kinesis

import (
	"encoding/base64"
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

func TestHashKeyDecimal(t *testing.T) {
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	check := func(b *big.Int) {
		t.Helper()
		var k stream.HashKey
		k.Hi = new(big.Int).Rsh(b, 64).Uint64()
		k.Lo = new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0))).Uint64()
		s := formatHashKey(k)
		if s != b.String() {
			t.Fatalf("formatHashKey(%s) = %s", b, s)
		}
		back, ok := parseHashKey(s)
		if !ok || back != k {
			t.Fatalf("parseHashKey(%s) = %v %v, want %v", s, back, ok, k)
		}
	}
	for _, s := range []string{"0", "1", "18446744073709551615", "18446744073709551616", "10000000000000000000",
		"99999999999999999999", "100000000000000000000000000000000000000", max.String()} {
		b, _ := new(big.Int).SetString(s, 10)
		check(b)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		b := new(big.Int).SetUint64(r.Uint64())
		b.Lsh(b, uint(r.IntN(65)))
		b.Or(b, new(big.Int).SetUint64(r.Uint64()))
		b.And(b, max)
		check(b)
	}
	for _, bad := range []string{"", "-1", "1a", "340282366920938463463374607431768211456", "999999999999999999999999999999999999999",
		"1000000000000000000000000000000000000000"} {
		if k, ok := parseHashKey(bad); ok {
			t.Errorf("parseHashKey(%q) = %v, want refusal", bad, k)
		}
	}
}

func TestToken(t *testing.T) {
	defer func() { now = time.Now }()
	tok := encodeToken("SH", "us-east-1", "name", "")
	f, err := decodeToken(tok, "SH", 3)
	if err != nil || len(f) != 3 || f[0] != "us-east-1" || f[1] != "name" || f[2] != "" {
		t.Fatalf("round trip: %q %v", f, err)
	}
	var pe *protocol.Error
	if _, err := decodeToken(tok, "LS", 3); !errors.As(err, &pe) || pe.Code != codeInvalidArgument {
		t.Errorf("token of another kind: %v", err)
	}
	if _, err := decodeToken(tok, "SH", 2); !errors.As(err, &pe) || pe.Code != codeInvalidArgument {
		t.Errorf("wrong field count: %v", err)
	}
	// Every single-byte corruption is refused, never misread.
	raw, _ := base64.StdEncoding.DecodeString(tok)
	for i := range raw {
		c := append([]byte(nil), raw...)
		c[i] ^= 0x20
		if _, err := decodeToken(base64.StdEncoding.EncodeToString(c), "SH", 3); !errors.As(err, &pe) || pe.Code != codeInvalidArgument {
			t.Fatalf("corrupt byte %d: %v", i, err)
		}
	}
	for _, bad := range []string{"", "!!!", "a2FrYQ==", strings.Repeat("A", 100)} {
		if _, err := decodeToken(bad, "SH", 3); !errors.As(err, &pe) || pe.Code != codeInvalidArgument {
			t.Errorf("%q: %v", bad, err)
		}
	}
	now = func() time.Time { return time.Now().Add(tokenTTL + time.Second) }
	if _, err := decodeToken(tok, "SH", 3); !errors.As(err, &pe) || pe.Code != codeExpiredNextToken {
		t.Errorf("old token: %v", err)
	}
}

func FuzzDecodeToken(f *testing.F) {
	f.Add(encodeToken("SH", "us-east-1", "s", "1", "", "", "", "0"))
	f.Add(encodeToken("LS", "us-east-1", "s"))
	f.Add("garbage")
	f.Fuzz(func(t *testing.T, tok string) {
		for _, kind := range []string{"SH", "LS"} {
			fields, err := decodeToken(tok, kind, 2)
			var pe *protocol.Error
			if err != nil && !errors.As(err, &pe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if err == nil && len(fields) != 2 {
				t.Fatalf("%d fields", len(fields))
			}
		}
		if _, err := parseShardToken(tok); err != nil {
			var pe *protocol.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}

func TestUTF16Len(t *testing.T) {
	for s, n := range map[string]int{"": 0, "abc": 3, "é": 1, "日本": 2, "😀": 2, "a😀b": 4} {
		if got := utf16Len(s); got != n {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, n)
		}
	}
}

func TestPatterns(t *testing.T) {
	for s, want := range map[string]bool{"a": true, "A-b_c.9": true, "": false, "a b": false, "a/b": false, "é": false} {
		if isNameChars(s) != want {
			t.Errorf("isNameChars(%q) != %v", s, want)
		}
	}
	for s, want := range map[string]bool{"0": true, "10": true, "01": false, "": false, "1a": false,
		strings.Repeat("9", 39): true, strings.Repeat("9", 40): false} {
		if isDecimal(s, 39) != want {
			t.Errorf("isDecimal(%q, 39) != %v", s, want)
		}
	}
	for s, want := range map[string]bool{
		"arn:aws:kinesis:us-east-1:123456789012:stream/x":        true,
		"arn:aws-cn:kinesis:cn-north-1:123456789012:stream/x":    true,
		"arn:aws:kinesis:us-east-1:12345678901:stream/x":         false,
		"arn:aws:kinesis:us-east-1:123456789012:stream/":         false,
		"xarn:aws:kinesis:us-east-1:123456789012:stream/x":       false,
		"arn:aws:kinesis:us-east-1:123456789012:stream/x y":      false,
		"arn:aws:kinesis:us-east-1:123456789012:stream/x/cons/1": true,
	} {
		if specStreamARN.match(s) != want {
			t.Errorf("StreamARN pattern on %q != %v", s, want)
		}
	}
}

// TestValidationCap: AWS lists at most ten violations and counts only those.
func TestValidationCap(t *testing.T) {
	var v checker
	for i := 0; i < 15; i++ {
		v.required("x", false)
	}
	var pe *protocol.Error
	if err := v.err(); !errors.As(err, &pe) || !strings.HasPrefix(pe.Message, "10 validation errors detected: ") ||
		strings.Count(pe.Message, "; ") != 9 || pe.Status != 400 {
		t.Fatalf("%v", err)
	}
}

func TestFilterShardsCloseTimes(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := stream.Stream{CreatedAt: t0, Shards: []stream.Shard{
		{ID: "shardId-000000000000", CreatedAt: t0, EndingSequence: "9"},
		{ID: "shardId-000000000001", CreatedAt: t0},
		{ID: "shardId-000000000002", ParentShardID: "shardId-000000000000", CreatedAt: t0.Add(time.Hour), EndingSequence: "9"},
		{ID: "shardId-000000000003", ParentShardID: "shardId-000000000000", CreatedAt: t0.Add(time.Hour)},
		{ID: "shardId-000000000004", ParentShardID: "shardId-000000000002", CreatedAt: t0.Add(2 * time.Hour)},
	}}
	ids := func(q shardQuery) string {
		var out []string
		for _, s := range filterShards(&st, q) {
			out = append(out, s.ID[len(s.ID)-1:])
		}
		return strings.Join(out, "")
	}
	at := func(d time.Duration) int64 { return t0.Add(d).UnixNano() }
	for _, c := range []struct {
		q    shardQuery
		want string
	}{
		{shardQuery{filter: "AT_LATEST"}, "134"},
		{shardQuery{filter: "AT_TRIM_HORIZON"}, "01"},
		{shardQuery{filter: "AT_TIMESTAMP", filterTime: at(30 * time.Minute)}, "01"},
		{shardQuery{filter: "AT_TIMESTAMP", filterTime: at(90 * time.Minute)}, "123"},
		{shardQuery{filter: "AT_TIMESTAMP", filterTime: at(-time.Hour)}, "01"},
		{shardQuery{filter: "FROM_TIMESTAMP", filterTime: at(90 * time.Minute)}, "1234"},
		{shardQuery{filter: "FROM_TIMESTAMP", filterTime: at(3 * time.Hour)}, "134"},
		{shardQuery{filter: "AFTER_SHARD_ID", filterShard: "shardId-000000000002"}, "34"},
		{shardQuery{filter: "FROM_TRIM_HORIZON"}, "01234"},
	} {
		if got := ids(c.q); got != c.want {
			t.Errorf("%s at %v: %s, want %s", c.q.filter, time.Unix(0, c.q.filterTime).Sub(t0), got, c.want)
		}
	}
}
