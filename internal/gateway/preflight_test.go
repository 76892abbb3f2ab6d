package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// TestCORSPreflightWithoutOptionsOperation: an API-scope <cors> answers a
// browser's preflight although the API has only GET and PUT operations
// and requires a key, which a preflight never carries.
func TestCORSPreflightWithoutOptionsOperation(t *testing.T) {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.WriteString(w, "backend")
	}))
	t.Cleanup(backend.Close)
	cors := `<policies><inbound><base /><cors><allowed-origins><origin>https://shop.example.com</origin></allowed-origins>` +
		`<allowed-methods><method>GET</method><method>PUT</method></allowed-methods><allowed-headers><header>content-type</header></allowed-headers></cors></inbound></policies>`
	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	s.Load(&snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend.URL,
		SubscriptionRequired: true, KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key", Policy: cors,
		Operations: []snapshot.Operation{{ID: "get", Method: "GET", URLTemplate: "/{id}"}, {ID: "put", Method: "PUT", URLTemplate: "/{id}"}}}}})
	preflight := func(origin, method, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, path, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w
	}
	w := preflight("https://shop.example.com", "PUT", "/orders/42")
	if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "https://shop.example.com" || w.Header().Get("Access-Control-Allow-Methods") != "GET, PUT" {
		t.Errorf("allowed preflight: %d %v", w.Code, w.Header())
	}
	w = preflight("https://evil.example.com", "PUT", "/orders/42")
	if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v, want an empty 200", w.Code, w.Header())
	}
	if w := preflight("https://shop.example.com", "PUT", "/orders/42/deeper"); w.Code != 404 {
		t.Errorf("preflight to a path no operation serves: %d, want 404", w.Code)
	}
	req := httptest.NewRequest(http.MethodOptions, "/orders/42", nil)
	w = httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 404 {
		t.Errorf("OPTIONS that is not a preflight: %d, want 404", w.Code)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the backend was called %d times", n)
	}
}

// TestContextDeployment: context.Deployment is never null and says where
// the gateway runs.
func TestContextDeployment(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("X-Where"))
	}))
	t.Cleanup(backend.Close)
	pol := `<policies><inbound><base /><set-header name="X-Where" exists-action="override"><value>@(context.Deployment.Region + "|" + context.Deployment.ServiceName + "|" + context.Deployment.ServiceId + "|" + context.Deployment.Gateway.Id + "|" + context.Deployment.Gateway.InstanceId + "|" + context.Deployment.Gateway.IsManaged + "|" + context.Deployment.GatewayId)</value></set-header></inbound></policies>`
	for _, tt := range []struct {
		d    Deployment
		want string
	}{
		{Deployment{}, "|||||False|"},
		{Deployment{Region: "westeurope", ServiceName: "contoso", GatewayID: "edge", InstanceID: "edge-1"}, "westeurope|contoso|contoso|edge|edge-1|False|edge"},
		{Deployment{ServiceName: "gatehouse", GatewayID: "managed", InstanceID: "host", Managed: true}, "|gatehouse|gatehouse|managed|host|True|managed"},
	} {
		s := NewServer(Options{Deployment: tt.d})
		s.Load(&snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "a", Path: "a", ServiceURL: backend.URL, KeyHeader: "k", KeyQuery: "k", Policy: pol,
			Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}}})
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/a/x", nil))
		if w.Code != 200 || w.Body.String() != tt.want {
			t.Errorf("%+v: %d %q, want %q", tt.d, w.Code, w.Body, tt.want)
		}
		s.Close()
	}
}
