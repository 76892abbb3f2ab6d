package policy

import (
	"errors"
	"strings"
	"testing"
)

// A policy as APIM users write it: raw quotes, <, > and && inside
// expressions, generics, CDATA, comments, entities.
const realWorld = `<?xml version="1.0" encoding="utf-8"?>
<!-- routing by header -->
<policies>
  <inbound>
    <base />
    <set-variable name="isMobile" value="@(context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("Mobile") && context.Request.Method != "DELETE")" />
    <choose>
      <when condition="@(context.Variables.GetValueOrDefault<bool>("isMobile") || (int)context.Variables["n"] < 3)">
        <set-backend-service base-url="https://mobile.example.com/api" />
      </when>
      <otherwise>
        <set-header name="X-Note" exists-action="override">
          <value>a &amp; b &lt; c</value>
        </set-header>
      </otherwise>
    </choose>
    <set-body>@{
        var body = context.Request.Body.As<JObject>(preserveContent: true);
        if (body["a"] != null && (int)body["a"] > 1) { body["b"] = "x</y>"; }
        return body.ToString();
    }</set-body>
    <set-body><![CDATA[<raw attr="1"/>]]></set-body>
  </inbound>
  <backend><forward-request timeout='20' /></backend>
  <outbound />
  <on-error><base /></on-error>
</policies>`

func TestReadRealWorldPolicy(t *testing.T) {
	root, err := ReadXML(realWorld)
	if err != nil {
		t.Fatal(err)
	}
	inbound := root.Children[0]
	if root.Name != "policies" || inbound.Name != "inbound" || len(inbound.Children) != 5 {
		t.Fatalf("structure: %s > %s with %d children", root.Name, inbound.Name, len(inbound.Children))
	}
	sv := inbound.Children[1]
	v, _ := sv.Attr("value")
	if want := `@(context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("Mobile") && context.Request.Method != "DELETE")`; v.Value != want {
		t.Errorf("value = %s", v.Value)
	}
	if v.Pos != (Pos{6, 42}) {
		t.Errorf("value position = %v, want 6:42", v.Pos)
	}
	when := inbound.Children[2].Children[0]
	if c, _ := when.Attr("condition"); !strings.Contains(c.Value, `(int)context.Variables["n"] < 3`) {
		t.Errorf("condition = %s", c.Value)
	}
	if txt := inbound.Children[2].Children[1].Children[0].Children[0].Text; txt != "a & b < c" {
		t.Errorf("entities: %q", txt)
	}
	body := inbound.Children[3]
	if !strings.HasPrefix(body.Text, "@{") || !strings.Contains(body.Text, `body["b"] = "x</y>";`) || body.TextPos != (Pos{17, 15}) {
		t.Errorf("set-body text at %v: %q", body.TextPos, body.Text)
	}
	if cdata := inbound.Children[4].Text; cdata != `<raw attr="1"/>` {
		t.Errorf("CDATA = %q", cdata)
	}
	if tm, _ := root.Children[1].Children[0].Attr("timeout"); tm.Value != "20" {
		t.Errorf("single-quoted attribute = %q", tm.Value)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"", "1:1: expected an element"},
		{"<policies>", "1:1: <policies> has no end tag"},
		{"<policies>\n  <inbound>\n  </outbound>\n</policies>", "3:3: expected </inbound>"},
		{`<a b=c/>`, "1:6: <a>: the value of b must be quoted"},
		{`<a b="1" b="2"/>`, "1:13: <a>: attribute b is given twice"},
		{`<a b="@(x("y")/>`, `1:7: the expression starting here has no closing ')'`},
		{"<a>\n<b c='@(x + \"abc)'/>\n</a>", "2:13: a string literal in the expression is not closed on its line"},
		{`<a b="x<y"/>`, "1:7: <a>: the value of b contains '<'"},
		{`<a/><b/>`, "1:5: unexpected content after the root element"},
		{`<a><!-- x </a>`, "1:4: unterminated comment"},
		// .NET's XmlReader refuses "--" inside a comment and a comment
		// ending in "--->"; so does APIM, and so do we, where the "--" is.
		{`<a><!-- a -- b --></a>`, "1:11: a comment may not contain '--' nor end with '-'"},
		{`<a><!-- a ---></a>`, "1:11: a comment may not contain '--'"},
		{"<policies>\n  <!-- x -- y -->\n</policies>", "2:10: a comment may not contain '--'"},
		{"<!-- -- -->\n<a/>", "1:6: a comment may not contain '--'"},
		{"<a/>\n<!--->", "2:1: unterminated comment"},
	}
	for _, tt := range tests {
		_, err := ReadXML(tt.src)
		var d *Diagnostic
		if !errors.As(err, &d) || !strings.HasPrefix(d.Error(), tt.want) {
			t.Errorf("ReadXML(%q) = %v, want %q...", tt.src, err, tt.want)
		}
	}
}

func TestWellFormedComments(t *testing.T) {
	for _, src := range []string{
		`<a><!----></a>`,
		`<a><!-- - a - b - --></a>`,
		"<!-- before -->\n<a><!-- <b c=\"-\"/> -->\n</a>\n<!-- after -->",
	} {
		if _, err := ReadXML(src); err != nil {
			t.Errorf("ReadXML(%q) = %v", src, err)
		}
	}
}

