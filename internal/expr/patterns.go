package expr

// C# patterns, in `x is pattern` and in switch expressions
// (`x switch { "GET" => 1, null => 0, _ => 2 }`), as APIM's expressions
// allow: constants, null, not, relational (< > <= >=) against a
// constant, a type with an optional name, and and or (and binding
// tighter), parentheses, and, in a switch arm, the discard _ and a when
// guard.

// pattern is one C# pattern; x is unused.
type pattern struct {
	p       pos
	not     bool
	null    bool
	discard bool
	konst   node     // a constant pattern, or the operand of relop
	relop   string   // "<", ">", "<=", ">=" with konst
	t       *typeRef // a type pattern
	bind    string   // `string s`
	// inner is a parenthesized pattern: `(> 1 and < 10)`, `not (1 or 2)`.
	inner *pattern
	// combine is "and" or "or": l and r both match, or either does.
	combine string
	l, r    *pattern
}

// switchExpr is `x switch { pattern [when guard] => value, ... }`.
type switchExpr struct {
	p    pos
	x    node
	arms []switchArm
}

type switchArm struct {
	pat   *pattern
	when  node
	value node
}

func (n *switchExpr) at() pos { return n.p }

// parsePattern parses a pattern after `is` or in a switch arm: simple
// patterns joined by and and or, and binding tighter.
func (p *parser) parsePattern(inSwitch bool) (*pattern, error) {
	return p.parseCombined(inSwitch, "or")
}

// parseCombined parses patterns joined by op ("or": of and-patterns;
// "and": of simple ones).
func (p *parser) parseCombined(inSwitch bool, op string) (*pattern, error) {
	next := func() (*pattern, error) {
		if op == "or" {
			return p.parseCombined(inSwitch, "and")
		}
		return p.parseSimplePattern(inSwitch)
	}
	left, err := next()
	for err == nil && p.isKw(op) {
		p.advance()
		var right *pattern
		if right, err = next(); err == nil {
			left = &pattern{p: left.p, combine: op, l: left, r: right}
		}
	}
	return left, err
}

// parseSimplePattern parses one pattern without and or or.
func (p *parser) parseSimplePattern(inSwitch bool) (*pattern, error) {
	pt := &pattern{p: p.tok().pos}
	if p.isKw("not") {
		p.advance()
		pt.not = true
	}
	t := p.tok()
	switch {
	case t.kind == tOp && t.text == "(":
		p.advance()
		inner, err := p.parsePattern(inSwitch)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		pt.inner = inner
		return pt, nil
	case p.isKw("null"):
		p.advance()
		pt.null = true
		return pt, nil
	case inSwitch && t.kind == tIdent && t.text == "_" && !pt.not:
		p.advance()
		pt.discard = true
		return pt, nil
	case t.kind == tOp && (t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">="):
		p.advance()
		pt.relop = t.text
		if t.text == "<" || t.text == ">" {
			if n := p.tok(); n.kind == tOp && n.text == "=" && n.pos == t.pos+1 {
				p.advance()
				pt.relop += "="
			}
		}
		x, err := p.parseUnary()
		pt.konst = x
		return pt, err
	case t.kind == tInt || t.kind == tReal || t.kind == tString || t.kind == tChar || p.isKw("true") || p.isKw("false") ||
		t.kind == tOp && t.text == "-":
		x, err := p.parseUnary()
		pt.konst = x
		return pt, err
	}
	ty, err := p.parseType()
	if err != nil {
		return nil, err
	}
	pt.t = ty
	if t := p.tok(); t.kind == tIdent && !reserved[t.val] && t.val != "when" && t.val != "and" && t.val != "or" {
		pt.bind = t.text
		p.advance()
	}
	return pt, nil
}

