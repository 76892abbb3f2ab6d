package xslt

import (
	"fmt"
	"sort"
	"strings"

	"github.com/antchfx/xmlquery"
)

// add appends n to the current result node.
func (x *run) add(n *xmlquery.Node) error {
	x.count++
	if x.count > maxOutputNodes {
		return fmt.Errorf("the result has more than %d nodes", maxOutputNodes)
	}
	xmlquery.AddChild(x.out, n)
	return nil
}

// text appends text, merged with a text node before it.
func (x *run) text(s string) error {
	if s == "" {
		return nil
	}
	if l := x.out.LastChild; l != nil && l.Type == xmlquery.TextNode {
		l.Data += s
		return nil
	}
	return x.add(&xmlquery.Node{Type: xmlquery.TextNode, Data: s})
}

// setAttr adds an attribute to the current result element.
func (x *run) setAttr(prefix, local, uri, v string) error {
	e := x.out
	if e.Type != xmlquery.ElementNode {
		return nil // an attribute for the root or a fragment is ignored, as XSLT 1.0 allows
	}
	if e.FirstChild != nil {
		return fmt.Errorf("attribute %s is added to <%s> after its children", local, e.Data)
	}
	for i, a := range e.Attr {
		if !isNSDecl(a) && a.Name.Local == local && a.NamespaceURI == uri {
			e.Attr[i].Value = v
			return nil
		}
	}
	a := xmlquery.Attr{Value: v, NamespaceURI: uri}
	a.Name.Space, a.Name.Local = prefix, local
	e.Attr = append(e.Attr, a)
	return nil
}

func (t *textInstr) run(x *run, _ *ctx) error { return x.text(t.s) }

func (l *literal) run(x *run, c *ctx) error {
	e := &xmlquery.Node{Type: xmlquery.ElementNode, Data: l.local, Prefix: l.prefix, NamespaceURI: l.uri}
	e.Attr = append(e.Attr, l.decls...)
	for _, a := range l.attrs {
		v, err := a.v.eval(x, c)
		if err != nil {
			return err
		}
		at := xmlquery.Attr{Value: v, NamespaceURI: a.uri}
		at.Name.Space, at.Name.Local = a.prefix, a.local
		e.Attr = append(e.Attr, at)
	}
	if err := x.add(e); err != nil {
		return err
	}
	return x.into(e, l.body, c)
}

func (a *applyTemplates) run(x *run, c *ctx) error {
	nodes, err := x.nodes(a.sel, c)
	if err != nil {
		return err
	}
	if nodes, err = x.sorted(nodes, a.sorts, c); err != nil {
		return err
	}
	params, err := x.params(a.params, c)
	if err != nil {
		return err
	}
	return x.apply(nodes, a.mode, params, c)
}

func (ct *callTemplate) run(x *run, c *ctx) error {
	params, err := x.params(ct.params, c)
	if err != nil {
		return err
	}
	x.depth++
	defer func() { x.depth-- }()
	if x.depth > maxCallDepth {
		return fmt.Errorf("templates are called deeper than %d", maxCallDepth)
	}
	return x.invoke(ct.t, params, c)
}

func (v *valueOf) run(x *run, c *ctx) error {
	s, err := x.str(v.sel, c)
	if err != nil {
		return err
	}
	return x.text(s)
}

func (co *copyOf) run(x *run, c *ctx) error {
	v := fromResult(x.eval(co.sel, c))
	if len(v.items) == 1 && v.items[0].n.Parent == nil && v.items[0].n.Type == xmlquery.TextNode {
		return x.text(v.items[0].n.Data) // a string, number or boolean
	}
	for _, r := range v.items {
		if err := x.deepCopy(r); err != nil {
			return err
		}
	}
	return nil
}

// deepCopy adds a copy of r and everything under it.
func (x *run) deepCopy(r ref) error {
	if r.attr >= 0 {
		a := r.n.Attr[r.attr]
		return x.setAttr(a.Name.Space, a.Name.Local, a.NamespaceURI, a.Value)
	}
	switch r.n.Type {
	case xmlquery.DocumentNode:
		for k := r.n.FirstChild; k != nil; k = k.NextSibling {
			if err := x.deepCopy(ref{n: k, attr: -1}); err != nil {
				return err
			}
		}
		return nil
	case xmlquery.ElementNode:
		e := shallow(r.n)
		e.Attr = append([]xmlquery.Attr(nil), r.n.Attr...)
		if err := x.add(e); err != nil {
			return err
		}
		saved := x.out
		x.out = e
		defer func() { x.out = saved }()
		for k := r.n.FirstChild; k != nil; k = k.NextSibling {
			if err := x.deepCopy(ref{n: k, attr: -1}); err != nil {
				return err
			}
		}
		return nil
	case xmlquery.TextNode, xmlquery.CharDataNode:
		return x.text(r.n.Data)
	case xmlquery.CommentNode:
		return x.add(&xmlquery.Node{Type: xmlquery.CommentNode, Data: r.n.Data})
	}
	return nil
}

