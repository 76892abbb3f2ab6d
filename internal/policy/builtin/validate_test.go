package builtin

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/expr/dotnet"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// orderOperation documents POST /orders with an Order body.
func orderOperation() *policy.Operation {
	return &policy.Operation{Method: "POST", URLTemplate: "/orders/{id}",
		QueryParameters: []policy.Parameter{{Name: "limit", Type: "integer"}},
		Request: []policy.Representation{{ContentType: "application/json", TypeName: "Order",
			Schema: json.RawMessage(`{"type":"object","required":["Name"],"additionalProperties":false,
				"properties":{"Name":{"type":"string"},"Tags":{"type":"array","items":{"type":"string"}}}}`)}},
		Responses: []policy.Response{{StatusCode: 200}}}
}

// compileFor compiles doc for op.
func compileFor(t testing.TB, op *policy.Operation, doc string) (*policy.Pipeline, error) {
	t.Helper()
	d, err := policy.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	eff, err := policy.Merge(nil, d)
	if err != nil {
		t.Fatal(err)
	}
	return NewRegistry().Compile(eff, policy.Env{Operation: op})
}

// postContext is a POST of body with content type ct.
func postContext(ct, body string) *policy.Context {
	h := http.Header{}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	return &policy.Context{Context: expr.Context{
		Request: &expr.Request{Method: "POST", Headers: h, URL: &expr.URL{Scheme: "http", Host: "gw", Path: "/orders/1", Query: map[string][]string{}},
			Body: expr.NewStreamBody(strings.NewReader(body), io.ReadAll), MatchedParameters: map[string]string{"id": "1"}},
		Variables: map[string]any{},
	}}
}

func TestValidateContent(t *testing.T) {
	const elem = `<validate-content unspecified-content-type-action="prevent" max-size="64" size-exceeded-action="prevent" errors-variable-name="errs">%s</validate-content>`
	tests := []struct {
		name, content, ct, body string
		wantCode                int // 0: passes
		wantMsg                 string
		wantErrs                int // errors recorded
	}{
		{name: "valid", content: `<content type="application/json" validate-as="json" action="prevent" />`, ct: "application/json; charset=utf-8", body: `{"Name":"a"}`},
		{name: "additional refused", content: `<content type="application/json" validate-as="json" action="prevent" />`, ct: "application/json", body: `{"Name":"a","x":1}`,
			wantCode: 400, wantMsg: "Body of the request does not conform to the definition Order, which is associated with the content type application/json. additional properties 'x' not allowed Line: 1, Position: 1", wantErrs: 1},
		{name: "additional allowed", content: `<content type="application/json" validate-as="json" action="prevent" allow-additional-properties="true" />`, ct: "application/json", body: `{"Name":"a","x":1}`},
		{name: "case-insensitive names", content: `<content validate-as="json" action="prevent" case-insensitive-property-names="true" />`, ct: "application/json", body: `{"name":"a"}`},
		{name: "case-sensitive names", content: `<content validate-as="json" action="prevent" />`, ct: "application/json", body: `{"name":"a"}`, wantCode: 400,
			wantMsg: "Body of the request does not conform to the definition Order, which is associated with the content type application/json. missing property 'Name' Line: 1, Position: 1", wantErrs: 1},
		{name: "not json", content: `<content validate-as="json" action="prevent" />`, ct: "application/json", body: `{"Name":`, wantCode: 400,
			wantMsg: "Body of the request does not conform to the definition Order, which is associated with the content type application/json. The body is not JSON: unexpected EOF. Line: 1, Position: 9", wantErrs: 1},
		{name: "detect", content: `<content validate-as="json" action="detect" />`, ct: "application/json", body: `{"Tags":[1]}`, wantErrs: 1},
		{name: "ignore", content: `<content validate-as="json" action="ignore" />`, ct: "application/json", body: `{"Tags":[1]}`},
		{name: "no content element", ct: "application/json", body: `{"Tags":[1]}`},
		{name: "unspecified type", ct: "text/plain", body: `hi`, wantCode: 400, wantMsg: "Unspecified content type text/plain is not allowed.", wantErrs: 1},
		{name: "no body no type", body: ``},
		{name: "too large", ct: "application/json", body: strings.Repeat(" ", 65) + "{}", wantCode: 413,
			wantMsg: "Request's body is more than 64 bytes long and it exceeds the limit of 64 bytes.", wantErrs: 1},
		{name: "at the limit", content: `<content validate-as="json" action="prevent" />`, ct: "application/json", body: `{"Name":"` + strings.Repeat("a", 52) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := compileFor(t, orderOperation(), inbound(strings.Replace(elem, "%s", tt.content, 1)))
			if err != nil {
				t.Fatal(err)
			}
			c := postContext(tt.ct, tt.body)
			if err := runAnswering(p, c); err != nil {
				t.Fatal(err)
			}
			if tt.wantCode == 0 && c.Ended() {
				body, _ := c.Response.Body.Bytes()
				t.Fatalf("refused: %s", body)
			}
			if tt.wantCode != 0 {
				refusedWith(t, c, tt.wantCode, tt.wantMsg)
				if c.LastError == nil || c.LastError.Source != "validate-content" || c.LastError.Reason != "Bad request" {
					t.Errorf("LastError = %+v", c.LastError)
				}
			}
			got := 0
			if v, ok := c.Variables["errs"].(*dotnet.JArray); ok {
				got = len(v.Items())
			}
			if got != tt.wantErrs {
				t.Errorf("%d errors recorded, want %d: %v", got, tt.wantErrs, c.Variables["errs"])
			}
		})
	}
}

