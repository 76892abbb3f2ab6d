package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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

// TestServeBinaryReadsOTELVariables runs the gatehouse binary with the
// OTEL_* variables in its environment: a gateway request's spans reach an
// OTLP/HTTP receiver with the service name they give.
func TestServeBinaryReadsOTELVariables(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "gatehouse")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	rc := otlptest.NewReceiver(t)
	backend := newBackend(t)
	cmd := exec.Command(bin, "serve", "--data", filepath.Join(dir, "data"), "--log-format", "json",
		"--mgmt", "127.0.0.1:0", "--gateway-http", "127.0.0.1:0", "--shutdown-grace", "5s")
	cmd.Env = append(os.Environ(), "GATEHOUSE_ADMIN_TOKEN=otel-token", "OTEL_EXPORTER_OTLP_ENDPOINT="+rc.URL(),
		"OTEL_SERVICE_NAME=binary-under-test", "OTEL_TRACES_SAMPLER=always_on")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := &lineLog{}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.add(sc.Text())
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-readDone
		cmd.Wait()
	})
	var addrs struct {
		Mgmt        string `json:"mgmt"`
		GatewayHTTP string `json:"gateway_http"`
	}
	eventually(t, 30*time.Second, "serve started", func() bool {
		line, ok := logs.find(`"gatehouse serving"`)
		return ok && json.Unmarshal([]byte(line), &addrs) == nil
	})
	if _, ok := logs.find(`"protocol":"http/protobuf"`); !ok {
		t.Errorf("serve did not log that it traces: %v", logs.all())
	}
	for _, r := range []struct{ path, body string }{
		{"/apis/open", `{"properties":{"displayName":"open","path":"open","serviceUrl":"` + backend.URL + `","subscriptionRequired":false}}`},
		{"/apis/open/operations/all", `{"properties":{"method":"*","urlTemplate":"/*"}}`},
	} {
		req, _ := http.NewRequest("PUT", "http://"+addrs.Mgmt+"/mgmt"+r.path, strings.NewReader(r.body))
		req.Header.Set("Authorization", "Bearer otel-token")
		if got := send(t, req); got.status/100 != 2 {
			t.Fatalf("PUT %s: %d %s", r.path, got.status, got.body)
		}
	}
	eventually(t, 10*time.Second, "the API served", func() bool {
		res, err := http.Get("http://" + addrs.GatewayHTTP + "/open/x")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	rc.Wait(t, "the gateway's server span", func(spans []otlptest.Span) bool {
		for _, s := range spans {
			if s.Name == "open - all" && s.Resource["service.name"] == "binary-under-test" {
				return true
			}
		}
		return false
	})
}

// TestSelfHostedGatewaySendsTraces: a self-hosted gateway traces its
// requests under its own gateway id and, by default, the service name
// gatehouse-gateway.
func TestSelfHostedGatewaySendsTraces(t *testing.T) {
	backend := newBackend(t)
	plane := startServe(t, t.TempDir(), "")
	plane.must("PUT", "/apis/open", `{"properties":{"displayName":"x","path":"open","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
	plane.must("PUT", "/apis/open/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
	plane.must("PUT", "/gateways/edge", `{"properties":{"description":"Edge"}}`)
	plane.must("PUT", "/gateways/edge/apis/open", "")
	var tok struct{ Value string }
	json.Unmarshal(plane.must("POST", "/gateways/edge/generateToken",
		`{"keyType":"primary","expiry":"`+time.Now().Add(24*time.Hour).Format(time.RFC3339)+`"}`).body, &tok)

	rc := otlptest.NewReceiver(t)
	getenv := func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": rc.URL() + "/v1/traces"}[k]
	}
	gw := startGateway(t, selfhosted.Config{ConfigEndpoint: "http://" + plane.addrs.Mgmt, GatewayID: "edge", Token: tok.Value,
		Backup: filepath.Join(t.TempDir(), "backup.json"), GatewaySettings: selfhosted.GatewaySettings{Getenv: getenv, Region: "north"}})
	eventually(t, 10*time.Second, "the self-hosted gateway serving /open/x", func() bool { return gw.status("/open/x") == 200 })
	rc.Wait(t, "the self-hosted gateway's server span", func(spans []otlptest.Span) bool {
		for _, s := range spans {
			if s.Name == "open - all" && s.Attr("gatehouse.gateway.id") == "edge" && s.Attr("gatehouse.region") == "north" &&
				s.Resource["service.name"] == "gatehouse-gateway" && s.Resource["service.version"] == "test" {
				return true
			}
		}
		return false
	})
}