func TestParseStructure(t *testing.T) {
	_, err := Parse("<policies><inbound/><inbound/><frontend/></policies>")
	if err == nil || !strings.Contains(err.Error(), "1:21: <inbound>: the section appears twice") || !strings.Contains(err.Error(), "<frontend>: not a section") {
		t.Errorf("Parse = %v", err)
	}
	if _, err := Parse("<policy/>"); err == nil || !strings.Contains(err.Error(), "root element must be <policies>") {
		t.Errorf("Parse = %v", err)
	}
}

func names(nodes []*Node) string {
	var out []string
	for _, n := range nodes {
		id, _ := n.Attr("name")
		out = append(out, n.Name+":"+id.Value)
	}
	return strings.Join(out, " ")
}

func mustParse(t *testing.T, src string) *Document {
	t.Helper()
	d, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMergeScopes(t *testing.T) {
	global := mustParse(t, `<policies><inbound><set-header name="g"/></inbound><backend><forward-request/></backend><outbound><set-header name="g-out"/></outbound></policies>`)
	product := mustParse(t, `<policies><inbound><set-header name="p"/><base/></inbound></policies>`)
	api := mustParse(t, `<policies><inbound><base/><set-header name="a"/></inbound><outbound><set-header name="a-out"/></outbound></policies>`)
	op := mustParse(t, `<policies><inbound><set-header name="o1"/><base/><include-fragment fragment-id="Common"/></inbound><outbound><base/></outbound></policies>`)
	frags := map[string][]*Node{"common": mustFragment(t, `<fragment><set-header name="f"/></fragment>`)}

	eff, err := Merge(frags, global, product, api, op)
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[Section]string{
		Inbound:  "set-header:o1 set-header:p set-header:g set-header:a set-header:f",
		Backend:  "forward-request:",
		Outbound: "set-header:a-out",
	} {
		nodes, _ := eff.Section(s)
		if got := names(nodes); got != want {
			t.Errorf("%s = %s, want %s", s, got, want)
		}
	}
	// Without a global policy, the default forwards; a missing section is <base/>.
	eff, err = Merge(frags, nil, nil, api, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := eff.Section(Backend); names(b) != "forward-request:" {
		t.Errorf("default backend = %s", names(b))
	}
	if _, err := Merge(nil, nil, op); err == nil || !strings.Contains(err.Error(), `there is no policy fragment "Common"`) {
		t.Errorf("missing fragment: %v", err)
	}
}

func TestRenderRoundTrip(t *testing.T) {
	d := mustParse(t, realWorld)
	again := mustParse(t, Render(d))
	if Render(again) != Render(d) {
		t.Errorf("render is not stable:\n%s\n%s", Render(d), Render(again))
	}
}

func mustFragment(t *testing.T, src string) []*Node {
	t.Helper()
	n, err := ParseFragment(src)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func FuzzReadXML(f *testing.F) {
	f.Add(realWorld)
	f.Add(`<policies><inbound><set-header name="a"><value>@(1 < 2 ? "x" : "y")</value></set-header></inbound></policies>`)
	f.Add(`<a b='@{ return "}"; }'/>`)
	f.Add("<!-- a -- b -->\n<a><!-- c ---></a>")
	f.Add(`<a><!----><!-- - --><b/><!--x--></a>`)
	f.Fuzz(func(t *testing.T, src string) {
		root, err := ReadXML(src)
		if (root == nil) == (err == nil) {
			t.Fatalf("ReadXML returned %v and %v", root, err)
		}
		if err != nil {
			var d *Diagnostic
			if !errors.As(err, &d) || d.Pos.Line < 1 || d.Pos.Col < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if d, err := Parse(src); err == nil {
			if _, err := Parse(Render(d)); err != nil {
				t.Fatalf("a rendered document does not parse: %v\n%s", err, Render(d))
			}
		}
	})
}

// An apostrophe in a C# comment is no character literal, and entities in
// an expression in element text are decoded as in an attribute.
func TestExpressionCommentsAndEntitiesInText(t *testing.T) {
	src := "<policies><inbound><set-body>@{\n" +
		"    // it's the caller's name\n" +
		"    /* don't \"quote\" me */\n" +
		"    return context.Request.Method == &quot;GET&quot; &amp;&amp; 1 &lt; 2 ? \"a\" : \"b\";\n" +
		"}</set-body><set-header name=\"x\" value=\"@(1 /* it's */ + 2)\" /></inbound></policies>"
	root, err := ReadXML(src)
	if err != nil {
		t.Fatal(err)
	}
	body := root.Children[0].Children[0]
	if !strings.Contains(body.Text, `return context.Request.Method == "GET" && 1 < 2 ? "a" : "b";`) || !strings.Contains(body.Text, "// it's the caller's name") {
		t.Errorf("text = %s", body.Text)
	}
	if v, _ := root.Children[0].Children[1].Attr("value"); v.Value != "@(1 /* it's */ + 2)" {
		t.Errorf("attribute = %s", v.Value)
	}
	if _, err := ReadXML("<policies><inbound><set-body>@{ return 1; /* open }</set-body></inbound></policies>"); err == nil || !strings.Contains(err.Error(), "1:43: a comment /* in the expression is not closed") {
		t.Errorf("an unclosed comment: %v", err)
	}
}
