// Package tracing builds the OpenTelemetry tracer provider of a Gatehouse
// process from the standard OTEL_* environment variables. It is part of
// the composition root: the gateway and the management API receive the
// provider it returns and read no environment themselves.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The OTLP protocols spans can be sent over (OTEL_EXPORTER_OTLP_PROTOCOL).
// http/json is not one: the Go exporters do not write it.
const (
	ProtocolHTTP = "http/protobuf" // the default, to port 4318
	ProtocolGRPC = "grpc"          // to port 4317
)

// Options are what a process knows of itself, for its resource.
type Options struct {
	// Getenv reads the environment: os.Getenv, or a map in tests.
	Getenv func(string) string
	// ServiceName is service.name when OTEL_SERVICE_NAME does not say it.
	ServiceName string
	// Version is service.version.
	Version string
	// InstanceID is service.instance.id; empty: none.
	InstanceID string
	// Logger receives export errors. Nil: discard.
	Logger *slog.Logger
}

// Provider is a running tracer provider, or none when tracing is off.
// Its methods are safe for concurrent use.
type Provider struct {
	tp *sdktrace.TracerProvider
	// Endpoint is the URL spans are sent to; empty when tracing is off.
	Endpoint string
	// Protocol is ProtocolHTTP or ProtocolGRPC; empty when tracing is off.
	Protocol string
}

// TracerProvider returns the provider to hand to the gateway and the
// management API, or nil when tracing is off.
func (p *Provider) TracerProvider() trace.TracerProvider {
	if p == nil || p.tp == nil {
		return nil
	}
	return p.tp
}

// Shutdown sends the spans still buffered and stops the provider,
// waiting at most until ctx is done. It does nothing when tracing is off.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p == nil || p.tp == nil {
		return nil
	}
	if err := p.tp.Shutdown(ctx); err != nil {
		return fmt.Errorf("stop tracing: %w", err)
	}
	return nil
}

// Start returns the tracer provider the environment describes. Tracing is
// on when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT
// is set, or OTEL_TRACES_EXPORTER is otlp, unless OTEL_SDK_DISABLED is
// true or OTEL_TRACES_EXPORTER is none; otherwise the Provider is off and
// costs nothing. A value this build cannot honour (the http/json
// protocol, an unknown sampler) is an error naming its variable: the
// process should not start believing it is traced.
func Start(opts Options) (*Provider, error) {
	env := opts.Getenv
	get := func(name string) string { return strings.TrimSpace(env(name)) }
	if strings.EqualFold(get("OTEL_SDK_DISABLED"), "true") {
		return &Provider{}, nil
	}
	switch exp := get("OTEL_TRACES_EXPORTER"); strings.ToLower(exp) {
	case "none":
		return &Provider{}, nil
	case "", "otlp":
	default:
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: want otlp or none", exp)
	}
	protocol, err := otlpProtocol(get)
	if err != nil {
		return nil, err
	}
	endpoint, err := tracesEndpoint(get, protocol)
	if err != nil || endpoint == "" {
		return &Provider{}, err
	}
	headers, err := parseHeaders(get)
	if err != nil {
		return nil, err
	}
	sampler, err := parseSampler(get("OTEL_TRACES_SAMPLER"), get("OTEL_TRACES_SAMPLER_ARG"))
	if err != nil {
		return nil, err
	}
	res, err := newResource(opts, get)
	if err != nil {
		return nil, err
	}
	var exp sdktrace.SpanExporter
	if protocol == ProtocolGRPC {
		exp, err = otlptracegrpc.New(context.Background(), otlptracegrpc.WithEndpointURL(endpoint), otlptracegrpc.WithHeaders(headers))
	} else {
		exp, err = otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(endpoint), otlptracehttp.WithHeaders(headers))
	}
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter for %s: %w", endpoint, err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Export failures (a collector away) are logged in the process's
	// format, never returned to a request.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("opentelemetry", "err", err) }))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(2*time.Second)),
		sdktrace.WithResource(res), sdktrace.WithSampler(sampler))
	return &Provider{tp: tp, Endpoint: endpoint, Protocol: protocol}, nil
}

