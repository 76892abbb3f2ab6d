package xslt

import (
	"fmt"
	"strings"

	"github.com/antchfx/xmlquery"
)

// pattern is a compiled match pattern: alternatives separated by '|'.
type pattern struct {
	src  string
	alts []*alt
}

// alt is one alternative: location steps, matched from the last.
type alt struct {
	root     bool // starts with '/': the first step's parent is the root
	steps    []step
	priority float64 // XSLT 1.0's default priority (§5.5)
}

// step is one step of a pattern.
type step struct {
	attr     bool   // the attribute axis; else child
	kind     string // "name", "any" (*), "ns" (prefix:*), "node", "text", "comment", "pi"
	local    string
	uri      string
	prefixed bool
	pred     *xexpr // "child::test[...]" evaluated from the parent; nil without predicates
	desc     bool   // '//' before this step: any ancestor, not only the parent, matches the step before
}

// splitTop splits s at sep where it is outside brackets, parentheses and
// string literals.
func splitTop(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
		case c == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// compilePattern compiles an XSLT 1.0 pattern.
func compilePattern(src string, sc *scope, ns map[string]string) (*pattern, error) {
	p := &pattern{src: src}
	for _, a := range splitTop(src, '|') {
		al, err := compileAlt(strings.TrimSpace(a), sc, ns)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %v", src, err)
		}
		p.alts = append(p.alts, al)
	}
	return p, nil
}

func compileAlt(s string, sc *scope, ns map[string]string) (*alt, error) {
	if s == "" {
		return nil, fmt.Errorf("an alternative is empty")
	}
	if strings.HasPrefix(s, "key(") || strings.HasPrefix(s, "id(") {
		return nil, fmt.Errorf("key() and id() patterns are not supported")
	}
	a := &alt{}
	if s == "/" {
		a.root = true
		a.priority = 0.5
		return a, nil
	}
	desc := false
	switch {
	case strings.HasPrefix(s, "//"):
		s = s[2:]
	case strings.HasPrefix(s, "/"):
		a.root, s = true, s[1:]
	}
	parts := splitTop(s, '/')
	for i := 0; i < len(parts); i++ {
		part := strings.TrimSpace(parts[i])
		if part == "" {
			if i == 0 || i == len(parts)-1 || desc {
				return nil, fmt.Errorf("a step is empty")
			}
			desc = true
			continue
		}
		st, err := compileStep(part, sc, ns)
		if err != nil {
			return nil, err
		}
		st.desc = desc
		desc = false
		a.steps = append(a.steps, st)
	}
	a.priority = 0.5
	if len(a.steps) == 1 && !a.root && a.steps[0].pred == nil {
		switch a.steps[0].kind {
		case "name":
			a.priority = 0
		case "ns":
			a.priority = -0.25
		default:
			a.priority = -0.5
		}
	}
	return a, nil
}

func compileStep(s string, sc *scope, ns map[string]string) (step, error) {
	var st step
	switch {
	case strings.HasPrefix(s, "@"):
		st.attr, s = true, strings.TrimSpace(s[1:])
	case strings.HasPrefix(s, "attribute::"):
		st.attr, s = true, strings.TrimSpace(s[len("attribute::"):])
	case strings.HasPrefix(s, "child::"):
		s = strings.TrimSpace(s[len("child::"):])
	case strings.Contains(splitTop(s, '[')[0], "::"):
		return st, fmt.Errorf("step %q: a pattern may use only the child and attribute axes", s)
	}
	test, preds := s, ""
	if i := strings.IndexByte(s, '['); i >= 0 {
		test, preds = strings.TrimSpace(s[:i]), s[i:]
	}
	switch strings.ReplaceAll(test, " ", "") {
	case "*":
		st.kind = "any"
	case "node()":
		st.kind = "node"
	case "text()":
		st.kind = "text"
	case "comment()":
		st.kind = "comment"
	case "processing-instruction()":
		st.kind = "pi"
	default:
		if test == "" || strings.ContainsAny(test, "()[]\"' \t") {
			return st, fmt.Errorf("step %q: want a name, *, prefix:*, node(), text() or comment()", s)
		}
		st.kind = "name"
		if prefix, local, ok := strings.Cut(test, ":"); ok {
			uri, known := ns[prefix]
			if !known {
				return st, fmt.Errorf("namespace prefix %q is not declared", prefix)
			}
			st.uri, st.prefixed, st.local = uri, true, local
			if local == "*" {
				st.kind = "ns"
			}
		} else {
			st.local = test
		}
	}
	if preds != "" {
		axis := "child::"
		if st.attr {
			axis = "attribute::"
		}
		e, err := compileExpr(axis+test+preds, sc, ns, nil)
		if err != nil {
			return st, err
		}
		st.pred = e
	}
	return st, nil
}

// test reports whether r passes the step's axis and node test.
func (st *step) test(r ref) bool {
	if st.attr {
		if r.attr < 0 {
			return false
		}
		a := r.n.Attr[r.attr]
		switch st.kind {
		case "any", "node":
			return true
		case "name":
			return a.Name.Local == st.local && (!st.prefixed || a.NamespaceURI == st.uri)
		case "ns":
			return a.NamespaceURI == st.uri
		}
		return false
	}
	if r.attr >= 0 || r.n.Parent == nil {
		return false
	}
	switch r.n.Type {
	case xmlquery.ElementNode:
		switch st.kind {
		case "any", "node":
			return true
		case "name":
			return r.n.Data == st.local && (!st.prefixed || r.n.NamespaceURI == st.uri)
		case "ns":
			return r.n.NamespaceURI == st.uri
		}
	case xmlquery.TextNode, xmlquery.CharDataNode:
		return st.kind == "node" || st.kind == "text"
	case xmlquery.CommentNode:
		return st.kind == "node" || st.kind == "comment"
	}
	return false
}

// parentOf returns r's parent: an attribute's element, a node's parent.
func parentOf(r ref) (ref, bool) {
	if r.attr >= 0 {
		return ref{r.n, -1}, true
	}
	if r.n.Parent == nil {
		return ref{}, false
	}
	return ref{r.n.Parent, -1}, true
}

// matches reports whether r matches the alternative.
func (a *alt) matches(r ref, e *env) bool {
	if len(a.steps) == 0 {
		return r.attr < 0 && r.n.Parent == nil && r.n.Type == xmlquery.DocumentNode
	}
	return a.matchStep(r, len(a.steps)-1, e)
}

func (a *alt) matchStep(r ref, i int, e *env) bool {
	st := &a.steps[i]
	if !st.test(r) {
		return false
	}
	p, ok := parentOf(r)
	if !ok {
		return false
	}
	if st.pred != nil && !selects(st.pred, p, r, e) {
		return false
	}
	if i == 0 {
		return !a.root || p.n.Parent == nil && p.n.Type == xmlquery.DocumentNode
	}
	if !st.desc {
		return a.matchStep(p, i-1, e)
	}
	for ok {
		if a.matchStep(p, i-1, e) {
			return true
		}
		p, ok = parentOf(p)
	}
	return false
}

// selects reports whether x, evaluated at context, selects r.
func selects(x *xexpr, context, r ref, e *env) bool {
	it := x.selectAt(newNav(e, context))
	for it.MoveNext() {
		if c, ok := it.Current().(*nav); ok && c.slot < 0 && c.n == r.n && c.attr == r.attr {
			return true
		}
	}
	return false
}
