package gateway

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"go.uber.org/goleak"

	"github.com/gatehouse/gatehouse/internal/gateway/forwardertest"
	"github.com/gatehouse/gatehouse/internal/otlptest"
)

// tracedGateway starts a gateway whose spans go over OTLP/HTTP to a
// receiver, each as it ends, in front of a backend that keeps the
// trace headers it is sent.
type tracedGateway struct {
	url      string // the gateway's
	receiver *otlptest.Receiver
	mu       sync.Mutex
	seen     []http.Header // the trace headers and the path ("Path") of each request the backend got
	access   lockedBuffer  // the access log
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (lb *lockedBuffer) Write(p []byte) (int, error) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.b.Write(p)
}

func (lb *lockedBuffer) String() string {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.b.String()
}

// policy holds the policies of operations of the API "orders" by id;
// "{backend}" in them is the backend's URL.
func newTracedGateway(t *testing.T, policy map[string]string) *tracedGateway {
	t.Helper()
	tg := &tracedGateway{receiver: otlptest.NewReceiver(t)}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.mu.Lock()
		tg.seen = append(tg.seen, http.Header{"Traceparent": r.Header["Traceparent"], "Tracestate": r.Header["Tracestate"], "Path": {r.URL.Path}})
		tg.mu.Unlock()
		io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(backend.Close)
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(tg.receiver.URL()+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	s := NewServer(Options{TracerProvider: tp, Deployment: Deployment{GatewayID: "edge", Region: "west"}, KeyFailureLimit: -1,
		AccessLog: slog.New(slog.NewJSONHandler(&tg.access, nil))})
	sn := testSnapshot(backend.URL)
	for i := range sn.APIs[0].Operations {
		if p, ok := policy[sn.APIs[0].Operations[i].ID]; ok {
			sn.APIs[0].Operations[i].Policy = strings.ReplaceAll(p, "{backend}", backend.URL)
		}
	}
	s.Load(sn)
	gw := httptest.NewServer(s)
	t.Cleanup(func() { gw.Close(); s.Close() })
	tg.url = gw.URL
	return tg
}

// get sends GET path with headers (name, value pairs) and returns the
// status.
func (tg *tracedGateway) get(t *testing.T, path string, headers ...string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", tg.url+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// backendSaw returns the trace headers of the backend's latest request.
func (tg *tracedGateway) backendSaw(t *testing.T) http.Header {
	t.Helper()
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if len(tg.seen) == 0 {
		t.Fatal("the backend got no request")
	}
	return tg.seen[len(tg.seen)-1]
}

const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
)

// serverAndClient waits for the server and client spans of trace id.
func serverAndClient(t *testing.T, rc *otlptest.Receiver, id string) (server, client otlptest.Span) {
	t.Helper()
	spans := rc.Wait(t, "a server and a client span of trace "+id, func(s []otlptest.Span) bool {
		tr := otlptest.Trace(s, id)
		_, okS := otlptest.Kind(tr, tracepb.Span_SPAN_KIND_SERVER)
		_, okC := otlptest.Kind(tr, tracepb.Span_SPAN_KIND_CLIENT)
		return okS && okC
	})
	tr := otlptest.Trace(spans, id)
	server, _ = otlptest.Kind(tr, tracepb.Span_SPAN_KIND_SERVER)
	client, _ = otlptest.Kind(tr, tracepb.Span_SPAN_KIND_CLIENT)
	return server, client
}

func TestTracingKeyedRequest(t *testing.T) {
	tg := newTracedGateway(t, nil)
	status := tg.get(t, "/shop/orders/42", "Ocp-Apim-Subscription-Key", "good-key",
		"Traceparent", "00-"+callerTrace+"-"+callerSpan+"-01", "Tracestate", "vendor=x", "User-Agent", "tracing-test")
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200", status)
	}
	server, client := serverAndClient(t, tg.receiver, callerTrace)
	if server.ParentID() != callerSpan {
		t.Errorf("server span's parent %s, want the caller's span %s", server.ParentID(), callerSpan)
	}
	if client.ParentID() != server.SpanID() {
		t.Errorf("client span's parent %s, want the server span %s", client.ParentID(), server.SpanID())
	}
	if server.Name != "orders - get" {
		t.Errorf("server span named %q, want %q", server.Name, "orders - get")
	}
	for key, want := range map[string]string{
		"gatehouse.api.id": "orders", "gatehouse.operation.id": "get", "gatehouse.product.id": "p",
		"gatehouse.subscription.id": "s", "gatehouse.gateway.id": "edge", "gatehouse.region": "west",
		"http.request.method": "GET", "http.response.status_code": "200", "http.route": "/shop/orders/{id}",
		"url.path": "/shop/orders/42", "url.scheme": "http", "server.address": "127.0.0.1", "client.address": "127.0.0.1",
		"user_agent.original": "tracing-test", "network.protocol.version": "1.1",
	} {
		if got := server.Attr(key); got != want {
			t.Errorf("server span %s = %q, want %q", key, got, want)
		}
	}
	for _, kv := range append(server.Attributes, client.Attributes...) {
		if strings.Contains(kv.Value.String(), "good-key") {
			t.Errorf("span attribute %s carries the subscription key", kv.Key)
		}
	}
	if server.Has("gatehouse.error.source") || server.Status.GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("a successful request's span has an error: %v", server.Attributes)
	}
	if got := client.Attr("http.response.status_code"); got != "200" {
		t.Errorf("client span status %q, want 200", got)
	}
	if got := client.Attr("url.full"); !strings.HasSuffix(got, "/42") || strings.Contains(got, "?") {
		t.Errorf("client span url.full %q", got)
	}
	seen := tg.backendSaw(t)
	if want := "00-" + callerTrace + "-" + client.SpanID() + "-01"; seen.Get("Traceparent") != want {
		t.Errorf("backend got traceparent %q, want %q (the client span)", seen.Get("Traceparent"), want)
	}
	if seen.Get("Tracestate") != "vendor=x" {
		t.Errorf("backend got tracestate %q, want the caller's", seen.Get("Tracestate"))
	}
	// The access log line names the trace, once written (after the
	// response).
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(tg.access.String(), `"trace_id":"`+callerTrace+`"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no access log line with the trace id: %s", tg.access.String())
		}
		<-tick.C
	}
}

func TestTracingPolicyPath(t *testing.T) {
	const setHeader = `<policies><inbound><set-header name="X-A" exists-action="override"><value>a</value></set-header></inbound>
<backend><forward-request /></backend></policies>`
	const ownTraceparent = `<policies><inbound><set-header name="traceparent" exists-action="override"><value>00-11111111111111111111111111111111-2222222222222222-01</value></set-header></inbound>
<backend><forward-request /></backend></policies>`
	tg := newTracedGateway(t, map[string]string{"get": setHeader, "mine": ownTraceparent})

	tg.get(t, "/shop/orders/42", "Ocp-Apim-Subscription-Key", "good-key", "Traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	server, client := serverAndClient(t, tg.receiver, callerTrace)
	if client.ParentID() != server.SpanID() || server.ParentID() != callerSpan {
		t.Errorf("spans not chained: caller %s ← server %s (parent %s) ← client (parent %s)", callerSpan, server.SpanID(), server.ParentID(), client.ParentID())
	}
	if got, want := tg.backendSaw(t).Get("Traceparent"), "00-"+callerTrace+"-"+client.SpanID()+"-01"; got != want {
		t.Errorf("through a policy, the backend got traceparent %q, want %q", got, want)
	}

	const other = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	tg.get(t, "/shop/orders/mine", "Ocp-Apim-Subscription-Key", "good-key", "Traceparent", "00-"+other+"-"+callerSpan+"-01")
	serverAndClient(t, tg.receiver, other)
	if got := tg.backendSaw(t).Get("Traceparent"); got != "00-11111111111111111111111111111111-2222222222222222-01" {
		t.Errorf("a policy's own traceparent became %q at the backend", got)
	}
}

func TestTracingErrors(t *testing.T) {
	tg := newTracedGateway(t, map[string]string{"mine": `<policies><inbound>
<check-header name="X-Need" failed-check-httpcode="401" failed-check-error-message="X-Need is needed" /></inbound>
<backend><forward-request /></backend></policies>`})
	tests := []struct {
		name, trace, path, key string
		status                 int
		source, reason         string
	}{
		{"missing key", "10000000000000000000000000000001", "/shop/orders/42", "", 401, "authorization", "SubscriptionKeyNotFound"},
		{"invalid key", "10000000000000000000000000000002", "/shop/orders/42", "bad-key", 401, "authorization", "SubscriptionKeyInvalid"},
		{"no operation", "10000000000000000000000000000003", "/nothing", "", 404, "configuration", "OperationNotFound"},
		{"policy refusal", "10000000000000000000000000000004", "/shop/orders/mine", "good-key", 401, "check-header", "HeaderNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := []string{"Traceparent", "00-" + tt.trace + "-" + callerSpan + "-01"}
			if tt.key != "" {
				headers = append(headers, "Ocp-Apim-Subscription-Key", tt.key)
			}
			if got := tg.get(t, tt.path, headers...); got != tt.status {
				t.Fatalf("status %d, want %d", got, tt.status)
			}
			spans := tg.receiver.Wait(t, "the span of "+tt.name, func(s []otlptest.Span) bool { return len(otlptest.Trace(s, tt.trace)) > 0 })
			sp := otlptest.Trace(spans, tt.trace)[0]
			if sp.Attr("gatehouse.error.source") != tt.source || sp.Attr("gatehouse.error.reason") != tt.reason {
				t.Errorf("error %q/%q, want %q/%q", sp.Attr("gatehouse.error.source"), sp.Attr("gatehouse.error.reason"), tt.source, tt.reason)
			}
		})
	}
}

func TestTracingBackendUnreachable(t *testing.T) {
	rc := otlptest.NewReceiver(t)
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(rc.URL()+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // nothing listens there any more
	s := NewServer(Options{TracerProvider: tp})
	snap := testSnapshot(down.URL)
	snap.APIs[0].Operations[3].Policy = `<policies><backend><forward-request /></backend></policies>` // "mine"
	s.Load(snap)
	gw := httptest.NewServer(s)
	t.Cleanup(func() { gw.Close(); s.Close() })
	for path, id := range map[string]string{ // without and with a policy
		"/shop/orders/42":   "20000000000000000000000000000001",
		"/shop/orders/mine": "20000000000000000000000000000002",
	} {
		t.Run(path, func(t *testing.T) {
			req, _ := http.NewRequest("GET", gw.URL+path, nil)
			req.Header.Set("Ocp-Apim-Subscription-Key", "good-key")
			req.Header.Set("Traceparent", "00-"+id+"-"+callerSpan+"-01")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusBadGateway {
				t.Fatalf("status %d, want 502", res.StatusCode)
			}
			server, client := serverAndClient(t, rc, id)
			if server.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || client.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR {
				t.Errorf("span statuses %v (server), %v (client), want errors", server.Status, client.Status)
			}
			if server.Attr("gatehouse.error.source") != "forward-request" || server.Attr("gatehouse.error.reason") != "BackendConnectionFailure" {
				t.Errorf("server span error %q/%q, want forward-request/BackendConnectionFailure",
					server.Attr("gatehouse.error.source"), server.Attr("gatehouse.error.reason"))
			}
			if server.Attr("error.type") != "502" || client.Attr("error.type") == "" {
				t.Errorf("error.type %q (server), %q (client)", server.Attr("error.type"), client.Attr("error.type"))
			}
		})
	}
}

func TestTracingUnsampledSendsNothing(t *testing.T) {
	tg := newTracedGateway(t, nil)
	const unsampled = "30000000000000000000000000000001"
	tg.get(t, "/shop/orders/42", "Ocp-Apim-Subscription-Key", "good-key", "Traceparent", "00-"+unsampled+"-"+callerSpan+"-00")
	seen := tg.backendSaw(t).Get("Traceparent")
	if !strings.HasPrefix(seen, "00-"+unsampled+"-") || !strings.HasSuffix(seen, "-00") || strings.Contains(seen, callerSpan) {
		t.Errorf("backend got traceparent %q, want the caller's trace, a span of the gateway's, unsampled", seen)
	}
	// A sampled request after it: once its spans are in, the unsampled
	// one's would be too, since each span is sent as it ends.
	const sampled = "30000000000000000000000000000002"
	tg.get(t, "/shop/orders/42", "Ocp-Apim-Subscription-Key", "good-key", "Traceparent", "00-"+sampled+"-"+callerSpan+"-01")
	spans := tg.receiver.Wait(t, "the sampled request's spans", func(s []otlptest.Span) bool { return len(otlptest.Trace(s, sampled)) == 2 })
	if n := len(otlptest.Trace(spans, unsampled)); n != 0 {
		t.Errorf("the receiver got %d spans of an unsampled trace", n)
	}
}

func TestNoTracingLeavesTraceparent(t *testing.T) {
	var got string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Get("Traceparent") }))
	defer backend.Close()
	s := NewServer(Options{})
	s.Load(testSnapshot(backend.URL))
	req := httptest.NewRequest("GET", "/shop/orders/42", nil)
	req.Header.Set("Ocp-Apim-Subscription-Key", "good-key")
	want := "00-" + callerTrace + "-" + callerSpan + "-01"
	req.Header.Set("Traceparent", want)
	s.ServeHTTP(httptest.NewRecorder(), req)
	if got != want {
		t.Errorf("without tracing the backend got traceparent %q, want the caller's %q", got, want)
	}
}

// TestForwarderConformanceTraced runs the forwarder conformance suite
// (upgrades, 1xx, trailers, streaming) with every request traced: the
// client span's transport and body must change nothing the client sees.
func TestForwarderConformanceTraced(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	defer tp.Shutdown(context.Background())
	for name, policy := range map[string]string{
		"no-policy": "",
		"policy-outbound": `<policies><backend><forward-request /></backend>
		  <outbound><set-header name="X-Outbound" exists-action="override"><value>out</value></set-header></outbound></policies>`,
		"policy-streamed": `<policies><backend><forward-request buffer-response="false" /></backend></policies>`,
	} {
		t.Run(name, func(t *testing.T) {
			forwardertest.Run(t, func(t *testing.T, backendURL string) string {
				return startGatewayWith(t, backendURL, policy, Options{TracerProvider: tp})
			})
		})
	}
}

// BenchmarkProxyKeyedTraced is BenchmarkProxyKeyed with tracing on: every
// request sampled (spans recorded, then dropped rather than exported, so
// that the gateway's own cost is measured), and none sampled.
func BenchmarkProxyKeyedTraced(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true}`)
	}))
	defer backend.Close()
	for name, sampler := range map[string]sdktrace.Sampler{"sampled": sdktrace.AlwaysSample(), "unsampled": sdktrace.NeverSample()} {
		b.Run(name, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler))
			defer tp.Shutdown(context.Background())
			s := NewServer(Options{TracerProvider: tp, Deployment: Deployment{GatewayID: "edge"}})
			s.Load(testSnapshot(backend.URL))
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", "/shop/orders/42", nil)
				req.Header.Set("Ocp-Apim-Subscription-Key", "good-key")
				clear(w.h)
				s.ServeHTTP(w, req)
			}
		})
	}
}

