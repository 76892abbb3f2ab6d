package policy

import (
	"strings"
)

// Render writes d as a <policies> document that Parse reads back to the
// same elements. Expressions are written as they are.
func Render(d *Document) string {
	var b strings.Builder
	b.WriteString("<policies>\n")
	for s := range numSections {
		nodes, _ := d.Section(s)
		b.WriteString("\t<" + sectionNames[s] + ">\n")
		for _, n := range nodes {
			renderNode(&b, n, 2)
		}
		b.WriteString("\t</" + sectionNames[s] + ">\n")
	}
	b.WriteString("</policies>\n")
	return b.String()
}

func renderNode(b *strings.Builder, n *Node, depth int) {
	indent := strings.Repeat("\t", depth)
	b.WriteString(indent + "<" + n.Name)
	for _, a := range n.Attrs {
		b.WriteString(" " + a.Name + `="`)
		if strings.HasPrefix(a.Value, "@") {
			b.WriteString(a.Value) // the reader takes expressions whole
		} else {
			b.WriteString(escapeAttr(a.Value))
		}
		b.WriteString(`"`)
	}
	if len(n.Children) == 0 && n.Text == "" {
		b.WriteString(" />\n")
		return
	}
	b.WriteString(">")
	if n.Text != "" {
		if strings.HasPrefix(n.Text, "@") {
			b.WriteString(n.Text)
		} else {
			b.WriteString(escapeText(n.Text))
		}
	}
	if len(n.Children) > 0 {
		b.WriteString("\n")
		for _, ch := range n.Children {
			renderNode(b, ch, depth+1)
		}
		b.WriteString(indent)
	}
	b.WriteString("</" + n.Name + ">\n")
}

var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;")
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escapeAttr(s string) string { return attrEscaper.Replace(s) }
func escapeText(s string) string { return textEscaper.Replace(s) }
