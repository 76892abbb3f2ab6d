package xslt

import (
	"strings"

	"github.com/antchfx/xmlquery"
)

// instr is one compiled instruction of a template body.
type instr interface {
	run(x *run, c *ctx) error
}

type (
	textInstr struct{ s string }
	literal   struct {
		prefix, local, uri string
		decls              []xmlquery.Attr // namespace declarations copied to the result
		attrs              []avtAttr
		body               []instr
	}
	avtAttr struct {
		prefix, local, uri string
		v                  *avt
	}
	applyTemplates struct {
		sel    *xexpr
		mode   string
		params []*withParam
		sorts  []*sortKey
	}
	callTemplate struct {
		name   string
		t      *template
		params []*withParam
		off    int
	}
	withParam struct {
		name string
		sel  *xexpr
		body []instr
	}
	sortKey struct {
		sel     *xexpr
		desc    bool
		numeric bool
	}
	valueOf   struct{ sel *xexpr }
	copyOf    struct{ sel *xexpr }
	copyInstr struct{ body []instr }
	forEach   struct {
		sel   *xexpr
		sorts []*sortKey
		body  []instr
	}
	ifInstr struct {
		test *xexpr
		body []instr
	}
	choose struct {
		whens     []*ifInstr
		otherwise []instr
	}
	variable struct {
		slot int
		sel  *xexpr
		body []instr
	}
	element struct {
		name, ns *avt
		scope    map[string]string
		body     []instr
	}
	attribute struct {
		name, ns *avt
		scope    map[string]string
		body     []instr
	}
	comment struct{ body []instr }
)

