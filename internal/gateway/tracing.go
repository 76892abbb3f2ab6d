package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// instrumentation names the gateway's tracer (the spans' scope).
const instrumentation = "github.com/gatehouse/gatehouse/internal/gateway"

// Attributes of Gatehouse's own on a gateway's server span. The HTTP ones
// follow OpenTelemetry's semantic conventions.
const (
	attrAPIID          = "gatehouse.api.id"
	attrOperationID    = "gatehouse.operation.id"
	attrProductID      = "gatehouse.product.id"
	attrSubscriptionID = "gatehouse.subscription.id" // never the key
	attrGatewayID      = "gatehouse.gateway.id"
	attrRegion         = "gatehouse.region"
	attrErrorSource    = "gatehouse.error.source" // context.LastError.Source
	attrErrorReason    = "gatehouse.error.reason" // context.LastError.Reason
	attrErrorMessage   = "gatehouse.error.message"
)

// tracing makes the spans of a Server's requests: one server span per
// request, and a client span per call to a backend (forward-request and
// send-request) carrying the W3C trace context to it. A Server without
// tracing (nil) does no work and allocates nothing for spans.
type tracing struct {
	tracer trace.Tracer
	prop   propagation.TraceContext
	static []attribute.KeyValue // on every server span: the gateway and its region
}

// newTracing returns the tracing of a Server deployed as d, or nil when
// tp is nil.
func newTracing(tp trace.TracerProvider, d Deployment) *tracing {
	if tp == nil {
		return nil
	}
	t := &tracing{tracer: tp.Tracer(instrumentation)}
	if d.GatewayID != "" {
		t.static = append(t.static, attribute.String(attrGatewayID, d.GatewayID))
	}
	if d.Region != "" {
		t.static = append(t.static, attribute.String(attrRegion, d.Region))
	}
	return t
}

// startSpan starts the server span of r, a child of the trace context
// the caller sent (traceparent, tracestate), keeps it in rec and returns
// r with the span in its context.
func (s *Server) startSpan(rec *recorder, r *http.Request) *http.Request {
	t := s.tracing
	ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := t.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer))
	rec.span = span
	if span.IsRecording() {
		host, port := splitHostPort(r.Host)
		attrs := append(make([]attribute.KeyValue, 0, 10+len(t.static)), t.static...)
		attrs = append(attrs,
			attribute.String("http.request.method", r.Method),
			attribute.String("url.scheme", s.scheme(r)),
			attribute.String("url.path", r.URL.Path),
			attribute.String("server.address", host),
			attribute.String("client.address", s.clientAddress(r)),
			attribute.String("network.protocol.version", protocolVersion(r)))
		if port > 0 {
			attrs = append(attrs, attribute.Int("server.port", port))
		}
		if ua := r.UserAgent(); ua != "" {
			attrs = append(attrs, attribute.String("user_agent.original", ua))
		}
		span.SetAttributes(attrs...)
	}
	return r.WithContext(ctx)
}

// endSpan ends the server span in rec, named for the operation as APIM
// names its requests ("api - operation"), with what the request became:
// its API, operation, product and subscription, the status, and APIM's
// error source and reason when the gateway failed it.
func (s *Server) endSpan(rec *recorder, r *http.Request, api *apiRoute, op *operation, sub *subscriber) {
	span := rec.span
	rec.span = nil
	if !span.IsRecording() {
		span.End()
		return
	}
	attrs := make([]attribute.KeyValue, 0, 10)
	if api != nil {
		attrs = append(attrs, attribute.String(attrAPIID, api.id))
	}
	if api != nil && op != nil {
		span.SetName(api.id + " - " + op.id)
		route := op.tpl.String()
		if api.path != "" {
			route = "/" + api.path + route
		}
		attrs = append(attrs, attribute.String(attrOperationID, op.id), attribute.String("http.route", route))
	}
	if sub != nil {
		attrs = append(attrs, attribute.String(attrSubscriptionID, sub.id))
		if sub.scope != nil {
			attrs = append(attrs, attribute.String(attrProductID, sub.scope.ID))
		}
	}
	status := rec.status
	if status != 0 {
		attrs = append(attrs, attribute.Int("http.response.status_code", status))
	}
	source, reason, message := failureOf(rec, r, api, op, sub)
	if source != "" {
		attrs = append(attrs, attribute.String(attrErrorSource, source), attribute.String(attrErrorReason, reason),
			attribute.String(attrErrorMessage, message))
	}
	if status >= 500 {
		attrs = append(attrs, attribute.String("error.type", strconv.Itoa(status)))
		span.SetStatus(codes.Error, message)
	}
	span.SetAttributes(attrs...)
	span.End()
}

// failureOf returns, as APIM's context.LastError says them, the source,
// reason and message of the error that failed the request at the
// gateway; "" when it did not fail there (a backend's own error status
// is not the gateway's failure).
func failureOf(rec *recorder, r *http.Request, api *apiRoute, op *operation, sub *subscriber) (source, reason, message string) {
	if rec.failure != nil {
		var se *policy.StepError
		if errors.As(rec.failure, &se) {
			msg := se.Error()
			if se.Err != nil {
				msg = se.Err.Error()
			}
			return se.Source, se.Reason, msg
		}
		return "gateway", "", rec.failure.Error()
	}
	switch {
	case rec.status == http.StatusNotFound && (api == nil || op == nil):
		return "configuration", "OperationNotFound", "Unable to match incoming request to an operation."
	case op != nil && api.keyRequired && sub == nil && (rec.status == http.StatusUnauthorized || rec.status == http.StatusTooManyRequests):
		if _, ok := api.subscriptionKey(r); ok {
			return "authorization", "SubscriptionKeyInvalid", msgInvalidKey
		}
		return "authorization", "SubscriptionKeyNotFound", msgMissingKey
	}
	return "", "", ""
}