func TestValidateCompileErrors(t *testing.T) {
	// inbound() puts the element at line 1, column 20.
	const vc = `<validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent">`
	checkCompileErrors(t, []compileErrorCase{
		{"no max-size", inbound(`<validate-content unspecified-content-type-action="prevent" size-exceeded-action="prevent" />`), "1:20: <validate-content>: attribute max-size is required"},
		{"bad max-size", inbound(`<validate-content unspecified-content-type-action="prevent" max-size="lots" size-exceeded-action="prevent" />`), `1:90: <validate-content> max-size: "lots": want a size in bytes`},
		{"bad action", inbound(`<validate-content unspecified-content-type-action="block" max-size="1" size-exceeded-action="prevent" />`), `1:71: <validate-content> unspecified-content-type-action: "block": want ignore, prevent or detect`},
		{"expression action", inbound(`<validate-content unspecified-content-type-action="@("prevent")" max-size="1" size-exceeded-action="prevent" />`), `<validate-content> unspecified-content-type-action: an expression is not allowed here`},
		{"unknown schema-id", inbound(vc + `<content validate-as="json" action="prevent" schema-id="s" /></validate-content>`), `1:181: <content> schema-id: schema "s" does not exist`},
		{"schema-ref alone", inbound(vc + `<content validate-as="json" action="prevent" schema-ref="#/a" /></validate-content>`), `<content> schema-ref: schema-ref points into the schema that schema-id names; give schema-id too`},
		{"xml", inbound(vc + `<content validate-as="xml" action="prevent" /></validate-content>`), `<content> validate-as: validate-as="xml" is not supported yet`},
		{"no validate-as", inbound(vc + `<content action="prevent" /></validate-content>`), `1:125: <content>: attribute validate-as is required`},
		{"bad child", inbound(vc + `<contents /></validate-content>`), `<contents>: only <content-type-map> and <content> elements belong in <validate-content>`},
		{"type from and when", inbound(vc + `<content-type-map><type from="a/b" when="true" to="c/d" /></content-type-map></validate-content>`), `<type> from: give from or when, not both`},
		{"backend section", `<policies><backend><validate-content unspecified-content-type-action="prevent" max-size="1" size-exceeded-action="prevent" /></backend></policies>`, `<validate-content>: belongs in inbound, outbound or on-error`},
		{"parameters outbound", `<policies><outbound><validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent" /></outbound></policies>`, `<validate-parameters>: belongs in the inbound section`},
		{"parameters no action", inbound(`<validate-parameters specified-parameter-action="prevent" />`), `attribute unspecified-parameter-action is required`},
		{"path unspecified", inbound(`<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent"><path unspecified-parameter-action="ignore" /></validate-parameters>`), `<path> unspecified-parameter-action: unknown attribute`},
		{"headers inbound", inbound(`<validate-headers specified-header-action="prevent" unspecified-header-action="prevent" />`), `<validate-headers>: belongs in outbound or on-error`},
		{"status code", `<policies><outbound><validate-status-code unspecified-status-code-action="prevent"><status-code code="99x" action="ignore" /></validate-status-code></outbound></policies>`, `<status-code> code: "99x" is not an HTTP status code`},
	})
}

