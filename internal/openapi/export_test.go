package openapi

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gatehouse/gatehouse/internal/model"
)

// exported exports the API imported from file at path "lib" and loads the
// result with kin-openapi, failing on an invalid document.
func exported(t *testing.T, file string) (*Definition, []byte, *openapi3.T) {
	t.Helper()
	def := mustImport(t, file)
	api := def.API
	api.Path = "lib"
	api.Normalize()
	opts := ExportOptions{GatewayURL: "https://gw.example.com/"}
	if def.Source.Version == "2.0" {
		// As OpenAPI, for kin-openapi to check (TestExportKeepsSwagger
		// covers the Swagger 2.0 export).
		opts.Source = Source{Version: "3.0.3"}
	}
	out, err := Export(api, def.Operations, opts)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(out)
	if err != nil {
		t.Fatalf("load the exported document: %v\n%s", err, out)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the exported document is invalid: %v\n%s", err, out)
	}
	return def, out, doc
}

func TestExportIsValidOpenAPI(t *testing.T) {
	for _, file := range []string{"petstore-v2.json", "petstore-v3.0.yaml", "petstore-v3.1.yaml", "library-v3.0.yaml"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			def, _, doc := exported(t, file)
			if want := def.Source.exportVersion(); doc.OpenAPI != want || doc.Servers[0].URL != "https://gw.example.com/lib" {
				t.Errorf("openapi %q, server %q; want %q", doc.OpenAPI, doc.Servers[0].URL, want)
			}
			header := doc.Components.SecuritySchemes["apiKeyHeader"]
			if header == nil || header.Value.Name != model.DefaultKeyHeader || header.Value.In != "header" {
				t.Errorf("security scheme apiKeyHeader = %+v", header)
			}
			if doc.Security == nil || len(doc.Security) != 2 {
				t.Errorf("security = %v; want the header or the query key", doc.Security)
			}
			n := 0
			for _, item := range doc.Paths.Map() {
				n += len(item.Operations())
			}
			if n != len(def.Operations) {
				t.Errorf("exported %d operations, imported %d", n, len(def.Operations))
			}
		})
	}
}

// TestExportImportRoundTrip imports a document, exports the result and
// imports that again: the operations are the same.
func TestExportImportRoundTrip(t *testing.T) {
	for _, file := range []string{"petstore-v2.json", "petstore-v3.1.yaml", "library-v3.0.yaml"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			def, out, _ := exported(t, file)
			again, err := Import(out, ImportOptions{})
			if err != nil {
				t.Fatalf("import the export: %v", err)
			}
			if len(again.Operations) != len(def.Operations) {
				t.Fatalf("%d operations after the round trip, want %d", len(again.Operations), len(def.Operations))
			}
			byID := map[string]Operation{}
			for _, op := range again.Operations {
				byID[op.ID] = op
			}
			for _, op := range def.Operations {
				got, ok := byID[op.ID]
				if !ok {
					t.Errorf("operation %s is lost", op.ID)
					continue
				}
				// The JSON export of a YAML (or Swagger) document is
				// another kind of document; the rest is the same.
				op.Properties.ImportedFrom, got.Properties.ImportedFrom = "", ""
				a, _ := json.Marshal(op.Properties)
				b, _ := json.Marshal(got.Properties)
				if string(a) != string(b) {
					t.Errorf("operation %s changed:\n%s\n%s", op.ID, a, b)
				}
			}
		})
	}
}

// TestExportKeepsWhatOpenAPICannotSay exports operations that OpenAPI
// cannot express (any method, catch-all templates) and hand-made ones with
// undescribed template parameters: the document is valid, and imports
// back to the same operations.
func TestExportKeepsWhatOpenAPICannotSay(t *testing.T) {
	t.Parallel()
	api := model.API{DisplayName: "Files", Path: "files", SubscriptionRequired: new(bool)}
	api.Normalize()
	ops := []Operation{
		{ID: "get-file", Properties: model.Operation{DisplayName: "Get", Method: "GET", URLTemplate: "/{*path}"}},
		{ID: "put-any", Properties: model.Operation{DisplayName: "Put", Method: "PUT", URLTemplate: "/raw/*"}},
		{ID: "anything", Properties: model.Operation{DisplayName: "Any", Method: "*", URLTemplate: "/x"}},
		{ID: "get-item", Properties: model.Operation{DisplayName: "GET /items/{id}", Method: "GET", URLTemplate: "/items/{id}"}},
		{ID: "get-report", Properties: model.Operation{DisplayName: "Report", Method: "GET", URLTemplate: "/reports/{year}.json",
			TemplateParameters: []model.TemplateParameter{{Name: "year", Type: "integer", Required: true, Values: []string{"2025", "2026"}}}}},
	}
	out, err := Export(api, ops, ExportOptions{GatewayURL: "https://gw.example.com"})
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
	if doc.Security != nil || (doc.Components != nil && doc.Components.SecuritySchemes != nil) {
		t.Errorf("an API without subscription keys has security %v", doc.Security)
	}
	if got := doc.Paths.Len(); got != 2 {
		t.Errorf("%d paths, want /items/{id} and /reports/{year}.json", got)
	}
	def, err := Import(out, ImportOptions{})
	if err != nil {
		t.Fatalf("import the export: %v\n%s", err, out)
	}
	got := map[string]model.Operation{}
	for _, op := range def.Operations {
		if op.Properties.ImportedFrom != "openapi 3.1.0 json" {
			t.Errorf("operation %s imported from %q", op.ID, op.Properties.ImportedFrom)
		}
		op.Properties.ImportedFrom = ""
		got[op.ID] = op.Properties
	}
	for _, op := range ops {
		op.Properties.Normalize()
		if !sameJSON(got[op.ID], op.Properties) {
			a, _ := json.Marshal(op.Properties)
			b, _ := json.Marshal(got[op.ID])
			t.Errorf("operation %s:\n got %s\nwant %s", op.ID, b, a)
		}
	}
}