// body compiles the nodes of a template body; each xsl:variable is in
// scope for the siblings after it.
func (c *compiler) body(nodes []*snode, sc *scope, deps func(int)) ([]instr, error) {
	var out []instr
	for _, k := range nodes {
		if k.isText {
			out = append(out, &textInstr{s: k.text})
			continue
		}
		if k.uri != NS {
			in, err := c.literal(k, sc, deps)
			if err != nil {
				return nil, err
			}
			out = append(out, in)
			continue
		}
		if k.local == "variable" {
			if err := only(k, "name", "select"); err != nil {
				return nil, err
			}
			name, ok := k.attr("name")
			if !ok || name == "" {
				return nil, errAt(k, "<%s> needs a name", k.name())
			}
			v := &variable{slot: c.newSlot()}
			var err error
			if v.sel, v.body, err = c.binding(k, sc, deps); err != nil {
				return nil, err
			}
			sc = &scope{name: name, slot: v.slot, parent: sc}
			out = append(out, v)
			continue
		}
		in, err := c.instruction(k, sc, deps)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// expr compiles attribute name of k as an expression; required reports
// a missing one.
func (c *compiler) expr(k *snode, name string, sc *scope, deps func(int), required bool) (*xexpr, error) {
	v, ok := k.attr(name)
	if !ok {
		if required {
			return nil, errAt(k, "<%s> needs a %s attribute", k.name(), name)
		}
		return nil, nil
	}
	e, err := compileExpr(v, sc, k.ns, deps)
	if err != nil {
		return nil, errAt(k, "<%s> %s: %v", k.name(), name, err)
	}
	return e, nil
}

func (c *compiler) instruction(k *snode, sc *scope, deps func(int)) (instr, error) {
	switch k.local {
	case "apply-templates":
		if err := only(k, "select", "mode"); err != nil {
			return nil, err
		}
		a := &applyTemplates{}
		a.mode, _ = k.attr("mode")
		var err error
		if a.sel, err = c.expr(k, "select", sc, deps, false); err != nil {
			return nil, err
		}
		if a.sel == nil {
			a.sel, _ = compileExpr("child::node()", nil, nil, nil)
		}
		a.params, a.sorts, err = c.paramsAndSorts(k, sc, deps, true)
		return a, err
	case "call-template":
		if err := only(k, "name"); err != nil {
			return nil, err
		}
		ct := &callTemplate{off: k.off}
		var ok bool
		if ct.name, ok = k.attr("name"); !ok {
			return nil, errAt(k, "<%s> needs a name", k.name())
		}
		var err error
		ct.params, _, err = c.paramsAndSorts(k, sc, deps, false)
		c.calls = append(c.calls, ct)
		return ct, err
	case "value-of", "copy-of":
		if err := only(k, "select", "disable-output-escaping"); err != nil {
			return nil, err
		}
		if v, ok := k.attr("disable-output-escaping"); ok && v != "no" {
			return nil, errAt(k, "<%s> disable-output-escaping=%q is not supported", k.name(), v)
		}
		if err := noContent(k); err != nil {
			return nil, err
		}
		e, err := c.expr(k, "select", sc, deps, true)
		if err != nil {
			return nil, err
		}
		if k.local == "value-of" {
			return &valueOf{sel: e}, nil
		}
		return &copyOf{sel: e}, nil
	case "copy":
		if err := only(k); err != nil {
			return nil, err
		}
		body, err := c.body(k.kids, sc, deps)
		return &copyInstr{body: body}, err
	case "for-each":
		if err := only(k, "select"); err != nil {
			return nil, err
		}
		f := &forEach{}
		var err error
		if f.sel, err = c.expr(k, "select", sc, deps, true); err != nil {
			return nil, err
		}
		kids := k.kids
		for len(kids) > 0 && kids[0].isXSL("sort") {
			s, err := c.sortKey(kids[0], sc, deps)
			if err != nil {
				return nil, err
			}
			f.sorts = append(f.sorts, s)
			kids = kids[1:]
		}
		f.body, err = c.body(kids, sc, deps)
		return f, err
	case "if":
		return c.ifInstr(k, sc, deps)
	case "choose":
		return c.choose(k, sc, deps)
	case "element", "attribute":
		if err := only(k, "name", "namespace"); err != nil {
			return nil, err
		}
		name, ok := k.attr("name")
		if !ok {
			return nil, errAt(k, "<%s> needs a name", k.name())
		}
		nameAVT, err := compileAVT(name, sc, k.ns, deps)
		if err != nil {
			return nil, errAt(k, "<%s> name: %v", k.name(), err)
		}
		var nsAVT *avt
		if ns, ok := k.attr("namespace"); ok {
			if nsAVT, err = compileAVT(ns, sc, k.ns, deps); err != nil {
				return nil, errAt(k, "<%s> namespace: %v", k.name(), err)
			}
		}
		body, err := c.body(k.kids, sc, deps)
		if k.local == "element" {
			return &element{name: nameAVT, ns: nsAVT, scope: k.ns, body: body}, err
		}
		return &attribute{name: nameAVT, ns: nsAVT, scope: k.ns, body: body}, err
	case "text":
		if err := only(k, "disable-output-escaping"); err != nil {
			return nil, err
		}
		if v, ok := k.attr("disable-output-escaping"); ok && v != "no" {
			return nil, errAt(k, "<%s> disable-output-escaping=%q is not supported", k.name(), v)
		}
		var b strings.Builder
		for _, t := range k.kids {
			if !t.isText {
				return nil, errAt(t, "<%s> may hold only text, not <%s>", k.name(), t.name())
			}
			b.WriteString(t.text)
		}
		return &textInstr{s: b.String()}, nil
	case "comment":
		if err := only(k); err != nil {
			return nil, err
		}
		body, err := c.body(k.kids, sc, deps)
		return &comment{body: body}, err
	case "param":
		return nil, errAt(k, "<%s> belongs at the top level or first in a template", k.name())
	case "sort", "with-param", "when", "otherwise":
		return nil, errAt(k, "<%s> is not allowed here", k.name())
	}
	return nil, errAt(k, "<%s> is not supported (see the supported subset of XSLT 1.0 in docs/gateway.md)", k.name())
}

func noContent(k *snode) error {
	if len(k.kids) > 0 {
		return errAt(k.kids[0], "<%s> must be empty", k.name())
	}
	return nil
}

func (c *compiler) ifInstr(k *snode, sc *scope, deps func(int)) (*ifInstr, error) {
	if err := only(k, "test"); err != nil {
		return nil, err
	}
	test, err := c.expr(k, "test", sc, deps, true)
	if err != nil {
		return nil, err
	}
	body, err := c.body(k.kids, sc, deps)
	return &ifInstr{test: test, body: body}, err
}

func (c *compiler) choose(k *snode, sc *scope, deps func(int)) (*choose, error) {
	if err := only(k); err != nil {
		return nil, err
	}
	ch := &choose{}
	for i, w := range k.kids {
		switch {
		case w.isXSL("when") && ch.otherwise == nil:
			in, err := c.ifInstr(w, sc, deps)
			if err != nil {
				return nil, err
			}
			ch.whens = append(ch.whens, in)
		case w.isXSL("otherwise") && i == len(k.kids)-1 && len(ch.whens) > 0:
			if err := only(w); err != nil {
				return nil, err
			}
			body, err := c.body(w.kids, sc, deps)
			if err != nil {
				return nil, err
			}
			ch.otherwise = append([]instr{}, body...)
		default:
			return nil, errAt(w, "<%s> may hold only xsl:when elements, then one xsl:otherwise", k.name())
		}
	}
	if len(ch.whens) == 0 {
		return nil, errAt(k, "<%s> needs at least one xsl:when", k.name())
	}
	return ch, nil
}

// paramsAndSorts compiles the xsl:with-param (and, for apply-templates,
// xsl:sort) children of k.
func (c *compiler) paramsAndSorts(k *snode, sc *scope, deps func(int), sorts bool) ([]*withParam, []*sortKey, error) {
	var ps []*withParam
	var ss []*sortKey
	for _, w := range k.kids {
		switch {
		case w.isXSL("with-param"):
			if err := only(w, "name", "select"); err != nil {
				return nil, nil, err
			}
			name, ok := w.attr("name")
			if !ok || name == "" {
				return nil, nil, errAt(w, "<%s> needs a name", w.name())
			}
			p := &withParam{name: name}
			var err error
			if p.sel, p.body, err = c.binding(w, sc, deps); err != nil {
				return nil, nil, err
			}
			ps = append(ps, p)
		case sorts && w.isXSL("sort"):
			s, err := c.sortKey(w, sc, deps)
			if err != nil {
				return nil, nil, err
			}
			ss = append(ss, s)
		default:
			return nil, nil, errAt(w, "<%s> may hold only xsl:with-param%s", k.name(), map[bool]string{true: " and xsl:sort"}[sorts])
		}
	}
	return ps, ss, nil
}

func (c *compiler) sortKey(k *snode, sc *scope, deps func(int)) (*sortKey, error) {
	if err := only(k, "select", "order", "data-type", "case-order"); err != nil {
		return nil, err
	}
	if err := noContent(k); err != nil {
		return nil, err
	}
	s := &sortKey{}
	var err error
	if s.sel, err = c.expr(k, "select", sc, deps, false); err != nil {
		return nil, err
	}
	if s.sel == nil {
		s.sel, _ = compileExpr(".", nil, nil, nil)
	}
	switch v, _ := k.attr("order"); v {
	case "", "ascending":
	case "descending":
		s.desc = true
	default:
		return nil, errAt(k, "<%s> order %q: want ascending or descending", k.name(), v)
	}
	switch v, _ := k.attr("data-type"); v {
	case "", "text":
	case "number":
		s.numeric = true
	default:
		return nil, errAt(k, "<%s> data-type %q: want text or number", k.name(), v)
	}
	if v, ok := k.attr("case-order"); ok && v != "upper-first" && v != "lower-first" {
		return nil, errAt(k, "<%s> case-order %q: want upper-first or lower-first", k.name(), v)
	}
	return s, nil
}

// literal compiles a literal result element.
func (c *compiler) literal(k *snode, sc *scope, deps func(int)) (*literal, error) {
	l := &literal{prefix: k.prefix, local: k.local, uri: k.uri}
	for p, uri := range k.ns {
		if p == "xml" || c.exclude[uri] {
			continue
		}
		name := xmlquery.Attr{Value: uri}
		name.Name.Local = "xmlns"
		if p != "" {
			name.Name.Space, name.Name.Local = "xmlns", p
		}
		l.decls = append(l.decls, name)
	}
	sortAttrs(l.decls)
	for _, a := range k.attrs {
		if a.uri == NS {
			return nil, errAt(k, "<%s>: attribute xsl:%s is not supported", k.name(), a.local)
		}
		v, err := compileAVT(a.value, sc, k.ns, deps)
		if err != nil {
			return nil, errAt(k, "<%s> attribute %s: %v", k.name(), a.local, err)
		}
		l.attrs = append(l.attrs, avtAttr{prefix: a.prefix, local: a.local, uri: a.uri, v: v})
	}
	body, err := c.body(k.kids, sc, deps)
	l.body = body
	return l, err
}