func TestValidateContentBadSchema(t *testing.T) {
	op := orderOperation()
	op.Request[0].Schema = json.RawMessage(`{"$ref":"https://example.com/other.json"}`)
	_, err := compileFor(t, op, inbound(`<validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent"><content validate-as="json" action="prevent" /></validate-content>`))
	if err == nil || !strings.Contains(err.Error(), "1:125: <content>: the request schema of POST /orders/{id} for application/json") {
		t.Errorf("compile: %v", err)
	}
}

func TestValidateParametersQuery(t *testing.T) {
	p, err := compileFor(t, orderOperation(), inbound(`<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="detect" errors-variable-name="errs" />`))
	if err != nil {
		t.Fatal(err)
	}
	c := postContext("application/json", `{}`)
	c.Request.URL.Query = map[string][]string{"limit": {"ten"}}
	if err := runAnswering(p, c); err != nil {
		t.Fatal(err)
	}
	refusedWith(t, c, 400, `Value of the query parameter limit couldn't be parsed according to the definition. "ten" is not an integer`)
}

func TestValidateContentGlobalSchema(t *testing.T) {
	doc := json.RawMessage(`{"components":{"schemas":{"address":{"type":"object","required":["city"],
		"properties":{"city":{"type":"string"},"country":{"$ref":"#/components/schemas/country"}}},
		"country":{"type":"string","enum":["DE","FR"]}}}}`)
	env := policy.Env{Operation: orderOperation(), Schemas: map[string]*policy.Schema{"places": {Type: "json", Document: doc}, "soap": {Type: "xml"}}}
	compile := func(content string) (*policy.Pipeline, error) {
		d, err := policy.Parse(inbound(`<validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent">` + content + `</validate-content>`))
		if err != nil {
			t.Fatal(err)
		}
		eff, _ := policy.Merge(nil, d)
		return NewRegistry().Compile(eff, env)
	}
	if _, err := compile(`<content validate-as="json" action="prevent" schema-id="soap" />`); err == nil || !strings.Contains(err.Error(), `schema "soap" is an XML schema`) {
		t.Errorf("an XML schema: %v", err)
	}
	if _, err := compile(`<content validate-as="json" action="prevent" schema-id="places" schema-ref="#/components/schemas/street" />`); err == nil ||
		!strings.Contains(err.Error(), `<content> schema-ref: schema "places": the schema does not compile`) {
		t.Errorf("a schema-ref to nothing: %v", err)
	}
	p, err := compile(`<content validate-as="json" action="prevent" schema-id="Places" schema-ref="#/components/schemas/address" />`)
	if err != nil {
		t.Fatal(err)
	}
	c := postContext("application/json", `{"city":"Paris","country":"FR"}`)
	if err := runAnswering(p, c); err != nil || c.Ended() {
		t.Fatalf("a valid body: %v %+v", err, c.Response)
	}
	c = postContext("application/json", `{"city":"Paris","country":"US"}`)
	if err := runAnswering(p, c); err != nil {
		t.Fatal(err)
	}
	refusedWith(t, c, 400, `Body of the request does not conform to the definition address, which is associated with the content type application/json. value must be one of 'DE', 'FR' (at /country) Line: 1, Position: 27`)
}

