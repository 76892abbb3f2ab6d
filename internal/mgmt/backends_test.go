package mgmt

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

const breakerJSON = `"circuitBreaker": {"rules": [{"name": "r", "tripDuration": "PT1M", "acceptRetryAfter": true,
	"failureCondition": {"count": 3, "interval": "PT5M", "statusCodeRanges": [{"min": 500, "max": 599}], "errorReasons": ["timeout"]}}]}`

// TestBackendPoolsAndBreakers checks what the management API accepts of
// pools and circuit breakers: members given as plain or relative ids,
// existing single backends only; each invalid field refused with 400
// naming it; a pool member or a pool a policy uses kept from deletion.
func TestBackendPoolsAndBreakers(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/backends/one", `{"properties": {"url": "http://one.example.com", `+breakerJSON+`}}`)
	a.must("PUT", "/backends/two", `{"properties": {"url": "http://two.example.com"}}`)
	r := a.must("PUT", "/backends/pool", `{"properties": {"type": "Pool", "pool": {"services": [
		{"id": "/backends/one", "priority": 1, "weight": 3}, {"id": "Two", "priority": 1, "weight": 1}]}}}`)
	var got struct {
		Properties struct {
			Type string `json:"type"`
			Pool struct {
				Services []struct {
					ID       string `json:"id"`
					Priority int    `json:"priority"`
					Weight   int    `json:"weight"`
				} `json:"services"`
			} `json:"pool"`
		} `json:"properties"`
	}
	if err := json.Unmarshal([]byte(r.raw), &got); err != nil {
		t.Fatal(err)
	}
	if s := got.Properties.Pool.Services; got.Properties.Type != "Pool" || len(s) != 2 || s[0].ID != "one" || s[1].ID != "two" || s[0].Weight != 3 {
		t.Errorf("pool stored as %s, want members one and two (plain ids as stored)", r.raw)
	}
	r = a.must("GET", "/backends/one", "")
	cb := r.body["properties"].(map[string]any)["circuitBreaker"].(map[string]any)["rules"].([]any)[0].(map[string]any)
	if cb["tripDuration"] != "PT1M" || cb["acceptRetryAfter"] != true {
		t.Errorf("circuit breaker stored as %s", r.raw)
	}

	invalid := []struct{ name, path, body, target string }{
		{"missing member", "/backends/p2", `{"type": "Pool", "pool": {"services": [{"id": "one"}, {"id": "/backends/none"}]}}`, "properties.pool.services[1].id"},
		{"pool in a pool", "/backends/p2", `{"type": "Pool", "pool": {"services": [{"id": "pool"}]}}`, "properties.pool.services[0].id"},
		{"pool of itself", "/backends/p2", `{"type": "Pool", "pool": {"services": [{"id": "p2"}]}}`, "properties.pool.services[0].id"},
		{"member of another collection", "/backends/p2", `{"type": "Pool", "pool": {"services": [{"id": "/certificates/one"}]}}`, "properties.pool.services[0].id"},
		{"empty pool", "/backends/p2", `{"type": "Pool", "pool": {"services": []}}`, "properties.pool.services"},
		{"weight out of range", "/backends/p2", `{"type": "Pool", "pool": {"services": [{"id": "one", "weight": 101}]}}`, "properties.pool.services[0].weight"},
		{"priority out of range", "/backends/p2", `{"type": "Pool", "pool": {"services": [{"id": "one", "priority": -1}]}}`, "properties.pool.services[0].priority"},
		{"pool on a single backend", "/backends/p2", `{"url": "http://p2", "pool": {"services": [{"id": "one"}]}}`, "properties.pool"},
		{"breaker on a pool", "/backends/p2", `{"type": "Pool", "pool": {"services": [{"id": "one"}]}, ` + breakerJSON + `}`, "properties.circuitBreaker"},
		{"member made a pool", "/backends/one", `{"type": "Pool", "pool": {"services": [{"id": "two"}]}}`, "properties.type"},
		{"bad interval", "/backends/b", `{"url": "http://b", "circuitBreaker": {"rules": [{"name": "r", "tripDuration": "PT1M",
			"failureCondition": {"count": 3, "interval": "5 minutes", "statusCodeRanges": [{"min": 500, "max": 599}]}}]}}`,
			"properties.circuitBreaker.rules[0].failureCondition.interval"},
		{"bad trip duration", "/backends/b", `{"url": "http://b", "circuitBreaker": {"rules": [{"name": "r", "tripDuration": "",
			"failureCondition": {"count": 3, "interval": "PT1M", "statusCodeRanges": [{"min": 500, "max": 599}]}}]}}`,
			"properties.circuitBreaker.rules[0].tripDuration"},
		{"bad status range", "/backends/b", `{"url": "http://b", "circuitBreaker": {"rules": [{"name": "r", "tripDuration": "PT1M",
			"failureCondition": {"count": 3, "interval": "PT1M", "statusCodeRanges": [{"min": 599, "max": 500}]}}]}}`,
			"properties.circuitBreaker.rules[0].failureCondition.statusCodeRanges[0]"},
		{"no count or percentage", "/backends/b", `{"url": "http://b", "circuitBreaker": {"rules": [{"name": "r", "tripDuration": "PT1M",
			"failureCondition": {"interval": "PT1M", "statusCodeRanges": [{"min": 500, "max": 599}]}}]}}`,
			"properties.circuitBreaker.rules[0].failureCondition.count"},
		{"two rules", "/backends/b", `{"url": "http://b", "circuitBreaker": {"rules": [{"name": "r"}, {"name": "s"}]}}`, "properties.circuitBreaker.rules"},
	}
	for _, tt := range invalid {
		v := a.version()
		r := a.do("PUT", tt.path, `{"properties": `+tt.body+`}`)
		if code, target, msg := errorOf(t, r); r.status != http.StatusBadRequest || code != "ValidationError" || target != tt.target {
			t.Errorf("%s: %d %s %s %q; want 400 naming %s", tt.name, r.status, code, target, msg, tt.target)
		}
		if a.version() != v {
			t.Errorf("%s: the refused request changed the configuration", tt.name)
		}
	}

	// A member of a pool cannot be deleted; nor can a pool a policy uses.
	r = a.do("DELETE", "/backends/two", "")
	if code, target, _ := errorOf(t, r); r.status != http.StatusConflict || code != "Conflict" || target != "backendId" {
		t.Errorf("deleting a pool member: %d %s", r.status, r.raw)
	}
	a.must("PUT", "/apis/echo", `{"properties": {"displayName": "Echo", "path": "echo", "serviceUrl": "https://echo.example.com"}}`)
	a.must("PUT", "/apis/echo/policy", `{"properties": {"format": "rawxml", "value": "<policies><inbound><set-backend-service backend-id=\"pool\" /></inbound><backend><forward-request /></backend></policies>"}}`)
	if r := a.do("DELETE", "/backends/pool", ""); r.status != http.StatusConflict {
		t.Errorf("deleting a pool a policy uses: %d %s", r.status, r.raw)
	}
	r = a.must("GET", "/backends/pool/references", "")
	if r.body["count"] != float64(1) {
		t.Errorf("references of the pool: %s", r.raw)
	}
	// A member is used where its pool is.
	r = a.must("GET", "/backends/two/references", "")
	if r.body["count"] != float64(1) {
		t.Errorf("references of a pool member: %s", r.raw)
	}
	// Once out of the pool, the member can go.
	a.must("PUT", "/backends/pool", `{"properties": {"type": "Pool", "pool": {"services": [{"id": "one"}]}}}`)
	a.must("DELETE", "/backends/two", "")
}

