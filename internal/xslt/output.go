package xslt

import (
	"bytes"
	"errors"
	"strings"

	"github.com/antchfx/xmlquery"
)

// maxOutput bounds the serialized result.
const maxOutput = 64 << 20

var errTooLarge = errors.New("the result is larger than 64 MiB")

// serialize writes the result tree as xsl:output asks: method xml (the
// default) writes the XML declaration unless omit-xml-declaration is
// "yes", empty elements as <a />, and with indent="yes" starts each
// element on a new line indented by two spaces per level, except in
// mixed content (as .NET's XmlWriter, which APIM uses, does); method
// text writes the text nodes only.
func (s *Stylesheet) serialize(root *xmlquery.Node) ([]byte, error) {
	var b bytes.Buffer
	if s.out.text {
		var sb strings.Builder
		appendText(&sb, root)
		if sb.Len() > maxOutput {
			return nil, errTooLarge
		}
		return []byte(sb.String()), nil
	}
	w := &writer{b: &b, indent: s.out.indent}
	if !s.out.omitDecl {
		b.WriteString(`<?xml version="1.0" encoding="utf-8"`)
		if s.out.standalone != "" {
			b.WriteString(` standalone="` + s.out.standalone + `"`)
		}
		b.WriteString("?>")
	}
	scope := map[string]string{"xml": "http://www.w3.org/XML/1998/namespace"}
	indentKids := !hasText(root)
	for k := root.FirstChild; k != nil; k = k.NextSibling {
		if err := w.node(k, 0, indentKids, scope); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

type writer struct {
	b      *bytes.Buffer
	indent bool
}

// hasText reports whether n has a text child: mixed content, which is
// not indented.
func hasText(n *xmlquery.Node) bool {
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		if k.Type == xmlquery.TextNode {
			return true
		}
	}
	return false
}

func (w *writer) newline(depth int) {
	if w.b.Len() == 0 {
		return
	}
	w.b.WriteByte('\n')
	for range depth {
		w.b.WriteString("  ")
	}
}

func (w *writer) node(n *xmlquery.Node, depth int, indent bool, scope map[string]string) error {
	if w.b.Len() > maxOutput {
		return errTooLarge
	}
	switch n.Type {
	case xmlquery.TextNode:
		textEscaper.WriteString(w.b, n.Data)
	case xmlquery.CommentNode:
		if w.indent && indent {
			w.newline(depth)
		}
		w.b.WriteString("<!--" + n.Data + "-->")
	case xmlquery.ElementNode:
		if w.indent && indent {
			w.newline(depth)
		}
		return w.element(n, depth, scope)
	}
	return nil
}

func (w *writer) element(n *xmlquery.Node, depth int, outer map[string]string) error {
	name := n.Data
	if n.Prefix != "" {
		name = n.Prefix + ":" + n.Data
	}
	w.b.WriteString("<" + name)
	scope, copied := outer, false
	declare := func(prefix, uri string) {
		if cur, ok := scope[prefix]; ok && cur == uri || !ok && prefix == "" && uri == "" {
			return
		}
		if !copied {
			m := make(map[string]string, len(outer)+1)
			for k, v := range outer {
				m[k] = v
			}
			scope, copied = m, true
		}
		scope[prefix] = uri
		if prefix == "" {
			w.b.WriteString(` xmlns="`)
		} else {
			w.b.WriteString(" xmlns:" + prefix + `="`)
		}
		attrEscaper.WriteString(w.b, uri)
		w.b.WriteByte('"')
	}
	for _, a := range n.Attr {
		if isNSDecl(a) {
			if a.Name.Space == "xmlns" {
				declare(a.Name.Local, a.Value)
			} else {
				declare("", a.Value)
			}
		}
	}
	declare(n.Prefix, n.NamespaceURI)
	for _, a := range n.Attr {
		if isNSDecl(a) {
			continue
		}
		an := a.Name.Local
		if a.Name.Space != "" {
			an = a.Name.Space + ":" + a.Name.Local
		}
		w.b.WriteString(" " + an + `="`)
		attrEscaper.WriteString(w.b, a.Value)
		w.b.WriteByte('"')
		if a.Name.Space != "" {
			declare(a.Name.Space, a.NamespaceURI) // after the attribute, as .NET's XmlWriter writes it
		}
	}
	if n.FirstChild == nil {
		w.b.WriteString(" />")
		return nil
	}
	w.b.WriteByte('>')
	indentKids := !hasText(n)
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		if err := w.node(k, depth+1, indentKids, scope); err != nil {
			return err
		}
	}
	if w.indent && indentKids {
		w.newline(depth)
	}
	w.b.WriteString("</" + name + ">")
	return nil
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;",
		"\n", "&#xA;", "\r", "&#xD;", "\t", "&#x9;")
)
