package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

func testSnapshot(backend string) *snapshot.Snapshot {
	return &snapshot.Snapshot{
		Version: 7,
		APIs: []snapshot.API{
			{ID: "orders", Path: "shop/orders", ServiceURL: backend, SubscriptionRequired: true,
				KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
				Operations: []snapshot.Operation{
					{ID: "any", Method: "*", URLTemplate: "/*"},
					{ID: "list", Method: "GET", URLTemplate: "/"},
					{ID: "get", Method: "GET", URLTemplate: "/{id}"},
					{ID: "mine", Method: "GET", URLTemplate: "/mine"},
					{ID: "put", Method: "PUT", URLTemplate: "/{id}"},
				}},
			{ID: "shop", Path: "shop", ServiceURL: backend, KeyHeader: "k", KeyQuery: "k",
				Operations: []snapshot.Operation{{ID: "all", Method: "*", URLTemplate: "/*"}}},
			{ID: "root", Path: "", ServiceURL: backend, KeyHeader: "k", KeyQuery: "k",
				Operations: []snapshot.Operation{{ID: "health", Method: "GET", URLTemplate: "/health"}}},
			{ID: "clash", Path: "shop", ServiceURL: backend, KeyHeader: "k", KeyQuery: "k"},
		},
		Products: []snapshot.Product{{ID: "p", Published: true, APIs: []string{"orders"}}},
		Subscriptions: []snapshot.Subscription{
			{ID: "s", Scope: "/products/p", State: "active", Keys: []snapshot.KeyDigest{snapshot.DigestKey("good-key")}},
			{ID: "off", Scope: "/apis", State: "suspended", Keys: []snapshot.KeyDigest{snapshot.DigestKey("off-key")}},
		},
	}
}

func TestCompileLeavesOutBrokenAPIsOnly(t *testing.T) {
	s := NewServer(Options{})
	rt, err := s.Compile(testSnapshot("http://127.0.0.1:9"))
	if err == nil || !strings.Contains(err.Error(), "API clash") {
		t.Fatalf("Compile error = %v, want one naming api clash", err)
	}
	if len(rt.apis) != 3 || rt.Version() != 7 {
		t.Errorf("runtime has %d APIs at version %d, want 3 at 7", len(rt.apis), rt.Version())
	}
}

func TestMatch(t *testing.T) {
	rt, _ := NewServer(Options{}).Compile(testSnapshot("http://127.0.0.1:9"))
	tests := []struct {
		method, path, wantAPI, wantOp, wantRest string
	}{
		{"GET", "/shop/orders", "orders", "list", ""},
		{"GET", "/shop/orders/", "orders", "list", "/"},
		{"GET", "/shop/orders/mine", "orders", "mine", "/mine"},
		{"GET", "/shop/orders/42", "orders", "get", "/42"},
		{"PUT", "/shop/orders/42", "orders", "put", "/42"},
		{"DELETE", "/shop/orders/42", "orders", "any", "/42"},
		{"GET", "/shop/orders/42/lines", "orders", "any", "/42/lines"},
		{"GET", "/shop/ordersx", "shop", "all", "/ordersx"},
		{"GET", "/shop", "shop", "all", ""},
		{"GET", "/health", "root", "health", "/health"},
		{"GET", "/nothing", "root", "", "/nothing"},
	}
	for _, tt := range tests {
		api, op, rest := rt.match(tt.method, tt.path)
		gotAPI, gotOp := "", ""
		if api != nil {
			gotAPI = api.id
		}
		if op != nil {
			gotOp = op.id
		}
		if gotAPI != tt.wantAPI || gotOp != tt.wantOp || rest != tt.wantRest {
			t.Errorf("match(%s %s) = %q %q %q, want %q %q %q", tt.method, tt.path, gotAPI, gotOp, rest, tt.wantAPI, tt.wantOp, tt.wantRest)
		}
	}
}

func TestServeBeforeConfiguration(t *testing.T) {
	s := NewServer(Options{})
	for _, path := range []string{ReadinessPath, "/anything"} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("GET %s before configuration: %d, want 503", path, w.Code)
		}
	}
	s.Load(testSnapshot("http://127.0.0.1:9"))
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", ReadinessPath, nil))
	if w.Code != http.StatusOK {
		t.Errorf("readiness after configuration: %d", w.Code)
	}
}

func TestQueryParameters(t *testing.T) {
	if v, ok := queryValue("a=1&subscription%2Dkey=k%20y&b", "subscription-key"); !ok || v != "k y" {
		t.Errorf("queryValue = %q, %v", v, ok)
	}
	if _, ok := queryValue("subscription-keyx=1", "subscription-key"); ok {
		t.Error("queryValue matched a longer name")
	}
	if got := removeQueryParam("a=1&subscription-key=k&b=%2F&subscription-key=2", "subscription-key"); got != "a=1&b=%2F" {
		t.Errorf("removeQueryParam = %q", got)
	}
}

