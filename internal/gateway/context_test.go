package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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

// TestContextObjectsCompiledOnce: context.Api and context.Operation are
// made when the configuration is compiled and shared by requests, which
// see the right values through them; what a request sets (variables, the
// key it presented) stays its own.
func TestContextObjectsCompiledOnce(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("X-Seen"))
	}))
	t.Cleanup(backend.Close)
	snap := testSnapshot(backend.URL)
	snap.APIs[0].Name = "Orders"
	snap.APIs[0].Operations[2].Policy = `<policies><inbound>
	  <set-header name="X-Seen" exists-action="override"><value>@(context.Api.Name + "|" + context.Api.ServiceUrl.Host + "|" + context.Operation.Id + "|" + context.Operation.UrlTemplate + "|" + context.Subscription.Key + "|" + context.Variables.GetValueOrDefault("v", "none"))</value></set-header>
	  <set-variable name="v" value="@(context.Request.Url.Path)" />
	</inbound><backend><forward-request /></backend></policies>`
	snap.Subscriptions = append(snap.Subscriptions, snapshot.Subscription{ID: "s2", Scope: "/products/p", State: "active",
		Keys: []snapshot.KeyDigest{snapshot.DigestKey("other-key")}})
	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	s.Load(snap)
	front := httptest.NewServer(s)
	t.Cleanup(front.Close)
	host := strings.TrimPrefix(backend.URL, "http://")
	host, _, _ = strings.Cut(host, ":")
	for _, key := range []string{"good-key", "other-key", "good-key"} {
		req, _ := http.NewRequest("GET", front.URL+"/shop/orders/42", nil)
		req.Header.Set("Ocp-Apim-Subscription-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := "Orders|" + host + "|get|/{id}|" + key + "|none"; resp.StatusCode != 200 || string(body) != want {
			t.Errorf("key %s: %d %q, want 200 %q", key, resp.StatusCode, body, want)
		}
	}
	rt := s.Runtime()
	api, op, rest := rt.match("GET", "/shop/orders/42")
	a := s.newPolicyContext(httptest.NewRequest("GET", "/shop/orders/42", nil), api, op, nil, "", rest)
	b := s.newPolicyContext(httptest.NewRequest("GET", "/shop/orders/42", nil), api, op, nil, "", rest)
	if a.API != b.API || a.Operation != b.Operation || a.API == nil || a.Operation == nil {
		t.Error("context.Api and context.Operation are made per request, want them made once per configuration")
	}
	if a.Request == b.Request || a.Request.URL == a.Request.OriginalURL {
		t.Error("requests share their context.Request, or its Url and OriginalUrl")
	}
}
