package gateway

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// scaleSnapshot is a configuration of n APIs of 20 operations, shaped as
// BenchmarkConfigScale's: one product per five APIs with a
// rate-limit-by-key policy, and API policies that use 500 named values.
func scaleSnapshot(n int, backend string) *snapshot.Snapshot {
	const namedValues, opsPerAPI, apisPerProduct = 500, 20, 5
	snap := &snapshot.Snapshot{Version: 1, Policy: snapshot.PolicyEnv{NamedValues: map[string]string{}}}
	for i := range namedValues {
		snap.Policy.NamedValues[fmt.Sprintf("nv-%d", i)] = fmt.Sprintf("value-%d", i)
	}
	products := max(n/apisPerProduct, 1)
	for p := range products {
		snap.Products = append(snap.Products, snapshot.Product{ID: fmt.Sprintf("product-%d", p), Published: true,
			Policy: `<policies><inbound><base /><rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Subscription.Id)" /></inbound>` +
				`<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`})
	}
	methods := []string{"GET", "POST", "PUT", "DELETE"}
	for a := range n {
		id := fmt.Sprintf("api-%d", a)
		api := snapshot.API{ID: id, Path: id, ServiceURL: backend + "/" + id, KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
			Policy: apiTagPolicy(fmt.Sprintf("{{nv-%d}}", a%namedValues))}
		for o := range opsPerAPI {
			api.Operations = append(api.Operations, snapshot.Operation{ID: fmt.Sprintf("op-%d", o), Method: methods[o%len(methods)],
				URLTemplate: fmt.Sprintf("/resource-%d/{id}", o/len(methods))})
		}
		snap.APIs = append(snap.APIs, api)
		p := &snap.Products[a%products]
		p.APIs = append(p.APIs, id)
	}
	return snap
}

// apiTagPolicy sets X-Tag to tag on the way in.
func apiTagPolicy(tag string) string {
	return `<policies><inbound><base /><set-header name="X-Tag" exists-action="override"><value>` + tag + `</value></set-header></inbound>` +
		`<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`
}

