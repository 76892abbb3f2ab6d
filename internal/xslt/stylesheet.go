package xslt

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Stylesheet is a compiled stylesheet. It is immutable and safe for
// concurrent use.
type Stylesheet struct {
	named    map[string]*template   // by name
	globals  []*global              // top-level params and variables, in evaluation order
	params   map[string]int         // top-level xsl:param slots by name
	names    []string               // slotAttr of each slot
	out      output                 // xsl:output
	strip    []nameTest             // xsl:strip-space
	preserve []nameTest             // xsl:preserve-space
	modes    map[string][]*template // templates with a match, by mode, best first
}

// template is an xsl:template.
type template struct {
	match    *pattern
	name     string
	mode     string
	priority *float64 // nil: each alternative's default
	params   []*local
	body     []instr
	order    int // position in the stylesheet
}

// global is a top-level xsl:param or xsl:variable.
type global struct {
	name  string
	slot  int
	param bool
	sel   *xexpr
	body  []instr
	deps  []int
	off   int
}

// local is an xsl:param of a template (or a variable in a body).
type local struct {
	name string
	slot int
	sel  *xexpr
	body []instr
}

// output is what xsl:output asks.
type output struct {
	text       bool // method="text"
	indent     bool
	omitDecl   bool
	standalone string
}

// nameTest is a name of xsl:strip-space or xsl:preserve-space.
type nameTest struct {
	any, nsOnly bool
	uri, local  string
	prefixed    bool
}

// compiler holds what compiling a stylesheet needs.
type compiler struct {
	ss      *Stylesheet
	globals *scope
	order   int
	exclude map[string]bool // namespace URIs not copied by literal result elements
	calls   []*callTemplate // resolved once every template is known
}

// Compile reads and compiles an XSLT 1.0 stylesheet (the xsl:stylesheet
// or xsl:transform element and what it holds). Anything outside the
// supported subset is refused with an *Error naming it and its byte
// offset in src.
func Compile(src string) (*Stylesheet, error) {
	root, err := readStylesheet(src)
	if err != nil {
		return nil, err
	}
	if !root.isXSL("stylesheet") && !root.isXSL("transform") {
		return nil, errAt(root, "the root element must be xsl:stylesheet or xsl:transform in namespace %s, not <%s>", NS, root.name())
	}
	if v, ok := root.attr("version"); !ok || strings.TrimSpace(v) == "" {
		return nil, errAt(root, "<%s> needs a version attribute (1.0)", root.name())
	}
	c := &compiler{ss: &Stylesheet{named: map[string]*template{}, params: map[string]int{}, modes: map[string][]*template{}},
		exclude: map[string]bool{NS: true}}
	for _, a := range root.attrs {
		switch {
		case a.uri != "":
		case a.local == "version" || a.local == "id":
		case a.local == "exclude-result-prefixes":
			for _, p := range strings.Fields(a.value) {
				if p == "#default" {
					p = ""
				}
				uri, ok := root.ns[p]
				if !ok {
					return nil, errAt(root, "exclude-result-prefixes: namespace prefix %q is not declared", p)
				}
				c.exclude[uri] = true
			}
		case a.local == "extension-element-prefixes":
			return nil, errAt(root, "extension elements are not supported (extension-element-prefixes)")
		default:
			return nil, errAt(root, "<%s>: unknown attribute %s", root.name(), a.local)
		}
	}
	if err := c.topLevel(root); err != nil {
		return nil, err
	}
	for _, ct := range c.calls {
		if ct.t = c.ss.named[ct.name]; ct.t == nil {
			return nil, &Error{Offset: ct.off, Msg: fmt.Sprintf("xsl:call-template: no template is named %q", ct.name)}
		}
	}
	return c.ss, nil
}