// TestTracingSendRequest: send-request's call is a client span of the
// request too, and carries its traceparent unless the policy set one.
func TestTracingSendRequest(t *testing.T) {
	const lookup = `<policies><inbound><send-request mode="new" response-variable-name="r"><set-url>{backend}/lookup</set-url></send-request></inbound>
<backend><forward-request /></backend></policies>`
	const ownTraceparent = `<policies><inbound><send-request mode="new" response-variable-name="r"><set-url>{backend}/lookup</set-url>
<set-header name="traceparent" exists-action="override"><value>00-11111111111111111111111111111111-2222222222222222-01</value></set-header></send-request></inbound>
<backend><forward-request /></backend></policies>`
	tg := newTracedGateway(t, map[string]string{"get": lookup, "mine": ownTraceparent})
	tg.get(t, "/shop/orders/42", "Ocp-Apim-Subscription-Key", "good-key", "Traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	spans := tg.receiver.Wait(t, "a server and two client spans", func(s []otlptest.Span) bool { return len(otlptest.Trace(s, callerTrace)) == 3 })
	server, _ := otlptest.Kind(otlptest.Trace(spans, callerTrace), tracepb.Span_SPAN_KIND_SERVER)
	tg.mu.Lock()
	seen := append([]http.Header(nil), tg.seen...)
	tg.mu.Unlock()
	if len(seen) != 2 || seen[0].Get("Path") != "/lookup" {
		t.Fatalf("backend requests %v, want /lookup then the forward", seen)
	}
	for _, sp := range otlptest.Trace(spans, callerTrace) {
		if sp.Kind != tracepb.Span_SPAN_KIND_CLIENT {
			continue
		}
		if sp.ParentID() != server.SpanID() {
			t.Errorf("client span %s has parent %s, want the server span %s", sp.Attr("url.full"), sp.ParentID(), server.SpanID())
		}
		if strings.HasSuffix(sp.Attr("url.full"), "/lookup") && seen[0].Get("Traceparent") != "00-"+callerTrace+"-"+sp.SpanID()+"-01" {
			t.Errorf("send-request sent traceparent %q, want its client span %s", seen[0].Get("Traceparent"), sp.SpanID())
		}
	}

	const other = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	tg.get(t, "/shop/orders/mine", "Ocp-Apim-Subscription-Key", "good-key", "Traceparent", "00-"+other+"-"+callerSpan+"-01")
	tg.receiver.Wait(t, "the second request's spans", func(s []otlptest.Span) bool { return len(otlptest.Trace(s, other)) == 3 })
	tg.mu.Lock()
	side := tg.seen[len(tg.seen)-2]
	tg.mu.Unlock()
	if got := side.Get("Traceparent"); got != "00-11111111111111111111111111111111-2222222222222222-01" {
		t.Errorf("send-request's own traceparent became %q", got)
	}
}
