package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

// copyDir copies the folder src into a new temporary folder, replacing
// each old with new in every file, and returns the copy.
func copyDir(t *testing.T, src string, replace ...string) string {
	t.Helper()
	dst := t.TempDir()
	r := strings.NewReplacer(replace...)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), []byte(r.Replace(string(b))), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// readTree returns every file under dir by its relative path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTree fails the test unless the two folders hold the same files.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	ta, tb := readTree(t, a), readTree(t, b)
	for name, content := range ta {
		if other, ok := tb[name]; !ok {
			t.Errorf("%s is in %s only", name, a)
		} else if other != content {
			t.Errorf("%s differs:\n%s\n----\n%s", name, content, other)
		}
	}
	for name := range tb {
		if _, ok := ta[name]; !ok {
			t.Errorf("%s is in %s only", name, b)
		}
	}
}

// TestApplyAPIOpsExtraction applies a folder as the APIOps extractor
// writes it from an Azure APIM instance: resource ids, APIM-only
// properties, policies, diagnostics, loggers, tags and policy fragments.
func TestApplyAPIOpsExtraction(t *testing.T) {
	t.Setenv("GATEHOUSE_SECRET_BACKEND_KEY", "k3y-from-the-environment")
	backend := newBackend(t)
	// The APIs are https only; the test calls them as a TLS-terminating
	// proxy on loopback would.
	in := startServe(t, t.TempDir(), "", func(c *serveConfig) { c.TrustedProxies = []string{"127.0.0.1"} })
	dir := copyDir(t, "testdata/apiops", "http://echo.invalid", backend.URL)
	apply := append([]string{"apply", "--dir", dir}, in.remote()...)

	out := mustCLI(t, apply...)
	expectContains(t, out,
		"+ namedValues/backend-key", "+ namedValues/environment", "+ backends/orders-backend", "+ groups/partners",
		"+ apis/echo-api", "+ operation get-echo GET /resource", "+ apis/orders", "+ operation create-order POST /orders",
		"+ products/starter", "+ products/starter/apis/echo-api", "+ products/unlimited/groups/partners",
		"+ gateways/edge-gw", "+ gateways/edge-gw/apis/orders",
		"+ tags/public", "+ apis/echo-api/tags/public", "+ products/unlimited/tags/public",
		"+ policyFragments/cors-fragment", "+ policy\n", "+ products/starter/policy", "+ apis/echo-api/policy",
		"+ apis/echo-api/operations/get-echo/policy", "+ apis/orders/operations/create-order/policy",
		"! skipped apis/echo-api/diagnostics/applicationinsights/diagnosticInformation.json: diagnostic",
		"! skipped loggers/appinsights/loggerInformation.json: logger of type applicationInsights is not supported yet",
		"! skipped apis/echo-api/diagnostics/applicationinsights/diagnosticInformation.json: diagnostic is not supported yet (it writes to logger appinsights, which is skipped)",
		"! skipped apis/echo-api/apiInformation.json: property authenticationSettings is not supported yet",
		"applied ")
	if strings.Contains(out, "policy is not supported") || strings.Contains(out, "fragment is not supported") || strings.Contains(out, "tag is not supported") {
		t.Errorf("policies or tags are still reported as unsupported:\n%s", out)
	}
	if strings.Index(out, "+ tags/public") > strings.Index(out, "+ apis/echo-api\n") {
		t.Errorf("tags must come before the APIs that carry them:\n%s", out)
	}
	if tag := in.must("GET", "/apis/echo-api/tags/public", "").json(t)["properties"].(map[string]any); tag["displayName"] != "public" {
		t.Errorf("the echo API's tag: %v", tag)
	}
	if strings.Index(out, "+ policyFragments/cors-fragment") > strings.Index(out, "+ apis/echo-api") ||
		strings.Index(out, "+ apis/orders\n") > strings.Index(out, "+ apis/orders/operations/create-order/policy") ||
		strings.Index(out, "+ products/starter\n") > strings.Index(out, "+ products/starter/policy") {
		t.Errorf("fragments must come before APIs, and policies after their owners:\n%s", out)
	}
	if got := strings.Join(in.operationIDs("orders"), ","); got != "create-order,get-order,list-orders" {
		t.Errorf("orders operations %s", got)
	}
	orders := in.must("GET", "/apis/orders", "").json(t)["properties"].(map[string]any)
	if orders["serviceUrl"] != "https://orders.internal.contoso.com/api" || orders["description"] != "Order management." {
		t.Errorf("orders API took %v from its specification", orders)
	}
	secret := in.must("POST", "/namedValues/backend-key/listValue", "").json(t)
	if secret["value"] != "k3y-from-the-environment" {
		t.Errorf("secret value %v", secret["value"])
	}

	// The gateway serves the applied API.
	in.must("PUT", "/users/ann", `{"properties":{"email":"ann@example.com","firstName":"Ann","lastName":"Lee"}}`)
	in.must("PUT", "/subscriptions/ann-starter", `{"properties":{"displayName":"Ann","scope":"/products/starter","ownerId":"/users/ann","primaryKey":"starter-key-0001"}}`)
	r := expectStatus(t, in, 200, "/echo/resource?param1=sample", "Ocp-Apim-Subscription-Key: starter-key-0001", "X-Forwarded-Proto: https")
	if r := in.call("GET", "/echo/resource?param1=sample", "Ocp-Apim-Subscription-Key: starter-key-0001"); r.status != 404 {
		t.Errorf("an https-only API over http: %d, want 404", r.status)
	}
	got := decodeSeen(t, r)
	if got.Path != "/base/resource" {
		t.Errorf("backend saw %s", got.Path)
	}
	// Each scope's policy took effect: global (and its fragment), product,
	// API and operation.
	for name, want := range map[string]string{"X-Forwarded-Gateway": "apim-contoso", "X-Product-Tier": "starter", "X-Env": "production"} {
		if v := got.Header.Get(name); v != want {
			t.Errorf("backend saw %s: %q, want %q", name, v, want)
		}
	}
	if !strings.Contains(got.Query, "api-version=2024-05-01") {
		t.Errorf("backend saw the query %q, want the operation policy's api-version", got.Query)
	}
	if v := r.header.Get("Access-Control-Allow-Origin"); v != "https://developer.contoso.com" {
		t.Errorf("the response's Access-Control-Allow-Origin (from the fragment) is %q", v)
	}

	out = mustCLI(t, apply...)
	expectContains(t, out, "no changes: the management plane already matches")

	t.Run("strict refuses unsupported parts", func(t *testing.T) {
		out, err := runCLI(t, append(apply, "--strict")...)
		if err == nil || !strings.Contains(err.Error(), "apis/echo-api/diagnostics/applicationinsights/diagnosticInformation.json: diagnostic is not supported yet") {
			t.Errorf("apply --strict: %v\n%s", err, out)
		}
	})
}

