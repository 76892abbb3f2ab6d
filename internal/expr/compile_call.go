package expr

// findMember resolves name on static type t at compile time. It returns
// nil (and no error) when t is dynamic and the member must be found at
// run time.
func (c *compiler) findMember(t *Type, name string, p pos, wantCall bool) (*Member, error) {
	if t.dynamic() {
		if !c.lib.known[name] {
			return nil, c.errf(p, "member %s is not supported", name)
		}
		return nil, nil
	}
	m := c.lib.member(t.name, name)
	if t.anon != nil {
		if am := anonMember(t, name); am != nil {
			m = am
		} else if m == nil {
			return nil, c.errf(p, "the anonymous type has no member %s", name)
		}
	}
	if m == nil {
		if name == "[]" {
			return nil, c.errf(p, "cannot apply indexing to %s", t.name)
		}
		return nil, c.errf(p, "member %s of %s is not supported", name, t.name)
	}
	if wantCall && m.Call == nil {
		return nil, c.errf(p, "%s of %s is a property, not a method", name, t.name)
	}
	if !wantCall && m.Get == nil {
		return nil, c.errf(p, "%s of %s is a method; call it with ()", name, t.name)
	}
	return m, nil
}

// dynMember finds name on the run-time type of v.
func (l *Library) dynMember(v any, name string, wantCall bool) (*Member, error) {
	if v == nil {
		return nil, errNull(name)
	}
	tn := TypeName(v)
	m := l.member(tn, name)
	if a, ok := v.(*Anonymous); ok && !wantCall {
		if x, found := a.Get(name); found {
			return &Member{Get: func(any) (any, error) { return x, nil }}, nil
		}
	}
	if m == nil || wantCall && m.Call == nil || !wantCall && m.Get == nil {
		if name == "[]" {
			return nil, Fail("cannot apply indexing to %s", tn)
		}
		return nil, Fail("member %s of %s is not supported", name, tn)
	}
	return m, nil
}

func errNull(name string) error {
	if name == "[]" {
		return Fail("object reference not set to an instance of an object (indexing null)")
	}
	return Fail("object reference not set to an instance of an object (reading %s of null)", name)
}

// inNullChain reports whether n is part of a chain with ?. or ?[, whose
// null result the rest of the chain passes on.
func inNullChain(n node) bool {
	switch n := n.(type) {
	case *memberExpr:
		return n.nullCond || n.x != nil && inNullChain(n.x)
	case *indexExpr:
		return n.nullCond || inNullChain(n.x)
	case *callExpr:
		return inNullChain(n.fn)
	}
	return false
}

func (c *compiler) member(n *memberExpr) (*cexpr, error) {
	if tname, ok := c.staticOf(n.x); ok {
		m := c.lib.statics[tname][n.name]
		if m == nil || m.Get == nil {
			if m != nil {
				return nil, c.errf(n.p, "%s.%s is a method; call it with ()", tname, n.name)
			}
			return nil, c.errf(n.p, "member %s of %s is not supported", n.name, tname)
		}
		t := m.Result
		if t == nil {
			t = tyObject
		}
		if m.Pure {
			v, _ := m.Get(nil)
			return konst(v, t), nil
		}
		get, p := m.Get, n.p
		return &cexpr{t: t, fn: func(e *Env) (any, error) {
			v, err := get(e.ctx) // static getters receive the Context (for its clock)
			if err != nil {
				return nil, c.at(p, err)
			}
			return v, nil
		}}, nil
	}
	recv, err := c.value(n.x)
	if err != nil {
		return nil, err
	}
	m, err := c.findMember(recv.t, n.name, n.p, false)
	if err != nil {
		return nil, err
	}
	t := tyObject
	if m != nil && m.Result != nil {
		t = m.Result
	}
	rf, p, name, nullOK := recv.fn, n.p, n.name, inNullChain(n)
	return &cexpr{t: t, fn: func(e *Env) (any, error) {
		v, err := rf(e)
		if err != nil {
			return nil, err
		}
		if v == nil {
			if name == "HasValue" {
				return false, nil
			}
			if nullOK {
				return nil, nil
			}
			return nil, c.at(p, errNull(name))
		}
		mm := m
		if mm == nil {
			if mm, err = c.lib.dynMember(v, name, false); err != nil {
				return nil, c.at(p, err)
			}
		}
		r, err := mm.Get(v)
		if err != nil {
			return nil, c.at(p, err)
		}
		return r, nil
	}}, nil
}

