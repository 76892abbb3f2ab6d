package apiops

import (
	"strings"
	"testing"
)

// TestReadAPISchemas reads an API's schemas as the APIOps extractor
// writes them (apiSchemaInformation.json, or the older
// schemaInformation.json), beside files the specification's $refs name
// under schemas/, and refuses an invalid one naming its file.
func TestReadAPISchemas(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{
		"apis/pets/apiInformation.json": `{"properties": {"displayName": "Pets", "path": "pets", "serviceUrl": "http://pets.internal"}}`,
		"apis/pets/specification.yaml":  strings.Replace(specWithRefs, "%s", "schemas/pet.yaml#/Pet", 1),
		"apis/pets/schemas/pet.yaml":    "Pet: {type: object, properties: {name: {type: string}}}\n",
		"apis/pets/schemas/b-components/apiSchemaInformation.json": `{"properties": {"contentType": "application/vnd.oai.openapi.components+json",
			"document": {"components": {"schemas": {"Pet": {"type": "object", "required": ["name"]}}}}}}`,
		"apis/pets/schemas/a-xsd/schemaInformation.json": `{"name": "a-xsd", "properties": {"contentType": "application/vnd.ms-azure-apim.xsd+xml",
			"document": {"value": "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"/>"}}}`,
	})
	cfg, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Unsupported) != 0 {
		t.Errorf("unsupported: %v", cfg.Unsupported)
	}
	got := cfg.APISchemas["pets"]
	if len(got) != 2 || got[0].Name != "a-xsd" || got[1].Name != "b-components" {
		t.Fatalf("schemas %+v", got)
	}
	if want := `{"contentType":"application/vnd.oai.openapi.components+json","document":{"components":{"schemas":{"Pet":{"required":["name"],"type":"object"}}}}}`; string(got[1].Properties) != want {
		t.Errorf("canonical properties\n got %s\nwant %s", got[1].Properties, want)
	}

	bad := writeFolder(t, map[string]string{
		"apis/pets/apiInformation.json":                     `{"properties": {"displayName": "Pets", "path": "pets"}}`,
		"apis/pets/schemas/x/apiSchemaInformation.json":     `{"properties": {"contentType": "application/vnd.ms-azure-apim.xsd+xml", "document": {"components": {}}}}`,
		"apis/pets/schemas/nothing/readme.txt":              "no information file",
		"apis/pets/schemas/y/apiSchemaInformation.json":     `{"properties": {"contentType": "text/plain", "document": {"value": "x"}}}`,
		"apis/pets/schemas/z/apiSchemaInformation.json":     `{"properties": {"contentType": "application/json", "document": {"value": "[1]"}}}`,
		"apis/pets/schemas/ok/apiSchemaInformation.json":    `{"properties": {"contentType": "application/json", "document": {"value": "{\"type\": \"object\"}"}}}`,
		"apis/pets/schemas/extra/apiSchemaInformation.json": `{"properties": {"contentType": "application/json", "document": {"value": "true"}, "schemaType": "json"}}`,
	})
	_, err = Read(bad, ReadOptions{LookupEnv: env(nil)})
	for _, want := range []string{
		"apis/pets/schemas/x/apiSchemaInformation.json: invalid resource: properties.document.components",
		"apis/pets/schemas/nothing: an API schema folder needs apiSchemaInformation.json",
		"apis/pets/schemas/y/apiSchemaInformation.json: invalid resource: properties.contentType",
		"apis/pets/schemas/z/apiSchemaInformation.json: invalid resource: properties.document.value",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "schemas/ok") {
		t.Errorf("a valid schema is refused: %v", err)
	}
}
