package builtin

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestXMLToJSONConvert(t *testing.T) {
	t.Parallel()
	const soap = `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="urn:s"><s:Body><m:Get xmlns:m="urn:m" id="1">x</m:Get></s:Body></s:Envelope>`
	tests := []struct {
		name, kind, in, want string
		alwaysArray          bool
	}{
		{name: "leaves", in: `<order><id>42</id><name>Widget</name></order>`, want: `{"order":{"id":"42","name":"Widget"}}`},
		{name: "repeated elements", in: "<o>\n  <tag>a</tag>\n  <n>1</n>\n  <tag>b</tag>\n</o>", want: `{"o":{"tag":["a","b"],"n":"1"}}`},
		{name: "empty elements", in: `<o><a/><b></b><c> </c></o>`, want: `{"o":{"a":null,"b":null,"c":" "}}`},
		{name: "attributes", in: `<item id="7" kind="x"><name>n</name></item>`, want: `{"item":{"id":"7","kind":"x","name":"n"}}`},
		{name: "attributes direct", kind: "direct", in: `<item id="7"><name>n</name></item>`, want: `{"item":{"@id":"7","name":"n"}}`},
		{name: "text beside attributes", in: `<p lang="en">Hi</p>`, want: `{"p":{"lang":"en","#text":"Hi"}}`},
		{name: "mixed content", in: `<p>Hello <b>you</b> there</p>`, want: `{"p":{"#text":["Hello "," there"],"b":"you"}}`},
		{name: "mixed content direct", kind: "direct", in: `<p>Hello <b>you</b></p>`, want: `{"p":{"#text":"Hello ","b":"you"}}`},
		{name: "escaping", in: `<q a="&quot;">a &lt;b&gt; &amp; "c" \ 	é</q>`, want: `{"q":{"a":"\"","#text":"a <b> & \"c\" \\ \té"}}`},
		{name: "cdata and comments", in: `<q><!-- c --><![CDATA[<x>]]></q>`, want: `{"q":"<x>"}`},
		{name: "namespaces", in: soap, want: `{"Envelope":{"Body":{"Get":{"id":"1","#text":"x"}}}}`},
		{name: "namespaces direct", kind: "direct", in: soap,
			want: `{"?xml":{"@version":"1.0","@encoding":"utf-8"},"s:Envelope":{"@xmlns:s":"urn:s","s:Body":{"m:Get":{"@xmlns:m":"urn:m","@id":"1","#text":"x"}}}}`},
		{name: "always array", alwaysArray: true, in: `<o id="1"><a>1</a><b><c>2</c></b></o>`, want: `{"o":{"id":"1","a":["1"],"b":[{"c":["2"]}]}}`},
		{name: "declaration dropped", in: `<?xml version="1.0"?><!DOCTYPE r><r>1</r>`, want: `{"r":"1"}`},
		{name: "byte order mark", in: "\xEF\xBB\xBF<r>1</r>", want: `{"r":"1"}`},
		{name: "numbers stay strings", in: `<r><n>9.5</n><b>true</b></r>`, want: `{"r":{"n":"9.5","b":"true"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &xmlToJSON{direct: tt.kind == "direct", alwaysArray: tt.alwaysArray}
			got, err := s.convert([]byte(tt.in))
			if err != nil || string(got) != tt.want {
				t.Errorf("convert(%s) = %s, %v\nwant %s", tt.in, got, err, tt.want)
			}
			if err == nil && !json.Valid(got) {
				t.Errorf("invalid JSON %s", got)
			}
		})
	}
}

func TestXMLToJSONConvertErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"not xml", `{"a":1}`, "text outside the root element"},
		{"unclosed", `<a><b></b>`, "not closed"},
		{"mismatched", "<a>\n<b></a>", "line 2: unexpected end element </a>"},
		{"two roots", `<a/><b/>`, "more than one root element"},
		{"empty", `<!-- only -->`, "no root element"},
		{"unknown entity", `<a>&nope;</a>`, "invalid character entity"},
		{"too deep", strings.Repeat("<a>", 2000), "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := (&xmlToJSON{}).convert([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("convert(%.40s) error %v, want %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestXMLToJSONPolicy(t *testing.T) {
	t.Parallel()
	const doc = `<a x="1">t</a>`
	tests := []struct {
		name, elem, contentType, accept, want string
	}{
		{"always", `<xml-to-json kind="javascript-friendly" apply="always" consider-accept-header="false" />`, "text/plain", "", `{"a":{"x":"1","#text":"t"}}`},
		{"direct", `<xml-to-json kind="direct" apply="always" consider-accept-header="false" />`, "", "", `{"a":{"@x":"1","#text":"t"}}`},
		{"content type xml", `<xml-to-json kind="javascript-friendly" apply="content-type-xml" consider-accept-header="false" />`, "text/xml", "", `{"a":{"x":"1","#text":"t"}}`},
		{"content type soap", `<xml-to-json kind="javascript-friendly" apply="content-type-xml" consider-accept-header="false" />`, "application/soap+xml", "", `{"a":{"x":"1","#text":"t"}}`},
		{"content type not xml", `<xml-to-json kind="javascript-friendly" apply="content-type-xml" consider-accept-header="false" />`, "application/json", "", doc},
		{"accept json", `<xml-to-json kind="javascript-friendly" apply="always" />`, "", "application/json", `{"a":{"x":"1","#text":"t"}}`},
		{"accept xml only", `<xml-to-json kind="javascript-friendly" apply="always" consider-accept-header="true" />`, "", "application/xml", doc},
		{"accept wildcard", `<xml-to-json kind="javascript-friendly" apply="always" />`, "", "*/*", doc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := run(t, inbound(tt.elem), func(c *policy.Context) {
				c.Request.Body.Set([]byte(doc))
				c.Request.Headers.Set("Content-Type", tt.contentType)
				if tt.accept != "" {
					c.Request.Headers.Set("Accept", tt.accept)
				}
			})
			got, _ := c.Request.Body.Bytes()
			if string(got) != tt.want {
				t.Errorf("body = %s, want %s", got, tt.want)
			}
			wantCT := "application/json"
			if tt.want == doc {
				wantCT = tt.contentType
			}
			if ct := c.Request.Headers.Get("Content-Type"); ct != wantCT {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestXMLToJSONOutbound(t *testing.T) {
	t.Parallel()
	c := run(t, `<policies><inbound /><outbound><set-body>&lt;r&gt;&lt;i&gt;1&lt;/i&gt;&lt;i&gt;2&lt;/i&gt;&lt;/r&gt;</set-body><xml-to-json kind="javascript-friendly" apply="always" consider-accept-header="false" /></outbound></policies>`, nil)
	got, _ := c.Response.Body.Bytes()
	if string(got) != `{"r":{"i":["1","2"]}}` || c.Response.Headers.Get("Content-Type") != "application/json" {
		t.Errorf("response %s (%s)", got, c.Response.Headers.Get("Content-Type"))
	}
}

// TestRoundTrip converts JSON to XML and back.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	x, err := jsonXMLOptions{nsPrefix: "xmlns"}.convert([]byte(`{"id":42,"tags":["a","b"],"o":{"k":"<&>"}}`))
	if err != nil {
		t.Fatal(err)
	}
	j, err := (&xmlToJSON{}).convert(x)
	if want := `{"Document":{"id":"42","tags":["a","b"],"o":{"k":"<&>"}}}`; err != nil || string(j) != want {
		t.Errorf("round trip = %s, %v; want %s", j, err, want)
	}
}