func TestSchemaCache(t *testing.T) {
	sc := &schemaCache{}
	raw := []byte(`{"type":"object","properties":{"a":{"type":"integer"}}}`)
	yes := true
	a, err := sc.compile(raw, "", schemaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sc.compile(append([]byte(nil), raw...), "", schemaOptions{})
	c, _ := sc.compile(raw, "", schemaOptions{additional: &yes})
	if a != b || a == c {
		t.Errorf("same source and options: one schema (%v); other options: another (%v)", a == b, a != c)
	}
	if _, err := sc.compile([]byte(`{"type":7}`), "", schemaOptions{}); err == nil {
		t.Error("a schema that does not compile was accepted")
	}
}

func TestValidateResponse(t *testing.T) {
	op := orderOperation()
	op.Responses = []policy.Response{{StatusCode: 200, Headers: []policy.Parameter{{Name: "X-Count", Type: "integer"}},
		Representations: []policy.Representation{{ContentType: "application/json", Schema: json.RawMessage(`{"type":"object"}`)}}}}
	tests := []struct {
		name, elem string
		status     int
		header     http.Header
		body       string
		want       string // LastError.Message; empty: passes
		wantErrs   int
	}{
		{name: "documented status", elem: `<validate-status-code unspecified-status-code-action="prevent" errors-variable-name="errs" />`, status: 200},
		{name: "status detected", elem: `<validate-status-code unspecified-status-code-action="detect" errors-variable-name="errs" />`, status: 500, wantErrs: 1},
		{name: "status override", elem: `<validate-status-code unspecified-status-code-action="prevent" errors-variable-name="errs"><status-code code="404" action="ignore" /></validate-status-code>`, status: 404},
		{name: "status expression", elem: `<validate-status-code unspecified-status-code-action="@(context.Response.StatusCode >= 500 ? "prevent" : "ignore")" />`, status: 503,
			want: "Response status code 503 is not allowed."},
		{name: "header not an integer", elem: `<validate-headers specified-header-action="prevent" unspecified-header-action="ignore" />`, status: 200,
			header: http.Header{"X-Count": {"many"}}, want: `Value of the header X-Count cannot be parsed according to the definition. "many" is not an integer`},
		{name: "header twice", elem: `<validate-headers specified-header-action="prevent" unspecified-header-action="ignore" />`, status: 200,
			header: http.Header{"X-Count": {"1", "2"}}, want: `Response cannot contain multiple values for the header X-Count.`},
		{name: "body too large", elem: `<validate-content unspecified-content-type-action="prevent" max-size="4" size-exceeded-action="prevent" />`, status: 200,
			header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"12"}}, body: `{"a":"bcde"}`,
			want: "Response's body is 12 bytes long and it exceeds the configured limit of 4 bytes."},
		{name: "body not an object", elem: `<validate-content unspecified-content-type-action="prevent" max-size="100" size-exceeded-action="prevent"><content validate-as="json" action="prevent" /></validate-content>`,
			status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: `[1]`,
			want: "Body of the response does not conform to the definition, which is associated with the content type application/json. got array, want object Line: 1, Position: 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := compileFor(t, op, `<policies><outbound>`+tt.elem+`</outbound></policies>`)
			if err != nil {
				t.Fatal(err)
			}
			c := postContext("application/json", `{}`)
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			c.Response = &expr.Response{StatusCode: tt.status, Headers: h, Body: expr.NewStreamBody(strings.NewReader(tt.body), io.ReadAll)}
			err = p.Run(policy.Outbound, c)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			} else {
				resp := policy.RefusalResponse(err)
				var se *policy.StepError
				if resp == nil || resp.StatusCode != 502 || !errors.As(err, &se) || se.Reason != "Response not allowed" || se.Err.Error() != tt.want {
					t.Fatalf("refusal %v (%+v), want 502 Response not allowed %q", err, resp, tt.want)
				}
				body, _ := resp.Body.Bytes()
				if !strings.Contains(string(body), "Contact the API owner.") {
					t.Errorf("the client is told %s", body)
				}
			}
			got := 0
			if v, ok := c.Variables["errs"].(*dotnet.JArray); ok {
				got = len(v.Items())
			}
			if got != tt.wantErrs {
				t.Errorf("%d errors recorded, want %d", got, tt.wantErrs)
			}
		})
	}
}

func TestValidateContentFormats(t *testing.T) {
	op := orderOperation()
	op.Request[0].Schema = json.RawMessage(`{"type":"object","properties":{"at":{"type":"string","format":"date-time"},"n":{"type":"integer","format":"int64"}}}`)
	p, err := compileFor(t, op, inbound(`<validate-content unspecified-content-type-action="prevent" max-size="100" size-exceeded-action="prevent"><content validate-as="json" action="prevent" /></validate-content>`))
	if err != nil {
		t.Fatal(err)
	}
	c := postContext("application/json", `{"at":"2026-12-07T10:00:00Z","n":7}`)
	if err := runAnswering(p, c); err != nil || c.Ended() {
		t.Fatalf("a valid date-time: %v %+v", err, c.Response)
	}
	c = postContext("application/json", `{"at":"yesterday"}`)
	if err := runAnswering(p, c); err != nil {
		t.Fatal(err)
	}
	refusedWith(t, c, 400, `Body of the request does not conform to the definition Order, which is associated with the content type application/json. 'yesterday' is not valid date-time: less than 20 characters long (at /at) Line: 1, Position: 7`)
}
