package builtin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// run compiles a document and runs its inbound (and, when the pipeline
// did not end, outbound) section on a fresh request context.
func run(t *testing.T, doc string, prepare func(c *policy.Context)) *policy.Context {
	t.Helper()
	env := policy.Env{NamedValues: map[string]string{"env": "prod"}, Backends: map[string]string{"orders": "https://orders.internal:8443/api"}}
	d, err := policy.ParseIn(doc, env)
	if err != nil {
		t.Fatal(err)
	}
	eff, err := policy.Merge(nil, d)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewRegistry().Compile(eff, env)
	if err != nil {
		t.Fatal(err)
	}
	backend, _ := url.Parse("http://backend.local/base")
	c := &policy.Context{
		Context: expr.Context{
			Request: &expr.Request{Method: "GET", Headers: http.Header{"X-In": {"1"}},
				URL:               &expr.URL{Scheme: "https", Host: "gw", Port: 443, Path: "/shop/items/42", Query: url.Values{"q": {"a"}}},
				Body:              expr.BodyOf([]byte(`{"a":1}`)),
				MatchedParameters: map[string]string{"id": "42"}},
			Variables: map[string]any{},
		},
		Backend: backend, Path: "/items/42",
	}
	if prepare != nil {
		prepare(c)
	}
	if err := runAnswering(p, c); err != nil {
		t.Fatalf("inbound: %v", err)
	}
	if !c.Ended() {
		c.Response = &expr.Response{StatusCode: 200, Headers: http.Header{"X-Out": {"1"}}, Body: expr.BodyOf([]byte("backend"))}
		if err := p.Run(policy.Outbound, c); err != nil {
			t.Fatalf("outbound: %v", err)
		}
	}
	return c
}

func inbound(elems string) string {
	return "<policies><inbound>" + elems + "</inbound><outbound /></policies>"
}

func TestSetHeader(t *testing.T) {
	tests := []struct {
		name, elem string
		want       []string
	}{
		{"override", `<set-header name="x-in" exists-action="override"><value>2</value></set-header>`, []string{"2"}},
		{"default is override", `<set-header name="X-In"><value>2</value><value>3</value></set-header>`, []string{"2", "3"}},
		{"skip", `<set-header name="X-In" exists-action="skip"><value>2</value></set-header>`, []string{"1"}},
		{"append", `<set-header name="X-In" exists-action="append"><value>2</value></set-header>`, []string{"1", "2"}},
		{"delete", `<set-header name="X-In" exists-action="delete" />`, nil},
		{"named value", `<set-header name="X-In"><value>{{env}}</value></set-header>`, []string{"prod"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := run(t, inbound(tt.elem), nil)
			if got := c.Request.Headers["X-In"]; strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("X-In = %q, want %q", got, tt.want)
			}
		})
	}
	c := run(t, `<policies><inbound /><outbound><set-header name="X-Out" exists-action="append"><value>2</value></set-header></outbound></policies>`, nil)
	if got := c.Response.Headers["X-Out"]; len(got) != 2 {
		t.Errorf("outbound set-header acts on the response: %q", got)
	}
}

func TestRewriteAndRouting(t *testing.T) {
	c := run(t, inbound(`<rewrite-uri template="/v2/items/{id}?mode=full" copy-unmatched-params="true" /><set-query-parameter name="extra" exists-action="append"><value>x</value></set-query-parameter><set-backend-service backend-id="orders" /><set-method>post</set-method>`), nil)
	if c.Path != "/v2/items/42" || c.Request.URL.Query.Encode() != "extra=x&mode=full&q=a" {
		t.Errorf("rewrite: path %q query %q", c.Path, c.Request.URL.Query.Encode())
	}
	if c.Backend.String() != "https://orders.internal:8443/api" || c.Request.Method != "POST" {
		t.Errorf("backend %s, method %s", c.Backend, c.Request.Method)
	}
	// Service Fabric attributes are accepted and change nothing.
	c = run(t, inbound(`<set-backend-service backend-id="orders" sf-partition-key="@(1)" sf-replica-type="primary" sf-resolve-condition="@(false)" sf-listener-name="l" />`), nil)
	if c.Backend.String() != "https://orders.internal:8443/api" {
		t.Errorf("with Service Fabric attributes: backend %s", c.Backend)
	}
	c = run(t, inbound(`<rewrite-uri template="/only" copy-unmatched-params="false" />`), nil)
	if c.Path != "/only" || len(c.Request.URL.Query) != 0 {
		t.Errorf("copy-unmatched-params=false kept %v", c.Request.URL.Query)
	}
}

