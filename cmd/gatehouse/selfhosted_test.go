package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/cmd/internal/selfhosted"
	"github.com/gatehouse/gatehouse/internal/configsync"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/oidctest"
)

// gatewayNode is a running self-hosted gateway.
type gatewayNode struct {
	t      *testing.T
	addr   string
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer
}

func startGateway(t *testing.T, cfg selfhosted.Config) *gatewayNode {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	n := &gatewayNode{t: t, cancel: cancel, done: make(chan error, 1), logs: &syncBuffer{}}
	ready := make(chan string, 1)
	cfg.GatewayHTTP, cfg.LogFormat, cfg.LogLevel = "127.0.0.1:0", "json", "debug"
	if cfg.Auth == "" {
		cfg.Auth = selfhosted.AuthToken
	}
	cfg.HeartbeatInterval, cfg.ShutdownGrace, cfg.Version, cfg.AccessLog = 100*time.Millisecond, 5*time.Second, "test", true
	cfg.Stdout, cfg.Ready = n.logs, func(a string) { ready <- a }
	go func() { n.done <- selfhosted.Run(ctx, cfg) }()
	select {
	case n.addr = <-ready:
	case err := <-n.done:
		t.Fatalf("gateway stopped at start: %v\n%s", err, n.logs)
	case <-time.After(10 * time.Second):
		t.Fatal("gateway did not start")
	}
	t.Cleanup(n.stop)
	return n
}

func (n *gatewayNode) stop() {
	if n.cancel == nil {
		return
	}
	n.cancel()
	n.cancel = nil
	select {
	case err := <-n.done:
		if err != nil {
			n.t.Errorf("gateway returned %v", err)
		}
	case <-time.After(15 * time.Second):
		n.t.Error("gateway did not stop")
	}
}

