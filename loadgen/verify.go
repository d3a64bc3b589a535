package loadgen

import (
	"fmt"
	"math/bits"
	"sync"
)

// bitmap is a growable set of counters, allocated in chunks as counters
// advance so that memory is one bit per record written (12.5 MB for 100 M
// records) and nothing for counters never reached.
type bitmap struct {
	chunks []*[chunkWords]uint64
}

const chunkWords = 1024 // 65,536 counters per chunk

// set sets bit c and reports whether it was already set.
func (b *bitmap) set(c uint64) (was bool) {
	ci, w, bit := c/(chunkWords*64), (c/64)%chunkWords, uint64(1)<<(c%64)
	for uint64(len(b.chunks)) <= ci {
		b.chunks = append(b.chunks, nil)
	}
	ch := b.chunks[ci]
	if ch == nil {
		ch = new([chunkWords]uint64)
		b.chunks[ci] = ch
	}
	was = ch[w]&bit != 0
	ch[w] |= bit
	return was
}

func (b *bitmap) has(c uint64) bool {
	ci := c / (chunkWords * 64)
	if ci >= uint64(len(b.chunks)) || b.chunks[ci] == nil {
		return false
	}
	return b.chunks[ci][(c/64)%chunkWords]&(1<<(c%64)) != 0
}

// each calls f for every set bit, in increasing order.
func (b *bitmap) each(f func(c uint64)) {
	for ci, ch := range b.chunks {
		if ch == nil {
			continue
		}
		for w, word := range ch {
			for word != 0 {
				bit := uint64(bits.TrailingZeros64(word))
				f(uint64(ci)*chunkWords*64 + uint64(w)*64 + bit)
				word &= word - 1
			}
		}
	}
}

// tracker holds, per producer, the counters acknowledged by the endpoint
// (ack) and the counters seen by one read pass (seen). Producers write ack
// and readers write seen concurrently; each producer's pair is guarded by
// its own mutex so producers never contend with each other.
type tracker struct {
	per []producerSets
}

type producerSets struct {
	mu   sync.Mutex
	ack  bitmap
	seen []bitmap // one per read pass
	dups []uint64 // per pass: sightings of an already-seen counter
}

// read passes a tracker keeps.
const (
	passConsumers = iota // GetRecords while writing
	passReadBack         // GetRecords of everything after writing
	numPasses
)

func newTracker(producers int) *tracker {
	t := &tracker{per: make([]producerSets, producers)}
	for i := range t.per {
		t.per[i].seen = make([]bitmap, numPasses)
		t.per[i].dups = make([]uint64, numPasses)
	}
	return t
}

// acked marks the given counters of producer p acknowledged.
func (t *tracker) acked(p uint32, counters []uint64) {
	s := &t.per[p]
	s.mu.Lock()
	for _, c := range counters {
		s.ack.set(c)
	}
	s.mu.Unlock()
}

// saw records that a read pass got record id; it reports false for a
// producer id the run never had (the caller counts it as corrupt).
func (t *tracker) saw(pass int, id recordID) bool {
	if int(id.producer) >= len(t.per) {
		return false
	}
	s := &t.per[id.producer]
	s.mu.Lock()
	if s.seen[pass].set(id.counter) {
		s.dups[pass]++
	}
	s.mu.Unlock()
	return true
}

// Verification is the outcome of checking one read pass against the
// acknowledged records.
type Verification struct {
	Pass string `json:"pass"`
	// Acked is the number of records the endpoint acknowledged.
	Acked uint64 `json:"acked"`
	// ReadOnce counts acknowledged records the pass saw (once or more).
	ReadOnce uint64 `json:"read"`
	// Missing counts acknowledged records the pass never saw.
	Missing uint64 `json:"missing"`
	// Duplicates counts extra sightings of a record already seen.
	Duplicates uint64 `json:"duplicates"`
	// Unacked counts records seen that were never acknowledged: a write
	// whose answer was lost may still have landed, so these are reported
	// but are not a failure.
	Unacked uint64 `json:"unacked"`
	// Corrupt counts records of this run whose bytes were wrong.
	Corrupt uint64 `json:"corrupt"`
	// Foreign counts records of other runs (a reused --stream).
	Foreign uint64 `json:"foreign"`
	// FirstMissing names one missing record, to start debugging from.
	FirstMissing string `json:"first_missing,omitempty"`
	OK           bool   `json:"ok"`
}

// verify compares one pass's sightings with the acknowledged set. Call it
// once writers and that pass's readers have stopped.
func (t *tracker) verify(pass int, name string, corrupt, foreign uint64) Verification {
	v := Verification{Pass: name, Corrupt: corrupt, Foreign: foreign}
	for p := range t.per {
		s := &t.per[p]
		s.mu.Lock()
		s.ack.each(func(c uint64) {
			v.Acked++
			if s.seen[pass].has(c) {
				v.ReadOnce++
				return
			}
			if v.Missing == 0 {
				v.FirstMissing = fmt.Sprintf("producer %d counter %d", p, c)
			}
			v.Missing++
		})
		s.seen[pass].each(func(c uint64) {
			if !s.ack.has(c) {
				v.Unacked++
			}
		})
		v.Duplicates += s.dups[pass]
		s.mu.Unlock()
	}
	v.OK = v.Missing == 0 && v.Duplicates == 0 && v.Corrupt == 0
	return v
}
