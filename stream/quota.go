package stream

import (
	"fmt"
	"sync"
	"time"
)

// AWS's per-shard provisioned throughput.
const (
	writeBytesPerSec   = 1 << 20
	writeRecordsPerSec = 1000
	readBytesPerSec    = 2 << 20
	readCallsPerSec    = 5
)

// bucket is a token bucket refilled continuously at rate tokens per second
// up to burst. Its level may go negative (reads are charged after the fact,
// as AWS does: one 10 MiB GetRecords blocks the shard's next few seconds).
type bucket struct {
	level float64
	last  time.Time
}

func (b *bucket) refill(now time.Time, rate, burst float64) {
	if b.last.IsZero() {
		b.level = burst
		b.last = now
		return
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.level += dt * rate
		if b.level > burst {
			b.level = burst
		}
		b.last = now
	}
}

// shardQuota holds one shard's write and read buckets. ON_DEMAND streams
// skip it entirely: AWS scales those on demand, and caudal's single node
// has no per-shard capacity to protect.
type shardQuota struct {
	mu       sync.Mutex
	wBytes   bucket // guarded by mu
	wRecords bucket // guarded by mu
	rBytes   bucket // guarded by mu
	rCalls   bucket // guarded by mu
}

// takeWrite charges one record of n bytes (data plus partition key, as AWS
// counts) and reports whether the shard had room for it.
func (q *shardQuota) takeWrite(now time.Time, n int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.wBytes.refill(now, writeBytesPerSec, writeBytesPerSec)
	q.wRecords.refill(now, writeRecordsPerSec, writeRecordsPerSec)
	if q.wRecords.level < 1 || q.wBytes.level < float64(n) {
		return false
	}
	q.wRecords.level--
	q.wBytes.level -= float64(n)
	return true
}

// takeRead admits one GetRecords call if the shard has a call token left
// and its byte bucket is not in debt.
func (q *shardQuota) takeRead(now time.Time) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.rCalls.refill(now, readCallsPerSec, readCallsPerSec)
	q.rBytes.refill(now, readBytesPerSec, readBytesPerSec)
	if q.rCalls.level < 1 || q.rBytes.level <= 0 {
		return false
	}
	q.rCalls.level--
	return true
}

// chargeRead debits the bytes a GetRecords call returned.
func (q *shardQuota) chargeRead(n int) {
	q.mu.Lock()
	q.rBytes.level -= float64(n)
	q.mu.Unlock()
}

func (e *Engine) throttled(name, shardID string) *Error {
	return &Error{Kind: ErrThroughputExceeded, Message: fmt.Sprintf(
		"Rate exceeded for shard %s in stream %s under account %s.", shardID, name, e.cfg.AccountID)}
}
