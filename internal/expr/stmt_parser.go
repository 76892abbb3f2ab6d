package expr

import "strconv"

// parseBlock parses { statements }.
func (p *parser) parseBlock() (*blockStmt, error) {
	open, err := p.expect("{")
	if err != nil {
		return nil, err
	}
	b := &blockStmt{p: open.pos}
	for !p.isOp("}") {
		if p.tok().kind == tEOF {
			return nil, p.errf(open.pos, "unclosed '{'")
		}
		s, err := p.parseStmt()
		if err != nil {
			return nil, err
		}
		if s != nil {
			b.stmts = append(b.stmts, s)
		}
	}
	p.advance()
	return b, nil
}

// parseStmts parses statements to the end of input (the body of @{ }).
func (p *parser) parseStmts() (*blockStmt, error) {
	b := &blockStmt{p: p.tok().pos}
	for p.tok().kind != tEOF {
		s, err := p.parseStmt()
		if err != nil {
			return nil, err
		}
		if s != nil {
			b.stmts = append(b.stmts, s)
		}
	}
	return b, nil
}

func (p *parser) parseStmt() (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.deep-- }()
	t := p.tok()
	if t.kind == tOp {
		switch t.text {
		case ";":
			p.advance()
			return nil, nil
		case "{":
			return p.parseBlock()
		}
	}
	if t.kind == tIdent && t.val == t.text {
		switch t.text {
		case "const":
			return p.parseConst()
		case "if":
			return p.parseIf()
		case "return":
			p.advance()
			r := &returnStmt{p: t.pos}
			if !p.isOp(";") {
				x, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				r.x = x
			}
			_, err := p.expect(";")
			return r, err
		case "foreach":
			return p.parseForeach()
		case "for":
			return p.parseFor()
		case "while":
			p.advance()
			c, err := p.parenExpr()
			if err != nil {
				return nil, err
			}
			body, err := p.parseStmt()
			return &whileStmt{p: t.pos, c: c, body: body}, err
		case "do":
			p.advance()
			body, err := p.parseStmt()
			if err != nil {
				return nil, err
			}
			if !p.isKw("while") {
				return nil, p.errf(p.tok().pos, "expected while after do body")
			}
			p.advance()
			c, err := p.parenExpr()
			if err != nil {
				return nil, err
			}
			_, err = p.expect(";")
			return &whileStmt{p: t.pos, c: c, body: body, do: true}, err
		case "break", "continue":
			p.advance()
			_, err := p.expect(";")
			return &jumpStmt{p: t.pos, kind: t.text}, err
		case "throw":
			p.advance()
			th := &throwStmt{p: t.pos}
			if !p.isOp(";") {
				x, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				th.x = x
			}
			_, err := p.expect(";")
			return th, err
		case "try":
			return p.parseTry()
		case "switch":
			return p.parseSwitch()
		case "using":
			return p.parseUsing()
		case "goto", "lock", "yield", "fixed", "unsafe", "checked", "unchecked":
			return nil, p.errf(t.pos, "%s statement is not supported", t.text)
		}
	}
	if f, ok, err := p.tryFunc(); ok || err != nil {
		return f, err
	}
	if d, ok, err := p.tryDecl(); ok || err != nil {
		if err != nil {
			return nil, err
		}
		_, err = p.expect(";")
		return d, err
	}
	x, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(";"); err != nil {
		return nil, err
	}
	return &exprStmt{p: t.pos, x: x}, nil
}

func (p *parser) parenExpr() (node, error) {
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	x, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	_, err = p.expect(")")
	return x, err
}

// tryDecl parses `var x = e` or `T x = e, y` if the statement is a declaration.
// parseConst parses a const local: const T name = value, ...;
func (p *parser) parseConst() (node, error) {
	t := p.advance()
	d, ok, err := p.tryDecl()
	if err != nil {
		return nil, err
	}
	decl, isDecl := d.(*declStmt)
	if !ok || !isDecl || decl.t == nil {
		return nil, p.errf(t.pos, "const must be followed by a type and a name: const int n = 1;")
	}
	for i, init := range decl.inits {
		if init == nil {
			return nil, p.errf(decl.at_[i], "a const local must be given a value")
		}
	}
	decl.konst = true
	if _, err := p.expect(";"); err != nil {
		return nil, err
	}
	return decl, nil
}

func (p *parser) tryDecl() (node, bool, error) {
	save := p.i
	t := p.tok()
	if t.kind != tIdent || reserved[t.val] {
		return nil, false, nil
	}
	var ty *typeRef
	if t.text == "var" && t.val == "var" && p.peek(1).kind == tIdent {
		p.advance()
	} else {
		var err error
		if ty, err = p.parseType(); err != nil {
			p.i = save
			return nil, false, nil
		}
	}
	if nt := p.tok(); nt.kind != tIdent || reserved[nt.val] {
		p.i = save
		return nil, false, nil
	}
	if nt := p.peek(1); nt.kind != tOp || nt.text != "=" && nt.text != ";" && nt.text != "," {
		p.i = save
		return nil, false, nil
	}
	d := &declStmt{p: t.pos, t: ty}
	for {
		nt := p.tok()
		if nt.kind != tIdent || reserved[nt.val] {
			return nil, true, p.errf(nt.pos, "expected a variable name, found %s", describe(nt))
		}
		p.advance()
		var init node
		if p.isOp("=") {
			p.advance()
			x, err := p.parseExpr()
			if err != nil {
				return nil, true, err
			}
			init = x
		}
		if ty == nil && init == nil {
			return nil, true, p.errf(nt.pos, "implicitly-typed variable %s must be initialized", nt.text)
		}
		d.names = append(d.names, nt.text)
		d.inits = append(d.inits, init)
		d.at_ = append(d.at_, nt.pos)
		if !p.isOp(",") {
			return d, true, nil
		}
		p.advance()
	}
}

