package snapshot

import (
	"maps"
	"slices"
	"testing"
)

// TestDigestParts: a change to one API's record or to the products with
// a policy that hold it changes that API's digest alone; a change to a
// named value or fragment changes its digest alone, and so the inputs'
// digest of the APIs that use it; a change to an input every API shares
// changes the shared digest; subscriptions and owners change neither.
func TestDigestParts(t *testing.T) {
	base := func() *Snapshot {
		return &Snapshot{Version: 1,
			APIs: []API{{ID: "A", Path: "a", Policy: "<policies />", Operations: []Operation{{ID: "o", Method: "GET", URLTemplate: "/"}}},
				{ID: "b", Path: "b"}},
			Products:      []Product{{ID: "p", APIs: []string{"a"}, Policy: "<policies />"}, {ID: "open", APIs: []string{"b"}}},
			Subscriptions: []Subscription{{ID: "s", Scope: "/products/p", State: "active"}},
			Policy:        PolicyEnv{NamedValues: map[string]string{"n": "v"}},
		}
	}
	tests := []struct {
		name        string
		change      func(s *Snapshot)
		shared      bool     // the shared digest changes
		apisChanged []string // the APIs whose digest changes
		namedValue  bool     // the digest of named value n changes
		fragment    bool     // the digest of fragment f changes
	}{
		{name: "version and subscriptions", change: func(s *Snapshot) {
			s.Version, s.Subscriptions, s.Users = 2, nil, map[string]User{"u": {ID: "u"}}
		}},
		{name: "operation policy", change: func(s *Snapshot) { s.APIs[0].Operations[0].Policy = "<policies><inbound /></policies>" }, apisChanged: []string{"a"}},
		{name: "API record", change: func(s *Snapshot) { s.APIs[1].ServiceURL = "http://x" }, apisChanged: []string{"b"}},
		{name: "API joins a product with a policy", change: func(s *Snapshot) { s.Products[0].APIs = append(s.Products[0].APIs, "B") }, apisChanged: []string{"b"}},
		{name: "API joins a product without a policy", change: func(s *Snapshot) { s.Products[1].APIs = append(s.Products[1].APIs, "a") }},
		{name: "product published", change: func(s *Snapshot) { s.Products[0].Published = true }},
		{name: "named value", change: func(s *Snapshot) { s.Policy.NamedValues["n"] = "w" }, namedValue: true},
		{name: "named value made secret", change: func(s *Snapshot) { s.Policy.Secrets = []string{"n"} }, namedValue: true},
		{name: "fragment", change: func(s *Snapshot) { s.Policy.Fragments = map[string]string{"f": "<fragment />"} }, fragment: true},
		{name: "product policy", change: func(s *Snapshot) { s.Products[0].Policy = "<policies><inbound /></policies>" }, shared: true},
		{name: "global policy", change: func(s *Snapshot) { s.Policy.Global = "<policies />" }, shared: true},
		{name: "backend", change: func(s *Snapshot) { s.Backends = map[string]Backend{"x": {URL: "http://x"}} }, shared: true},
		{name: "version set", change: func(s *Snapshot) { s.VersionSets = map[string]VersionSet{"v": {Scheme: "Segment"}} }, shared: true},
		{name: "logger", change: func(s *Snapshot) { s.Loggers = map[string]Logger{"l": {Type: "stdout"}} }, shared: true},
		{name: "diagnostic", change: func(s *Snapshot) {
			s.Diagnostics = []Diagnostic{{ID: "azuremonitor", API: "a", Logger: "l", Percentage: 50}}
		}, shared: true},
	}
	before, err := DigestParts(base())
	if err != nil {
		t.Fatal(err)
	}
	if len(before.APIs) != 2 || before.APIs["a"] == "" || before.APIs["b"] == "" {
		t.Fatalf("API digests %v, want one per API by lower-case id", before.APIs)
	}
	routes, err := RoutesDigest(base())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(s)
			if d, err := RoutesDigest(s); err != nil || (tt.shared && d == routes) {
				t.Errorf("routes digest unchanged by a shared input (%v)", err)
			}
			after, err := DigestParts(s)
			if err != nil {
				t.Fatal(err)
			}
			if (after.Shared != before.Shared) != tt.shared {
				t.Errorf("shared digest changed: %v, want %v", after.Shared != before.Shared, tt.shared)
			}
			if (after.NamedValues["n"] != before.NamedValues["n"]) != tt.namedValue {
				t.Errorf("named value digest changed: %v, want %v", after.NamedValues["n"] != before.NamedValues["n"], tt.namedValue)
			}
			if (after.Fragments["f"] != before.Fragments["f"]) != tt.fragment {
				t.Errorf("fragment digest changed: %v, want %v", after.Fragments["f"] != before.Fragments["f"], tt.fragment)
			}
			uses := Uses{NamedValues: []string{"n"}, Fragments: []string{"f"}}
			if (after.Inputs("b", uses) != before.Inputs("b", uses)) != (tt.namedValue || tt.fragment || slices.Contains(tt.apisChanged, "b")) {
				t.Error("the inputs' digest of an API using n and f does not follow their changes")
			}
			if after.Inputs("b", Uses{}) != before.Inputs("b", Uses{}) && !slices.Contains(tt.apisChanged, "b") {
				t.Error("the inputs' digest of an API using nothing changed")
			}
			var changed []string
			for _, id := range []string{"a", "b"} {
				if after.APIs[id] != before.APIs[id] {
					changed = append(changed, id)
				}
			}
			if !maps.Equal(setOf(changed), setOf(tt.apisChanged)) {
				t.Errorf("API digests changed for %v, want %v", changed, tt.apisChanged)
			}
		})
	}
}

func setOf(ids []string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}
