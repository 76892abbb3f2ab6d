package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// received is what the SOAP and GraphQL test backend saw.
type received struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Query       string `json:"query"`
	SOAPAction  string `json:"soapAction"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
}

// newEchoBodyBackend starts a backend that answers every request with a
// JSON description of it, its body included.
func newEchoBodyBackend(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(received{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
			SOAPAction: r.Header.Get("SOAPAction"), ContentType: r.Header.Get("Content-Type"), Body: string(b)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// post sends a POST with body through the gateway.
func (in *instance) post(path, body string, headers ...string) reply {
	in.t.Helper()
	req, err := http.NewRequest(http.MethodPost, in.gatewayURL(path), strings.NewReader(body))
	if err != nil {
		in.t.Fatal(err)
	}
	return send(in.t, req, headers...)
}

func decodeReceived(t *testing.T, r reply) received {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("gateway answered %d: %s", r.status, r.body)
	}
	var got received
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("backend body: %v: %s", err, r.body)
	}
	return got
}

func TestSOAPPassThrough(t *testing.T) {
	in := startServe(t, t.TempDir(), "")
	backend := newEchoBodyBackend(t)
	src, err := os.ReadFile("../../internal/wsdl/testdata/orders.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"properties": map[string]any{"path": "orders", "apiType": "soap", "format": "wsdl",
		"value": string(src), "serviceUrl": backend.URL + "/soap", "subscriptionRequired": false}})
	in.must("PUT", "/apis/orders", string(body))

	const envelope = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetOrder xmlns="http://example.com/orders"><id>7</id></GetOrder></soap:Body></soap:Envelope>`
	var r reply
	eventually(t, time.Second, "the SOAP API answering", func() bool {
		r = in.post("/orders", envelope, `SOAPAction: "http://example.com/orders/GetOrder"`, "Content-Type: text/xml; charset=utf-8")
		return r.status == http.StatusOK
	})
	got := decodeReceived(t, r)
	if got.Method != "POST" || got.Path != "/soap" || got.Query != "" || got.SOAPAction != `"http://example.com/orders/GetOrder"` || got.Body != envelope {
		t.Errorf("backend saw %+v; want the POST forwarded to /soap as it was", got)
	}

	t.Run("SOAP 1.2 action", func(t *testing.T) {
		got := decodeReceived(t, in.post("/orders", envelope, `Content-Type: application/soap+xml; charset=utf-8; action="http://example.com/orders/PlaceOrder"`))
		if got.Method != "POST" || got.Path != "/soap" || got.Body != envelope {
			t.Errorf("backend saw %+v", got)
		}
	})
	t.Run("unknown action", func(t *testing.T) {
		// APIM answers a request that matches no operation 404 (reason
		// OperationNotFound): here, no operation has the action.
		r := in.post("/orders", envelope, `SOAPAction: "http://example.com/orders/Refund"`, "Content-Type: text/xml")
		if r.status != http.StatusNotFound {
			t.Fatalf("unknown action: %d %s; want 404", r.status, r.body)
		}
		expectMessage(t, r, "Resource not found")
	})
	t.Run("no action", func(t *testing.T) {
		if r := in.post("/orders", envelope, "Content-Type: text/xml"); r.status != http.StatusNotFound {
			t.Errorf("no action: %d %s; want 404", r.status, r.body)
		}
	})
	t.Run("GET", func(t *testing.T) {
		if r := in.call("GET", "/orders", `SOAPAction: "http://example.com/orders/GetOrder"`); r.status != http.StatusNotFound {
			t.Errorf("GET: %d %s; want 404", r.status, r.body)
		}
	})
	t.Run("catch-all operation", func(t *testing.T) {
		// An operation without an action takes the requests the others
		// do not, whatever the order they were written in.
		in.must("PUT", "/apis/orders/operations/any", `{"properties": {"method": "POST", "urlTemplate": "/"}}`)
		putDocument(t, in, "/apis/orders/policy", "", `<policies>
	<inbound><base /><set-header name="SOAPAction" exists-action="override"><value>@(context.Operation.Id)</value></set-header></inbound>
</policies>`)
		// Once the policy is live, the unknown action reaches the
		// catch-all operation.
		eventually(t, time.Second, "the unknown action reaching operation any", func() bool {
			r := in.post("/orders", envelope, `SOAPAction: "http://example.com/orders/Refund"`)
			var got received
			return r.status == http.StatusOK && json.Unmarshal(r.body, &got) == nil && got.SOAPAction == "any"
		})
		if got := decodeReceived(t, in.post("/orders", envelope, `SOAPAction: "http://example.com/orders/GetOrder"`)); got.SOAPAction != "GetOrder" {
			t.Errorf("GetOrder went to operation %q", got.SOAPAction)
		}
	})
}

