package expr

import (
	"errors"
	"strings"
)

// compiler turns a syntax tree into closures, checking names and types.
type compiler struct {
	lib      *Library
	src      string
	scopes   []map[string]*local
	nslots   int
	maxSlots int
	loops    int
	switches int
	// inVoid says the statements being compiled are a void local
	// function's: return takes no value there.
	inVoid bool
}

// local is a variable of a block or a lambda parameter.
type local struct {
	slot  int
	t     *Type
	konst bool       // a const local: it may not be assigned
	fn    *localFunc // a local function
}

// cexpr is a compiled expression.
type cexpr struct {
	fn     evalFn
	t      *Type
	konst  bool
	val    any
	static string // non-empty: the expression names this type (a static receiver)
}

func (c *compiler) push() { c.scopes = append(c.scopes, map[string]*local{}) }
func (c *compiler) pop() {
	c.nslots -= len(c.scopes[len(c.scopes)-1])
	c.scopes = c.scopes[:len(c.scopes)-1]
}

func (c *compiler) lookup(name string) *local {
	for i := len(c.scopes) - 1; i >= 0; i-- {
		if l, ok := c.scopes[i][name]; ok {
			return l
		}
	}
	return nil
}

func (c *compiler) declare(p pos, name string, t *Type) (*local, error) {
	if c.lookup(name) != nil || name == "context" {
		return nil, c.errf(p, "a local variable named %s is already defined in this scope", name)
	}
	l := &local{slot: c.nslots, t: t}
	c.nslots++
	if c.nslots > c.maxSlots {
		c.maxSlots = c.nslots
	}
	c.scopes[len(c.scopes)-1][name] = l
	return l, nil
}

func (c *compiler) errf(p pos, format string, args ...any) error {
	return errAt(c.src, p, format, args...)
}

// at attaches position p to a run-time error that has none.
func (c *compiler) at(p pos, err error) error {
	var pe *Error
	if errors.As(err, &pe) {
		return err
	}
	return errAt(c.src, p, "%s", err.Error())
}

func konst(v any, t *Type) *cexpr {
	return &cexpr{fn: func(*Env) (any, error) { return v, nil }, t: t, konst: true, val: v}
}

func typeOfValue(v any) *Type {
	switch v.(type) {
	case nil:
		return tyNull
	case string:
		return tyString
	case bool:
		return tyBool
	case int:
		return tyInt
	case int64:
		return tyLong
	case float64:
		return tyDouble
	case rune:
		return tyChar
	}
	return tyObject
}

// value compiles n as an expression that yields a value (not a type name).
func (c *compiler) value(n node) (*cexpr, error) {
	ce, err := c.expr(n)
	if err != nil {
		return nil, err
	}
	if ce.static != "" {
		return nil, c.errf(n.at(), "%s is a type, not a value", ce.static)
	}
	if ce.t == tyLambda {
		return nil, c.errf(n.at(), "a lambda expression can only be an argument of a method")
	}
	if ce.t == tyVoid {
		return nil, c.errf(n.at(), "the method returns no value")
	}
	return ce, nil
}

func (c *compiler) expr(n node) (*cexpr, error) {
	switch n := n.(type) {
	case *litExpr:
		return konst(n.val, typeOfValue(n.val)), nil
	case *identExpr:
		return c.ident(n)
	case *typeExpr:
		t, ok := c.lib.resolveType(n.t)
		if !ok {
			return nil, c.errf(n.p, "type %s is not supported", n.t.name)
		}
		return &cexpr{static: t.name, t: t}, nil
	case *memberExpr:
		if n.x == nil {
			return nil, c.errf(n.p, "method %s is not supported", n.name)
		}
		return c.member(n)
	case *callExpr:
		return c.call(n)
	case *indexExpr:
		return c.index(n)
	case *unaryExpr:
		return c.unary(n)
	case *binaryExpr:
		return c.binary(n)
	case *condExpr:
		return c.cond(n)
	case *castExpr:
		return c.cast(n)
	case *isExpr:
		return c.is(n)
	case *switchExpr:
		return c.switchExpr(n)
	case *anonExpr:
		return c.anon(n)
	case *asExpr:
		return c.as(n)
	case *lambdaExpr:
		return c.lambda(n, nil)
	case *newExpr:
		return c.newObj(n)
	case *interpExpr:
		return c.interp(n)
	case *assignExpr:
		return c.assign(n)
	case *incDecExpr:
		return c.incDec(n)
	case *outExpr:
		return nil, c.errf(n.p, "out is only allowed in a method argument")
	}
	return nil, c.errf(n.at(), "unsupported syntax")
}

func (c *compiler) ident(n *identExpr) (*cexpr, error) {
	if l := c.lookup(n.name); l != nil {
		if l.fn != nil {
			return nil, c.errf(n.p, "%s is a local function: call it with ()", n.name)
		}
		slot := l.slot
		return &cexpr{fn: func(e *Env) (any, error) { return e.vars[slot], nil }, t: l.t}, nil
	}
	if n.name == "context" {
		return &cexpr{fn: func(e *Env) (any, error) { return e.ctx, nil }, t: named("IContext")}, nil
	}
	if t := c.lib.canonType(n.name); t != "" {
		return &cexpr{static: t, t: named(t)}, nil
	}
	if c.lib.isNamespace(n.name) {
		return &cexpr{static: n.name, t: tyObject}, nil
	}
	return nil, c.errf(n.p, "the name %s does not exist in the current context", n.name)
}

