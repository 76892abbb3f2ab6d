package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportWADLRoundTrip imports a WADL with `gatehouse import wadl`,
// calls an operation through the gateway, exports the API (the WADL comes
// back as specification.wadl), applies the export to a second instance,
// which serves it too, and exports again: the folders are the same, and
// applying either export again changes nothing.
func TestImportWADLRoundTrip(t *testing.T) {
	backend := newBackend(t)
	src, err := os.ReadFile("../../internal/wadl/testdata/orders.wadl")
	if err != nil {
		t.Fatal(err)
	}
	a := startServe(t, t.TempDir(), "")
	out := mustCLI(t, append([]string{"import", "wadl", "../../internal/wadl/testdata/orders.wadl", "--api-id", "orders", "--path", "orders",
		"--service-url", backend.URL + "/api"}, a.remote()...)...)
	expectContains(t, out, "+ api orders", "+ operation listOrders GET /orders", "+ operation getOrder GET /orders/{id}",
		"+ operation delete-orders-id DELETE /orders/{id}", "imported ")
	a.must("PATCH", "/apis/orders", `{"properties":{"subscriptionRequired":false}}`)
	api := a.must("GET", "/apis/orders", "").json(t)["properties"].(map[string]any)
	if api["displayName"] != "Orders" || api["description"] != "Order management." {
		t.Errorf("the API took %v from the WADL", api)
	}
	if got := strings.Join(a.operationIDs("orders"), ","); got != "delete-orders-id,get-orders-id-lines-line,getOrder,listOrders,post-orders" {
		t.Errorf("operations %s", got)
	}
	r := expectStatus(t, a, 200, "/orders/orders/42?expand=lines", "X-Tenant: contoso")
	if got := decodeSeen(t, r); got.Path != "/api/orders/42" || got.Query != "expand=lines" || got.Header.Get("X-Tenant") != "contoso" {
		t.Errorf("backend saw %s?%s with X-Tenant %q", got.Path, got.Query, got.Header.Get("X-Tenant"))
	}
	if r := a.call("PATCH", "/orders/orders/42"); r.status != 404 {
		t.Errorf("a method the WADL lacks: %d, want 404", r.status)
	}

	first := filepath.Join(t.TempDir(), "first")
	mustCLI(t, append([]string{"export", "--dir", first}, a.remote()...)...)
	files := readTree(t, first)
	if files["apis/orders/specification.wadl"] != string(src) {
		t.Errorf("apis/orders/specification.wadl is not the imported WADL; files: %v", keys(files))
	}
	for f := range files {
		if strings.HasPrefix(f, "apis/orders/specification.") && f != "apis/orders/specification.wadl" {
			t.Errorf("export wrote %s beside the WADL", f)
		}
	}
	expectContains(t, mustCLI(t, append([]string{"apply", "--dir", first, "--dry-run"}, a.remote()...)...), "no changes")

	b := startServe(t, t.TempDir(), "")
	applyB := append([]string{"apply", "--dir", first}, b.remote()...)
	out = mustCLI(t, applyB...)
	expectContains(t, out, "+ apis/orders", "+ operation listOrders GET /orders", "applied ")
	if strings.Contains(out, "specification.wadl") {
		t.Errorf("the WADL is reported as skipped:\n%s", out)
	}
	second := filepath.Join(t.TempDir(), "second")
	mustCLI(t, append([]string{"export", "--dir", second}, b.remote()...)...)
	sameTree(t, first, second)
	expectStatus(t, b, 200, "/orders/orders/7", "X-Tenant: contoso")
	expectContains(t, mustCLI(t, applyB...), "no changes")

	// A changed WADL is imported again: the new method becomes an
	// operation.
	changed := strings.Replace(string(src), `<method name="DELETE"/>`, `<method name="DELETE"/><method name="PUT" id="replaceOrder"/>`, 1)
	if err := os.WriteFile(filepath.Join(first, "apis/orders/specification.wadl"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	out = mustCLI(t, applyB...)
	expectContains(t, out, "~ apis/orders", "specification.wadl changed", "+ operation replaceOrder PUT /orders/{id}")
}

// TestImportWADLRefusesInvalid names the problem and changes nothing.
func TestImportWADLRefusesInvalid(t *testing.T) {
	in := startServe(t, t.TempDir(), "")
	bad := filepath.Join(t.TempDir(), "bad.wadl")
	if err := os.WriteFile(bad, []byte(`<application xmlns="http://wadl.dev.java.net/2009/02"><resources><resource path="a"><method name="GET"><response status="2xx"/></method></resource></resources></application>`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := runCLI(t, append([]string{"import", "wadl", bad, "--api-id", "a", "--path", "a"}, in.remote()...)...)
	if err == nil || !strings.Contains(err.Error(), `response status "2xx"`) {
		t.Errorf("import of an invalid WADL: %v", err)
	}
	if r := in.mgmt("GET", "/apis/a", ""); r.status != 404 {
		t.Errorf("the API exists after a refused import: %d", r.status)
	}
	r := in.mgmt("PUT", "/apis/b", `{"properties":{"path":"b","format":"wadl-xml","value":"<application xmlns=\"http://wadl.dev.java.net/2009/02\"/>"}}`)
	if r.status != 400 || !strings.Contains(string(r.body), "no resource with a method") {
		t.Errorf("PUT of an invalid WADL: %d %s", r.status, r.body)
	}
}
