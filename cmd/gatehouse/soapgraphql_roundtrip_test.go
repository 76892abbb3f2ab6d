package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExportApplyRoundTripSOAPAndGraphQL exports a SOAP and a GraphQL
// API, with an operation policy, into an APIOps folder, applies it to a
// second instance and exports again: the folders are the same, the second
// instance serves the APIs, and a second apply changes nothing.
func TestExportApplyRoundTripSOAPAndGraphQL(t *testing.T) {
	backend := newEchoBodyBackend(t)
	a := startServe(t, t.TempDir(), "")
	src, err := os.ReadFile("../../internal/wsdl/testdata/orders.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	const schema = "type Query {\n  order(id: ID!): String\n}\n"
	put := func(path string, props map[string]any) {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"properties": props})
		a.must("PUT", path, string(b))
	}
	put("/apis/orders", map[string]any{"path": "orders", "type": "soap", "format": "wsdl", "value": string(src),
		"serviceUrl": backend.URL + "/soap", "subscriptionRequired": false})
	put("/apis/gql", map[string]any{"path": "gql", "type": "graphql", "format": "graphql", "value": schema,
		"serviceUrl": backend.URL + "/graphql", "subscriptionRequired": false})
	putDocument(t, a, "/apis/orders/operations/GetOrder/policy", "", `<policies>
	<inbound><base /><set-header name="X-Op" exists-action="override"><value>get-order</value></set-header></inbound>
</policies>`)

	first := filepath.Join(t.TempDir(), "first")
	mustCLI(t, append([]string{"export", "--dir", first}, a.remote()...)...)
	files := readTree(t, first)
	if files["apis/orders/specification.wsdl"] != string(src) {
		t.Errorf("apis/orders/specification.wsdl is not the imported WSDL; files: %v", keys(files))
	}
	if files["apis/gql/specification.graphql"] != schema {
		t.Errorf("apis/gql/specification.graphql = %q; want the imported schema", files["apis/gql/specification.graphql"])
	}
	for _, f := range []string{"apis/orders/apiInformation.json", "apis/gql/apiInformation.json"} {
		if v := files[f]; strings.Contains(v, "definition") {
			t.Errorf("%s holds the definition:\n%s", f, v)
		}
	}

	b := startServe(t, t.TempDir(), "")
	applyB := append([]string{"apply", "--dir", first}, b.remote()...)
	out := mustCLI(t, applyB...)
	expectContains(t, out, "+ apis/orders", "+ apis/gql", "+ apis/orders/operations/GetOrder/policy", "applied ")
	second := filepath.Join(t.TempDir(), "second")
	mustCLI(t, append([]string{"export", "--dir", second}, b.remote()...)...)
	sameTree(t, first, second)

	var r reply
	eventually(t, time.Second, "the applied SOAP API answering", func() bool {
		r = b.post("/orders", "<Envelope/>", `SOAPAction: "http://example.com/orders/GetOrder"`, "Content-Type: text/xml")
		return r.status == 200
	})
	if got := decodeReceived(t, r); got.Path != "/soap" || got.Body != "<Envelope/>" {
		t.Errorf("backend saw %+v", got)
	}
	if got := decodeReceived(t, b.post("/gql", `{"query": "{ order(id: 1) }"}`, "Content-Type: application/json")); got.Path != "/graphql" {
		t.Errorf("backend saw %+v", got)
	}

	out = mustCLI(t, applyB...)
	expectContains(t, out, "no changes")

	// A changed WSDL is imported again.
	changed := strings.Replace(string(src), `name="PlaceOrder"`, `name="SubmitOrder"`, 2)
	if err := os.WriteFile(filepath.Join(first, "apis/orders/specification.wsdl"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	out = mustCLI(t, applyB...)
	expectContains(t, out, "~ apis/orders", "specification.wsdl changed", "applied ")
	// The operation keeps its id (same method and action), renamed.
	props, _ := b.must("GET", "/apis/orders/operations/PlaceOrder", "").json(t)["properties"].(map[string]any)
	if props["displayName"] != "SubmitOrder" {
		t.Errorf("after the changed WSDL: PlaceOrder = %v; want it named SubmitOrder", props)
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
