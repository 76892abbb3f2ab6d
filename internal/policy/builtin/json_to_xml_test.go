package builtin

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestJSONToXMLConvert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, opts, in, want string
	}{
		{name: "flat", in: `{"id":42,"internal":"secret","name":"Widget","price":9.5}`,
			want: `<Document><id>42</id><internal>secret</internal><name>Widget</name><price>9.5</price></Document>`},
		{name: "nested", in: `{"order":{"id":1,"customer":{"name":"Ann"}}}`,
			want: `<Document><order><id>1</id><customer><name>Ann</name></customer></order></Document>`},
		{name: "array", in: `{"tags":["a","b"],"n":1}`, want: `<Document><tags>a</tags><tags>b</tags><n>1</n></Document>`},
		{name: "array of objects", in: `{"items":[{"id":1},{"id":2}]}`,
			want: `<Document><items><id>1</id></items><items><id>2</id></items></Document>`},
		{name: "nested array", in: `{"m":[[1,2],3]}`, want: `<Document><m><m>1</m><m>2</m></m><m>3</m></Document>`},
		{name: "empty array", in: `{"a":[],"b":1}`, want: `<Document><b>1</b></Document>`},
		{name: "empty object and null", in: `{"a":{},"b":null,"c":""}`, want: `<Document><a /><b /><c></c></Document>`},
		{name: "numbers", in: `{"i":-7,"f":1.0,"e":1e21,"s":1e-7,"big":123456789012345678901234567890}`,
			want: `<Document><i>-7</i><f>1</f><e>1E+21</e><s>1E-07</s><big>123456789012345678901234567890</big></Document>`},
		{name: "booleans", in: `{"t":true,"f":false}`, want: `<Document><t>true</t><f>false</f></Document>`},
		{name: "escaping", in: `{"q":"a<b & c>d \"e\"\r"}`, want: `<Document><q>a&lt;b &amp; c&gt;d "e"&#xD;</q></Document>`},
		{name: "names", in: `{"first name":1,"1st":2,"_x0041_":3,"a-b.c":4}`,
			want: `<Document><first_x0020_name>1</first_x0020_name><_x0031_st>2</_x0031_st><_x005F_x0041_>3</_x005F_x0041_><a-b.c>4</a-b.c></Document>`},
		{name: "attributes and text", in: `{"item":{"@id":"7","@note":"a\"b","#text":"body"}}`,
			want: `<Document><item id="7" note="a&quot;b">body</item></Document>`},
		{name: "cdata", in: `{"x":{"#cdata-section":"a]]>b"}}`, want: `<Document><x><![CDATA[a]]]]><![CDATA[>b]]></x></Document>`},
		{name: "namespaces", in: `{"s:Envelope":{"@xmlns:s":"urn:s","s:Body":"x"}}`,
			want: `<Document><s:Envelope xmlns:s="urn:s"><s:Body>x</s:Body></s:Envelope></Document>`},
		{name: "namespace separator and prefix", opts: "sep", in: `{"s_Envelope":{"@ns_s":"urn:s","s_Body":"x"}}`,
			want: `<Document><s:Envelope xmlns:s="urn:s"><s:Body>x</s:Body></s:Envelope></Document>`},
		{name: "attribute block", opts: "block", in: `{"item":{"$attrs":{"id":1},"name":"n"}}`,
			want: `<Document><item id="1"><name>n</name></item></Document>`},
		{name: "top-level scalar", in: `"hi"`, want: `<Document>hi</Document>`},
		{name: "top-level empty array", in: `[]`, want: `<Document />`},
		{name: "top-level array of one", in: `[{"a":1}]`, want: `<Document><a>1</a></Document>`},
		{name: "byte order mark", in: "\xEF\xBB\xBF{\"a\":1}", want: `<Document><a>1</a></Document>`},
		{name: "unicode", in: `{"ü":"日本"}`, want: `<Document><ü>日本</ü></Document>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := jsonXMLOptions{nsPrefix: "xmlns"}
			switch tt.opts {
			case "sep":
				o.nsSeparator, o.nsPrefix = "_", "ns"
			case "block":
				o.attributeBlock = "$attrs"
			}
			got, err := o.convert([]byte(tt.in))
			if err != nil || string(got) != tt.want {
				t.Errorf("convert(%s) = %s, %v\nwant %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestJSONToXMLConvertErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"not json", `{"a":`, "unexpected EOF"},
		{"trailing data", `{"a":1} x`, "data after the JSON value"},
		{"two roots", `[1,2]`, "no single XML root"},
		{"object attribute", `{"a":{"@b":{}}}`, "must not be an object"},
		{"control character", `{"a":"\u0001"}`, "cannot appear in XML"},
		{"empty name", `{"":1}`, "property name is empty"},
		{"duplicate attribute", `{"a":{"@b":1,"@b":2}}`, "appears twice"},
		{"too deep", strings.Repeat("[", 2000) + strings.Repeat("]", 2000), "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := jsonXMLOptions{nsPrefix: "xmlns"}.convert([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("convert(%.40s) error %v, want %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestJSONToXMLPolicy(t *testing.T) {
	t.Parallel()
	const doc = `{"a":1}`
	const xmlDoc = `<Document><a>1</a></Document>`
	tests := []struct {
		name, elem, contentType, accept, want string
	}{
		{"always", `<json-to-xml apply="always" consider-accept-header="false" />`, "text/plain", "", xmlDoc},
		{"content type json", `<json-to-xml apply="content-type-json" consider-accept-header="false" />`, "application/json; charset=utf-8", "", xmlDoc},
		{"content type +json", `<json-to-xml apply="content-type-json" consider-accept-header="false" />`, "application/problem+json", "", xmlDoc},
		{"content type not json", `<json-to-xml apply="content-type-json" consider-accept-header="false" />`, "text/plain", "", doc},
		{"accept xml", `<json-to-xml apply="always" />`, "", "text/html, application/xml;q=0.9", xmlDoc},
		{"accept refuses xml", `<json-to-xml apply="always" consider-accept-header="true" />`, "", "application/xml;q=0", doc},
		{"accept only json", `<json-to-xml apply="always" />`, "", "application/json", doc},
		{"no accept", `<json-to-xml apply="always" />`, "", "", doc},
		{"other attributes", `<json-to-xml apply="always" consider-accept-header="false" parse-date="false" namespace-separator=":" namespace-prefix="xmlns" attribute-block-name="#attrs" />`, "", "", xmlDoc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := run(t, inbound(tt.elem), func(c *policy.Context) {
				c.Request.Headers.Set("Content-Type", tt.contentType)
				if tt.accept != "" {
					c.Request.Headers.Set("Accept", tt.accept)
				}
			})
			got, _ := c.Request.Body.Bytes()
			if string(got) != tt.want {
				t.Errorf("body = %s, want %s", got, tt.want)
			}
			wantCT := "application/xml"
			if tt.want == doc {
				wantCT = tt.contentType
			}
			if ct := c.Request.Headers.Get("Content-Type"); ct != wantCT {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestJSONToXMLOutbound(t *testing.T) {
	t.Parallel()
	c := run(t, `<policies><inbound /><outbound><set-body>{"b":[true,null]}</set-body><json-to-xml apply="always" consider-accept-header="false" /></outbound></policies>`, nil)
	got, _ := c.Response.Body.Bytes()
	if string(got) != `<Document><b>true</b><b /></Document>` || c.Response.Headers.Get("Content-Type") != "application/xml" {
		t.Errorf("response %s (%s)", got, c.Response.Headers.Get("Content-Type"))
	}
	req, _ := c.Request.Body.Bytes()
	if string(req) != `{"a":1}` {
		t.Errorf("outbound changed the request: %s", req)
	}
}

func TestJSONToXMLFailsTheSection(t *testing.T) {
	t.Parallel()
	p, err := compileDoc(nil, inbound(`<json-to-xml apply="always" consider-accept-header="false" />`))
	if err != nil {
		t.Fatal(err)
	}
	c := &policy.Context{Context: expr.Context{Request: &expr.Request{Body: expr.BodyOf([]byte(`{"a":`))}}}
	if err := p.Run(policy.Inbound, c); err == nil || !strings.Contains(err.Error(), "json-to-xml") {
		t.Errorf("error %v", err)
	}
}

func TestTransformCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, want string }{
		{"apply required", inbound(`<json-to-xml />`), "1:20: <json-to-xml>: attribute apply is required"},
		{"bad apply", inbound(`<json-to-xml apply="sometimes" />`), `1:40: <json-to-xml> apply: "sometimes": want always or content-type-json`},
		{"bad accept", inbound(`<json-to-xml apply="always" consider-accept-header="yes" />`), `<json-to-xml> consider-accept-header: "yes": want true or false`},
		{"expression", inbound(`<json-to-xml apply="@("always")" />`), "an expression is not allowed here"},
		{"unknown attribute", inbound(`<json-to-xml apply="always" kind="direct" />`), "<json-to-xml> kind: unknown attribute"},
		{"separator", inbound(`<json-to-xml apply="always" namespace-separator="::" />`), "want one character"},
		{"backend", `<policies><inbound /><backend><json-to-xml apply="always" /></backend></policies>`, "1:31: <json-to-xml>: belongs in inbound, outbound or on-error"},
		{"kind required", inbound(`<xml-to-json apply="always" />`), "<xml-to-json>: attribute kind is required"},
		{"bad kind", inbound(`<xml-to-json kind="friendly" apply="always" />`), `<xml-to-json> kind: "friendly": want javascript-friendly or direct`},
		{"xml apply", inbound(`<xml-to-json kind="direct" apply="content-type-json" />`), "want always or content-type-xml"},
		{"always array", inbound(`<xml-to-json kind="direct" apply="always" always-array-child-elements="1" />`), "always-array-child-elements: \"1\": want true or false"},
		{"redirect attribute", inbound(`<redirect-content-urls to="x" />`), "<redirect-content-urls> to: unknown attribute"},
		{"redirect on-error", `<policies><inbound /><on-error><redirect-content-urls /></on-error></policies>`, "<redirect-content-urls>: belongs in inbound or outbound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := compileDoc(nil, tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error %v, want %q", tt.doc, err, tt.want)
			}
		})
	}
}
