package compile

import (
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// Options are what a compile needs besides the snapshot.
type Options struct {
	// Registry holds the policy elements. Required.
	Registry *policy.Registry
	// Certificates are the certificates policies may use, by lower-case
	// id, with their key material when the caller will run the result.
	// Nil: the snapshot's certificates without key material, which is
	// enough to check a configuration.
	Certificates map[string]*policy.Certificate
	// CertificateAuthorities are the gateway's certificate authorities,
	// which validate-client-certificate builds chains with. Nil: the
	// system roots alone, which is enough to check a configuration.
	CertificateAuthorities *policy.CertificateAuthorities
	// References, when set, receives every reference the compile
	// resolves: named values, backends, certificates and fragments.
	References func(Reference)
	// Only, when not nil, limits the compile to the APIs whose lower-case
	// ids it holds: the others are neither compiled nor in the Result,
	// and the Report has the problems of these APIs and of the global and
	// product policies on their own. Nil: every API.
	Only map[string]bool
}

// Result is the compiled policy pipelines of a snapshot's APIs.
type Result struct {
	// APIs holds, by lower-case id, every API whose pipelines all
	// compiled. An API with any problem is absent (see Report).
	APIs map[string]*API
}

// API is the compiled pipelines of one API's operations.
type API struct {
	// Operations holds each operation by lower-case id.
	Operations map[string]*Operation
	// NoOperation is the effective policy of the global and API scopes,
	// whose on-error section runs for a request that matches the API but
	// none of its operations (context.LastError.Reason OperationNotFound,
	// as in APIM); nil when that section is empty.
	NoOperation *policy.Pipeline
	// Uses are the named values and fragments the API's pipelines may
	// have read: a change to any other leaves them as they are.
	Uses snapshot.Uses
}

// Operation is the compiled pipelines of one operation.
type Operation struct {
	// Pipeline runs for requests without a product that has a policy;
	// nil when the effective policy only forwards.
	Pipeline *policy.Pipeline
	// ByProduct holds the pipeline for requests whose subscription is of
	// a product (lower-case id) that has a policy and holds the API; a
	// nil entry only forwards.
	ByProduct map[string]*policy.Pipeline
}

// Reference is a use of another resource by an API's effective policy.
type Reference struct {
	// Kind and ID name the resource used: "namedValues" (by display
	// name), "backends", "certificates", "schemas" or "policyFragments".
	Kind string
	ID   string
	// API is the API whose effective policy holds the use.
	API string
	// At says where the use is written.
	At Location
}

// Location is a place in a policy document.
type Location struct {
	// Resource is the document's resource id, such as
	// "/apis/echo/policy", "/products/p/policy", "/policy" or
	// "/policyFragments/f".
	Resource string `json:"resource"`
	// Element is the element's path in that document, such as
	// "inbound/choose[1]/when[1]/set-header[2]".
	Element string `json:"element,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
}

// Compile compiles every API of snap: for each operation the effective
// policy (global, product, API, operation, with fragments included) for
// requests without a product and for each product holding the API. It
// does no I/O. An API with any problem is left out of the Result and
// each of its problems is in the Report; the rest compile regardless.
// Options.Only compiles some of the APIs.
func Compile(snap *snapshot.Snapshot, opts Options) (*Result, *Report) {
	c := newCompiler(snap, opts)
	res := &Result{APIs: make(map[string]*API, len(snap.APIs))}
	for i := range snap.APIs {
		a := &snap.APIs[i]
		if opts.Only != nil && !opts.Only[strings.ToLower(a.ID)] {
			continue
		}
		if api, ok := c.api(a); ok {
			res.APIs[strings.ToLower(a.ID)] = api
		}
	}
	// The global and product policies must compile on their own too, so
	// that an API added later can use them.
	c.scope(unit{}, nil)
	for _, p := range snap.Products {
		if p.Policy != "" {
			pp := c.byProduct[strings.ToLower(p.ID)]
			c.scope(unit{product: p.ID}, pp)
		}
	}
	c.report.sort()
	return res, c.report
}

// compiler holds what every API's compile shares: the parsed global,
// product and fragment documents.
type compiler struct {
	opts      Options
	env       policy.Env
	report    *Report
	global    *policy.Document
	globalBad policy.Diagnostics
	fragments map[string][]*policy.Node // nil entry: does not parse
	fragBad   map[string]policy.Diagnostics
	// productsOf holds, by lower-case API id, the products with a policy
	// that hold the API.
	productsOf map[string][]*product
	byProduct  map[string]*product // lower-case id → products with a policy
	// globalNames, productNames (by lower-case product id) and
	// fragmentNames (by lower-case fragment id) are the named values
	// that the global policy, each product's and each fragment may read
	// (see usedNames).
	globalNames   []string
	productNames  map[string][]string
	fragmentNames map[string][]string
}

// unit is what a diagnostic stops: an API, a product's policy on its
// own, or (both empty) the global policy on its own.
type unit struct{ api, product string }

// scope compiles the global policy, and p's when p is not nil, on their
// own, reporting problems against the global or product unit.
func (c *compiler) scope(u unit, p *product) {
	source := "/policy"
	problem := func(ds policy.Diagnostics) {
		for _, d := range ds {
			if d.Source == "" {
				d.Source = source
			}
			rd := *d // d may be shared by the units it stops
			rd.Msg = policy.RedactSecrets(d.Msg, c.env)
			c.report.add(u, &rd)
		}
	}
	if p == nil {
		if c.globalBad != nil {
			problem(c.globalBad)
			return
		}
		_, err := c.pipeline(c.env, c.global)
		problem(diagnostics(err))
		return
	}
	source = "/products/" + p.id + "/policy"
	if c.globalBad != nil || p.bad != nil {
		problem(p.bad)
		return
	}
	_, err := c.pipeline(c.env, c.global, p.doc)
	problem(diagnostics(err))
}

type product struct {
	id  string // lower case
	doc *policy.Document
	bad policy.Diagnostics
}

func newCompiler(snap *snapshot.Snapshot, opts Options) *compiler {
	c := &compiler{opts: opts, report: &Report{Version: snap.Version},
		fragments: map[string][]*policy.Node{}, fragBad: map[string]policy.Diagnostics{},
		globalNames: usedNames(snap.Policy.Global), productNames: map[string][]string{}, fragmentNames: map[string][]string{}}
	certs := opts.Certificates
	if certs == nil {
		certs = map[string]*policy.Certificate{}
		for id, sc := range snap.Certificates {
			certs[id] = &policy.Certificate{ID: sc.ID, Thumbprint: sc.Thumbprint, HasKey: strings.Contains(sc.PEM, "PRIVATE KEY")}
		}
	}
	c.env = policy.Env{NamedValues: snap.Policy.NamedValues, Backends: snap.Policy.Backends, Certificates: certs,
		Schemas: schemasOf(snap.Policy.Schemas), Loggers: snap.Policy.Loggers, CertificateAuthorities: opts.CertificateAuthorities}
	if len(snap.Policy.Secrets) > 0 {
		c.env.Secrets = make(map[string]bool, len(snap.Policy.Secrets))
		for _, name := range snap.Policy.Secrets {
			c.env.Secrets[strings.ToLower(name)] = true
		}
	}
	for id, src := range snap.Policy.Fragments {
		c.fragmentNames[id] = usedNames(src)
		nodes, err := policy.ParseFragmentIn(src, c.env)
		if err != nil {
			c.fragments[id] = nil
			c.fragBad[id] = diagnostics(err)
			continue
		}
		policy.Tag(nodes, "/policyFragments/"+id, "fragment/")
		c.fragments[id] = nodes
	}
	c.global, c.globalBad = c.parse(snap.Policy.Global, "/policy")
	byProduct := map[string]*product{}
	for _, p := range snap.Products {
		if p.Policy == "" {
			continue
		}
		doc, bad := c.parse(p.Policy, "/products/"+p.ID+"/policy")
		c.productNames[strings.ToLower(p.ID)] = usedNames(p.Policy)
		byProduct[strings.ToLower(p.ID)] = &product{id: strings.ToLower(p.ID), doc: doc, bad: bad}
	}
	c.byProduct = byProduct
	c.productsOf = map[string][]*product{}
	for _, p := range snap.Products {
		pp := byProduct[strings.ToLower(p.ID)]
		if pp == nil {
			continue
		}
		for _, api := range p.APIs {
			k := strings.ToLower(api)
			c.productsOf[k] = append(c.productsOf[k], pp)
		}
	}
	return c
}

// parse reads an optional document, its named values substituted, and
// tags its elements with source.
func (c *compiler) parse(src, source string) (*policy.Document, policy.Diagnostics) {
	if src == "" {
		return nil, nil
	}
	doc, err := policy.ParseIn(src, c.env)
	if err != nil {
		return nil, diagnostics(err)
	}
	doc.Tag(source)
	return doc, nil
}

func diagnostics(err error) policy.Diagnostics {
	if err == nil {
		return nil
	}
	if ds, ok := err.(policy.Diagnostics); ok {
		return ds
	}
	if d, ok := err.(*policy.Diagnostic); ok {
		return policy.Diagnostics{d}
	}
	return policy.Diagnostics{{Pos: policy.Pos{Line: 1, Col: 1}, Msg: err.Error()}}
}

// api compiles one API; false when it has a problem, reported.
func (c *compiler) api(a *snapshot.API) (*API, bool) {
	before := len(c.report.Diagnostics)
	c.env.GraphQLSchema = a.GraphQLSchema
	defer func() { c.env.GraphQLSchema = "" }()
	problem := func(source string, ds policy.Diagnostics) {
		for _, d := range ds {
			if d.Source == "" {
				d.Source = source
			}
			rd := *d // d may be shared by the units it stops
			rd.Msg = policy.RedactSecrets(d.Msg, c.env)
			c.report.add(unit{api: a.ID}, &rd)
		}
	}
	problem("/policy", c.globalBad)
	apiDoc, bad := c.parse(a.Policy, "/apis/"+a.ID+"/policy")
	problem("/apis/"+a.ID+"/policy", bad)
	products := c.productsOf[strings.ToLower(a.ID)]
	for _, p := range products {
		problem("/products/"+p.id+"/policy", p.bad)
	}
	docs := []*policy.Document{c.global, apiDoc}
	for _, p := range products {
		docs = append(docs, p.doc)
	}
	out := &API{Operations: make(map[string]*Operation, len(a.Operations))}
	// shared holds, by lower-case product id ("" for requests without a
	// product), the pipeline of the operations without a policy of their
	// own, once one compiled without depending on its operation: their
	// effective policy is the same document, compiled once per API.
	shared := map[string]*policy.Pipeline{}
	compileShared := func(product string, env policy.Env, opDoc *policy.Document, scopes ...*policy.Document) (*policy.Pipeline, error) {
		if opDoc == nil {
			if p, ok := shared[product]; ok {
				return p, nil
			}
		}
		p, err := c.pipeline(env, append(scopes, opDoc)...)
		if err == nil && opDoc == nil && (p == nil || !p.PerOperation()) {
			shared[product] = p
		}
		return p, err
	}
	for i := range a.Operations {
		o := &a.Operations[i]
		source := "/apis/" + a.ID + "/operations/" + o.ID + "/policy"
		opDoc, bad := c.parse(o.Policy, source)
		if bad != nil {
			problem(source, bad)
			continue
		}
		docs = append(docs, opDoc)
		env := c.env
		for _, ex := range o.Examples {
			env.Examples = append(env.Examples, policy.Example{StatusCode: ex.StatusCode, ContentType: ex.ContentType, Body: ex.Body})
		}
		env.Operation = operationOf(o)
		env.OnReference = c.referrer(a.ID)
		op := &Operation{}
		var err error
		if op.Pipeline, err = compileShared("", env, opDoc, c.global, nil, apiDoc); err != nil {
			problem(source, diagnostics(err))
		}
		for _, p := range products {
			if p.doc == nil {
				continue
			}
			pipe, err := compileShared(p.id, env, opDoc, c.global, p.doc, apiDoc)
			if err != nil {
				problem(source, diagnostics(err))
				continue
			}
			if op.ByProduct == nil {
				op.ByProduct = map[string]*policy.Pipeline{}
			}
			op.ByProduct[p.id] = pipe
		}
		out.Operations[strings.ToLower(o.ID)] = op
	}
	if pipe, err := c.noOperation(c.env, apiDoc); err != nil {
		problem("/apis/"+a.ID+"/policy", diagnostics(err))
	} else {
		out.NoOperation = pipe
	}
	if len(a.Operations) == 0 {
		env := c.env
		env.OnReference = c.referrer(a.ID)
		if _, err := c.pipeline(env, c.global, nil, apiDoc); err != nil {
			problem("/apis/"+a.ID+"/policy", diagnostics(err))
		}
		for _, p := range products {
			if p.doc == nil {
				continue
			}
			if _, err := c.pipeline(env, c.global, p.doc, apiDoc); err != nil {
				problem("/apis/"+a.ID+"/policy", diagnostics(err))
			}
		}
	}
	ids, via := c.includes(a.ID, docs...)
	for _, id := range ids {
		problem("/policyFragments/"+id, c.fragBad[id])
	}
	for i := before; i < len(c.report.Diagnostics); i++ {
		d := &c.report.Diagnostics[i]
		if id, ok := strings.CutPrefix(d.Resource, "/policyFragments/"); ok {
			d.Via = via[strings.ToLower(id)]
		}
	}
	if len(c.report.Diagnostics) > before {
		return nil, false
	}
	out.Uses = c.uses(a, ids)
	return out, true
}

// pipeline merges scopes and compiles the effective document; nil when
// it only forwards.
func (c *compiler) pipeline(env policy.Env, scopes ...*policy.Document) (*policy.Pipeline, error) {
	if c.globalBad != nil {
		return nil, nil // reported once per API; nothing to compile against
	}
	eff, err := policy.Merge(c.fragments, scopes...)
	if err != nil {
		return nil, err
	}
	p, err := c.opts.Registry.Compile(eff, env)
	if err != nil {
		return nil, err
	}
	if p.Forwards() {
		return nil, nil
	}
	return p, nil
}

// noOperation compiles the effective policy of the global and API
// scopes when its on-error section has elements; nil otherwise (the
// operations' compiles check the rest).
func (c *compiler) noOperation(env policy.Env, apiDoc *policy.Document) (*policy.Pipeline, error) {
	if c.globalBad != nil || !hasOnError(c.global) && !hasOnError(apiDoc) {
		return nil, nil
	}
	eff, err := policy.Merge(c.fragments, c.global, nil, apiDoc)
	if err != nil {
		return nil, err
	}
	if nodes, _ := eff.Section(policy.OnError); len(nodes) == 0 {
		return nil, nil
	}
	return c.opts.Registry.Compile(eff, env)
}

// hasOnError reports whether doc's on-error section has an element other
// than <base />.
func hasOnError(doc *policy.Document) bool {
	if doc == nil {
		return false
	}
	nodes, _ := doc.Section(policy.OnError)
	for _, n := range nodes {
		if n.Name != "base" {
			return true
		}
	}
	return false
}

// referrer returns the reference callback of API api's compile.
func (c *compiler) referrer(api string) func(policy.Reference) {
	if c.opts.References == nil {
		return nil
	}
	return func(r policy.Reference) {
		c.opts.References(Reference{Kind: r.Kind, ID: r.ID, API: api,
			At: Location{Resource: r.Source, Element: r.Path, Line: r.Pos.Line, Column: r.Pos.Col}})
	}
}

// includes returns the lower-case ids of the fragments that docs include,
// and those include in turn, telling opts.References of each inclusion.
//
// via maps each to where it is first included, as "resource line L,
// column C".
func (c *compiler) includes(api string, docs ...*policy.Document) (ids []string, via map[string]string) {
	seen := map[string]bool{}
	via = map[string]string{}
	var visit func(n *policy.Node)
	visit = func(n *policy.Node) {
		if n.Name != "include-fragment" {
			return
		}
		a, ok := n.Attr("fragment-id")
		if !ok {
			return
		}
		if c.opts.References != nil {
			c.opts.References(Reference{Kind: "policyFragments", ID: a.Value, API: api,
				At: Location{Resource: n.Source, Element: n.Path, Line: a.Pos.Line, Column: a.Pos.Col}})
		}
		id := strings.ToLower(a.Value)
		if seen[id] {
			return
		}
		seen[id] = true
		ids = append(ids, id)
		via[id] = fmt.Sprintf("%s line %d, column %d", n.Source, a.Pos.Line, a.Pos.Col)
		walkNodes(c.fragments[id], visit)
	}
	for _, d := range docs {
		if d != nil {
			d.Walk(visit)
		}
	}
	return ids, via
}

func walkNodes(nodes []*policy.Node, f func(*policy.Node)) {
	for _, n := range nodes {
		f(n)
		walkNodes(n.Children, f)
	}
}

// operationOf returns what o documents, for the validation elements.
func operationOf(o *snapshot.Operation) *policy.Operation {
	params := func(ps []snapshot.Parameter) []policy.Parameter {
		out := make([]policy.Parameter, len(ps))
		for i, p := range ps {
			out[i] = policy.Parameter{Name: p.Name, Type: p.Type, Required: p.Required, Values: p.Values, Schema: p.Schema}
		}
		return out
	}
	reps := func(rs []snapshot.Representation) []policy.Representation {
		out := make([]policy.Representation, len(rs))
		for i, r := range rs {
			out[i] = policy.Representation{ContentType: r.ContentType, TypeName: r.TypeName, Schema: r.Schema}
		}
		return out
	}
	op := &policy.Operation{Method: o.Method, URLTemplate: o.URLTemplate, PathParameters: params(o.TemplateParameters)}
	if o.Request != nil {
		op.QueryParameters, op.Headers = params(o.Request.QueryParameters), params(o.Request.Headers)
		op.Request = reps(o.Request.Representations)
	}
	for _, r := range o.Responses {
		op.Responses = append(op.Responses, policy.Response{StatusCode: r.StatusCode, Headers: params(r.Headers), Representations: reps(r.Representations)})
	}
	return op
}

// schemasOf returns the global schemas of a snapshot as policies see them.
func schemasOf(in map[string]snapshot.Schema) map[string]*policy.Schema {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]*policy.Schema, len(in))
	for id, s := range in {
		out[id] = &policy.Schema{Type: s.Type, Document: s.Document}
	}
	return out
}
