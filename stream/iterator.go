package stream

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/caudal/caudal/shardlog"
)

// Shard iterator tokens.
//
// A token is standard base64 of
//
//	version (1 byte, =1) | stream incarnation id (16 bytes) | shard index (uint32)
//	| position offset (uint64) | issue time, Unix ms (int64) | name length (1 byte)
//	| stream name | HMAC-SHA256 (32 bytes)
//
// all integers big-endian. The MAC covers the region the token was issued
// in followed by every byte before it, under the key in <Dir>/iterator.key,
// so a token is valid only in its region, cannot be forged or edited, and
// survives restarts. The incarnation id makes a deleted-then-recreated
// stream refuse its predecessor's tokens. The name is carried only to word
// error messages.
const (
	tokenVersion = 1
	tokenFixed   = 1 + 16 + 4 + 8 + 8 + 1
	tokenMACLen  = sha256.Size
	tokenMinLen  = tokenFixed + 1 + tokenMACLen
	tokenMaxLen  = tokenFixed + 255 + tokenMACLen
)

// iterToken is a decoded, authenticated token.
type iterToken struct {
	id     string // hex incarnation id
	shard  int
	offset uint64
	issued int64 // Unix ms
	name   string
}

func (e *Engine) mac(region string, body []byte) []byte {
	h := hmac.New(sha256.New, e.key)
	h.Write([]byte(region))
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum(nil)
}

func (e *Engine) encodeToken(region string, t iterToken) string {
	idb, _ := hex.DecodeString(t.id)
	b := make([]byte, 0, tokenFixed+len(t.name)+tokenMACLen)
	b = append(b, tokenVersion)
	b = append(b, idb...)
	b = binary.BigEndian.AppendUint32(b, uint32(t.shard))
	b = binary.BigEndian.AppendUint64(b, t.offset)
	b = binary.BigEndian.AppendUint64(b, uint64(t.issued))
	b = append(b, byte(len(t.name)))
	b = append(b, t.name...)
	b = append(b, e.mac(region, b)...)
	return base64.StdEncoding.EncodeToString(b)
}

func invalidIterator() error {
	return &Error{Kind: ErrInvalidArgument, Message: "Invalid ShardIterator."}
}

