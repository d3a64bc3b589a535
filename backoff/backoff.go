// Package backoff owns the waits caudal's clients (the CLI's put and tail,
// the load generator) take between retries after a throttle or a transient
// failure: exponential, capped, with jitter so that producers throttled
// together do not retry together.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy is an exponential backoff: Base doubles per attempt up to Max.
type Policy struct {
	Base, Max time.Duration
}

// Delay is the wait before retry number attempt (1 for the first retry):
// a random duration in [d/2, d] where d = min(Base·2^(attempt-1), Max).
func (p Policy) Delay(attempt int) time.Duration {
	d := p.Base << min(max(attempt-1, 0), 20)
	if d <= 0 || d > p.Max {
		d = p.Max
	}
	return d/2 + rand.N(d/2+1)
}

// Sleep waits d, or less when ctx ends first (then it returns ctx.Err()).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
