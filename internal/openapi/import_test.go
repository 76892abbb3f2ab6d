package openapi

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustImport(t *testing.T, file string) *Definition {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	def, err := Import(data, ImportOptions{})
	if err != nil {
		t.Fatalf("Import(%s): %v", file, err)
	}
	return def
}

func TestImportDocuments(t *testing.T) {
	petstore := []string{"listPets GET /pets", "createPets POST /pets", "showPetById GET /pets/{petId}"}
	tests := []struct {
		file       string
		title      string
		serviceURL string
		ops        []string // "id METHOD template", in order
		warnings   int
	}{
		{file: "petstore-v2.json", title: "Swagger Petstore", serviceURL: "http://petstore.swagger.io/v1", ops: petstore, warnings: 3},
		{file: "petstore-v3.0.yaml", title: "Swagger Petstore", serviceURL: "http://petstore.swagger.io/v1", ops: petstore, warnings: 3},
		{file: "petstore-v3.1.yaml", title: "Swagger Petstore", serviceURL: "https://petstore.swagger.io/v1", ops: petstore, warnings: 3},
		{file: "library-v3.0.yaml", title: "Library", serviceURL: "https://library.example.com/api/v2", ops: []string{
			"listAuthors GET /authors", "authorsOptions OPTIONS /authors",
			"list-books GET /books", "list-books-2 POST /books",
			"getBook GET /books/{isbn}", "replaceBook PUT /books/{isbn}", "deleteBook DELETE /books/{isbn}",
			"head-books-isbn HEAD /books/{isbn}", "updateBook PATCH /books/{isbn}",
			"get-books-isbn-loans-loanId GET /books/{isbn}/loans/{loanId}",
			"listCategories GET /categories", "yearReport GET /reports/{year}.json",
		}, warnings: 2},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			def := mustImport(t, tt.file)
			if def.API.DisplayName != tt.title || def.API.ServiceURL != tt.serviceURL {
				t.Errorf("API = %q at %q; want %q at %q", def.API.DisplayName, def.API.ServiceURL, tt.title, tt.serviceURL)
			}
			var got []string
			for _, op := range def.Operations {
				got = append(got, op.ID+" "+op.Properties.Method+" "+op.Properties.URLTemplate)
			}
			if strings.Join(got, "\n") != strings.Join(tt.ops, "\n") {
				t.Errorf("operations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.ops, "\n"))
			}
			if len(def.Warnings) != tt.warnings {
				t.Errorf("warnings %q, want %d", def.Warnings, tt.warnings)
			}
		})
	}
}

