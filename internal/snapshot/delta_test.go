package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// roundTrip returns s as a gateway decodes it from the wire.
func roundTrip[T any](t testing.TB, v *T) *T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// randomSnapshot returns a snapshot of a few APIs, products,
// subscriptions, users and policy parts.
func randomSnapshot(rnd *rand.Rand) *Snapshot {
	s := &Snapshot{Schema: 1, Version: 1, Gateway: "g", APIs: []API{}, Products: []Product{}, Subscriptions: []Subscription{}}
	for i := range 6 {
		s.APIs = append(s.APIs, API{ID: fmt.Sprintf("api-%d", i), Path: fmt.Sprintf("p%d", i), Operations: []Operation{{ID: "o", Method: "GET", URLTemplate: "/"}}})
	}
	for i := range 3 {
		s.Products = append(s.Products, Product{ID: fmt.Sprintf("prod-%d", i), APIs: []string{"api-1"}})
	}
	for i := range 20 {
		s.Subscriptions = append(s.Subscriptions, Subscription{ID: fmt.Sprintf("sub-%02d", i), Scope: "/apis", State: "active",
			Keys: []KeyDigest{DigestKey(fmt.Sprint(i))}})
	}
	s.Policy.NamedValues = map[string]string{"a": "1", "b": "2"}
	s.Users = map[string]User{"u": {ID: "u"}}
	mutate(rnd, s, 3)
	return s
}

