package limits

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrUnavailable is returned (wrapped) by a fail-closed Redis store while
// Redis cannot be reached.
var ErrUnavailable = errors.New("the limits store is unavailable")

// Store decides whether a request may pass a set of counters. Stores are
// safe for concurrent use.
type Store interface {
	// Take checks every counter of cs for group and, only when all of them
	// admit their N units, adds them. Decisions are returned in the order of
	// cs. Counters of one call share group, which keeps them together (one
	// Redis Cluster slot). cs must not be modified during the call.
	Take(ctx context.Context, group string, cs []Counter) ([]Decision, error)
}

// Counter is one limit checked by Take.
type Counter struct {
	// Key names the counter within its group.
	Key string
	// Limit is how many units a period admits; at least 1.
	Limit int64
	// Period is the length of a window; at least a millisecond.
	Period time.Duration
	// Fixed selects fixed windows aligned to Start (quotas); false selects
	// a sliding window (rate limits).
	Fixed bool
	// Start is when the first fixed window starts. Zero: the Unix epoch.
	Start time.Time
	// N is how many units this request adds. 0 adds nothing and only
	// checks that one more unit would be admitted.
	N int64
	// Overdraw admits the request while the counter is below Limit and
	// then adds all N units, even past Limit: for bandwidth, whose size is
	// known only once it is used. Only fixed windows may overdraw.
	Overdraw bool
}

// Decision is a Store's answer for one Counter.
type Decision struct {
	// Allowed reports whether the counter admits the request's units.
	Allowed bool
	// Remaining is how many units the counter still admits now: after
	// this request's units when they were counted, else before them.
	Remaining int64
	// RetryAfter is, for a refused request, how long until the counter
	// would admit it; 0 when allowed.
	RetryAfter time.Duration
}

// Allowed reports whether every decision of ds admits the request.
func Allowed(ds []Decision) bool {
	for _, d := range ds {
		if !d.Allowed {
			return false
		}
	}
	return true
}

// windowOf returns the fixed window of c that holds now: its index (the
// number of periods since c.Start, negative before it) and its end.
func windowOf(c Counter, now time.Time) (int64, time.Time) {
	since := now.Sub(c.Start)
	if c.Start.IsZero() {
		since = time.Duration(now.UnixNano())
	}
	idx := int64(since / c.Period)
	if since < 0 && since%c.Period != 0 {
		idx--
	}
	start := c.Start
	if start.IsZero() {
		start = time.Unix(0, 0)
	}
	return idx, start.Add(time.Duration(idx+1) * c.Period)
}

// Unavailable is a Store whose every Take fails with Err (wrapping
// ErrUnavailable): what a gateway uses, fail-closed, when its Redis
// store could not be set up.
type Unavailable struct{ Err error }

var _ Store = Unavailable{}

// Take implements Store; it always fails.
func (u Unavailable) Take(context.Context, string, []Counter) ([]Decision, error) {
	return nil, fmt.Errorf("%w: %w", ErrUnavailable, u.Err)
}

// validate reports a counter that breaks Counter's rules.
func validate(cs []Counter) error {
	for _, c := range cs {
		if c.Limit < 1 || c.Period < time.Millisecond || c.N < 0 || (c.Overdraw && !c.Fixed) {
			return fmt.Errorf("counter %q: limit %d, period %v, units %d, overdraw %v: want limit >= 1, period >= 1ms, units >= 0, overdraw only with fixed windows",
				c.Key, c.Limit, c.Period, c.N, c.Overdraw)
		}
	}
	return nil
}
