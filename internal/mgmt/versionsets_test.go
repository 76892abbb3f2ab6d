package mgmt

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestVersionSetRules checks what the management plane refuses about
// version sets and their APIs (400 naming the field, 409 naming the API
// in the way) and that nothing refused is stored.
func TestVersionSetRules(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/apiVersionSets/orders", `{"properties": {"displayName": "Orders", "versioningScheme": "Segment"}}`)
	a.must("PUT", "/apis/orders-v1", `{"properties": {"path": "orders", "apiVersion": "v1", "apiVersionSetId": "orders"}}`)
	a.must("PUT", "/apis/orders", `{"properties": {"path": "orders", "apiVersionSetId": "/apiVersionSets/orders"}}`)
	tests := []struct {
		name, method, path, body string
		status                   int
		target                   string
	}{
		{"no scheme", "PUT", "/apiVersionSets/x", `{"displayName": "X"}`, 400, "properties.versioningScheme"},
		{"unknown scheme", "PUT", "/apiVersionSets/x", `{"displayName": "X", "versioningScheme": "Path"}`, 400, "properties.versioningScheme"},
		{"no display name", "PUT", "/apiVersionSets/x", `{"versioningScheme": "Segment"}`, 400, "properties.displayName"},
		{"query without name", "PUT", "/apiVersionSets/x", `{"displayName": "X", "versioningScheme": "Query"}`, 400, "properties.versionQueryName"},
		{"header without name", "PUT", "/apiVersionSets/x", `{"displayName": "X", "versioningScheme": "Header"}`, 400, "properties.versionHeaderName"},
		{"bad header name", "PUT", "/apiVersionSets/x", `{"displayName": "X", "versioningScheme": "Header", "versionHeaderName": "a b"}`, 400, "properties.versionHeaderName"},
		{"missing set", "PUT", "/apis/x", `{"path": "x", "apiVersionSetId": "nope"}`, 400, "properties.apiVersionSetId"},
		{"bad set id", "PUT", "/apis/x", `{"path": "x", "apiVersionSetId": "/products/p"}`, 400, "properties.apiVersionSetId"},
		{"version twice", "PUT", "/apis/x", `{"path": "orders", "apiVersion": "V1", "apiVersionSetId": "orders"}`, 409, "properties.apiVersion"},
		{"second original", "PUT", "/apis/x", `{"path": "orders", "apiVersionSetId": "orders"}`, 409, "properties.apiVersion"},
		{"version not a segment", "PUT", "/apis/x", `{"path": "orders", "apiVersion": "v/2", "apiVersionSetId": "orders"}`, 400, "properties.apiVersion"},
		{"path of the set", "PUT", "/apis/x", `{"path": "orders"}`, 409, "properties.path"},
		{"path of a version", "PUT", "/apis/x", `{"path": "orders/v1"}`, 409, "properties.path"},
		{"set in use", "DELETE", "/apiVersionSets/orders", ``, 409, "versionSetId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := a.version()
			body := ""
			if tt.body != "" {
				body = `{"properties": ` + tt.body + `}`
			}
			r := a.do(tt.method, tt.path, body)
			if _, target, _ := errorOf(t, r); r.status != tt.status || target != tt.target {
				t.Errorf("%d %s, want %d naming %s", r.status, r.raw, tt.status, tt.target)
			}
			if a.version() != v {
				t.Error("the refused request changed the configuration")
			}
		})
	}
	// A scheme change that leaves two APIs on one route is refused.
	a.must("PUT", "/apis/plain", `{"properties": {"path": "shop"}}`)
	a.must("PUT", "/apiVersionSets/shop", `{"properties": {"displayName": "Shop", "versioningScheme": "Segment"}}`)
	a.must("PUT", "/apis/shop-v2", `{"properties": {"path": "shop", "apiVersion": "v2", "apiVersionSetId": "shop"}}`)
	r := a.do("PATCH", "/apiVersionSets/shop", `{"properties": {"versioningScheme": "Query", "versionQueryName": "api-version"}}`)
	if _, target, _ := errorOf(t, r); r.status != http.StatusConflict || target != "properties.path" {
		t.Errorf("a scheme change putting shop-v2 on plain's path: %d %s", r.status, r.raw)
	}
}

// TestVersionSetGolden checks the bodies of a version set and of an API
// in it, as APIM shows them: the API carries the set's details, which
// follow the set when it changes.
func TestVersionSetGolden(t *testing.T) {
	a := newTestAPI(t)
	r := a.must("PUT", "/apiVersionSets/orders", `{"properties": {"displayName": "Orders", "versioningScheme": "Query", "versionQueryName": "api-version"}}`)
	if r.status != http.StatusCreated {
		t.Errorf("create: %d", r.status)
	}
	wantJSON(t, r.raw, `{"id": "/apiVersionSets/orders", "name": "orders", "type": "apiVersionSets",
		"properties": {"displayName": "Orders", "versioningScheme": "Query", "versionQueryName": "api-version"}}`)
	a.must("PUT", "/apis/orders-v2", `{"properties": {"path": "orders", "apiVersion": "v2", "apiVersionDescription": "Adds paging.",
		"apiVersionSetId": "orders", "apiVersionSet": {"id": "ignored", "name": "ignored", "versioningScheme": "Segment"}}}`)
	a.must("PATCH", "/apiVersionSets/orders", `{"properties": {"description": "All of them."}}`)
	wantJSON(t, a.must("GET", "/apis/orders-v2", "").raw, `{"id": "/apis/orders-v2", "name": "orders-v2", "type": "apis",
		"properties": {"displayName": "orders", "path": "orders", "protocols": ["http", "https"], "subscriptionRequired": true,
			"subscriptionKeyParameterNames": {"header": "Ocp-Apim-Subscription-Key", "query": "subscription-key"},
			"apiVersion": "v2", "apiVersionDescription": "Adds paging.", "apiVersionSetId": "/apiVersionSets/orders",
			"apiVersionSet": {"id": "/apiVersionSets/orders", "name": "Orders", "description": "All of them.",
				"versioningScheme": "Query", "versionQueryName": "api-version"},
			"apiRevision": "1", "isCurrent": true, "type": "http"}}`)
}

// wantJSON compares two JSON documents by value.
func wantJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want: %v", err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("body\n got %s\nwant %s", gb, wb)
	}
}
