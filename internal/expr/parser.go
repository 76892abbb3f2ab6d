package expr

import (
	"strconv"
)

// parser builds a syntax tree from tokens.
type parser struct {
	src  string
	toks []token
	i    int
	deep int
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 200

// predefined are the C# keywords that name types.
var predefined = map[string]bool{
	"string": true, "int": true, "long": true, "double": true, "float": true, "decimal": true,
	"bool": true, "char": true, "byte": true, "object": true, "uint": true, "ulong": true,
	"short": true, "ushort": true, "sbyte": true, "dynamic": true,
}

// reserved are keywords that cannot be identifiers in an expression.
var reserved = map[string]bool{
	"if": true, "else": true, "return": true, "foreach": true, "for": true, "while": true, "do": true,
	"in": true, "is": true, "as": true, "new": true, "throw": true, "break": true, "continue": true,
	"try": true, "catch": true, "finally": true, "switch": true, "case": true, "out": true, "ref": true,
}

func (p *parser) tok() token { return p.toks[p.i] }
func (p *parser) peek(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) isOp(s string) bool { t := p.tok(); return t.kind == tOp && t.text == s }
func (p *parser) isKw(s string) bool {
	t := p.tok()
	return t.kind == tIdent && t.text == s && t.val == s
}
func (p *parser) advance() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) errf(at pos, format string, args ...any) error {
	return errAt(p.src, at, format, args...)
}

func (p *parser) expect(op string) (token, error) {
	if !p.isOp(op) {
		return token{}, p.errf(p.tok().pos, "expected %q, found %s", op, describe(p.tok()))
	}
	return p.advance(), nil
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tIdent:
		return strconv.Quote(t.val)
	case tOp:
		return strconv.Quote(t.text)
	case tString, tInterp:
		return "string literal"
	case tChar:
		return "char literal"
	}
	return "number " + t.text
}

func (p *parser) enter() error {
	p.deep++
	if p.deep > maxDepth {
		return p.errf(p.tok().pos, "expression nested too deeply")
	}
	return nil
}

// parseExpr parses an assignment-level expression.
func (p *parser) parseExpr() (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.deep-- }()
	if l, ok, err := p.tryLambda(); ok || err != nil {
		return l, err
	}
	x, err := p.parseCond()
	if err != nil {
		return nil, err
	}
	t := p.tok()
	if t.kind == tOp {
		switch t.text {
		case "=", "+=", "-=", "*=", "/=", "%=", "??=", "&=", "|=", "^=":
			p.advance()
			y, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			return &assignExpr{p: t.pos, op: t.text, target: x, x: y}, nil
		}
	}
	return x, nil
}

// tryLambda parses x => ..., (a, b) => ... or () => ... if present.
func (p *parser) tryLambda() (node, bool, error) {
	t := p.tok()
	var params []string
	switch {
	case t.kind == tIdent && !reserved[t.val] && p.peek(1).kind == tOp && p.peek(1).text == "=>":
		params = []string{t.text}
		p.i += 2
	case t.kind == tOp && t.text == "(":
		j, depth := p.i, 0
		for ; j < len(p.toks); j++ {
			tk := p.toks[j]
			if tk.kind == tOp && tk.text == "(" {
				depth++
			} else if tk.kind == tOp && tk.text == ")" {
				depth--
				if depth == 0 {
					break
				}
			} else if tk.kind == tEOF {
				return nil, false, nil
			}
		}
		if j+1 >= len(p.toks) || p.toks[j+1].kind != tOp || p.toks[j+1].text != "=>" {
			return nil, false, nil
		}
		var cur string
		for k := p.i + 1; k < j; k++ {
			tk := p.toks[k]
			switch {
			case tk.kind == tIdent:
				cur = tk.text
			case tk.kind == tOp && tk.text == ",":
				if cur == "" {
					return nil, true, p.errf(tk.pos, "missing lambda parameter")
				}
				params = append(params, cur)
				cur = ""
			case tk.kind == tOp && (tk.text == "<" || tk.text == ">" || tk.text == "[" || tk.text == "]" || tk.text == "?" || tk.text == "."):
			default:
				return nil, true, p.errf(tk.pos, "unexpected %s in lambda parameters", describe(tk))
			}
		}
		if cur != "" {
			params = append(params, cur)
		} else if len(params) > 0 {
			return nil, true, p.errf(p.toks[j].pos, "missing lambda parameter")
		}
		p.i = j + 2
	default:
		return nil, false, nil
	}
	var body node
	var err error
	if p.isOp("{") {
		body, err = p.parseBlock()
	} else {
		body, err = p.parseExpr()
	}
	if err != nil {
		return nil, true, err
	}
	return &lambdaExpr{p: t.pos, params: params, body: body}, true, nil
}

