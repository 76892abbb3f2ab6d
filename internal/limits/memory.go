package limits

import (
	"context"
	"sync"
	"time"
)

// sweepEvery is how often a Memory store drops counters whose windows
// have passed; the sweep runs inside Take, so no goroutine is needed.
const sweepEvery = time.Minute

// memoryShards is how many independently locked parts a Memory store
// has; a group's counters are all in one, so a decision stays atomic.
const memoryShards = 64

// Memory is a Store that keeps counters in this process: exact for one
// gateway node. Its zero value is not usable; use NewMemory. It is safe
// for concurrent use and starts no goroutines. Counters are spread over
// shards by group, so decisions on different groups rarely wait for each
// other.
type Memory struct {
	now    func() time.Time
	shards [memoryShards]memoryShard
}

// memoryShard is one locked part of a Memory store.
type memoryShard struct {
	mu        sync.Mutex
	counters  map[counterKey]*counter
	nextSweep time.Time
}

// counterKey names a counter: its group and its Counter.Key. Kept apart,
// a lookup allocates no joined key.
type counterKey struct{ group, key string }

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
	m := &Memory{now: now}
	for i := range m.shards {
		m.shards[i].counters = map[counterKey]*counter{}
	}
	return m
}

// shard returns the shard of group (FNV-1a).
func (m *Memory) shard(group string) *memoryShard {
	h := uint32(2166136261)
	for i := 0; i < len(group); i++ {
		h = (h ^ uint32(group[i])) * 16777619
	}
	return &m.shards[h%memoryShards]
}

var _ Store = (*Memory)(nil)

// Take implements Store; it fails only for invalid counters.
func (m *Memory) Take(_ context.Context, group string, cs []Counter) ([]Decision, error) {
	if err := validate(cs); err != nil {
		return nil, err
	}
	now := m.now()
	sh := m.shard(group)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.sweep(now)
	ds := make([]Decision, len(cs))
	states := make([]*counter, len(cs))
	all := true
	for i, c := range cs {
		k := counterKey{group, c.Key}
		st := sh.counters[k]
		if st == nil {
			st = &counter{}
			sh.counters[k] = st
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

// sweep drops the shard's expired counters, at most once per sweepEvery;
// sh.mu is held.
func (sh *memoryShard) sweep(now time.Time) {
	if now.Before(sh.nextSweep) {
		return
	}
	sh.nextSweep = now.Add(sweepEvery)
	for k, st := range sh.counters {
		if !now.Before(st.expires) {
			delete(sh.counters, k)
		}
	}
}

// Len returns how many counters m holds, for tests and metrics.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		n += len(sh.counters)
		sh.mu.Unlock()
	}
	return n
}
