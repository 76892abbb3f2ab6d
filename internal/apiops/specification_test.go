package apiops

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/openapi"
)

const specWithRefs = "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '%s'}\n"

// TestReadSpecificationRefs reads a specification whose $refs name files
// in the API's folder: the operations have the schemas, the document
// given to the management plane carries them, and the files are not
// listed as unsupported.
func TestReadSpecificationRefs(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{
		"apis/pets/apiInformation.json": `{"properties": {"displayName": "Pets", "path": "pets", "serviceUrl": "http://pets.internal"}}`,
		"apis/pets/specification.yaml":  strings.Replace(specWithRefs, "%s", "schemas/pet.yaml#/Pet", 1),
		"apis/pets/schemas/pet.yaml":    "Pet: {type: object, properties: {name: {type: string}}}\n",
	})
	cfg, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Unsupported) != 0 {
		t.Errorf("unsupported: %v", cfg.Unsupported)
	}
	api := cfg.APIs[0]
	if rep := api.Operations[0].Properties.Responses[0].Representations[0]; rep.TypeName != "Pet" {
		t.Errorf("representation %+v; want the Pet schema of schemas/pet.yaml", rep)
	}
	def, err := openapi.Import(api.Spec, openapi.ImportOptions{})
	if err != nil {
		t.Fatalf("the specification sent to the management plane does not stand alone: %v\n%s", err, api.Spec)
	}
	if len(def.Operations) != 1 {
		t.Errorf("%d operations", len(def.Operations))
	}
}

func TestReadSpecificationRemoteRefs(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"apis/pets/apiInformation.json": `{"properties": {"displayName": "Pets", "path": "pets"}}`,
		"apis/pets/specification.yaml":  strings.Replace(specWithRefs, "%s", "https://schemas.example.com/pet.yaml#/Pet", 1),
	}
	_, err := Read(writeFolder(t, files), ReadOptions{LookupEnv: env(nil)})
	if err == nil || !strings.Contains(err.Error(), "apis/pets/specification.yaml") || !strings.Contains(err.Error(), "--allow-remote-refs") {
		t.Errorf("error %v; want the file and the flag named", err)
	}
	fetch := func(u *url.URL) ([]byte, error) { return []byte("Pet: {type: object}\n"), nil }
	cfg, err := Read(writeFolder(t, files), ReadOptions{LookupEnv: env(nil), FetchRef: fetch})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.APIs[0].Operations) != 1 {
		t.Errorf("operations %+v", cfg.APIs[0].Operations)
	}
}

// TestWriteSpecificationAsImported reads a folder whose specification is
// OpenAPI 3.0.1 YAML and writes it again: the specification is
// specification.yaml, 3.0.1, and reads back to the same operations.
func TestWriteSpecificationAsImported(t *testing.T) {
	t.Parallel()
	spec := "openapi: 3.0.1\ninfo: {title: Pets, version: '1'}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n" +
		"      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: string, nullable: true}\n"
	cfg, err := Read(writeFolder(t, map[string]string{
		"apis/pets/apiInformation.json": `{"properties": {"displayName": "Pets", "path": "pets", "serviceUrl": "http://pets.internal"}}`,
		"apis/pets/specification.yaml":  spec,
	}), ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := Write(out, cfg, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "apis", "pets", "specification.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "openapi: 3.0.1\n") || strings.Contains(string(b), "servers:") || strings.Contains(string(b), "securitySchemes") {
		t.Errorf("specification.yaml:\n%s", b)
	}
	again, err := Read(out, ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Unsupported) != 0 {
		t.Errorf("unsupported: %v", again.Unsupported)
	}
	got, _ := json.Marshal(again.APIs[0].Operations)
	want, _ := json.Marshal(cfg.APIs[0].Operations)
	if string(got) != string(want) {
		t.Errorf("operations after write and read:\n%s\nwant\n%s", got, want)
	}
}

// TestReadLenientSpecification reads a specification that bends OpenAPI
// as APIM accepts it: a warning, not an unsupported part (so --strict
// applies it).
func TestReadLenientSpecification(t *testing.T) {
	t.Parallel()
	spec := "openapi: 3.1.0\ninfo: {title: Pets, version: '1'}\npaths:\n  /pets:\n    get:\n      parameters: [{name: top, in: query, schema: {type: int32}}]\n      responses: {'200': {description: ok}}\n"
	cfg, err := Read(writeFolder(t, map[string]string{
		"apis/pets/apiInformation.json": `{"properties": {"displayName": "Pets", "path": "pets"}}`,
		"apis/pets/specification.yaml":  spec,
	}), ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	want := `apis/pets/specification.yaml: /paths/~1pets/get/parameters/0/schema/type: "int32" is a format, not a type; read as type "integer", format "int32"`
	if len(cfg.Unsupported) != 0 || len(cfg.Warnings) != 1 || cfg.Warnings[0].String() != want {
		t.Errorf("unsupported %v, warnings %v; want %q", cfg.Unsupported, cfg.Warnings, want)
	}
}

// TestReadSpecificationRefsStayInTheFolder refuses $refs that leave the
// API's folder, by "../" or by a symbolic link.
func TestReadSpecificationRefsStayInTheFolder(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{
		"apis/up/apiInformation.json":   `{"properties": {"displayName": "Up", "path": "up"}}`,
		"apis/up/specification.yaml":    strings.Replace(specWithRefs, "%s", "../secret.yaml#/Pet", 1),
		"apis/link/apiInformation.json": `{"properties": {"displayName": "Link", "path": "link"}}`,
		"apis/link/specification.yaml":  strings.Replace(specWithRefs, "%s", "shared/pet.yaml#/Pet", 1),
		"apis/secret.yaml":              "Pet: {type: string}\n",
		"outside/pet.yaml":              "Pet: {type: string}\n",
	})
	if err := os.Symlink(filepath.Join(dir, "outside"), filepath.Join(dir, "apis", "link", "shared")); err != nil {
		t.Skipf("symbolic links: %v", err)
	}
	_, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
	if err == nil {
		t.Fatal("Read accepted $refs out of the API folders")
	}
	t.Log(err)
	for _, want := range []string{"apis/up/specification.yaml", "outside the document's folder", "apis/link/specification.yaml", "shared/pet.yaml"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
