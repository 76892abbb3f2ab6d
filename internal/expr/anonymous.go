package expr

import "strings"

// Anonymous is a value of a C# anonymous type, new { a = 1, b = "x" }:
// read-only properties in the order written. It is immutable.
type Anonymous struct {
	Names  []string
	Values []any
}

var _ Object = (*Anonymous)(nil)

// TypeName returns the name under which anonymous values are known.
func (a *Anonymous) TypeName() string { return "AnonymousType" }

// String formats a as C# does: { a = 1, b = x }.
func (a *Anonymous) String() string {
	var b strings.Builder
	b.WriteString("{ ")
	for i, n := range a.Names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n + " = " + ToString(a.Values[i]))
	}
	b.WriteString(" }")
	return b.String()
}

// Get returns the property called name.
func (a *Anonymous) Get(name string) (any, bool) {
	for i, n := range a.Names {
		if n == name {
			return a.Values[i], true
		}
	}
	return nil, false
}

// anonProps are the properties of an anonymous type, by position.
type anonProps struct {
	names []string
	types []*Type
}

// anonExpr is new { a = x, b, c.D }.
type anonExpr struct {
	p     pos
	props []propInit
}

func (n *anonExpr) at() pos { return n.p }

// parseAnon parses the members of new { ... }, at "{": name = value, or
// a name or member access whose name the property takes.
func (p *parser) parseAnon(at pos) (node, error) {
	p.advance()
	n := &anonExpr{p: at}
	for !p.isOp("}") {
		t := p.tok()
		var pi propInit
		if t.kind == tIdent && p.peek(1).kind == tOp && p.peek(1).text == "=" {
			p.i += 2
			x, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			pi = propInit{p: t.pos, name: t.text, x: x}
		} else {
			x, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			switch m := x.(type) {
			case *identExpr:
				pi = propInit{p: m.p, name: m.name, x: x}
			case *memberExpr:
				pi = propInit{p: m.p, name: m.name, x: x}
			default:
				return nil, p.errf(x.at(), "a member of an anonymous type needs a name: write name = value")
			}
		}
		for _, o := range n.props {
			if o.name == pi.name {
				return nil, p.errf(pi.p, "an anonymous type cannot have two members named %s", pi.name)
			}
		}
		n.props = append(n.props, pi)
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	if _, err := p.expect("}"); err != nil {
		return nil, err
	}
	return n, nil
}

// anon compiles new { ... } into a value with a static type whose
// properties are known when the expression compiles.
func (c *compiler) anon(n *anonExpr) (*cexpr, error) {
	props := &anonProps{}
	fns := make([]evalFn, len(n.props))
	for i, pi := range n.props {
		x, err := c.value(pi.x)
		if err != nil {
			return nil, err
		}
		if x.t == tyNull {
			return nil, c.errf(pi.p, "cannot assign null to anonymous type property %s", pi.name)
		}
		fns[i] = x.fn
		props.names = append(props.names, pi.name)
		props.types = append(props.types, x.t)
	}
	t := &Type{name: "AnonymousType", anon: props}
	names := props.names
	return &cexpr{t: t, fn: func(e *Env) (any, error) {
		vals := make([]any, len(fns))
		for i, f := range fns {
			v, err := f(e)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		return &Anonymous{Names: names, Values: vals}, nil
	}}, nil
}

// anonMember returns property name of anonymous type t, or nil.
func anonMember(t *Type, name string) *Member {
	for i, n := range t.anon.names {
		if n == name {
			return &Member{Result: t.anon.types[i], Get: func(r any) (any, error) { return r.(*Anonymous).Values[i], nil }}
		}
	}
	return nil
}
