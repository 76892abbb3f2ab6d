package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// runCLI runs the gatehouse command with args and returns its output.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(t.Context())
	return out.String(), err
}

// mustCLI runs the command and fails the test when it fails.
func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("gatehouse %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// remote returns the flags that point a CLI verb at in.
func (in *instance) remote() []string {
	return []string{"--endpoint", "http://" + in.addrs.Mgmt, "--token", in.token}
}

// operationIDs returns the ids of an API's operations.
func (in *instance) operationIDs(api string) []string {
	in.t.Helper()
	var list struct {
		Value []struct {
			Name string `json:"name"`
		} `json:"value"`
	}
	if err := json.Unmarshal(in.must("GET", "/apis/"+api+"/operations", "").body, &list); err != nil {
		in.t.Fatal(err)
	}
	var ids []string
	for _, v := range list.Value {
		ids = append(ids, v.Name)
	}
	return ids
}

func expectContains(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestImportOpenAPIServedByGateway(t *testing.T) {
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "")
	imp := append([]string{"import", "openapi", "--api-id", "pets"}, in.remote()...)

	out := mustCLI(t, append(imp, "testdata/openapi/petstore-v3.0.yaml", "--path", "petstore", "--service-url", backend.URL+"/v1")...)
	expectContains(t, out, "+ api pets", "+ operation listPets GET /pets", "+ operation createPets POST /pets",
		"+ operation showPetById GET /pets/{petId}", "! warning: paths./pets.get.responses.default", "3 created, 0 updated, 0 deleted")
	if got := strings.Join(in.operationIDs("pets"), ","); got != "createPets,listPets,showPetById" {
		t.Fatalf("operations %s", got)
	}
	api := in.must("GET", "/apis/pets", "").json(t)["properties"].(map[string]any)
	if api["displayName"] != "Swagger Petstore" || api["serviceUrl"] != backend.URL+"/v1" || api["path"] != "petstore" {
		t.Errorf("API properties %v", api)
	}
	if _, ok := api["value"]; ok {
		t.Error("the imported document is returned: format and value must be write-only")
	}
	op := in.must("GET", "/apis/pets/operations/listPets", "").json(t)["properties"].(map[string]any)
	if q := op["request"].(map[string]any)["queryParameters"].([]any); len(q) != 1 || q[0].(map[string]any)["name"] != "limit" {
		t.Errorf("listPets request %v", op["request"])
	}

	in.must("PUT", "/subscriptions/pets-sub", `{"properties":{"displayName":"Pets","scope":"/apis/pets","primaryKey":"pets-key-0001"}}`)
	const key = "Ocp-Apim-Subscription-Key: pets-key-0001"
	got := decodeSeen(t, expectStatus(t, in, 200, "/petstore/pets/42", key))
	if got.Path != "/v1/pets/42" || got.Method != "GET" {
		t.Errorf("backend saw %s %s, want GET /v1/pets/42", got.Method, got.Path)
	}
	if r := in.call("GET", "/petstore/pets/42/toys", key); r.status != http.StatusNotFound {
		t.Errorf("a path the document lacks answered %d", r.status)
	}

	t.Run("dry run changes nothing", func(t *testing.T) {
		out := mustCLI(t, append(imp, "testdata/openapi/petstore-v3.0-changed.yaml", "--dry-run")...)
		expectContains(t, out, "~ api pets", "~ operation showPetById GET /pets/{petId}", "+ operation deletePet DELETE /pets/{petId}",
			"- operation createPets POST /pets", "1 created, 1 updated, 1 deleted, 1 unchanged", "nothing changed")
		if got := strings.Join(in.operationIDs("pets"), ","); got != "createPets,listPets,showPetById" {
			t.Errorf("operations after a dry run: %s", got)
		}
	})

	t.Run("re-import adds, updates and deletes", func(t *testing.T) {
		mustCLI(t, append(imp, "testdata/openapi/petstore-v3.0-changed.yaml")...)
		if got := strings.Join(in.operationIDs("pets"), ","); got != "deletePet,listPets,showPetById" {
			t.Errorf("operations %s", got)
		}
		show := in.must("GET", "/apis/pets/operations/showPetById", "").json(t)["properties"].(map[string]any)
		if show["displayName"] != "One pet, by id" {
			t.Errorf("showPetById not updated: %v", show["displayName"])
		}
		api := in.must("GET", "/apis/pets", "").json(t)["properties"].(map[string]any)
		if api["path"] != "petstore" {
			t.Errorf("the re-import lost the path: %v", api["path"])
		}
		out := mustCLI(t, append(imp, "testdata/openapi/petstore-v3.0-changed.yaml")...)
		expectContains(t, out, "0 created, 0 updated, 0 deleted, 3 unchanged")
	})

	t.Run("invalid document changes nothing", func(t *testing.T) {
		out, err := runCLI(t, append(imp, "testdata/openapi/broken.yaml")...)
		if err == nil || !strings.Contains(err.Error(), "/pets/{petId}") || !strings.Contains(err.Error(), "petId") {
			t.Errorf("import of a broken document: %v\n%s", err, out)
		}
		if got := strings.Join(in.operationIDs("pets"), ","); got != "deletePet,listPets,showPetById" {
			t.Errorf("operations %s", got)
		}
	})

	t.Run("export writes the API as the gateway serves it", func(t *testing.T) {
		out := mustCLI(t, append([]string{"export", "openapi", "--api-id", "pets", "--gateway-url", "http://" + in.addrs.GatewayHTTP}, in.remote()...)...)
		if strings.HasPrefix(out, "{") || !strings.Contains(out, "openapi: 3.0.0\n") {
			t.Errorf("the export of a 3.0.0 YAML import is not 3.0.0 YAML:\n%s", out)
		}
		doc, err := openapi3.NewLoader().LoadFromData([]byte(out))
		if err != nil {
			t.Fatalf("load the export: %v\n%s", err, out)
		}
		if err := doc.Validate(context.Background()); err != nil {
			t.Fatalf("the export is invalid: %v\n%s", err, out)
		}
		if doc.Servers[0].URL != "http://"+in.addrs.GatewayHTTP+"/petstore" {
			t.Errorf("server %s", doc.Servers[0].URL)
		}
		if s := doc.Components.SecuritySchemes["apiKeyHeader"]; s == nil || s.Value.Name != "Ocp-Apim-Subscription-Key" {
			t.Errorf("security schemes %v", doc.Components.SecuritySchemes)
		}
		if doc.Paths.Value("/pets/{petId}") == nil || doc.Paths.Value("/pets/{petId}").Delete == nil {
			t.Errorf("paths %v", doc.Paths.Keys())
		}

		// The YAML export imports back into a new API with the same operations.
		file := filepath.Join(t.TempDir(), "pets.yaml")
		mustCLI(t, append([]string{"export", "openapi", "--api-id", "pets", "--format", "yaml", "-o", file}, in.remote()...)...)
		out = mustCLI(t, append([]string{"import", "openapi", file, "--api-id", "pets-copy", "--path", "pets-copy"}, in.remote()...)...)
		expectContains(t, out, "3 created, 0 updated, 0 deleted")
		for _, id := range in.operationIDs("pets") {
			a := in.must("GET", "/apis/pets/operations/"+id, "").json(t)["properties"]
			b := in.must("GET", "/apis/pets-copy/operations/"+id, "").json(t)["properties"]
			if !reflect.DeepEqual(a, b) {
				t.Errorf("operation %s after export and import:\n%v\n%v", id, a, b)
			}
		}
	})
}

// TestImportFileRefs imports a document whose $refs name files next to
// it: the management plane gets one self-contained document; a $ref out
// of the folder or to a URL is refused, the latter unless allowed.
func TestImportFileRefs(t *testing.T) {
	in := startServe(t, t.TempDir(), "")
	dir := t.TempDir()
	const doc = "openapi: 3.0.3\ninfo: {title: Refs, version: '1'}\npaths:\n  /things:\n    get:\n      operationId: listThings\n" +
		"      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '%s'}\n"
	files := map[string]string{
		"api/openapi.yaml":       fmt.Sprintf(doc, "schemas/thing.yaml#/Thing"),
		"api/schemas/thing.yaml": "Thing: {type: object, properties: {name: {type: string}}}\n",
		"api/escape.yaml":        fmt.Sprintf(doc, "../secret.yaml#/Thing"),
		"api/remote.yaml":        fmt.Sprintf(doc, "https://schemas.invalid/thing.yaml#/Thing"),
		"secret.yaml":            "Thing: {type: string}\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	imp := append([]string{"import", "openapi", "--api-id", "things", "--path", "things"}, in.remote()...)
	out := mustCLI(t, append(imp, filepath.Join(dir, "api", "openapi.yaml"))...)
	expectContains(t, out, "+ operation listThings GET /things", "1 created")
	op := in.must("GET", "/apis/things/operations/listThings", "").json(t)["properties"].(map[string]any)
	rep := op["responses"].([]any)[0].(map[string]any)["representations"].([]any)[0].(map[string]any)
	if rep["typeName"] != "Thing" || !strings.Contains(fmt.Sprint(rep["schema"]), "name") || op["importedFrom"] != "openapi 3.0.3 yaml" {
		t.Errorf("operation %v", op)
	}
	// With --allow-remote-refs, a $ref to a URL is followed.
	schemas := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "Thing: {type: object, properties: {remote: {type: string}}}\n")
	}))
	defer schemas.Close()
	remote := filepath.Join(dir, "api", "remote-ok.yaml")
	if err := os.WriteFile(remote, []byte(fmt.Sprintf(doc, schemas.URL+"/thing.yaml#/Thing")), 0o644); err != nil {
		t.Fatal(err)
	}
	out = mustCLI(t, append([]string{"import", "openapi", remote, "--api-id", "remote", "--path", "remote", "--allow-remote-refs"}, in.remote()...)...)
	expectContains(t, out, "+ operation listThings GET /things")
	op = in.must("GET", "/apis/remote/operations/listThings", "").json(t)["properties"].(map[string]any)
	if !strings.Contains(fmt.Sprint(op["responses"]), "remote") {
		t.Errorf("operation %v; want the schema of the URL", op)
	}

	// A webhook-only document makes an API with no operations, and says so.
	hooks := filepath.Join(dir, "hooks.yaml")
	if err := os.WriteFile(hooks, []byte("openapi: 3.1.0\ninfo: {title: Hooks, version: '1'}\nwebhooks:\n  ping:\n    post:\n      responses: {'200': {description: ok}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out = mustCLI(t, append([]string{"import", "openapi", hooks, "--api-id", "hooks", "--path", "hooks"}, in.remote()...)...)
	expectContains(t, out, "+ api hooks", "! warning: /webhooks: the document describes only webhooks (1)", "0 created, 0 updated, 0 deleted")
	if ids := in.operationIDs("hooks"); len(ids) != 0 {
		t.Errorf("operations %v", ids)
	}
	for file, want := range map[string]string{
		"escape.yaml": "outside the document's folder",
		"remote.yaml": "--allow-remote-refs",
	} {
		out, err := runCLI(t, append(imp, filepath.Join(dir, "api", file))...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("import %s: %v; want %q\n%s", file, err, want, out)
		}
	}
}

func TestImportThroughManagementAPI(t *testing.T) {
	in := startServe(t, t.TempDir(), "")
	doc, err := os.ReadFile("testdata/openapi/petstore-v2.json")
	if err != nil {
		t.Fatal(err)
	}
	docs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(doc)
	}))
	t.Cleanup(docs.Close)

	t.Run("openapi-link", func(t *testing.T) {
		r := in.mgmt("PUT", "/apis/linked", `{"properties":{"format":"openapi-link","value":"`+docs.URL+`/swagger.json","path":"linked"}}`)
		if r.status != http.StatusCreated {
			t.Fatalf("PUT with openapi-link: %d %s", r.status, r.body)
		}
		if got := strings.Join(in.operationIDs("linked"), ","); got != "createPets,listPets,showPetById" {
			t.Errorf("operations %s", got)
		}
		props := r.json(t)["properties"].(map[string]any)
		if props["serviceUrl"] != "http://petstore.swagger.io/v1" || props["displayName"] != "Swagger Petstore" {
			t.Errorf("properties %v", props)
		}
	})

	t.Run("inline swagger-json with overrides", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"properties": map[string]any{
			"format": "swagger-json", "value": string(doc), "path": "inline", "displayName": "Pets",
			"serviceUrl": "http://127.0.0.1:9/pets"}})
		r := in.must("PUT", "/apis/inline", string(body))
		props := r.json(t)["properties"].(map[string]any)
		if props["serviceUrl"] != "http://127.0.0.1:9/pets" || props["displayName"] != "Pets" {
			t.Errorf("the request's properties did not win: %v", props)
		}
	})

	t.Run("invalid document changes nothing", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"properties": map[string]any{
			"format": "openapi", "value": "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses: {'200': {description: ok}}\n",
			"path": "bad"}})
		r := in.mgmt("PUT", "/apis/bad", string(body))
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"target": "properties.value"`) ||
			!strings.Contains(string(r.body), "/a/{id}") {
			t.Errorf("PUT of an invalid document: %d %s", r.status, r.body)
		}
		if r := in.mgmt("GET", "/apis/bad", ""); r.status != http.StatusNotFound {
			t.Errorf("the API was created: %d", r.status)
		}
		r = in.mgmt("PUT", "/apis/linked", string(body))
		if r.status != http.StatusBadRequest {
			t.Errorf("re-import of an invalid document: %d %s", r.status, r.body)
		}
		if got := strings.Join(in.operationIDs("linked"), ","); got != "createPets,listPets,showPetById" {
			t.Errorf("operations after a failed re-import: %s", got)
		}
	})

	t.Run("unknown format", func(t *testing.T) {
		r := in.mgmt("PUT", "/apis/x", `{"properties":{"format":"raml","value":"#%RAML 1.0","path":"x"}}`)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "properties.format") {
			t.Errorf("PUT with format raml: %d %s", r.status, r.body)
		}
	})
}

// TestImportPostgres runs an import and a refused re-import against
// PostgreSQL: the import and the API write share one transaction there too.
func TestImportPostgres(t *testing.T) {
	in := startServe(t, t.TempDir(), postgresURL(t))
	imp := append([]string{"import", "openapi", "--api-id", "pets"}, in.remote()...)
	mustCLI(t, append(imp, "testdata/openapi/petstore-v2.json", "--path", "pets")...)
	mustCLI(t, append(imp, "testdata/openapi/petstore-v3.0-changed.yaml")...)
	if got := strings.Join(in.operationIDs("pets"), ","); got != "deletePet,listPets,showPetById" {
		t.Errorf("operations %s", got)
	}
	body, _ := json.Marshal(map[string]any{"properties": map[string]any{"path": "pets", "format": "openapi",
		"value": "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n  /a/{id}:\n    get:\n      responses: {'200': {description: ok}}\n"}})
	if r := in.mgmt("PUT", "/apis/pets", string(body)); r.status != http.StatusBadRequest {
		t.Errorf("invalid re-import: %d %s", r.status, r.body)
	}
	if got := strings.Join(in.operationIDs("pets"), ","); got != "deletePet,listPets,showPetById" {
		t.Errorf("operations after a refused re-import: %s", got)
	}
}