func (p *parser) parseCond() (node, error) {
	c, err := p.parseCoalesce()
	if err != nil {
		return nil, err
	}
	if !p.isOp("?") {
		return c, nil
	}
	q := p.advance()
	a, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(":"); err != nil {
		return nil, err
	}
	b, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	return &condExpr{p: q.pos, c: c, a: a, b: b}, nil
}

func (p *parser) parseCoalesce() (node, error) {
	x, err := p.parseBinary(0)
	if err != nil {
		return nil, err
	}
	if !p.isOp("??") {
		return x, nil
	}
	t := p.advance()
	y, err := p.parseCoalesce()
	if err != nil {
		return nil, err
	}
	return &binaryExpr{p: t.pos, op: "??", x: x, y: y}, nil
}

// binary precedence levels, loosest first.
var binLevels = [][]string{
	{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">=", "is", "as"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
}

func (p *parser) binOp(level int) (token, bool) {
	t := p.tok()
	name := ""
	switch {
	case t.kind == tOp:
		name = t.text
		if name == ">" && level == 7 && p.peek(1).kind == tOp && p.peek(1).text == ">" && p.peek(1).pos == t.pos+1 {
			name = ">>"
		}
	case t.kind == tIdent && (t.val == "is" || t.val == "as"):
		name = t.val
	}
	for _, op := range binLevels[level] {
		if op == name {
			t.text = name
			return t, true
		}
	}
	return t, false
}

func (p *parser) parseBinary(level int) (node, error) {
	if level == len(binLevels) {
		return p.parseUnary()
	}
	x, err := p.parseBinary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.binOp(level)
		if !ok {
			return x, nil
		}
		p.advance()
		if t.text == ">>" {
			p.advance()
		}
		switch t.text {
		case "is":
			x, err = p.parseIs(t, x)
		case "as":
			var ty *typeRef
			ty, err = p.parseType()
			x = &asExpr{p: t.pos, x: x, t: ty}
		default:
			var y node
			y, err = p.parseBinary(level + 1)
			x = &binaryExpr{p: t.pos, op: t.text, x: x, y: y}
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseIs(t token, x node) (node, error) {
	pt, err := p.parsePattern(false)
	if err != nil {
		return nil, err
	}
	return &isExpr{p: t.pos, x: x, pat: pt}, nil
}

func (p *parser) parseUnary() (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.deep-- }()
	t := p.tok()
	if t.kind == tOp {
		switch t.text {
		case "!", "-", "+", "~":
			p.advance()
			x, err := p.parseUnary()
			if err != nil {
				return nil, err
			}
			return &unaryExpr{p: t.pos, op: t.text, x: x}, nil
		case "++", "--":
			p.advance()
			x, err := p.parseUnary()
			if err != nil {
				return nil, err
			}
			return &incDecExpr{p: t.pos, op: t.text, x: x, prefix: true}, nil
		case "(":
			if c, ok, err := p.tryCast(); ok || err != nil {
				return c, err
			}
		}
	}
	x, err := p.parsePostfix()
	if err == nil && p.isKw("switch") {
		return p.parseSwitchExpr(x)
	}
	return x, err
}

// tryCast parses (T)x if the parenthesis is a cast.
func (p *parser) tryCast() (node, bool, error) {
	save := p.i
	open := p.advance()
	ty, err := p.parseType()
	if err != nil || !p.isOp(")") {
		p.i = save
		return nil, false, nil
	}
	p.advance()
	nt := p.tok()
	cast := predefined[ty.name] && ty.array == 0 && !(nt.kind == tOp && (nt.text == ")" || nt.text == "." || nt.text == ";" || nt.text == ","))
	switch nt.kind {
	case tIdent:
		cast = cast || nt.val != "is" && nt.val != "as"
	case tInt, tReal, tString, tChar, tInterp:
		cast = true
	case tOp:
		cast = cast || nt.text == "(" || nt.text == "!" || nt.text == "~"
	}
	if !cast {
		p.i = save
		return nil, false, nil
	}
	x, err := p.parseUnary()
	if err != nil {
		return nil, true, err
	}
	return &castExpr{p: open.pos, t: ty, x: x}, true, nil
}

// parseType parses a type name.
func (p *parser) parseType() (*typeRef, error) {
	t := p.tok()
	if t.kind != tIdent || reserved[t.val] {
		return nil, p.errf(t.pos, "expected a type, found %s", describe(t))
	}
	p.advance()
	tr := &typeRef{p: t.pos, name: t.text}
	for p.isOp(".") && p.peek(1).kind == tIdent {
		p.advance()
		tr.name += "." + p.advance().text
	}
	if p.isOp("<") {
		args, ok := p.tryTypeArgs()
		if !ok {
			return nil, p.errf(p.tok().pos, "malformed type arguments")
		}
		tr.args = args
	}
	if p.isOp("?") && (!p.startsExpr(p.peek(1)) || p.declAfterNullable()) {
		p.advance()
		tr.nullable = true
	}
	for p.isOp("[") && p.peek(1).kind == tOp && p.peek(1).text == "]" {
		p.i += 2
		tr.array++
	}
	return tr, nil
}

// declAfterNullable reports whether "T? name =" (or ; , in) follows: a
// nullable declaration, not a conditional.
func (p *parser) declAfterNullable() bool {
	n, after := p.peek(1), p.peek(2)
	if n.kind != tIdent || reserved[n.val] {
		return false
	}
	return after.kind == tOp && (after.text == "=" || after.text == ";" || after.text == ",") ||
		after.kind == tIdent && after.val == "in"
}

// startsExpr reports whether t can begin an expression (to tell T? from a ternary).
func (p *parser) startsExpr(t token) bool {
	switch t.kind {
	case tIdent, tInt, tReal, tString, tChar, tInterp:
		return true
	case tOp:
		return t.text == "(" || t.text == "!" || t.text == "-"
	}
	return false
}

// tryTypeArgs parses <T, U> at the current '<'; on failure it restores the position.
func (p *parser) tryTypeArgs() ([]*typeRef, bool) {
	save := p.i
	p.advance()
	var args []*typeRef
	for {
		if p.deep > maxDepth {
			p.i = save
			return nil, false
		}
		p.deep++
		ty, err := p.parseType()
		p.deep--
		if err != nil {
			p.i = save
			return nil, false
		}
		args = append(args, ty)
		if p.isOp(",") {
			p.advance()
			continue
		}
		if p.isOp(">") {
			p.advance()
			return args, true
		}
		p.i = save
		return nil, false
	}
}

func (p *parser) parsePostfix() (node, error) {
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.tok()
		if t.kind != tOp {
			return x, nil
		}
		switch t.text {
		case ".", "?.":
			p.advance()
			nt := p.tok()
			if nt.kind != tIdent {
				return nil, p.errf(nt.pos, "expected a member name, found %s", describe(nt))
			}
			p.advance()
			m := &memberExpr{p: nt.pos, x: x, name: nt.text, nullCond: t.text == "?."}
			if p.isOp("<") {
				save := p.i
				if targs, ok := p.tryTypeArgs(); ok && p.isOp("(") {
					m.targs = targs
				} else {
					p.i = save
				}
			}
			x = m
		case "(":
			p.advance()
			args, err := p.parseArgs(")")
			if err != nil {
				return nil, err
			}
			x = &callExpr{p: t.pos, fn: x, args: args}
		case "[", "?[":
			p.advance()
			args, err := p.parseArgs("]")
			if err != nil {
				return nil, err
			}
			ix := &indexExpr{p: t.pos, x: x, nullCond: t.text == "?["}
			for _, a := range args {
				ix.args = append(ix.args, a.x)
			}
			x = ix
		case "++", "--":
			p.advance()
			x = &incDecExpr{p: t.pos, op: t.text, x: x}
		case "!":
			// null-forgiving operator x!
			if nt := p.peek(1); nt.kind == tOp && (nt.text == "." || nt.text == ")" || nt.text == ";" || nt.text == "[") {
				p.advance()
				continue
			}
			return x, nil
		default:
			return x, nil
		}
	}
}

// parseArgs parses arguments up to the closing token.
func (p *parser) parseArgs(closer string) ([]arg, error) {
	var args []arg
	if p.isOp(closer) {
		p.advance()
		return args, nil
	}
	for {
		var a arg
		if t := p.tok(); t.kind == tIdent && p.peek(1).kind == tOp && p.peek(1).text == ":" {
			a.name = t.text
			p.i += 2
		}
		if p.isKw("out") || p.isKw("ref") {
			o, err := p.parseOut()
			if err != nil {
				return nil, err
			}
			a.x = o
		} else {
			x, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			a.x = x
		}
		args = append(args, a)
		if p.isOp(",") {
			p.advance()
			continue
		}
		if _, err := p.expect(closer); err != nil {
			return nil, err
		}
		return args, nil
	}
}

func (p *parser) parseOut() (node, error) {
	t := p.advance()
	o := &outExpr{p: t.pos}
	if n := p.peek(1); n.kind == tIdent || n.kind == tOp && (n.text == "<" || n.text == "[" || n.text == ".") {
		if p.isKw("var") {
			p.advance()
		} else {
			ty, err := p.parseType()
			if err != nil {
				return nil, err
			}
			o.t = ty
		}
		o.decl = true
	}
	nt := p.tok()
	if nt.kind != tIdent || reserved[nt.val] {
		return nil, p.errf(nt.pos, "expected a variable name after out, found %s", describe(nt))
	}
	p.advance()
	o.name = nt.text
	return o, nil
}