// shallow copies an element's name and its namespace declarations.
func shallow(n *xmlquery.Node) *xmlquery.Node {
	e := &xmlquery.Node{Type: xmlquery.ElementNode, Data: n.Data, Prefix: n.Prefix, NamespaceURI: n.NamespaceURI}
	for _, a := range n.Attr {
		if isNSDecl(a) {
			e.Attr = append(e.Attr, a)
		}
	}
	return e
}

func (cp *copyInstr) run(x *run, c *ctx) error {
	r := c.node
	if r.attr >= 0 {
		return x.deepCopy(r)
	}
	switch r.n.Type {
	case xmlquery.DocumentNode:
		return x.body(cp.body, c)
	case xmlquery.ElementNode:
		e := shallow(r.n)
		if err := x.add(e); err != nil {
			return err
		}
		return x.into(e, cp.body, c)
	}
	return x.deepCopy(r)
}

func (f *forEach) run(x *run, c *ctx) error {
	nodes, err := x.nodes(f.sel, c)
	if err != nil {
		return err
	}
	if nodes, err = x.sorted(nodes, f.sorts, c); err != nil {
		return err
	}
	for i, r := range nodes {
		nc := &ctx{node: r, pos: i + 1, size: len(nodes), vals: c.vals, mode: c.mode}
		if err := x.body(f.body, nc); err != nil {
			return err
		}
	}
	return nil
}

func (in *ifInstr) run(x *run, c *ctx) error {
	if x.test(in.test, c) {
		return x.body(in.body, c)
	}
	return nil
}

func (ch *choose) run(x *run, c *ctx) error {
	for _, w := range ch.whens {
		if x.test(w.test, c) {
			return x.body(w.body, c)
		}
	}
	return x.body(ch.otherwise, c)
}

func (v *variable) run(x *run, c *ctx) error {
	val, err := x.bind(v.sel, v.body, c)
	if err != nil {
		return err
	}
	c.vals[v.slot] = val
	return nil
}

// qname evaluates a name and namespace of xsl:element or xsl:attribute.
func qname(x *run, c *ctx, name, ns *avt, scope map[string]string, attr bool) (prefix, local, uri string, err error) {
	n, err := name.eval(x, c)
	if err != nil {
		return "", "", "", err
	}
	n = strings.TrimSpace(n)
	prefix, local, ok := strings.Cut(n, ":")
	if !ok {
		prefix, local = "", n
	}
	if local == "" || strings.ContainsAny(local, " :<>&\"'") || !isNameStart(local[0]) {
		return "", "", "", fmt.Errorf("%q is not a valid name", n)
	}
	if ns != nil {
		if uri, err = ns.eval(x, c); err != nil {
			return "", "", "", err
		}
		if uri != "" && prefix == "" && attr {
			prefix = "ns0"
		}
		return prefix, local, uri, nil
	}
	if prefix == "" && attr {
		return "", local, "", nil
	}
	uri, ok = scope[prefix]
	if !ok && prefix != "" {
		return "", "", "", fmt.Errorf("namespace prefix %q of %q is not declared", prefix, n)
	}
	return prefix, local, uri, nil
}

func (el *element) run(x *run, c *ctx) error {
	prefix, local, uri, err := qname(x, c, el.name, el.ns, el.scope, false)
	if err != nil {
		return fmt.Errorf("xsl:element: %w", err)
	}
	e := &xmlquery.Node{Type: xmlquery.ElementNode, Data: local, Prefix: prefix, NamespaceURI: uri}
	if err := x.add(e); err != nil {
		return err
	}
	return x.into(e, el.body, c)
}

// textOf runs body into a fragment and returns its text.
func (x *run) textOf(body []instr, c *ctx) (string, error) {
	frag := &xmlquery.Node{Type: xmlquery.DocumentNode}
	if err := x.into(frag, body, c); err != nil {
		return "", err
	}
	return stringValue(ref{n: frag, attr: -1}), nil
}

func (at *attribute) run(x *run, c *ctx) error {
	prefix, local, uri, err := qname(x, c, at.name, at.ns, at.scope, true)
	if err != nil {
		return fmt.Errorf("xsl:attribute: %w", err)
	}
	if prefix == "xmlns" || prefix == "" && local == "xmlns" {
		return fmt.Errorf("xsl:attribute: %q may not be created as an attribute", local)
	}
	v, err := x.textOf(at.body, c)
	if err != nil {
		return err
	}
	return x.setAttr(prefix, local, uri, v)
}

func (cm *comment) run(x *run, c *ctx) error {
	s, err := x.textOf(cm.body, c)
	if err != nil {
		return err
	}
	return x.add(&xmlquery.Node{Type: xmlquery.CommentNode, Data: s})
}

// sortAttrs orders namespace declarations by prefix, for stable output.
func sortAttrs(as []xmlquery.Attr) {
	sort.Slice(as, func(i, j int) bool { return as[i].Name.Local < as[j].Name.Local })
}
