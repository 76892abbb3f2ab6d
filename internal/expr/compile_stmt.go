package expr

import "strings"

// ctrl says how a statement ended.
type ctrl int

const (
	cNone ctrl = iota
	cBreak
	cContinue
	cReturn
)

// execFn runs a compiled statement.
type execFn func(e *Env) (ctrl, any, error)

// body compiles the statements of @{ } or of a lambda block; the result
// is the value of the return statement that ends it.
func (c *compiler) body(b *blockStmt) (evalFn, error) {
	if !returns(b) {
		end := b.p
		if len(b.stmts) > 0 {
			end = b.stmts[len(b.stmts)-1].at()
		}
		return nil, c.errf(end, "not all code paths return a value")
	}
	run, err := c.block(b)
	if err != nil {
		return nil, err
	}
	return func(e *Env) (any, error) {
		_, v, err := run(e)
		return v, err
	}, nil
}

// returns reports whether s always ends in return or throw.
func returns(s node) bool {
	switch s := s.(type) {
	case *returnStmt, *throwStmt:
		return true
	case *blockStmt:
		return len(s.stmts) > 0 && returns(s.stmts[len(s.stmts)-1])
	case *ifStmt:
		return s.els != nil && returns(s.then) && returns(s.els)
	case *tryStmt:
		return s.finally != nil && returns(s.finally) || returns(s.body) && (s.catch == nil || returns(s.catch))
	case *whileStmt:
		if l, ok := s.c.(*litExpr); ok && l.val == true {
			return true
		}
	case *forStmt:
		return s.cond == nil
	case *switchStmt:
		hasDefault := false
		for _, sec := range s.sections {
			for _, l := range sec.labels {
				hasDefault = hasDefault || l == nil
			}
			if len(sec.stmts) == 0 || !returns(sec.stmts[len(sec.stmts)-1]) {
				return false
			}
		}
		return hasDefault
	}
	return false
}

func (c *compiler) block(b *blockStmt) (execFn, error) {
	c.push()
	defer c.pop()
	fns := make([]execFn, 0, len(b.stmts))
	at := make([]pos, 0, len(b.stmts))
	for _, s := range b.stmts {
		f, err := c.stmt(s)
		if err != nil {
			return nil, err
		}
		fns = append(fns, f)
		at = append(at, s.at())
	}
	return func(e *Env) (ctrl, any, error) {
		for i, f := range fns {
			if err := e.step(); err != nil {
				return cNone, nil, c.at(at[i], err)
			}
			k, v, err := f(e)
			if err != nil || k != cNone {
				return k, v, err
			}
		}
		return cNone, nil, nil
	}, nil
}

func (c *compiler) stmt(s node) (execFn, error) {
	switch s := s.(type) {
	case *blockStmt:
		return c.block(s)
	case *declStmt:
		return c.decl(s)
	case *funcStmt:
		return c.funcDecl(s)
	case *exprStmt:
		switch s.x.(type) {
		case *assignExpr, *callExpr, *incDecExpr, *newExpr:
		default:
			return nil, c.errf(s.p, "only assignment, call, increment, decrement and new object expressions can be used as a statement")
		}
		x, err := c.expr(s.x)
		if err != nil {
			return nil, err
		}
		f := x.fn
		return func(e *Env) (ctrl, any, error) {
			_, err := f(e)
			return cNone, nil, err
		}, nil
	case *ifStmt:
		return c.ifStmt(s)
	case *returnStmt:
		if c.inVoid {
			if s.x != nil {
				return nil, c.errf(s.x.at(), "a void local function cannot return a value")
			}
			return func(*Env) (ctrl, any, error) { return cReturn, nil, nil }, nil
		}
		if s.x == nil {
			return nil, c.errf(s.p, "return needs a value")
		}
		x, err := c.value(s.x)
		if err != nil {
			return nil, err
		}
		f := x.fn
		return func(e *Env) (ctrl, any, error) {
			v, err := f(e)
			return cReturn, v, err
		}, nil
	case *foreachStmt:
		return c.foreach(s)
	case *forStmt:
		return c.forStmt(s)
	case *whileStmt:
		return c.while(s)
	case *jumpStmt:
		if c.loops == 0 && (s.kind == "continue" || c.switches == 0) {
			return nil, c.errf(s.p, "no enclosing loop out of which to %s", s.kind)
		}
		k := cBreak
		if s.kind == "continue" {
			k = cContinue
		}
		return func(*Env) (ctrl, any, error) { return k, nil, nil }, nil
	case *throwStmt:
		return c.throw(s)
	case *tryStmt:
		return c.try(s)
	case *switchStmt:
		return c.switchStmt(s)
	}
	return nil, c.errf(s.at(), "unsupported statement")
}