func TestImportKeepsDescriptions(t *testing.T) {
	t.Parallel()
	def := mustImport(t, "library-v3.0.yaml")
	ops := map[string]Operation{}
	for _, op := range def.Operations {
		ops[op.ID] = op
	}
	list := ops["list-books"].Properties
	if list.Request == nil || len(list.Request.QueryParameters) != 3 || len(list.Request.Headers) != 1 {
		t.Fatalf("list-books request = %+v; want 3 query parameters ($top, $skip, genre) and 1 header", list.Request)
	}
	genre := list.Request.QueryParameters[2]
	if genre.Name != "genre" || genre.DefaultValue != "fiction" || strings.Join(genre.Values, ",") != "fiction,poetry,science" {
		t.Errorf("genre = %+v", genre)
	}
	if ex := list.Responses[0].Representations[0].Examples["twoBooks"]; ex.Summary != "Two books" || !strings.Contains(string(ex.Value), "Pride and Prejudice") {
		t.Errorf("the twoBooks example ($ref to components/examples) = %+v", ex)
	}
	get := ops["getBook"].Properties
	if len(get.TemplateParameters) != 1 || get.TemplateParameters[0].Name != "isbn" || !get.TemplateParameters[0].Required ||
		get.TemplateParameters[0].Description != "ISBN-13 without dashes" {
		t.Errorf("getBook template parameters (from the path item) = %+v", get.TemplateParameters)
	}
	if len(get.Responses) != 2 || len(get.Responses[0].Representations) != 2 || get.Responses[0].Representations[0].TypeName != "Book" {
		t.Errorf("getBook responses = %+v; want 200 (json and xml, type Book) and 404", get.Responses)
	}
	if ex := get.Responses[0].Representations[0].Examples["default"]; !strings.Contains(string(ex.Value), "Odyssey") {
		t.Errorf("the single example became %+v; want it as \"default\"", ex)
	}
	post := ops["list-books-2"].Properties
	if post.Request == nil || post.Request.Description != "A book" || post.Request.Representations[0].Examples["odyssey"].Summary != "The Odyssey" {
		t.Errorf("the request body by $ref = %+v", post.Request)
	}
	if h := post.Responses[0].Headers; len(h) != 1 || h[0].Name != "Location" || !h[0].Required {
		t.Errorf("201 headers = %+v", h)
	}
	// The recursive Category schema is kept once, under $defs, referring
	// to itself.
	var schema struct {
		Items map[string]string `json:"items"`
		Defs  map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	raw := ops["listCategories"].Properties.Responses[0].Representations[0].Schema
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	if schema.Items["$ref"] != "#/$defs/Category" || !strings.Contains(string(schema.Defs["Category"].Properties["parent"]), `"#/$defs/Category"`) {
		t.Errorf("recursive schema = %s", raw)
	}
}

func TestImportSwaggerBodyParameter(t *testing.T) {
	t.Parallel()
	def := mustImport(t, "petstore-v2.json")
	create := def.Operations[1].Properties
	if create.Request == nil || len(create.Request.Representations) != 1 || create.Request.Representations[0].ContentType != "application/json" ||
		create.Request.Representations[0].TypeName != "Pet" {
		t.Fatalf("the body parameter became %+v", create.Request)
	}
	list := def.Operations[0].Properties
	if list.Request == nil || list.Request.QueryParameters[0].Name != "limit" || list.Request.QueryParameters[0].Type != "integer" {
		t.Errorf("limit = %+v", list.Request)
	}
	if h := list.Responses[0].Headers; len(h) != 1 || h[0].Name != "x-next" {
		t.Errorf("response headers = %+v", h)
	}
}

func TestImportInvalidDocuments(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string // substrings of the error
	}{
		{name: "not yaml", doc: "openapi: [3.0", want: []string{"yaml"}},
		{name: "no version", doc: `{"info": {"title": "x"}, "paths": {}}`, want: []string{`neither an "openapi" nor a "swagger"`}},
		{name: "old swagger", doc: `{"swagger": "1.2", "paths": {}}`, want: []string{"swagger: version 1.2"}},
		{name: "openapi 4", doc: `{"openapi": "4.0.0"}`, want: []string{"openapi: version 4.0.0"}},
		{name: "no paths", doc: "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n", want: []string{"paths: the document has no operations"}},
		{name: "missing info", doc: "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n", want: []string{"info"}},
		{name: "dangling ref", doc: "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Nope'}\n",
			want: []string{`paths./a.get.responses.200.content.application/json.schema: $ref "#/components/schemas/Nope" points at nothing`}},
		{name: "dangling ref in swagger", doc: `{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"post": {"parameters": [{"in": "body", "name": "b", "schema": {"$ref": "#/definitions/Gone"}}], "responses": {"200": {"description": "ok"}}}}}}`,
			want: []string{`paths./a.post.parameters.[0].schema: $ref "#/definitions/Gone"`}},
		{name: "external ref", doc: "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'other.yaml#/Pet'}\n",
			want: []string{"other.yaml"}},
		{name: "undeclared path parameter", doc: "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses: {'200': {description: ok}}\n",
			want: []string{"/a/{id}", "id"}},
		{name: "duplicate operationId", doc: "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: x\n      responses: {'200': {description: ok}}\n  /b:\n    get:\n      operationId: x\n      responses: {'200': {description: ok}}\n",
			want: []string{"x"}},
		{name: "template the gateway cannot route", doc: "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  a:\n    get:\n      responses: {'200': {description: ok}}\n",
			want: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Import([]byte(tt.doc), ImportOptions{})
			if err == nil {
				t.Fatal("Import accepted the document")
			}
			t.Log(err)
			if !errors.Is(err, ErrInvalidDocument) {
				t.Errorf("error %v does not wrap ErrInvalidDocument", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestImportRelativeServer(t *testing.T) {
	t.Parallel()
	doc := "openapi: 3.0.0\ninfo: {title: t, version: '1'}\nservers: [{url: /api}]\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n"
	def, err := Import([]byte(doc), ImportOptions{BaseURL: "https://svc.example.com/docs/openapi.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if def.API.ServiceURL != "https://svc.example.com/api" {
		t.Errorf("serviceUrl %q", def.API.ServiceURL)
	}
	def, err = Import([]byte(doc), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if def.API.ServiceURL != "" || len(def.Warnings) != 1 || !strings.Contains(def.Warnings[0], "servers[0].url") {
		t.Errorf("serviceUrl %q, warnings %q", def.API.ServiceURL, def.Warnings)
	}
}
