package stream

import (
	"os"
	"path/filepath"
	"time"
)

// retentionLoop expires data past retention every RetentionInterval until
// Close. One goroutine for the whole engine.
func (e *Engine) retentionLoop() {
	defer e.wg.Done()
	t := time.NewTicker(e.cfg.RetentionInterval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			e.ExpireNow()
		}
	}
}

// ExpireNow runs one retention pass over every stream: it removes log
// segments whose records are all older than the stream's retention, and
// removes closed shards that were closed longer ago than the retention
// period (all their data has expired by then). It returns the number of
// shards removed. The background loop calls it; tests call it directly.
func (e *Engine) ExpireNow() int {
	e.mu.RLock()
	ss := make([]*streamState, 0, len(e.byID))
	for _, s := range e.byID {
		ss = append(ss, s)
	}
	e.mu.RUnlock()
	removed := 0
	for _, s := range ss {
		removed += e.expireStream(s)
	}
	return removed
}

func (e *Engine) expireStream(s *streamState) int {
	now := e.cfg.Now()
	s.mu.RLock()
	if s.gone {
		s.mu.RUnlock()
		return 0
	}
	ret := time.Duration(s.meta.RetentionHours) * time.Hour
	cutoff := now.Add(-ret)
	var drop []int
	for _, sm := range s.meta.Shards {
		if sh := s.shards[sm.Index]; sh != nil {
			// A failed expiry only delays freeing space; the next pass retries
			// and GetRecords filters expired records regardless.
			_ = sh.log.ExpireBefore(cutoff.UnixMilli())
		}
		if sm.Closed && sm.ClosedAt.Before(cutoff) {
			drop = append(drop, sm.Index)
		}
	}
	s.mu.RUnlock()
	if len(drop) == 0 {
		return 0
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return 0
	}
	isDrop := map[int]bool{}
	for _, i := range drop {
		isDrop[i] = true
	}
	if err := e.updateLocked(s, func(m *streamMeta) error {
		kept := m.Shards[:0]
		for _, sm := range m.Shards {
			if !isDrop[sm.Index] {
				kept = append(kept, sm)
			}
		}
		m.Shards = kept
		return nil
	}); err != nil {
		return 0
	}
	for _, i := range drop {
		if sh := s.shards[i]; sh != nil {
			sh.log.Close()
			delete(s.shards, i)
			os.RemoveAll(filepath.Join(s.dir, shardsSubdir, sh.id))
		}
	}
	return len(drop)
}
