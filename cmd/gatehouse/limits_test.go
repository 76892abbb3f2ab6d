package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/cmd/internal/selfhosted"
	"github.com/gatehouse/gatehouse/internal/limits/redistest"
)

// TestSelfHostedGatewaysShareLimits: two self-hosted gateways started as
// `gatehouse gateway --redis URL` admit a rate limit and a quota across
// both, as if they were one; serve's --metrics-addr reports Redis.
func TestSelfHostedGatewaysShareLimits(t *testing.T) {
	url := redistest.URL(t)
	token := redistest.Token()
	t.Cleanup(func() { redistest.Delete(url, "gatehouse:limits:*"+token+"*") })
	backend := newBackend(t)
	plane := startServe(t, t.TempDir(), "", func(c *serveConfig) {
		c.HeartbeatInterval, c.Redis, c.MetricsAddr = 100*time.Millisecond, url, "127.0.0.1:0"
	})
	plane.must("PUT", "/gateways/edge", `{"properties":{"description":"edge"}}`)
	start := time.Now().UTC().Add(-time.Second).Format(time.RFC3339)
	for id, limit := range map[string]string{
		"rated":   `<rate-limit-by-key calls="100" renewal-period="300" counter-key="` + token + `" />`,
		"metered": `<quota-by-key calls="80" renewal-period="3600" counter-key="` + token + `" first-period-start="` + start + `" />`,
	} {
		plane.must("PUT", "/apis/"+id, `{"properties":{"displayName":"x","path":"`+id+`","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
		plane.must("PUT", "/apis/"+id+"/operations/all", `{"properties":{"method":"GET","urlTemplate":"/*"}}`)
		doc, _ := json.Marshal(map[string]any{"properties": map[string]string{"format": "rawxml",
			"value": `<policies><inbound><base />` + limit + `</inbound><backend><base /></backend></policies>`}})
		plane.must("PUT", "/apis/"+id+"/policy", string(doc))
		plane.must("PUT", "/gateways/edge/apis/"+id, "")
	}
	var tok struct{ Value string }
	json.Unmarshal(plane.must("POST", "/gateways/edge/generateToken",
		`{"keyType":"primary","expiry":"`+time.Now().Add(time.Hour).Format(time.RFC3339)+`"}`).body, &tok)
	var gws []*gatewayNode
	for range 2 {
		cfg := selfhosted.Config{ConfigEndpoint: "http://" + plane.addrs.Mgmt, GatewayID: "edge", Token: tok.Value, Backup: filepath.Join(t.TempDir(), "backup.json")}
		cfg.Redis, cfg.RedisFailOpen = url, true
		gw := startGateway(t, cfg)
		gw.expect(200, "/internal-status-0123456789abcdef")
		gws = append(gws, gw)
	}
	for _, tt := range []struct {
		path          string
		admit, refuse int
		refusedWith   int
	}{{"/rated/x", 100, 200, 429}, {"/metered/x", 80, 160, 403}} {
		counts := spread(t, gws, tt.path, tt.admit+tt.refuse)
		if counts[200] < tt.admit*99/100 || counts[200] > tt.admit*101/100 || counts[200]+counts[tt.refusedWith] != tt.admit+tt.refuse {
			t.Errorf("%s over two gateways: %v; want %d (±1%%) admitted, the rest %d", tt.path, counts, tt.admit, tt.refusedWith)
		}
	}
	resp, err := http.Get("http://" + plane.addrs.Metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`gatehouse_redis_up{store="limits"} 1`, `gatehouse_redis_up{store="cache"} 1`, "go_goroutines"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("serve's metrics lack %q", want)
		}
	}
}

// spread sends n GET requests for path, 8 at a time, alternating between
// the gateways, and counts the status codes.
func spread(t *testing.T, gws []*gatewayNode, path string, n int) map[int]int {
	t.Helper()
	var mu sync.Mutex
	counts := map[int]int{}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				code := gws[i%int64(len(gws))].status(path)
				mu.Lock()
				counts[code]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return counts
}