// BenchmarkInstallOneAPIChanged measures Load of a snapshot of 1,000
// APIs (20,000 operations) in which one API's policy differs from the
// installed configuration's ("api"), one in which a named value that two
// APIs use does ("named-value"), and one in which the global policy does
// ("global-policy"), which compiles every API.
//
//	go test ./internal/gateway -run '^$' -bench InstallOneAPIChanged -benchtime 20x -benchmem
func BenchmarkInstallOneAPIChanged(b *testing.B) {
	for _, change := range []string{"api", "named-value", "global-policy"} {
		b.Run(change, func(b *testing.B) {
			s := NewServer(Options{})
			b.Cleanup(func() { s.Close() })
			snap := scaleSnapshot(1000, "http://127.0.0.1:9")
			if err := s.Load(snap); err != nil {
				b.Fatal(err)
			}
			next := *snap
			next.APIs = append([]snapshot.API(nil), snap.APIs...)
			next.Policy.NamedValues = maps.Clone(snap.Policy.NamedValues)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				next.Version = int64(i + 2)
				switch change {
				case "api":
					next.APIs[500].Policy = apiTagPolicy(fmt.Sprintf("v%d", i))
				case "named-value":
					next.Policy.NamedValues["nv-0"] = fmt.Sprintf("v%d", i)
				default:
					next.Policy.Global = fmt.Sprintf(`<policies><inbound><set-header name="X-Global" exists-action="override"><value>v%d</value></set-header></inbound></policies>`, i)
				}
				if err := s.Load(&next); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// incrementalSnapshot has three open APIs that tag requests with their
// policies, billing's through a named value, and billing needing a key
// of a product subscription.
func incrementalSnapshot(backend string, version int64, tags map[string]string, billingValue string) *snapshot.Snapshot {
	api := func(id string) snapshot.API {
		return snapshot.API{ID: id, Path: id, ServiceURL: backend, KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
			Policy: apiTagPolicy(tags[id]), Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}
	}
	snap := &snapshot.Snapshot{Version: version,
		APIs:          []snapshot.API{api("orders"), api("billing"), api("shipping")},
		Products:      []snapshot.Product{{ID: "gold", Published: true, APIs: []string{"billing"}}},
		Subscriptions: []snapshot.Subscription{{ID: "s", Scope: "/products/gold", State: "active", Keys: []snapshot.KeyDigest{snapshot.DigestKey("gold-key")}}},
		Policy:        snapshot.PolicyEnv{NamedValues: map[string]string{"billing": billingValue}},
	}
	snap.APIs[1].SubscriptionRequired = true
	return snap
}

// TestIncrementalCompile: a snapshot whose shared inputs are the
// installed one's recompiles only the APIs that changed, keeps the other
// routes as they are, and serves the changed ones' new policies; a
// change to a shared input recompiles every API; an API that does not
// compile keeps its last good version meanwhile.
func TestIncrementalCompile(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("X-Tag")+r.Header.Get("X-Product"))
	}))
	t.Cleanup(backend.Close)
	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	front := httptest.NewServer(s)
	t.Cleanup(front.Close)
	expect := func(t *testing.T, path, want string) {
		t.Helper()
		req, _ := http.NewRequest("GET", front.URL+path, nil)
		req.Header.Set("Ocp-Apim-Subscription-Key", "gold-key")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != want {
			t.Errorf("GET %s = %d %q, want 200 %q", path, resp.StatusCode, body, want)
		}
	}
	routes := func() map[string]*apiRoute { return maps.Clone(s.Runtime().byID) }
	load := func(t *testing.T, snap *snapshot.Snapshot) error {
		t.Helper()
		err := s.Load(snap)
		if err != nil && !errors.Is(err, compile.ErrRejected) {
			t.Fatalf("Load: %v", err)
		}
		return err
	}
	tags := map[string]string{"orders": "o1", "billing": "{{billing}}", "shipping": "s1"}
	if err := load(t, incrementalSnapshot(backend.URL, 1, tags, "b1")); err != nil {
		t.Fatal(err)
	}
	expect(t, "/orders/x", "o1")
	expect(t, "/billing/x", "b1")

	t.Run("one API's policy recompiles that API only", func(t *testing.T) {
		before := routes()
		tags["orders"] = "o2"
		if err := load(t, incrementalSnapshot(backend.URL, 2, tags, "b1")); err != nil {
			t.Fatal(err)
		}
		after := routes()
		if after["billing"] != before["billing"] || after["shipping"] != before["shipping"] {
			t.Error("APIs that did not change were compiled again")
		}
		if after["orders"] == before["orders"] {
			t.Error("the changed API kept its old route")
		}
		if n := s.Runtime().compiled; n != 1 {
			t.Errorf("%d APIs compiled, want 1", n)
		}
		expect(t, "/orders/x", "o2")
		expect(t, "/billing/x", "b1")
		expect(t, "/shipping/x", "s1")
		if v, _ := s.Runtime().APIVersion("orders"); v != 2 {
			t.Errorf("orders compiled at version %d, want 2", v)
		}
	})

	t.Run("a named value recompiles the APIs that use it", func(t *testing.T) {
		before := routes()
		if err := load(t, incrementalSnapshot(backend.URL, 3, tags, "b3")); err != nil {
			t.Fatal(err)
		}
		after := routes()
		if after["billing"] == before["billing"] || after["orders"] != before["orders"] || after["shipping"] != before["shipping"] {
			t.Error("want billing alone compiled again")
		}
		expect(t, "/billing/x", "b3")
		expect(t, "/orders/x", "o2")
	})

	t.Run("a broken API keeps its last good version", func(t *testing.T) {
		tags["orders"] = "{{missing}}"
		if err := load(t, incrementalSnapshot(backend.URL, 4, tags, "b3")); err == nil {
			t.Fatal("Load accepted an API with a missing named value")
		}
		expect(t, "/orders/x", "o2")
		if v, ok := s.Runtime().APIVersion("orders"); !ok || v != 2 {
			t.Errorf("orders served at version %d (%v), want its last good, 2", v, ok)
		}
		// Another API changes while orders is still broken: orders is
		// compiled again, reported again and still served as it was.
		before := routes()
		tags["shipping"] = "s5"
		if err := load(t, incrementalSnapshot(backend.URL, 5, tags, "b3")); err == nil {
			t.Fatal("Load no longer reports the broken API")
		}
		if ds := s.Rejected(); len(ds) != 1 || ds[0].API != "orders" {
			t.Errorf("rejected %+v, want orders' problem alone", ds)
		}
		if routes()["billing"] != before["billing"] {
			t.Error("billing was compiled again")
		}
		expect(t, "/orders/x", "o2")
		expect(t, "/shipping/x", "s5")
		tags["orders"] = "o6"
		if err := load(t, incrementalSnapshot(backend.URL, 6, tags, "b3")); err != nil {
			t.Fatal(err)
		}
		expect(t, "/orders/x", "o6")
		if len(s.Rejected()) != 0 {
			t.Errorf("rejected %+v after the fix", s.Rejected())
		}
	})

	t.Run("an API removed moves the others' keys with them", func(t *testing.T) {
		before := routes()
		snap := incrementalSnapshot(backend.URL, 7, tags, "b3")
		snap.APIs = snap.APIs[1:]
		if err := load(t, snap); err != nil {
			t.Fatal(err)
		}
		after := routes()
		if after["orders"] != nil || after["billing"] == nil || after["billing"].ops[0].pipe != before["billing"].ops[0].pipe {
			t.Error("billing's pipeline was compiled again, or orders is still served")
		}
		expect(t, "/billing/x", "b3")
		expect(t, "/shipping/x", "s5")
	})

	t.Run("a product policy recompiles every API, an API joining it that API", func(t *testing.T) {
		gold := `<policies><inbound><base /><set-header name="X-Product" exists-action="override"><value>+gold</value></set-header></inbound></policies>`
		before := routes()
		snap := incrementalSnapshot(backend.URL, 8, tags, "b3")
		snap.Products[0].Policy = gold
		if err := load(t, snap); err != nil {
			t.Fatal(err)
		}
		for id, r := range routes() {
			if r == before[id] {
				t.Errorf("API %s kept its route across a product policy's change", id)
			}
		}
		expect(t, "/billing/x", "b3+gold")
		expect(t, "/shipping/x", "s5")
		before = routes()
		snap = incrementalSnapshot(backend.URL, 9, tags, "b3")
		snap.Products[0].Policy = gold
		snap.Products[0].APIs = append(snap.Products[0].APIs, "shipping")
		if err := load(t, snap); err != nil {
			t.Fatal(err)
		}
		after := routes()
		if after["orders"] != before["orders"] || after["billing"] != before["billing"] || after["shipping"] == before["shipping"] {
			t.Error("want shipping alone compiled again")
		}
		expect(t, "/shipping/x", "s5+gold")
	})
}

