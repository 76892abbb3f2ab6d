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
// the block a node holds at a window's start (a node holds one at a time,
// at most 1/maxLeaseShare of the limit) can be admitted beyond the limit
// in a window. Units a node reserves and does not use before
// the block expires are not given back, so blocks grow only while they
// are used up and shrink when they are not; one that does not fit makes
// the node decide request by request for a block's time.
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

// lease is the block of one counter: at most one at a time per node.
type lease struct {
	left      int64     // units still to admit
	expires   time.Time // on the local clock
	remaining int64     // what Redis said remained after the block
	size      int64     // the last block's size; 0: start again at 2
	usedUp    bool      // the last block ran out before it expired
	reserving bool      // a request is reserving the next block
	retryAt   time.Time // no block before then: the last did not fit
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

// claim admits one unit of key's live block (admitted), or returns the
// size of the block this request should reserve (then marked as being
// reserved, which the request must end with granted or failed), or 0
// when the request is to be decided alone: another request is reserving,
// or blocks do not fit now.
func (ls *leases) claim(key string, c Counter, now time.Time) (d Decision, admitted bool, size int64) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.sweep(now)
	if ls.blocks == nil {
		ls.blocks = map[string]*lease{}
	}
	l := ls.blocks[key]
	if l == nil {
		l = &lease{}
		ls.blocks[key] = l
	}
	if l.left > 0 && now.Before(l.expires) {
		l.left--
		l.usedUp = l.left == 0
		return Decision{Allowed: true, Remaining: l.remaining + l.left}, true, 0
	}
	if l.reserving || now.Before(l.retryAt) {
		return Decision{}, false, 0
	}
	switch {
	case l.size == 0:
		size = 2
	case l.usedUp:
		size = min(l.size*2, c.Limit/maxLeaseShare)
	default: // it expired with units left
		size = l.size / 2
	}
	if size < 2 {
		l.size, l.retryAt = 0, now.Add(leaseTime(c))
		return Decision{}, false, 0
	}
	l.reserving, l.left, l.usedUp = true, 0, false
	return Decision{}, false, size
}

// granted records the block of size units that Redis admitted at now,
// one of which the reserving request used.
func (ls *leases) granted(key string, c Counter, size, remaining int64, now time.Time) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if l := ls.blocks[key]; l != nil {
		l.reserving = false
		l.left, l.size, l.remaining, l.usedUp = size-1, size, remaining, size == 1
		l.expires = now.Add(leaseTime(c))
	}
}

// failed ends a reservation that did not get a block: refused, the
// counter is decided request by request for a block's time, then blocks
// start again small.
func (ls *leases) failed(key string, c Counter, refused bool, now time.Time) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if l := ls.blocks[key]; l != nil {
		l.reserving = false
		if refused {
			l.size, l.retryAt = 0, now.Add(leaseTime(c))
		}
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
		if !l.reserving && now.Sub(l.expires) > 10*time.Second && now.After(l.retryAt) {
			delete(ls.blocks, k)
		}
	}
}

// leased decides cs from this node's block when it can: admitted from
// the live block, or by reserving a new one in one round trip. handled is
// false when the request must be decided alone (the counter is not
// leasable, another request is reserving, or a block does not fit); err
// is Redis's failure, which the caller handles as for any decision.
func (r *Redis) leased(ctx context.Context, group string, cs []Counter, now time.Time) (ds []Decision, handled bool, err error) {
	if !leasable(cs) {
		return nil, false, nil
	}
	c := cs[0]
	key := leaseKey(group, c)
	d, admitted, size := r.leases.claim(key, c, now)
	if admitted {
		return []Decision{d}, true, nil
	}
	if size == 0 {
		return nil, false, nil
	}
	block := c
	block.N = size
	ds, err = r.eval(ctx, group, []Counter{block}, now)
	if err != nil {
		r.leases.failed(key, c, false, now)
		return nil, true, err
	}
	if !ds[0].Allowed {
		r.leases.failed(key, c, true, now)
		return nil, false, nil
	}
	r.leases.granted(key, c, size, ds[0].Remaining, now)
	return []Decision{{Allowed: true, Remaining: ds[0].Remaining + size - 1}}, true, nil
}
