package xslt

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// Limits of one transformation, so that a stylesheet that recurses
// without end, or output that grows without bound, fails rather than
// exhausting the gateway.
const (
	maxCallDepth   = 1000
	maxOutputNodes = 1 << 20
	maxSteps       = 10_000_000 // instructions run and nodes matched
)

// ErrInput marks an input document that is not well-formed XML.
var ErrInput = errors.New("the input is not well-formed XML")

// run is the state of one transformation.
type run struct {
	ss      *Stylesheet
	globals []*value
	out     *xmlquery.Node // where results are added
	depth   int
	count   int // result nodes made
	steps   int
}

// ctx is XSLT's context: the current node, its position and size in the
// current node list, and the values of the variables by slot.
type ctx struct {
	node      ref
	pos, size int
	vals      []*value
	mode      string
}

// Transform applies the stylesheet to the XML document in input, with
// the values of the top-level xsl:param elements in params (by name; a
// parameter not given keeps its default, a name no parameter has is
// ignored), and returns the serialized result. An input that is not
// well-formed XML is an error wrapping ErrInput.
func (s *Stylesheet) Transform(input []byte, params map[string]string) (out []byte, err error) {
	doc, err := parseInput(input, s)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil { // the XPath engine panics on some inputs
			out, err = nil, fmt.Errorf("xslt: %v", r)
		}
	}()
	x := &run{ss: s}
	frame := make([]*value, len(s.names))
	root := ref{n: doc, attr: -1}
	c := &ctx{node: root, pos: 1, size: 1, vals: frame}
	for _, g := range s.globals {
		if v, ok := params[g.name]; ok && g.param {
			frame[g.slot] = stringVal(v)
			continue
		}
		v, err := x.bind(g.sel, g.body, c)
		if err != nil {
			return nil, fmt.Errorf("xsl:%s $%s: %w", map[bool]string{true: "param", false: "variable"}[g.param], g.name, err)
		}
		frame[g.slot] = v
	}
	x.globals = frame
	result := &xmlquery.Node{Type: xmlquery.DocumentNode}
	x.out = result
	if err := x.apply([]ref{root}, "", nil, c); err != nil {
		return nil, err
	}
	return s.serialize(result)
}

// frame returns a new frame for a template: the globals, no locals.
func (x *run) frame() []*value {
	f := make([]*value, len(x.ss.names))
	copy(f, x.globals)
	return f
}

func (x *run) env(c *ctx) *env {
	return &env{vals: c.vals, names: x.ss.names, current: c.node, pos: c.pos, size: c.size}
}

func (x *run) eval(e *xexpr, c *ctx) any { return e.evaluate(newNav(x.env(c), c.node)) }

// str evaluates e as a string.
func (x *run) str(e *xexpr, c *ctx) (string, error) {
	switch v := x.eval(e, c).(type) {
	case string:
		return v, nil
	case float64:
		return formatNumber(v), nil
	case bool:
		if v {
			return "true", nil
		}
		return "false", nil
	case *xpath.NodeIterator:
		rs := collect(v)
		if len(rs) == 0 {
			return "", nil
		}
		return stringValue(rs[0]), nil
	}
	return "", nil
}

// test evaluates e as a boolean.
func (x *run) test(e *xexpr, c *ctx) bool {
	switch v := x.eval(e, c).(type) {
	case string:
		return v != ""
	case float64:
		return v != 0 && !math.IsNaN(v)
	case bool:
		return v
	case *xpath.NodeIterator:
		for v.MoveNext() {
			if n, ok := v.Current().(*nav); ok && n.slot < 0 {
				return true
			}
		}
	}
	return false
}

// nodes evaluates e as a node-set.
func (x *run) nodes(e *xexpr, c *ctx) ([]ref, error) {
	if len(e.alts) > 0 {
		var all []ref
		seen := map[ref]bool{}
		for _, a := range e.alts {
			rs, err := x.nodes(a, c)
			if err != nil {
				return nil, err
			}
			for _, r := range rs {
				if !seen[r] {
					seen[r] = true
					all = append(all, r)
				}
			}
		}
		sortDocOrder(all)
		return all, nil
	}
	it, ok := x.eval(e, c).(*xpath.NodeIterator)
	if !ok {
		return nil, fmt.Errorf("%q does not select nodes", e.src)
	}
	return collect(it), nil
}

// bind evaluates the value of a variable or parameter: select, content
// (a result tree fragment) or, with neither, the empty string.
func (x *run) bind(sel *xexpr, body []instr, c *ctx) (*value, error) {
	if sel != nil {
		return fromResult(x.eval(sel, c)), nil
	}
	if len(body) == 0 {
		return stringVal(""), nil
	}
	frag := &xmlquery.Node{Type: xmlquery.DocumentNode}
	if err := x.into(frag, body, c); err != nil {
		return nil, err
	}
	return &value{items: []ref{{n: frag, attr: -1}}, frag: true}, nil
}