// parseUsing parses using (T x = e) body and using (e) body. The
// library's disposable values (hash algorithms, readers) hold nothing to
// release, so the statement is the block { T x = e; body }: x is in scope
// in body only, and e is evaluated once, before it.
func (p *parser) parseUsing() (node, error) {
	t := p.advance()
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	res, ok, err := p.tryDecl()
	if err != nil {
		return nil, err
	}
	if !ok {
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		// A name no C# identifier can take holds the resource.
		res = &declStmt{p: t.pos, names: []string{"using#" + strconv.Itoa(p.i)}, inits: []node{x}, at_: []pos{t.pos}}
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	body, err := p.parseStmt()
	if err != nil {
		return nil, err
	}
	return &blockStmt{p: t.pos, stmts: []node{res, body}}, nil
}

func (p *parser) parseIf() (node, error) {
	t := p.advance()
	c, err := p.parenExpr()
	if err != nil {
		return nil, err
	}
	then, err := p.parseStmt()
	if err != nil {
		return nil, err
	}
	s := &ifStmt{p: t.pos, c: c, then: then}
	if p.isKw("else") {
		p.advance()
		if s.els, err = p.parseStmt(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) parseForeach() (node, error) {
	t := p.advance()
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	s := &foreachStmt{p: t.pos}
	if p.isKw("var") {
		p.advance()
	} else {
		ty, err := p.parseType()
		if err != nil {
			return nil, err
		}
		s.t = ty
	}
	nt := p.tok()
	if nt.kind != tIdent || reserved[nt.val] {
		return nil, p.errf(nt.pos, "expected a variable name, found %s", describe(nt))
	}
	p.advance()
	s.name = nt.text
	if !p.isKw("in") {
		return nil, p.errf(p.tok().pos, "expected in, found %s", describe(p.tok()))
	}
	p.advance()
	coll, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	s.coll = coll
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	s.body, err = p.parseStmt()
	return s, err
}

func (p *parser) parseFor() (node, error) {
	t := p.advance()
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	s := &forStmt{p: t.pos}
	if !p.isOp(";") {
		if d, ok, err := p.tryDecl(); ok || err != nil {
			if err != nil {
				return nil, err
			}
			s.init = []node{d}
		} else {
			xs, err := p.exprList(";")
			if err != nil {
				return nil, err
			}
			s.init = xs
		}
	}
	if _, err := p.expect(";"); err != nil {
		return nil, err
	}
	if !p.isOp(";") {
		c, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		s.cond = c
	}
	if _, err := p.expect(";"); err != nil {
		return nil, err
	}
	if !p.isOp(")") {
		xs, err := p.exprList(")")
		if err != nil {
			return nil, err
		}
		s.post = xs
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	body, err := p.parseStmt()
	s.body = body
	return s, err
}

func (p *parser) exprList(end string) ([]node, error) {
	var xs []node
	for {
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		xs = append(xs, &exprStmt{p: x.at(), x: x})
		if !p.isOp(",") {
			return xs, nil
		}
		p.advance()
	}
}

func (p *parser) parseTry() (node, error) {
	t := p.advance()
	body, err := p.parseBlock()
	if err != nil {
		return nil, err
	}
	s := &tryStmt{p: t.pos, body: body}
	if p.isKw("catch") {
		p.advance()
		if p.isOp("(") {
			p.advance()
			ty, err := p.parseType()
			if err != nil {
				return nil, err
			}
			s.catchT = ty
			if nt := p.tok(); nt.kind == tIdent {
				s.catchV = nt.text
				p.advance()
			}
			if _, err := p.expect(")"); err != nil {
				return nil, err
			}
		}
		if s.catch, err = p.parseBlock(); err != nil {
			return nil, err
		}
	}
	if p.isKw("finally") {
		p.advance()
		if s.finally, err = p.parseBlock(); err != nil {
			return nil, err
		}
	}
	if s.catch == nil && s.finally == nil {
		return nil, p.errf(p.tok().pos, "expected catch or finally")
	}
	return s, nil
}

// parseSwitch parses switch (x) { case c: ... default: ... }.
func (p *parser) parseSwitch() (node, error) {
	t := p.advance()
	x, err := p.parenExpr()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect("{"); err != nil {
		return nil, err
	}
	s := &switchStmt{p: t.pos, x: x}
	for !p.isOp("}") {
		var sec switchSection
		for p.isKw("case") || p.isKw("default") {
			if p.advance().text == "default" {
				sec.labels = append(sec.labels, nil)
			} else {
				l, err := p.parseCond()
				if err != nil {
					return nil, err
				}
				if p.tok().kind == tIdent {
					return nil, p.errf(p.tok().pos, "pattern cases are not supported; use constant cases")
				}
				sec.labels = append(sec.labels, l)
			}
			if _, err := p.expect(":"); err != nil {
				return nil, err
			}
		}
		if len(sec.labels) == 0 {
			return nil, p.errf(p.tok().pos, "expected case or default, found %s", describe(p.tok()))
		}
		for !p.isKw("case") && !p.isKw("default") && !p.isOp("}") {
			if p.tok().kind == tEOF {
				return nil, p.errf(t.pos, "unclosed switch")
			}
			st, err := p.parseStmt()
			if err != nil {
				return nil, err
			}
			if st != nil {
				sec.stmts = append(sec.stmts, st)
			}
		}
		s.sections = append(s.sections, sec)
	}
	p.advance()
	return s, nil
}