// decodeToken authenticates a token and checks its age. It returns only
// ErrInvalidArgument and ErrExpiredIterator errors.
func (e *Engine) decodeToken(region, s string, now time.Time) (iterToken, error) {
	if len(s) > base64.StdEncoding.EncodedLen(tokenMaxLen) || len(s) < base64.StdEncoding.EncodedLen(tokenMinLen) {
		return iterToken{}, invalidIterator()
	}
	b, err := base64.StdEncoding.DecodeString(s)
	// Only the canonical spelling is accepted (no line breaks, no stray
	// padding bits), so one token has exactly one string.
	if err != nil || len(b) < tokenMinLen || len(b) > tokenMaxLen || b[0] != tokenVersion ||
		base64.StdEncoding.EncodeToString(b) != s {
		return iterToken{}, invalidIterator()
	}
	nameLen := int(b[tokenFixed-1])
	if len(b) != tokenFixed+nameLen+tokenMACLen {
		return iterToken{}, invalidIterator()
	}
	body, sum := b[:len(b)-tokenMACLen], b[len(b)-tokenMACLen:]
	if !hmac.Equal(sum, e.mac(region, body)) {
		return iterToken{}, invalidIterator()
	}
	t := iterToken{
		id:     hex.EncodeToString(body[1:17]),
		shard:  int(binary.BigEndian.Uint32(body[17:21])),
		offset: binary.BigEndian.Uint64(body[21:29]),
		issued: int64(binary.BigEndian.Uint64(body[29:37])),
		name:   string(body[tokenFixed : tokenFixed+nameLen]),
	}
	nowMs := now.UnixMilli()
	if nowMs-t.issued > IteratorLifetime.Milliseconds() {
		return iterToken{}, &Error{Kind: ErrExpiredIterator, Message: fmt.Sprintf(
			"Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			amzTime(t.issued), amzTime(nowMs), IteratorLifetime.Milliseconds())}
	}
	return t, nil
}

// amzTime formats like Java's Date.toString in UTC, as AWS's messages do:
// "Tue Nov 25 21:55:40 UTC 2026".
func amzTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("Mon Jan 02 15:04:05 MST 2006")
}

// GetShardIterator returns an opaque, tamper-evident iterator token that
// expires five minutes after it is issued.
//
// Positions: TRIM_HORIZON is the oldest retained record; LATEST is just
// after the newest; AT_/AFTER_SEQUENCE_NUMBER need a sequence number this
// shard issued (a number below the trim horizon reads from the trim
// horizon, as AWS does); AT_TIMESTAMP is the first record that arrived at
// or after the time: a time before the trim horizon gives the trim horizon
// and a time in the future gives the tip (like LATEST).
func (e *Engine) GetShardIterator(region, name, shardID string, pos Position) (string, error) {
	s, err := e.lookup(region, name)
	if err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.gone {
		return "", e.notFound(name)
	}
	idx, ok := ParseShardID(shardID)
	var sh *shardState
	if ok {
		sh = s.shards[idx]
	}
	if sh == nil {
		return "", e.shardNotFound(name, shardID)
	}
	sm := &s.meta.Shards[s.meta.shardIndex(sh.id)]
	_, next := sh.log.Bounds()
	if sm.Closed {
		next = min(next, sm.EndOffset)
	}
	var off uint64
	switch pos.Type {
	case TrimHorizon, Latest:
		if pos.SequenceNumber != "" {
			return "", &Error{Kind: ErrInvalidArgument, Message: "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
				"(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified " + string(pos.Type) + " and also a StartingSequenceNumber."}
		}
		if pos.Type == Latest {
			off = next
		} else {
			first, _ := sh.log.Bounds()
			off = max(first, sm.StartOffset)
		}
	case AtSequenceNumber, AfterSequenceNumber:
		if pos.SequenceNumber == "" {
			return "", &Error{Kind: ErrInvalidArgument, Message: "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
				"(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified " + string(pos.Type) + " and no StartingSequenceNumber."}
		}
		sq, ok := parseSeq(pos.SequenceNumber)
		invalid := fmt.Sprintf("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid",
			pos.SequenceNumber, sh.id, name, e.cfg.AccountID)
		if !ok {
			return "", &Error{Kind: ErrInvalidArgument, Message: invalid + "."}
		}
		if sq.tag != s.meta.SeqTag {
			return "", &Error{Kind: ErrInvalidArgument, Message: invalid + " because it did not come from this stream."}
		}
		if sq.shard != sh.index {
			return "", &Error{Kind: ErrInvalidArgument, Message: fmt.Sprintf(
				"Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", ShardID(sq.shard), sh.id)}
		}
		if sq.offset == seqEndOffset && sm.Closed {
			// The shard's EndingSequenceNumber.
			if pos.Type == AfterSequenceNumber {
				return "", &Error{Kind: ErrInvalidArgument, Message: "Invalid SequenceNumber for ShardIteratorType AFTER_SEQUENCE_NUMBER, SequenceNumber has reached max possible value for the shard."}
			}
			sq.offset = next
		}
		if sq.offset < sm.StartOffset || sq.offset > next {
			return "", &Error{Kind: ErrInvalidArgument, Message: invalid + "."}
		}
		off = sq.offset
		if pos.Type == AfterSequenceNumber && off < next {
			off++
		}
	case AtTimestamp:
		if pos.Timestamp.IsZero() {
			return "", &Error{Kind: ErrInvalidArgument, Message: "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."}
		}
		o, err := sh.log.SeekTime(pos.Timestamp.UnixMilli())
		if err != nil {
			return "", internalErr(err, "stream: seek %s/%s", name, sh.id)
		}
		off = min(max(o, sm.StartOffset), next)
	default:
		return "", &Error{Kind: ErrValidation, Message: fmt.Sprintf(
			"1 validation error detected: Value '%s' at 'shardIteratorType' failed to satisfy constraint: "+
				"Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]", pos.Type)}
	}
	return e.encodeToken(region, iterToken{id: s.id, shard: sh.index, offset: off, issued: e.cfg.Now().UnixMilli(), name: name}), nil
}

// GetRecords reads from an iterator: at most limit records (1..10,000;
// 0 means 10,000) and 10 MiB of data. Records older than the stream's
// retention are never returned, even before the background loop has
// removed their segment. Once a closed shard is read to its end the answer
// has no next iterator and names the child shards.
func (e *Engine) GetRecords(region, iterator string, limit int) (Records, error) {
	if limit == 0 {
		limit = MaxGetRecordsLimit
	}
	if limit < 1 || limit > MaxGetRecordsLimit {
		return Records{}, &Error{Kind: ErrValidation, Message: fmt.Sprintf(
			"1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value %s",
			limit, map[bool]string{true: "greater than or equal to 1", false: "less than or equal to 10000"}[limit < 1])}
	}
	now := e.cfg.Now()
	t, err := e.decodeToken(region, iterator, now)
	if err != nil {
		return Records{}, err
	}
	e.mu.RLock()
	s := e.byID[t.id]
	e.mu.RUnlock()
	if s == nil {
		return Records{}, e.shardNotFound(t.name, ShardID(t.shard))
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	sh := s.shards[t.shard]
	if s.gone || sh == nil {
		return Records{}, e.shardNotFound(t.name, ShardID(t.shard))
	}
	if e.cfg.Quotas && s.meta.Mode == ModeProvisioned && !sh.quota.takeRead(now) {
		return Records{}, e.throttled(s.name, sh.id)
	}
	sm := &s.meta.Shards[s.meta.shardIndex(sh.id)]
	_, end := sh.log.Bounds()
	if sm.Closed {
		// min: a log that lost an unsynced tail in a crash (SyncNever) must
		// still reach its end, or its readers would never see the children.
		end = min(end, sm.EndOffset)
	}
	cutoff := now.UnixMilli() - int64(s.meta.RetentionHours)*int64(time.Hour/time.Millisecond)

	pos := t.offset
	var out Records
	var bytes int
	if pos < end {
		bufs, _ := e.readBufs.Get().(*readBuffers)
		if bufs == nil {
			bufs = &readBuffers{pool: &e.readBufs}
		}
		out.bufs = bufs
		buf := bufs.log[:0]
		if cap(buf) == 0 {
			// Size a new buffer by what can exist (end-pos), so an empty
			// poll allocates little and a full read does not regrow.
			buf = make([]shardlog.Record, 0, min(uint64(limit), end-pos))
		}
		recs, err := sh.log.Read(pos, limit, MaxGetRecordsBytes, buf)
		bufs.log = recs
		if err != nil {
			out.Release()
			return Records{}, internalErr(err, "stream: read %s/%s", s.name, sh.id)
		}
		if len(recs) > 0 && recs[0].Timestamp < cutoff {
			// Past retention but not yet removed: skip to the first record
			// still retained.
			o, err := sh.log.SeekTime(cutoff)
			if err != nil {
				out.Release()
				return Records{}, internalErr(err, "stream: seek %s/%s", s.name, sh.id)
			}
			pos = max(pos, o)
			recs = recs[:0]
			if pos < end {
				recs, err = sh.log.Read(pos, limit, MaxGetRecordsBytes, recs)
				bufs.log = recs
				if err != nil {
					out.Release()
					return Records{}, internalErr(err, "stream: read %s/%s", s.name, sh.id)
				}
			}
		}
		if len(recs) == 0 {
			// Nothing is stored at or after pos (Read returns a record if one
			// exists): expired or lost records must not keep a reader of a
			// closed shard from reaching its end.
			pos = end
		}
		out.Records = bufs.recs[:0]
		seqs := bufs.seqs[:0]
		for _, r := range recs {
			if r.Offset >= end {
				break
			}
			if r.Offset < pos || r.Timestamp < cutoff {
				continue
			}
			if len(seqs) > 0 && r.Offset == pos {
				seqs = appendNextSeq(seqs) // pos is one past the last record's offset
			} else {
				seqs = appendSeq(seqs, s.meta.SeqTag, sh.index, r.Offset)
			}
			out.Records = append(out.Records, Record{
				ArrivalTime:  time.UnixMilli(r.Timestamp),
				PartitionKey: r.PartitionKey,
				Data:         r.Data,
			})
			if r.PartitionKey == "" {
				// A sealed record (encryption.go).
				rec := &out.Records[len(out.Records)-1]
				if rec.PartitionKey, rec.Data, bufs.plain, err = s.openRecordLocked(r.Data, bufs.plain); err != nil {
					bufs.recs = out.Records
					out.Release()
					return Records{}, internalErr(err, "stream: read %s/%s at offset %d", s.name, sh.id, r.Offset)
				}
				rec.EncryptionType = "KMS"
			}
			bytes += len(r.Data) + len(r.PartitionKey)
			pos = r.Offset + 1
		}
		bufs.recs, bufs.seqs = out.Records, seqs
		all := string(seqs) // a copy: sequence numbers may outlive Release
		for i := range out.Records {
			out.Records[i].SequenceNumber = all[i*seqLen : (i+1)*seqLen]
		}
		if n := len(out.Records); n > 0 && pos < end {
			out.MillisBehindLatest = max(0, now.UnixMilli()-out.Records[n-1].ArrivalTime.UnixMilli())
		}
	}
	if e.cfg.Quotas && s.meta.Mode == ModeProvisioned {
		sh.quota.chargeRead(bytes)
	}
	if sm.Closed && pos >= end {
		out.ChildShards = s.childShardsLocked(sh.id)
		return out, nil
	}
	out.NextIterator = e.encodeToken(region, iterToken{id: s.id, shard: sh.index, offset: pos, issued: now.UnixMilli(), name: s.name})
	return out, nil
}

// readBuffers is the memory one GetRecords reads into. It is pooled: a
// steady reader reuses the records (and their Data capacity) of earlier
// answers instead of allocating and zeroing about its answer's size on
// every call, which also keeps a busy server's heap, and so its RSS, from
// swelling with garbage between collections.
type readBuffers struct {
	log  []shardlog.Record // what the log read; Data is reused by the next Read
	recs []Record
	seqs []byte // sequence numbers in text, before their string copy
	// plain holds the opened data of sealed records (encryption.go).
	plain []byte
	pool  *sync.Pool // the engine's readBufs
}

// maxPooledReadBytes bounds the Data capacity a pooled buffer may keep.
const maxPooledReadBytes = 2 * MaxGetRecordsBytes

// Release hands the memory of r's records back for reuse by later
// GetRecords calls. After it, r's Records (their Data especially) must not
// be used. Callers that never call Release just leave the memory to the
// garbage collector.
func (r *Records) Release() {
	b := r.bufs
	if b == nil {
		return
	}
	r.bufs, r.Records = nil, nil
	held := 0
	all := b.log[:cap(b.log)]
	for i := range all {
		held += cap(all[i].Data)
	}
	if held+cap(b.plain) > maxPooledReadBytes {
		return
	}
	clear(b.recs[:cap(b.recs)]) // drop references to strings and Data
	b.recs, b.plain = b.recs[:0], b.plain[:0]
	b.pool.Put(b)
}

// childShardsLocked lists the shards that name id as a parent.
func (s *streamState) childShardsLocked(id string) []ChildShard {
	out := []ChildShard{}
	for _, c := range s.meta.Shards {
		if c.Parent != id && c.AdjacentParent != id {
			continue
		}
		start, _ := ParseHashKey(c.HashStart)
		end, _ := ParseHashKey(c.HashEnd)
		parents := []string{c.Parent}
		if c.AdjacentParent != "" {
			parents = append(parents, c.AdjacentParent)
		}
		out = append(out, ChildShard{ShardID: ShardID(c.Index), ParentShards: parents, HashKeyStart: start, HashKeyEnd: end})
	}
	return out
}
