package mgmt

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// putJSON returns a PUT body of an API's properties.
func putJSON(t *testing.T, props map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"properties": props})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestImportWSDLMakesSOAPOperations(t *testing.T) {
	a := newTestAPI(t)
	src, err := os.ReadFile("testdata/orders.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	r := a.must("PUT", "/apis/orders", putJSON(t, map[string]any{"path": "orders", "apiType": "soap", "format": "wsdl", "value": string(src)}))
	props := r.body["properties"].(map[string]any)
	if props["type"] != "soap" || props["serviceUrl"] != "http://orders.example.com/soap" || props["displayName"] != "OrdersService" {
		t.Errorf("API = %v; want type soap, the port's address and the service's name", props)
	}
	if props["definition"] != string(src) || props["apiType"] != nil || props["format"] != nil {
		t.Errorf("API keeps definition %t, apiType %v, format %v; want the WSDL kept, the write-only fields gone", props["definition"] == string(src), props["apiType"], props["format"])
	}
	for id, action := range map[string]string{"GetOrder": "http://example.com/orders/GetOrder", "PlaceOrder": "http://example.com/orders/PlaceOrder"} {
		op := a.must("GET", "/apis/orders/operations/"+id, "").body["properties"].(map[string]any)
		if op["method"] != "POST" || op["urlTemplate"] != "/?soapAction="+action || op["displayName"] != id {
			t.Errorf("operation %s = %v; want POST /?soapAction=%s", id, op, action)
		}
	}
	// A PUT without an import keeps the WSDL and the operations.
	r = a.must("PUT", "/apis/orders", putJSON(t, map[string]any{"path": "orders", "type": "soap", "serviceUrl": "http://orders.example.com/soap", "definition": "ignored"}))
	if r.body["properties"].(map[string]any)["definition"] != string(src) {
		t.Errorf("a PUT without an import changed the kept WSDL")
	}
	// A revision starts as a copy: a SOAP API with the same WSDL.
	rev := a.must("PUT", "/apis/orders;rev=2", `{"properties": {}}`).body["properties"].(map[string]any)
	if rev["type"] != "soap" || rev["definition"] != string(src) {
		t.Errorf("revision 2: type %v, definition kept %t; want soap with the WSDL", rev["type"], rev["definition"] == string(src))
	}
	// Another action on the same path is a new operation of a SOAP API.
	a.must("PUT", "/apis/orders/operations/cancel", `{"properties": {"method": "POST", "urlTemplate": "/?soapAction=urn:Cancel"}}`)
	r = a.do("PUT", "/apis/orders/operations/cancel2", `{"properties": {"method": "POST", "urlTemplate": "/?soapAction=urn:Cancel"}}`)
	if r.status != http.StatusConflict {
		t.Errorf("a second operation with the same action: %d %s; want 409", r.status, r.raw)
	}
}

func TestImportGraphQLKeepsSchema(t *testing.T) {
	a := newTestAPI(t)
	const schema = "type Query {\n  order(id: ID!): Order\n}\n\ntype Order {\n  id: ID!\n}\n"
	r := a.must("PUT", "/apis/gql", putJSON(t, map[string]any{"path": "gql", "type": "graphql", "serviceUrl": "http://gql.example.com/graphql", "format": "graphql", "value": schema}))
	if p := r.body["properties"].(map[string]any); p["type"] != "graphql" || p["definition"] != schema {
		t.Errorf("API = %v; want type graphql with the schema kept", p)
	}
	for id, method := range map[string]string{"graphql": "POST", "graphql-get": "GET"} {
		op := a.must("GET", "/apis/gql/operations/"+id, "").body["properties"].(map[string]any)
		if op["method"] != method || op["urlTemplate"] != "/" {
			t.Errorf("operation %s = %v; want %s /", id, op, method)
		}
	}
}

func TestGraphQLAPIWithoutSchema(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/apis/gql", `{"properties": {"path": "gql", "type": "graphql", "serviceUrl": "https://gql.example.com/graphql"}}`)
	ops := a.must("GET", "/apis/gql/operations", "").body["value"].([]any)
	if len(ops) != 2 {
		t.Fatalf("a new GraphQL API has %d operations; want graphql and graphql-get", len(ops))
	}
	// Replacing it keeps them; importing a schema later keeps their ids.
	a.must("PUT", "/apis/gql", `{"properties": {"path": "gql", "type": "graphql", "serviceUrl": "https://gql.example.com/graphql", "format": "graphql", "value": "type Query { a: Int }"}}`)
	for _, id := range []string{"graphql", "graphql-get"} {
		a.must("GET", "/apis/gql/operations/"+id, "")
	}
}

func TestSOAPAndGraphQLRefusals(t *testing.T) {
	a := newTestAPI(t)
	wsdl, err := os.ReadFile("testdata/orders.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		props       map[string]any
		target      string
		unsupported bool
	}{
		{"websocket", map[string]any{"path": "ws", "type": "websocket"}, "properties.type", true},
		{"odata", map[string]any{"path": "od", "type": "odata"}, "properties.type", true},
		{"unknown type", map[string]any{"path": "x", "type": "mqtt"}, "properties.type", false},
		{"SOAP-to-REST", map[string]any{"path": "s2r", "format": "wsdl", "value": string(wsdl)}, "properties.type", true},
		{"apiType disagrees", map[string]any{"path": "s", "type": "graphql", "apiType": "soap"}, "properties.apiType", false},
		{"graphql schema for a SOAP API", map[string]any{"path": "s", "type": "soap", "format": "graphql", "value": "type Query { a: Int }"}, "properties.format", false},
		{"openapi for a GraphQL API", map[string]any{"path": "g", "type": "graphql", "format": "openapi", "value": "openapi: 3.0.1"}, "properties.format", false},
		{"not a WSDL", map[string]any{"path": "s", "type": "soap", "format": "wsdl", "value": `{"openapi": "3.0.1"}`}, "properties.value", false},
		{"empty schema", map[string]any{"path": "g", "type": "graphql", "format": "graphql", "value": " "}, "properties.value", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := a.version()
			r := a.do("PUT", "/apis/refused", putJSON(t, tt.props))
			code, target, msg := errorOf(t, r)
			if r.status != http.StatusBadRequest || code != "ValidationError" || target != tt.target {
				t.Errorf("%d %s %s %q; want 400 naming %s", r.status, code, target, msg, tt.target)
			}
			if tt.unsupported && !strings.Contains(msg, "is not supported yet") {
				t.Errorf("message %q does not say it is not supported yet", msg)
			}
			if a.version() != v {
				t.Error("the refused request changed the configuration")
			}
		})
	}
}
