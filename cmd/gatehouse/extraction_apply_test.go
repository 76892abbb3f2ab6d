package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

// TestApplyFullExtractionRoundTrip applies an extraction folder holding
// every kind of folder apply reads, with a configuration file, to an
// empty instance, calls an API through the gateway, exports, applies the
// export to a second empty instance and exports again: the two exports
// are the same, byte for byte.
func TestApplyFullExtractionRoundTrip(t *testing.T) {
	t.Setenv("GATEHOUSE_SECRET_BACKEND_KEY", "k3y-from-the-environment")
	t.Setenv("EXTRACTION_STARTER_KEY", "starter-key-from-env-0001")
	ca := certtest.NewCA(t, "Extraction CA")
	t.Setenv("EXTRACTION_ROOT_CA", ca.CertPEM())
	backend := newBackend(t)
	trust := func(c *serveConfig) { c.TrustedProxies = []string{"127.0.0.1"} }
	a := startServe(t, t.TempDir(), "", trust)
	dir := copyDir(t, "testdata/apiops-full", "http://echo.invalid", backend.URL)
	apply := append([]string{"apply", "--dir", dir, "--configuration", "testdata/apiops-full-configuration.yaml"}, a.remote()...)
	out := mustCLI(t, apply...)
	expectContains(t, out,
		"+ apis/echo-api\n", "+ apis/echo-api;rev=2", "+ apis/echo-api/releases/launch", "+ apiVersionSets/orders-versions",
		"+ backends/orders-pool", "+ schemas/address", "+ certificates/root", "+ loggers/requests", "+ diagnostics/azuremonitor",
		"+ subscriptions/starter-key", "+ subscriptions/orders-all", "+ gateways/edge-gw/apis/orders", "+ products/unlimited/tags/public",
		"+ workspaces/team", "+ apis/w\n", "+ namedValues/team-region", "+ backends/team-backend",
		"+ policyFragments/team-headers", "+ apiVersionSets/team-versions",
		"+ tags/team-tag", "+ apis/w/tags/team-tag", "+ groups/team-devs", "+ products/team-product/groups/team-devs",
		"+ subscriptions/team-key", "+ loggers/team-log",
		"+ apis/orders/schemas/order",
		"applied ")
	expectContains(t, mustCLI(t, apply...), "no changes")

	r := expectStatus(t, a, 200, "/echo/resource?param1=sample", "Ocp-Apim-Subscription-Key: starter-key-from-env-0001", "X-Forwarded-Proto: https")
	if got := decodeSeen(t, r); got.Path != "/base/resource" || got.Header.Get("X-Env") != "staging" {
		t.Errorf("the backend saw %s with X-Env %q, want /base/resource and the configuration file's staging", got.Path, got.Header.Get("X-Env"))
	}
	if s := a.must("GET", "/subscriptions/orders-all", "").json(t)["properties"].(map[string]any); s["state"] != "active" {
		t.Errorf("the configuration file's subscription state: %v", s["state"])
	}

	first := filepath.Join(t.TempDir(), "first")
	mustCLI(t, append([]string{"export", "--dir", first}, a.remote()...)...)
	files := readTree(t, first)
	for _, f := range []string{"apis/echo-api/releases/launch/apiReleaseInformation.json", "apis/echo-api;rev=2/apiInformation.json",
		"subscriptions/starter-key/subscriptionInformation.json", "version sets/orders-versions/versionSetInformation.json",
		"backends/orders-pool/backendInformation.json", "certificates/root/certificateInformation.json", "schemas/address/schemaInformation.json",
		"loggers/requests/loggerInformation.json", "diagnostics/azuremonitor/diagnosticInformation.json", "gateways/edge-gw/apis/orders/gatewayApiInformation.json",
		"apis/orders/schemas/order/apiSchemaInformation.json", "workspaces/team/workspaceInformation.json",
		"workspaces/team/apis/w/apiInformation.json", "workspaces/team/named values/team-region/namedValueInformation.json",
		"workspaces/team/backends/team-backend/backendInformation.json",
		"workspaces/team/policy fragments/team-headers/policy.xml",
		"workspaces/team/version sets/team-versions/versionSetInformation.json",
		"workspaces/team/tags/team-tag/tagInformation.json", "workspaces/team/apis/w/tags/team-tag/apiTagInformation.json",
		"workspaces/team/groups/team-devs/groupInformation.json", "workspaces/team/products/team-product/groups/team-devs/productGroupInformation.json",
		"workspaces/team/subscriptions/team-key/subscriptionInformation.json",
		"workspaces/team/loggers/team-log/loggerInformation.json"} {
		if _, ok := files[f]; !ok {
			t.Errorf("export lacks %s", f)
		}
	}
	if v := files["workspaces/team/apis/w/apiInformation.json"]; strings.Contains(v, "workspaceId") {
		t.Errorf("the workspace folder says its workspace again:\n%s", v)
	}
	if _, ok := files["apis/w/apiInformation.json"]; ok {
		t.Error("export wrote the workspace's API at service level too")
	}
	if w := a.must("GET", "/apis/w", "").json(t)["properties"].(map[string]any); w["workspaceId"] != "team" {
		t.Errorf("the workspace's API records %v", w["workspaceId"])
	}
	if _, ok := files["policy fragments/team-headers/policy.xml"]; ok {
		t.Error("export wrote the workspace's policy fragment at service level too")
	}
	if v := files["workspaces/team/version sets/team-versions/versionSetInformation.json"]; strings.Contains(v, "workspaceId") {
		t.Errorf("the workspace folder's version set says its workspace again:\n%s", v)
	}
	if v := a.must("GET", "/namedValues/team-region", "").json(t)["properties"].(map[string]any)["value"]; v != "south" {
		t.Errorf("the configuration file's workspace entry left team-region at %v", v)
	}
	if u := a.must("GET", "/backends/team-backend", "").json(t)["properties"].(map[string]any)["url"]; u != "https://team.staging.contoso.com" {
		t.Errorf("the configuration file's workspace entry left team-backend at %v", u)
	}
	if d := a.must("GET", "/workspaces/team", "").json(t)["properties"].(map[string]any)["description"]; d != "The team's APIs in staging" {
		t.Errorf("the configuration file's workspace entry left the description at %v", d)
	}
	if f := a.must("GET", "/policyFragments/team-headers", "").json(t)["properties"].(map[string]any); f["workspaceId"] != "team" {
		t.Errorf("the workspace's policy fragment records %v", f["workspaceId"])
	}
	if v := files["subscriptions/starter-key/subscriptionInformation.json"]; strings.Contains(v, "starter-key-from-env") {
		t.Errorf("the export holds a subscription key:\n%s", v)
	}

	b := startServe(t, t.TempDir(), "", trust)
	mustCLI(t, append([]string{"apply", "--dir", first}, b.remote()...)...)
	second := filepath.Join(t.TempDir(), "second")
	mustCLI(t, append([]string{"export", "--dir", second}, b.remote()...)...)
	sameTree(t, first, second)
}
