package policy

import (
	"context"
	"crypto"
	"crypto/tls"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// CompileFunc compiles one element. It reports problems through c (and
// returns nil then); it must not keep n.
type CompileFunc func(n *Node, c *Compiler) Step

// Registry maps element names to their compilers, and holds the library
// that expressions in documents compile against. Build it once at start
// (see package builtin); it is read-only afterwards and safe for
// concurrent use.
type Registry struct {
	byName map[string]CompileFunc
	exprs  *expr.Library
}

// NewRegistry returns an empty Registry, whose expressions know only the
// language and the context object until SetExpressions gives them a library.
func NewRegistry() *Registry { return &Registry{byName: map[string]CompileFunc{}} }

// Add registers f for elements called name.
func (r *Registry) Add(name string, f CompileFunc) { r.byName[name] = f }

// SetExpressions makes expressions compile against lib (the .NET library
// of package dotnet, for the built-in elements).
func (r *Registry) SetExpressions(lib *expr.Library) { r.exprs = lib }

// Names returns the registered element names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Env is what compiling a document may refer to.
type Env struct {
	// NamedValues maps lower-case named value names to their values, for
	// {{name}} in attributes, texts and expressions.
	NamedValues map[string]string
	// Backends maps lower-case backend ids to their URLs ("" for a
	// pool, whose members have the URLs).
	Backends map[string]string
	// AnyNamedValue accepts a {{name}} that NamedValues lacks, leaving it
	// as written (for checking documents offline): in a typed attribute it
	// stands for any well-formed value.
	AnyNamedValue bool
	// AnyPlaceholder accepts, in an attribute its element would refuse, a
	// whole value that is one deployment-template placeholder such as
	// "{retry-count}", as any well-formed value (for checking documents
	// offline; see placeholder.go). The management plane never sets it.
	AnyPlaceholder bool
	// Secrets holds the lower-case names of the secret named values, whose
	// values no diagnostic may show.
	Secrets map[string]bool
	// Certificates maps lower-case certificate ids to the certificates
	// that authentication-certificate may present.
	Certificates map[string]*Certificate
	// CertificateAuthorities are what validate-client-certificate builds
	// chains with. Nil: the system roots alone (enough to check a
	// document; the gateway sets its own).
	CertificateAuthorities *CertificateAuthorities
	// AnyCertificate accepts a certificate id or thumbprint that
	// Certificates lacks (for checking documents offline).
	AnyCertificate bool
	// AnyBackend accepts a backend id that Backends lacks (for checking
	// documents offline).
	AnyBackend bool
	// Schemas maps lower-case global schema ids to the schemas that
	// validate-content's schema-id names.
	Schemas map[string]*Schema
	// AnySchema accepts a schema id that Schemas lacks (for checking
	// documents offline); such a schema is not checked.
	AnySchema bool
	// Examples are the operation's documented responses, for mock-response.
	// Elements read them with Compiler.Examples.
	Examples []Example
	// Operation describes the operation being compiled, for the
	// validation elements. Nil: the document is compiled outside an
	// operation (on its own, or for an API without operations); the
	// operation then documents nothing. Elements read it with
	// Compiler.Operation.
	Operation *Operation
	// GraphQLSchema is the SDL schema of the GraphQL API being compiled,
	// for validate-graphql-request; empty: the API has none.
	GraphQLSchema string
	// Loggers maps lower-case logger ids to their types, for
	// log-to-eventhub's logger-id. Nil: loggers are not known here (for
	// checking documents offline); any id compiles.
	Loggers map[string]string
	// OnReference, when set, is told of every reference to a named
	// value, backend or certificate that compiling resolves, and of
	// those that the Any fields above accept unresolved.
	OnReference func(Reference)
}

// Reference is a use of another resource by a policy element.
type Reference struct {
	// Kind is "namedValues", "backends", "certificates", "schemas",
	// "policyFragments" (told by Merger.OnInclude),
	// "certificateThumbprints" (a thumbprint no certificate of the Env
	// has, accepted with AnyCertificate) or "placeholders" (accepted with
	// AnyPlaceholder).
	Kind string
	// ID is the named value's name, the backend's, certificate's or
	// fragment's id, the thumbprint, or the placeholder ("{tpm}"), as
	// written.
	ID string
	// Attr is the attribute that holds a placeholder; empty for the
	// other kinds.
	Attr string
	// Source, Path and Pos say where: see Node.Source.
	Source string
	Path   string
	Pos    Pos
}

// AnyBackendID is the ID of the "backends" reference of an element that
// chooses its backend at run time (set-backend-service backend-id with an
// expression): the gateway then needs every backend.
const AnyBackendID = "*"

// Certificate is a certificate a policy can make the gateway present to a
// backend as its client certificate. It is immutable once in an Env.
type Certificate struct {
	ID         string // as stored; empty for one a policy made from bytes
	Thumbprint string // upper-case SHA-1 hex of the leaf, as APIM shows it
	HasKey     bool   // whether there is a private key to present it with
	// Public is the leaf's public key, which validate-jwt's
	// <key certificate-id> verifies signatures with. Nil when the document
	// is compiled only to be checked.
	Public crypto.PublicKey
	// TLS is the chain with its private key. Nil when the document is
	// compiled only to be checked (the management API) or HasKey is false.
	TLS *tls.Certificate
}

type clientCertificateKey struct{}

// WithClientCertificate returns ctx carrying cert, the client certificate
// a request sent with it (send-request) presents.
func WithClientCertificate(ctx context.Context, cert *Certificate) context.Context {
	return context.WithValue(ctx, clientCertificateKey{}, cert)
}

// ClientCertificateFrom returns the certificate WithClientCertificate put
// in ctx, or nil.
func ClientCertificateFrom(ctx context.Context) *Certificate {
	cert, _ := ctx.Value(clientCertificateKey{}).(*Certificate)
	return cert
}

// CertificateByThumbprint returns the certificate of env with thumbprint t
// (case-insensitive), or nil.
func (env Env) CertificateByThumbprint(t string) *Certificate {
	for _, c := range env.Certificates {
		if strings.EqualFold(c.Thumbprint, strings.TrimSpace(t)) {
			return c
		}
	}
	return nil
}

// Example is a documented response of an operation.
type Example struct {
	StatusCode  int
	ContentType string
	Body        string
}

// Compile compiles doc's four sections into a Pipeline. Every problem is
// reported, as Diagnostics.
//
// doc's named values are those ParseIn substituted: compiling reports
// each reference to env.OnReference, refuses a reference to a named value
// that does not exist, and keeps the values of secrets out of every
// diagnostic.
func (r *Registry) Compile(doc *Document, env Env) (*Pipeline, error) {
	c := &Compiler{reg: r, env: env}
	p := &Pipeline{}
	texts := map[*text]bool{}
	for s := range numSections {
		c.section = s
		nodes, _ := doc.Section(s)
		walk(nodes, func(n *Node) {
			texts[n.t] = true
			c.references(n)
		})
		p.sections[s] = c.Steps(nodes)
	}
	if len(c.diags) > 0 {
		for t := range texts {
			if t == nil {
				continue
			}
			for _, d := range c.diags {
				d.Msg = redact(d.Msg, t.refs)
			}
		}
		return nil, c.diags
	}
	p.perOperation = c.perOperation
	return p, nil
}

// references reports the named values written in n, and refuses those
// that do not exist. A Liquid template's {{ }} are its own: there, a name
// that is not a known named value is not a reference (nor, offline, a
// warning).
func (c *Compiler) references(n *Node) {
	liquid := false
	if n.Name == "set-body" {
		a, _ := n.Attr("template")
		liquid = strings.EqualFold(strings.TrimSpace(a.Value), "liquid")
	}
	for _, ref := range n.refs {
		if (ref.Missing || ref.Opaque) && liquid && ref.Attr == "" {
			continue // the template's own {{ }}, such as {{body.id}}
		}
		c.Refer(n, ref.Pos, "namedValues", ref.Name)
		if ref.Missing {
			c.diags = append(c.diags, &Diagnostic{Pos: ref.Pos, Element: n.Name, Attr: ref.Attr,
				Msg: fmt.Sprintf("named value {{%s}} does not exist", ref.Name), Source: n.Source, Path: n.Path})
		}
	}
}

// Compiler is handed to each element's CompileFunc: it compiles
// attributes, texts and child elements, and collects diagnostics.
type Compiler struct {
	reg     *Registry
	env     Env
	section Section
	diags   Diagnostics
	// perOperation notes that an element read the operation's
	// description or examples: the pipeline is the operation's own.
	perOperation bool
	// placeholders holds, by node, the attributes whose placeholders are
	// taken as opaque (Env.AnyPlaceholder; see placeholder.go).
	placeholders map[*Node]map[string]Attr
}

// Operation returns what the operation being compiled documents (nil
// outside an operation), and notes that the pipeline depends on it.
func (c *Compiler) Operation() *Operation {
	c.perOperation = true
	return c.env.Operation
}

// Examples returns the operation's documented responses, and notes that
// the pipeline depends on them.
func (c *Compiler) Examples() []Example {
	c.perOperation = true
	return c.env.Examples
}

// Refer records that element n, at p, refers to the resource kind/id.
func (c *Compiler) Refer(n *Node, p Pos, kind, id string) {
	if c.env.OnReference != nil {
		c.env.OnReference(Reference{Kind: kind, ID: id, Source: n.Source, Path: n.Path, Pos: p})
	}
}

// Condition compiles attribute name of n as a condition: an expression,
// or a literal true or false, checked now rather than per request.
func (c *Compiler) Condition(n *Node, name string, required bool) (Value, bool) {
	v, ok := c.Attr(n, name, required)
	if !ok || v.prog != nil || !v.set || v.opaque {
		return v, ok
	}
	switch strings.ToLower(strings.TrimSpace(v.lit)) {
	case "true":
		v.lit = "true"
	case "false":
		v.lit = "false"
	default:
		a, _ := n.Attr(name)
		c.AttrErrorf(n, a, "%q is not a condition: want true, false or an expression @(...)", v.lit)
		return Value{}, false
	}
	return v, true
}

// Section returns the section being compiled.
func (c *Compiler) Section() Section { return c.section }

// Env returns the compile environment.
func (c *Compiler) Env() Env { return c.env }

// Errorf reports a problem with element n.
func (c *Compiler) Errorf(n *Node, format string, args ...any) {
	c.diags = append(c.diags, errorAt(n, format, args...))
}

// AttrErrorf reports a problem with attribute a of n.
func (c *Compiler) AttrErrorf(n *Node, a Attr, format string, args ...any) {
	c.diags = append(c.diags, attrError(n, a, format, args...))
}

// Steps compiles a list of elements in order.
func (c *Compiler) Steps(nodes []*Node) []Step {
	steps := make([]Step, 0, len(nodes))
	for _, n := range nodes {
		f, ok := c.reg.byName[n.Name]
		if !ok {
			switch n.Name {
			case "base":
				c.Errorf(n, "<base /> belongs directly in a section")
			case "include-fragment":
				c.Errorf(n, "a fragment may be included in a section, a fragment, <when>, <otherwise>, <retry> or <limit-concurrency>, not here")
			default:
				c.Errorf(n, "unknown or unsupported policy element")
			}
			continue
		}
		before := len(c.diags)
		s := c.compileWithPlaceholders(n, f)
		if s != nil && len(c.diags) == before {
			steps = append(steps, &namedStep{name: n.Name, section: c.section, step: s})
		}
	}
	return steps
}

// StepsAs compiles nodes as if they were in section s (return-response
// builds a response whatever section it is in).
func (c *Compiler) StepsAs(s Section, nodes []*Node) []Step {
	saved := c.section
	c.section = s
	defer func() { c.section = saved }()
	return c.Steps(nodes)
}

// Only reports attributes of n other than allowed and id: APIM's portal
// marks the elements it generates with id="apim-generated-policy", an
// identifier APIM accepts on any element and that changes nothing.
func (c *Compiler) Only(n *Node, allowed ...string) {
	for _, a := range n.Attrs {
		ok := a.Name == "id"
		for _, al := range allowed {
			ok = ok || a.Name == al
		}
		if !ok {
			c.AttrErrorf(n, a, "unknown attribute; allowed: %s", strings.Join(allowed, ", "))
		}
	}
}

// Literal returns attribute name of n, which may not be an expression.
// A missing required attribute is reported.
func (c *Compiler) Literal(n *Node, name string, required bool) (string, Attr, bool) {
	a, ok := n.Attr(name)
	if !ok {
		if required {
			c.Errorf(n, "attribute %s is required", name)
		}
		return "", a, false
	}
	if c.opaque(n, name) {
		return "", a, false // any value: it is not known here
	}
	if strings.HasPrefix(strings.TrimSpace(a.Value), "@") {
		c.AttrErrorf(n, a, "an expression is not allowed here")
		return "", a, false
	}
	return a.Value, a, true
}

// Attr compiles attribute name of n, a literal or an expression.
func (c *Compiler) Attr(n *Node, name string, required bool) (Value, bool) {
	a, ok := n.Attr(name)
	if !ok {
		if required {
			c.Errorf(n, "attribute %s is required", name)
		}
		return Value{}, false
	}
	return c.value(n, a.Name, a.Value, a.Pos, a.off), true
}

// Text compiles the character data of n, a literal or an expression.
func (c *Compiler) Text(n *Node) Value {
	p := n.TextPos
	if p == (Pos{}) {
		p = n.Pos
	}
	return c.value(n, "", n.Text, p, n.textOff)
}

// value compiles a literal or an expression written at p, offset off of
// the document's substituted text.
func (c *Compiler) value(n *Node, attr, v string, p Pos, off int) Value {
	trimmed := strings.TrimSpace(v)
	kind := expr.Inline
	switch {
	case strings.HasPrefix(trimmed, "@(") && strings.HasSuffix(trimmed, ")"):
	case strings.HasPrefix(trimmed, "@{") && strings.HasSuffix(trimmed, "}"):
		kind = expr.Block
	default:
		return Value{lit: v, set: true, opaque: c.opaque(n, attr)}
	}
	prog, err := expr.Compile(trimmed[2:len(trimmed)-1], kind, c.reg.exprs)
	if err != nil {
		if c.opaque(n, attr) {
			// A {{name}} not known here may be code: the expression can
			// only be checked with its value.
			return Value{lit: v, set: true, opaque: true}
		}
		d := &Diagnostic{Pos: p, Element: n.Name, Attr: attr, Msg: err.Error(), Source: n.Source, Path: n.Path}
		var ee *expr.Error
		if errors.As(err, &ee) {
			d.Msg = ee.Msg
			d.Pos = exprPos(n, p, off+len(v)-len(strings.TrimLeft(v, " \t\r\n"))+2, trimmed[2:], ee.Line, ee.Col)
		}
		c.diags = append(c.diags, d)
		return Value{}
	}
	return Value{prog: prog, set: true, src: trimmed}
}

// exprPos returns where line:col of code is written, code starting at
// offset off of n's substituted text (at p when n has no text).
func exprPos(n *Node, p Pos, off int, code string, line, col int) Pos {
	for l := 1; l < line; l++ {
		i := strings.IndexByte(code, '\n')
		if i < 0 {
			break
		}
		off += i + 1
		code = code[i+1:]
	}
	if n.t == nil {
		if line <= 1 {
			return Pos{p.Line, p.Col + col + 1}
		}
		return Pos{p.Line + line - 1, col}
	}
	return n.t.at(off + col - 1)
}

// Value is a compiled attribute or text: a literal, or an expression
// evaluated per request.
type Value struct {
	lit    string
	prog   *expr.Program
	src    string
	set    bool
	opaque bool // holds a {{name}} not known here (checking offline)
}

// IsSet reports whether the value was given.
func (v Value) IsSet() bool { return v.set }

// Literal returns the value and true when it is a literal known now:
// not an expression, nor a {{name}} whose value is not known here (when
// checking offline), which stands for any value.
func (v Value) Literal() (string, bool) { return v.lit, v.prog == nil && !v.opaque }

// String evaluates the value as a string.
func (v Value) String(c *Context) (string, error) {
	if v.prog == nil {
		return v.lit, nil
	}
	r, err := v.prog.Eval(&c.Context)
	if err != nil {
		return "", err
	}
	return expr.ToString(r), nil
}

// Any evaluates the value; a literal is a string.
func (v Value) Any(c *Context) (any, error) {
	if v.prog == nil {
		return v.lit, nil
	}
	return v.prog.Eval(&c.Context)
}

// Bool evaluates the value as a condition; a literal must be true or false.
func (v Value) Bool(c *Context) (bool, error) {
	if v.prog == nil {
		switch strings.ToLower(strings.TrimSpace(v.lit)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, fmt.Errorf("%q is not true or false", v.lit)
	}
	r, err := v.prog.Eval(&c.Context)
	if err != nil {
		return false, err
	}
	return expr.ToBool(r)
}

// Source returns the value as written (after named values).
func (v Value) Source() string {
	if v.prog == nil {
		return v.lit
	}
	return v.src
}
