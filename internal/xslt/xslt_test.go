package xslt

import (
	"errors"
	"strings"
	"testing"
)

// sheet wraps templates in a stylesheet that omits the XML declaration.
func sheet(body string) string {
	return `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">` +
		`<xsl:output omit-xml-declaration="yes"/>` + body + `</xsl:stylesheet>`
}

const orderXML = `<order id="7" xmlns:x="urn:x"><item sku="b" qty="2">Bolt</item><item sku="a" qty="10">Nut</item><!--c--><x:note>hi</x:note></order>`

func TestInstructions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, input, want string
		params                  map[string]string
	}{
		{name: "built-in rules copy text", body: ``, input: orderXML, want: `BoltNuthi`},
		{name: "value-of", body: `<xsl:template match="/"><v><xsl:value-of select="order/@id"/>-<xsl:value-of select="count(//item)"/></v></xsl:template>`,
			input: orderXML, want: `<v>7-2</v>`},
		{name: "value-of first node", body: `<xsl:template match="/"><xsl:value-of select="//item"/></xsl:template>`, input: orderXML, want: `Bolt`},
		{name: "copy-of", body: `<xsl:template match="/"><r><xsl:copy-of select="order/item[1]"/></r></xsl:template>`,
			input: orderXML, want: `<r><item sku="b" qty="2">Bolt</item></r>`},
		{name: "copy-of attribute and string", body: `<xsl:template match="item[1]"><r><xsl:copy-of select="@sku"/><xsl:copy-of select="string(@qty)"/></r></xsl:template><xsl:template match="text()"/>`,
			input: orderXML, want: `<r sku="b">2</r>`},
		{name: "copy shallow", body: `<xsl:template match="item"><xsl:copy/></xsl:template><xsl:template match="text()"/>`,
			input: orderXML, want: `<item /><item />`},
		{name: "identity", body: `<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>`,
			input: `<a x="1"><b>t</b><!--c--></a>`, want: `<a x="1"><b>t</b><!--c--></a>`},
		{name: "for-each sort text", body: `<xsl:template match="/"><xsl:for-each select="//item"><xsl:sort select="@sku"/><xsl:value-of select="@sku"/></xsl:for-each></xsl:template>`,
			input: orderXML, want: `ab`},
		{name: "for-each sort number descending", body: `<xsl:template match="/"><xsl:for-each select="//item"><xsl:sort select="@qty" data-type="number" order="descending"/><xsl:value-of select="@qty"/>,</xsl:for-each></xsl:template>`,
			input: orderXML, want: `10,2,`},
		{name: "position and last", body: `<xsl:template match="/"><xsl:for-each select="//item"><xsl:value-of select="position()"/>/<xsl:value-of select="last()"/><xsl:if test="position() != last()">;</xsl:if></xsl:for-each></xsl:template>`,
			input: orderXML, want: `1/2;2/2`},
		{name: "predicate position stays XPath's", body: `<xsl:template match="/"><xsl:value-of select="//item[position()=2]/@sku"/></xsl:template>`,
			input: orderXML, want: `a`},
		{name: "if", body: `<xsl:template match="item"><xsl:if test="@qty &gt; 5"><xsl:value-of select="."/></xsl:if></xsl:template><xsl:template match="text()"/>`,
			input: orderXML, want: `Nut`},
		{name: "choose", body: `<xsl:template match="item"><xsl:choose><xsl:when test="@sku='a'">A</xsl:when><xsl:when test="@sku='b'">B</xsl:when><xsl:otherwise>?</xsl:otherwise></xsl:choose></xsl:template><xsl:template match="text()"/>`,
			input: orderXML, want: `BA`},
		{name: "variable select and content", body: `<xsl:variable name="g" select="'G'"/><xsl:template match="/"><xsl:variable name="n" select="count(//item)"/><xsl:variable name="t"><b>x</b>y</xsl:variable><xsl:value-of select="concat($g, $n + 1, $t)"/></xsl:template>`,
			input: orderXML, want: `G3xy`},
		{name: "variable node-set", body: `<xsl:template match="/"><xsl:variable name="items" select="//item"/><xsl:value-of select="count($items)"/>:<xsl:value-of select="$items[2]/@sku"/>:<xsl:value-of select="name($items[1])"/></xsl:template>`,
			input: orderXML, want: `2:a:item`},
		{name: "boolean variable", body: `<xsl:template match="/"><xsl:variable name="f" select="1 = 2"/><xsl:variable name="t" select="1 = 1"/><xsl:if test="not($f) and $t">ok</xsl:if></xsl:template>`,
			input: orderXML, want: `ok`},
		{name: "current in predicate", body: `<xsl:template match="item"><xsl:value-of select="count(//item[@qty &gt; current()/@qty])"/></xsl:template><xsl:template match="text()"/>`,
			input: orderXML, want: `10`},
		{name: "global params", body: `<xsl:param name="who" select="'nobody'"/><xsl:param name="User-Agent"/><xsl:template match="/"><xsl:value-of select="concat($who, '|', $User-Agent)"/></xsl:template>`,
			input: orderXML, params: map[string]string{"User-Agent": "curl/8", "unused": "x"}, want: `nobody|curl/8`},
		{name: "globals in dependency order", body: `<xsl:variable name="a" select="concat($b, 'a')"/><xsl:variable name="b" select="'b'"/><xsl:template match="/"><xsl:value-of select="$a"/></xsl:template>`,
			input: orderXML, want: `ba`},
		{name: "apply-templates mode and with-param", body: `<xsl:template match="/"><xsl:apply-templates select="//item" mode="m"><xsl:with-param name="sep" select="'+'"/></xsl:apply-templates></xsl:template><xsl:template match="item" mode="m"><xsl:param name="sep" select="'-'"/><xsl:value-of select="concat(@sku, $sep)"/></xsl:template><xsl:template match="item">wrong</xsl:template>`,
			input: orderXML, want: `b+a+`},
		{name: "apply-templates sort", body: `<xsl:template match="/"><xsl:apply-templates select="//item"><xsl:sort select="."/></xsl:apply-templates></xsl:template><xsl:template match="item"><xsl:value-of select="@sku"/></xsl:template>`,
			input: orderXML, want: `ba`},
		{name: "call-template recursion", body: `<xsl:template match="/"><xsl:call-template name="count"><xsl:with-param name="n" select="3"/></xsl:call-template></xsl:template><xsl:template name="count"><xsl:param name="n"/><xsl:if test="$n &gt; 0"><xsl:value-of select="$n"/><xsl:call-template name="count"><xsl:with-param name="n" select="$n - 1"/></xsl:call-template></xsl:if></xsl:template>`,
			input: orderXML, want: `321`},
		{name: "priority: specific beats wildcard", body: `<xsl:template match="*">*</xsl:template><xsl:template match="order">O<xsl:apply-templates/></xsl:template><xsl:template match="item[@sku='a']">A</xsl:template><xsl:template match="text()"/><xsl:template match="x:*" xmlns:x="urn:x">X</xsl:template>`,
			input: orderXML, want: `O*AX`},
		{name: "priority attribute and last wins", body: `<xsl:template match="item" priority="2">P</xsl:template><xsl:template match="item">I</xsl:template><xsl:template match="order/item">J</xsl:template><xsl:template match="text()"/>`,
			input: orderXML, want: `PP`},
		{name: "last of equal priority wins", body: `<xsl:template match="item">1</xsl:template><xsl:template match="item">2</xsl:template><xsl:template match="text()"/>`,
			input: orderXML, want: `22`},
		{name: "descendant pattern", body: `<xsl:template match="order//item">I</xsl:template><xsl:template match="/order">R<xsl:apply-templates/></xsl:template><xsl:template match="text()"/>`,
			input: orderXML, want: `RII`},
		{name: "element and attribute", body: `<xsl:template match="/"><xsl:element name="{name(order)}-copy"><xsl:attribute name="n"><xsl:value-of select="count(//item)"/></xsl:attribute><xsl:attribute name="y:z" namespace="urn:y">1</xsl:attribute></xsl:element></xsl:template>`,
			input: orderXML, want: `<order-copy n="2" y:z="1" xmlns:y="urn:y" />`},
		{name: "literal attributes AVT braces", body: `<xsl:template match="/"><r a="{{x}}" b="{order/@id}-{count(//item)}"/></xsl:template>`,
			input: orderXML, want: `<r a="{x}" b="7-2" />`},
		{name: "text and comment", body: `<xsl:template match="/"><xsl:text>  a &lt; b  </xsl:text><xsl:comment>n=<xsl:value-of select="order/@id"/></xsl:comment></xsl:template>`,
			input: orderXML, want: `  a &lt; b  <!--n=7-->`},
		{name: "literal namespaces and exclusion", body: `<xsl:template match="/"><p:r xmlns:p="urn:p"><p:s/></p:r></xsl:template>`,
			input: orderXML, want: `<p:r xmlns:p="urn:p"><p:s /></p:r>`},
		{name: "strip-space", body: `<xsl:strip-space elements="*"/><xsl:preserve-space elements="keep"/><xsl:template match="/"><xsl:value-of select="count(//text())"/></xsl:template>`,
			input: "<a>\n <b>x</b>\n <keep> </keep>\n</a>", want: `2`},
		{name: "without strip-space whitespace stays", body: `<xsl:template match="/"><xsl:value-of select="count(//text())"/></xsl:template>`,
			input: "<a>\n <b>x</b>\n</a>", want: `3`},
		{name: "output text", body: `<xsl:output method="text"/><xsl:template match="/"><x>a</x><xsl:text>&amp;b</xsl:text></xsl:template>`,
			input: orderXML, want: `a&b`},
		{name: "escaping", body: `<xsl:template match="/"><r a="{order/item[1]}&quot;&lt;">&amp;&gt;</r></xsl:template>`,
			input: orderXML, want: `<r a="Bolt&quot;&lt;">&amp;&gt;</r>`},
		{name: "default namespace input", body: `<xsl:template match="/"><xsl:value-of select="count(//item)"/></xsl:template>`,
			input: `<order xmlns="urn:o"><item/></order>`, want: `1`},
		{name: "CDATA is text", body: `<xsl:template match="/"><xsl:value-of select="a"/></xsl:template>`,
			input: `<a>x<![CDATA[<y>]]>z</a>`, want: `x&lt;y&gt;z`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ss, err := Compile(sheet(tt.body))
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			out, err := ss.Transform([]byte(tt.input), tt.params)
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			if string(out) != tt.want {
				t.Errorf("got  %s\nwant %s", out, tt.want)
			}
		})
	}
}

