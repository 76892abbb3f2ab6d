package expr

import "strings"

// setter stores a value into an assignment target.
type setter struct {
	slot int                                                        // a local variable's slot, or -1
	t    *Type                                                      // static type of the target
	bind func(e *Env) (func() (any, error), func(any) error, error) // evaluates receiver and index once; returns get and set
}

func (c *compiler) target(n node) (*setter, error) {
	switch n := n.(type) {
	case *identExpr:
		l := c.lookup(n.name)
		if l == nil {
			if n.name == "context" {
				return nil, c.errf(n.p, "context cannot be assigned")
			}
			return nil, c.errf(n.p, "the name %s does not exist in the current context", n.name)
		}
		if l.konst {
			return nil, c.errf(n.p, "%s is a const local and cannot be assigned", n.name)
		}
		slot, t := l.slot, l.t
		return &setter{slot: slot, t: t}, nil
	case *indexExpr:
		recv, err := c.value(n.x)
		if err != nil {
			return nil, err
		}
		if recv.t.name == "IVariables" {
			return nil, c.errf(n.p, "context.Variables is read-only; use the set-variable policy")
		}
		get, err := c.findMember(recv.t, "[]", n.p, true)
		if err != nil {
			return nil, err
		}
		set, err := c.findMember(recv.t, "[]=", n.p, true)
		if err != nil {
			return nil, c.errf(n.p, "indexer of %s cannot be assigned", recv.t.name)
		}
		if len(n.args) != 1 {
			return nil, c.errf(n.p, "indexer takes one argument")
		}
		ix, err := c.value(n.args[0])
		if err != nil {
			return nil, err
		}
		rf, xf := recv.fn, ix.fn
		return &setter{slot: -1, t: tyObject, bind: func(e *Env) (func() (any, error), func(any) error, error) {
			r, err := rf(e)
			if err != nil {
				return nil, nil, err
			}
			if r == nil {
				return nil, nil, errNull("[]")
			}
			k, err := xf(e)
			if err != nil {
				return nil, nil, err
			}
			g, s := get, set
			if g == nil {
				if g, err = c.lib.dynMember(r, "[]", true); err != nil {
					return nil, nil, err
				}
				if s, err = c.lib.dynMember(r, "[]=", true); err != nil {
					return nil, nil, Fail("indexer of %s cannot be assigned", TypeName(r))
				}
			}
			return func() (any, error) { return g.Call(e, r, []any{k}, nil) },
				func(v any) error { _, err := s.Call(e, r, []any{k, v}, nil); return err }, nil
		}}, nil
	case *memberExpr:
		if n.x != nil && c.lib.known[n.name+"="] {
			recv, err := c.value(n.x)
			if err != nil {
				return nil, err
			}
			if recv.t.dynamic() || c.lib.member(recv.t.name, n.name+"=") != nil {
				return c.propertySetter(n.name, recv.fn), nil
			}
		}
		return nil, c.errf(n.at(), "assignment to %s is not supported", n.name)
	}
	return nil, c.errf(n.at(), "the left-hand side of an assignment must be a variable or an indexer")
}

// propertySetter assigns the property name of the value rf yields, through
// the member name+"=" of its run-time type (Value of a JProperty).
func (c *compiler) propertySetter(name string, rf evalFn) *setter {
	return &setter{slot: -1, t: tyObject, bind: func(e *Env) (func() (any, error), func(any) error, error) {
		r, err := rf(e)
		if err != nil {
			return nil, nil, err
		}
		g, err := c.lib.dynMember(r, name, false)
		if err != nil {
			return nil, nil, err
		}
		set := func(v any) error {
			s := c.lib.member(TypeName(r), name+"=")
			if s == nil || s.Call == nil {
				return Fail("%s of %s cannot be assigned", name, TypeName(r))
			}
			_, err := s.Call(e, r, []any{v}, nil)
			return err
		}
		return func() (any, error) { return g.Get(r) }, set, nil
	}}
}

