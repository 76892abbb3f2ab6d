package gateway

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"go.uber.org/goleak"

	"github.com/gatehouse/gatehouse/internal/gateway/forwardertest"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// TestForwarderConformance runs the forwarder conformance suite through a
// real gateway Server on loopback: on the path without a policy, with
// the h1 forwarder (which the gateway picks for an http:// backend) and
// with ReverseProxy alone, and on the policy path, with and without
// outbound and forward-request attributes.
func TestForwarderConformance(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const inbound = `<inbound><set-header name="X-Policy" exists-action="override"><value>in</value></set-header></inbound>`
	t.Run("no-policy-reverseproxy", func(t *testing.T) {
		forwardertest.Run(t, func(t *testing.T, backendURL string) string {
			return startGatewayWith(t, backendURL, "", Options{}, withoutFastPath)
		})
	})
	t.Run("policy-inbound-reverseproxy-only", func(t *testing.T) {
		forwardertest.Run(t, func(t *testing.T, backendURL string) string {
			return startGatewayWith(t, backendURL, `<policies>`+inbound+`<backend><forward-request /></backend></policies>`,
				Options{}, withProxyOnly)
		})
	})
	for _, tt := range []struct {
		name   string
		policy string // "": the path without a policy
	}{
		{"no-policy-h1", ""},
		{"policy-inbound", `<policies>` + inbound + `<backend><forward-request /></backend></policies>`},
		{"policy-outbound", `<policies>` + inbound + `<backend><forward-request /></backend>
		  <outbound><set-header name="X-Outbound" exists-action="override"><value>out</value></set-header></outbound></policies>`},
		{"policy-forward-request-attributes", `<policies>` + inbound + `<backend>
		  <forward-request timeout="60" follow-redirects="true" buffer-response="false" /></backend></policies>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			forwardertest.Run(t, func(t *testing.T, backendURL string) string {
				return startGateway(t, backendURL, tt.policy)
			})
		})
	}
}

// startGateway serves one open API at /conf in front of backendURL with
// policy at the API scope, through a real Server on loopback, and
// returns the API's URL. It checks that the operation takes the path
// the policy selects.
func startGateway(t *testing.T, backendURL, policy string) string {
	t.Helper()
	return startGatewayWith(t, backendURL, policy, Options{})
}

// withoutFastPath makes a Server serve operations without a policy with
// ReverseProxy alone.
func withoutFastPath(s *Server) { s.noFastPath = true }

// withProxyOnly makes a Server forward every request on the policy path
// with the relay's send proxy and write every backend response with its
// reply proxy, plain ones included (no sendDirect, no writePlain).
func withProxyOnly(s *Server) { s.relay.proxyOnly = true }

// startGatewayWith is startGateway with a Server made from opts and then
// changed by each of set. Without set, the path without a policy must
// be the h1 forwarder.
func startGatewayWith(t *testing.T, backendURL, policy string, opts Options, set ...func(*Server)) string {
	t.Helper()
	tr := newTransport(0)
	t.Cleanup(tr.CloseIdleConnections)
	opts.Transport = tr
	s := NewServer(opts)
	for _, f := range set {
		f(s)
	}
	t.Cleanup(func() { s.Close() })
	rt, err := s.Compile(&snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "conf", Path: "conf", ServiceURL: backendURL,
		KeyHeader: "k", KeyQuery: "k", Policy: policy,
		Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, op, _ := rt.match(http.MethodGet, "/conf/x")
	if op == nil || (op.pipe == nil) != (policy == "") {
		t.Fatalf("the operation does not take the path its policy selects (policy %q)", policy)
	}
	if _, fast := rt.byID["conf"].proxy.(*fastProxy); policy == "" && len(set) == 0 && opts.TracerProvider == nil && !fast {
		t.Fatal("the path without a policy does not use the h1 forwarder")
	}
	s.Install(rt)
	gw := httptest.NewServer(s)
	t.Cleanup(gw.Close)
	return gw.URL + "/conf"
}

// TestBackendQuery: the client's query goes out as written unless a
// policy changed it; then only what the policy changed is rewritten.
func TestBackendQuery(t *testing.T) {
	const raw = "b=2&a=1&a=%2F&c&d=%7E+x"
	for _, tt := range []struct {
		name   string
		change func(q url.Values)
		want   string
	}{
		{"unchanged", func(url.Values) {}, raw},
		{"a parameter added", func(q url.Values) { q.Set("z", "new value") }, raw + "&z=new+value"},
		{"two added, sorted", func(q url.Values) { q.Set("z", "1"); q.Set("y", "2") }, raw + "&y=2&z=1"},
		{"a repeated parameter replaced", func(q url.Values) { q.Set("a", "x/y") }, "b=2&a=x%2Fy&c&d=%7E+x"},
		{"a parameter removed", func(q url.Values) { q.Del("b") }, "a=1&a=%2F&c&d=%7E+x"},
		{"all removed", func(q url.Values) { clear(q) }, ""},
	} {
		q, _ := url.ParseQuery(raw)
		tt.change(q)
		if got := backendQuery(raw, q); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := backendQuery("", url.Values{"k": {"v"}}); got != "k=v" {
		t.Errorf("a parameter added to no query: %q", got)
	}
	const bad = "a=1&x;y=2&b=%zz&a=3&c"
	q, _ := url.ParseQuery(bad)
	if got := backendQuery(bad, q); got != "a=1&a=3&c" {
		t.Errorf("unparsable parameters: %q, want them left out as on the path without a policy", got)
	}
}

// TestPolicyChangesQuery: through the gateway, a set-query-parameter adds
// to the client's query without reordering it.
func TestPolicyChangesQuery(t *testing.T) {
	seen := make(chan string, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen <- r.URL.RawQuery }))
	defer backend.Close()
	gw := policyServer(t, backend.URL, `<policies><inbound>
	  <set-query-parameter name="api-version" exists-action="override"><value>2024-01-01</value></set-query-parameter>
	</inbound><backend><forward-request /></backend></policies>`)
	resp, err := http.Get(gw.URL + "/orders/x?sig=abc&b=2&a=1&k=key")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := <-seen, "sig=abc&b=2&a=1&api-version=2024-01-01"; got != want {
		t.Errorf("the backend got %q, want %q (the subscription key parameter k removed)", got, want)
	}
}

// TestForwardRequestTimeout: a backend slower than forward-request's
// timeout to answer fails the forward with LastError.Reason Timeout, and
// the client gets 504 unless on-error answers.
func TestForwardRequestTimeout(t *testing.T) {
	done := make(chan struct{})
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // answer only once the gateway gave up
		case <-r.Context().Done():
		case <-done:
		}
	}))
	defer backend.Close()
	defer close(done)
	for _, tt := range []struct {
		onError    string
		wantStatus int
		wantBody   string
	}{
		{``, http.StatusGatewayTimeout, `{"statusCode":504,"message":"The backend did not respond in time."}`},
		{`<return-response><set-status code="503" /><set-body>@(context.LastError.Source + "|" + context.LastError.Reason + "|" + context.LastError.Message)</set-body></return-response>`,
			http.StatusServiceUnavailable, "forward-request|Timeout|the backend did not respond in time"},
	} {
		gw := policyServer(t, backend.URL, `<policies><inbound /><backend><forward-request timeout="1" /></backend>
		  <on-error>`+tt.onError+`</on-error></policies>`)
		resp, err := http.Get(gw.URL + "/orders/slow")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus || string(body) != tt.wantBody {
			t.Errorf("on-error %q: %d %q, want %d %q", tt.onError, resp.StatusCode, body, tt.wantStatus, tt.wantBody)
		}
	}
}

// BenchmarkProxyPolicy measures a keyed request through ServeHTTP on the
// policy path (an inbound set-header, then forward-request) to a loopback
// backend, the counterpart of BenchmarkProxyKeyed.
func BenchmarkProxyPolicy(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true}`)
	}))
	defer backend.Close()
	s := NewServer(Options{})
	snap := testSnapshot(backend.URL)
	snap.APIs[0].Operations[2].Policy = `<policies><inbound><set-header name="X-A" exists-action="override"><value>a</value></set-header></inbound>
	  <backend><forward-request /></backend></policies>`
	s.Load(snap)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/shop/orders/42", nil)
		req.Header.Set("Ocp-Apim-Subscription-Key", "good-key")
		clear(w.h)
		s.ServeHTTP(w, req)
	}
}