// topLevel compiles the declarations: globals first (they are visible in
// every template, before or after them), then the rest in order.
func (c *compiler) topLevel(root *snode) error {
	var decls []*snode
	for _, k := range root.kids {
		if k.isText {
			return errAt(k, "text is not allowed directly in <%s>", root.name())
		}
		if k.uri != NS {
			if k.uri == "" {
				return errAt(k, "<%s> at the top level must be in a namespace", k.name())
			}
			continue // data elements of other namespaces are ignored, as XSLT 1.0 says
		}
		if k.local == "param" || k.local == "variable" {
			name, ok := k.attr("name")
			if !ok || name == "" {
				return errAt(k, "<%s> needs a name", k.name())
			}
			if _, dup := c.globals.lookup(name); dup {
				return errAt(k, "<%s name=%q> is declared twice at the top level", k.name(), name)
			}
			slot := len(c.ss.names)
			c.ss.names = append(c.ss.names, slotAttr(slot))
			c.globals = &scope{name: name, slot: slot, parent: c.globals}
			if k.local == "param" {
				c.ss.params[name] = slot
			}
		}
		decls = append(decls, k)
	}
	byslot := map[int]*global{}
	for _, k := range decls {
		switch k.local {
		case "param", "variable":
			g, err := c.global(k)
			if err != nil {
				return err
			}
			byslot[g.slot] = g
		case "template":
			if err := c.template(k); err != nil {
				return err
			}
		case "output":
			if err := c.output(k); err != nil {
				return err
			}
		case "strip-space", "preserve-space":
			tests, err := nameTests(k)
			if err != nil {
				return err
			}
			if k.local == "strip-space" {
				c.ss.strip = append(c.ss.strip, tests...)
			} else {
				c.ss.preserve = append(c.ss.preserve, tests...)
			}
		default:
			return errAt(k, "<%s> is not supported (see the supported subset of XSLT 1.0 in docs/gateway.md)", k.name())
		}
	}
	if err := c.orderGlobals(byslot); err != nil {
		return err
	}
	for mode, ts := range c.ss.modes {
		sort.SliceStable(ts, func(i, j int) bool { return ts[i].order > ts[j].order })
		c.ss.modes[mode] = ts
	}
	return nil
}