// dotted returns the dotted name of a member chain of plain identifiers.
func dotted(n node) (string, bool) {
	switch n := n.(type) {
	case *identExpr:
		return n.name, true
	case *memberExpr:
		if n.x == nil || n.nullCond || n.targs != nil {
			return "", false
		}
		s, ok := dotted(n.x)
		return s + "." + n.name, ok
	}
	return "", false
}

// staticOf returns the type a member chain names, if it names one and
// is not a variable.
func (c *compiler) staticOf(n node) (string, bool) {
	s, ok := dotted(n)
	if !ok {
		return "", false
	}
	root, _, _ := strings.Cut(s, ".")
	if c.lookup(root) != nil || root == "context" {
		return "", false
	}
	if t := c.lib.canonType(s); t != "" {
		return t, true
	}
	return "", false
}

func (c *compiler) cond(n *condExpr) (*cexpr, error) {
	cc, err := c.boolean(n.c)
	if err != nil {
		return nil, err
	}
	a, err := c.value(n.a)
	if err != nil {
		return nil, err
	}
	b, err := c.value(n.b)
	if err != nil {
		return nil, err
	}
	t := tyObject
	switch {
	case a.t == b.t || b.t == tyNull:
		t = a.t
	case a.t == tyNull:
		t = b.t
	}
	cf, af, bf := cc.fn, a.fn, b.fn
	return &cexpr{t: t, fn: func(e *Env) (any, error) {
		v, err := cf(e)
		if err != nil {
			return nil, err
		}
		if v.(bool) {
			return af(e)
		}
		return bf(e)
	}}, nil
}

// boolean compiles n as a condition: its closure always yields a bool.
func (c *compiler) boolean(n node) (*cexpr, error) {
	x, err := c.value(n)
	if err != nil {
		return nil, err
	}
	if x.t == tyBool {
		return x, nil
	}
	if !x.t.dynamic() {
		return nil, c.errf(n.at(), "cannot convert %s to bool", x.t.name)
	}
	f, p := x.fn, n.at()
	return &cexpr{t: tyBool, fn: func(e *Env) (any, error) {
		v, err := f(e)
		if err != nil {
			return nil, err
		}
		b, err := ToBool(v)
		if err != nil {
			return nil, c.at(p, err)
		}
		return b, nil
	}}, nil
}

func (c *compiler) interp(n *interpExpr) (*cexpr, error) {
	type piece struct {
		lit    string
		fn     evalFn
		align  int
		format string
	}
	var ps []piece
	for _, part := range n.parts {
		if part.x == nil {
			ps = append(ps, piece{lit: part.lit})
			continue
		}
		x, err := c.value(part.x)
		if err != nil {
			return nil, err
		}
		pc := piece{fn: x.fn, format: part.format}
		if part.align != "" {
			a, err := parseIntLit(strings.TrimPrefix(part.align, "-"))
			ai, ok := a.(int)
			if err != nil || !ok {
				return nil, c.errf(part.x.at(), "invalid alignment %q", part.align)
			}
			if strings.HasPrefix(part.align, "-") {
				ai = -ai
			}
			pc.align = ai
		}
		if part.format != "" {
			if c.lib.opts.Format == nil {
				return nil, c.errf(part.x.at(), "format strings are not supported")
			}
			if len(part.format) > maxFormat {
				return nil, c.errf(part.x.at(), "format string too long")
			}
		}
		ps = append(ps, pc)
	}
	p, format := n.p, c.lib.opts.Format
	return &cexpr{t: tyString, fn: func(e *Env) (any, error) {
		var b strings.Builder
		for _, pc := range ps {
			if pc.fn == nil {
				b.WriteString(pc.lit)
				continue
			}
			v, err := pc.fn(e)
			if err != nil {
				return nil, err
			}
			s := ""
			if pc.format == "" {
				s = ToString(v)
			} else if s, err = format(v, pc.format); err != nil {
				return nil, c.at(p, err)
			}
			b.WriteString(align(s, pc.align))
			if b.Len() > MaxString {
				return nil, c.at(p, errTooLong)
			}
		}
		if err := e.charge(b.Len()); err != nil {
			return nil, c.at(p, err)
		}
		return b.String(), nil
	}}, nil
}

// maxFormat bounds the length of a format string in an interpolation hole.
const maxFormat = 256

var errTooLong = &rtError{msg: "string too long"}

// align pads s to width w (negative: left-aligned), as composite formatting does.
func align(s string, w int) string {
	n := len([]rune(s))
	switch {
	case w > 0 && n < w && w < MaxString:
		return strings.Repeat(" ", w-n) + s
	case w < 0 && n < -w && -w < MaxString:
		return s + strings.Repeat(" ", -w-n)
	}
	return s
}
