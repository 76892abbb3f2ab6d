package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestDevelopersInPolicies: a subscription's owner is context.User, and
// cache-lookup's vary-by-developer and vary-by-developer-groups share
// cached responses between the subscriptions of one developer, or of one
// set of groups.
func TestDevelopersInPolicies(t *testing.T) {
	var calls atomic.Int64
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "call %d for %s", calls.Add(1), r.Header.Get("X-User"))
	}))
	t.Cleanup(backend.Close)
	in := startServe(t, t.TempDir(), "")
	in.must("PUT", "/apis/shop", `{"properties":{"displayName":"Shop","path":"shop","serviceUrl":"`+backend.URL+`"}}`)
	for _, op := range []string{"dev", "groups"} {
		in.must("PUT", "/apis/shop/operations/"+op, `{"properties":{"method":"GET","urlTemplate":"/`+op+`"}}`)
	}
	vary := func(dev, groups bool) string {
		return fmt.Sprintf(`<cache-lookup vary-by-developer="%t" vary-by-developer-groups="%t" />`, dev, groups)
	}
	policy := func(lookup string) string {
		doc, _ := json.Marshal(map[string]any{"properties": map[string]string{"format": "rawxml", "value": `<policies><inbound><base />` + lookup +
			`<set-header name="X-User" exists-action="override"><value>@(context.User.Email + " in " + string.Join(",", context.User.Groups.Select(g => g.Id)))</value></set-header>` +
			`</inbound><backend><base /></backend><outbound><base /><cache-store duration="60" /></outbound></policies>`}})
		return string(doc)
	}
	in.must("PUT", "/apis/shop/operations/dev/policy", policy(vary(true, false)))
	in.must("PUT", "/apis/shop/operations/groups/policy", policy(vary(false, true)))
	in.must("PUT", "/groups/partners", `{"properties":{"displayName":"Partners"}}`)
	for _, u := range []string{"alice", "bob", "carol"} {
		in.must("PUT", "/users/"+u, `{"properties":{"email":"`+u+`@example.com","firstName":"`+u+`","lastName":"X"}}`)
	}
	in.must("PUT", "/groups/partners/users/alice", "")
	in.must("PUT", "/groups/partners/users/bob", "")
	for _, s := range []struct{ id, owner string }{{"alice-1", "alice"}, {"alice-2", "alice"}, {"bob-1", "bob"}, {"carol-1", "carol"}} {
		in.must("PUT", "/subscriptions/"+s.id, `{"properties":{"displayName":"x","scope":"/apis/shop","ownerId":"/users/`+s.owner+`","primaryKey":"key-`+s.id+`"}}`)
	}
	get := func(path, sub string) string {
		t.Helper()
		r := in.call("GET", "/shop"+path, "Ocp-Apim-Subscription-Key: key-"+sub)
		if r.status != 200 {
			t.Fatalf("GET %s with %s: %d %s", path, sub, r.status, r.body)
		}
		return string(r.body)
	}
	eventually(t, 5*time.Second, "the subscriptions served", func() bool {
		return in.call("GET", "/shop/groups", "Ocp-Apim-Subscription-Key: key-carol-1").status == 200
	})
	calls.Store(0)
	first := get("/dev", "alice-1")
	if !strings.HasSuffix(first, "for alice@example.com in developers,partners") {
		t.Errorf("context.User reached the backend as %q", first)
	}
	if again := get("/dev", "alice-2"); again != first {
		t.Errorf("vary-by-developer: alice's second subscription got %q, want the cached %q", again, first)
	}
	if other := get("/dev", "bob-1"); other == first {
		t.Errorf("vary-by-developer: bob got alice's cached answer")
	}
	g := get("/groups", "alice-1")
	if shared := get("/groups", "bob-1"); shared != g {
		t.Errorf("vary-by-developer-groups: bob (same groups) got %q, want the cached %q", shared, g)
	}
	if apart := get("/groups", "carol-1"); apart == g {
		t.Errorf("vary-by-developer-groups: carol (other groups) got the cached answer")
	}
}
