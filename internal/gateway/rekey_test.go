package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// withDigest sets snap's RoutesDigest, as the configuration endpoint does.
func withDigest(t *testing.T, snap *snapshot.Snapshot) *snapshot.Snapshot {
	t.Helper()
	d, err := snapshot.RoutesDigest(snap)
	if err != nil {
		t.Fatal(err)
	}
	snap.RoutesDigest = d
	return snap
}

// TestSubscriptionChangeRebuildsOnlyKeys installs a snapshot that differs
// from the installed one only in its subscriptions: the routes and their
// pipelines are kept as they are, the new key works and the suspended one
// does not. A change to an API compiles again.
func TestSubscriptionChangeRebuildsOnlyKeys(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer backend.Close()
	s := NewServer(Options{})
	first := withDigest(t, testSnapshot(backend.URL))
	s.Load(first)
	before := s.rt.Load()

	next := testSnapshot(backend.URL)
	next.Version = 8
	next.Subscriptions[0].State = "suspended"
	next.Subscriptions = append(next.Subscriptions, snapshot.Subscription{ID: "new", Scope: "/products/p", State: "active",
		Keys: []snapshot.KeyDigest{snapshot.DigestKey("new-key")}})
	s.Load(withDigest(t, next))
	after := s.rt.Load()
	if after.Version() != 8 {
		t.Fatalf("version %d, want 8", after.Version())
	}
	if after.byID["orders"] != before.byID["orders"] {
		t.Error("a subscription change compiled the routes again")
	}
	get := func(key string) int {
		req := httptest.NewRequest("GET", "/shop/orders/1", nil)
		req.Header.Set("Ocp-Apim-Subscription-Key", key)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w.Code
	}
	if code := get("new-key"); code != 200 {
		t.Errorf("the new subscription's key: %d, want 200", code)
	}
	if code := get("good-key"); code != 401 {
		t.Errorf("the suspended subscription's key: %d, want 401", code)
	}

	changed := testSnapshot(backend.URL)
	changed.Version = 9
	changed.APIs[0].Operations = changed.APIs[0].Operations[:2]
	s.Load(withDigest(t, changed))
	if s.rt.Load().byID["orders"] == after.byID["orders"] {
		t.Error("a changed API kept its old route")
	}
}