func (c *compiler) typeArgs(n *memberExpr, m *Member, owner string) ([]*Type, error) {
	var targs []*Type
	for _, ta := range n.targs {
		t, ok := c.lib.resolveType(ta)
		if !ok {
			return nil, c.errf(ta.p, "type %s is not supported", ta.name)
		}
		targs = append(targs, t)
	}
	if m == nil {
		return targs, nil
	}
	switch {
	case m.Generic == 0 && len(targs) > 0:
		return nil, c.errf(n.p, "%s of %s is not generic", n.name, owner)
	case m.Generic == 2 && len(targs) == 0:
		return nil, c.errf(n.p, "%s of %s needs a type argument, as in %s<string>(...)", n.name, owner, n.name)
	case len(targs) > 1:
		return nil, c.errf(n.p, "%s of %s takes one type argument", n.name, owner)
	}
	return targs, nil
}

func (c *compiler) call(n *callExpr) (*cexpr, error) {
	if id, ok := n.fn.(*identExpr); ok {
		if l := c.lookup(id.name); l != nil && l.fn != nil {
			return c.callLocal(n, id.name, l.fn)
		}
	}
	m, ok := n.fn.(*memberExpr)
	if !ok || m.x == nil {
		if id, ok := n.fn.(*identExpr); ok {
			if id.name == "{}" {
				return nil, c.errf(id.p, "a { key, value } entry belongs only in a Dictionary's initializer")
			}
			return nil, c.errf(id.p, "method %s is not supported", id.name)
		}
		if ok && m.x == nil {
			return nil, c.errf(m.p, "method %s is not supported", m.name)
		}
		return nil, c.errf(n.p, "only methods can be called")
	}
	if tname, ok := c.staticOf(m.x); ok {
		mem := c.lib.statics[tname][m.name]
		if mem == nil || mem.Call == nil {
			if mem != nil {
				return nil, c.errf(m.p, "%s.%s is a property, not a method", tname, m.name)
			}
			return nil, c.errf(m.p, "method %s of %s is not supported", m.name, tname)
		}
		return c.invoke(n, m, mem, tname, nil)
	}
	recv, err := c.value(m.x)
	if err != nil {
		return nil, err
	}
	mem, err := c.findMember(recv.t, m.name, m.p, true)
	if err != nil {
		return nil, err
	}
	return c.invoke(n, m, mem, recv.t.name, recv)
}

// invoke compiles a call of mem (nil: found at run time) on recv (nil: static).
func (c *compiler) invoke(n *callExpr, m *memberExpr, mem *Member, owner string, recv *cexpr) (*cexpr, error) {
	targs, err := c.typeArgs(m, mem, owner)
	if err != nil {
		return nil, err
	}
	if mem != nil && (len(n.args) < mem.Min || mem.Max >= 0 && len(n.args) > mem.Max) {
		return nil, c.errf(m.p, "%s of %s takes %s, not %d", m.name, owner, arity(mem), len(n.args))
	}
	var elem *Type
	if recv != nil {
		elem = recv.t.elem
	}
	args, err := c.args(n.args, elem)
	if err != nil {
		return nil, err
	}
	if mem != nil && mem.Bind != nil {
		consts, known := c.constArgs(n.args)
		call, err := mem.Bind(consts, known)
		if err != nil {
			return nil, c.errf(m.p, "%s.%s: %v", owner, m.name, err)
		}
		if call != nil {
			mem = &Member{Result: mem.Result, ResultOf: mem.ResultOf, Call: call, Min: mem.Min, Max: mem.Max}
		}
	}
	t := tyObject
	if mem != nil {
		switch {
		case mem.ResultOf != nil:
			var rt *Type
			if recv != nil {
				rt = recv.t
			}
			t = mem.ResultOf(targs, rt)
		case mem.Result != nil:
			t = mem.Result
		}
	}
	p, name := m.p, m.name
	if recv == nil {
		call := mem.Call
		return &cexpr{t: t, fn: func(e *Env) (any, error) {
			av, err := args(e)
			if err != nil {
				return nil, err
			}
			r, err := call(e, nil, av, targs)
			if err == nil {
				err = e.chargeValue(r)
			}
			if err != nil {
				return nil, c.at(p, err)
			}
			return r, nil
		}}, nil
	}
	rf, nullOK := recv.fn, inNullChain(m)
	return &cexpr{t: t, fn: func(e *Env) (any, error) {
		v, err := rf(e)
		if err != nil {
			return nil, err
		}
		if v == nil && (mem == nil || !mem.NullReceiver) {
			if nullOK {
				return nil, nil
			}
			return nil, c.at(p, errNull(name))
		}
		mm := mem
		if mm == nil {
			if mm, err = c.lib.dynMember(v, name, true); err != nil {
				return nil, c.at(p, err)
			}
		}
		av, err := args(e)
		if err != nil {
			return nil, err
		}
		if len(av) < mm.Min || mm.Max >= 0 && len(av) > mm.Max {
			return nil, c.at(p, Fail("%s of %s takes %s, not %d", name, TypeName(v), arity(mm), len(av)))
		}
		if err := e.step(); err != nil {
			return nil, c.at(p, err)
		}
		r, err := mm.Call(e, v, av, targs)
		if err == nil {
			err = e.chargeValue(r)
		}
		if err != nil {
			return nil, c.at(p, err)
		}
		return r, nil
	}}, nil
}