// TestGeneratedPolicyIDs runs elements as APIM's portal generates them,
// marked id="apim-generated-policy": the id changes nothing.
func TestGeneratedPolicyIDs(t *testing.T) {
	c := run(t, inbound(`<set-backend-service id="apim-generated-policy" backend-id="orders" /><set-method id="apim-generated-policy">POST</set-method>`+
		`<rewrite-uri id="apim-generated-policy" template="/v2" />`), nil)
	if c.Backend.String() != "https://orders.internal:8443/api" || c.Request.Method != "POST" || c.Path != "/v2" {
		t.Errorf("backend %s, method %s, path %s", c.Backend, c.Request.Method, c.Path)
	}
}

func TestReturnAndMockResponse(t *testing.T) {
	c := run(t, inbound(`<return-response><set-status code="201" reason="Made" /><set-header name="X-R"><value>1</value></set-header><set-body>done</set-body></return-response><set-header name="X-After"><value>1</value></set-header>`), nil)
	body, _ := c.Response.Body.Bytes()
	if !c.Ended() || c.Response.StatusCode != 201 || c.Response.StatusReason != "Made" || c.Response.Headers.Get("X-R") != "1" || string(body) != "done" {
		t.Errorf("return-response: %+v %q", c.Response, body)
	}
	if c.Request.Headers.Get("X-After") != "" {
		t.Error("elements after return-response ran")
	}
	c = run(t, inbound(`<mock-response status-code="404" content-type="application/json" />`), nil)
	if !c.Ended() || c.Response.StatusCode != 404 || c.Response.Headers.Get("Content-Type") != "application/json" {
		t.Errorf("mock-response: %+v", c.Response)
	}
}

func TestChooseAndVariables(t *testing.T) {
	doc := inbound(`<set-variable name="v" value="literal" /><choose><when condition="false"><set-header name="X-Branch"><value>when</value></set-header></when><otherwise><set-header name="X-Branch"><value>otherwise</value></set-header></otherwise></choose>`)
	c := run(t, doc, nil)
	if c.Variables["v"] != "literal" || c.Request.Headers.Get("X-Branch") != "otherwise" {
		t.Errorf("variables %v, branch %q", c.Variables, c.Request.Headers.Get("X-Branch"))
	}
}

func TestSetBodyAndStatus(t *testing.T) {
	c := run(t, `<policies><inbound><set-body>new request</set-body></inbound><outbound><set-status code="202" /><set-body>new response</set-body></outbound></policies>`, nil)
	req, _ := c.Request.Body.Bytes()
	resp, _ := c.Response.Body.Bytes()
	if string(req) != "new request" || string(resp) != "new response" || c.Response.StatusCode != 202 {
		t.Errorf("bodies %q %q, status %d", req, resp, c.Response.StatusCode)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		doc, want string
	}{
		{inbound(`<set-header><value>1</value></set-header>`), "<set-header>: attribute name is required"},
		{inbound(`<set-header name="a" colour="red"><value>1</value></set-header>`), "<set-header> colour: unknown attribute"},
		{inbound(`<set-header name="a" />`), "at least one <value> is required"},
		{inbound(`<set-backend-service base-url="ftp://x" />`), `"ftp://x" is not an absolute http or https URL`},
		{inbound(`<set-backend-service backend-id="nope" />`), `there is no backend "nope"`},
		{inbound(`<set-status code="99" />`), "is not an HTTP status code"},
		{inbound(`<choose><otherwise /><when condition="true" /></choose>`), "<otherwise> must be the last element"},
		{inbound(`<choose><nope /></choose>`), "only <when> and <otherwise> belong in <choose>"},
		{inbound(`<trace source="x" />`), "a <message> is required"},
		{inbound(`<forward-request />`), "belongs in the backend section"},
		{`<policies><backend><forward-request timeout="abc" /></backend></policies>`, `"abc": want whole seconds`},
		{`<policies><backend><forward-request timeout="-1" /></backend></policies>`, `"-1": want whole seconds, 0 or more`},
		{`<policies><backend><forward-request timeout="5" timeout-ms="500" /></backend></policies>`, "give timeout or timeout-ms, not both"},
		{inbound(`<set-body template="liquid">{% if x %}</set-body>`), "the Liquid template: "},
		{inbound(`<set-body template="mustache">x</set-body>`), `"mustache": want liquid or none`},
		{inbound(`<send-request mode="new" response-variable-name="r" />`), "a <set-url> is required in mode new"},
		{inbound(`<send-request mode="reuse" response-variable-name="r"><set-url>http://x</set-url></send-request>`), `"reuse": want new or copy`},
		{inbound(`<send-request><set-url>http://x</set-url></send-request>`), "attribute response-variable-name is required"},
		{inbound(`<send-request response-variable-name="r" timeout="-1"><set-url>http://x</set-url><set-cookie /></send-request>`), `"-1": want whole seconds, at least 0`},
		{inbound(`<find-and-replace from="a" />`), "attribute to is required"},
	}
	for _, tt := range tests {
		d, err := policy.ParseIn(tt.doc, policy.Env{})
		if err == nil {
			var eff *policy.Document
			if eff, err = policy.Merge(nil, d); err == nil {
				_, err = NewRegistry().Compile(eff, policy.Env{})
			}
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.doc, err, tt.want)
		}
	}
}

