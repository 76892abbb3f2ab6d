package tracing

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/gatehouse/gatehouse/internal/otlptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env returns a Getenv reading vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestTracingIsOff(t *testing.T) {
	tests := map[string]map[string]string{
		"nothing set":   {},
		"only a name":   {"OTEL_SERVICE_NAME": "edge"},
		"sdk disabled":  {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "TRUE"},
		"exporter none": {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"},
	}
	for name, vars := range tests {
		t.Run(name, func(t *testing.T) {
			p, err := Start(Options{Getenv: env(vars), ServiceName: "gatehouse"})
			if err != nil {
				t.Fatal(err)
			}
			if p.TracerProvider() != nil || p.Endpoint != "" {
				t.Errorf("tracing is on (%s)", p.Endpoint)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	tests := []struct {
		name     string
		vars     map[string]string
		variable string // the error must name it
	}{
		{"http/json", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, "OTEL_EXPORTER_OTLP_PROTOCOL"},
		{"traces protocol", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "udp"}, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"},
		{"endpoint without scheme", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "ftp://c/x"}, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"},
		{"exporter", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER"},
		{"sampler", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_SAMPLER": "sometimes"}, "OTEL_TRACES_SAMPLER"},
		{"sampler ratio", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"}, "OTEL_TRACES_SAMPLER_ARG"},
		{"headers", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_HEADERS": "secret-token"}, "OTEL_EXPORTER_OTLP_HEADERS"},
		{"resource", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_RESOURCE_ATTRIBUTES": "a=%zz"}, "OTEL_RESOURCE_ATTRIBUTES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Start(Options{Getenv: env(tt.vars)})
			if err == nil || !strings.Contains(err.Error(), tt.variable) {
				t.Errorf("Start: %v, want an error naming %s", err, tt.variable)
			}
			if err != nil && strings.Contains(err.Error(), "secret-token") {
				t.Errorf("the error shows the headers' value: %v", err)
			}
		})
	}
}

// TestExport sends a span over each protocol to a receiver and checks
// the resource and headers the environment asked for.
func TestExport(t *testing.T) {
	for _, protocol := range []string{ProtocolHTTP, ProtocolGRPC} {
		t.Run(protocol, func(t *testing.T) {
			rc := otlptest.NewReceiver(t)
			if protocol == ProtocolGRPC {
				rc = otlptest.NewGRPCReceiver(t)
			}
			p, err := Start(Options{ServiceName: "gatehouse-gateway", Version: "1.2.3", InstanceID: "node-1", Getenv: env(map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT": rc.URL(),
				"OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
				"OTEL_EXPORTER_OTLP_HEADERS":  "x-api-key=k%20ey,x-tenant=t1",
				"OTEL_RESOURCE_ATTRIBUTES":    "deployment.environment=test,service.name=overridden",
				"OTEL_SERVICE_NAME":           "edge-gateway",
				"OTEL_TRACES_SAMPLER":         "always_on",
			})})
			if err != nil {
				t.Fatal(err)
			}
			if p.Protocol != protocol {
				t.Errorf("protocol %q, want %q", p.Protocol, protocol)
			}
			_, span := p.TracerProvider().Tracer("test").Start(context.Background(), "one")
			span.End()
			if err := p.Shutdown(context.Background()); err != nil { // flushes
				t.Fatal(err)
			}
			spans := rc.Wait(t, "the span", func(s []otlptest.Span) bool { return len(s) == 1 })
			for key, want := range map[string]string{"service.name": "edge-gateway", "service.version": "1.2.3",
				"service.instance.id": "node-1", "deployment.environment": "test", "telemetry.sdk.language": "go"} {
				if got := spans[0].Resource[key]; got != want {
					t.Errorf("resource %s = %q, want %q", key, got, want)
				}
			}
			h := rc.Headers()[0]
			if h.Get("X-Api-Key") != "k ey" || h.Get("X-Tenant") != "t1" {
				t.Errorf("export headers %v, want x-api-key and x-tenant", h)
			}
		})
	}
}

func TestSamplerOffSendsNothing(t *testing.T) {
	rc := otlptest.NewReceiver(t)
	p, err := Start(Options{ServiceName: "gatehouse", Getenv: env(map[string]string{
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": rc.URL() + "/v1/traces",
		"OTEL_TRACES_SAMPLER":                "parentbased_traceidratio",
		"OTEL_TRACES_SAMPLER_ARG":            "0",
	})})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		_, span := p.TracerProvider().Tracer("test").Start(context.Background(), "dropped")
		span.End()
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(rc.Spans()); n != 0 {
		t.Errorf("the receiver got %d spans with a sampling ratio of 0", n)
	}
}
