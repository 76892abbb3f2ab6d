package limits

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// Busy rate limits are decided in blocks, so that a request does not
// cost a Redis round trip each: a node reserves a block of units of a
// sliding-window counter in one decision and admits requests from it
// locally for a short time. The block is recorded in Redis when it is
// reserved, so the nodes' total never passes the limit as Redis counts
// it; a call admitted from a block later than the block was reserved
// leaves the window up to leaseTime earlier than it should, so at most
// the blocks a node holds at a window's start (one, or two reserved at
// once; each at most 1/maxLeaseShare of the limit) can be admitted beyond
// the limit in a window. Units a node reserves and does not use before
// the block expires are not given back, so blocks grow only while they
// are used up and shrink when they are not.
const (
	// minLeaseLimit is the smallest limit whose counters are leased;
	// smaller limits are decided one request at a time, exactly.
	minLeaseLimit = 1000
	// maxLeaseShare bounds a block: at most limit/maxLeaseShare units.
	maxLeaseShare = 200
	// leaseEvery is how much of a period a block lives at most.
	leaseEvery = 100
	// maxLeaseTime bounds a block's life.
	maxLeaseTime = time.Second
)

// leases are one node's blocks, per counter. Safe for concurrent use.
type leases struct {
	mu        sync.Mutex
	blocks    map[string]*lease
	lastSweep time.Time
}

// lease is the block of one counter and the size of the next one.
type lease struct {
	left      int64     // units still to admit
	expires   time.Time // on the local clock
	remaining int64     // what Redis said remained after the block
	size      int64     // units the next block asks for
}

// leaseKey names counter c of group among the leases.
func leaseKey(group string, c Counter) string {
	return group + "\x00" + c.Key + "\x00" + strconv.FormatInt(c.Limit, 10) + "/" + strconv.FormatInt(int64(c.Period), 10)
}

// leasable reports whether cs is one counter that may be leased: a
// sliding window with a large limit, one unit at a time.
func leasable(cs []Counter) bool {
	return len(cs) == 1 && !cs[0].Fixed && cs[0].N == 1 && cs[0].Limit >= minLeaseLimit
}

// leaseTime is how long a block of c lives.
func leaseTime(c Counter) time.Duration {
	return max(min(c.Period/leaseEvery, maxLeaseTime), time.Millisecond)
}

// admit takes one unit of key's block, if it has a live one.
func (ls *leases) admit(key string, now time.Time) (Decision, bool) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := ls.blocks[key]
	if l == nil || l.left == 0 || !now.Before(l.expires) {
		return Decision{}, false
	}
	l.left--
	return Decision{Allowed: true, Remaining: l.remaining + l.left}, true
}

// next returns the size of key's next block: the last size doubled when
// that block was used up, halved when it expired with units left; 2 for
// a new counter. Below 2 the counter is decided one request at a time.
func (ls *leases) next(key string, c Counter, now time.Time) int64 {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.sweep(now)
	l := ls.blocks[key]
	if l == nil {
		return 2
	}
	if l.left == 0 {
		return min(l.size*2, c.Limit/maxLeaseShare)
	}
	return l.size / 2
}

// grant records a block of size units reserved at now, one of which the
// request that reserved it used.
func (ls *leases) grant(key string, c Counter, size, remaining int64, now time.Time) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.blocks == nil {
		ls.blocks = map[string]*lease{}
	}
	if l := ls.blocks[key]; l != nil && l.left > 0 && now.Before(l.expires) {
		// Another request reserved a block meanwhile: keep both, until the
		// earlier one's expiry.
		l.left += size - 1
		l.remaining, l.size = remaining, max(l.size, size)
		return
	}
	ls.blocks[key] = &lease{left: size - 1, expires: now.Add(leaseTime(c)), remaining: remaining, size: size}
}

// refused records that key's block of size units did not fit: the next
// one asks for half.
func (ls *leases) refused(key string, size int64) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if l := ls.blocks[key]; l != nil {
		l.left, l.size = 0, size/2
	}
}

// sweep forgets counters idle for a while, at most once a second; ls.mu
// is held.
func (ls *leases) sweep(now time.Time) {
	if now.Sub(ls.lastSweep) < time.Second {
		return
	}
	ls.lastSweep = now
	for k, l := range ls.blocks {
		if now.Sub(l.expires) > 10*time.Second {
			delete(ls.blocks, k)
		}
	}
}

// leased decides cs from this node's block when it can: admitted from a
// live block, or by reserving a new one in one round trip. ok is false
// when the request must be decided alone (the counter is not leasable, a
// block does not fit, or Redis failed, which the caller then handles).
func (r *Redis) leased(ctx context.Context, group string, cs []Counter, now time.Time) ([]Decision, bool) {
	if !leasable(cs) {
		return nil, false
	}
	c := cs[0]
	key := leaseKey(group, c)
	if d, ok := r.leases.admit(key, now); ok {
		return []Decision{d}, true
	}
	size := r.leases.next(key, c, now)
	if size < 2 {
		r.leases.grant(key, c, 1, 0, now) // try a block again after this one
		return nil, false
	}
	block := c
	block.N = size
	ds, err := r.eval(ctx, group, []Counter{block}, now)
	if err != nil {
		return nil, false
	}
	if !ds[0].Allowed {
		r.leases.refused(key, size)
		return nil, false
	}
	r.leases.grant(key, c, size, ds[0].Remaining, now)
	return []Decision{{Allowed: true, Remaining: ds[0].Remaining + size - 1}}, true
}