func (n *gatewayNode) status(path string) int {
	resp, err := http.Get("http://" + n.addr + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// expect waits (at most one second) until the gateway answers path with want.
func (n *gatewayNode) expect(want int, path string) {
	n.t.Helper()
	eventually(n.t, time.Second, "gateway "+n.addr+" answering "+path+" with "+http.StatusText(want), func() bool {
		return n.status(path) == want
	})
}

func nodeCount(t *testing.T, plane *instance) float64 {
	return plane.must("GET", "/gateways/edge/status", "").json(t)["nodeCount"].(float64)
}

func TestSelfHostedGateways(t *testing.T) {
	backend := newBackend(t)
	planeDir := t.TempDir()
	plane := startServe(t, planeDir, "", func(c *serveConfig) { c.HeartbeatInterval = 100 * time.Millisecond })
	for _, id := range []string{"assigned", "unassigned"} {
		plane.must("PUT", "/apis/"+id, `{"properties":{"displayName":"x","path":"`+id+`","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
		plane.must("PUT", "/apis/"+id+"/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
	}
	plane.must("PUT", "/gateways/edge", `{"properties":{"description":"Edge cluster","locationData":{"name":"edge","city":"Oslo"}}}`)
	plane.must("PUT", "/gateways/edge/apis/assigned", "")
	plane.must("PUT", "/namedValues/edge-secret", `{"properties":{"displayName":"edge-secret","value":"very-secret-value","secret":true}}`)

	if r := plane.mgmt("POST", "/gateways/edge/generateToken", `{"keyType":"primary","expiry":"`+time.Now().Add(31*24*time.Hour).Format(time.RFC3339)+`"}`); r.status != 400 {
		t.Errorf("a token valid for 31 days: %d, want 400", r.status)
	}
	if r := plane.mgmt("POST", "/gateways/managed/generateToken", `{"keyType":"primary","expiry":"`+time.Now().Add(time.Hour).Format(time.RFC3339)+`"}`); r.status != 409 {
		t.Errorf("a token for the managed gateway: %d, want 409", r.status)
	}
	token := func(keyType string) string {
		var tok struct{ Value string }
		json.Unmarshal(plane.must("POST", "/gateways/edge/generateToken",
			`{"keyType":"`+keyType+`","expiry":"`+time.Now().Add(24*time.Hour).Format(time.RFC3339)+`"}`).body, &tok)
		if !strings.HasPrefix(tok.Value, "GatewayKey edge&") {
			t.Fatalf("token = %q", tok.Value)
		}
		return tok.Value
	}
	primary, secondary := token("primary"), token("secondary")
	endpoint := "http://" + plane.addrs.Mgmt
	cfg := func(tok, dir string) selfhosted.Config {
		return selfhosted.Config{ConfigEndpoint: endpoint, GatewayID: "edge", Token: tok, Backup: filepath.Join(dir, "backup.json")}
	}
	outer := t
	dir1, dir2 := t.TempDir(), t.TempDir()
	gw1 := startGateway(t, cfg(primary, dir1))
	gw2 := startGateway(t, cfg(secondary, dir2))

	t.Run("assigned APIs only", func(t *testing.T) {
		for _, gw := range []*gatewayNode{gw1, gw2} {
			gw.expect(200, "/internal-status-0123456789abcdef")
			gw.expect(200, "/assigned/x")
			gw.expect(404, "/unassigned/x")
			if !strings.Contains(gw.logs.String(), "the gateway token expires within a day") {
				t.Errorf("a token valid for 24 hours was not warned about:\n%s", gw.logs)
			}
		}
	})
	t.Run("a change reaches every gateway within a second", func(t *testing.T) {
		start := time.Now()
		plane.must("PUT", "/gateways/edge/apis/unassigned", "")
		gw1.expect(200, "/unassigned/x")
		gw2.expect(200, "/unassigned/x")
		t.Logf("assignment served by both gateways %v after the management API's answer", time.Since(start))
		start = time.Now()
		plane.must("DELETE", "/gateways/edge/apis/unassigned", "")
		gw1.expect(404, "/unassigned/x")
		gw2.expect(404, "/unassigned/x")
		t.Logf("removal served by both gateways %v after the management API's answer", time.Since(start))
	})
	t.Run("status counts nodes", func(t *testing.T) {
		eventually(t, 2*time.Second, "two nodes", func() bool { return nodeCount(t, plane) == 2 })
		var node map[string]any
		eventually(t, time.Second, "a heartbeat after the configuration", func() bool {
			node = plane.must("GET", "/gateways/edge/status", "").json(t)["nodes"].([]any)[0].(map[string]any)
			return node["configVersion"].(float64) >= 1
		})
		if node["version"] != "test" || node["state"] != "connected" || node["hostname"] == "" {
			t.Errorf("node = %v", node)
		}
		gw2.stop()
		eventually(t, 2*time.Second, "one node after one stopped", func() bool { return nodeCount(t, plane) == 1 })
	})
	t.Run("a regenerated key refuses its old tokens", func(t *testing.T) {
		plane.must("POST", "/gateways/edge/regenerateKey", `{"keyType":"secondary"}`)
		req, _ := http.NewRequest("GET", configsync.SnapshotURL(endpoint, "edge", 1<<40), nil)
		req.Header.Set("Authorization", secondary)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("token of the regenerated key: %d, want 401", resp.StatusCode)
		}
	})
	t.Run("the backup is encrypted", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir1, "backup.json"))
		if err != nil || len(b) == 0 {
			t.Fatalf("backup: %v", err)
		}
		if strings.Contains(string(b), "very-secret-value") || strings.Contains(string(b), "assigned") {
			t.Error("the backup holds configuration in plaintext")
		}
	})
	t.Run("gateways serve while the management plane is away", func(t *testing.T) {
		plane.stop()
		gw1.expect(200, "/assigned/x")
		gw2 = startGateway(outer, cfg(primary, dir2)) // starts from its backup; runs beyond this subtest
		gw2.expect(200, "/internal-status-0123456789abcdef")
		gw2.expect(200, "/assigned/x")
		gw2.expect(404, "/unassigned/x")
		eventually(t, time.Second, "the restarted gateway says it serves from its backup", func() bool {
			return strings.Contains(gw2.logs.String(), "serving the configuration from the backup")
		})
	})
	t.Run("gateways reconnect when the plane returns", func(t *testing.T) {
		plane = startServe(outer, planeDir, "", func(c *serveConfig) {
			c.MgmtAddr, c.HeartbeatInterval = plane.addrs.Mgmt, 100*time.Millisecond
		})
		plane.must("PUT", "/gateways/edge/apis/unassigned", "")
		deadline := time.Now().Add(45 * time.Second)
		for gw1.status("/unassigned/x") != 200 || gw2.status("/unassigned/x") != 200 {
			if time.Now().After(deadline) {
				t.Fatalf("the gateways did not follow the returned plane within 45s\ngateway 1: %d\ngateway 2 (%d):\n%s", gw1.status("/unassigned/x"), gw2.status("/unassigned/x"), gw2.logs)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// TestWorkloadIdentityOverPrivateCA runs a gateway that authenticates
// with a projected service-account token to a management plane served
// over TLS with a private CA, as on Kubernetes.
func TestWorkloadIdentityOverPrivateCA(t *testing.T) {
	backend := newBackend(t)
	dir := t.TempDir()
	caFile, chain, key := privateCA(t, dir)
	plane := startServe(t, dir, "", func(c *serveConfig) { c.MgmtTLSCert, c.MgmtTLSKey = chain, key })
	issuer := oidctest.NewIssuer(t)
	const subject = "system:serviceaccount:apim-gateway-wi:apim-gateway-workload-identity"
	plane.must("PUT", "/apis/orders", `{"properties":{"displayName":"x","path":"orders","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
	plane.must("PUT", "/apis/orders/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
	plane.must("PUT", "/gateways/edge", `{"properties":{}}`)
	plane.must("PUT", "/gateways/edge/apis/orders", "")
	plane.must("PUT", "/gateways/edge/federatedCredentials/cluster", `{"properties":{"issuer":"`+issuer.URL+`","subject":"`+subject+`"}}`)

	tokenFile := filepath.Join(dir, "token")
	writeToken := func() {
		t.Helper()
		if err := os.WriteFile(tokenFile, []byte(issuer.Token(t, issuer.Claims(subject, model.DefaultFederatedAudience))), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeToken()
	cfg := selfhosted.Config{ConfigEndpoint: "https://" + plane.addrs.Mgmt, GatewayID: "edge", Auth: selfhosted.AuthWorkloadIdentity,
		TokenFile: tokenFile, CAFile: caFile}
	gw := startGateway(t, cfg)
	gw.expect(200, "/orders/1")

	t.Run("rotated token and issuer key", func(t *testing.T) {
		issuer.Rotate(t)
		writeToken()
		plane.must("PUT", "/apis/orders/operations/all", `{"properties":{"method":"GET","urlTemplate":"/v2/*"}}`)
		gw.expect(404, "/orders/1")
		gw.expect(200, "/orders/v2/1")
		// The poll that carried this change was authenticated before the
		// rotation; the next change needs the new token from the file.
		plane.must("PUT", "/apis/orders/operations/all", `{"properties":{"method":"GET","urlTemplate":"/v3/*"}}`)
		gw.expect(200, "/orders/v3/1")
	})
	t.Run("without the CA the plane is not trusted", func(t *testing.T) {
		cfg.CAFile, cfg.Backup = "", ""
		untrusting := startGateway(t, cfg)
		eventually(t, 5*time.Second, "a certificate error in the log", func() bool {
			return strings.Contains(untrusting.logs.String(), "certificate")
		})
		if got := untrusting.status("/internal-status-0123456789abcdef"); got != 503 {
			t.Errorf("readiness of a gateway without configuration: %d, want 503", got)
		}
	})
}

func TestGatewayRefusesToStartWithoutSettings(t *testing.T) {
	err := selfhosted.Run(context.Background(), selfhosted.Config{Auth: selfhosted.AuthToken, Token: "GatewayKey x&202601010000&A", LogFormat: "json", LogLevel: "info"})
	if err == nil || !strings.Contains(err.Error(), "--config-endpoint") {
		t.Errorf("Run without an endpoint = %v", err)
	}
}

// TestHTTPSWithoutCertificateRefusesToStart: an HTTPS address without a
// certificate is an error for both processes, never a listener that is
// silently off.
func TestHTTPSWithoutCertificateRefusesToStart(t *testing.T) {
	err := selfhosted.Run(context.Background(), selfhosted.Config{Auth: selfhosted.AuthToken, Token: "GatewayKey x&202601010000&A",
		ConfigEndpoint: "http://127.0.0.1:9", GatewayID: "edge", GatewayHTTPS: "127.0.0.1:0", Backup: filepath.Join(t.TempDir(), "backup"),
		LogFormat: "json", LogLevel: "info"})
	if err == nil || !strings.Contains(err.Error(), "gateway https listener on 127.0.0.1:0: HTTPS needs --tls-cert and --tls-key") {
		t.Errorf("gateway with --gateway-https and no certificate = %v", err)
	}
	err = runServe(context.Background(), serveConfig{DataDir: t.TempDir(), MgmtAddr: "127.0.0.1:0", GatewayHTTPS: "127.0.0.1:0", LogFormat: "json", LogLevel: "info"})
	if err == nil || !strings.Contains(err.Error(), "gateway https listener on 127.0.0.1:0: HTTPS needs --tls-cert and --tls-key") {
		t.Errorf("serve with --gateway-https and no certificate = %v", err)
	}
}
