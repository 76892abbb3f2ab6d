package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolAndCircuitBreakerThroughServe configures, through the
// management API of a running `gatehouse serve`, a pool of two backends
// of different priorities whose first has a circuit breaker: the
// embedded gateway sends to the first until it fails, then to the
// second, and the gateway's status shows the open breaker.
func TestPoolAndCircuitBreakerThroughServe(t *testing.T) {
	var failing atomic.Bool
	start := func(name string, canFail bool) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if canFail && failing.Load() {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			io.WriteString(w, name)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	primary, secondary := start("primary", true), start("secondary", false)

	in := startServe(t, t.TempDir(), "", func(c *serveConfig) { c.HeartbeatInterval = 100 * time.Millisecond })
	in.must("PUT", "/backends/primary", `{"properties": {"url": "`+primary.URL+`", "circuitBreaker": {"rules": [{"name": "five-hundreds",
		"tripDuration": "PT1H", "failureCondition": {"count": 2, "interval": "PT1M", "statusCodeRanges": [{"min": 500, "max": 599}]}}]}}}`)
	in.must("PUT", "/backends/secondary", `{"properties": {"url": "`+secondary.URL+`"}}`)
	in.must("PUT", "/backends/orders", `{"properties": {"type": "Pool", "pool": {"services": [
		{"id": "/backends/primary", "priority": 0}, {"id": "/backends/secondary", "priority": 1}]}}}`)
	in.must("PUT", "/apis/orders", `{"properties": {"displayName": "Orders", "path": "orders", "serviceUrl": "http://127.0.0.1:1", "subscriptionRequired": false}}`)
	in.must("PUT", "/apis/orders/operations/all", `{"properties": {"displayName": "All", "method": "*", "urlTemplate": "/*"}}`)
	in.must("PUT", "/apis/orders/policy", `{"properties": {"format": "rawxml", "value": "<policies><inbound><base /><set-backend-service backend-id=\"orders\" /></inbound><backend><forward-request /></backend></policies>"}}`)

	eventually(t, 5*time.Second, "the gateway sends to the primary", func() bool {
		r := in.call("GET", "/orders/items")
		return r.status == 200 && string(r.body) == "primary"
	})
	if r := in.mgmt("DELETE", "/backends/secondary", ""); r.status != http.StatusConflict {
		t.Errorf("DELETE a pool member: %d %s", r.status, r.body)
	}

	failing.Store(true)
	for i := 0; i < 2; i++ {
		if r := in.call("GET", "/orders/items"); r.status != 500 {
			t.Fatalf("failure %d of the primary answered %d %s", i+1, r.status, r.body)
		}
	}
	for i := 0; i < 5; i++ {
		if r := in.call("GET", "/orders/items"); r.status != 200 || string(r.body) != "secondary" {
			t.Fatalf("with the primary's breaker open: %d %s, want the secondary", r.status, r.body)
		}
	}
	eventually(t, 5*time.Second, "the status shows the open breaker", func() bool {
		var st struct {
			Nodes []struct {
				Circuits []struct {
					Backend string `json:"backend"`
					Open    bool   `json:"open"`
					Trips   int    `json:"trips"`
				} `json:"circuits"`
			} `json:"nodes"`
		}
		r := in.must("GET", "/gateways/managed/status", "")
		if json.Unmarshal(r.body, &st) != nil || len(st.Nodes) != 1 || len(st.Nodes[0].Circuits) != 1 {
			return false
		}
		c := st.Nodes[0].Circuits[0]
		return c.Backend == "primary" && c.Open && c.Trips == 1
	})
}