func (c *compiler) decl(s *declStmt) (execFn, error) {
	var dt *Type
	if s.t != nil {
		var ok bool
		if dt, ok = c.lib.resolveType(s.t); !ok {
			return nil, c.errf(s.t.p, "type %s is not supported", s.t.name)
		}
	}
	type one struct {
		slot int
		init evalFn
		t    *Type
	}
	var vars []one
	for i, name := range s.names {
		var init *cexpr
		t := dt
		if s.inits[i] != nil {
			x, err := c.value(s.inits[i])
			if err != nil {
				return nil, err
			}
			init = x
			if t == nil {
				t = x.t
				if t == tyNull {
					return nil, c.errf(s.at_[i], "cannot assign null to an implicitly-typed variable")
				}
			} else if !x.t.dynamic() && !c.assignable(x.t, t) {
				return nil, c.errf(s.inits[i].at(), "cannot implicitly convert type %s to %s", x.t.name, t.name)
			}
		}
		l, err := c.declare(s.at_[i], name, t)
		if err != nil {
			return nil, err
		}
		l.konst = s.konst
		o := one{slot: l.slot, t: t}
		if init != nil {
			o.init = init.fn
		}
		vars = append(vars, o)
	}
	p := s.p
	return func(e *Env) (ctrl, any, error) {
		for _, o := range vars {
			var v any
			if o.init != nil {
				var err error
				if v, err = o.init(e); err != nil {
					return cNone, nil, err
				}
				if v, err = coerce(o.t, v); err != nil {
					return cNone, nil, c.at(p, err)
				}
			}
			e.vars[o.slot] = v
		}
		return cNone, nil, nil
	}, nil
}

// assignable reports whether a value of static type a may be stored in b without a cast.
func (c *compiler) assignable(a, b *Type) bool {
	if a == b || a.name == b.name || b == tyObject || a == tyNull && !isNumType(b) && b != tyBool {
		return true
	}
	if c.lib.opts.Implicit != nil && c.lib.opts.Implicit(a, b) {
		return true
	}
	switch b {
	case tyLong:
		return a == tyInt || a == tyChar || a == tyByte
	case tyDouble:
		return a == tyInt || a == tyLong || a == tyChar || a == tyByte
	case tyInt:
		return a == tyChar || a == tyByte
	}
	if b.name == "array" {
		return a.name == "array" || a == tyStrings || a == tyBytes
	}
	return a.dynamic()
}

func (c *compiler) ifStmt(s *ifStmt) (execFn, error) {
	cond, err := c.boolean(s.c)
	if err != nil {
		return nil, err
	}
	then, err := c.scoped(s.then)
	if err != nil {
		return nil, err
	}
	var els execFn
	if s.els != nil {
		if els, err = c.scoped(s.els); err != nil {
			return nil, err
		}
	}
	cf := cond.fn
	return func(e *Env) (ctrl, any, error) {
		v, err := cf(e)
		if err != nil {
			return cNone, nil, err
		}
		if v.(bool) {
			return then(e)
		}
		if els != nil {
			return els(e)
		}
		return cNone, nil, nil
	}, nil
}

// scoped compiles an embedded statement in its own scope.
func (c *compiler) scoped(s node) (execFn, error) {
	if s == nil {
		return func(*Env) (ctrl, any, error) { return cNone, nil, nil }, nil
	}
	if _, ok := s.(*declStmt); ok {
		return nil, c.errf(s.at(), "embedded statement cannot be a declaration")
	}
	c.push()
	defer c.pop()
	return c.stmt(s)
}

// loopBody runs one iteration and reports whether to stop.
func loopBody(e *Env, body execFn) (stop bool, k ctrl, v any, err error) {
	if err := e.step(); err != nil {
		return true, cNone, nil, err
	}
	k, v, err = body(e)
	switch {
	case err != nil || k == cReturn:
		return true, k, v, err
	case k == cBreak:
		return true, cNone, nil, nil
	}
	return false, cNone, nil, nil
}

func (c *compiler) foreach(s *foreachStmt) (execFn, error) {
	coll, err := c.value(s.coll)
	if err != nil {
		return nil, err
	}
	c.push()
	defer c.pop()
	t := tyObject
	if coll.t.elem != nil {
		t = coll.t.elem
	}
	if s.t != nil {
		var ok bool
		if t, ok = c.lib.resolveType(s.t); !ok {
			return nil, c.errf(s.t.p, "type %s is not supported", s.t.name)
		}
	}
	l, err := c.declare(s.p, s.name, t)
	if err != nil {
		return nil, err
	}
	c.loops++
	body, err := c.scoped(s.body)
	c.loops--
	if err != nil {
		return nil, err
	}
	cf, slot, p, typed := coll.fn, l.slot, s.coll.at(), s.t != nil
	return func(e *Env) (ctrl, any, error) {
		v, err := cf(e)
		if err != nil {
			return cNone, nil, err
		}
		items, err := Enumerate(v)
		if err != nil {
			return cNone, nil, c.at(p, err)
		}
		for _, it := range items {
			if typed {
				if it, err = Cast(t, it, true); err != nil {
					return cNone, nil, c.at(p, err)
				}
			}
			e.vars[slot] = it
			if stop, k, v, err := loopBody(e, body); stop {
				if err != nil {
					err = c.at(p, err)
				}
				return k, v, err
			}
		}
		return cNone, nil, nil
	}, nil
}