func TestApplyRefusesMissingSecret(t *testing.T) {
	in := startServe(t, t.TempDir(), "")
	dir := copyDir(t, "testdata/apiops")
	out, err := runCLI(t, append([]string{"apply", "--dir", dir}, in.remote()...)...)
	if err == nil || !strings.Contains(err.Error(), "named values/backend-key/namedValueInformation.json: the secret named value backend-key has no value: set GATEHOUSE_SECRET_BACKEND_KEY") {
		t.Errorf("apply without the secret: %v\n%s", err, out)
	}
	if ids := in.operationIDs; len(in.must("GET", "/apis", "").json(t)["value"].([]any)) != 0 {
		_ = ids
		t.Error("an API was created")
	}
}

// configure gives in a configuration that uses every kind apply knows.
func configure(t *testing.T, in *instance, backendURL string) {
	t.Helper()
	mustCLI(t, append([]string{"import", "openapi", "testdata/openapi/petstore-v3.1.yaml", "--api-id", "pets", "--path", "pets",
		"--service-url", backendURL + "/v1"}, in.remote()...)...)
	in.must("PUT", "/apis/files", `{"properties":{"displayName":"Files","path":"files","serviceUrl":"`+backendURL+`/files","subscriptionRequired":false}}`)
	in.must("PUT", "/apis/files/operations/get-any", `{"properties":{"method":"GET","urlTemplate":"/{*path}"}}`)
	in.must("PUT", "/apis/files/operations/anything", `{"properties":{"method":"*","urlTemplate":"/raw/*"}}`)
	in.must("PUT", "/apis/files/operations/get-item", `{"properties":{"method":"GET","urlTemplate":"/items/{id}","templateParameters":[{"name":"id","type":"integer","required":true}]}}`)
	in.must("PUT", "/apis/empty", `{"properties":{"displayName":"Empty","path":"empty"}}`)
	in.must("PUT", "/namedValues/plain", `{"properties":{"displayName":"plain","value":"hello","tags":["a"]}}`)
	in.must("PUT", "/namedValues/api-token", `{"properties":{"displayName":"api-token","value":"s3cr3t","secret":true}}`)
	in.must("PUT", "/backends/one", `{"properties":{"url":"http://10.0.0.1:8080","protocol":"http"}}`)
	in.must("PUT", "/backends/two", `{"properties":{"url":"http://10.0.0.2:8080","protocol":"http","credentials":{"header":{"x-key":["{{api-token}}"]}}}}`)
	in.must("PUT", "/backends/three", `{"properties":{"url":"http://10.0.0.3:8080","protocol":"http","description":"The third"}}`)
	in.must("PUT", "/groups/partners", `{"properties":{"displayName":"Partners","description":"Outside developers"}}`)
	in.must("PUT", "/products/starter", `{"properties":{"displayName":"Starter","state":"published","subscriptionsLimit":2}}`)
	in.must("PUT", "/products/starter/apis/pets", "")
	in.must("PUT", "/products/starter/groups/partners", "")
	in.must("PUT", "/products/starter/groups/developers", "")
	in.must("PUT", "/products/internal", `{"properties":{"displayName":"Internal","state":"notPublished"}}`)
	in.must("PUT", "/products/internal/apis/files", "")
	in.must("PUT", "/gateways/edge", `{"properties":{"description":"Edge","locationData":{"name":"Edge","city":"Oslo"}}}`)
	in.must("PUT", "/gateways/edge/apis/pets", "")
	in.must("PUT", "/tags/public", `{"properties":{"displayName":"Public"}}`)
	in.must("PUT", "/tags/internal", `{"properties":{"displayName":"Internal only"}}`)
	in.must("PUT", "/apis/pets/tags/public", "")
	in.must("PUT", "/products/starter/tags/public", "")
	in.must("PUT", "/products/internal/tags/internal", "")
	putDocument(t, in, "/policyFragments/stamp", "Marks responses", `<fragment>
	<set-header name="X-Served-By" exists-action="override">
		<value>gatehouse</value>
	</set-header>
</fragment>`)
	putDocument(t, in, "/policy", "", `<policies>
	<inbound>
		<set-header name="X-Region" exists-action="override"><value>oslo</value></set-header>
	</inbound>
	<backend><forward-request /></backend>
	<outbound><include-fragment fragment-id="stamp" /></outbound>
	<on-error />
</policies>`)
	putDocument(t, in, "/products/starter/policy", "", `<policies>
	<inbound><set-header name="X-Product" exists-action="override"><value>starter</value></set-header><base /></inbound>
</policies>`)
	putDocument(t, in, "/apis/files/policy", "", `<policies>
	<inbound>
		<base />
		<set-header name="X-Plain" exists-action="override"><value>{{plain}}</value></set-header>
	</inbound>
	<outbound><base /><include-fragment fragment-id="stamp" /></outbound>
</policies>
`)
	putDocument(t, in, "/apis/files/operations/get-item/policy", "", `<policies>
	<inbound>
		<base />
		<set-query-parameter name="expand" exists-action="override"><value>all</value></set-query-parameter>
	</inbound>
</policies>`)
}

