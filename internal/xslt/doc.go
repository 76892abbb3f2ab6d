// Package xslt runs a documented subset of XSLT 1.0, the language of
// APIM's xsl-transform policy, on top of the XPath 1.0 engine of
// github.com/antchfx/xpath. Compile reads and checks a stylesheet once,
// when a policy is compiled: every XPath expression and pattern is
// compiled then, and anything outside the subset (xsl:import,
// xsl:include, xsl:key and key(), document(), xsl:number, xsl:message,
// extension elements and functions, ...) is refused with its byte
// offset, never ignored. Stylesheet.Transform then only runs it, once
// per message: it parses the input document, applies the templates and
// serializes the result as xsl:output asks.
//
// The package sits under the policy compiler in the data flow: the
// xsl-transform element of internal/policy/builtin compiles its
// stylesheet with it; the gateway's request path calls Transform. It
// performs no I/O beyond its arguments, starts no goroutine, and a
// Stylesheet is immutable and safe for concurrent use.
package xslt