// tracesEndpoint returns the URL to send spans to: the traces endpoint as
// written, else the general endpoint (with /v1/traces appended over
// http/protobuf), else, when OTEL_TRACES_EXPORTER asks for otlp, the
// collector on localhost; "" when none is configured.
func tracesEndpoint(get func(string) string, protocol string) (string, error) {
	name, u := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	if u == "" {
		name, u = "OTEL_EXPORTER_OTLP_ENDPOINT", get("OTEL_EXPORTER_OTLP_ENDPOINT")
		if u != "" && protocol == ProtocolHTTP {
			u = strings.TrimSuffix(u, "/") + "/v1/traces"
		}
	}
	if u == "" {
		if !strings.EqualFold(get("OTEL_TRACES_EXPORTER"), "otlp") {
			return "", nil
		}
		if protocol == ProtocolGRPC {
			return "http://localhost:4317", nil
		}
		return "http://localhost:4318/v1/traces", nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", fmt.Errorf("%s=%q: want an http:// or https:// URL, such as http://otel-collector:4318", name, get(name))
	}
	return u, nil
}

// otlpProtocol returns OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else
// OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf; http/json and unknown
// protocols are refused.
func otlpProtocol(get func(string) string) (string, error) {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		switch v := get(name); v {
		case "":
			continue
		case ProtocolHTTP, ProtocolGRPC:
			return v, nil
		default:
			return "", fmt.Errorf("%s=%q: Gatehouse sends traces over %s (to the collector's port 4318) or %s (port 4317) only",
				name, v, ProtocolHTTP, ProtocolGRPC)
		}
	}
	return ProtocolHTTP, nil
}

// parseHeaders reads OTEL_EXPORTER_OTLP_TRACES_HEADERS, else
// OTEL_EXPORTER_OTLP_HEADERS: comma-separated key=value pairs whose
// values are URL-encoded.
func parseHeaders(get func(string) string) (map[string]string, error) {
	name := "OTEL_EXPORTER_OTLP_TRACES_HEADERS"
	v := get(name)
	if v == "" {
		name = "OTEL_EXPORTER_OTLP_HEADERS"
		v = get(name)
	}
	if v == "" {
		return nil, nil
	}
	pairs, err := parsePairs(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err) // never the value: it holds credentials
	}
	return pairs, nil
}

// parsePairs parses "k1=v1,k2=v2" with URL-encoded values, as the OTEL_*
// lists of headers and resource attributes are written.
func parsePairs(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, item := range strings.Split(s, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("item %d: want key=value", i+1)
		}
		val, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("item %d (%s): %w", i+1, k, err)
		}
		out[k] = val
	}
	return out, nil
}

// parseSampler returns the sampler OTEL_TRACES_SAMPLER names, with
// OTEL_TRACES_SAMPLER_ARG as the ratio of the traceidratio ones; the
// default follows the caller's decision, else samples every trace.
func parseSampler(name, arg string) (sdktrace.Sampler, error) {
	ratio := func() (float64, error) {
		if arg == "" {
			return 1, nil
		}
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			return 0, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG=%q: want a ratio from 0 to 1", arg)
		}
		return r, nil
	}
	switch strings.ToLower(name) {
	case "", "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), nil
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "traceidratio":
		r, err := ratio()
		return sdktrace.TraceIDRatioBased(r), err
	case "parentbased_traceidratio":
		r, err := ratio()
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r)), err
	}
	return nil, fmt.Errorf("OTEL_TRACES_SAMPLER=%q: want always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio", name)
}

// newResource describes the process: OTEL_RESOURCE_ATTRIBUTES, then
// service.name (OTEL_SERVICE_NAME, else the attributes', else
// opts.ServiceName), service.version and service.instance.id.
func newResource(opts Options, get func(string) string) (*resource.Resource, error) {
	pairs, err := parsePairs(get("OTEL_RESOURCE_ATTRIBUTES"))
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	if _, ok := pairs["service.name"]; !ok {
		pairs["service.name"] = opts.ServiceName
	}
	if v := get("OTEL_SERVICE_NAME"); v != "" {
		pairs["service.name"] = v
	}
	if _, ok := pairs["service.version"]; !ok && opts.Version != "" {
		pairs["service.version"] = opts.Version
	}
	if _, ok := pairs["service.instance.id"]; !ok && opts.InstanceID != "" {
		pairs["service.instance.id"] = opts.InstanceID
	}
	attrs := make([]attribute.KeyValue, 0, len(pairs))
	for k, v := range pairs {
		attrs = append(attrs, attribute.String(k, v))
	}
	res, err := resource.New(context.Background(), resource.WithTelemetrySDK(), resource.WithAttributes(attrs...))
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	return res, nil
}
