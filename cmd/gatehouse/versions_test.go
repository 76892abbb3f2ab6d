package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionSetRouting sets up one versioned API per scheme through the
// management API and calls the versions through the embedded gateway:
// the version picks the API, a request without one goes to the original
// version, and one naming no version the set has (or none, without an
// original version) is answered as APIM does: 404 Resource not found.
func TestVersionSetRouting(t *testing.T) {
	backend := newBackend(t)
	plane := startServe(t, t.TempDir(), "")
	api := func(id, path, set, version string) {
		plane.must("PUT", "/apis/"+id, `{"properties": {"path": "`+path+`", "serviceUrl": "`+backend.URL+`/`+id+`",
			"subscriptionRequired": false, "apiVersionSetId": "`+set+`", "apiVersion": "`+version+`"}}`)
		plane.must("PUT", "/apis/"+id+"/operations/all", `{"properties": {"method": "*", "urlTemplate": "/*"}}`)
	}
	plane.must("PUT", "/apiVersionSets/seg", `{"properties": {"displayName": "Segment", "versioningScheme": "Segment"}}`)
	plane.must("PUT", "/apiVersionSets/qry", `{"properties": {"displayName": "Query", "versioningScheme": "Query", "versionQueryName": "api-version"}}`)
	plane.must("PUT", "/apiVersionSets/hdr", `{"properties": {"displayName": "Header", "versioningScheme": "Header", "versionHeaderName": "Api-Version"}}`)
	api("seg-original", "shop", "seg", "")
	api("seg-v2", "shop", "seg", "v2")
	// Policies see the version and the API's path (without the version).
	plane.must("PUT", "/apis/seg-v2/policy", `{"properties": {"format": "rawxml", "value": "<policies><inbound><base />`+
		`<set-header name=\"X-Api\" exists-action=\"override\"><value>@(context.Api.Path + \" \" + context.Api.Version)</value></set-header>`+
		`</inbound></policies>"}}`)
	api("books-v1", "books", "seg", "v1")
	api("qry-v1", "q", "qry", "v1")
	api("qry-v2", "q", "qry", "v2")
	api("hdr-original", "h", "hdr", "")
	api("hdr-v2", "h", "hdr", "2024-01-01")

	tests := []struct {
		name, path string
		headers    []string
		want       string // the backend path; "" for 404
	}{
		{"segment original", "/shop/items", nil, "/seg-original/items"},
		{"segment v2", "/shop/v2/items", nil, "/seg-v2/items"},
		{"segment v2 root", "/shop/v2", nil, "/seg-v2"},
		{"segment unknown version goes to the original", "/shop/v3/items", nil, "/seg-original/v3/items"},
		{"segment without original", "/books/items", nil, ""},
		{"segment v1 of another path", "/books/v1/items", nil, "/books-v1/items"},
		{"query v1", "/q/items?api-version=v1", nil, "/qry-v1/items"},
		{"query v2 among others", "/q/items?a=1&api-version=v2", nil, "/qry-v2/items"},
		{"query without version", "/q/items", nil, ""},
		{"query unknown version", "/q/items?api-version=v9", nil, ""},
		{"header original", "/h/items", nil, "/hdr-original/items"},
		{"header version", "/h/items", []string{"Api-Version: 2024-01-01"}, "/hdr-v2/items"},
		{"header unknown version", "/h/items", []string{"api-version: 1999-01-01"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := plane.call("GET", tt.path, tt.headers...)
			if tt.want == "" {
				if r.status != http.StatusNotFound || r.json(t)["message"] != "Resource not found" {
					t.Errorf("GET %s: %d %s, want 404 Resource not found", tt.path, r.status, r.body)
				}
				return
			}
			if got := decodeSeen(t, r).Path; got != tt.want {
				t.Errorf("GET %s reached %s, want %s", tt.path, got, tt.want)
			}
		})
	}
	t.Run("context.Api of a version", func(t *testing.T) {
		if got := decodeSeen(t, plane.call("GET", "/shop/v2/items")).Header.Get("X-Api"); got != "shop v2" {
			t.Errorf("context.Api.Path and Version: %q, want \"shop v2\"", got)
		}
	})
	t.Run("query string reaches the backend", func(t *testing.T) {
		if got := decodeSeen(t, plane.call("GET", "/q/items?api-version=v1&x=1")).Query; got != "api-version=v1&x=1" {
			t.Errorf("backend saw query %q", got)
		}
	})
}

// TestVersionSetsExportApply exports version sets as APIOps does
// ("version sets/<name>/versionSetInformation.json"), applies them to
// another management plane before the APIs that name them, and reads
// back the same folder.
func TestVersionSetsExportApply(t *testing.T) {
	backend := newBackend(t)
	a := startServe(t, t.TempDir(), "")
	a.must("PUT", "/apiVersionSets/orders", `{"properties": {"displayName": "Orders", "versioningScheme": "Query", "versionQueryName": "api-version"}}`)
	for _, v := range []string{"v1", "v2"} {
		a.must("PUT", "/apis/orders-"+v, `{"properties": {"path": "orders", "serviceUrl": "`+backend.URL+`/`+v+`", "subscriptionRequired": false,
			"apiVersion": "`+v+`", "apiVersionSetId": "/apiVersionSets/orders"}}`)
		a.must("PUT", "/apis/orders-"+v+"/operations/all", `{"properties": {"method": "GET", "urlTemplate": "/*"}}`)
	}
	first := filepath.Join(t.TempDir(), "first")
	mustCLI(t, append([]string{"export", "--dir", first}, a.remote()...)...)
	files := readTree(t, first)
	if v := files["version sets/orders/versionSetInformation.json"]; !strings.Contains(v, `"versionQueryName": "api-version"`) {
		t.Errorf("the version set's information file: %q", v)
	}

	b := startServe(t, t.TempDir(), "")
	applyB := append([]string{"apply", "--dir", first}, b.remote()...)
	out := mustCLI(t, applyB...)
	expectContains(t, out, "+ apiVersionSets/orders", "+ apis/orders-v1", "+ apis/orders-v2", "applied ")
	if strings.Index(out, "+ apiVersionSets/orders") > strings.Index(out, "+ apis/orders-v1") {
		t.Errorf("version sets must come before the APIs that name them:\n%s", out)
	}
	expectContains(t, mustCLI(t, applyB...), "no changes")
	second := filepath.Join(t.TempDir(), "second")
	mustCLI(t, append([]string{"export", "--dir", second}, b.remote()...)...)
	sameTree(t, first, second)
	if got := decodeSeen(t, b.call("GET", "/orders/x?api-version=v2")).Path; got != "/v2/x" {
		t.Errorf("the applied version set routes ?api-version=v2 to %s", got)
	}

}
