package expr

// Local functions, as C# 7 writes them inside a block:
//
//	int Square(int n) => n * n;
//	string Label(string s, int n) { return s + ":" + n; }
//	void Note(string s) { log.Add(s); }
//
// A local function may be called after it is declared, by the statements
// of its block (and by itself). Each call keeps the caller's variables:
// the slots the function uses are saved and restored around it.

// funcStmt is a local function's declaration.
type funcStmt struct {
	p      pos
	ret    *typeRef
	name   string
	params []funcParam
	body   node // an expression (=> x;) or a *blockStmt
}

type funcParam struct {
	p    pos
	t    *typeRef
	name string
}

func (n *funcStmt) at() pos { return n.p }

// maxCallDepth bounds how deep local functions call each other, so that
// a runaway recursion ends with an error rather than a huge stack.
const maxCallDepth = 256

// localFunc is a compiled local function.
type localFunc struct {
	ret        *Type
	params     []*Type
	slots      []int  // the parameters' slots
	first, end int    // the slots the function uses
	body       evalFn // set once compiled (a recursive call finds it then)
}

// tryFunc parses a local function's declaration, when the statement is
// one: a type, a name and a parenthesised parameter list with types.
func (p *parser) tryFunc() (node, bool, error) {
	save := p.i
	start := p.tok()
	if p.isKw("static") {
		p.advance()
	}
	ret, err := p.parseType()
	if err != nil || p.tok().kind != tIdent || reserved[p.tok().val] || p.peek(1).kind != tOp || p.peek(1).text != "(" {
		p.i = save
		return nil, false, nil
	}
	name := p.advance()
	p.advance() // (
	f := &funcStmt{p: start.pos, ret: ret, name: name.text}
	for !p.isOp(")") {
		pt, err := p.parseType()
		if err != nil {
			p.i = save
			return nil, false, nil
		}
		pn := p.tok()
		if pn.kind != tIdent || reserved[pn.val] {
			p.i = save
			return nil, false, nil
		}
		p.advance()
		f.params = append(f.params, funcParam{p: pn.pos, t: pt, name: pn.text})
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	if !p.isOp(")") {
		p.i = save
		return nil, false, nil
	}
	p.advance()
	switch {
	case p.isOp("=>"):
		p.advance()
		x, err := p.parseExpr()
		if err != nil {
			return nil, true, err
		}
		if _, err := p.expect(";"); err != nil {
			return nil, true, err
		}
		f.body = x
	case p.isOp("{"):
		b, err := p.parseBlock()
		if err != nil {
			return nil, true, err
		}
		f.body = b
	default:
		p.i = save
		return nil, false, nil
	}
	return f, true, nil
}

// funcDecl compiles a local function's declaration; the statement itself
// does nothing when it runs.
func (c *compiler) funcDecl(s *funcStmt) (execFn, error) {
	ret, ok := c.lib.resolveType(s.ret)
	if s.ret.name == "void" {
		ret, ok = tyVoid, true
	}
	if !ok {
		return nil, c.errf(s.ret.p, "type %s is not supported", s.ret.name)
	}
	self, err := c.declare(s.p, s.name, tyLambda)
	if err != nil {
		return nil, err
	}
	lf := &localFunc{ret: ret}
	self.fn = lf
	c.push()
	defer c.pop()
	lf.first = c.nslots
	saved := c.maxSlots
	c.maxSlots = c.nslots
	for _, fp := range s.params {
		t, ok := c.lib.resolveType(fp.t)
		if !ok {
			return nil, c.errf(fp.t.p, "type %s is not supported", fp.t.name)
		}
		l, err := c.declare(fp.p, fp.name, t)
		if err != nil {
			return nil, err
		}
		lf.params = append(lf.params, t)
		lf.slots = append(lf.slots, l.slot)
	}
	inVoid := c.inVoid
	c.inVoid = ret == tyVoid
	defer func() { c.inVoid = inVoid }()
	if ret == tyVoid {
		lf.body, err = c.voidBody(s.body)
	} else if b, ok := s.body.(*blockStmt); ok {
		lf.body, err = c.body(b)
	} else {
		var x *cexpr
		if x, err = c.value(s.body); err == nil {
			if !x.t.dynamic() && x.t != tyNull && !c.assignable(x.t, ret) {
				err = c.errf(s.body.at(), "cannot implicitly convert type %s to %s", x.t.name, ret.name)
			}
			if err == nil {
				lf.body = x.fn
			}
		}
	}
	lf.end = c.maxSlots
	c.maxSlots = max(saved, c.maxSlots)
	if err != nil {
		return nil, err
	}
	return func(*Env) (ctrl, any, error) { return cNone, nil, nil }, nil
}

// voidBody compiles the body of a void local function: a block, whose
// return statements take no value, or a statement expression (=> Log(x);).
func (c *compiler) voidBody(body node) (evalFn, error) {
	b, ok := body.(*blockStmt)
	if !ok {
		b = &blockStmt{p: body.at(), stmts: []node{&exprStmt{p: body.at(), x: body}}}
	}
	run, err := c.block(b)
	if err != nil {
		return nil, err
	}
	return func(e *Env) (any, error) {
		_, _, err := run(e)
		return nil, err
	}, nil
}

// callLocal compiles a call of local function lf.
func (c *compiler) callLocal(n *callExpr, name string, lf *localFunc) (*cexpr, error) {
	if len(n.args) != len(lf.params) {
		return nil, c.errf(n.p, "%s takes %d arguments, not %d", name, len(lf.params), len(n.args))
	}
	args := make([]evalFn, len(n.args))
	for i, a := range n.args {
		if a.name != "" {
			return nil, c.errf(a.x.at(), "named arguments of local functions are not supported")
		}
		x, err := c.value(a.x)
		if err != nil {
			return nil, err
		}
		if !x.t.dynamic() && x.t != tyNull && !c.assignable(x.t, lf.params[i]) {
			return nil, c.errf(a.x.at(), "argument %d of %s: cannot convert %s to %s", i+1, name, x.t.name, lf.params[i].name)
		}
		args[i] = x.fn
	}
	p := n.p
	return &cexpr{t: lf.ret, fn: func(e *Env) (any, error) {
		vals := make([]any, len(args))
		for i, a := range args {
			v, err := a(e)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		if err := e.step(); err != nil {
			return nil, c.at(p, err)
		}
		if e.depth >= maxCallDepth {
			return nil, c.at(p, Fail("local functions call each other more than %d deep", maxCallDepth))
		}
		kept := append([]any(nil), e.vars[lf.first:lf.end]...)
		for i, s := range lf.slots {
			e.vars[s] = vals[i]
		}
		e.depth++
		v, err := lf.body(e)
		e.depth--
		copy(e.vars[lf.first:lf.end], kept)
		return v, err
	}}, nil
}
