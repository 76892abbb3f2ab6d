package policy

import (
	"slices"
	"strings"
)

// Section is one of the four sections of a policy document, in the order
// a request passes them.
type Section int

// The sections.
const (
	Inbound Section = iota
	Backend
	Outbound
	OnError
	numSections
)

var sectionNames = [numSections]string{"inbound", "backend", "outbound", "on-error"}

func (s Section) String() string { return sectionNames[s] }

// Document is a parsed <policies> document (or a <fragment>).
type Document struct {
	sections [numSections][]*Node
	present  [numSections]bool
}

// Section returns the elements of section s and whether the document has it.
func (d *Document) Section(s Section) ([]*Node, bool) { return d.sections[s], d.present[s] }

// Parse reads a <policies> document as written, its {{name}}
// references kept as text (to render or export it). It checks the
// structure (root and sections); the elements are checked when compiled.
func Parse(src string) (*Document, error) { return parse(src, nil) }

// ParseIn reads a <policies> document to compile it in env: the named
// values of env are substituted into its text first, as APIM does, so
// that {{name}} may stand for any part of it; positions stay those of
// src, and no diagnostic shows the value of a secret (env.Secrets).
func ParseIn(src string, env Env) (*Document, error) { return parse(src, &env) }

func parse(src string, env *Env) (*Document, error) {
	root, err := readXML(src, env)
	if err != nil {
		return nil, Diagnostics{asDiagnostic(err)}
	}
	if root.Name != "policies" {
		return nil, Diagnostics{errorAt(root, "the root element must be <policies>")}
	}
	d := &Document{}
	var diags Diagnostics
	for _, n := range root.Children {
		s, ok := sectionOf(n.Name)
		switch {
		case !ok:
			diags = append(diags, errorAt(n, "not a section: want inbound, backend, outbound or on-error"))
		case d.present[s]:
			diags = append(diags, errorAt(n, "the section appears twice"))
		default:
			d.present[s], d.sections[s] = true, n.Children
		}
	}
	if len(diags) > 0 {
		return nil, diags
	}
	return d, nil
}

// Tag names the resource the document belongs to in every element, so
// that diagnostics say where a problem is once documents are merged.
func (d *Document) Tag(source string) {
	for s := range numSections {
		Tag(d.sections[s], source, sectionNames[s]+"/")
	}
}

// Walk calls f for every element of the document, depth first.
func (d *Document) Walk(f func(*Node)) {
	for s := range numSections {
		walk(d.sections[s], f)
	}
}

func walk(nodes []*Node, f func(*Node)) {
	for _, n := range nodes {
		f(n)
		walk(n.Children, f)
	}
}

// ParseFragment reads a policy fragment as written: a <fragment>
// element whose children are policy elements.
func ParseFragment(src string) ([]*Node, error) { return parseFragment(src, nil) }

// ParseFragmentIn reads a policy fragment to compile it in env, with the
// named values of env substituted first (see ParseIn).
func ParseFragmentIn(src string, env Env) ([]*Node, error) { return parseFragment(src, &env) }

func parseFragment(src string, env *Env) ([]*Node, error) {
	root, err := readXML(src, env)
	if err != nil {
		return nil, Diagnostics{asDiagnostic(err)}
	}
	if root.Name != "fragment" {
		return nil, Diagnostics{errorAt(root, "the root element of a fragment must be <fragment>")}
	}
	return root.Children, nil
}

func sectionOf(name string) (Section, bool) {
	for i, n := range sectionNames {
		if n == name {
			return Section(i), true
		}
	}
	return 0, false
}

func asDiagnostic(err error) *Diagnostic {
	if d, ok := err.(*Diagnostic); ok {
		return d
	}
	return &Diagnostic{Pos: Pos{1, 1}, Msg: err.Error()}
}

// DefaultGlobal is the global policy when none is stored, as in APIM:
// every section takes its enclosing scope's elements, and the backend
// section forwards the request.
const DefaultGlobal = `<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>`

// Merge returns the effective document of scopes, ordered from the
// outermost (global) to the innermost (operation). A nil scope, or a
// section a scope leaves out, stands for <base />. <base /> in a section
// is replaced by the enclosing scope's section, and
// <include-fragment fragment-id="..."/> by the fragment's elements
// wherever APIM allows a policy element (see Merger); a fragment present
// in fragments with nil elements is one that does not parse, and
// including it is a problem, as is including one fragments lacks.
func Merge(fragments map[string][]*Node, scopes ...*Document) (*Document, error) {
	return Merger{Fragments: fragments}.Merge(scopes...)
}

// Merger merges scopes with the policy fragments they may include.
type Merger struct {
	// Fragments holds the fragments' elements by lower-case id. A nil
	// entry is a fragment that does not parse: including it is a problem.
	Fragments map[string][]*Node
	// AnyFragment accepts a fragment-id that Fragments lacks as an opaque
	// fragment that contributes no elements, for checking a document on
	// its own. The management plane and gateways leave it false, so that
	// including an unknown fragment is a problem there.
	AnyFragment bool
	// OnInclude, when set, is told of every <include-fragment> that is
	// expanded, known or not, as a Reference of kind "policyFragments".
	OnInclude func(Reference)
}

// maxFragmentDepth bounds how deep fragments include fragments.
const maxFragmentDepth = 8