func (c *compiler) forStmt(s *forStmt) (execFn, error) {
	c.push()
	defer c.pop()
	var inits, posts []execFn
	for _, in := range s.init {
		f, err := c.stmt(in)
		if err != nil {
			return nil, err
		}
		inits = append(inits, f)
	}
	var cond evalFn
	if s.cond != nil {
		cc, err := c.boolean(s.cond)
		if err != nil {
			return nil, err
		}
		cond = cc.fn
	}
	for _, po := range s.post {
		f, err := c.stmt(po)
		if err != nil {
			return nil, err
		}
		posts = append(posts, f)
	}
	c.loops++
	body, err := c.scoped(s.body)
	c.loops--
	if err != nil {
		return nil, err
	}
	p := s.p
	return func(e *Env) (ctrl, any, error) {
		for _, f := range inits {
			if _, _, err := f(e); err != nil {
				return cNone, nil, err
			}
		}
		for {
			if cond != nil {
				v, err := cond(e)
				if err != nil {
					return cNone, nil, err
				}
				if !v.(bool) {
					return cNone, nil, nil
				}
			}
			if stop, k, v, err := loopBody(e, body); stop {
				if err != nil {
					err = c.at(p, err)
				}
				return k, v, err
			}
			for _, f := range posts {
				if _, _, err := f(e); err != nil {
					return cNone, nil, err
				}
			}
		}
	}, nil
}

func (c *compiler) while(s *whileStmt) (execFn, error) {
	cond, err := c.boolean(s.c)
	if err != nil {
		return nil, err
	}
	c.loops++
	body, err := c.scoped(s.body)
	c.loops--
	if err != nil {
		return nil, err
	}
	cf, do, p := cond.fn, s.do, s.p
	return func(e *Env) (ctrl, any, error) {
		for first := true; ; first = false {
			if !(do && first) {
				v, err := cf(e)
				if err != nil {
					return cNone, nil, err
				}
				if !v.(bool) {
					return cNone, nil, nil
				}
			}
			if stop, k, v, err := loopBody(e, body); stop {
				if err != nil {
					err = c.at(p, err)
				}
				return k, v, err
			}
		}
	}, nil
}

func (c *compiler) throw(s *throwStmt) (execFn, error) {
	if s.x == nil {
		return nil, c.errf(s.p, "rethrow (throw;) is not supported")
	}
	x, err := c.value(s.x)
	if err != nil {
		return nil, err
	}
	f, p := x.fn, s.p
	return func(e *Env) (ctrl, any, error) {
		v, err := f(e)
		if err != nil {
			return cNone, nil, err
		}
		ex, ok := v.(*Exception)
		if !ok {
			return cNone, nil, c.at(p, Fail("throw needs an Exception, not %s", TypeName(v)))
		}
		return cNone, nil, c.at(p, Fail("exception: %s", ex.Message))
	}, nil
}

func (c *compiler) try(s *tryStmt) (execFn, error) {
	body, err := c.block(s.body)
	if err != nil {
		return nil, err
	}
	var catch, finally execFn
	slot := -1
	if s.catch != nil {
		c.push()
		if s.catchV != "" {
			l, err := c.declare(s.p, s.catchV, named("Exception"))
			if err != nil {
				return nil, err
			}
			slot = l.slot
		}
		catch, err = c.block(s.catch)
		c.pop()
		if err != nil {
			return nil, err
		}
	}
	if s.finally != nil {
		if finally, err = c.block(s.finally); err != nil {
			return nil, err
		}
	}
	return func(e *Env) (ctrl, any, error) {
		k, v, err := body(e)
		if err != nil && catch != nil && e.steps <= maxSteps {
			if slot >= 0 {
				msg := err.Error()
				if pe, ok := err.(*Error); ok {
					msg = pe.Msg
				}
				e.vars[slot] = &Exception{Message: strings.TrimPrefix(msg, "exception: ")}
			}
			k, v, err = catch(e)
		}
		if finally != nil {
			fk, fv, ferr := finally(e)
			if ferr != nil || fk != cNone {
				return fk, fv, ferr
			}
		}
		return k, v, err
	}, nil
}
