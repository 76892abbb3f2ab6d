package xslt

import (
	"errors"
	"testing"
)

// FuzzCompile checks that any stylesheet text either compiles or is
// refused with an *Error whose offset lies in the text, and that a
// compiled one transforms a small document without panicking.
func FuzzCompile(f *testing.F) {
	f.Add(sheet(`<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>`))
	f.Add(sheet(`<xsl:param name="p"/><xsl:template match="/"><r a="{$p}"><xsl:for-each select="//b"><xsl:sort select="@n" data-type="number"/><xsl:value-of select="position()"/></xsl:for-each></r></xsl:template>`))
	f.Add(sheet(`<xsl:template match="a[current()/@x]|b//c"><xsl:choose><xsl:when test="1">x</xsl:when><xsl:otherwise/></xsl:choose></xsl:template>`))
	f.Add(sheet(`<xsl:variable name="v"><x/></xsl:variable><xsl:template match="/"><xsl:copy-of select="$v"/><xsl:element name="{name(*)}"/></xsl:template>`))
	f.Add(`<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:import href="x"/></xsl:stylesheet>`)
	f.Add(`<a`)
	f.Fuzz(func(t *testing.T, src string) {
		ss, err := Compile(src)
		if err != nil {
			var xe *Error
			if !errors.As(err, &xe) || xe.Offset < 0 || xe.Offset > len(src) {
				t.Fatalf("Compile error %v is not an *Error inside the text", err)
			}
			return
		}
		_, _ = ss.Transform([]byte(`<a x="1"><b n="2">t</b><b n="1"/><!--c--></a>`), map[string]string{"p": "v"})
	})
}

// FuzzTransform runs an identity stylesheet and one that uses most
// instructions over any input: no panic, and either a result or an
// error.
func FuzzTransform(f *testing.F) {
	identity, err := Compile(sheet(`<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>`))
	if err != nil {
		f.Fatal(err)
	}
	busy, err := Compile(sheet(`<xsl:strip-space elements="*"/><xsl:template match="/"><r n="{count(//*)}"><xsl:for-each select="//*"><xsl:sort select="name()"/><xsl:variable name="e" select="."/><xsl:element name="{local-name($e)}"><xsl:copy-of select="@*"/><xsl:value-of select="normalize-space(.)"/></xsl:element></xsl:for-each></r></xsl:template>`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`<order id="7"><item sku="a&amp;b">2</item><note/></order>`))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE a><a xmlns="urn:a" xmlns:p="urn:p" p:x="1"><![CDATA[x]]><?pi x?></a>`))
	f.Add([]byte(`<a><b></a>`))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, ss := range []*Stylesheet{identity, busy} {
			out, err := ss.Transform(in, nil)
			if err == nil && out == nil {
				t.Fatal("Transform returned neither a result nor an error")
			}
		}
	})
}