func TestIndentAndDeclaration(t *testing.T) {
	t.Parallel()
	ss, err := Compile(`<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:output indent="yes"/>` +
		`<xsl:template match="/"><a><b><c/></b><m>text<i/></m></a></xsl:template></xsl:stylesheet>`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ss.Transform([]byte(`<x/>`), nil)
	want := "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a>\n  <b>\n    <c />\n  </b>\n  <m>text<i /></m>\n</a>"
	if err != nil || string(out) != want {
		t.Errorf("got %q, %v\nwant %q", out, err, want)
	}
}

// TestAPIMExamples runs the two examples of APIM's xsl-transform
// reference.
func TestAPIMExamples(t *testing.T) {
	t.Parallel()
	// "Transform response body": "<!-- Copy all nodes directly-->".
	ss, err := Compile(`<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
            <xsl:output omit-xml-declaration="yes" method="xml" indent="yes" />
            <!-- Copy all nodes directly-->
            <xsl:template match="node()| @*|*">
                <xsl:copy>
                    <xsl:apply-templates select="@* | node()|*" />
                </xsl:copy>
            </xsl:template>
          </xsl:stylesheet>`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ss.Transform([]byte(`<a x="1"><b>t</b><c/></a>`), nil)
	if want := "<a x=\"1\">\n  <b>t</b>\n  <c />\n</a>"; err != nil || string(out) != want {
		t.Errorf("copy all nodes: %q, %v; want %q", out, err, want)
	}
	// "Transform request body": the User-Agent parameter on the root.
	ss, err = Compile(`<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
            <xsl:output method="xml" indent="yes" />
            <xsl:param name="User-Agent" />
            <xsl:template match="* | @* | node()">
                <xsl:copy>
                    <xsl:if test="self::* and not(parent::*)">
                        <xsl:attribute name="User-Agent">
                            <xsl:value-of select="$User-Agent" />
                        </xsl:attribute>
                    </xsl:if>
                    <xsl:apply-templates select="* | @* | node()" />
                </xsl:copy>
            </xsl:template>
        </xsl:stylesheet>`)
	if err != nil {
		t.Fatal(err)
	}
	out, err = ss.Transform([]byte(`<a><b/></a>`), map[string]string{"User-Agent": "non-specified"})
	if want := "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a User-Agent=\"non-specified\">\n  <b />\n</a>"; err != nil || string(out) != want {
		t.Errorf("user agent: %q, %v; want %q", out, err, want)
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	const head = `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">`
	tests := []struct {
		name, src, msg string
		at             string // the stylesheet text at the error's offset
	}{
		{"import", head + `<xsl:import href="a.xsl"/></xsl:stylesheet>`, "<xsl:import> is not supported", "<xsl:import"},
		{"include", head + `<xsl:include href="a.xsl"/></xsl:stylesheet>`, "<xsl:include> is not supported", "<xsl:include"},
		{"key element", head + `<xsl:key name="k" match="a" use="@id"/></xsl:stylesheet>`, "<xsl:key> is not supported", "<xsl:key"},
		{"key function", head + `<xsl:template match="/"><xsl:value-of select="key('k', 'a')"/></xsl:template></xsl:stylesheet>`, "key() is not supported", "<xsl:value-of"},
		{"document function", head + `<xsl:template match="/"><xsl:copy-of select="document('x.xml')"/></xsl:template></xsl:stylesheet>`, "document() is not supported", "<xsl:copy-of"},
		{"number", head + `<xsl:template match="/"><xsl:number/></xsl:template></xsl:stylesheet>`, "<xsl:number> is not supported", "<xsl:number"},
		{"message terminate", head + `<xsl:template match="/"><xsl:message terminate="yes">x</xsl:message></xsl:template></xsl:stylesheet>`, "<xsl:message> is not supported", "<xsl:message"},
		{"extension elements", `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:e="urn:e" extension-element-prefixes="e"/>`, "extension elements are not supported", "<xsl:stylesheet"},
		{"extension function", head + `<xsl:template match="/"><xsl:value-of select="e:f()" xmlns:e="urn:e"/></xsl:template></xsl:stylesheet>`, "extension function e:f()", "<xsl:value-of"},
		{"XPath 2 function", head + `<xsl:template match="/"><xsl:value-of select="lower-case('A')"/></xsl:template></xsl:stylesheet>`, "not an XPath 1.0 function", "<xsl:value-of"},
		{"undeclared variable", head + `<xsl:template match="/"><xsl:value-of select="$nope"/></xsl:template></xsl:stylesheet>`, "$nope is not declared", "<xsl:value-of"},
		{"variable out of scope", head + `<xsl:template match="/"><xsl:if test="1"><xsl:variable name="v" select="1"/></xsl:if><xsl:value-of select="$v"/></xsl:template></xsl:stylesheet>`, "$v is not declared", "<xsl:value-of"},
		{"bad XPath", head + `<xsl:template match="/"><xsl:value-of select="a[["/></xsl:template></xsl:stylesheet>`, "XPath", "<xsl:value-of"},
		{"bad pattern axis", head + `<xsl:template match="ancestor::a"/></xsl:stylesheet>`, "child and attribute axes", "<xsl:template"},
		{"unknown call", head + `<xsl:template match="/"><xsl:call-template name="nope"/></xsl:template></xsl:stylesheet>`, `no template is named "nope"`, "<xsl:call-template"},
		{"circular globals", head + `<xsl:variable name="a" select="$b"/><xsl:variable name="b" select="$a"/></xsl:stylesheet>`, "in terms of itself", "<xsl:variable"},
		{"output method html", head + `<xsl:output method="html"/></xsl:stylesheet>`, `method "html" is not supported`, "<xsl:output"},
		{"unknown attribute", head + `<xsl:template match="/" as="x"/></xsl:stylesheet>`, "attribute as is not supported", "<xsl:template"},
		{"not a stylesheet", `<root/>`, "must be xsl:stylesheet", "<root"},
		{"not well-formed", head + `<xsl:template match="/"></xsl:stylesheet>`, "not well-formed", ""},
		{"select and content", head + `<xsl:variable name="v" select="1">x</xsl:variable></xsl:stylesheet>`, "both a select attribute and content", "<xsl:variable"},
		{"literal xsl attribute", head + `<xsl:template match="/"><r xsl:use-attribute-sets="s"/></xsl:template></xsl:stylesheet>`, "xsl:use-attribute-sets is not supported", "<r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(tt.src)
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("Compile = %v, want an *Error", err)
			}
			if !strings.Contains(xe.Msg, tt.msg) {
				t.Errorf("message %q, want it to contain %q", xe.Msg, tt.msg)
			}
			if tt.at != "" && !strings.HasPrefix(tt.src[xe.Offset:], tt.at) {
				t.Errorf("offset %d points at %.20q, want %q", xe.Offset, tt.src[xe.Offset:], tt.at)
			}
		})
	}
}

func TestTransformErrors(t *testing.T) {
	t.Parallel()
	ss, err := Compile(sheet(`<xsl:template match="/"><xsl:call-template name="loop"/></xsl:template><xsl:template name="loop"><xsl:call-template name="loop"/></xsl:template>`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ss.Transform([]byte(`<a/>`), nil); err == nil || !strings.Contains(err.Error(), "deeper than") {
		t.Errorf("endless recursion: %v", err)
	}
	for _, in := range []string{`<a>`, ``, `not xml`, strings.Repeat("<a>", maxInputDepth+2) + strings.Repeat("</a>", maxInputDepth+2)} {
		if _, err := ss.Transform([]byte(in), nil); !errors.Is(err, ErrInput) {
			t.Errorf("Transform(%.30q) = %v, want ErrInput", in, err)
		}
	}
	ss, err = Compile(sheet(`<xsl:template match="/"><r><x/><xsl:attribute name="late">1</xsl:attribute></r></xsl:template>`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ss.Transform([]byte(`<a/>`), nil); err == nil || !strings.Contains(err.Error(), "after its children") {
		t.Errorf("attribute after children: %v", err)
	}
}

// TestConcurrentTransforms runs one Stylesheet from many goroutines (run
// with -race).
func TestConcurrentTransforms(t *testing.T) {
	t.Parallel()
	ss, err := Compile(sheet(`<xsl:param name="p"/><xsl:template match="/"><xsl:for-each select="//item"><xsl:variable name="v" select="concat(@sku, $p)"/><xsl:value-of select="$v"/></xsl:for-each></xsl:template>`))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	for i := range 8 {
		go func() {
			p := strings.Repeat("x", i)
			out, err := ss.Transform([]byte(orderXML), map[string]string{"p": p})
			if err != nil || string(out) != "b"+p+"a"+p {
				done <- string(out)
				return
			}
			done <- ""
		}()
	}
	for range 8 {
		if bad := <-done; bad != "" {
			t.Errorf("concurrent transform gave %q", bad)
		}
	}
}
