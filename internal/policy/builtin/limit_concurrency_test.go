package builtin

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestLimitConcurrency(t *testing.T) {
	cc := &Concurrency{}
	ctx := context.Background()
	now := queueing{}
	if !cc.acquire(ctx, "k", 2, now) || !cc.acquire(ctx, "k", 2, now) {
		t.Fatal("two places of two were refused")
	}
	if cc.acquire(ctx, "k", 2, now) {
		t.Fatal("a third place of two was given")
	}
	if !cc.acquire(ctx, "other", 2, now) {
		t.Fatal("another key shares the count")
	}
	cc.release("k")
	if !cc.acquire(ctx, "k", 2, now) {
		t.Fatal("a released place was not given again")
	}
	cc.release("k")
	cc.release("k")
	cc.release("other")
	if n := cc.keyCount(); n != 0 {
		t.Errorf("%d keys remembered after every place was released", n)
	}
	// Through a pipeline: the elements run while a place is free.
	c := run(t, inbound(`<limit-concurrency key="@(context.Request.IpAddress)" max-count="1"><set-header name="X-In-Limit"><value>1</value></set-header></limit-concurrency>`), nil)
	if c.Ended() || c.Request.Headers.Get("X-In-Limit") != "1" {
		t.Errorf("limit-concurrency with a free place: ended %v, headers %v", c.Ended(), c.Request.Headers)
	}
}

// TestLimitConcurrencyQueue: with timeout and max-queue-length, requests
// over max-count wait for a place in order; one past the queue's length
// is refused at once, one waiting past timeout is refused then.
func TestLimitConcurrencyQueue(t *testing.T) {
	cc := &Concurrency{}
	ctx := context.Background()
	q := queueing{length: 2, wait: 5 * time.Second}
	if !cc.acquire(ctx, "k", 1, q) {
		t.Fatal("the only place was refused")
	}
	got := make(chan int, 2)
	for i := range 2 {
		go func() {
			if cc.acquire(ctx, "k", 1, q) {
				got <- i
				return
			}
			got <- -1
		}()
		for waiting(cc, "k") != i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	if cc.acquire(ctx, "k", 1, q) {
		t.Fatal("a request past the queue's length got a place")
	}
	for want := range 2 {
		cc.release("k")
		if i := <-got; i != want {
			t.Fatalf("place handed to waiter %d, want %d (first come, first served)", i, want)
		}
	}
	start := time.Now()
	if cc.acquire(ctx, "k", 1, queueing{length: 1, wait: 50 * time.Millisecond}) {
		t.Fatal("a place was given while the holder still runs")
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("refused after %v, before the timeout", d)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if cc.acquire(cancelled, "k", 1, q) {
		t.Fatal("a request whose client went away got a place")
	}
	cc.release("k")
	if n := cc.keyCount(); n != 0 {
		t.Errorf("%d keys remembered after the last release", n)
	}
}

func waiting(cc *Concurrency, key string) int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if p := cc.keys[key]; p != nil {
		return len(p.queue)
	}
	return 0
}

func TestLimitConcurrencyRefuses(t *testing.T) {
	// The inner limit-concurrency runs while the outer one holds the only
	// place of the same key, so it is refused with 429.
	doc := inbound(`<limit-concurrency key="k" max-count="1"><limit-concurrency key="k" max-count="1"><set-header name="X-Inner"><value>1</value></set-header></limit-concurrency></limit-concurrency>`)
	c := run(t, doc, nil)
	if !c.Ended() || c.Response.StatusCode != http.StatusTooManyRequests || c.Request.Headers.Get("X-Inner") != "" {
		t.Errorf("nested limit on a full key: ended %v, response %+v", c.Ended(), c.Response)
	}
}

func TestAuthenticationBasic(t *testing.T) {
	c := run(t, inbound(`<authentication-basic username="svc" password="{{env}}" />`), nil)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("svc:prod"))
	if got := c.Request.Headers.Get("Authorization"); got != want {
		t.Errorf("Authorization = %q, want %q", got, want)
	}
}

func TestCacheValues(t *testing.T) {
	reg := policy.NewRegistry()
	Register(reg, Deps{})
	doc := inbound(`<cache-lookup-value key="token" variable-name="t" default-value="none" />
	  <set-header name="X-Before"><value>@((string)context.Variables["t"])</value></set-header>
	  <cache-store-value key="token" value="@("abc" + "123")" duration="60" />
	  <cache-lookup-value key="token" variable-name="t" />
	  <set-header name="X-After"><value>@((string)context.Variables["t"])</value></set-header>
	  <cache-remove-value key="token" />
	  <cache-lookup-value key="token" variable-name="gone" default-value="removed" />`)
	d, _ := policy.ParseIn(doc, policy.Env{})
	eff, _ := policy.Merge(nil, d)
	p, err := reg.Compile(eff, policy.Env{})
	if err != nil {
		t.Fatal(err)
	}
	c := run(t, inbound(""), nil) // a fresh context
	if err := runAnswering(p, c); err != nil {
		t.Fatal(err)
	}
	if c.Request.Headers.Get("X-Before") != "none" || c.Request.Headers.Get("X-After") != "abc123" || c.Variables["gone"] != "removed" {
		t.Errorf("headers %v, variables %v", c.Request.Headers, c.Variables)
	}
}
