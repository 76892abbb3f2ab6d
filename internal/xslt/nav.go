package xslt

import (
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// ref is a node: n itself (attr -1) or its attr-th attribute.
type ref struct {
	n    *xmlquery.Node
	attr int
}

// env is what an expression sees of XSLT's context: the variables'
// values by slot, the current node, and the position and size of the
// current node list. The navigator shows it as virtual attributes of
// the root (see rewrite).
type env struct {
	vals      []*value
	names     []string // slotAttr of each slot
	current   ref
	pos, size int
	posNode   *xmlquery.Node // text nodes holding pos and size, made when asked
	sizeNode  *xmlquery.Node
}

// alias entries: slots, then current, position and size.
func (e *env) entries(slot int) []ref {
	switch {
	case slot < len(e.vals):
		if v := e.vals[slot]; v != nil {
			return v.items
		}
		return nil
	case slot == len(e.vals):
		return []ref{e.current}
	case slot == len(e.vals)+1:
		if e.posNode == nil {
			e.posNode = textNode(formatNumber(float64(e.pos)))
		}
		return []ref{{n: e.posNode, attr: -1}}
	case slot == len(e.vals)+2:
		if e.sizeNode == nil {
			e.sizeNode = textNode(formatNumber(float64(e.size)))
		}
		return []ref{{n: e.sizeNode, attr: -1}}
	}
	return nil
}

func (e *env) name(slot int) string {
	switch slot - len(e.vals) {
	case 0:
		return attrCurrent
	case 1:
		return attrPosition
	case 2:
		return attrSize
	}
	return e.names[slot]
}

// nav is an xpath.NodeNavigator over xmlquery trees. A node without a
// parent (a document, or a value's text node) also has the virtual
// attributes of env: while on one (slot >= 0) the navigator is an
// alias, whose parent is the node it stands for.
type nav struct {
	env  *env
	n    *xmlquery.Node
	attr int
	slot int // -1: not an alias
	idx  int
}

var _ xpath.NodeNavigator = (*nav)(nil)

func newNav(e *env, r ref) *nav { return &nav{env: e, n: r.n, attr: r.attr, slot: -1} }

func (x *nav) alias() ref { return x.env.entries(x.slot)[x.idx] }

func (x *nav) NodeType() xpath.NodeType {
	if x.slot >= 0 || x.attr >= 0 {
		return xpath.AttributeNode
	}
	switch x.n.Type {
	case xmlquery.DocumentNode:
		return xpath.RootNode
	case xmlquery.ElementNode:
		return xpath.ElementNode
	case xmlquery.CommentNode:
		return xpath.CommentNode
	}
	return xpath.TextNode
}

func (x *nav) LocalName() string {
	switch {
	case x.slot >= 0:
		return x.env.name(x.slot)
	case x.attr >= 0:
		return x.n.Attr[x.attr].Name.Local
	case x.n.Type == xmlquery.ElementNode:
		return x.n.Data
	}
	return ""
}

func (x *nav) Prefix() string {
	switch {
	case x.slot >= 0:
		return ""
	case x.attr >= 0:
		return x.n.Attr[x.attr].Name.Space
	case x.n.Type == xmlquery.ElementNode:
		return x.n.Prefix
	}
	return ""
}

// NamespaceURL lets prefixed name tests compare namespaces.
func (x *nav) NamespaceURL() string {
	switch {
	case x.slot >= 0:
		return ""
	case x.attr >= 0:
		return x.n.Attr[x.attr].NamespaceURI
	}
	return x.n.NamespaceURI
}

func (x *nav) Value() string {
	if x.slot >= 0 {
		return stringValue(x.alias())
	}
	return stringValue(ref{x.n, x.attr})
}

func (x *nav) Copy() xpath.NodeNavigator { c := *x; return &c }

func (x *nav) MoveToRoot() {
	x.slot, x.attr = -1, -1
	for x.n.Parent != nil {
		x.n = x.n.Parent
	}
}

func (x *nav) MoveToParent() bool {
	switch {
	case x.slot >= 0:
		r := x.alias()
		x.n, x.attr, x.slot = r.n, r.attr, -1
		return true
	case x.attr >= 0:
		x.attr = -1
		return true
	case x.n.Parent != nil:
		x.n = x.n.Parent
		return true
	}
	return false
}

func (x *nav) MoveToNextAttribute() bool {
	if x.slot >= 0 {
		for s, i := x.slot, x.idx+1; s <= len(x.env.vals)+2; s, i = s+1, 0 {
			if i < len(x.env.entries(s)) {
				x.slot, x.idx = s, i
				return true
			}
		}
		return false
	}
	if x.n.Type == xmlquery.ElementNode {
		for i := x.attr + 1; i < len(x.n.Attr); i++ {
			if !isNSDecl(x.n.Attr[i]) {
				x.attr = i
				return true
			}
		}
		return false
	}
	if x.attr < 0 && x.n.Parent == nil && x.env != nil {
		for s := 0; s <= len(x.env.vals)+2; s++ {
			if len(x.env.entries(s)) > 0 {
				x.slot, x.idx = s, 0
				return true
			}
		}
	}
	return false
}

func (x *nav) MoveToChild() bool {
	if x.slot >= 0 || x.attr >= 0 || x.n.FirstChild == nil {
		return false
	}
	x.n = x.n.FirstChild
	return true
}

func (x *nav) MoveToFirst() bool {
	if x.slot >= 0 || x.attr >= 0 || x.n.PrevSibling == nil {
		return false
	}
	for x.n.PrevSibling != nil {
		x.n = x.n.PrevSibling
	}
	return true
}

func (x *nav) MoveToNext() bool {
	if x.slot >= 0 || x.attr >= 0 || x.n.NextSibling == nil {
		return false
	}
	x.n = x.n.NextSibling
	return true
}

func (x *nav) MoveToPrevious() bool {
	if x.slot >= 0 || x.attr >= 0 || x.n.PrevSibling == nil {
		return false
	}
	x.n = x.n.PrevSibling
	return true
}

func (x *nav) MoveTo(other xpath.NodeNavigator) bool {
	o, ok := other.(*nav)
	if !ok {
		return false
	}
	*x = *o
	return true
}

// isNSDecl reports whether a is a namespace declaration, which XPath
// does not see as an attribute.
func isNSDecl(a xmlquery.Attr) bool {
	return a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns"
}

// stringValue is XPath's string-value of r.
func stringValue(r ref) string {
	if r.attr >= 0 {
		return r.n.Attr[r.attr].Value
	}
	switch r.n.Type {
	case xmlquery.DocumentNode, xmlquery.ElementNode:
		var b strings.Builder
		appendText(&b, r.n)
		return b.String()
	}
	return r.n.Data
}

func appendText(b *strings.Builder, n *xmlquery.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case xmlquery.TextNode, xmlquery.CharDataNode:
			b.WriteString(c.Data)
		case xmlquery.ElementNode:
			appendText(b, c)
		}
	}
}

// textNode returns a text node without a parent.
func textNode(s string) *xmlquery.Node { return &xmlquery.Node{Type: xmlquery.TextNode, Data: s} }