// TestSharedInputRecompilesItsUsers: among 1,000 APIs, a change to a
// named value, or to a policy fragment, recompiles only the APIs whose
// effective policy (any scope: API, operation, product, or a fragment it includes, directly or
// through another fragment) uses it, and requests see the new value at
// once; a change to the global policy recompiles every API.
func TestSharedInputRecompilesItsUsers(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("X-Tag")+"|"+r.Header.Get("X-Frag"))
	}))
	t.Cleanup(backend.Close)
	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	front := httptest.NewServer(s)
	t.Cleanup(front.Close)
	expect := func(t *testing.T, path, want string) {
		t.Helper()
		resp, err := http.Get(front.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != want {
			t.Errorf("GET %s = %d %q, want 200 %q", path, resp.StatusCode, body, want)
		}
	}
	snap := scaleSnapshot(1000, backend.URL)
	frag := func(v string) string {
		return `<fragment><set-header name="X-Frag" exists-action="override"><value>` + v + `</value></set-header></fragment>`
	}
	snap.Policy.NamedValues["solo"] = "one"
	snap.Policy.NamedValues["in-fragment"] = "f1"
	snap.Policy.Fragments = map[string]string{
		"direct": frag("d1"),
		"outer":  `<fragment><include-fragment fragment-id="inner" /></fragment>`,
		"inner":  frag("{{in-fragment}}"),
	}
	snap.Policy.NamedValues["in-product"] = "p1"
	snap.Products[3].Policy = `<policies><inbound><base /><set-header name="X-Product" exists-action="override"><value>{{in-product}}</value></set-header></inbound></policies>`
	snap.APIs[7].Policy = apiTagPolicy("{{ solo }}")
	snap.APIs[9].Operations[0].Policy = `<policies><inbound><base /><include-fragment fragment-id="direct" /></inbound></policies>`
	snap.APIs[11].Policy = `<policies><inbound><base /><include-fragment fragment-id="Outer" /></inbound></policies>`
	if err := s.Load(snap); err != nil {
		t.Fatal(err)
	}
	expect(t, "/api-7/resource-0/1", "one|")
	expect(t, "/api-9/resource-0/1", "value-9|d1")
	expect(t, "/api-11/resource-0/1", "|f1")
	tests := []struct {
		name   string
		change func(s *snapshot.Snapshot)
		want   []string // the APIs compiled again
		path   string
		body   string
	}{
		{name: "named value in an API policy", change: func(s *snapshot.Snapshot) { s.Policy.NamedValues["solo"] = "two" },
			want: []string{"api-7"}, path: "/api-7/resource-0/1", body: "two|"},
		{name: "fragment included by an operation", change: func(s *snapshot.Snapshot) { s.Policy.Fragments["direct"] = frag("d2") },
			want: []string{"api-9"}, path: "/api-9/resource-0/1", body: "value-9|d2"},
		{name: "fragment included through another", change: func(s *snapshot.Snapshot) { s.Policy.Fragments["inner"] = frag("i-{{in-fragment}}") },
			want: []string{"api-11"}, path: "/api-11/resource-0/1", body: "|i-f1"},
		{name: "named value in a fragment", change: func(s *snapshot.Snapshot) { s.Policy.NamedValues["in-fragment"] = "f2" },
			want: []string{"api-11"}, path: "/api-11/resource-0/1", body: "|i-f2"},
		{name: "named value nobody uses", change: func(s *snapshot.Snapshot) { s.Policy.NamedValues["unused"] = "x" },
			path: "/api-7/resource-0/1", body: "two|"},
		{name: "named value in a product policy", change: func(s *snapshot.Snapshot) { s.Policy.NamedValues["in-product"] = "p2" },
			want: []string{"api-203", "api-3", "api-403", "api-603", "api-803"}, path: "/api-7/resource-0/1", body: "two|"},
		{name: "named value deleted", change: func(s *snapshot.Snapshot) { delete(s.Policy.NamedValues, "nv-499") },
			want: []string{"api-499", "api-999"}, path: "/api-7/resource-0/1", body: "two|"},
		{name: "named value created again", change: func(s *snapshot.Snapshot) { s.Policy.NamedValues["nv-499"] = "back" },
			want: []string{"api-499", "api-999"}, path: "/api-499/resource-0/1", body: "back|"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := *snap
			next.Version = int64(i + 2)
			next.Policy.NamedValues = maps.Clone(snap.Policy.NamedValues)
			next.Policy.Fragments = maps.Clone(snap.Policy.Fragments)
			tt.change(&next)
			before := s.Runtime().byID
			if err := s.Load(&next); err != nil && !errors.Is(err, compile.ErrRejected) {
				t.Fatal(err)
			}
			snap = &next
			after := s.Runtime().byID
			var compiled []string
			for id, r := range after {
				if r != before[id] {
					compiled = append(compiled, id)
				}
			}
			slices.Sort(compiled)
			if !slices.Equal(compiled, tt.want) || s.Runtime().compiled != len(tt.want) {
				t.Errorf("compiled %v (count %d), want %v", compiled, s.Runtime().compiled, tt.want)
			}
			expect(t, tt.path, tt.body)
		})
	}
	t.Run("global policy", func(t *testing.T) {
		next := *snap
		next.Version = 100
		next.Policy.Global = `<policies><inbound><set-header name="X-Frag" exists-action="override"><value>g</value></set-header></inbound></policies>`
		if err := s.Load(&next); err != nil {
			t.Fatal(err)
		}
		if n := s.Runtime().compiled; n != 1000 {
			t.Errorf("%d APIs compiled, want all 1,000", n)
		}
		expect(t, "/api-7/resource-0/1", "two|g")
	})
}