func arity(m *Member) string {
	switch {
	case m.Min == m.Max && m.Min == 1:
		return "1 argument"
	case m.Min == m.Max:
		return itoa(m.Min) + " arguments"
	case m.Max < 0:
		return "at least " + itoa(m.Min) + " arguments"
	}
	return itoa(m.Min) + " to " + itoa(m.Max) + " arguments"
}

// args compiles call arguments into one closure that yields them. When
// every argument is a constant, the slice is built once and shared: a
// method must not modify its args.
func (c *compiler) args(as []arg, elem *Type) (func(e *Env) ([]any, error), error) {
	fns := make([]evalFn, len(as))
	consts := make([]any, len(as))
	allConst := true
	for i, a := range as {
		var ce *cexpr
		var err error
		switch x := a.x.(type) {
		case *lambdaExpr:
			ce, err = c.lambda(x, elem)
		case *outExpr:
			ce, err = c.out(x)
		default:
			ce, err = c.value(a.x)
		}
		if err != nil {
			return nil, err
		}
		fns[i] = ce.fn
		consts[i] = ce.val
		allConst = allConst && ce.konst
	}
	if allConst {
		return func(*Env) ([]any, error) { return consts, nil }, nil
	}
	return func(e *Env) ([]any, error) {
		vs := make([]any, len(fns))
		for i, f := range fns {
			v, err := f(e)
			if err != nil {
				return nil, err
			}
			vs[i] = v
		}
		return vs, nil
	}, nil
}

// constArgs returns the values of the arguments that are constants.
func (c *compiler) constArgs(as []arg) ([]any, []bool) {
	consts := make([]any, len(as))
	known := make([]bool, len(as))
	for i, a := range as {
		if l, ok := a.x.(*litExpr); ok {
			consts[i], known[i] = l.val, true
		}
	}
	return consts, known
}

// Out is an out argument (out var n) as a method receives it: the method
// stores its result with Set, converted to the variable's type.
type Out interface {
	Set(v any)
}

// outRef is an out argument: the method stores its result through Set.
type outRef struct {
	e    *Env
	slot int
	t    *Type
}

// Set stores v in the variable.
func (o *outRef) Set(v any) {
	if o.t != nil {
		cv, err := coerce(o.t, v)
		if err != nil {
			cv = Zero(o.t) // a value of another type never enters a typed variable
		}
		v = cv
	}
	o.e.vars[o.slot] = v
}

func (c *compiler) out(n *outExpr) (*cexpr, error) {
	var l *local
	if n.decl {
		t := tyObject
		if n.t != nil {
			var ok bool
			if t, ok = c.lib.resolveType(n.t); !ok {
				return nil, c.errf(n.t.p, "type %s is not supported", n.t.name)
			}
		}
		var err error
		if l, err = c.declare(n.p, n.name, t); err != nil {
			return nil, err
		}
	} else if l = c.lookup(n.name); l == nil {
		return nil, c.errf(n.p, "the name %s does not exist in the current context", n.name)
	}
	slot, t := l.slot, l.t
	return &cexpr{t: named("out"), fn: func(e *Env) (any, error) { return &outRef{e: e, slot: slot, t: t}, nil }}, nil
}

