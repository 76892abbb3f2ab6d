package apiops

import (
	"os"
	"testing"
)

// TestReadSOAPAndGraphQLFolders reads API folders as the APIOps extractor
// writes them for a pass-through SOAP API and a GraphQL API.
func TestReadSOAPAndGraphQLFolders(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../wsdl/testdata/orders.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	dir := writeFolder(t, map[string]string{
		"apis/orders/apiInformation.json":  `{"properties": {"path": "orders", "type": "soap", "apiType": "soap", "subscriptionRequired": false}}`,
		"apis/orders/specification.wsdl":   string(src),
		"apis/gql/apiInformation.json":     `{"properties": {"displayName": "GQL", "path": "gql", "type": "graphql", "serviceUrl": "https://gql.example.com/graphql"}}`,
		"apis/gql/specification.graphql":   "type Query { a: Int }",
		"apis/chat/apiInformation.json":    `{"properties": {"path": "chat", "type": "websocket", "serviceUrl": "wss://chat.example.com"}}`,
		"apis/plain/apiInformation.json":   `{"properties": {"path": "plain", "serviceUrl": "https://plain.example.com"}}`,
		"apis/plain/specification.graphql": "type Query { a: Int }",
	})
	cfg, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]API{}
	for _, a := range cfg.APIs {
		got[a.Name] = a
	}
	if o := got["orders"]; o.SpecFormat != "wsdl" || string(o.Spec) != string(src) || len(o.Operations) != 2 || o.SpecFile != "apis/orders/specification.wsdl" {
		t.Errorf("orders: format %q, %d operations, file %q", o.SpecFormat, len(o.Operations), o.SpecFile)
	}
	if g := got["gql"]; g.SpecFormat != "graphql" || string(g.Spec) != "type Query { a: Int }" || len(g.Operations) != 2 {
		t.Errorf("gql: format %q, spec %q, %d operations", g.SpecFormat, g.Spec, len(g.Operations))
	}
	if _, ok := got["chat"]; ok {
		t.Error("the websocket API was read; want it skipped")
	}
	skipped := map[string]bool{}
	for _, u := range cfg.Unsupported {
		skipped[u.File] = true
	}
	if !skipped["apis/chat/apiInformation.json"] || !skipped["apis/plain/specification.graphql"] {
		t.Errorf("unsupported = %+v; want the websocket API and the http API's GraphQL schema listed", cfg.Unsupported)
	}
}
