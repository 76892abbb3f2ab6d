package lockout

import (
	"net/netip"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultFailures = 10
	DefaultWindow   = time.Minute
	DefaultMaxKeys  = 100_000
)

// Options configures a Limiter. Zero values select the defaults.
type Options struct {
	// Failures is how many failed attempts a key may make within Window
	// before its further failures are throttled. 0: DefaultFailures.
	Failures int
	// Window is how long failures are counted, from a key's first one.
	// 0: DefaultWindow.
	Window time.Duration
	// MaxKeys bounds the keys counted at once; past it, a new key takes
	// the place of an arbitrary one. 0: DefaultMaxKeys.
	MaxKeys int
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
}

// Key is who failed: a client address and the identity its credential
// claims. Make it with KeyFor.
type Key struct {
	addr     string
	identity string
}

// KeyFor returns the key of a failure from addr (an IP address; other
// strings are used as they are) claiming identity (empty when the
// credential names nobody, such as a subscription key). An IPv6 address
// counts as its /64 network, which one host commonly holds whole.
func KeyFor(addr, identity string) Key {
	if ip, err := netip.ParseAddr(addr); err == nil {
		ip = ip.Unmap()
		if ip.Is6() {
			p, _ := ip.Prefix(64) // cannot fail for an IPv6 address
			return Key{addr: p.String(), identity: identity}
		}
		return Key{addr: ip.String(), identity: identity}
	}
	return Key{addr: addr, identity: identity}
}

// Limiter counts failed authentications per Key. It is safe for
// concurrent use; its zero value is not usable: use New.
type Limiter struct {
	failures int
	window   time.Duration
	maxKeys  int
	now      func() time.Time
	mu       sync.Mutex
	byKey    map[Key]*count
}

type count struct {
	n     int
	since time.Time
}

// New returns a Limiter with the options o.
func New(o Options) *Limiter {
	l := &Limiter{failures: o.Failures, window: o.Window, maxKeys: o.MaxKeys, now: o.Now, byKey: map[Key]*count{}}
	if l.failures <= 0 {
		l.failures = DefaultFailures
	}
	if l.window <= 0 {
		l.window = DefaultWindow
	}
	if l.maxKeys <= 0 {
		l.maxKeys = DefaultMaxKeys
	}
	if l.now == nil {
		l.now = time.Now
	}
	return l
}

// Fail records a failed attempt by k. It reports whether k has now failed
// more than the limit within its window, so that this failure is to be
// answered 429 rather than 401, and how long is left of the window (for
// Retry-After; at least a second).
func (l *Limiter) Fail(k Key) (retryAfter time.Duration, throttled bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.byKey[k]
	if c == nil || now.Sub(c.since) >= l.window {
		if c == nil && len(l.byKey) >= l.maxKeys {
			l.makeRoom(now)
		}
		c = &count{since: now}
		l.byKey[k] = c
	}
	c.n++
	left := max(c.since.Add(l.window).Sub(now), time.Second)
	return left, c.n > l.failures
}

// makeRoom removes the keys whose window has passed among a few of them,
// or, when none has, one of those. Map iteration starts at a random place,
// so this costs little however full the map is, and an attacker cannot
// choose whose count goes. l.mu is held.
func (l *Limiter) makeRoom(now time.Time) {
	var first *Key
	removed, seen := 0, 0
	for k, c := range l.byKey {
		if now.Sub(c.since) >= l.window {
			delete(l.byKey, k)
			removed++
		} else if first == nil {
			first = &k
		}
		if seen++; seen == 64 {
			break
		}
	}
	if removed == 0 && first != nil {
		delete(l.byKey, *first)
	}
}

// RetryAfter returns d as a Retry-After value: whole seconds, rounded up.
func RetryAfter(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}