func (c *compiler) index(n *indexExpr) (*cexpr, error) {
	recv, err := c.value(n.x)
	if err != nil {
		return nil, err
	}
	m, err := c.findMember(recv.t, "[]", n.p, true)
	if err != nil {
		return nil, err
	}
	if len(n.args) == 0 {
		return nil, c.errf(n.p, "an indexer needs an argument")
	}
	if m != nil && (len(n.args) < m.Min || m.Max >= 0 && len(n.args) > m.Max) {
		return nil, c.errf(n.p, "indexer of %s takes %s, not %d", recv.t.name, arity(m), len(n.args))
	}
	as := make([]arg, len(n.args))
	for i, x := range n.args {
		as[i] = arg{x: x}
	}
	args, err := c.args(as, nil)
	if err != nil {
		return nil, err
	}
	t := tyObject
	if m != nil {
		switch {
		case m.ResultOf != nil:
			t = m.ResultOf(nil, recv.t)
		case m.Result != nil:
			t = m.Result
		}
	}
	rf, p, nullOK := recv.fn, n.p, inNullChain(n)
	return &cexpr{t: t, fn: func(e *Env) (any, error) {
		v, err := rf(e)
		if err != nil {
			return nil, err
		}
		if v == nil {
			if nullOK {
				return nil, nil
			}
			return nil, c.at(p, errNull("[]"))
		}
		mm := m
		if mm == nil {
			if mm, err = c.lib.dynMember(v, "[]", true); err != nil {
				return nil, c.at(p, err)
			}
		}
		av, err := args(e)
		if err != nil {
			return nil, err
		}
		if len(av) < mm.Min || mm.Max >= 0 && len(av) > mm.Max {
			return nil, c.at(p, Fail("indexer of %s takes %s, not %d", TypeName(v), arity(mm), len(av)))
		}
		r, err := mm.Call(e, v, av, nil)
		if err != nil {
			return nil, c.at(p, err)
		}
		return r, nil
	}}, nil
}

// Lambda is the value of a lambda expression (x => x.Length > 2) as a
// method receives it.
type Lambda interface {
	// Call evaluates the lambda with args bound to its parameters (extra
	// arguments are dropped); each call takes a step of the budget.
	Call(args ...any) (any, error)
}

// lambdaVal is a lambda expression's value: a function of its parameters.
type lambdaVal struct {
	e     *Env
	slots []int
	body  evalFn
}

// Call calls l with its arguments (LINQ passes the element and its index).
func (l *lambdaVal) Call(args ...any) (any, error) {
	if err := l.e.step(); err != nil {
		return nil, err
	}
	for i, s := range l.slots {
		if i < len(args) {
			l.e.vars[s] = args[i]
		}
	}
	return l.body(l.e)
}

func (c *compiler) lambda(n *lambdaExpr, elem *Type) (*cexpr, error) {
	c.push()
	defer c.pop()
	pt := tyObject
	if elem != nil && len(n.params) == 1 {
		pt = elem
	}
	slots := make([]int, len(n.params))
	for i, name := range n.params {
		l, err := c.declare(n.p, name, pt)
		if err != nil {
			return nil, err
		}
		slots[i] = l.slot
	}
	var body evalFn
	inVoid := c.inVoid
	c.inVoid = false
	defer func() { c.inVoid = inVoid }()
	if b, ok := n.body.(*blockStmt); ok {
		run, err := c.body(b)
		if err != nil {
			return nil, err
		}
		body = run
	} else {
		x, err := c.expr(n.body)
		if err != nil {
			return nil, err
		}
		if x.static != "" || x.t == tyLambda {
			return nil, c.errf(n.body.at(), "a lambda must return a value")
		}
		body = x.fn
	}
	return &cexpr{t: tyLambda, fn: func(e *Env) (any, error) {
		return &lambdaVal{e: e, slots: slots, body: body}, nil
	}}, nil
}

func itoa(i int) string { return ToString(i) }
