package gateway

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// failStaticSnapshot has two open APIs, each setting a header with its
// policy, a product holding only "orders", and a global policy.
func failStaticSnapshot(backend string, version int64, ordersPolicy, productPolicy, globalPolicy string) *snapshot.Snapshot {
	api := func(id, pol string) snapshot.API {
		return snapshot.API{ID: id, Path: id, ServiceURL: backend, KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
			Policy: pol, Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}
	}
	return &snapshot.Snapshot{Version: version,
		APIs: []snapshot.API{
			api("orders", ordersPolicy),
			api("billing", `<policies><inbound><base /><set-header name="X-Tag" exists-action="override"><value>billing</value></set-header></inbound></policies>`),
		},
		Products: []snapshot.Product{{ID: "gold", Published: true, APIs: []string{"orders"}, Policy: productPolicy}},
		Policy:   snapshot.PolicyEnv{Global: globalPolicy},
	}
}

func tagPolicy(tag string) string {
	return `<policies><inbound><base /><set-header name="X-Tag" exists-action="override"><value>` + tag + `</value></set-header></inbound></policies>`
}

// TestFailStatic: an element a gateway cannot compile keeps the last
// good version of the APIs it affects, leaves the others alone, is never
// skipped (fail open), and shows in the report.
func TestFailStatic(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("X-Tag")+"|"+r.Header.Get("X-Global"))
	}))
	t.Cleanup(backend.Close)
	get := func(s *Server, path string) (int, string) {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Code, w.Body.String()
	}
	expect := func(t *testing.T, s *Server, path string, code int, body string) {
		t.Helper()
		if c, b := get(s, path); c != code || (body != "" && b != body) {
			t.Errorf("GET %s = %d %q, want %d %q", path, c, b, code, body)
		}
	}
	global := `<policies><inbound><set-header name="X-Global" exists-action="override"><value>g</value></set-header></inbound></policies>`

	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	if err := s.Load(failStaticSnapshot(backend.URL, 1, tagPolicy("v1"), "", global)); err != nil {
		t.Fatalf("clean snapshot: %v", err)
	}
	expect(t, s, "/orders/x", 200, "v1|g")

	t.Run("API policy that does not compile keeps the last good version", func(t *testing.T) {
		bad := `<policies><inbound><base /><set-header name="X-Tag" exists-action="sometimes"><value>v2</value></set-header></inbound></policies>`
		err := s.Load(failStaticSnapshot(backend.URL, 2, bad, "", global))
		if !errors.Is(err, compile.ErrRejected) {
			t.Fatalf("Load = %v, want ErrRejected", err)
		}
		expect(t, s, "/orders/x", 200, "v1|g")
		expect(t, s, "/billing/x", 200, "billing|g")
		ds := s.Rejected()
		if len(ds) != 1 || ds[0].API != "orders" || ds[0].Resource != "/apis/orders/policy" || ds[0].Line != 1 || ds[0].Element != "inbound/set-header[1]" {
			t.Errorf("rejected = %+v, want one diagnostic of /apis/orders/policy at line 1", ds)
		}
		if v, ok := s.Runtime().APIVersion("orders"); !ok || v != 1 {
			t.Errorf("orders served at version %d (%v), want 1", v, ok)
		}
	})

	t.Run("a product policy problem stops only the product's APIs", func(t *testing.T) {
		badProduct := `<policies><inbound><base /><rewrite-uri template="/x" copy-unmatched-params="maybe" /></inbound></policies>`
		s.Load(failStaticSnapshot(backend.URL, 3, tagPolicy("v3"), badProduct, global))
		expect(t, s, "/orders/x", 200, "v1|g") // still the last good version
		expect(t, s, "/billing/x", 200, "billing|g")
		for _, d := range s.Rejected() {
			if d.Resource != "/products/gold/policy" || d.API == "billing" {
				t.Errorf("rejected %+v, want only the product's policy, not billing", d)
			}
		}
		if len(s.Rejected()) == 0 {
			t.Error("nothing rejected")
		}
	})

	t.Run("a global policy that does not compile is never skipped", func(t *testing.T) {
		badGlobal := `<policies><inbound><ip-filter action="forbid"><address-range from="0.0.0.0" to="nope" /></ip-filter></inbound></policies>`
		s.Load(failStaticSnapshot(backend.URL, 4, tagPolicy("v4"), "", badGlobal))
		expect(t, s, "/orders/x", 200, "v1|g")
		expect(t, s, "/billing/x", 200, "billing|g")
		for _, d := range s.Rejected() {
			if d.Resource != "/policy" {
				t.Errorf("rejected %+v, want only the global policy", d)
			}
		}
	})

	t.Run("a new gateway with nothing good answers 500, never without the policy", func(t *testing.T) {
		fresh := NewServer(Options{})
		t.Cleanup(func() { fresh.Close() })
		badGlobal := `<policies><inbound><ip-filter action="forbid"><address-range from="0.0.0.0" to="nope" /></ip-filter></inbound></policies>`
		fresh.Load(failStaticSnapshot(backend.URL, 4, tagPolicy("v4"), "", badGlobal))
		expect(t, fresh, "/orders/x", 500, "")
		expect(t, fresh, "/billing/x", 500, "")
		expect(t, fresh, "/nothing/x", 404, "")
	})

	t.Run("a fixed configuration is installed whole", func(t *testing.T) {
		if err := s.Load(failStaticSnapshot(backend.URL, 5, tagPolicy("v5"), "", global)); err != nil {
			t.Fatal(err)
		}
		expect(t, s, "/orders/x", 200, "v5|g")
		if len(s.Rejected()) != 0 {
			t.Errorf("rejected = %+v, want none", s.Rejected())
		}
	})
}

// TestLiteralsCheckedWhenCompiled: a condition that is neither true,
// false nor an expression is a compile problem, not a run-time failure.
func TestLiteralsCheckedWhenCompiled(t *testing.T) {
	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	_, err := s.Compile(failStaticSnapshot("http://127.0.0.1:9", 1,
		`<policies><inbound><base /><choose><when condition="yes"><set-header name="a" exists-action="override"><value>b</value></set-header></when></choose></inbound></policies>`, "", ""))
	if err == nil || !strings.Contains(err.Error(), `"yes" is not a condition`) {
		t.Errorf("Compile = %v, want the condition refused", err)
	}
}
