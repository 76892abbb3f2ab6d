package lockout

import (
	"sync"
	"testing"
	"time"
)

// clock is a fake clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestFailuresArePerAddressAndIdentity(t *testing.T) {
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := New(Options{Failures: 3, Window: time.Minute, Now: c.Now})
	k := KeyFor("10.0.0.1", "edge")
	for i := 1; i <= 3; i++ {
		if _, throttled := l.Fail(k); throttled {
			t.Fatalf("failure %d throttled; the limit is 3", i)
		}
	}
	c.advance(20 * time.Second)
	retry, throttled := l.Fail(k)
	if !throttled || retry != 40*time.Second || RetryAfter(retry) != 40 {
		t.Fatalf("failure 4: %v, %v; want throttled for the 40 s left", retry, throttled)
	}
	for _, other := range []Key{KeyFor("10.0.0.1", "other-gateway"), KeyFor("10.0.0.2", "edge")} {
		if _, throttled := l.Fail(other); throttled {
			t.Errorf("%+v throttled by another key's failures", other)
		}
	}
	c.advance(40 * time.Second)
	if _, throttled := l.Fail(k); throttled {
		t.Error("still throttled after the window")
	}
}

func TestIPv6CountsByNetwork(t *testing.T) {
	l := New(Options{Failures: 1})
	l.Fail(KeyFor("2001:db8:1:2::1", ""))
	if _, throttled := l.Fail(KeyFor("2001:db8:1:2:ffff::9", "")); !throttled {
		t.Error("another address of the same /64 was not counted with the first")
	}
	if _, throttled := l.Fail(KeyFor("2001:db8:1:3::1", "")); throttled {
		t.Error("another /64 was counted with the first")
	}
	l.Fail(KeyFor("::ffff:192.0.2.1", ""))
	if _, throttled := l.Fail(KeyFor("192.0.2.1", "")); !throttled {
		t.Error("an IPv4-mapped address was not counted as its IPv4 address")
	}
}

func TestMemoryIsBounded(t *testing.T) {
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := New(Options{Failures: 1, MaxKeys: 100, Now: c.Now})
	for i := range 1000 {
		l.Fail(KeyFor("10.0.0.1", string(rune('a'+i%26))+string(rune(i))))
	}
	if n := len(l.byKey); n > 100 {
		t.Errorf("%d keys counted, want at most 100", n)
	}
	c.advance(time.Minute)
	for i := range 10 {
		l.Fail(KeyFor("10.0.0.2", string(rune(i))))
	}
	if n := len(l.byKey); n > 100 {
		t.Errorf("%d keys counted, want at most 100", n)
	}
}

func BenchmarkFail(b *testing.B) {
	l := New(Options{})
	k := KeyFor("10.0.0.1", "edge")
	b.ReportAllocs()
	for b.Loop() {
		l.Fail(k)
	}
}
