package apiops

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFolder writes files (path -> content) under a new folder.
func writeFolder(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestReadLinkLists(t *testing.T) {
	tests := []struct {
		name, content string
		want          string
	}{
		{name: "objects as APIOps writes them", content: `[{"name": "b"}, {"name": "a"}]`, want: "a,b"},
		{name: "plain names", content: `["echo", "Orders"]`, want: "echo,Orders"},
		{name: "APIM resource ids", content: `[{"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/echo"}]`, want: "echo"},
		{name: "duplicates ignoring case", content: `["a", "A"]`, want: "a"},
		{name: "empty", content: `[]`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFolder(t, map[string]string{
				"products/p/productInformation.json": `{"properties": {"displayName": "P"}}`,
				"products/p/apis.json":               tt.content,
			})
			cfg, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(cfg.Products[0].APIs, ","); got != tt.want || cfg.Products[0].APIs == nil {
				t.Errorf("apis = %q (nil: %v), want %q", got, cfg.Products[0].APIs == nil, tt.want)
			}
			if cfg.Products[0].Groups != nil {
				t.Errorf("groups.json is missing, so groups must be nil (not described), got %v", cfg.Products[0].Groups)
			}
		})
	}
}

func TestReadNamedValues(t *testing.T) {
	tests := []struct {
		name, props string
		env         map[string]string
		wantValue   string
		wantErr     string
	}{
		{name: "plain", props: `{"displayName": "a", "value": "v"}`, wantValue: "v"},
		{name: "placeholder", props: `{"displayName": "a", "value": "${MY_VAR}", "secret": true}`, env: map[string]string{"MY_VAR": "from-env"}, wantValue: "from-env"},
		{name: "placeholder unset", props: `{"displayName": "a", "value": "${MY_VAR}"}`, wantErr: "MY_VAR, which is not set"},
		{name: "extracted secret", props: `{"displayName": "a", "secret": true}`, env: map[string]string{"GATEHOUSE_SECRET_DB_PASSWORD_1": "pw"}, wantValue: "pw"},
		{name: "extracted secret unset", props: `{"displayName": "a", "secret": true}`, wantErr: "set GATEHOUSE_SECRET_DB_PASSWORD_1"},
		{name: "no value", props: `{"displayName": "a"}`, wantErr: "has no value"},
		{name: "invalid name", props: `{"displayName": "a b", "value": "v"}`, wantErr: "properties.displayName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFolder(t, map[string]string{"namedValues/db-password.1/namedValueInformation.json": `{"properties": ` + tt.props + `}`})
			cfg, err := Read(dir, ReadOptions{LookupEnv: env(tt.env)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "namedValues/db-password.1/namedValueInformation.json") {
					t.Errorf("error %v, want one naming the file and %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(cfg.NamedValues[0].Properties), `"value":"`+tt.wantValue+`"`) {
				t.Errorf("properties %s, want value %q", cfg.NamedValues[0].Properties, tt.wantValue)
			}
		})
	}
}

func TestReadListsEveryProblem(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{
		"apis/a/apiInformation.json":         `{"properties": {"path": "a", "protocols": ["ftp"]}}`,
		"apis/b/specification.yaml":          "openapi: 3.0.0\n",
		"apis/c/apiInformation.json":         `{"properties": {"path": "c"}}`,
		"apis/c/specification.json":          `{"openapi": "3.0.0", "info": {"title": "c", "version": "1"}, "paths": {"/x/{id}": {"get": {"responses": {"200": {"description": "ok"}}}}}}`,
		"backends/x/backendInformation.json": `not json`,
		"groups/g/groupInformation.json":     `{"properties": {"displayName": "G", "type": "weird"}}`,
	})
	_, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
	if err == nil {
		t.Fatal("Read accepted an invalid folder")
	}
	for _, want := range []string{
		"apis/a/apiInformation.json: invalid resource: properties.protocols",
		"apis/b: apiInformation.json is missing",
		"apis/c/specification.json: invalid OpenAPI document",
		"backends/x/backendInformation.json: not a JSON resource",
		"groups/g/groupInformation.json: invalid resource: properties.type",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestSecretEnv(t *testing.T) {
	for name, want := range map[string]string{"api-token": "GATEHOUSE_SECRET_API_TOKEN", "db.password_2": "GATEHOUSE_SECRET_DB_PASSWORD_2", "-x-": "GATEHOUSE_SECRET_X"} {
		if got := SecretEnv(name); got != want {
			t.Errorf("SecretEnv(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestWriteEmptyConfig: an instance with nothing to export gives an empty
// folder, which apply reads as "nothing".
func TestWriteEmptyConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "export")
	if err := Write(dir, &Config{}, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Fatalf("folder: %v entries, %v", len(entries), err)
	}
	if _, err := Read(dir, ReadOptions{}); err != nil {
		t.Errorf("reading the empty export: %v", err)
	}
}

// TestSchemasRoundTrip reads a folder's global schemas, writes them out
// and reads them again unchanged; a policy of the folder may name one.
func TestSchemasRoundTrip(t *testing.T) {
	dir := writeFolder(t, map[string]string{
		"schemas/address/schemaInformation.json": `{"properties": {"schemaType": "JSON", "description": "An address.",
			"document": {"type": "object", "required": ["city"]}}}`,
	})
	cfg, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Schemas) != 1 || cfg.Schemas[0].Name != "address" || !strings.Contains(string(cfg.Schemas[0].Properties), `"schemaType":"json"`) {
		t.Fatalf("schemas = %+v", cfg.Schemas)
	}
	out := filepath.Join(t.TempDir(), "export")
	if err := Write(out, cfg, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	again, err := Read(out, ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Schemas) != 1 || string(again.Schemas[0].Properties) != string(cfg.Schemas[0].Properties) {
		t.Errorf("after a round trip: %+v", again.Schemas)
	}
	policy := `<policies><inbound><validate-content unspecified-content-type-action="ignore" max-size="10" size-exceeded-action="prevent">` +
		`<content validate-as="json" action="prevent" schema-id="%s" /></validate-content></inbound></policies>`
	for id, want := range map[string]string{"address": "", "nowhere": `schema "nowhere" does not exist`} {
		cfg.Policies = []Resource{{Name: "policy", Properties: []byte(`{"format":"rawxml","value":` + strconvQuote(strings.Replace(policy, "%s", id, 1)) + `}`), File: "policy.xml"}}
		problems := strings.Join(checkPolicies(cfg, &Config{}, true), "\n")
		if (want == "" && problems != "") || !strings.Contains(problems, want) {
			t.Errorf("schema-id %q: problems %q, want %q", id, problems, want)
		}
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
