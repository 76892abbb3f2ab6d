package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestAPISchemasTravelWithTheAPI stores a schema on an API, makes a
// revision (which starts with a copy of it), exports both, applies the
// export to a second instance and exports again (same folders), and
// deletes the API (its schemas go with it).
func TestAPISchemasTravelWithTheAPI(t *testing.T) {
	a := startServe(t, t.TempDir(), "")
	a.must("PUT", "/apis/echo", `{"properties":{"displayName":"Echo","path":"echo","serviceUrl":"http://echo.invalid"}}`)
	a.must("PUT", "/apis/echo/operations/get", `{"properties":{"method":"GET","urlTemplate":"/"}}`)
	const order = `{"properties":{"contentType":"application/vnd.oai.openapi.components+json",` +
		`"document":{"components":{"schemas":{"Order":{"type":"object","required":["id"]}}}}}}`
	if r := a.mgmt("PUT", "/apis/echo/schemas/order", order); r.status != 201 {
		t.Fatalf("PUT schema: %d %s", r.status, r.body)
	}
	a.must("PUT", "/apis/echo;rev=2", `{"properties":{"sourceApiId":"/apis/echo"}}`)
	if got := a.must("GET", "/apis/echo;rev=2/schemas/order", "").json(t)["properties"].(map[string]any); got["contentType"] != "application/vnd.oai.openapi.components+json" {
		t.Errorf("the revision's copy: %v", got)
	}
	a.must("DELETE", "/apis/echo;rev=2/schemas/order", "")
	if r := a.mgmt("GET", "/apis/echo/schemas/order", ""); r.status != 200 {
		t.Errorf("deleting the revision's copy deleted the API's: %d", r.status)
	}

	first := filepath.Join(t.TempDir(), "first")
	mustCLI(t, append([]string{"export", "--dir", first}, a.remote()...)...)
	files := readTree(t, first)
	if v := files["apis/echo/schemas/order/apiSchemaInformation.json"]; !strings.Contains(v, `"Order"`) {
		t.Errorf("export of the API's schema: %q; files %v", v, keys(files))
	}
	if _, ok := files["apis/echo;rev=2/schemas/order/apiSchemaInformation.json"]; ok {
		t.Error("export wrote the deleted copy of the revision")
	}
	expectContains(t, mustCLI(t, append([]string{"apply", "--dir", first, "--dry-run"}, a.remote()...)...), "no changes")

	b := startServe(t, t.TempDir(), "")
	out := mustCLI(t, append([]string{"apply", "--dir", first}, b.remote()...)...)
	expectContains(t, out, "+ apis/echo/schemas/order", "applied ")
	second := filepath.Join(t.TempDir(), "second")
	mustCLI(t, append([]string{"export", "--dir", second}, b.remote()...)...)
	sameTree(t, first, second)

	a.must("DELETE", "/apis/echo", "")
	a.must("PUT", "/apis/echo", `{"properties":{"displayName":"Echo","path":"echo"}}`)
	if r := a.mgmt("GET", "/apis/echo/schemas/order", ""); r.status != 404 {
		t.Errorf("a deleted API's schema outlives it: %d %s", r.status, r.body)
	}
}