func TestForwardsIsTheFastPath(t *testing.T) {
	for doc, want := range map[string]bool{
		policy.DefaultGlobal: true,
		`<policies><inbound /><backend><forward-request timeout="5" /></backend></policies>`: false,
		// APIM's reference: "Values greater than 240 seconds may not be
		// honored": accepted, and its default is 300.
		`<policies><inbound /><backend><forward-request timeout="300" /></backend></policies>`:                                             false,
		`<policies><inbound /><backend><forward-request timeout-ms="1500" /></backend></policies>`:                                         false,
		`<policies><inbound><set-header name="a"><value>1</value></set-header></inbound><backend><forward-request /></backend></policies>`: false,
	} {
		d, _ := policy.ParseIn(doc, policy.Env{})
		eff, _ := policy.Merge(nil, d)
		p, err := NewRegistry().Compile(eff, policy.Env{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Forwards() != want {
			t.Errorf("%s: Forwards() = %v, want %v", doc, p.Forwards(), want)
		}
	}
}

func TestSetBodyLiquid(t *testing.T) {
	doc := `<policies><inbound><set-body template="liquid">{"order": "{{context.Request.MatchedParameters["id"]}}", "qty": {{body.a}}, "tier": "{{context.Request.Headers["X-In"]}}"{% if body.a > 0 %}, "positive": true{% endif %}}</set-body></inbound><outbound /></policies>`
	c := run(t, doc, nil)
	got, _ := c.Request.Body.Bytes()
	if string(got) != `{"order": "42", "qty": 1, "tier": "1", "positive": true}` {
		t.Errorf("liquid body = %s", got)
	}
}

// TestUnsupportedElements: APIM elements Gatehouse does not run are
// refused with what to do instead, not as unknown elements.
func TestUnsupportedElements(t *testing.T) {
	checkCompileErrors(t, []compileErrorCase{
		{"send-service-bus-message", inbound(`<send-service-bus-message queue-name="q"><payload>x</payload></send-service-bus-message>`), "<send-service-bus-message>: not supported yet: Gatehouse does not talk to Azure Service Bus"},
	})
}

// TestTraceForms: the current form (<message>) and APIM's earlier one,
// whose text is the message, both reach the trace.
func TestTraceForms(t *testing.T) {
	tests := []struct{ name, elem, want string }{
		{"message element", `<trace source="orders" severity="information"><message>@("got " + context.Request.Method)</message><metadata name="k" value="v" /></trace>`, "orders: got GET"},
		{"earlier text form", `<trace source="orders">@("got " + context.Request.Method)</trace>`, "orders: got GET"},
		{"earlier literal text", `<trace source="orders">  plain text  </trace>`, "orders: plain text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			run(t, inbound(tt.elem), func(c *policy.Context) {
				c.Request.Method = "GET"
				c.Trace = func(source, msg string) { got = append(got, source+": "+msg) }
			})
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("traced %q, want %q", got, tt.want)
			}
		})
	}
}
