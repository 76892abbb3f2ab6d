package expr

import (
	"strconv"
	"strings"
)

func (p *parser) parsePrimary() (node, error) {
	t := p.tok()
	switch t.kind {
	case tInt:
		p.advance()
		v, err := parseIntLit(t.text)
		if err != nil {
			return nil, p.errf(t.pos, "%v", err)
		}
		return &litExpr{p: t.pos, val: v}, nil
	case tReal:
		p.advance()
		s := strings.TrimRight(t.text, "fFdDmM")
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, p.errf(t.pos, "invalid number %s", t.text)
		}
		return &litExpr{p: t.pos, val: f}, nil
	case tString:
		p.advance()
		return &litExpr{p: t.pos, val: t.val}, nil
	case tChar:
		p.advance()
		return &litExpr{p: t.pos, val: []rune(t.val)[0]}, nil
	case tInterp:
		p.advance()
		return p.interp(t)
	case tIdent:
		switch t.val {
		case "true", "false":
			p.advance()
			return &litExpr{p: t.pos, val: t.val == "true"}, nil
		case "null":
			p.advance()
			return &litExpr{p: t.pos, val: nil}, nil
		case "new":
			return p.parseNew()
		case "typeof", "default", "sizeof", "checked", "unchecked", "await", "switch", "this", "base", "stackalloc", "nameof":
			return nil, p.errf(t.pos, "%s is not supported", t.val)
		}
		if reserved[t.val] {
			return nil, p.errf(t.pos, "unexpected keyword %s", t.val)
		}
		p.advance()
		id := &identExpr{p: t.pos, name: t.text}
		if p.isOp("<") {
			save := p.i
			if targs, ok := p.tryTypeArgs(); ok && (p.isOp("(") || p.isOp(".")) {
				if p.isOp(".") {
					return &typeExpr{p: t.pos, t: &typeRef{p: t.pos, name: t.text, args: targs}}, nil
				}
				return &memberExpr{p: t.pos, name: t.text, targs: targs}, nil
			}
			p.i = save
		}
		return id, nil
	case tOp:
		if t.text == "(" {
			p.advance()
			x, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(")"); err != nil {
				return nil, err
			}
			return x, nil
		}
	}
	return nil, p.errf(t.pos, "unexpected %s", describe(t))
}

func parseIntLit(text string) (any, error) {
	s := strings.ToLower(text)
	suffix := strings.TrimLeft(s, "0123456789abcdefx")
	if strings.HasPrefix(s, "0x") {
		suffix = ""
		for len(s) > 0 && (s[len(s)-1] == 'u' || s[len(s)-1] == 'l') {
			suffix = s[len(s)-1:] + suffix
			s = s[:len(s)-1]
		}
	} else {
		s = s[:len(s)-len(suffix)]
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return nil, errorf("integer literal %s is out of range", text)
	}
	if suffix == "" && v <= 1<<31-1 {
		return int(v), nil
	}
	if v > 1<<63-1 {
		return nil, errorf("integer literal %s is out of range", text)
	}
	return int64(v), nil
}

func (p *parser) interp(t token) (node, error) {
	n := &interpExpr{p: t.pos}
	for _, part := range t.parts {
		if part.hole == nil {
			n.parts = append(n.parts, interpNode{lit: part.lit})
			continue
		}
		sub := &parser{src: p.src, toks: part.hole, deep: p.deep}
		x, err := sub.parseExpr()
		if err != nil {
			return nil, err
		}
		if sub.tok().kind != tEOF {
			return nil, p.errf(sub.tok().pos, "unexpected %s in interpolation hole", describe(sub.tok()))
		}
		n.parts = append(n.parts, interpNode{x: x, align: part.align, format: part.format})
	}
	return n, nil
}

func (p *parser) parseNew() (node, error) {
	t := p.advance()
	n := &newExpr{p: t.pos}
	if p.isOp("[") { // new[] { ... }
		p.advance()
		if _, err := p.expect("]"); err != nil {
			return nil, err
		}
		n.t = &typeRef{p: t.pos, name: "object", array: 1}
	} else if p.isOp("{") { // new { a = 1 }: an anonymous type
		return p.parseAnon(t.pos)
	} else {
		if p.tok().kind != tIdent {
			return nil, p.errf(p.tok().pos, "expected a type after new, found %s", describe(p.tok()))
		}
		ty, err := p.parseType()
		if err != nil {
			return nil, err
		}
		n.t = ty
		if ty.array == 0 && p.isOp("[") { // new byte[16] or new string[] {...} handled above
			p.advance()
			size, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect("]"); err != nil {
				return nil, err
			}
			ty.array = 1
			n.args = []arg{{x: size}}
		}
	}
	parens := false
	if p.isOp("(") {
		p.advance()
		args, err := p.parseArgs(")")
		if err != nil {
			return nil, err
		}
		n.args, parens = args, true
	}
	if p.isOp("{") {
		if err := p.parseInit(n); err != nil {
			return nil, err
		}
	} else if !parens && n.t.array == 0 {
		return nil, p.errf(p.tok().pos, "expected '(' after new %s", n.t.name)
	}
	return n, nil
}

// parseInit parses { a, b }, { Name = x, ... }, { {k, v}, ... } or
// { [k] = v, ... } after new T(...).
func (p *parser) parseInit(n *newExpr) error {
	p.advance()
	for !p.isOp("}") {
		if t := p.tok(); t.kind == tIdent && p.peek(1).kind == tOp && p.peek(1).text == "=" {
			p.i += 2
			x, err := p.parseExpr()
			if err != nil {
				return err
			}
			n.props = append(n.props, propInit{p: t.pos, name: t.text, x: x})
		} else if p.isOp("[") { // [key] = value: an index initializer, a dictionary entry
			bt := p.advance()
			key, err := p.parseExpr()
			if err != nil {
				return err
			}
			if _, err := p.expect("]"); err != nil {
				return err
			}
			if _, err := p.expect("="); err != nil {
				return err
			}
			val, err := p.parseExpr()
			if err != nil {
				return err
			}
			n.inits = append(n.inits, &callExpr{p: bt.pos, fn: &identExpr{p: bt.pos, name: "{}"}, args: []arg{{x: key}, {x: val}}})
		} else if p.isOp("{") { // { key, value } dictionary entries
			bt := p.advance()
			args, err := p.parseArgs("}")
			if err != nil {
				return err
			}
			var xs []arg
			xs = append(xs, args...)
			n.inits = append(n.inits, &callExpr{p: bt.pos, fn: &identExpr{p: bt.pos, name: "{}"}, args: xs})
		} else {
			x, err := p.parseExpr()
			if err != nil {
				return err
			}
			n.inits = append(n.inits, x)
		}
		if p.isOp(",") {
			p.advance()
			continue
		}
		if !p.isOp("}") {
			return p.errf(p.tok().pos, "expected ',' or '}' in initializer, found %s", describe(p.tok()))
		}
	}
	p.advance()
	return nil
}
