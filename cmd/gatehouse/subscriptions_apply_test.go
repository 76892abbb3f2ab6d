package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes content to dir/rel, creating its folders.
func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestApplySubscriptions applies a folder's subscriptions: created after
// the products and APIs they are scoped to, with the keys the environment
// gives or generated ones; exported without keys; pruned with --prune;
// refused, before anything is written, when their owner is not a user.
func TestApplySubscriptions(t *testing.T) {
	t.Setenv("GATEHOUSE_SECRET_BACKEND_KEY", "k3y")
	t.Setenv("STARTER_KEY", "starter-key-from-env-0001")
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "", func(c *serveConfig) { c.TrustedProxies = []string{"127.0.0.1"} })
	dir := copyDir(t, "testdata/apiops", "http://echo.invalid", backend.URL)
	const arm = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"
	writeFile(t, dir, "subscriptions/ann-starter/subscriptionInformation.json", `{"id": "`+arm+`/subscriptions/ann-starter", "name": "ann-starter",
  "properties": {"displayName": "Ann", "scope": "`+arm+`/products/starter", "ownerId": "`+arm+`/users/ann",
    "state": "active", "allowTracing": false, "primaryKey": "${STARTER_KEY}", "createdDate": "2024-01-02T03:04:05Z"}}`)
	writeFile(t, dir, "subscriptions/orders-all/subscriptionInformation.json", `{"properties": {"displayName": "Orders", "scope": "/apis/orders", "state": "suspended"}}`)
	apply := append([]string{"apply", "--dir", dir}, in.remote()...)

	// Users are not part of a folder: an owner the plane lacks is refused.
	out, err := runCLI(t, apply...)
	if err == nil || !strings.Contains(err.Error(), "subscriptions/ann-starter/subscriptionInformation.json: the owner /users/ann is not a user") {
		t.Fatalf("apply with an unknown owner: %v\n%s", err, out)
	}
	if r := in.mgmt("GET", "/apis/orders", ""); r.status != 404 {
		t.Errorf("a refused apply created an API: %d", r.status)
	}

	in.must("PUT", "/users/ann", `{"properties":{"email":"ann@example.com","firstName":"Ann","lastName":"Lee"}}`)
	out = mustCLI(t, apply...)
	expectContains(t, out, "+ subscriptions/ann-starter", "+ subscriptions/orders-all", "applied ")
	if strings.Index(out, "+ products/starter\n") > strings.Index(out, "+ subscriptions/ann-starter") ||
		strings.Index(out, "+ apis/orders\n") > strings.Index(out, "+ subscriptions/orders-all") {
		t.Errorf("subscriptions must come after their products and APIs:\n%s", out)
	}
	expectStatus(t, in, 200, "/echo/resource?param1=sample", "Ocp-Apim-Subscription-Key: starter-key-from-env-0001", "X-Forwarded-Proto: https")
	keys := in.must("POST", "/subscriptions/orders-all/listSecrets", "").json(t)
	if k, _ := keys["primaryKey"].(string); len(k) < 16 {
		t.Errorf("the generated key of orders-all: %v", keys)
	}
	if s := in.must("GET", "/subscriptions/orders-all", "").json(t)["properties"].(map[string]any); s["state"] != "suspended" || s["scope"] != "/apis/orders" {
		t.Errorf("orders-all: %v", s)
	}
	expectContains(t, mustCLI(t, apply...), "no changes")

	exported := filepath.Join(t.TempDir(), "export")
	mustCLI(t, append([]string{"export", "--dir", exported}, in.remote()...)...)
	files := readTree(t, exported)
	sub := files["subscriptions/ann-starter/subscriptionInformation.json"]
	if !strings.Contains(sub, `"scope": "/products/starter"`) || !strings.Contains(sub, `"ownerId": "/users/ann"`) || strings.Contains(sub, "Key") {
		t.Errorf("the exported subscription:\n%s", sub)
	}
	// The export applies back unchanged: the keys stay.
	if out := mustCLI(t, append([]string{"apply", "--dir", exported}, in.remote()...)...); strings.Contains(out, "subscriptions/") {
		t.Errorf("applying the export changed subscriptions:\n%s", out)
	}
	expectStatus(t, in, 200, "/echo/resource?param1=sample", "Ocp-Apim-Subscription-Key: starter-key-from-env-0001", "X-Forwarded-Proto: https")

	// A new key from the environment updates the subscription.
	t.Setenv("STARTER_KEY", "starter-key-from-env-0002")
	expectContains(t, mustCLI(t, apply...), "~ subscriptions/ann-starter", "keys changed")
	expectStatus(t, in, 200, "/echo/resource?param1=sample", "Ocp-Apim-Subscription-Key: starter-key-from-env-0002", "X-Forwarded-Proto: https")

	if err := os.RemoveAll(filepath.Join(dir, "subscriptions", "orders-all")); err != nil {
		t.Fatal(err)
	}
	expectContains(t, mustCLI(t, append(apply, "--prune")...), "- subscriptions/orders-all")
	if r := in.mgmt("GET", "/subscriptions/orders-all", ""); r.status != 404 {
		t.Errorf("--prune kept orders-all: %d", r.status)
	}

	// A key written in the folder is refused: keys are never in a folder.
	writeFile(t, dir, "subscriptions/ann-starter/subscriptionInformation.json", `{"properties": {"displayName": "Ann", "scope": "/products/starter", "primaryKey": "literal-key-0000001"}}`)
	if out, err := runCLI(t, apply...); err == nil || !strings.Contains(err.Error(), "properties.primaryKey: a folder holds no keys") {
		t.Errorf("apply of a literal key: %v\n%s", err, out)
	}
}
