package mgmt

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// TestWrongTokensAreSlowedDown: after 10 wrong tokens within a minute
// from one address, further wrong ones are answered 429 in the contract's
// error shape with Retry-After; the admin token is still accepted from
// that address, and requests without a token are not counted.
func TestWrongTokensAreSlowedDown(t *testing.T) {
	var clock atomic.Pointer[time.Time]
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock.Store(&start)
	a := newTestAPIAt(t, &clock)
	wrong := func() result {
		t.Helper()
		return a.do("GET", "/apis", "", "Authorization: Bearer guess")
	}
	for i := 1; i <= 10; i++ {
		if r := wrong(); r.status != 401 {
			t.Fatalf("wrong token %d: %d %s, want 401", i, r.status, r.raw)
		}
	}
	r := wrong()
	if code, _, _ := errorOf(t, r); r.status != http.StatusTooManyRequests || code != "TooManyRequests" || r.header.Get("Retry-After") != "60" {
		t.Fatalf("wrong token 11: %d %s, Retry-After %q; want 429 TooManyRequests and 60", r.status, r.raw, r.header.Get("Retry-After"))
	}
	if r := a.do("GET", "/apis", ""); r.status != 200 {
		t.Errorf("the admin token while its address is throttled: %d %s, want 200", r.status, r.raw)
	}
	if r := a.do("GET", "/apis", "", "Authorization:"); r.status != 401 {
		t.Errorf("no token while the address is throttled: %d, want 401", r.status)
	}
	later := start.Add(time.Minute)
	clock.Store(&later)
	if r := wrong(); r.status != 401 {
		t.Errorf("a wrong token after the window: %d, want 401", r.status)
	}
}
