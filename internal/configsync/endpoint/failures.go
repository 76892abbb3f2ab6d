package endpoint

import (
	"sync"
	"time"
)

// failureLimiter slows down addresses that keep failing authentication:
// after maxFailures failures within window, the address is refused until
// the window has passed. It is safe for concurrent use.
type failureLimiter struct {
	maxFailures int
	window      time.Duration
	mu          sync.Mutex
	byAddr      map[string]*failures
}

type failures struct {
	count int
	since time.Time
}

// blocked reports whether addr is locked out at now, and for how long.
func (fl *failureLimiter) blocked(addr string, now time.Time) (time.Duration, bool) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	f := fl.byAddr[addr]
	if f == nil || f.count < fl.maxFailures {
		return 0, false
	}
	left := f.since.Add(fl.window).Sub(now)
	if left <= 0 {
		delete(fl.byAddr, addr)
		return 0, false
	}
	return left, true
}

func (fl *failureLimiter) fail(addr string, now time.Time) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if len(fl.byAddr) > 100_000 { // bound memory under a spray of addresses
		clear(fl.byAddr)
	}
	f := fl.byAddr[addr]
	if f == nil || now.Sub(f.since) > fl.window {
		f = &failures{since: now}
		fl.byAddr[addr] = f
	}
	f.count++
}

func (fl *failureLimiter) succeed(addr string) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	delete(fl.byAddr, addr)
}
