package xslt

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// value is the value of a variable or parameter. items are the nodes the
// navigator shows for it: the nodes of a node-set, the root of a result
// tree fragment, a text node holding a string or number, a text node
// "true" for true and none for false (so that the value tests, compares
// and converts as XPath's would, except that string(false()) held in a
// variable is "").
type value struct {
	items []ref
	frag  bool // a result tree fragment: items[0] is its root
}

func nodesValue(rs []ref) *value { return &value{items: rs} }

func stringVal(s string) *value { return &value{items: []ref{{n: textNode(s), attr: -1}}} }

// fromResult converts what xpath.Expr.Evaluate returns.
func fromResult(r any) *value {
	switch v := r.(type) {
	case bool:
		if v {
			return stringVal("true")
		}
		return &value{}
	case float64:
		return stringVal(formatNumber(v))
	case string:
		return stringVal(v)
	case *xpath.NodeIterator:
		return nodesValue(collect(v))
	}
	return &value{}
}

// collect returns the real nodes an iterator selects, in document order.
func collect(it *xpath.NodeIterator) []ref {
	var rs []ref
	for it.MoveNext() {
		x, ok := it.Current().(*nav)
		if !ok || x.slot >= 0 {
			continue // a virtual attribute selected by @* on a root
		}
		rs = append(rs, ref{x.n, x.attr})
	}
	sortDocOrder(rs)
	return rs
}

// formatNumber is XPath 1.0's string() of a number.
func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == math.Trunc(f) && math.Abs(f) < 1e15:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// toNumber is XPath 1.0's number() of a string.
func toNumber(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "eEinfINFxX_+") {
		return math.NaN()
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// sortDocOrder sorts rs into document order, if they are not already.
func sortDocOrder(rs []ref) {
	sorted := true
	for i := 1; i < len(rs) && sorted; i++ {
		sorted = docCompare(rs[i-1], rs[i]) <= 0
	}
	if !sorted {
		sort.SliceStable(rs, func(i, j int) bool { return docCompare(rs[i], rs[j]) < 0 })
	}
}

// docCompare orders two nodes of one tree by document order: an element,
// then its attributes, then its children. Nodes of different trees
// compare equal.
func docCompare(a, b ref) int {
	if a.n == b.n {
		return a.attr - b.attr
	}
	if a.n.Parent != nil && a.n.Parent == b.n.Parent { // siblings, the usual case: a sorted list's neighbours
		for s := a.n.NextSibling; s != nil; s = s.NextSibling {
			if s == b.n {
				return -1
			}
		}
		return 1
	}
	pa, pb := ancestors(a.n), ancestors(b.n)
	if pa[0] != pb[0] {
		return 0
	}
	i := 0
	for i < len(pa) && i < len(pb) && pa[i] == pb[i] {
		i++
	}
	switch {
	case i == len(pa):
		return -1 // a is an ancestor of b
	case i == len(pb):
		return 1
	}
	for s := pa[i]; s != nil; s = s.NextSibling {
		if s == pb[i] {
			return -1
		}
	}
	return 1
}

// ancestors returns the path from the root to n, both included.
func ancestors(n *xmlquery.Node) []*xmlquery.Node {
	var p []*xmlquery.Node
	for ; n != nil; n = n.Parent {
		p = append(p, n)
	}
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
	return p
}
