package compile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// Document compiles one <policies> document on its own, with its
// <base /> empty and its fragments included, as a policy is checked
// when it is saved or in CI. It returns every problem, nil when none.
//
// The named values of env are substituted into src before it is read, as
// into the fragments, which must have been read with ParseFragmentIn.
func Document(reg *policy.Registry, env policy.Env, fragments map[string][]*policy.Node, src string) policy.Diagnostics {
	doc, err := policy.ParseIn(src, env)
	if err != nil {
		return diagnostics(err)
	}
	return document(reg, env, policy.Merger{Fragments: fragments}, doc)
}

// Fragment compiles a <fragment> document on its own: its elements must
// compile in at least one section, since a fragment may be included in
// any. It returns the problems of the first section tried when none
// compiles, nil otherwise.
func Fragment(reg *policy.Registry, env policy.Env, fragments map[string][]*policy.Node, src string) policy.Diagnostics {
	nodes, err := policy.ParseFragmentIn(src, env)
	if err != nil {
		return diagnostics(err)
	}
	return fragment(reg, env, policy.Merger{Fragments: fragments}, nodes)
}

// document merges doc on its own and compiles the result: it returns
// the problems of both, the elements an inclusion problem left out
// aside.
func document(reg *policy.Registry, env policy.Env, m policy.Merger, doc *policy.Document) policy.Diagnostics {
	eff, err := m.Merge(nil, doc)
	ds := diagnostics(err)
	if _, err := reg.Compile(eff, env); err != nil {
		ds = append(ds, diagnostics(err)...)
	}
	for _, d := range ds {
		d.Msg = policy.RedactSecrets(d.Msg, env)
	}
	return ds
}

func fragment(reg *policy.Registry, env policy.Env, m policy.Merger, nodes []*policy.Node) policy.Diagnostics {
	var first policy.Diagnostics
	for _, section := range []string{"inbound", "backend", "outbound", "on-error"} {
		doc, err := policy.FromSection(section, nodes)
		if err != nil {
			return diagnostics(err)
		}
		ds := document(reg, env, m, doc)
		if ds == nil {
			return nil
		}
		if first == nil {
			first = ds
		}
	}
	return first
}

// Error returns ds as an error, nil when there are none.
func Error(ds policy.Diagnostics) error {
	if len(ds) == 0 {
		return nil
	}
	return ds
}

// Effective renders the effective policy of scopes, given from the
// outermost (global) to the innermost (operation): <base /> replaced by
// the enclosing scope's elements and fragments included, as the gateways
// merge them. An empty scope stands for <base />.
func Effective(fragments map[string][]*policy.Node, scopes ...string) (string, error) {
	docs := make([]*policy.Document, len(scopes))
	for i, src := range scopes {
		if src == "" {
			continue
		}
		d, err := policy.Parse(src)
		if err != nil {
			return "", err
		}
		docs[i] = d
	}
	eff, err := policy.Merge(fragments, docs...)
	if err != nil {
		return "", err
	}
	return policy.Render(eff), nil
}

// Severity says whether a Finding stops a document: an error does, a
// warning does not.
type Severity string

// The severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is what checking a document on its own found: a problem (an
// error), or a reference to something the check cannot see, which is
// taken to exist as written (an opaque reference, a warning).
type Finding struct {
	Severity Severity
	// Source says where: empty for the document checked, else the Name of
	// the fragment (FragmentSource) that holds the finding.
	Source string
	// Element and Attr name what is concerned, when known; Path is the
	// element's place in its document, such as
	// "inbound/choose[1]/when[1]/set-backend-service[1]".
	Element, Attr, Path string
	Pos                 policy.Pos
	// Message says what is wrong, after the element and attribute
	// ("<set-header> exists-action: ...") as the management API says it.
	Message string
	// Via says, for a finding in a fragment, where the fragment is first
	// included: Resource is empty for the document checked, else the Name
	// of the fragment that includes it.
	Via *Location
}

// FragmentSource is a policy fragment's document and where it comes
// from.
type FragmentSource struct {
	// Name says where the fragment is, such as its file or URL; findings
	// in it carry it as their Source.
	Name string
	// XML is the <fragment> document.
	XML string
}

// CheckOptions are what a Checker checks documents against.
type CheckOptions struct {
	// Registry holds the policy elements. Required.
	Registry *policy.Registry
	// Env holds the named values, backends and certificates that exist.
	// Its AnyNamedValue, AnyBackend and AnyCertificate make a reference
	// to one it lacks opaque (a warning) rather than a problem.
	Env policy.Env
	// Fragments holds the fragments that exist, by id (any case).
	Fragments map[string]FragmentSource
	// AnyFragment makes the inclusion of a fragment that Fragments lacks
	// opaque (a warning): it contributes no elements.
	AnyFragment bool
}

// Checker checks policy documents on their own, outside a configuration,
// as `gatehouse policy check` does: each with its <base /> empty and its
// fragments included, with the references it cannot resolve reported as
// opaque when its options allow them. The management plane does not use
// it: there every reference must resolve (see Document).
type Checker struct {
	opts      CheckOptions
	fragments map[string][]*policy.Node // nil entry: does not parse
	bad       map[string]policy.Diagnostics
	idOf      map[string]string // FragmentSource.Name → lower-case id
}

