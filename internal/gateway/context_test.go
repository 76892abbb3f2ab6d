package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// TestContextProductAndUser: a product subscription's policies see
// context.Product, and its owner as context.User.
func TestContextProductAndUser(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("X-Who"))
	}))
	t.Cleanup(backend.Close)
	policy := `<policies><inbound><base /><set-header name="X-Who" exists-action="override"><value>@(context.Product.Name + "/" + context.Product.State + "/" + context.User.Email)</value></set-header></inbound><backend><base /></backend></policies>`
	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	rt, err := s.Compile(&snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend.URL, SubscriptionRequired: true, KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
			Policy: policy, Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
		Products:      []snapshot.Product{{ID: "Starter", Published: true, APIs: []string{"orders"}}},
		Subscriptions: []snapshot.Subscription{{ID: "s1", Scope: "/products/Starter", State: "active", Owner: "ann", Keys: []snapshot.KeyDigest{snapshot.DigestKey("key-of-ann-0001")}}},
		Users:         map[string]snapshot.User{"ann": {ID: "ann", Email: "ann@example.com"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Install(rt)
	req := httptest.NewRequest("GET", "/orders/1", nil)
	req.Header.Set("Ocp-Apim-Subscription-Key", "key-of-ann-0001")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 200 || w.Body.String() != "Starter/published/ann@example.com" {
		t.Errorf("%d %q, want the product and the owner", w.Code, w.Body)
	}
}
