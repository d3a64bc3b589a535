package kinesis

import (
	"math/bits"
	"strconv"
	"time"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

// Output shapes shared by several actions, with the model's member names.
// Required members have no omitempty; optional ones are omitted when
// absent, as AWS omits them.

type hashKeyRange struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

type sequenceNumberRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

type shardOut struct {
	ShardId               string              `json:"ShardId"`
	ParentShardId         string              `json:"ParentShardId,omitempty"`
	AdjacentParentShardId string              `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          hashKeyRange        `json:"HashKeyRange"`
	SequenceNumberRange   sequenceNumberRange `json:"SequenceNumberRange"`
}

type streamModeDetails struct {
	StreamMode *string `json:"StreamMode,omitempty"`
}

type enhancedMetrics struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

type childShardOut struct {
	ShardId      string       `json:"ShardId"`
	ParentShards []string     `json:"ParentShards"`
	HashKeyRange hashKeyRange `json:"HashKeyRange"`
}

type tagOut struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type warmThroughput struct {
	TargetMiBps  *int64 `json:"TargetMiBps,omitempty"`
	CurrentMiBps *int64 `json:"CurrentMiBps,omitempty"`
}

func toShard(sh stream.Shard) shardOut {
	return shardOut{
		ShardId:               sh.ID,
		ParentShardId:         sh.ParentShardID,
		AdjacentParentShardId: sh.AdjacentParentShardID,
		HashKeyRange:          toRange(sh.HashKeyStart, sh.HashKeyEnd),
		SequenceNumberRange: sequenceNumberRange{
			StartingSequenceNumber: sh.StartingSequence,
			EndingSequenceNumber:   sh.EndingSequence,
		},
	}
}

func toShards(shards []stream.Shard) []shardOut {
	out := make([]shardOut, len(shards))
	for i, sh := range shards {
		out[i] = toShard(sh)
	}
	return out
}

func toRange(start, end stream.HashKey) hashKeyRange {
	return hashKeyRange{StartingHashKey: formatHashKey(start), EndingHashKey: formatHashKey(end)}
}

func modeDetails(m stream.Mode) *streamModeDetails {
	mode := string(m)
	if mode == "" {
		mode = string(stream.ModeProvisioned)
	}
	return &streamModeDetails{StreamMode: &mode}
}

// enhancedMonitoring is AWS's EnhancedMonitoring list: always one entry,
// whose metric list is empty when monitoring is off.
func enhancedMonitoring(metrics []string) []enhancedMetrics {
	if metrics == nil {
		metrics = []string{}
	}
	return []enhancedMetrics{{ShardLevelMetrics: metrics}}
}

// encryptionType is the stream's encryption as AWS reports it: "NONE" when
// the stream has never been encrypted.
func encryptionType(t string) string {
	if t == "" {
		return "NONE"
	}
	return t
}

func ts(t time.Time) protocol.Timestamp { return protocol.Timestamp(t) }

func tsPtr(t time.Time) *protocol.Timestamp {
	p := protocol.Timestamp(t)
	return &p
}

func int64Ptr(n int64) *int64 { return &n }

func strPtr(s string) *string { return &s }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// formatHashKey prints a 128-bit hash key in decimal without big.Int.
func formatHashKey(k stream.HashKey) string {
	if k.Hi == 0 {
		return strconv.FormatUint(k.Lo, 10)
	}
	const chunk = 10_000_000_000_000_000_000 // 10^19, the largest power of ten in a uint64
	var buf [40]byte
	i := len(buf)
	hi, lo := k.Hi, k.Lo
	for hi != 0 {
		// (hi:lo) / 10^19 in two steps, keeping the remainder.
		qhi := hi / chunk
		qlo, r := bits.Div64(hi%chunk, lo, chunk)
		hi, lo = qhi, qlo
		for j := 0; j < 19; j++ {
			i--
			buf[i] = byte('0' + r%10)
			r /= 10
		}
	}
	return strconv.FormatUint(lo, 10) + string(buf[i:])
}

// parseHashKey parses a decimal in 0..2^128-1; ok is false for anything
// else (including a value of 2^128 or more).
func parseHashKey(s string) (stream.HashKey, bool) {
	if s == "" || len(s) > 39 {
		return stream.HashKey{}, false
	}
	var hi, lo uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return stream.HashKey{}, false
		}
		// (hi:lo) = (hi:lo)*10 + d, failing on overflow past 128 bits.
		h1, l1 := bits.Mul64(lo, 10)
		h2hi, h2 := bits.Mul64(hi, 10)
		if h2hi != 0 {
			return stream.HashKey{}, false
		}
		var carry uint64
		lo, carry = bits.Add64(l1, uint64(c-'0'), 0)
		hi, carry = bits.Add64(h1, h2, carry)
		if carry != 0 {
			return stream.HashKey{}, false
		}
	}
	return stream.HashKey{Hi: hi, Lo: lo}, true
}

func toChildShards(children []stream.ChildShard) []childShardOut {
	out := make([]childShardOut, len(children))
	for i, ch := range children {
		parents := ch.ParentShards
		if parents == nil {
			parents = []string{}
		}
		out[i] = childShardOut{ShardId: ch.ShardID, ParentShards: parents, HashKeyRange: toRange(ch.HashKeyStart, ch.HashKeyEnd)}
	}
	return out
}