// putDocument stores a policy (or, with a description, a policy
// fragment) at path on in.
func putDocument(t *testing.T, in *instance, path, description, xml string) {
	t.Helper()
	props := map[string]string{"format": "rawxml", "value": xml}
	if description != "" {
		props["description"] = description
	}
	b, err := json.Marshal(map[string]any{"properties": props})
	if err != nil {
		t.Fatal(err)
	}
	in.must("PUT", path, string(b))
}

// TestExportApplyRoundTrip exports a configuration, applies it to an
// empty instance and exports that: the two folders are the same, a second
// apply changes nothing, --prune deletes what the folder lacks, and an
// invalid folder changes nothing.
func TestExportApplyRoundTrip(t *testing.T) {
	t.Setenv("GATEHOUSE_SECRET_API_TOKEN", "s3cr3t")
	backend := newBackend(t)
	a := startServe(t, t.TempDir(), "")
	configure(t, a, backend.URL)
	// Certificates: a CA the edge gateway trusts, and a client
	// certificate (with its key) a backend presents.
	ca := certtest.NewCA(t, "Round-trip CA")
	client := ca.Issue(t, certtest.Options{CommonName: "round-trip-client"})
	a.must("PUT", "/certificates/root", fmt.Sprintf(`{"properties":{"data":%q}}`, ca.CertPEM()))
	a.must("PUT", "/certificates/client", fmt.Sprintf(`{"properties":{"data":%q,"password":"pfx-pw"}}`, client.PFXBase64(t, "pfx-pw")))
	a.must("PATCH", "/backends/three", `{"properties":{"credentials":{"certificateIds":["client"]}}}`)
	a.must("PUT", "/gateways/edge/certificateAuthorities/root", `{"properties":{"isTrusted":true}}`)
	a.must("PUT", "/schemas/address", `{"properties":{"schemaType":"json","description":"A postal address","document":{"type":"object","required":["city"],"properties":{"city":{"type":"string"}}}}}`)
	a.must("PUT", "/loggers/requests", `{"properties":{"loggerType":"file","description":"Every request","credentials":{"path":"requests.jsonl"}}}`)
	a.must("PUT", "/diagnostics/azuremonitor", `{"properties":{"loggerId":"requests","alwaysLog":"allErrors","sampling":{"samplingType":"fixed","percentage":0}}}`)
	a.must("PUT", "/apis/files/diagnostics/azuremonitor", `{"properties":{"loggerId":"/loggers/requests","logClientIp":true}}`)
	a.must("PUT", "/gateways/edge/federatedCredentials/cluster", `{"properties":{"issuer":"https://oidc.example.com/cluster","subject":"system:serviceaccount:gw:gw"}}`)
	t.Setenv("GATEHOUSE_CERTIFICATE_CLIENT", client.PEM(t))
	first := filepath.Join(t.TempDir(), "first")
	out := mustCLI(t, append([]string{"export", "--dir", first}, a.remote()...)...)
	expectContains(t, out, "exported 3 APIs, 2 products, 2 named values, 2 certificates, 3 backends, 4 policies, 1 policy fragments, 2 tags")
	if out, err := runCLI(t, append([]string{"export", "--dir", first}, a.remote()...)...); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Errorf("export into a non-empty folder: %v\n%s", err, out)
	}
	files := readTree(t, first)
	if v := files["named values/api-token/namedValueInformation.json"]; !strings.Contains(v, "${GATEHOUSE_SECRET_API_TOKEN}") || strings.Contains(v, "s3cr3t") {
		t.Errorf("the exported secret:\n%s", v)
	}
	// pets came from an OpenAPI 3.1 YAML document: its specification is one.
	if spec, ok := files["apis/pets/specification.yaml"]; !ok || !strings.HasPrefix(spec, "components:") || !strings.Contains(spec, "openapi: 3.1.0\n") {
		t.Errorf("no OpenAPI 3.1 YAML specification for pets; files: %v", files)
	}
	for _, f := range []string{"policy.xml", "products/starter/policy.xml", "apis/files/policy.xml", "apis/files/operations/get-item/policy.xml",
		"policy fragments/stamp/policy.xml", "policy fragments/stamp/policyFragmentInformation.json",
		"products/starter/apis/pets/productApiInformation.json", "products/starter/groups/partners/productGroupInformation.json",
		"tags/public/tagInformation.json", "apis/pets/tags/public/apiTagInformation.json", "products/starter/tags/public/productTagInformation.json",
		"loggers/requests/loggerInformation.json", "diagnostics/azuremonitor/diagnosticInformation.json",
		"apis/files/diagnostics/azuremonitor/diagnosticInformation.json"} {
		if _, ok := files[f]; !ok {
			t.Errorf("export lacks %s", f)
		}
	}
	if v := files["certificates/client/certificateInformation.json"]; !strings.Contains(v, "${GATEHOUSE_CERTIFICATE_CLIENT}") || strings.Contains(v, "PRIVATE KEY") {
		t.Errorf("the exported client certificate:\n%s", v)
	}
	if v := files["certificates/root/certificateInformation.json"]; !strings.Contains(v, "BEGIN CERTIFICATE") {
		t.Errorf("the exported CA certificate:\n%s", v)
	}
	for _, f := range []string{"gateways/edge/certificateAuthorities/root/gatewayCertificateAuthorityInformation.json",
		"gateways/edge/federatedCredentials/cluster/federatedCredentialInformation.json"} {
		if _, ok := files[f]; !ok {
			t.Errorf("export lacks %s", f)
		}
	}
	withSecrets := filepath.Join(t.TempDir(), "with-secrets")
	mustCLI(t, append([]string{"export", "--dir", withSecrets, "--include-secrets"}, a.remote()...)...)
	secrets := readTree(t, withSecrets)
	if v := secrets["certificates/client/certificateInformation.json"]; !strings.Contains(v, "PRIVATE KEY") {
		t.Errorf("--include-secrets: the client certificate lacks its key:\n%s", v)
	}
	if v := secrets["named values/api-token/namedValueInformation.json"]; !strings.Contains(v, "s3cr3t") {
		t.Errorf("--include-secrets: the secret named value:\n%s", v)
	}
	if v := files["products/starter/apis/pets/productApiInformation.json"]; !strings.Contains(v, `"apiId": "/apis/pets"`) {
		t.Errorf("the product's API link:\n%s", v)
	}
	if v := files["policy fragments/stamp/policyFragmentInformation.json"]; !strings.Contains(v, `"description": "Marks responses"`) || !strings.Contains(v, `"format": "rawxml"`) {
		t.Errorf("the fragment's information file:\n%s", v)
	}

	logs := t.TempDir()
	b := startServe(t, t.TempDir(), "", func(c *serveConfig) { c.LoggerDir = logs })
	applyB := append([]string{"apply", "--dir", first}, b.remote()...)
	out = mustCLI(t, applyB...)
	expectContains(t, out, "+ apis/pets", "+ apis/files", "+ backends/three", "+ products/starter/groups/partners",
		"+ certificates/client", "+ certificates/root", "+ schemas/address", "+ gateways/edge/certificateAuthorities/root", "+ gateways/edge/federatedCredentials/cluster",
		"+ policyFragments/stamp", "+ policy\n", "+ products/starter/policy", "+ apis/files/policy", "+ apis/files/operations/get-item/policy",
		"+ tags/public", "+ tags/internal", "+ apis/pets/tags/public", "+ products/starter/tags/public", "+ products/internal/tags/internal",
		"+ loggers/requests", "+ diagnostics/azuremonitor", "+ apis/files/diagnostics/azuremonitor", "applied ")
	second := filepath.Join(t.TempDir(), "second")
	mustCLI(t, append([]string{"export", "--dir", second}, b.remote()...)...)
	sameTree(t, first, second)
	if v := b.must("POST", "/namedValues/api-token/listValue", "").json(t)["value"]; v != "s3cr3t" {
		t.Errorf("secret on the second instance: %v", v)
	}
	if r := b.call("GET", "/files/items/7"); r.status != 200 {
		t.Errorf("the gateway of the second instance answered %d for /files/items/7", r.status)
	} else {
		seen := decodeSeen(t, r)
		if seen.Header.Get("X-Region") != "oslo" || seen.Header.Get("X-Plain") != "hello" || !strings.Contains(seen.Query, "expand=all") {
			t.Errorf("the policies did not reach the backend: headers %v, query %q", seen.Header, seen.Query)
		}
		if v := r.header.Get("X-Served-By"); v != "gatehouse" {
			t.Errorf("X-Served-By from the fragment: %q", v)
		}
		// The applied API diagnostic records the request in the file
		// logger, under the instance's logger directory.
		rec := waitForRecord(t, filepath.Join(logs, "requests.jsonl"))
		if rec["apiId"] != "files" || rec["responseCode"] != 200.0 || rec["clientIp"] != "127.0.0.1" {
			t.Errorf("the request's record: %v", rec)
		}
	}

	out = mustCLI(t, applyB...)
	expectContains(t, out, "no changes")

	t.Run("dry run and prune", func(t *testing.T) {
		lean := copyDir(t, first)
		for _, d := range []string{"products/internal", "apis/files", "backends/three", "named values/plain", "tags/internal",
			"products/starter/policy.xml", "policy.xml", "policy fragments/stamp", "products/internal/apis/files"} {
			if err := os.RemoveAll(filepath.Join(lean, d)); err != nil {
				t.Fatal(err)
			}
		}
		out := mustCLI(t, append([]string{"apply", "--dir", lean}, b.remote()...)...)
		expectContains(t, out, "no changes")
		out = mustCLI(t, append([]string{"apply", "--dir", lean, "--prune", "--dry-run"}, b.remote()...)...)
		expectContains(t, out, "- products/internal", "- apis/files", "- backends/three", "- namedValues/plain",
			"- products/starter/policy", "- policy\n", "- policyFragments/stamp", "- tags/internal", "nothing changed")
		if strings.Index(out, "- apis/files") > strings.Index(out, "- policyFragments/stamp") ||
			strings.Index(out, "- products/starter/policy") > strings.Index(out, "- products/internal") {
			t.Errorf("policies and their users must be deleted before the fragments they include:\n%s", out)
		}
		if r := b.mgmt("GET", "/apis/files", ""); r.status != 200 {
			t.Fatalf("dry run deleted the API: %d", r.status)
		}
		out = mustCLI(t, append([]string{"apply", "--dir", lean, "--prune"}, b.remote()...)...)
		expectContains(t, out, "applied 8 changes")
		for _, p := range []string{"/products/internal", "/apis/files", "/backends/three", "/namedValues/plain", "/tags/internal",
			"/products/starter/policy", "/policy", "/policyFragments/stamp"} {
			if r := b.mgmt("GET", p, ""); r.status != 404 {
				t.Errorf("GET %s after --prune: %d", p, r.status)
			}
		}
		if r := b.mgmt("GET", "/groups/administrators", ""); r.status != 200 {
			t.Errorf("--prune deleted a built-in group: %d", r.status)
		}
		out = mustCLI(t, append([]string{"apply", "--dir", lean, "--prune"}, b.remote()...)...)
		expectContains(t, out, "no changes")
	})

	t.Run("invalid policy changes nothing", func(t *testing.T) {
		bad := copyDir(t, first, `"value": "hello"`, `"value": "changed"`)
		doc := "<policies>\n\t<inbound>\n\t\t<base />\n\t\t<set-header name=\"X-Bad\" exists-action=\"replace\"><value>x</value></set-header>\n\t</inbound>\n</policies>\n"
		if err := os.WriteFile(filepath.Join(bad, "apis", "files", "policy.xml"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		before := filepath.Join(t.TempDir(), "before")
		mustCLI(t, append([]string{"export", "--dir", before}, a.remote()...)...)
		out, err := runCLI(t, append([]string{"apply", "--dir", bad}, a.remote()...)...)
		if err == nil || !strings.Contains(err.Error(), "apis/files/policy.xml:4:") || !strings.Contains(err.Error(), "exists-action") {
			t.Errorf("apply of an invalid policy: %v\n%s", err, out)
		}
		after := filepath.Join(t.TempDir(), "after")
		mustCLI(t, append([]string{"export", "--dir", after}, a.remote()...)...)
		sameTree(t, before, after)
	})

	t.Run("invalid folder changes nothing", func(t *testing.T) {
		bad := copyDir(t, first, `"path": "pets"`, `"path": "pets/{x}"`)
		if err := os.Rename(filepath.Join(bad, "products", "starter", "apis", "pets"), filepath.Join(bad, "products", "starter", "apis", "nope")); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bad, "apis", "files", "specification.json"), []byte(`{"openapi": "3.0.0", "paths": {}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		before := filepath.Join(t.TempDir(), "before")
		mustCLI(t, append([]string{"export", "--dir", before}, a.remote()...)...)
		out, err := runCLI(t, append([]string{"apply", "--dir", bad, "--prune"}, a.remote()...)...)
		if err == nil {
			t.Fatalf("apply of an invalid folder succeeded:\n%s", out)
		}
		for _, want := range []string{"apis/pets/apiInformation.json: invalid resource: properties.path", "apis/files/specification.json: invalid OpenAPI document"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		fixed := copyDir(t, first)
		if err := os.RemoveAll(filepath.Join(fixed, "products", "starter", "apis")); err != nil {
			t.Fatal(err)
		}
		// The older APIOps layout: a list file.
		if err := os.WriteFile(filepath.Join(fixed, "products", "starter", "apis.json"), []byte(`[{"name": "nope"}]`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = runCLI(t, append([]string{"apply", "--dir", fixed}, a.remote()...)...)
		if err == nil || !strings.Contains(err.Error(), "products/starter links API nope, which is neither in the folder nor") {
			t.Errorf("apply with a dangling link: %v", err)
		}
		after := filepath.Join(t.TempDir(), "after")
		mustCLI(t, append([]string{"export", "--dir", after}, a.remote()...)...)
		sameTree(t, before, after)
	})
}

// TestApplyIsAllOrNothing applies a folder that the management plane
// refuses part way: its dry run says so, and the apply changes nothing,
// naming the file at fault.
func TestApplyIsAllOrNothing(t *testing.T) {
	t.Setenv("GATEHOUSE_SECRET_BACKEND_KEY", "k3y")
	in := startServe(t, t.TempDir(), "")
	// A client certificate that the management plane does not have: only
	// it knows.
	dir := copyDir(t, "testdata/apiops", `"credentials": {`, `"credentials": {"certificateIds": ["orders-client"], `)
	before := in.must("GET", "/namedValues", "").json(t)["count"]

	for _, args := range [][]string{{"--dry-run"}, nil} {
		out, err := runCLI(t, append(append([]string{"apply", "--dir", dir}, args...), in.remote()...)...)
		if err == nil {
			t.Fatalf("apply %v of a folder with a bad API succeeded:\n%s", args, out)
		}
		expectContains(t, err.Error(), "nothing was changed", "backends/orders-backend/backendInformation.json (create backends/orders-backend): properties.credentials.certificateIds")
		if got := in.must("GET", "/namedValues", "").json(t)["count"]; got != before {
			t.Errorf("apply %v: named values %v, were %v: part of the folder was applied", args, got, before)
		}
		for _, p := range []string{"/backends/orders-backend", "/apis/echo-api", "/groups/partners"} {
			if r := in.mgmt("GET", p, ""); r.status != 404 {
				t.Errorf("apply %v: GET %s %d, want 404", args, p, r.status)
			}
		}
	}
}

// TestApplyWithConfigurationFile applies one folder with the APIOps
// publisher's configuration file for an environment.
func TestApplyWithConfigurationFile(t *testing.T) {
	t.Setenv("PROD_BACKEND_KEY", "prod-k3y")
	in := startServe(t, t.TempDir(), "")
	conf := filepath.Join(t.TempDir(), "configuration.prod.yaml")
	err := os.WriteFile(conf, []byte(`apimServiceName: apim-prod
namedValues:
  - name: environment
    properties:
      value: prod
  - name: backend-key
    properties:
      value: "${PROD_BACKEND_KEY}"
backends:
  - name: orders-backend
    properties:
      url: https://orders.prod.contoso.com/api
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, append([]string{"apply", "--dir", "testdata/apiops", "--configuration", conf}, in.remote()...)...)
	expectContains(t, out, "applied ")
	if v := in.must("POST", "/namedValues/backend-key/listValue", "").json(t)["value"]; v != "prod-k3y" {
		t.Errorf("secret from the configuration file's variable: %v", v)
	}
	if v := in.must("GET", "/namedValues/environment", "").json(t)["properties"].(map[string]any)["value"]; v != "prod" {
		t.Errorf("named value environment: %v", v)
	}
	be := in.must("GET", "/backends/orders-backend", "").json(t)["properties"].(map[string]any)
	if be["url"] != "https://orders.prod.contoso.com/api" || be["description"] != "Orders service on AKS" {
		t.Errorf("backend after the override: %v", be)
	}
	out = mustCLI(t, append([]string{"apply", "--dir", "testdata/apiops", "--configuration", conf}, in.remote()...)...)
	expectContains(t, out, "no changes")
}

// waitForRecord polls the file logger's file p until it holds a record,
// and returns the first.
func waitForRecord(t *testing.T, p string) map[string]any {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(p); err == nil && bytes.IndexByte(b, '\n') > 0 {
			var rec map[string]any
			if err := json.Unmarshal(b[:bytes.IndexByte(b, '\n')], &rec); err != nil {
				t.Fatalf("record %q: %v", b, err)
			}
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("no record in %s", p)
		}
		<-tick.C
	}
}