// pipelinePolicy is the policy path's yardstick: a keyed request with an
// in-memory rate-limit-by-key and five common elements (three set-header,
// a choose on a header, a set-variable from an expression).
const pipelinePolicy = `<policies>
  <inbound>
    <rate-limit-by-key calls="1000000000" renewal-period="60" counter-key="@(context.Subscription.Id)" />
    <set-header name="X-Gateway" exists-action="override"><value>gatehouse</value></set-header>
    <set-header name="X-Correlation-Id" exists-action="skip"><value>@(context.RequestId)</value></set-header>
    <set-header name="X-Debug" exists-action="delete" />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault(&quot;X-Tier&quot;, &quot;&quot;) == &quot;gold&quot;)">
        <set-variable name="tier" value="gold" />
      </when>
    </choose>
    <set-variable name="caller" value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Caller&quot;, &quot;anonymous&quot;))" />
  </inbound>
  <backend><forward-request /></backend>
</policies>`

// pipelineRequest sets up a gateway whose keyed operation has
// pipelinePolicy, forwarding to a loopback backend that allocates
// nothing, and returns a function that serves one keyed request through
// ServeHTTP. The request and the ResponseWriter are made once, so the
// net/http server's own costs are not counted; pipelineRequest fails tb
// unless the backend's answer comes back.
func pipelineRequest(tb testing.TB) (run func()) {
	tb.Helper()
	backend := startRawBackend(tb)
	s := NewServer(Options{})
	tb.Cleanup(func() { s.Close() })
	snap := testSnapshot(backend.URL())
	snap.APIs[0].Operations[2].Policy = pipelinePolicy
	s.Load(snap) // testSnapshot's API clash is rejected; orders is not
	if _, op, _ := s.rt.Load().match("GET", "/shop/orders/42"); op == nil || op.pipe == nil {
		tb.Fatal("the operation runs no policy pipeline")
	}
	// A context that can end, as the net/http server's: the forward
	// watches it.
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	req := httptest.NewRequestWithContext(ctx, "GET", "/shop/orders/42?x=1", nil)
	req.RemoteAddr = "192.0.2.7:41000"
	req.Header.Set("Ocp-Apim-Subscription-Key", "good-key")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Tier", "gold")
	req.Header.Set("X-Caller", "bench")
	w := &statusRecorder{h: http.Header{}}
	run = func() {
		clear(w.h)
		w.status, w.body = 0, w.body[:0]
		s.ServeHTTP(w, req)
	}
	run()
	if w.status != http.StatusOK || string(w.body) != `{"ok":true}` {
		tb.Fatalf("got %d %q, want 200 {\"ok\":true}", w.status, w.body)
	}
	return run
}

// maxPipelineAllocs is the allocation budget of pipelineRequest's
// request on the policy path: the gateway's, the policies' and
// ReverseProxy's (which the policy path runs to send the request and to
// write the response), the h1 forwarder's included.
const maxPipelineAllocs = 30

// TestPipelineRequestAllocations: a keyed request to an operation with
// pipelinePolicy allocates at most maxPipelineAllocs times; the request
// and the ResponseWriter are made once, so the net/http server's own
// allocations are not counted.
func TestPipelineRequestAllocations(t *testing.T) {
	run := pipelineRequest(t)
	allocs := testing.AllocsPerRun(200, run)
	t.Logf("%.1f allocations per request on the policy path", allocs)
	if allocs > maxPipelineAllocs {
		t.Errorf("%.1f allocations per request on the policy path, want at most %d", allocs, maxPipelineAllocs)
	}
}

// BenchmarkProxyPipeline measures a keyed request on the policy path
// with pipelinePolicy (an in-memory rate-limit-by-key and five common
// elements) through ServeHTTP to a loopback backend that allocates
// nothing: the policy path's counterpart of TestKeyedRequestAllocations.
func BenchmarkProxyPipeline(b *testing.B) {
	run := pipelineRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}
