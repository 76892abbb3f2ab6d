package xslt

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/antchfx/xpath"
)

// xexpr is a compiled XPath expression.
//
// An xpath.Expr keeps state while it is evaluated, so it serves one
// evaluation at a time: each xexpr keeps a lock-free stack of compiled
// copies, takes one for each evaluation and gives it back after. A copy
// is compiled (from the text checked when the stylesheet was) only when
// every copy is in use: as many as the most evaluations of the
// expression ever in flight at once, which are kept.
type xexpr struct {
	src  string // as written
	rw   string // as rewritten for antchfx/xpath
	ns   map[string]string
	free atomic.Pointer[exprCell]
	// alts are the alternatives of a union at the top level ("@* |
	// node()"), which selecting evaluates one by one and merges:
	// antchfx/xpath's union hashes each node by walking its preceding
	// siblings, which makes "@*|node()" quadratic in an element's
	// children.
	alts []*xexpr
}

// exprCell is a cell of xexpr's stack; each push makes a new one, so a
// cell is never on the stack twice (no ABA problem).
type exprCell struct {
	e    *xpath.Expr
	next *exprCell
}

func (x *xexpr) get() *xpath.Expr {
	for {
		top := x.free.Load()
		if top == nil {
			e, err := compileXPath(x.rw, x.ns)
			if err != nil {
				panic(fmt.Sprintf("xslt: %q compiled once and not again: %v", x.rw, err)) // cannot happen: the same text and namespaces
			}
			return e
		}
		if x.free.CompareAndSwap(top, top.next) {
			return top.e
		}
	}
}

func (x *xexpr) put(e *xpath.Expr) {
	c := &exprCell{e: e}
	for {
		c.next = x.free.Load()
		if x.free.CompareAndSwap(c.next, c) {
			return
		}
	}
}

// evaluate evaluates the expression at n: a bool, float64, string or
// *xpath.NodeIterator (which holds its own copy of the query).
func (x *xexpr) evaluate(n *nav) any {
	e := x.get()
	defer x.put(e)
	return e.Evaluate(n)
}

// selectAt returns the nodes the expression selects at n.
func (x *xexpr) selectAt(n *nav) *xpath.NodeIterator {
	e := x.get()
	defer x.put(e)
	return e.Select(n)
}

// xpathFuncs are the XPath 1.0 core functions antchfx/xpath provides;
// current() is XSLT's, rewritten before compiling.
var xpathFuncs = map[string]bool{
	"last": true, "position": true, "count": true, "local-name": true, "namespace-uri": true, "name": true,
	"string": true, "concat": true, "starts-with": true, "contains": true, "substring-before": true,
	"substring-after": true, "substring": true, "string-length": true, "normalize-space": true,
	"translate": true, "boolean": true, "not": true, "true": true, "false": true, "number": true,
	"sum": true, "floor": true, "ceiling": true, "round": true, "current": true,
}

// nodeTypes are the node tests written like function calls.
var nodeTypes = map[string]bool{"node": true, "text": true, "comment": true, "processing-instruction": true}

// scope resolves variable names to slots while compiling: a template's
// locals, then the globals.
type scope struct {
	name   string
	slot   int
	parent *scope
}

func (s *scope) lookup(name string) (int, bool) {
	for ; s != nil; s = s.parent {
		if s.name == name {
			return s.slot, true
		}
	}
	return 0, false
}

// The names of the virtual attributes through which a compiled
// expression reaches XSLT's context: see rewrite.
const (
	attrCurrent  = "_c"
	attrPosition = "_p"
	attrSize     = "_l"
)

func slotAttr(slot int) string { return "_v" + strconv.Itoa(slot) }

