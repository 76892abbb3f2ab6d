package builtin

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestLimitConcurrency(t *testing.T) {
	cc := &Concurrency{}
	if !cc.acquire("k", 2) || !cc.acquire("k", 2) {
		t.Fatal("two places of two were refused")
	}
	if cc.acquire("k", 2) {
		t.Fatal("a third place of two was given")
	}
	if !cc.acquire("other", 2) {
		t.Fatal("another key shares the count")
	}
	cc.release("k")
	if !cc.acquire("k", 2) {
		t.Fatal("a released place was not given again")
	}
	// Through a pipeline: the elements run while a place is free.
	c := run(t, inbound(`<limit-concurrency key="@(context.Request.IpAddress)" max-count="1"><set-header name="X-In-Limit"><value>1</value></set-header></limit-concurrency>`), nil)
	if c.Ended() || c.Request.Headers.Get("X-In-Limit") != "1" {
		t.Errorf("limit-concurrency with a free place: ended %v, headers %v", c.Ended(), c.Request.Headers)
	}
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
	d, _ := policy.Parse(doc)
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