// discard is a ResponseWriter that keeps nothing, so benchmarks measure
// the gateway rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkRouteAndAuthorize measures the gateway's own per-request work
// before the proxy: route, operation match and key lookup.
func BenchmarkRouteAndAuthorize(b *testing.B) {
	s := NewServer(Options{})
	s.Load(testSnapshot("http://127.0.0.1:9"))
	req := httptest.NewRequest("GET", "/shop/orders/42", nil)
	req.Header.Set("Ocp-Apim-Subscription-Key", "good-key")
	b.ReportAllocs()
	for b.Loop() {
		rt := s.rt.Load()
		api, op, _ := rt.matchRequest(req)
		key, _ := api.subscriptionKey(req)
		if sub := rt.keys[snapshot.DigestKey(key)]; op == nil || sub == nil || !sub.apis.has(api.index) {
			b.Fatal("not authorised")
		}
	}
}

// BenchmarkProxyKeyed measures a whole keyed request through ServeHTTP to
// a loopback backend (which shares the process and its CPU).
func BenchmarkProxyKeyed(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true}`)
	}))
	defer backend.Close()
	s := NewServer(Options{})
	s.Load(testSnapshot(backend.URL))
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/shop/orders/42", nil)
		req.Header.Set("Ocp-Apim-Subscription-Key", "good-key")
		clear(w.h)
		s.ServeHTTP(w, req)
	}
}

// realisticPolicy is the yardstick: five set-header, a choose on a
// header, a rewrite-uri and a set-variable from an expression.
const realisticPolicy = `<policies>
  <inbound>
    <set-header name="X-A" exists-action="override"><value>a</value></set-header>
    <set-header name="X-B" exists-action="override"><value>b</value></set-header>
    <set-header name="X-C" exists-action="append"><value>c</value></set-header>
    <set-header name="X-D" exists-action="skip"><value>d</value></set-header>
    <set-header name="X-Remove" exists-action="delete" />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault("X-Tier","") == "gold")">
        <set-header name="X-Tier-Seen" exists-action="override"><value>gold</value></set-header>
      </when>
    </choose>
    <rewrite-uri template="/v2/orders/{id}" />
    <set-variable name="caller" value="@(context.Request.Headers.GetValueOrDefault("X-Caller","anonymous"))" />
  </inbound>
  <backend><forward-request /></backend>
</policies>`

// BenchmarkPolicyInbound measures what a realistic policy adds to a
// request before it is forwarded: building the policy context and running
// the inbound section.
func BenchmarkPolicyInbound(b *testing.B) {
	s := NewServer(Options{})
	snap := testSnapshot("http://127.0.0.1:9")
	snap.APIs[0].Operations[2].Policy = realisticPolicy
	s.Load(snap)
	rt := s.rt.Load()
	api, op, rest := rt.match("GET", "/shop/orders/42")
	if op == nil || op.pipe == nil {
		b.Fatal("the operation has no compiled policy")
	}
	req := httptest.NewRequest("GET", "/shop/orders/42", nil)
	req.Header.Set("X-Tier", "gold")
	req.Header.Set("X-Caller", "bench")
	b.ReportAllocs()
	for b.Loop() {
		c := s.newPolicyContext(req, api, op, nil, "", rest)
		if err := op.pipe.Run(0, c); err != nil || c.Path != "/v2/orders/42" {
			b.Fatal(err, c.Path)
		}
	}
}

func TestRequestIDs(t *testing.T) {
	ids := newRequestIDs()
	a, b := ids.next(), ids.next()
	guid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if a == b || !guid.MatchString(a) || !guid.MatchString(b) {
		t.Errorf("request ids %q, %q: want two different version-4 GUIDs", a, b)
	}
}

func TestClientAddressBehindTrustedProxies(t *testing.T) {
	trusted, err := ParsePrefixes([]string{"10.0.0.0/8", "fd00::1", " "})
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(Options{TrustedProxies: trusted})
	tests := []struct {
		peer, xff, want string
	}{
		{"10.0.0.5:1234", "203.0.113.9, 10.0.0.7", "203.0.113.9"},
		{"10.0.0.5:1234", "198.51.100.7, 203.0.113.9", "203.0.113.9"},
		{"198.51.100.1:1234", "1.2.3.4", "198.51.100.1"}, // an untrusted peer cannot claim an address
		{"10.0.0.5:1234", "10.0.0.9, 10.0.0.7", "10.0.0.9"},
		{"10.0.0.5:1234", "", "10.0.0.5"},
		{"[fd00::1]:1234", "2001:db8::5", "2001:db8::5"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.peer
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := s.clientAddress(r); got != tt.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", tt.peer, tt.xff, got, tt.want)
		}
	}
	if _, err := ParsePrefixes([]string{"10.0.0.0/33"}); err == nil {
		t.Error("ParsePrefixes accepted 10.0.0.0/33")
	}
}
