package openapi

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"sigs.k8s.io/yaml"
)

func TestImportExternalRefs(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "external", "api.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	def, err := Import(data, ImportOptions{Files: os.DirFS(filepath.Join("testdata", "external"))})
	if err != nil {
		t.Fatal(err)
	}
	op := def.Operations[0].Properties
	if op.URLTemplate != "/pets/{petId}" || len(op.TemplateParameters) != 1 || op.TemplateParameters[0].Type != "integer" {
		t.Errorf("operation %+v; want petId (integer) from schemas/parameters.yaml", op)
	}
	rep := op.Responses[0].Representations[0]
	if rep.TypeName != "Pet" || !strings.Contains(string(rep.Schema), `"label"`) {
		t.Errorf("response %s (type %q); want Pet with Tag from schemas/tag.yaml", rep.Schema, rep.TypeName)
	}
	// The bundled document stands alone: it imports without the files,
	// to the same operations, and is still YAML.
	if def.Document == nil || def.Document[0] == '{' {
		t.Fatalf("bundled document %q", def.Document)
	}
	again, err := Import(def.Document, ImportOptions{})
	if err != nil {
		t.Fatalf("import the bundled document: %v\n%s", err, def.Document)
	}
	if !sameJSON(again.Operations, def.Operations) {
		t.Errorf("bundled document imports to\n%+v\nwant\n%+v", again.Operations, def.Operations)
	}
}

func TestImportExternalRefsRefused(t *testing.T) {
	dir := filepath.Join("testdata", "external")
	fetched := 0
	fetch := func(u *url.URL) ([]byte, error) {
		fetched++
		return []byte("Thing: {type: string}\n"), nil
	}
	tests := []struct {
		name, file string
		opts       ImportOptions
		want       string
	}{
		{name: "no folder", file: "api.yaml", want: "$ref to schemas/parameters.yaml: only references inside the document are allowed"},
		{name: "escape", file: "escape.yaml", opts: ImportOptions{Files: os.DirFS(dir)},
			want: "$ref to ../petstore-v3.0.yaml: the file is outside the document's folder"},
		{name: "remote off", file: "remote.yaml", opts: ImportOptions{Files: os.DirFS(dir)},
			want: "$ref to https://schemas.example.com/common.yaml: references to URLs are not followed unless allowed (--allow-remote-refs)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Import(data, tt.opts)
			if !errors.Is(err, ErrInvalidDocument) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want %q", err, tt.want)
			}
		})
	}
	data, err := os.ReadFile(filepath.Join(dir, "remote.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	def, err := Import(data, ImportOptions{Files: os.DirFS(dir), FetchRef: fetch})
	if err != nil {
		t.Fatalf("with remote $refs allowed: %v", err)
	}
	if fetched != 1 || def.Operations[0].Properties.Responses[0].Representations[0].TypeName != "Thing" {
		t.Errorf("fetched %d times; operation %+v", fetched, def.Operations[0].Properties)
	}
}

// TestImportRecursiveFileRefs bundles schemas that refer to each other
// across files, and to themselves, as one component each.
func TestImportRecursiveFileRefs(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{
		"a.yaml": {Data: []byte("A: {type: object, properties: {next: {$ref: '#/A'}, b: {$ref: 'b.yaml#/B'}}}\n")},
		"b.yaml": {Data: []byte("B: {type: object, properties: {a: {$ref: 'a.yaml#/A'}}}\n")},
	}
	doc := "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: 'a.yaml#/A'}}}}}\n"
	def, err := Import([]byte(doc), ImportOptions{Files: files})
	if err != nil {
		t.Fatal(err)
	}
	var bundled struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := yaml.Unmarshal(def.Document, &bundled); err != nil {
		t.Fatal(err)
	}
	if len(bundled.Components.Schemas) != 2 || bundled.Components.Schemas["A"] == nil || bundled.Components.Schemas["B"] == nil {
		t.Errorf("bundled schemas %v; want A and B", bundled.Components.Schemas)
	}
	if got := strings.Join(def.Files, ","); got != "a.yaml,b.yaml" {
		t.Errorf("files read %q", got)
	}
}
