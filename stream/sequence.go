package stream

import (
	"fmt"
	"strconv"
)

// Sequence numbers.
//
// A sequence number is a 40-digit decimal string built from fixed-width
// fields, so that it can be decoded back to where the record lives:
//
//		"49" | tag (10 digits) | shard index (8 digits) | log offset (20 digits)
//
//	  - "49" is a constant prefix (AWS's own numbers start with 49 too); it also
//	    keeps the number free of leading zeros, as the model's pattern requires.
//	  - tag is a random number chosen when the stream is created. A sequence
//	    number from a deleted stream, or from another stream, carries another
//	    tag and is refused with "did not come from this stream".
//	  - shard index is N of shardId-N.
//	  - offset is the record's shardlog offset, zero-padded (uint64 fits in 20
//	    digits).
//
// Properties that follow, and that KCL and friends rely on:
//   - strictly increasing within a shard (offsets are);
//   - unique within a stream (the shard index is part of the number);
//   - never reused across restarts (shardlog offsets never are);
//   - greater in child shards than in their parents: a child's index is
//     larger than each parent's, and the index is more significant than the
//     offset. Children also start their log above every parent's next
//     offset, so offsets alone increase along the lineage too.
//
// A closed shard's EndingSequenceNumber has the offset field at its
// maximum (18446744073709551615): like AWS's, it is the largest number the
// shard could have issued, not its last record's.
//
// This format is persisted by clients (checkpoints); it must not change
// silently.
const (
	seqPrefix    = "49"
	seqTagDigits = 10
	seqIdxDigits = 8
	seqOffDigits = 20
	seqLen       = len(seqPrefix) + seqTagDigits + seqIdxDigits + seqOffDigits
	seqTagLimit  = 10_000_000_000 // tags are in [0, seqTagLimit)
)

// seqEndOffset is the offset field of a closed shard's
// EndingSequenceNumber; no record ever has it.
const seqEndOffset = ^uint64(0)

// seqNum is a decoded sequence number.
type seqNum struct {
	tag    uint64
	shard  int
	offset uint64
}

func formatSeq(tag uint64, shard int, offset uint64) string {
	var b [seqLen]byte
	return string(appendSeq(b[:0], tag, shard, offset))
}

// appendSeq appends the sequence number to dst. Hot paths format a whole
// batch into one buffer and slice one string, one allocation per batch.
func appendSeq(dst []byte, tag uint64, shard int, offset uint64) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, seqLen)...)
	b := dst[n:]
	copy(b, seqPrefix)
	putDigits(b[2:2+seqTagDigits], tag)
	putDigits(b[2+seqTagDigits:2+seqTagDigits+seqIdxDigits], uint64(shard))
	putDigits(b[2+seqTagDigits+seqIdxDigits:], offset)
	return dst
}

// appendNextSeq appends the sequence number that follows prev, the last
// seqLen bytes of dst, in the same shard (offset one higher): a copy and a
// decimal increment instead of 38 divisions. Batches of consecutive
// records (a PutRecords group, a GetRecords answer) format their first
// number with appendSeq and the rest with this. prev's offset must be
// below seqEndOffset, so the carry never leaves the offset field.
func appendNextSeq(dst []byte) []byte {
	n := len(dst)
	dst = append(dst, dst[n-seqLen:]...)
	for i := len(dst) - 1; ; i-- {
		if dst[i] != '9' {
			dst[i]++
			return dst
		}
		dst[i] = '0'
	}
}

func putDigits(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

// parseSeq decodes a sequence number; ok is false for anything that this
// engine could not have issued.
func parseSeq(s string) (seqNum, bool) {
	if len(s) != seqLen || s[:2] != seqPrefix {
		return seqNum{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return seqNum{}, false
		}
	}
	tag, err1 := strconv.ParseUint(s[2:2+seqTagDigits], 10, 64)
	idx, err2 := strconv.ParseUint(s[2+seqTagDigits:2+seqTagDigits+seqIdxDigits], 10, 64)
	off, err3 := strconv.ParseUint(s[2+seqTagDigits+seqIdxDigits:], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return seqNum{}, false
	}
	return seqNum{tag: tag, shard: int(idx), offset: off}, true
}

// ShardID formats a shard index the way AWS names shards.
func ShardID(index int) string { return fmt.Sprintf("shardId-%012d", index) }

// ParseShardID accepts "shardId-000000000007" and, like AWS, a bare index
// or an unpadded "shardId-7"; it returns the index.
func ParseShardID(s string) (int, bool) {
	d := s
	if len(s) > 8 && s[:8] == "shardId-" {
		d = s[8:]
	}
	if d == "" || len(d) > 12 {
		return 0, false
	}
	n, err := strconv.ParseUint(d, 10, 32)
	if err != nil || n >= 1<<31 {
		return 0, false
	}
	return int(n), true
}
