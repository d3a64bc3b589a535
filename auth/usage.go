package auth

import (
	"sync/atomic"
	"time"
)

// Key use, for GetAccessKeyLastUsed: when a key last authenticated a
// request, for which service and region. It is kept in memory only — a
// write to disk per request would cost more than the answer is worth — so
// after a restart a key reads as not used until it is used again.
// Granularity is one minute: within a minute, a key used for the same
// service and region costs one atomic load per request and no allocation.

// KeyUse is a key's last use.
type KeyUse struct {
	Time    time.Time // UTC, truncated to the minute
	Service string    // the SigV4 signing name: "kinesis", "s3", "iam"
	Region  string
}

// useSlot holds one key's last use. It outlives snapshots: Store.uses
// keeps it while the key exists, so disabling and re-enabling a key, or
// any other change, keeps its history.
type useSlot struct{ last atomic.Pointer[KeyUse] }

// NoteUse records that access key id authenticated a request for service
// in region at t. Unknown and inactive keys are ignored. Lock-free.
func (s *Store) NoteUse(id, service, region string, t time.Time) {
	e, ok := s.snap.Load().keys[id]
	if !ok || e.use == nil {
		return
	}
	t = t.UTC().Truncate(time.Minute)
	if cur := e.use.last.Load(); cur != nil && cur.Time.Equal(t) && cur.Service == service && cur.Region == region {
		return
	}
	e.use.last.Store(&KeyUse{Time: t, Service: service, Region: region})
}

// LastUsed returns the last recorded use of key id since the server
// started; ok is false if there is none.
func (s *Store) LastUsed(id string) (KeyUse, bool) {
	s.mu.Lock()
	slot := s.uses[id]
	s.mu.Unlock()
	if slot == nil {
		return KeyUse{}, false
	}
	if u := slot.last.Load(); u != nil {
		return *u, true
	}
	return KeyUse{}, false
}

// useSlotLocked returns key id's slot, creating it. s.mu is held (or the
// store is being opened).
func (s *Store) useSlotLocked(id string) *useSlot {
	if s.uses == nil {
		s.uses = make(map[string]*useSlot)
	}
	slot := s.uses[id]
	if slot == nil {
		slot = &useSlot{}
		s.uses[id] = slot
	}
	return slot
}