// orderGlobals puts the globals in an order where each comes after those
// it refers to, and refuses circular definitions.
func (c *compiler) orderGlobals(byslot map[int]*global) error {
	state := map[int]int{} // 1: visiting, 2: done
	var visit func(g *global) error
	visit = func(g *global) error {
		switch state[g.slot] {
		case 1:
			return &Error{Offset: g.off, Msg: fmt.Sprintf("$%s is defined in terms of itself", g.name)}
		case 2:
			return nil
		}
		state[g.slot] = 1
		for _, d := range g.deps {
			if dg := byslot[d]; dg != nil {
				if err := visit(dg); err != nil {
					return err
				}
			}
		}
		state[g.slot] = 2
		c.ss.globals = append(c.ss.globals, g)
		return nil
	}
	slots := make([]int, 0, len(byslot))
	for s := range byslot {
		slots = append(slots, s)
	}
	sort.Ints(slots)
	for _, s := range slots {
		if err := visit(byslot[s]); err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) global(k *snode) (*global, error) {
	if err := only(k, "name", "select"); err != nil {
		return nil, err
	}
	name, _ := k.attr("name")
	slot, _ := c.globals.lookup(name)
	g := &global{name: name, slot: slot, param: k.local == "param", off: k.off}
	deps := func(s int) { g.deps = append(g.deps, s) }
	var err error
	g.sel, g.body, err = c.binding(k, c.globals, deps)
	return g, err
}

// binding compiles the value of a variable, param or with-param: select
// or content, not both.
func (c *compiler) binding(k *snode, sc *scope, deps func(int)) (*xexpr, []instr, error) {
	sel, ok := k.attr("select")
	if ok {
		if len(k.kids) > 0 {
			return nil, nil, errAt(k, "<%s> has both a select attribute and content", k.name())
		}
		e, err := compileExpr(sel, sc, k.ns, deps)
		if err != nil {
			return nil, nil, errAt(k, "select: %v", err)
		}
		return e, nil, nil
	}
	body, err := c.body(k.kids, sc, deps)
	return nil, body, err
}

func (c *compiler) template(k *snode) error {
	if err := only(k, "match", "name", "mode", "priority"); err != nil {
		return err
	}
	t := &template{order: c.order}
	c.order++
	match, hasMatch := k.attr("match")
	name, hasName := k.attr("name")
	if !hasMatch && !hasName {
		return errAt(k, "<%s> needs a match or a name", k.name())
	}
	t.mode, _ = k.attr("mode")
	if t.mode != "" && !hasMatch {
		return errAt(k, "<%s>: mode needs a match", k.name())
	}
	if p, ok := k.attr("priority"); ok {
		if !hasMatch {
			return errAt(k, "<%s>: priority needs a match", k.name())
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return errAt(k, "priority %q is not a number", p)
		}
		t.priority = &f
	}
	if hasMatch {
		pat, err := compilePattern(match, c.globals, k.ns)
		if err != nil {
			return errAt(k, "match: %v", err)
		}
		t.match = pat
		c.ss.modes[t.mode] = append(c.ss.modes[t.mode], t)
	}
	if hasName {
		if _, dup := c.ss.named[name]; dup {
			return errAt(k, "a template named %q is declared twice", name)
		}
		c.ss.named[name] = t
	}
	sc := c.globals
	kids := k.kids
	for len(kids) > 0 && kids[0].isXSL("param") {
		p := kids[0]
		if err := only(p, "name", "select"); err != nil {
			return err
		}
		pname, ok := p.attr("name")
		if !ok || pname == "" {
			return errAt(p, "<%s> needs a name", p.name())
		}
		l := &local{name: pname, slot: c.newSlot()}
		var err error
		if l.sel, l.body, err = c.binding(p, sc, nil); err != nil {
			return err
		}
		sc = &scope{name: pname, slot: l.slot, parent: sc}
		t.params = append(t.params, l)
		kids = kids[1:]
	}
	body, err := c.body(kids, sc, nil)
	t.body = body
	return err
}

func (c *compiler) newSlot() int {
	slot := len(c.ss.names)
	c.ss.names = append(c.ss.names, slotAttr(slot))
	return slot
}

func (c *compiler) output(k *snode) error {
	for _, a := range k.attrs {
		if a.uri != "" {
			continue
		}
		v := strings.TrimSpace(a.value)
		switch a.local {
		case "method":
			switch v {
			case "xml":
			case "text":
				c.ss.out.text = true
			default:
				return errAt(k, "<%s> method %q is not supported: want xml or text", k.name(), v)
			}
		case "indent", "omit-xml-declaration":
			if v != "yes" && v != "no" {
				return errAt(k, "<%s> %s %q: want yes or no", k.name(), a.local, v)
			}
			if a.local == "indent" {
				c.ss.out.indent = v == "yes"
			} else {
				c.ss.out.omitDecl = v == "yes"
			}
		case "standalone":
			if v != "yes" && v != "no" {
				return errAt(k, "<%s> standalone %q: want yes or no", k.name(), v)
			}
			c.ss.out.standalone = v
		case "encoding":
			if !strings.EqualFold(v, "utf-8") {
				return errAt(k, "<%s> encoding %q is not supported: the output is UTF-8", k.name(), v)
			}
		case "version":
			if v != "1.0" {
				return errAt(k, "<%s> version %q is not supported: want 1.0", k.name(), v)
			}
		default:
			return errAt(k, "<%s> attribute %s is not supported", k.name(), a.local)
		}
	}
	return nil
}

// nameTests reads the elements attribute of strip-space or preserve-space.
func nameTests(k *snode) ([]nameTest, error) {
	if err := only(k, "elements"); err != nil {
		return nil, err
	}
	v, ok := k.attr("elements")
	if !ok {
		return nil, errAt(k, "<%s> needs an elements attribute", k.name())
	}
	var tests []nameTest
	for _, f := range strings.Fields(v) {
		t := nameTest{}
		switch {
		case f == "*":
			t.any = true
		case strings.Contains(f, ":"):
			prefix, local, _ := strings.Cut(f, ":")
			uri, ok := k.ns[prefix]
			if !ok {
				return nil, errAt(k, "namespace prefix %q is not declared", prefix)
			}
			t.uri, t.prefixed = uri, true
			if local == "*" {
				t.nsOnly = true
			} else {
				t.local = local
			}
		default:
			t.local = f
		}
		tests = append(tests, t)
	}
	return tests, nil
}

// only refuses attributes of k other than allowed (in no namespace).
func only(k *snode, allowed ...string) error {
	for _, a := range k.attrs {
		if a.uri != "" {
			continue
		}
		ok := false
		for _, al := range allowed {
			ok = ok || a.local == al
		}
		if !ok {
			return errAt(k, "<%s>: attribute %s is not supported", k.name(), a.local)
		}
	}
	return nil
}