// mutate makes n random changes to s, in place, keeping its lists in id
// order as the builder makes them.
func mutate(rnd *rand.Rand, s *Snapshot, n int) {
	for range n {
		k := rnd.IntN(100)
		switch rnd.IntN(12) {
		case 0:
			s.Subscriptions = append(s.Subscriptions, Subscription{ID: fmt.Sprintf("sub-%02d", k), State: "active", Keys: []KeyDigest{DigestKey(fmt.Sprint(k))}})
		case 1:
			if len(s.Subscriptions) > 0 {
				i := rnd.IntN(len(s.Subscriptions))
				s.Subscriptions = slices.Delete(s.Subscriptions, i, i+1)
			}
		case 2:
			if len(s.Subscriptions) > 0 {
				s.Subscriptions[rnd.IntN(len(s.Subscriptions))].State = "suspended"
			}
		case 3:
			s.APIs = append(s.APIs, API{ID: fmt.Sprintf("api-%d", k), Path: fmt.Sprintf("x%d", k)})
		case 4:
			if len(s.APIs) > 0 {
				i := rnd.IntN(len(s.APIs))
				s.APIs = slices.Delete(s.APIs, i, i+1)
			}
		case 5:
			if len(s.APIs) > 0 {
				s.APIs[rnd.IntN(len(s.APIs))].Policy = fmt.Sprintf("<policies>%d</policies>", k)
			}
		case 6:
			if s.Policy.NamedValues == nil {
				s.Policy.NamedValues = map[string]string{}
			}
			s.Policy.NamedValues[fmt.Sprint(k%5)] = fmt.Sprint(k)
		case 7:
			delete(s.Policy.NamedValues, fmt.Sprint(k%5))
		case 8:
			s.Policy.Global = fmt.Sprintf("<policies>%d</policies>", k)
		case 9:
			s.Loggers = map[string]Logger{"l": {Type: "stdout"}}
		case 10:
			s.Users = map[string]User{fmt.Sprint(k % 3): {ID: fmt.Sprint(k % 3), Email: "e"}}
		default:
			if len(s.Products) > 0 {
				p := &s.Products[rnd.IntN(len(s.Products))]
				p.APIs = append(p.APIs, fmt.Sprintf("api-%d", k))
			}
		}
	}
	dedupe := func(n int, id func(i int) string, del func(i int)) {
		seen := map[string]bool{}
		for i := n - 1; i >= 0; i-- {
			if seen[id(i)] {
				del(i)
			}
			seen[id(i)] = true
		}
	}
	slices.SortStableFunc(s.Subscriptions, func(a, b Subscription) int { return cmpString(a.ID, b.ID) })
	dedupe(len(s.Subscriptions), func(i int) string { return s.Subscriptions[i].ID }, func(i int) { s.Subscriptions = slices.Delete(s.Subscriptions, i, i+1) })
	slices.SortStableFunc(s.APIs, func(a, b API) int { return cmpString(a.ID, b.ID) })
	dedupe(len(s.APIs), func(i int) string { return s.APIs[i].ID }, func(i int) { s.APIs = slices.Delete(s.APIs, i, i+1) })
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// clone returns a deep copy of s.
func clone(t testing.TB, s *Snapshot) *Snapshot { return roundTrip(t, s) }

// TestDeltaMakesTheFullSnapshot applies random changes to a snapshot
// and checks that a gateway holding the snapshot before them, applying
// the Delta as it comes off the wire, holds byte for byte the snapshot
// that a full transfer gives, through a chain of versions.
func TestDeltaMakesTheFullSnapshot(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for run := range 200 {
		old := randomSnapshot(rnd)
		held := roundTrip(t, old) // what the gateway holds
		for step := range 5 {
			next := clone(t, old)
			next.Version = old.Version + 1
			mutate(rnd, next, 1+rnd.IntN(6))
			d, err := Diff(old, next)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Apply(held, roundTrip(t, d))
			if err != nil {
				t.Fatalf("run %d step %d: %v", run, step, err)
			}
			want, _ := json.Marshal(roundTrip(t, next))
			if b, _ := json.Marshal(got); !bytes.Equal(b, want) {
				t.Fatalf("run %d step %d: the delta makes\n%s\nwant\n%s", run, step, b, want)
			}
			old, held = next, got
		}
	}
}

// TestDeltaOfOneSubscriptionIsSmall: among 10,000 subscriptions, a
// change to one sends that one.
func TestDeltaOfOneSubscriptionIsSmall(t *testing.T) {
	old := &Snapshot{Version: 1}
	for i := range 10_000 {
		old.Subscriptions = append(old.Subscriptions, Subscription{ID: fmt.Sprintf("sub-%05d", i), State: "active", Keys: []KeyDigest{DigestKey(fmt.Sprint(i))}})
	}
	next := clone(t, old)
	next.Version = 2
	next.Subscriptions[5000].State = "suspended"
	d, err := Diff(old, next)
	if err != nil {
		t.Fatal(err)
	}
	if d.Subscriptions == nil || len(d.Subscriptions.Put) != 1 || d.Subscriptions.Whole || d.APIs != nil || len(d.Replaced) != 0 {
		t.Fatalf("delta %+v, want the one subscription", d)
	}
}

// FuzzApplyDelta: a Delta off the wire, however malformed, is applied or
// refused with an error, never a panic.
func FuzzApplyDelta(f *testing.F) {
	rnd := rand.New(rand.NewPCG(3, 4))
	base := randomSnapshot(rnd)
	next := clone(f, base)
	next.Version = 2
	mutate(rnd, next, 8)
	d, err := Diff(base, next)
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := json.Marshal(d)
	f.Add(seed)
	f.Add([]byte(`{"base":1,"apis":{"put":[{"at":99,"entry":{"id":"x"}}]}}`))
	f.Add([]byte(`{"base":1,"replaced":["nope"]}`))
	f.Add([]byte(`{"base":1,"subscriptions":{"put":[{"at":3,"entry":{"id":"a"}},{"at":1,"entry":{"id":"b"}}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Delta
		if json.Unmarshal(b, &d) != nil {
			return
		}
		d.Base = base.Version
		if s, err := Apply(base, &d); err == nil && s == nil {
			t.Fatal("Apply returned neither a snapshot nor an error")
		}
	})
}
