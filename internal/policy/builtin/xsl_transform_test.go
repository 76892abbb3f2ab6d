package builtin

import (
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

const xslHead = `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">`

func TestXSLTransform(t *testing.T) {
	t.Parallel()
	doc := "<policies><inbound><xsl-transform>" +
		`<parameter parameter-name="who">@(context.Request.Headers.GetValueOrDefault("X-Who","anon"))</parameter>` +
		xslHead + `<xsl:output omit-xml-declaration="yes"/><xsl:param name="who"/>` +
		`<xsl:template match="/in"><out who="{$who}"><xsl:value-of select="."/></out></xsl:template></xsl:stylesheet>` +
		"</xsl-transform></inbound><outbound /></policies>"
	c := run(t, doc, func(c *policy.Context) {
		c.Request.Headers.Set("X-Who", "ann")
		c.Request.Headers.Set("Content-Type", "application/xml")
		c.Request.Body = expr.BodyOf([]byte(`<in>x</in>`))
	})
	if body, _ := c.Request.Body.Bytes(); string(body) != `<out who="ann">x</out>` {
		t.Errorf("request body = %s", body)
	}
	if ct := c.Request.Headers.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("request Content-Type = %q, want it unchanged", ct)
	}
}

func TestXSLTransformResponse(t *testing.T) {
	t.Parallel()
	p, err := compileDoc(nil, "<policies><inbound /><outbound><xsl-transform>"+xslHead+
		`<xsl:output method="text"/><xsl:template match="/">[<xsl:value-of select="r"/>]</xsl:template></xsl:stylesheet>`+
		"</xsl-transform></outbound></policies>")
	if err != nil {
		t.Fatal(err)
	}
	c := &policy.Context{Context: expr.Context{Request: &expr.Request{Method: "GET", Headers: http.Header{}},
		Response: &expr.Response{StatusCode: 200, Headers: http.Header{"Content-Type": {"text/xml"}}, Body: expr.BodyOf([]byte(`<r>ok</r>`))}}}
	if err := p.Run(policy.Outbound, c); err != nil {
		t.Fatal(err)
	}
	if body, _ := c.Response.Body.Bytes(); string(body) != "[ok]" {
		t.Errorf("response body = %s", body)
	}
	c.Response.Body = expr.BodyOf([]byte(`not xml`))
	if err := p.Run(policy.Outbound, c); err == nil {
		t.Error("a response body that is not XML transformed without an error")
	}
}

func TestXSLTransformCompileErrors(t *testing.T) {
	t.Parallel()
	checkCompileErrors(t, []compileErrorCase{
		{"xsl:import at its line and column", "<policies><inbound><xsl-transform>\n  " + xslHead + "\n    <xsl:import href=\"a.xsl\"/>\n  </xsl:stylesheet>\n</xsl-transform></inbound></policies>",
			"3:5: <xsl:stylesheet>: <xsl:import> is not supported"},
		{"key() at its line and column", "<policies><inbound><xsl-transform>" + xslHead + "\n<xsl:template match=\"/\">\n  <xsl:value-of select=\"key('k','v')\"/></xsl:template></xsl:stylesheet></xsl-transform></inbound></policies>",
			"3:3: <xsl:stylesheet>: <xsl:value-of> select: the function key() is not supported"},
		{"no stylesheet", inbound(`<xsl-transform><parameter parameter-name="a">b</parameter></xsl-transform>`), "an <xsl:stylesheet> element is required"},
		{"parameter without name", inbound(`<xsl-transform><parameter>b</parameter>` + xslHead + `</xsl:stylesheet></xsl-transform>`), "attribute parameter-name is required"},
		{"backend section", "<policies><backend><xsl-transform>" + xslHead + "</xsl:stylesheet></xsl-transform></backend></policies>", "belongs in inbound or outbound"},
		{"undeclared xsl prefix", inbound(`<xsl-transform><xsl:stylesheet version="1.0"/></xsl-transform>`), `namespace prefix "xsl"`},
		{"bad parameter expression", inbound(`<xsl-transform><parameter parameter-name="a">@(nope(</parameter>` + xslHead + `</xsl:stylesheet></xsl-transform>`), "expression"},
	})
}

func TestXSLTransformRefusesBadRequestXML(t *testing.T) {
	t.Parallel()
	c := run(t, inbound(`<xsl-transform>`+xslHead+`<xsl:template match="/"><ok/></xsl:template></xsl:stylesheet></xsl-transform>`), func(c *policy.Context) {
		c.Request.Body = expr.BodyOf([]byte(`<a><b></a>`))
	})
	refusedWith(t, c, http.StatusBadRequest, "The request body is not well-formed XML.")
}
