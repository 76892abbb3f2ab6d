// Package otlptest is an OTLP trace receiver for tests: a real HTTP
// (http/protobuf) or gRPC server on loopback that decodes what exporters
// send with the OTLP protocol's own types (go.opentelemetry.io/proto/otlp)
// and keeps the spans, for tests to wait on and inspect.
package otlptest

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// Span is a received span with the resource and scope it came with.
type Span struct {
	*tracepb.Span
	Resource map[string]string // the resource's attributes, as strings
	Scope    string            // the instrumentation scope's name
}

// TraceID returns the span's trace id in hex, as traceparent writes it.
func (s Span) TraceID() string { return hex.EncodeToString(s.Span.TraceId) }

// SpanID returns the span's id in hex.
func (s Span) SpanID() string { return hex.EncodeToString(s.Span.SpanId) }

// ParentID returns the parent span's id in hex; "" for a root span.
func (s Span) ParentID() string { return hex.EncodeToString(s.Span.ParentSpanId) }

// Attr returns the attribute called key as a string ("" when missing):
// integers in decimal, booleans as true or false.
func (s Span) Attr(key string) string { return attr(s.Attributes, key) }

// Has reports whether the span has the attribute called key.
func (s Span) Has(key string) bool {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return true
		}
	}
	return false
}

// Receiver is an OTLP receiver of traces. It is safe for concurrent use.
type Receiver struct {
	url     string
	mu      sync.Mutex
	spans   []Span
	headers []http.Header
}

// NewReceiver starts an OTLP/HTTP Receiver on loopback; it stops when
// t's test ends.
func NewReceiver(t testing.TB) *Receiver {
	rc := &Receiver{}
	srv := httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(srv.Close)
	rc.url = srv.URL
	return rc
}

// NewGRPCReceiver starts an OTLP/gRPC Receiver on loopback; it stops
// when t's test ends.
func NewGRPCReceiver(t testing.TB) *Receiver {
	rc := &Receiver{}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, traceService{rc: rc})
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	rc.url = "http://" + lis.Addr().String()
	return rc
}

// URL returns the receiver's base URL, as OTEL_EXPORTER_OTLP_ENDPOINT
// takes it (an OTLP/HTTP receiver accepts spans at /v1/traces).
func (rc *Receiver) URL() string { return rc.url }

// traceService is the gRPC trace service of a Receiver.
type traceService struct {
	coltracepb.UnimplementedTraceServiceServer
	rc *Receiver
}

func (ts traceService) Export(ctx context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	h := http.Header{}
	md, _ := metadata.FromIncomingContext(ctx)
	for k, vs := range md {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	ts.rc.add(req, h)
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

func (rc *Receiver) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" {
		http.Error(w, "want POST /v1/traces", http.StatusNotFound)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req coltracepb.ExportTraceServiceRequest
	if r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want application/x-protobuf", http.StatusUnsupportedMediaType)
		return
	}
	if err := proto.Unmarshal(data, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.add(&req, r.Header.Clone())
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

// add keeps the spans of req, which came with headers h.
func (rc *Receiver) add(req *coltracepb.ExportTraceServiceRequest, h http.Header) {
	var got []Span
	for _, rs := range req.ResourceSpans {
		res := map[string]string{}
		for _, kv := range rs.GetResource().GetAttributes() {
			res[kv.Key] = value(kv.Value)
		}
		for _, ss := range rs.ScopeSpans {
			for _, sp := range ss.Spans {
				got = append(got, Span{Span: sp, Resource: res, Scope: ss.GetScope().GetName()})
			}
		}
	}
	rc.mu.Lock()
	rc.spans = append(rc.spans, got...)
	rc.headers = append(rc.headers, h)
	rc.mu.Unlock()
}

// Spans returns the spans received so far, in the order they came.
func (rc *Receiver) Spans() []Span {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Span(nil), rc.spans...)
}

// Headers returns the HTTP headers of each export request received.
func (rc *Receiver) Headers() []http.Header {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]http.Header(nil), rc.headers...)
}

// Wait polls until match holds for the received spans, returning them,
// and fails t when it does not within 10 seconds.
func (rc *Receiver) Wait(t testing.TB, what string, match func([]Span) bool) []Span {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		spans := rc.Spans()
		if match(spans) {
			return spans
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver did not get %s in 10s; it has %d spans", what, len(spans))
		}
		<-tick.C
	}
}

// Trace returns the spans of trace id (hex).
func Trace(spans []Span, id string) []Span {
	var out []Span
	for _, s := range spans {
		if s.TraceID() == id {
			out = append(out, s)
		}
	}
	return out
}

// Kind returns the first span of kind k in spans, and whether there is
// one.
func Kind(spans []Span, k tracepb.Span_SpanKind) (Span, bool) {
	for _, s := range spans {
		if s.Kind == k {
			return s, true
		}
	}
	return Span{}, false
}

func attr(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.Key == key {
			return value(kv.Value)
		}
	}
	return ""
}

func value(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_BoolValue:
		if x.BoolValue {
			return "true"
		}
		return "false"
	}
	return v.String()
}