// noteFailure keeps forward-request's failure (reason, message, the
// cause err) as why the request that w answers failed, for its span. It
// does nothing without a span.
func noteFailure(w http.ResponseWriter, reason, message string, err error) {
	if rec, ok := w.(*recorder); ok && (rec.span != nil || rec.diag) {
		rec.failure = forwardFailure(reason, message, err)
	}
}

// wrap returns base with a client span around each call; base itself
// when t is nil (no tracing). For ReverseProxy's outbound requests,
// which are its own to change.
func (t *tracing) wrap(base http.RoundTripper) http.RoundTripper {
	if t == nil {
		return base
	}
	return &tracedTransport{t: t, base: base}
}

// wrapSide is wrap for send-request's requests: a traceparent a policy
// set is kept, and the request is copied before the trace context is
// added to it.
func (t *tracing) wrapSide(base http.RoundTripper) http.RoundTripper {
	if t == nil {
		return base
	}
	return &tracedTransport{t: t, base: base, side: true}
}

// tracedTransport is a RoundTripper with a client span around each call.
type tracedTransport struct {
	t    *tracing
	base http.RoundTripper
	side bool // send-request's: see wrapSide
}

func (tt *tracedTransport) RoundTrip(out *http.Request) (*http.Response, error) {
	keep := tt.side && out.Header.Get("Traceparent") != ""
	if tt.side && !keep {
		// A RoundTripper must not change its request: inject into a copy.
		cp := *out
		cp.Header = out.Header.Clone()
		if cp.Header == nil {
			cp.Header = http.Header{}
		}
		out = &cp
	}
	return tt.t.roundTrip(out, keep, tt.base)
}

// policyChangedTraceparent reports whether the policies changed the
// traceparent that in, the client's request, sent: out, the request
// they made, has another one, or none. The gateway then sends theirs.
func policyChangedTraceparent(in, out http.Header) bool {
	return !slices.Equal(in["Traceparent"], out["Traceparent"])
}

// roundTrip sends out with send inside a client span, a child of the
// span in out's context. Unless keep, out carries the client span's
// trace context (traceparent, tracestate) to the backend; out's headers
// must be the caller's to change. The span ends when the response body
// has been read or closed.
func (t *tracing) roundTrip(out *http.Request, keep bool, send http.RoundTripper) (*http.Response, error) {
	ctx, span := t.tracer.Start(out.Context(), out.Method, trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		host, port := splitHostPort(out.URL.Host)
		if port == 0 {
			port = map[string]int{"http": 80, "https": 443}[out.URL.Scheme]
		}
		u := *out.URL
		u.RawQuery, u.User, u.Fragment = "", nil, "" // the query may carry credentials
		span.SetAttributes(attribute.String("http.request.method", out.Method), attribute.String("server.address", host),
			attribute.Int("server.port", port), attribute.String("url.full", u.String()))
	}
	if !keep {
		t.prop.Inject(ctx, propagation.HeaderCarrier(out.Header))
	}
	res, err := send.RoundTrip(out)
	if err != nil {
		span.SetAttributes(attribute.String("error.type", errorType(err)))
		span.SetStatus(codes.Error, err.Error())
		span.End()
		return nil, err
	}
	if span.IsRecording() {
		span.SetAttributes(attribute.Int("http.response.status_code", res.StatusCode))
		if res.StatusCode >= 400 {
			span.SetAttributes(attribute.String("error.type", strconv.Itoa(res.StatusCode)))
			span.SetStatus(codes.Error, "")
		}
	}
	if !span.IsRecording() || res.StatusCode == http.StatusSwitchingProtocols || res.Body == nil || res.Body == http.NoBody {
		span.End() // an upgraded connection's body must stay the io.ReadWriteCloser it is
		return res, nil
	}
	res.Body = &spanBody{ReadCloser: res.Body, span: span}
	return res, nil
}

// forwardSender sends a forward of the policy path (following
// redirects when forward-request asks), as a RoundTripper.
type forwardSender forwarding

func (f *forwardSender) RoundTrip(out *http.Request) (*http.Response, error) {
	return (*forwarding)(f).roundTrip(out)
}

// spanBody ends a client span once the response body is read or closed.
type spanBody struct {
	io.ReadCloser
	span trace.Span
}

func (b *spanBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.span.End()
	}
	return n, err
}

func (b *spanBody) Close() error {
	err := b.ReadCloser.Close()
	b.span.End() // a second End is ignored
	return err
}

// errorType is a backend call's error.type: "timeout", "canceled" or
// "_OTHER", as the semantic conventions keep it to few values.
func errorType(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, errForwardTimeout) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "_OTHER"
}

// splitHostPort returns the host and port of hostport; port 0 when it
// has none.
func splitHostPort(hostport string) (string, int) {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, 0
	}
	port, _ := strconv.Atoi(p)
	return host, port
}

// protocolVersion is r's network.protocol.version: "1.1", "2".
func protocolVersion(r *http.Request) string {
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 1:
		return "1.1"
	case r.ProtoMajor == 2:
		return "2"
	}
	return strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor)
}