// into runs body with its results added under parent.
func (x *run) into(parent *xmlquery.Node, body []instr, c *ctx) error {
	saved := x.out
	x.out = parent
	err := x.body(body, c)
	x.out = saved
	return err
}

// step counts one unit of work, and fails past maxSteps.
func (x *run) step() error {
	x.steps++
	if x.steps > maxSteps {
		return fmt.Errorf("the transformation takes more than %d steps", maxSteps)
	}
	return nil
}

func (x *run) body(body []instr, c *ctx) error {
	for _, in := range body {
		if err := x.step(); err != nil {
			return err
		}
		if err := in.run(x, c); err != nil {
			return err
		}
	}
	return nil
}

// lookup returns the template for r in mode, nil for the built-in rule:
// the matching one of highest priority, the last of those in the
// stylesheet on a tie.
func (x *run) lookup(r ref, mode string, c *ctx) *template {
	var best *template
	bestPri := math.Inf(-1)
	e := x.env(c)
	for _, t := range x.ss.modes[mode] { // last in the stylesheet first
		for _, a := range t.match.alts {
			p := a.priority
			if t.priority != nil {
				p = *t.priority
			}
			if p > bestPri && a.matches(r, e) {
				best, bestPri = t, p
			}
		}
	}
	return best
}

// apply applies templates to nodes, in mode.
func (x *run) apply(nodes []ref, mode string, params map[string]*value, c *ctx) error {
	x.depth++
	defer func() { x.depth-- }()
	if x.depth > maxCallDepth {
		return fmt.Errorf("templates are applied deeper than %d", maxCallDepth)
	}
	for i, r := range nodes {
		if err := x.step(); err != nil {
			return err
		}
		nc := &ctx{node: r, pos: i + 1, size: len(nodes), vals: c.vals, mode: mode}
		t := x.lookup(r, mode, nc)
		if t == nil {
			if err := x.builtin(r, mode, nc); err != nil {
				return err
			}
			continue
		}
		if err := x.invoke(t, params, nc); err != nil {
			return err
		}
	}
	return nil
}

// builtin is XSLT 1.0's built-in template rule for r.
func (x *run) builtin(r ref, mode string, c *ctx) error {
	if r.attr >= 0 {
		return x.text(r.n.Attr[r.attr].Value)
	}
	switch r.n.Type {
	case xmlquery.DocumentNode, xmlquery.ElementNode:
		var kids []ref
		for k := r.n.FirstChild; k != nil; k = k.NextSibling {
			kids = append(kids, ref{n: k, attr: -1})
		}
		return x.apply(kids, mode, nil, c)
	case xmlquery.TextNode, xmlquery.CharDataNode:
		return x.text(r.n.Data)
	}
	return nil
}

// invoke runs template t at c with params, in a new frame.
func (x *run) invoke(t *template, params map[string]*value, c *ctx) error {
	nc := *c
	nc.vals = x.frame()
	for _, p := range t.params {
		if v, ok := params[p.name]; ok {
			nc.vals[p.slot] = v
			continue
		}
		v, err := x.bind(p.sel, p.body, &nc)
		if err != nil {
			return err
		}
		nc.vals[p.slot] = v
	}
	return x.body(t.body, &nc)
}

// params evaluates with-param elements at c.
func (x *run) params(ps []*withParam, c *ctx) (map[string]*value, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	m := make(map[string]*value, len(ps))
	for _, p := range ps {
		v, err := x.bind(p.sel, p.body, c)
		if err != nil {
			return nil, err
		}
		m[p.name] = v
	}
	return m, nil
}

// sorted orders nodes by keys, stably.
func (x *run) sorted(nodes []ref, keys []*sortKey, c *ctx) ([]ref, error) {
	if len(keys) == 0 || len(nodes) < 2 {
		return nodes, nil
	}
	type item struct {
		r    ref
		strs []string
		nums []float64
	}
	items := make([]item, len(nodes))
	for i, r := range nodes {
		nc := &ctx{node: r, pos: i + 1, size: len(nodes), vals: c.vals, mode: c.mode}
		it := item{r: r, strs: make([]string, len(keys)), nums: make([]float64, len(keys))}
		for k, key := range keys {
			s, err := x.str(key.sel, nc)
			if err != nil {
				return nil, err
			}
			it.strs[k], it.nums[k] = s, toNumber(s)
		}
		items[i] = it
	}
	sort.SliceStable(items, func(i, j int) bool {
		for k, key := range keys {
			cmp := 0
			if key.numeric {
				cmp = compareNumbers(items[i].nums[k], items[j].nums[k])
			} else {
				cmp = strings.Compare(items[i].strs[k], items[j].strs[k])
			}
			if key.desc {
				cmp = -cmp
			}
			if cmp != 0 {
				return cmp < 0
			}
		}
		return false
	})
	out := make([]ref, len(items))
	for i, it := range items {
		out[i] = it.r
	}
	return out, nil
}

// compareNumbers orders numbers with NaN first, as XSLT 1.0 sorts them.
func compareNumbers(a, b float64) int {
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return -1
	case math.IsNaN(b):
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