// NewChecker reads the fragments of opts; one that does not parse is
// reported with each document that includes it.
func NewChecker(opts CheckOptions) *Checker {
	c := &Checker{opts: opts, fragments: map[string][]*policy.Node{}, bad: map[string]policy.Diagnostics{}, idOf: map[string]string{}}
	for id, f := range opts.Fragments {
		id = strings.ToLower(id)
		c.idOf[f.Name] = id
		nodes, err := policy.ParseFragmentIn(f.XML, opts.Env)
		if err != nil {
			ds := diagnostics(err)
			for _, d := range ds {
				d.Source = f.Name
			}
			c.fragments[id], c.bad[id] = nil, ds
			continue
		}
		policy.Tag(nodes, f.Name, "fragment/")
		c.fragments[id] = nodes
	}
	return c
}

// Check compiles src, a <policies> document or a <fragment> (by its
// root element), and returns its findings: the document's own first,
// then those in the fragments it includes, each in order of place.
func (c *Checker) Check(src string) []Finding {
	run := &checkRun{c: c, seen: map[policy.Reference]bool{}, via: map[string]*Location{}}
	env := c.opts.Env
	next := env.OnReference
	env.OnReference = func(r policy.Reference) {
		run.reference(r)
		if next != nil {
			next(r)
		}
	}
	m := policy.Merger{Fragments: c.fragments, AnyFragment: c.opts.AnyFragment, OnInclude: run.reference}
	var ds policy.Diagnostics
	if root, err := policy.ReadXML(src); err == nil && root.Name == "fragment" {
		nodes, err := policy.ParseFragmentIn(src, env)
		if err != nil {
			ds = diagnostics(err)
		} else {
			policy.Tag(nodes, "", "fragment/")
			ds = fragment(c.opts.Registry, env, m, nodes)
		}
	} else {
		doc, err := policy.ParseIn(src, env)
		if err != nil {
			ds = diagnostics(err)
		} else {
			doc.Tag("")
			ds = document(c.opts.Registry, env, m, doc)
		}
	}
	for _, id := range run.included {
		ds = append(ds, c.bad[id]...)
	}
	for _, d := range ds {
		run.add(SeverityError, d)
	}
	sort.SliceStable(run.findings, func(i, j int) bool {
		a, b := run.findings[i], run.findings[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Pos.Col < b.Pos.Col
	})
	return run.findings
}

// checkRun is one Checker.Check.
type checkRun struct {
	c        *Checker
	seen     map[policy.Reference]bool
	included []string // lower-case ids of the known fragments included
	via      map[string]*Location
	findings []Finding
}

// reference records r, and reports it when it is opaque: the check
// cannot see what it names, and its options take it as it is.
func (run *checkRun) reference(r policy.Reference) {
	if run.seen[r] {
		return // a fragment is compiled in each section it might be in
	}
	run.seen[r] = true
	env, id := run.c.opts.Env, strings.ToLower(strings.TrimSpace(r.ID))
	var msg, attr string
	switch r.Kind {
	case "namedValues":
		if _, ok := env.NamedValues[id]; !ok && env.AnyNamedValue {
			msg = fmt.Sprintf("named value {{%s}} is opaque: not known here, left as written", r.ID)
		}
	case "backends":
		if _, ok := env.Backends[id]; !ok && env.AnyBackend {
			msg, attr = fmt.Sprintf("backend %q is opaque: not known here, not checked", r.ID), "backend-id"
		}
	case "certificates":
		if env.Certificates[id] == nil && env.AnyCertificate {
			msg, attr = fmt.Sprintf("certificate %q is opaque: not known here, not checked", r.ID), "certificate-id"
		}
	case "schemas":
		if env.Schemas[id] == nil && env.AnySchema {
			msg, attr = fmt.Sprintf("schema %q is opaque: not known here, not checked", r.ID), "schema-id"
		}
	case "certificateThumbprints":
		if env.CertificateByThumbprint(r.ID) == nil && env.AnyCertificate {
			msg, attr = fmt.Sprintf("the certificate with thumbprint %q is opaque: not known here, not checked", r.ID), "thumbprint"
		}
	case "placeholders":
		if env.AnyPlaceholder {
			msg, attr = fmt.Sprintf("deployment placeholder %s is opaque: replaced when deployed, taken here as any valid value", r.ID), r.Attr
		}
	case "policyFragments":
		if _, ok := run.c.fragments[id]; ok {
			if run.via[id] == nil {
				run.via[id] = &Location{Resource: r.Source, Element: r.Path, Line: r.Pos.Line, Column: r.Pos.Col}
				run.included = append(run.included, id)
			}
		} else if run.c.opts.AnyFragment {
			msg, attr = fmt.Sprintf("policy fragment %q is opaque: not known here, its elements are not checked", r.ID), "fragment-id"
		}
	}
	if msg != "" {
		element := r.Path[strings.LastIndexByte(r.Path, '/')+1:]
		element, _, _ = strings.Cut(element, "[")
		run.add(SeverityWarning, &policy.Diagnostic{Pos: r.Pos, Element: element, Attr: attr, Msg: msg, Source: r.Source, Path: r.Path})
	}
}

// add records d as a finding of severity s.
func (run *checkRun) add(s Severity, d *policy.Diagnostic) {
	f := Finding{Severity: s, Source: d.Source, Element: d.Element, Attr: d.Attr, Path: d.Path, Pos: d.Pos, Message: d.Msg}
	if d.Element != "" {
		prefix := "<" + d.Element + ">"
		if d.Attr != "" {
			prefix += " " + d.Attr
		}
		f.Message = prefix + ": " + d.Msg
	}
	if d.Source != "" {
		f.Via = run.via[run.c.idOf[d.Source]]
	}
	run.findings = append(run.findings, f)
}