// rewrite turns an XSLT expression into one antchfx/xpath compiles. That
// engine binds no variables and knows no current(), so each $name and
// current() becomes a path to the nodes of the value, reached through a
// virtual attribute of the root (see nav): "$x" is "(/@_v3/..)". At the
// top level of the expression (outside predicates), position() and
// last() become the position and size of XSLT's current node list, as
// numbers. Functions outside XPath 1.0's core library are refused.
// deps receives the slots referred to.
func rewrite(src string, sc *scope, deps func(slot int)) (string, error) {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '"' || c == '\'':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				return "", fmt.Errorf("a string literal in %q is not closed", src)
			}
			b.WriteString(src[i : i+j+2])
			i += j + 2
			continue
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '$':
			j := i + 1
			for j < len(src) && isNameChar(src[j]) {
				j++
			}
			name := src[i+1 : j]
			if name == "" {
				return "", fmt.Errorf("a '$' in %q is not followed by a variable name", src)
			}
			slot, ok := sc.lookup(name)
			if !ok {
				return "", fmt.Errorf("variable $%s is not declared", name)
			}
			if deps != nil {
				deps(slot)
			}
			b.WriteString("(/@" + slotAttr(slot) + "/..)")
			i = j
			continue
		case isNameStart(c) && (i == 0 || !isNameChar(src[i-1]) && src[i-1] != '@' && src[i-1] != '$'):
			j := i
			for j < len(src) && isNameChar(src[j]) && !(src[j] == ':' && j+1 < len(src) && src[j+1] == ':') {
				j++
			}
			name := src[i:j]
			k := j
			for k < len(src) && strings.IndexByte(" \t\r\n", src[k]) >= 0 {
				k++
			}
			isAxis := strings.HasPrefix(src[j:], "::")
			operator := name == "and" || name == "or" || name == "div" || name == "mod"
			if k < len(src) && src[k] == '(' && !nodeTypes[name] && !isAxis && !operator {
				if !xpathFuncs[name] {
					return "", refusedFunction(name)
				}
				if name == "current" || (depth == 0 && (name == "position" || name == "last")) {
					m := k + 1
					for m < len(src) && strings.IndexByte(" \t\r\n", src[m]) >= 0 {
						m++
					}
					if m >= len(src) || src[m] != ')' {
						return "", fmt.Errorf("%s() takes no arguments", name)
					}
					switch name {
					case "current":
						b.WriteString("(/@" + attrCurrent + "/..)")
					case "position":
						b.WriteString("number(/@" + attrPosition + "/..)")
					default:
						b.WriteString("number(/@" + attrSize + "/..)")
					}
					i = m + 1
					continue
				}
			}
			b.WriteString(name)
			i = j
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), nil
}

// refusedFunction explains why a function is not available.
func refusedFunction(name string) error {
	switch name {
	case "key", "document", "format-number", "generate-id", "system-property", "unparsed-entity-uri",
		"element-available", "function-available", "id", "lang":
		return fmt.Errorf("the function %s() is not supported", name)
	}
	if strings.Contains(name, ":") {
		return fmt.Errorf("the extension function %s() is not supported", name)
	}
	return fmt.Errorf("%s() is not an XPath 1.0 function", name)
}

func isNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isNameChar(c byte) bool {
	return isNameStart(c) || c == '-' || c == '.' || c == ':' || c >= '0' && c <= '9'
}

// compileExpr rewrites and compiles src, with the namespaces ns.
func compileExpr(src string, sc *scope, ns map[string]string, deps func(int)) (*xexpr, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("the expression is empty")
	}
	rw, err := rewrite(src, sc, deps)
	if err != nil {
		return nil, err
	}
	e, err := compileXPath(rw, ns)
	if err != nil {
		return nil, fmt.Errorf("XPath %q: %v", src, err)
	}
	x := &xexpr{src: src, rw: rw, ns: ns}
	x.put(e)
	if parts := splitTop(src, '|'); len(parts) > 1 {
		for _, p := range parts {
			a, err := compileExpr(p, sc, ns, nil)
			if err != nil {
				return x, nil // not a union of paths: evaluated whole
			}
			x.alts = append(x.alts, a)
		}
	}
	return x, nil
}

// compileXPath compiles with antchfx/xpath, which panics on some
// malformed input: that is a compile error too.
func compileXPath(src string, ns map[string]string) (e *xpath.Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("%v", r)
		}
	}()
	m := make(map[string]string, len(ns))
	for k, v := range ns {
		if k != "" {
			m[k] = v
		}
	}
	return xpath.CompileWithNS(src, m)
}
