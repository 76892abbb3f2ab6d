package openapi

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/internal/model"
)

// TestExportKeepsSourceKind imports an OpenAPI 3.0.1 YAML document and
// exports it as an APIOps folder does (no gateway URL, in the source's
// format): the result is 3.0.1 YAML with the same paths, operations and
// schemas, and nothing the source did not have (no relative server, no
// security schemes).
func TestExportKeepsSourceKind(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("testdata", "roundtrip-v3.0.1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	def, err := Import(src, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if def.Source != (Source{Version: "3.0.1", YAML: true}) || def.Operations[0].Properties.ImportedFrom != "openapi 3.0.1 yaml" {
		t.Fatalf("source %+v, operation imported from %q", def.Source, def.Operations[0].Properties.ImportedFrom)
	}
	api := def.API
	api.Path = "orders"
	api.Normalize()
	out, err := Export(api, def.Operations, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := SourceOf(def.Operations)
	if out, err = s.Encode(out); err != nil {
		t.Fatal(err)
	}
	if s.FileExtension() != ".yaml" || out[0] == '{' {
		t.Fatalf("not YAML (%s):\n%s", s.FileExtension(), out)
	}
	doc, err := openapi3.NewLoader().LoadFromData(out)
	if err != nil {
		t.Fatalf("load the export: %v\n%s", err, out)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the export is invalid: %v\n%s", err, out)
	}
	if doc.OpenAPI != "3.0.1" || len(doc.Servers) != 0 || doc.Security != nil || len(doc.Components.SecuritySchemes) != 0 {
		t.Errorf("openapi %q, servers %v, security %v %v\n%s", doc.OpenAPI, doc.Servers, doc.Security, doc.Components.SecuritySchemes, out)
	}
	orig, err := openapi3.NewLoader().LoadFromData(src)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pathMethods(doc), pathMethods(orig); !slices.Equal(got, want) {
		t.Errorf("paths and methods %q, want %q", got, want)
	}
	if got, want := genericSchemas(t, out), genericSchemas(t, src); !reflect.DeepEqual(got, want) {
		t.Errorf("components.schemas:\n%v\nwant\n%v", got, want)
	}
	again, err := Import(out, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(again.Operations, def.Operations) {
		a, _ := json.Marshal(def.Operations)
		b, _ := json.Marshal(again.Operations)
		t.Errorf("operations after the round trip:\n%s\nwant\n%s", b, a)
	}
}

// TestExportKeepsSwagger exports APIs imported from Swagger 2.0 documents
// as Swagger 2.0, operations that OpenAPI cannot say included, and
// imports them back to the same operations.
func TestExportKeepsSwagger(t *testing.T) {
	for _, file := range []string{"petstore-v2.json", "xms-examples-v2.json"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			def := mustImport(t, file)
			ops := append(slices.Clone(def.Operations),
				Operation{ID: "anything", Properties: model.Operation{DisplayName: "Any", Method: "*", URLTemplate: "/x", ImportedFrom: "swagger 2.0 json"}},
				Operation{ID: "get-item", Properties: model.Operation{DisplayName: "GET /items/{id}", Method: "GET", URLTemplate: "/items/{id}",
					Responses: []model.Response{{StatusCode: 200, Description: "OK"}}, ImportedFrom: "swagger 2.0 json"}})
			api := def.API
			api.Path = "lib"
			api.Normalize()
			out, err := Export(api, ops, ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var probe struct {
				Swagger string `json:"swagger"`
				Host    string `json:"host"`
			}
			if err := json.Unmarshal(out, &probe); err != nil || probe.Swagger != "2.0" || probe.Host != "" {
				t.Fatalf("not Swagger 2.0 without a host (%v):\n%s", err, out)
			}
			again, err := Import(out, ImportOptions{})
			if err != nil {
				t.Fatalf("import the export: %v\n%s", err, out)
			}
			if !sameJSON(byID(again.Operations), byID(ops)) {
				a, _ := json.Marshal(ops)
				b, _ := json.Marshal(again.Operations)
				t.Errorf("operations after the round trip:\n%s\nwant\n%s", b, a)
			}
		})
	}
}

func byID(ops []Operation) map[string]model.Operation {
	m := map[string]model.Operation{}
	for _, op := range ops {
		m[op.ID] = op.Properties
	}
	return m
}

func pathMethods(doc *openapi3.T) []string {
	var out []string
	for p, item := range doc.Paths.Map() {
		for m, op := range item.Operations() {
			out = append(out, m+" "+p+" "+op.OperationID)
		}
	}
	slices.Sort(out)
	return out
}

func genericSchemas(t *testing.T, doc []byte) any {
	t.Helper()
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Components struct {
			Schemas any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatal(err)
	}
	return v.Components.Schemas
}

func TestExportVersions(t *testing.T) {
	ops := []Operation{{ID: "get-a", Properties: model.Operation{Method: "GET", URLTemplate: "/a", DisplayName: "A"}}}
	tests := []struct {
		from, want string
	}{
		{from: "", want: "3.1.0"},
		{from: "openapi 3.0.1 yaml", want: "3.0.1"},
		{from: "openapi 3.1.1 json", want: "3.1.1"},
		{from: "something else", want: "3.1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.want+" from "+tt.from, func(t *testing.T) {
			t.Parallel()
			o := slices.Clone(ops)
			o[0].Properties.ImportedFrom = tt.from
			api := model.API{DisplayName: "A", Path: "a"}
			api.Normalize()
			out, err := Export(api, o, ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			doc, err := openapi3.NewLoader().LoadFromData(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := doc.Validate(context.Background()); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if doc.OpenAPI != tt.want {
				t.Errorf("openapi %q, want %q", doc.OpenAPI, tt.want)
			}
		})
	}
}
