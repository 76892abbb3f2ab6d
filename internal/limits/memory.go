package limits

import (
	"context"
	"sync"
	"time"
)

// sweepEvery is how often a Memory store drops counters whose windows
// have passed; the sweep runs inside Take, so no goroutine is needed.
const sweepEvery = time.Minute

// Memory is a Store that keeps counters in this process: exact for one
// gateway node. Its zero value is not usable; use NewMemory. It is safe
// for concurrent use and starts no goroutines.
type Memory struct {
	now       func() time.Time
	mu        sync.Mutex
	counters  map[string]*counter
	nextSweep time.Time
}

// counter is one key's state: admitted times (sliding) or the current
// window and its count (fixed).
type counter struct {
	times   []int64   // sliding: ascending admission times (Unix ns), one per unit; no pointers for the GC to scan
	window  int64     // fixed: the window index
	count   int64     // fixed: units in window
	expires time.Time // when the state can be dropped
}

// NewMemory returns an empty Memory store. now is the clock; nil:
// time.Now.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, counters: map[string]*counter{}}
}

var _ Store = (*Memory)(nil)

// Take implements Store; it fails only for invalid counters.
func (m *Memory) Take(_ context.Context, group string, cs []Counter) ([]Decision, error) {
	if err := validate(cs); err != nil {
		return nil, err
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	ds := make([]Decision, len(cs))
	states := make([]*counter, len(cs))
	all := true
	for i, c := range cs {
		k := group + "\x00" + c.Key
		st := m.counters[k]
		if st == nil {
			st = &counter{}
			m.counters[k] = st
		}
		states[i] = st
		if c.Fixed {
			ds[i] = st.checkFixed(c, now)
		} else {
			ds[i] = st.checkSliding(c, now)
		}
		all = all && ds[i].Allowed
	}
	if !all {
		for i := range ds {
			if ds[i].Allowed { // not counted after all
				ds[i].Allowed, ds[i].Remaining = false, ds[i].Remaining+cs[i].N
			}
		}
		return ds, nil
	}
	for i, c := range cs {
		states[i].add(c, now)
	}
	return ds, nil
}

// checkFixed decides c in fixed windows; Remaining assumes c.N is added.
func (st *counter) checkFixed(c Counter, now time.Time) Decision {
	idx, end := windowOf(c, now)
	if st.window != idx || st.expires.IsZero() {
		st.window, st.count = idx, 0
	}
	st.expires = end
	if c.Overdraw && st.count < c.Limit {
		return Decision{Allowed: true, Remaining: max(c.Limit-st.count-c.N, 0)}
	}
	if st.count+max(c.N, 1) > c.Limit {
		return Decision{Remaining: max(c.Limit-st.count, 0), RetryAfter: end.Sub(now)}
	}
	return Decision{Allowed: true, Remaining: c.Limit - st.count - c.N}
}

// checkSliding decides c in a sliding window; Remaining assumes c.N is
// added.
func (st *counter) checkSliding(c Counter, now time.Time) Decision {
	horizon := now.Add(-c.Period).UnixNano()
	cut := 0
	for cut < len(st.times) && st.times[cut] <= horizon {
		cut++
	}
	st.times = st.times[cut:]
	count := int64(len(st.times))
	need := max(c.N, 1)
	if count+need > c.Limit {
		retry := c.Period
		if k := count + need - c.Limit - 1; need <= c.Limit && k < count {
			retry = time.Duration(st.times[k] - horizon)
		}
		return Decision{Remaining: max(c.Limit-count, 0), RetryAfter: retry}
	}
	return Decision{Allowed: true, Remaining: c.Limit - count - c.N}
}

// add counts c.N units at now.
func (st *counter) add(c Counter, now time.Time) {
	if c.Fixed {
		st.count += c.N
		return
	}
	at := now.UnixNano()
	for range c.N {
		st.times = append(st.times, at)
	}
	st.expires = now.Add(c.Period)
}

// sweep drops expired counters, at most once per sweepEvery.
func (m *Memory) sweep(now time.Time) {
	if now.Before(m.nextSweep) {
		return
	}
	m.nextSweep = now.Add(sweepEvery)
	for k, st := range m.counters {
		if !now.Before(st.expires) {
			delete(m.counters, k)
		}
	}
}

// Len returns how many counters m holds, for tests and metrics.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.counters)
}