// maxIncluded bounds the elements that fragments add to one effective
// document, so that fragments that include each other many times over
// cannot make a merge run away.
const maxIncluded = 10000

// Merge returns the effective document of scopes, as the function Merge
// does, with m's fragments. With problems, it returns them and the
// document merged without the inclusions that have them, so that the
// rest can still be checked.
func (m Merger) Merge(scopes ...*Document) (*Document, error) {
	mg := &merge{Merger: m}
	def, _ := Parse(DefaultGlobal)
	eff := &Document{}
	for s := range numSections {
		eff.sections[s], eff.present[s] = def.sections[s], true
	}
	for i, d := range scopes {
		if d == nil {
			continue
		}
		for s := range numSections {
			nodes, ok := d.Section(s)
			if !ok {
				continue // as <base/>
			}
			outer := eff.sections[s]
			if i == 0 {
				outer = nil // the global scope's <base/> is empty
			}
			eff.sections[s] = mg.expand(nodes, baseIn{outer: outer}, 0)
		}
	}
	if len(mg.diags) > 0 {
		return eff, mg.diags
	}
	return eff, nil
}

// merge is one run of Merger.Merge.
type merge struct {
	Merger
	diags    Diagnostics
	included int
}

// baseIn says what becomes of a <base /> among the elements expanded:
// in a section it is the enclosing scope's elements (outer); at the top
// of a fragment it stands for nothing; inside another element it is
// kept, for the compile to refuse it there.
type baseIn struct {
	outer []*Node
	keep  bool
}

// holdsPolicies names the elements whose children are policy elements
// as in a section, so that <include-fragment> may stand among them:
// retry and limit-concurrency, and choose's when and otherwise (see
// nest). APIM's reference lists the child elements of each; wait takes
// only send-request, cache-lookup-value and choose, and
// return-response and send-request only their own elements.
var holdsPolicies = map[string]bool{"retry": true, "limit-concurrency": true}

// expand returns nodes with <base /> and <include-fragment> replaced, at
// every level where policy elements stand. depth counts the fragments
// being included.
func (m *merge) expand(nodes []*Node, base baseIn, depth int) []*Node {
	out := make([]*Node, 0, len(nodes)+len(base.outer))
	for _, n := range nodes {
		switch n.Name {
		case "base":
			if base.keep {
				out = append(out, n)
			} else {
				out = append(out, base.outer...)
			}
		case "include-fragment":
			out = append(out, m.include(n, depth)...)
		default:
			out = append(out, m.nest(n, depth))
		}
	}
	return out
}

// include returns the elements of the fragment that n includes, expanded
// in turn; none when there is a problem, reported.
func (m *merge) include(n *Node, depth int) []*Node {
	id, ok := n.Attr("fragment-id")
	if !ok {
		m.diags = append(m.diags, errorAt(n, "fragment-id is required"))
		return nil
	}
	if m.OnInclude != nil {
		m.OnInclude(Reference{Kind: "policyFragments", ID: id.Value, Source: n.Source, Path: n.Path, Pos: id.Pos})
	}
	frag, found := m.Fragments[strings.ToLower(id.Value)]
	switch {
	case !found && m.AnyFragment:
		return nil // opaque: it may exist where the document is used
	case !found:
		m.diags = append(m.diags, attrError(n, id, "there is no policy fragment %q", id.Value))
	case frag == nil:
		m.diags = append(m.diags, attrError(n, id, "the policy fragment %q is not valid", id.Value))
	case depth > maxFragmentDepth:
		m.diags = append(m.diags, attrError(n, id, "fragments include each other more than %d deep", maxFragmentDepth))
	case m.included+len(frag) > maxIncluded:
		m.diags = append(m.diags, attrError(n, id, "fragments add more than %d elements to the policy", maxIncluded))
		m.included = maxIncluded + 1 // said once
	default:
		m.included += len(frag)
		return m.expand(frag, baseIn{}, depth+1)
	}
	return nil
}

// nest returns n with the fragments included among its children when n
// holds policy elements, and n itself otherwise. A changed element is a
// copy: documents and fragments are shared by every merge.
func (m *merge) nest(n *Node, depth int) *Node {
	var kids []*Node
	switch {
	case n.Name == "choose":
		kids = make([]*Node, len(n.Children))
		for i, c := range n.Children {
			kids[i] = c
			if c.Name == "when" || c.Name == "otherwise" {
				kids[i] = m.nestChildren(c, depth)
			}
		}
	case holdsPolicies[n.Name]:
		return m.nestChildren(n, depth)
	default:
		return n
	}
	return withChildren(n, kids)
}

// nestChildren expands the children of n, an element that holds policy
// elements.
func (m *merge) nestChildren(n *Node, depth int) *Node {
	return withChildren(n, m.expand(n.Children, baseIn{keep: true}, depth))
}

// withChildren returns n when kids are its children already, else a copy
// of n with kids as its children.
func withChildren(n *Node, kids []*Node) *Node {
	if slices.Equal(kids, n.Children) {
		return n
	}
	cp := *n
	cp.Children = kids
	return &cp
}

// FromSection returns a document with nodes as its only section.
func FromSection(section string, nodes []*Node) (*Document, error) {
	s, ok := sectionOf(section)
	if !ok {
		return nil, &Diagnostic{Pos: Pos{1, 1}, Msg: "unknown section " + section}
	}
	d := &Document{}
	d.sections[s], d.present[s] = nodes, true
	return d, nil
}
