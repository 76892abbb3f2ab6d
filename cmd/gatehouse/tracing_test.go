package main

import (
	"context"
	"strings"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/gatehouse/gatehouse/cmd/internal/selfhosted"
	"github.com/gatehouse/gatehouse/internal/otlptest"
)

// TestServeSendsTraces runs serve with the OTEL_* variables pointing at
// an OTLP/gRPC receiver: a gateway request's server and client spans, and
// a management API request's span, reach it with the resource the
// variables describe, and the backend gets the client span's traceparent.
func TestServeSendsTraces(t *testing.T) {
	rc := otlptest.NewGRPCReceiver(t)
	vars := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": rc.URL(),
		"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"OTEL_SERVICE_NAME":           "plane-under-test",
		"OTEL_RESOURCE_ATTRIBUTES":    "deployment.environment=test",
	}
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "", func(c *serveConfig) {
		c.GatewaySettings.Getenv = func(k string) string { return vars[k] }
		c.GatewaySettings.Region = "west"
	})
	publish(t, in, backend.URL)
	const trace, caller = "5bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	seen := decodeSeen(t, expectStatus(t, in, 200, "/echo/items/42", "Ocp-Apim-Subscription-Key: prod-primary-key",
		"Traceparent: 00-"+trace+"-"+caller+"-01"))
	sent := seen.Header.Get("Traceparent") // the client span's

	var server, client otlptest.Span
	rc.Wait(t, "the request's server and client spans", func(spans []otlptest.Span) bool {
		for _, s := range otlptest.Trace(spans, trace) {
			if s.Kind == tracepb.Span_SPAN_KIND_CLIENT && strings.Contains(sent, s.SpanID()) {
				client = s
			}
		}
		for _, s := range otlptest.Trace(spans, trace) {
			if s.Kind == tracepb.Span_SPAN_KIND_SERVER && s.SpanID() == client.ParentID() {
				server = s
			}
		}
		return server.Span != nil
	})
	if sent != "00-"+trace+"-"+client.SpanID()+"-01" || server.ParentID() != caller {
		t.Errorf("backend got traceparent %q; client span %s, server span %s (parent %s)", sent, client.SpanID(), server.SpanID(), server.ParentID())
	}
	if server.Name != "echo - get-item" {
		t.Errorf("server span named %q", server.Name)
	}
	for key, want := range map[string]string{"gatehouse.gateway.id": "managed", "gatehouse.region": "west", "gatehouse.api.id": "echo",
		"gatehouse.operation.id": "get-item", "gatehouse.product.id": "starter", "gatehouse.subscription.id": "prod"} {
		if got := server.Attr(key); got != want {
			t.Errorf("server span %s = %q, want %q", key, got, want)
		}
	}
	if server.Resource["service.name"] != "plane-under-test" || server.Resource["deployment.environment"] != "test" {
		t.Errorf("resource %v", server.Resource)
	}
	rc.Wait(t, "a management API span", func(spans []otlptest.Span) bool {
		for _, s := range spans {
			if s.Name == "PUT /mgmt/apis" && s.Attr("http.response.status_code") != "" {
				return true
			}
		}
		return false
	})
}

// TestTracingSettingsRefusedAtStart: an OTLP protocol Gatehouse cannot
// send stops both processes at start, naming the variable.
func TestTracingSettingsRefusedAtStart(t *testing.T) {
	getenv := func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}[k]
	}
	err := selfhosted.Run(context.Background(), selfhosted.Config{Auth: selfhosted.AuthToken, Token: "GatewayKey x&202601010000&A",
		ConfigEndpoint: "http://127.0.0.1:9", GatewayID: "edge", LogFormat: "json", LogLevel: "info",
		GatewaySettings: selfhosted.GatewaySettings{Getenv: getenv}})
	if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_PROTOCOL") {
		t.Errorf("gateway with OTEL_EXPORTER_OTLP_PROTOCOL=http/json = %v", err)
	}
	err = runServe(context.Background(), serveConfig{DataDir: t.TempDir(), MgmtAddr: "127.0.0.1:0", LogFormat: "json", LogLevel: "info",
		GatewaySettings: selfhosted.GatewaySettings{Getenv: getenv}})
	if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_PROTOCOL") {
		t.Errorf("serve with OTEL_EXPORTER_OTLP_PROTOCOL=http/json = %v", err)
	}
}
