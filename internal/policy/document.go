package policy

import "strings"

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

// Parse reads a <policies> document. It checks the structure (root and
// sections); the elements are checked when compiled.
func Parse(src string) (*Document, error) {
	root, err := ReadXML(src)
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

// ParseFragment reads a policy fragment: a <fragment> element whose
// children are policy elements.
func ParseFragment(src string) ([]*Node, error) {
	root, err := ReadXML(src)
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
// <include-fragment fragment-id="..."/> by the fragment's elements; a
// fragment present in fragments with nil elements is one that does not
// parse, and including it is a problem.
func Merge(fragments map[string][]*Node, scopes ...*Document) (*Document, error) {
	var diags Diagnostics
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
			eff.sections[s] = expand(nodes, outer, fragments, &diags, 0)
		}
	}
	if len(diags) > 0 {
		return nil, diags
	}
	return eff, nil
}

func expand(nodes, base []*Node, fragments map[string][]*Node, diags *Diagnostics, depth int) []*Node {
	out := make([]*Node, 0, len(nodes)+len(base))
	for _, n := range nodes {
		switch n.Name {
		case "base":
			out = append(out, base...)
		case "include-fragment":
			id, ok := n.Attr("fragment-id")
			frag, found := fragments[strings.ToLower(id.Value)]
			switch {
			case !ok:
				*diags = append(*diags, errorAt(n, "fragment-id is required"))
			case !found:
				*diags = append(*diags, attrError(n, id, "there is no policy fragment %q", id.Value))
			case frag == nil:
				*diags = append(*diags, attrError(n, id, "the policy fragment %q is not valid", id.Value))
			case depth > 8:
				*diags = append(*diags, attrError(n, id, "fragments include each other more than 8 deep"))
			default:
				out = append(out, expand(frag, nil, fragments, diags, depth+1)...)
			}
		default:
			out = append(out, n)
		}
	}
	return out
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