// parseSwitchExpr parses the arms of x switch { ... }, at "switch".
func (p *parser) parseSwitchExpr(x node) (node, error) {
	sw := p.advance()
	if _, err := p.expect("{"); err != nil {
		return nil, err
	}
	n := &switchExpr{p: sw.pos, x: x}
	for !p.isOp("}") {
		pat, err := p.parsePattern(true)
		if err != nil {
			return nil, err
		}
		arm := switchArm{pat: pat}
		if p.isKw("when") {
			p.advance()
			if arm.when, err = p.parseCond(); err != nil {
				return nil, err
			}
		}
		if _, err := p.expect("=>"); err != nil {
			return nil, err
		}
		if arm.value, err = p.parseExpr(); err != nil {
			return nil, err
		}
		n.arms = append(n.arms, arm)
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	if _, err := p.expect("}"); err != nil {
		return nil, err
	}
	if len(n.arms) == 0 {
		return nil, p.errf(sw.pos, "a switch expression needs at least one arm")
	}
	return n, nil
}

// matcher tests a value against a compiled pattern.
type matcher func(e *Env, v any) (bool, error)

// pattern compiles pt; a name it binds is declared in the current scope.
func (c *compiler) pattern(pt *pattern) (matcher, error) {
	if pt.inner != nil {
		m, err := c.pattern(pt.inner)
		if err != nil || !pt.not {
			return m, err
		}
		return func(e *Env, v any) (bool, error) {
			ok, err := m(e, v)
			return !ok && err == nil, err
		}, nil
	}
	if pt.combine != "" {
		l, err := c.pattern(pt.l)
		if err != nil {
			return nil, err
		}
		r, err := c.pattern(pt.r)
		if err != nil {
			return nil, err
		}
		and := pt.combine == "and"
		return func(e *Env, v any) (bool, error) {
			ok, err := l(e, v)
			if err != nil || ok != and { // and: l failed; or: l matched
				return ok, err
			}
			return r(e, v)
		}, nil
	}
	not := pt.not
	switch {
	case pt.discard:
		return func(*Env, any) (bool, error) { return true, nil }, nil
	case pt.null:
		return func(_ *Env, v any) (bool, error) { return (v == nil) != not, nil }, nil
	case pt.konst != nil:
		k, err := c.value(pt.konst)
		if err != nil {
			return nil, err
		}
		kf, op := k.fn, pt.relop
		return func(e *Env, v any) (bool, error) {
			kv, err := kf(e)
			if err != nil {
				return false, err
			}
			if op == "" {
				return Equal(v, kv) != not, nil
			}
			if v == nil {
				return not, nil
			}
			r, ok := CompareNumbers(v, kv)
			if !ok {
				return not, nil
			}
			m := op == "<" && r < 0 || op == "<=" && r <= 0 || op == ">" && r > 0 || op == ">=" && r >= 0
			return m != not, nil
		}, nil
	}
	t, ok := c.lib.resolveType(pt.t)
	if pt.t.name == "var" && len(pt.t.args) == 0 && pt.t.array == 0 {
		t, ok = nil, true // `var x` matches anything, null included
	}
	if !ok {
		return nil, c.errf(pt.t.p, "type %s is not supported", pt.t.name)
	}
	if pt.bind == "_" {
		pt.bind = ""
	}
	slot := -1
	if pt.bind != "" {
		lt := t
		if lt == nil {
			lt = tyObject
		}
		l, err := c.declare(pt.p, pt.bind, lt)
		if err != nil {
			return nil, err
		}
		slot = l.slot
	}
	return func(e *Env, v any) (bool, error) {
		ok := t == nil || isType(t, v)
		if ok && slot >= 0 {
			e.vars[slot] = v
		}
		return ok != not, nil
	}, nil
}

// switchExpr compiles a switch expression: the value of the first arm
// whose pattern (and guard) matches; none matching is an error, as C#'s
// SwitchExpressionException.
func (c *compiler) switchExpr(n *switchExpr) (*cexpr, error) {
	x, err := c.value(n.x)
	if err != nil {
		return nil, err
	}
	type arm struct {
		match matcher
		when  evalFn
		value evalFn
	}
	arms := make([]arm, len(n.arms))
	var t *Type
	for i, a := range n.arms {
		m, err := c.pattern(a.pat)
		if err != nil {
			return nil, err
		}
		arms[i].match = m
		if a.when != nil {
			w, err := c.boolean(a.when)
			if err != nil {
				return nil, err
			}
			arms[i].when = w.fn
		}
		v, err := c.value(a.value)
		if err != nil {
			return nil, err
		}
		arms[i].value = v.fn
		switch {
		case t == nil || t == tyNull:
			t = v.t
		case v.t != t && v.t != tyNull:
			t = tyObject
		}
	}
	xf, p := x.fn, n.p
	return &cexpr{t: t, fn: func(e *Env) (any, error) {
		v, err := xf(e)
		if err != nil {
			return nil, err
		}
		for _, a := range arms {
			ok, err := a.match(e, v)
			if err != nil {
				return nil, err
			}
			if ok && a.when != nil {
				w, err := a.when(e)
				if err != nil {
					return nil, err
				}
				ok = w.(bool)
			}
			if ok {
				return a.value(e)
			}
		}
		return nil, c.at(p, Fail("the switch expression matched no arm for %s", ToString(v)))
	}}, nil
}
