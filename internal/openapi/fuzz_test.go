package openapi

import (
	"errors"
	"testing"
	"testing/fstest"
)

// FuzzImport feeds arbitrary documents to Import: it must not panic, and
// it returns either a definition whose operations are valid (and whose
// bundled document, if any, imports on its own) or an error wrapping
// ErrInvalidDocument.
func FuzzImport(f *testing.F) {
	// Seeds are small documents: with the multi-kilobyte files of testdata
	// as seeds, Go's coverage-guided engine spends its time snapshotting
	// coverage rather than running inputs (TestImportDocuments covers them).
	f.Add([]byte(`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/a/{b}":{"get":{"parameters":[{"name":"b","in":"path","required":true}],"responses":{"200":{"description":"ok"}}}}}}`))
	f.Add([]byte(`{"swagger":"2.0","info":{"title":"t","version":"1"},"paths":{"/x":{"post":{"parameters":[{"in":"body","name":"b","schema":{"$ref":"#/definitions/A"}}],"responses":{"200":{"description":"ok"}}}}},"definitions":{"A":{"$ref":"#/definitions/A"}}}`))
	f.Add([]byte("swagger: '2.0'\ninfo: {title: t, version: '1'}\nhost: h.example.com\npaths:\n  /p/{id}:\n    get:\n      parameters: [{name: id, in: path, required: true, type: string}, {name: q, in: query, type: integer, enum: [1, 2]}]\n      responses: {'200': {description: ok, schema: {$ref: '#/definitions/P'}}}\ndefinitions:\n  P: {type: object, properties: {next: {$ref: '#/definitions/P'}}}\n"))
	f.Add([]byte("openapi: 3.0.0\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://{h}.example.com', variables: {h: {default: api}}}]\npaths:\n  /r/{y}.json:\n    parameters: [{name: y, in: path, required: true, schema: {type: integer}}]\n    post:\n      requestBody: {content: {application/json: {schema: {type: object}, examples: {a: {value: {x: 1}}}}}}\n      responses: {default: {description: d}, '201': {description: c, headers: {Location: {schema: {type: string}}}}}\n"))
	// What APIM accepts although the specification does not (lenient.go).
	f.Add([]byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://{endpoint}/x'}]\npaths:\n  /a:\n    get:\n      parameters: [{name: q, in: query, schema: {type: integer, minimum: 1, exclusiveMinimum: true, exclusiveMaximum: false}}]\n      responses: {'200': {description: ok, content: {application/json: {schema: {type: object, properties: {d: {type: byte}, e: {type: widget}}}}}}}\n"))
	f.Add([]byte(`{"swagger":"2.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"x-ms-examples":{"e":{"$ref":"./examples/a.json"},"f":{"$ref":"#/nope"}},"responses":{"200":{"description":"ok"}}}}}}`))
	f.Add([]byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  ping:\n    post:\n      responses: {'200': {description: ok}}\n"))
	f.Add([]byte("openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: 'schemas/a.yaml#/A'}}}}}\n"))
	f.Add([]byte("openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '../up.yaml#/A'}}}}}\n"))
	f.Add([]byte("openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: 'https://example.com/s.yaml#/A'}}}}}\n"))
	// The files next to the fuzzed document: $refs may name them.
	files := fstest.MapFS{
		"schemas/a.yaml": {Data: []byte("A: {type: object, properties: {b: {$ref: 'b.yaml#/B'}}}\n")},
		"schemas/b.yaml": {Data: []byte("B: {type: string, nullable: true}\n")},
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		def, err := Import(doc, ImportOptions{Files: files})
		if err != nil {
			if !errors.Is(err, ErrInvalidDocument) {
				t.Fatalf("error %v does not wrap ErrInvalidDocument", err)
			}
			return
		}
		for _, op := range def.Operations {
			if verr := op.Properties.Validate(); verr != nil {
				t.Fatalf("operation %s is invalid: %v", op.ID, verr)
			}
		}
		if def.Document != nil {
			// What a management plane gets instead stands alone.
			if _, err := Import(def.Document, ImportOptions{}); err != nil {
				t.Fatalf("the bundled document does not import: %v\n%s", err, def.Document)
			}
		}
	})
}
