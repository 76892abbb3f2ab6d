package openapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// wantWarnings fails unless every want is a substring of one warning.
func wantWarnings(t *testing.T, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
			t.Errorf("no warning mentions %q; warnings:\n%s", w, strings.Join(got, "\n"))
		}
	}
}

// TestImportAcceptsWhatAPIMAccepts imports a 3.1 document with 3.0-style
// exclusive bounds, a format as a type and an undeclared server variable:
// each is read as APIM reads it, with a warning naming its JSON pointer.
func TestImportAcceptsWhatAPIMAccepts(t *testing.T) {
	t.Parallel()
	def := mustImport(t, "lenient-v3.1.yaml")
	wantWarnings(t, def.Lenient,
		`/paths/~1items/get/parameters/0/schema/exclusiveMinimum: a boolean is OpenAPI 3.0 style; read as exclusiveMinimum: 0`,
		`/paths/~1items/get/parameters/0/schema/exclusiveMaximum: a boolean is OpenAPI 3.0 style; false ignored`,
		`/components/schemas/Item/properties/data/type: "byte" is a format, not a type; read as type "string", format "byte"`,
		`/servers/0/url: "https://{endpoint}/lenient" uses undeclared variables endpoint`,
	)
	if len(def.Lenient) != 4 || len(def.Warnings) != 0 {
		t.Errorf("lenient %q, warnings %q; want 4 and none (a property named \"type\" is not a type)", def.Lenient, def.Warnings)
	}
	if def.API.ServiceURL != "" {
		t.Errorf("service URL %q from a server with an undeclared variable", def.API.ServiceURL)
	}
	if len(def.Operations) != 1 {
		t.Fatalf("%d operations", len(def.Operations))
	}
	op := def.Operations[0].Properties
	var top map[string]any
	if err := json.Unmarshal(op.Request.QueryParameters[0].Schema, &top); err != nil {
		t.Fatal(err)
	}
	if top["exclusiveMinimum"] != 0.0 || top["minimum"] != nil || top["maximum"] != 100.0 || top["exclusiveMaximum"] != nil {
		t.Errorf("top's schema = %v; want exclusiveMinimum 0, maximum 100", top)
	}
	if s := string(op.Responses[0].Representations[0].Schema); !strings.Contains(s, `"data":{"format":"byte","type":"string"}`) {
		t.Errorf("Item = %s; want data as a string of format byte", s)
	}
}

func TestImportFormatsAsTypes(t *testing.T) {
	tests := []struct{ typ, format, want string }{
		{typ: "int64", want: `{"format":"int64","type":"integer"}`},
		{typ: "double", want: `{"format":"double","type":"number"}`},
		{typ: "date-time", want: `{"format":"date-time","type":"string"}`},
		{typ: "byte", format: "base64", want: `{"format":"base64","type":"string"}`},
		{typ: "file", want: `{"format":"binary","type":"string"}`},
		{typ: "widget", want: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			t.Parallel()
			format := ""
			if tt.format != "" {
				format = ", format: " + tt.format
			}
			doc := "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      requestBody: {content: {application/json: {schema: {type: " +
				tt.typ + format + "}}}}\n      responses: {'200': {description: ok}, default: {description: error, content: {application/json: {schema: {type: int32}}}}}\n"
			def, err := Import([]byte(doc), ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(def.Operations[0].Properties.Request.Representations[0].Schema); got != tt.want {
				t.Errorf("schema %s, want %s", got, tt.want)
			}
			wantWarnings(t, def.Lenient, "/paths/~1a/post/requestBody/content/application~1json/schema/type: ",
				`/paths/~1a/post/responses/default/content/application~1json/schema/type: "int32" is a format`)
		})
	}
}

// TestImportBooleanBoundsIn30 leaves 3.0's boolean exclusive bounds
// alone: they are right there.
func TestImportBooleanBoundsIn30(t *testing.T) {
	t.Parallel()
	doc := "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters: [{name: num, in: query, schema: {type: number, minimum: 1, exclusiveMinimum: true}}]\n      responses: {'200': {description: ok}}\n"
	def, err := Import([]byte(doc), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(def.Warnings)+len(def.Lenient) != 0 {
		t.Errorf("warnings %q %q", def.Warnings, def.Lenient)
	}
	if s := string(def.Operations[0].Properties.Request.QueryParameters[0].Schema); !strings.Contains(s, `"exclusiveMinimum":true`) {
		t.Errorf("schema %s", s)
	}
}

// TestImportSwaggerDanglingExamples ignores AutoRest's x-ms-examples whose
// $refs point at nothing (a file not published with the document, a
// missing definition), with a warning each.
func TestImportSwaggerDanglingExamples(t *testing.T) {
	t.Parallel()
	def := mustImport(t, "xms-examples-v2.json")
	if len(def.Operations) != 2 || def.API.ServiceURL != "https://widgets.example.com" {
		t.Errorf("operations %d, service URL %q", len(def.Operations), def.API.ServiceURL)
	}
	wantWarnings(t, def.Warnings,
		`/paths/~1widgets~1{name}/get/x-ms-examples: $ref "./examples/Widgets_Get.json" points at nothing; x-ms-examples ignored`,
		`/paths/~1widgets~1{name}/delete/x-ms-examples: $ref "#/x-examples/missing" points at nothing`,
	)
}

// TestImportWebhooksOnly imports a 3.1 document that has webhooks and no
// paths: no operations, said in a warning.
func TestImportWebhooksOnly(t *testing.T) {
	t.Parallel()
	def := mustImport(t, "webhooks-v3.1.yaml")
	if len(def.Operations) != 0 || def.API.DisplayName != "Pet events" {
		t.Errorf("operations %d, title %q", len(def.Operations), def.API.DisplayName)
	}
	wantWarnings(t, def.Warnings, "/webhooks: the document describes only webhooks (1), which are not imported: the API has 0 operations")
}