func TestGraphQLPassThrough(t *testing.T) {
	in := startServe(t, t.TempDir(), "")
	backend := newEchoBodyBackend(t)
	body, _ := json.Marshal(map[string]any{"properties": map[string]any{"path": "gql", "type": "graphql", "format": "graphql",
		"value": "type Query { order(id: ID!): String }", "serviceUrl": backend.URL + "/graphql", "subscriptionRequired": false}})
	in.must("PUT", "/apis/gql", string(body))

	const query = `{"query": "{ order(id: 7) }"}`
	var r reply
	eventually(t, time.Second, "the GraphQL API answering", func() bool {
		r = in.post("/gql", query, "Content-Type: application/json")
		return r.status == http.StatusOK
	})
	if got := decodeReceived(t, r); got.Method != "POST" || got.Path != "/graphql" || got.Body != query || got.ContentType != "application/json" {
		t.Errorf("backend saw %+v; want the POST forwarded to /graphql as it was", got)
	}
	got := decodeReceived(t, in.call("GET", "/gql?query=%7B%20order%28id%3A%207%29%20%7D"))
	if got.Method != "GET" || got.Path != "/graphql" || got.Query != "query=%7B%20order%28id%3A%207%29%20%7D" {
		t.Errorf("backend saw %+v; want the GET forwarded with its query", got)
	}
}

// TestValidateGraphQLRequestUsesTheAPISchema: the schema a GraphQL API
// was imported with reaches the gateway, so validate-graphql-request
// refuses a field the schema does not have and forwards one it has.
func TestValidateGraphQLRequestUsesTheAPISchema(t *testing.T) {
	in := startServe(t, t.TempDir(), "")
	backend := newEchoBodyBackend(t)
	body, _ := json.Marshal(map[string]any{"properties": map[string]any{"path": "gql", "type": "graphql", "format": "graphql",
		"value": "type Query { order(id: ID!): String }", "serviceUrl": backend.URL + "/graphql", "subscriptionRequired": false}})
	in.must("PUT", "/apis/gql", string(body))
	policy, _ := json.Marshal(map[string]any{"properties": map[string]any{"format": "rawxml",
		"value": `<policies><inbound><base /><validate-graphql-request max-size="10240" max-depth="4" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`}})
	in.must("PUT", "/apis/gql/policy", string(policy))

	var r reply
	eventually(t, 5*time.Second, "the schema refusing an unknown field", func() bool {
		r = in.post("/gql", `{"query": "{ invoice(id: 7) }"}`, "Content-Type: application/json")
		return r.status == http.StatusBadRequest
	})
	if !strings.Contains(string(r.body), "invoice") {
		t.Errorf("refusal %s does not name the unknown field", r.body)
	}
	if got := decodeReceived(t, in.post("/gql", `{"query": "{ order(id: 7) }"}`, "Content-Type: application/json")); got.Path != "/graphql" {
		t.Errorf("backend saw %+v; want the valid query forwarded", got)
	}
}
