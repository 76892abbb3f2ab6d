package builtin_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/gateway"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// The GraphQL API of these tests: SpaceX-like, as APIM's examples are.
const spaceSchema = `
type Query { missions(limit: Int): [Mission!]! ship(id: ID!): Ship secret: String }
type Mission { id: ID! name: String ship: Ship }
type Ship { id: ID! name: String missions: [Mission!]! }
type Mutation { deleteUser(id: ID!): Boolean }
`

// graphqlGateway serves a pass-through GraphQL API (id space, path
// "space") with policy at the API scope, in front of a loopback backend
// that records the body it is sent. schema "" gives the API none.
func graphqlGateway(t *testing.T, policy, schema string) (gw *httptest.Server, seen func() (string, bool)) {
	t.Helper()
	bodies := make(chan string, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodGet {
			b = []byte(r.URL.Query().Get("query"))
		}
		bodies <- string(b)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":{}}`)
	}))
	t.Cleanup(backend.Close)
	snap := &snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "space", Name: "Space", Path: "space", ServiceURL: backend.URL,
		KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key", Policy: policy, Type: "graphql", GraphQLSchema: schema,
		Operations: []snapshot.Operation{{ID: "graphql", Method: "POST", URLTemplate: "/"}, {ID: "graphql-get", Method: "GET", URLTemplate: "/"}}}}}
	s := gateway.NewServer(gateway.Options{})
	rt, err := s.Compile(snap)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s.Install(rt)
	gw = httptest.NewServer(s)
	t.Cleanup(gw.Close)
	return gw, func() (string, bool) {
		select {
		case b := <-bodies:
			return b, true
		default:
			return "", false
		}
	}
}

func gqlPolicy(inner string) string {
	return `<policies><inbound><base />` + inner + `</inbound><backend><base /></backend><outbound><base /></outbound></policies>`
}

// APIM's "Query validation" example, with the /Missions/name rule on the
// schema's type, Mission.
const queryValidation = `<validate-graphql-request error-variable-name="name" max-size="102400" max-depth="4">
    <authorize>
        <rule path="/__*" action="reject" />
        <rule path="/Mission/name" action="@(context.Request.Headers.Count > 2 ? &quot;remove&quot; : &quot;allow&quot;)" />
    </authorize>
</validate-graphql-request>`

type gqlErrors struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string            `json:"message"`
		Extensions map[string]string `json:"extensions"`
		Locations  []struct{ Line, Column int }
	} `json:"errors"`
}

func post(t *testing.T, url, body string, header http.Header) (int, gqlErrors, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e gqlErrors
	_ = json.Unmarshal(raw, &e)
	return resp.StatusCode, e, string(raw)
}

func TestValidateGraphQLRequestThroughTheGateway(t *testing.T) {
	t.Parallel()
	gw, seen := graphqlGateway(t, gqlPolicy(queryValidation), spaceSchema)
	url := gw.URL + "/space"

	// A valid query without the rules' fields passes as written.
	code, _, raw := post(t, url, `{"query":"{ missions { id ship { name } } }"}`, nil)
	if b, ok := seen(); code != 200 || !ok || b != `{"query":"{ missions { id ship { name } } }"}` {
		t.Fatalf("valid query: %d %s; backend saw %q", code, raw, b)
	}

	// A request has more than two headers here (Content-Type,
	// Content-Length, User-Agent, ...), so /Mission/name is removed from
	// what the backend gets ("remove: A field error happens, and the
	// field is removed from the request"); the other members stay.
	code, _, raw = post(t, url, `{"query":"{ missions { id name } }","variables":{"v":1}}`, nil)
	b, ok := seen()
	if want := `{"query":"query {\n  missions {\n    id\n  }\n}\n","variables":{"v":1}}`; code != 200 || !ok || b != want {
		t.Fatalf("removed field: %d %s; backend saw %s, want %s", code, raw, b, want)
	}

	// Introspection is rejected: a request error, errors and no data, and
	// the backend is not called.
	code, e, raw := post(t, url, `{"query":"{ __schema { types { name } } }"}`, nil)
	if _, called := seen(); code != 400 || called || len(e.Errors) != 1 || e.Data != nil || e.Errors[0].Extensions["code"] != "GRAPHQL_FIELD_UNAUTHORIZED" {
		t.Errorf("introspection: %d %s (backend called: %v)", code, raw, called)
	}
	// __typename is not introspection of the schema: clients add it.
	if code, _, raw := post(t, url, `{"query":"{ __typename missions { id } }"}`, nil); code != 200 {
		t.Errorf("__typename: %d %s", code, raw)
	}
	seen()

	for _, tt := range []struct{ name, body, code string }{
		{"too deep (max-depth 4)", `{"query":"{ missions { ship { missions { ship { name } } } } }"}`, "GRAPHQL_QUERY_TOO_DEEP"},
		{"not in the schema", `{"query":"{ missions { colour } }"}`, "GRAPHQL_VALIDATION_FAILED"},
		{"syntax error", `{"query":"{ missions { id }"}`, "GRAPHQL_PARSE_FAILED"},
		{"not a GraphQL request", `{"q":1}`, "GRAPHQL_REQUEST_INVALID"},
		{"larger than max-size", `{"query":"{ missions { id } }","pad":"` + strings.Repeat("x", 102400) + `"}`, "GRAPHQL_REQUEST_TOO_LARGE"},
	} {
		code, e, raw := post(t, url, tt.body, nil)
		if _, called := seen(); code != 400 || called || len(e.Errors) == 0 || e.Errors[0].Extensions["code"] != tt.code || e.Data != nil {
			t.Errorf("%s: %d %.200s (backend called: %v), want 400 %s", tt.name, code, raw, called, tt.code)
		}
	}
	// A syntax error says where.
	_, e, _ = post(t, url, `{"query":"{\n missions { id }"}`, nil)
	if len(e.Errors) != 1 || len(e.Errors[0].Locations) != 1 || e.Errors[0].Locations[0].Line != 2 {
		t.Errorf("syntax error locations: %+v", e.Errors)
	}
}