// TestBackendCertificateRelativeIDs checks that credentials.certificateIds
// take APIM's relative ids as well as plain ones.
func TestBackendCertificateRelativeIDs(t *testing.T) {
	a := newTestAPI(t)
	ca := certtest.NewCA(t, "Relative CA")
	a.must("PUT", "/certificates/client", certBody(t, ca.Issue(t, certtest.Options{CommonName: "client"}).PEM(t), ""))
	r := a.must("PUT", "/backends/orders", `{"properties": {"url": "https://orders.example.com", "credentials": {"certificateIds": ["/certificates/client"]}}}`)
	ids := r.body["properties"].(map[string]any)["credentials"].(map[string]any)["certificateIds"].([]any)
	if len(ids) != 1 || ids[0] != "client" {
		t.Errorf("certificateIds stored as %v", ids)
	}
	if r := a.do("DELETE", "/certificates/client", ""); r.status != http.StatusConflict {
		t.Errorf("deleting a certificate a backend names by its relative id: %d %s", r.status, r.raw)
	}

	// APIM's older credentials.certificate names client certificates by
	// thumbprint: they must exist and have a private key.
	thumb := a.must("GET", "/certificates/client", "").body["properties"].(map[string]any)["thumbprint"].(string)
	a.must("PUT", "/certificates/root", certBody(t, ca.CertPEM(), ""))
	rootThumb := a.must("GET", "/certificates/root", "").body["properties"].(map[string]any)["thumbprint"].(string)
	for name, tc := range map[string]struct{ thumbprint, target string }{
		"unknown":        {strings.Repeat("0", 40), "properties.credentials.certificate"},
		"no private key": {rootThumb, "properties.credentials.certificate"},
		"not hex":        {strings.Repeat("x", 40), "properties.credentials.certificate"},
	} {
		r := a.do("PUT", "/backends/legacy", `{"properties": {"url": "https://legacy.example.com", "credentials": {"certificate": ["`+tc.thumbprint+`"]}}}`)
		if _, target, _ := errorOf(t, r); r.status != http.StatusBadRequest || target != tc.target {
			t.Errorf("credentials.certificate %s: %d %s", name, r.status, r.raw)
		}
	}
	a.must("PUT", "/backends/legacy", `{"properties": {"url": "https://legacy.example.com", "credentials": {"certificate": ["`+strings.ToLower(thumb)+`"]}}}`)
	a.must("PUT", "/backends/orders", `{"properties": {"url": "https://orders.example.com"}}`)
	r = a.do("DELETE", "/certificates/client", "")
	if _, _, msg := errorOf(t, r); r.status != http.StatusConflict || !strings.Contains(msg, "legacy") {
		t.Errorf("deleting a certificate a backend names by thumbprint: %d %s", r.status, r.raw)
	}
}
