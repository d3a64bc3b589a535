package delivery

import (
	"errors"
	"slices"
	"time"

	"github.com/caudal/caudal/stream"
)

// sourceState is a stream source's worker-owned reading state: per-shard
// cursors and the records read and not yet delivered.
type sourceState struct {
	cursors map[string]*cursor
	buf     []rec
	bytes   int64
	oldest  int64 // arrival (ms) of the oldest buffered record; 0 when empty
	// read and ended say, for the buffered records, the last sequence
	// number read from each shard and which shards were read to their
	// end; they become the checkpoint once the buffer is delivered.
	read     map[string]string
	ended    map[string]bool
	lastPoll time.Time
	lastErr  string // the last poll error logged
	lastLen  int    // records in the last flushed buffer: the next one's capacity
}

// cursor follows one shard.
type cursor struct {
	iter  string // "" when one must be fetched
	ended bool   // read to its end (delivered or buffered)
}

func newSourceState() *sourceState {
	return &sourceState{cursors: map[string]*cursor{}, read: map[string]string{}, ended: map[string]bool{}}
}

// stepSource polls the shards when due, then flushes the buffer when the
// hints say so.
func (ds *dstream) stepSource() (time.Duration, error) {
	p := ds.currentPlan()
	s := ds.src
	now := ds.e.cfg.Now()
	poll := ds.e.cfg.PollInterval
	if now.Sub(s.lastPoll) >= poll {
		s.lastPoll = now
		if err := ds.poll(p); err != nil {
			// Log a failing source once per distinct error, not every poll.
			if msg := err.Error(); msg != s.lastErr {
				s.lastErr = msg
				ds.stats.setError(err)
				ds.e.cfg.Log.Warn("delivery: read source stream", "deliveryStream", ds.meta.Name, "err", err)
			}
		} else {
			s.lastErr = ""
		}
	}
	if s.bytes == 0 && len(s.ended) == 0 {
		return poll, nil
	}
	age := now.Sub(time.UnixMilli(s.oldest))
	if s.bytes < p.sizeBytes && age < p.interval && len(s.buf) > 0 {
		return min(poll, p.interval-age), nil
	}
	if err := ds.flushSource(p); err != nil {
		return 0, err
	}
	return poll, nil
}

// poll reads every readable shard into the buffer until it holds the
// plan's size. A shard is readable once all its parents are delivered to
// their end (or no longer retained).
func (ds *dstream) poll(p *plan) error {
	region, _, name, _ := ParseStreamARN(ds.meta.Source.KinesisStreamARN)
	st, err := ds.e.cfg.Streams.Describe(region, name)
	if err != nil {
		return err
	}
	s := ds.src
	retained := map[string]bool{}
	for _, sh := range st.Shards {
		retained[sh.ID] = true
	}
	done := func(id string) bool { return id == "" || !retained[id] || slices.Contains(ds.ck.Done, id) }
	for _, sh := range st.Shards {
		if slices.Contains(ds.ck.Done, sh.ID) || !done(sh.ParentShardID) || !done(sh.AdjacentParentShardID) {
			continue
		}
		c := s.cursors[sh.ID]
		if c == nil {
			c = &cursor{}
			s.cursors[sh.ID] = c
		}
		for !c.ended && s.bytes < p.sizeBytes && s.bytes < maxBufferBytesTotal {
			if ds.ctx.Err() != nil {
				return nil
			}
			if c.iter == "" {
				pos := stream.Position{Type: stream.AtTimestamp, Timestamp: ds.meta.Source.StartTime}
				if seq := s.read[sh.ID]; seq != "" {
					pos = stream.Position{Type: stream.AfterSequenceNumber, SequenceNumber: seq}
				} else if seq := ds.ck.Shards[sh.ID]; seq != "" {
					pos = stream.Position{Type: stream.AfterSequenceNumber, SequenceNumber: seq}
				}
				if c.iter, err = ds.e.cfg.Streams.GetShardIterator(region, name, sh.ID, pos); err != nil {
					return err
				}
			}
			out, err := ds.e.cfg.Streams.GetRecords(region, c.iter, 10000)
			if err != nil {
				c.iter = ""
				if errors.Is(err, stream.ErrExpiredIterator) {
					continue
				}
				if errors.Is(err, stream.ErrThroughputExceeded) {
					break
				}
				return err
			}
			// The buffer keeps the records' Data as GetRecords returned it,
			// without a copy: out is never released, so its memory is the
			// buffer's until the flush drops it (Records.Release).
			if len(s.buf) == 0 && cap(s.buf) < s.lastLen {
				s.buf = make([]rec, 0, s.lastLen)
			}
			for _, r := range out.Records {
				ms := r.ArrivalTime.UnixMilli()
				s.buf = append(s.buf, rec{data: r.Data, arrival: ms, seq: r.SequenceNumber, subSeq: -1})
				s.bytes += int64(len(r.Data))
				if s.oldest == 0 || ms < s.oldest {
					s.oldest = ms
				}
			}
			n := len(out.Records)
			if n > 0 {
				s.read[sh.ID] = out.Records[n-1].SequenceNumber
			}
			c.iter = out.NextIterator
			if c.iter == "" {
				c.ended = true
				s.ended[sh.ID] = true
				break
			}
			if n == 0 {
				break
			}
		}
	}
	return nil
}

// flushSource delivers the whole buffer, then checkpoints the shards'
// positions and the shards read to their end.
func (ds *dstream) flushSource(p *plan) error {
	s := ds.src
	if len(s.buf) > 0 {
		if err := ds.deliver(p, s.buf, true); err != nil {
			return err
		}
	}
	nck := checkpoint{Offset: ds.ck.Offset, Shards: map[string]string{}, Done: slices.Clone(ds.ck.Done)}
	for k, v := range ds.ck.Shards {
		nck.Shards[k] = v
	}
	for k, v := range s.read {
		nck.Shards[k] = v
	}
	for k := range s.ended {
		if !slices.Contains(nck.Done, k) {
			nck.Done = append(nck.Done, k)
		}
		delete(nck.Shards, k)
	}
	if err := ds.e.saveCheckpoint(ds.meta.ID, &nck); err != nil {
		return err
	}
	ds.ck = nck
	s.lastLen = len(s.buf)
	s.buf, s.bytes, s.oldest = nil, 0, 0
	clear(s.read)
	clear(s.ended)
	return nil
}