// APIM's "Mutation validation" example, whose action is written "deny",
// which is taken as reject.
func TestValidateGraphQLRequestMutationRule(t *testing.T) {
	t.Parallel()
	gw, seen := graphqlGateway(t, gqlPolicy(`<validate-graphql-request error-variable-name="name" max-size="102400" max-depth="4">
    <authorize>
        <rule path="/Mutation/deleteUser" action="@(context.Request.IpAddress != &quot;198.51.100.1&quot; ? &quot;deny&quot; : &quot;allow&quot;)" />
    </authorize>
</validate-graphql-request>`), spaceSchema)
	code, e, raw := post(t, gw.URL+"/space", `{"query":"mutation { deleteUser(id: 1) }"}`, nil)
	if _, called := seen(); code != 400 || called || len(e.Errors) != 1 || !strings.Contains(e.Errors[0].Message, "/Mutation/deleteUser") {
		t.Errorf("deleteUser from 127.0.0.1: %d %s (backend called: %v)", code, raw, called)
	}
}

// The errors are in GraphQLErrors and error-variable-name, for on-error.
func TestValidateGraphQLRequestErrorVariables(t *testing.T) {
	t.Parallel()
	gw, _ := graphqlGateway(t, `<policies><inbound><base />
<validate-graphql-request error-variable-name="myErrors" max-size="1000" />
</inbound><backend><base /></backend><outbound><base /></outbound>
<on-error><return-response><set-status code="422" reason="x" />
<set-body>@((string)context.Variables["myErrors"] + "|" + context.LastError.Reason + "|" + ((string)context.Variables["GraphQLErrors"]).Length)</set-body>
</return-response></on-error></policies>`, spaceSchema)
	code, _, raw := post(t, gw.URL+"/space", `{"query":"{ nope }"}`, nil)
	if code != 422 || !strings.HasPrefix(raw, `[{"message":"Cannot query field \"nope\" on type \"Query\".","locations":[{"line":1,"column":3}],"extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]|GraphQLRequestError|`) {
		t.Errorf("on-error saw %d %s", code, raw)
	}
}

// An API without a schema: syntax, size, depth and root rules still hold.
func TestValidateGraphQLRequestWithoutSchema(t *testing.T) {
	t.Parallel()
	gw, seen := graphqlGateway(t, gqlPolicy(`<validate-graphql-request max-size="102400" max-depth="2"><authorize><rule path="/secret" action="reject" /></authorize></validate-graphql-request>`), "")
	u := gw.URL + "/space"
	if code, _, raw := post(t, u, `{"query":"{ anything { goes } }"}`, nil); code != 200 {
		t.Errorf("unknown fields without a schema: %d %s", code, raw)
	}
	seen()
	if code, e, _ := post(t, u, `{"query":"{ secret }"}`, nil); code != 400 || len(e.Errors) != 1 {
		t.Errorf("root rule without a schema: %d %+v", code, e)
	}
	if code, e, _ := post(t, u, `{"query":"{ a { b { c } } }"}`, nil); code != 400 || e.Errors[0].Extensions["code"] != "GRAPHQL_QUERY_TOO_DEEP" {
		t.Errorf("depth without a schema: %d %+v", code, e)
	}
	// GET carries the query in the query string; a removed field is
	// removed there.
	resp, err := http.Get(u + "?query=" + url.QueryEscape("{ a }"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if b, ok := seen(); resp.StatusCode != 200 || !ok || b != "{ a }" {
		t.Errorf("GET: %d, backend saw %q", resp.StatusCode, b)
	}
}

// A field removed from a GET request is removed from its query string.
func TestValidateGraphQLRequestRemoveFromGET(t *testing.T) {
	t.Parallel()
	gw, seen := graphqlGateway(t, gqlPolicy(`<validate-graphql-request max-size="1000"><authorize><rule path="/Query/secret" action="remove" /></authorize></validate-graphql-request>`), spaceSchema)
	resp, err := http.Get(gw.URL + "/space?query=" + url.QueryEscape("{ secret missions { id } }"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if b, ok := seen(); resp.StatusCode != 200 || !ok || strings.Join(strings.Fields(b), " ") != "query { missions { id } }" {
		t.Errorf("GET: %d, backend saw %q", resp.StatusCode, b)
	}
}