func (c *compiler) assign(n *assignExpr) (*cexpr, error) {
	tg, err := c.target(n.target)
	if err != nil {
		return nil, err
	}
	x, err := c.value(n.x)
	if err != nil {
		return nil, err
	}
	if n.op == "=" && !x.t.dynamic() && !c.assignable(x.t, tg.t) {
		return nil, c.errf(n.x.at(), "cannot implicitly convert type %s to %s", x.t.name, tg.t.name)
	}
	op := strings.TrimSuffix(n.op, "=")
	xf, bind, p := x.fn, tg.bind, n.p
	if tg.slot >= 0 {
		return c.assignLocal(tg, op, xf, p), nil
	}
	return &cexpr{t: tg.t, fn: func(e *Env) (any, error) {
		get, set, err := bind(e)
		if err != nil {
			return nil, c.at(p, err)
		}
		var v any
		switch op {
		case "":
			if v, err = xf(e); err != nil {
				return nil, err
			}
		case "??":
			cur, err := get()
			if err != nil {
				return nil, c.at(p, err)
			}
			if cur != nil {
				return cur, nil
			}
			if v, err = xf(e); err != nil {
				return nil, err
			}
		default:
			cur, err := get()
			if err != nil {
				return nil, c.at(p, err)
			}
			y, err := xf(e)
			if err != nil {
				return nil, err
			}
			if v, err = Binary(op, cur, y); err == nil {
				err = e.chargeValue(v)
			}
			if err != nil {
				return nil, c.at(p, err)
			}
		}
		if err := set(v); err != nil {
			return nil, c.at(p, err)
		}
		return v, nil
	}}, nil
}

// assignLocal is assignment to a local variable, without closures per evaluation.
func (c *compiler) assignLocal(tg *setter, op string, xf evalFn, p pos) *cexpr {
	slot, t := tg.slot, tg.t
	return &cexpr{t: t, fn: func(e *Env) (any, error) {
		cur := e.vars[slot]
		if op == "??" && cur != nil {
			return cur, nil
		}
		v, err := xf(e)
		if err != nil {
			return nil, err
		}
		if op != "" && op != "??" {
			if v, err = Binary(op, cur, v); err == nil {
				err = e.chargeValue(v)
			}
			if err != nil {
				return nil, c.at(p, err)
			}
		}
		if v, err = coerce(t, v); err != nil {
			return nil, c.at(p, err)
		}
		e.vars[slot] = v
		return v, nil
	}}
}

func (c *compiler) incDec(n *incDecExpr) (*cexpr, error) {
	tg, err := c.target(n.x)
	if err != nil {
		return nil, err
	}
	op := n.op[:1]
	bind, p, prefix := tg.bind, n.p, n.prefix
	if tg.slot >= 0 {
		slot, t := tg.slot, tg.t
		return &cexpr{t: t, fn: func(e *Env) (any, error) {
			cur := e.vars[slot]
			v, err := stepValue(op, cur)
			if err == nil {
				v, err = coerce(t, v)
			}
			if err != nil {
				return nil, c.at(p, err)
			}
			e.vars[slot] = v
			if prefix {
				return v, nil
			}
			return cur, nil
		}}, nil
	}
	return &cexpr{t: tg.t, fn: func(e *Env) (any, error) {
		get, set, err := bind(e)
		if err != nil {
			return nil, c.at(p, err)
		}
		cur, err := get()
		if err != nil {
			return nil, c.at(p, err)
		}
		v, err := stepValue(op, cur)
		if err != nil {
			return nil, c.at(p, err)
		}
		if err := set(v); err != nil {
			return nil, c.at(p, err)
		}
		if prefix {
			return v, nil
		}
		return cur, nil
	}}, nil
}

// stepValue is cur + 1 or cur - 1 for ++ and --, keeping a char a char.
func stepValue(op string, cur any) (any, error) {
	v, err := Binary(op, cur, 1)
	if err != nil {
		return nil, err
	}
	if _, ok := cur.(rune); ok {
		if n, ok := v.(int); ok {
			return rune(n), nil
		}
	}
	return v, nil
}
