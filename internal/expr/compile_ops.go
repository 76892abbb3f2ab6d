package expr

import (
	"math"
	"time"
)

func (c *compiler) unary(n *unaryExpr) (*cexpr, error) {
	if n.op == "!" {
		x, err := c.boolean(n.x)
		if err != nil {
			return nil, err
		}
		f := x.fn
		return &cexpr{t: tyBool, fn: func(e *Env) (any, error) {
			v, err := f(e)
			if err != nil {
				return nil, err
			}
			return !v.(bool), nil
		}}, nil
	}
	x, err := c.value(n.x)
	if err != nil {
		return nil, err
	}
	if !x.t.dynamic() && !isNumType(x.t) && !(n.op == "-" && x.t == tyTimeSpan) {
		return nil, c.errf(n.p, "operator %s cannot be applied to %s", n.op, x.t.name)
	}
	op, p, f := n.op, n.p, x.fn
	fn := func(e *Env) (any, error) {
		v, err := f(e)
		if err != nil {
			return nil, err
		}
		r, err := unaryOp(op, v)
		if err != nil {
			return nil, c.at(p, err)
		}
		return r, nil
	}
	t := x.t
	if t == tyChar {
		t = tyInt
	}
	if x.konst {
		v, err := fn(nil)
		if err != nil {
			return nil, err
		}
		return konst(v, t), nil
	}
	return &cexpr{t: t, fn: fn}, nil
}

func isNumType(t *Type) bool {
	switch t {
	case tyInt, tyLong, tyDouble, tyChar, tyByte:
		return true
	}
	return false
}

func unaryOp(op string, v any) (any, error) {
	v = plain(v)
	switch x := v.(type) {
	case int:
		switch op {
		case "-":
			return int(int32(-x)), nil
		case "~":
			return ^x, nil
		}
		return x, nil
	case rune:
		return unaryOp(op, int(x))
	case byte:
		return unaryOp(op, int(x))
	case int64:
		switch op {
		case "-":
			return -x, nil
		case "~":
			return ^x, nil
		}
		return x, nil
	case float64:
		switch op {
		case "-":
			return -x, nil
		case "+":
			return x, nil
		}
	case time.Duration:
		if op == "-" {
			return -x, nil
		}
	}
	return nil, Fail("operator %s cannot be applied to %s", op, TypeName(v))
}

func (c *compiler) binary(n *binaryExpr) (*cexpr, error) {
	switch n.op {
	case "&&", "||":
		return c.logical(n)
	case "??":
		return c.coalesce(n)
	}
	x, err := c.value(n.x)
	if err != nil {
		return nil, err
	}
	y, err := c.value(n.y)
	if err != nil {
		return nil, err
	}
	t, err := c.binaryType(n, x.t, y.t)
	if err != nil {
		return nil, err
	}
	xf, yf, op, p := x.fn, y.fn, n.op, n.p
	var fn evalFn
	switch {
	case (op == "==" || op == "!=") && x.t == tyString && y.t == tyString:
		neq := op == "!="
		fn = func(e *Env) (any, error) {
			a, err := xf(e)
			if err != nil {
				return nil, err
			}
			b, err := yf(e)
			if err != nil {
				return nil, err
			}
			as, aok := a.(string)
			bs, bok := b.(string)
			return (aok == bok && as == bs) != neq, nil
		}
	default:
		fn = func(e *Env) (any, error) {
			a, err := xf(e)
			if err != nil {
				return nil, err
			}
			b, err := yf(e)
			if err != nil {
				return nil, err
			}
			r, err := Binary(op, a, b)
			if err == nil && e != nil {
				err = e.chargeValue(r)
			}
			if err != nil {
				return nil, c.at(p, err)
			}
			return r, nil
		}
	}
	if x.konst && y.konst {
		if v, err := fn(nil); err == nil {
			return konst(v, t), nil
		}
	}
	return &cexpr{t: t, fn: fn}, nil
}

// binaryType checks operand types known at compile time and returns the result type.
func (c *compiler) binaryType(n *binaryExpr, a, b *Type) (*Type, error) {
	switch n.op {
	case "==", "!=":
		return tyBool, nil
	case "<", ">", "<=", ">=":
		if a == tyString || b == tyString || a == tyBool || b == tyBool {
			return nil, c.errf(n.p, "operator %s cannot be applied to %s and %s", n.op, a.name, b.name)
		}
		return tyBool, nil
	case "+":
		if a == tyString || b == tyString {
			return tyString, nil
		}
	}
	if a.dynamic() || b.dynamic() {
		return tyObject, nil
	}
	if isNumType(a) && isNumType(b) {
		switch {
		case a == tyDouble || b == tyDouble:
			return tyDouble, nil
		case a == tyLong || b == tyLong:
			return tyLong, nil
		}
		return tyInt, nil
	}
	switch {
	case (n.op == "&" || n.op == "|" || n.op == "^") && a == tyBool && b == tyBool:
		return tyBool, nil
	case (n.op == "&" || n.op == "|") && a.name == b.name && c.lib.statics[a.name] != nil:
		return a, nil
	case n.op == "-" && a == tyDateTime && b == tyDateTime:
		return tyTimeSpan, nil
	case (n.op == "+" || n.op == "-") && a == tyDateTime && b == tyTimeSpan:
		return tyDateTime, nil
	case (n.op == "+" || n.op == "-") && a == tyTimeSpan && b == tyTimeSpan:
		return tyTimeSpan, nil
	}
	return nil, c.errf(n.p, "operator %s cannot be applied to %s and %s", n.op, a.name, b.name)
}

// Binary applies a binary operator (+, -, ==, <, &, <<...) to two run-time
// values, as an expression does. A failure is a run-time error for Fail.
func Binary(op string, a, b any) (any, error) {
	switch op {
	case "==":
		return Equal(a, b), nil
	case "!=":
		return !Equal(a, b), nil
	case "<", ">", "<=", ">=":
		if a == nil || b == nil {
			return false, nil // lifted comparison with null
		}
		r, err := Compare(a, b)
		if err != nil {
			return nil, err
		}
		switch op {
		case "<":
			return r == -1, nil
		case ">":
			return r == 1, nil
		case "<=":
			return r == -1 || r == 0, nil
		}
		return r == 1 || r == 0, nil
	}
	if IsNumber(a) && IsNumber(b) {
		return arith(op, a, b)
	}
	if op == "+" {
		if ad, ok := a.(Adder); ok {
			return ad.Add(b)
		}
		_, as := a.(string)
		_, bs := b.(string)
		if as || bs {
			return concat(ToString(a), ToString(b))
		}
	}
	a, b = plain(a), plain(b)
	if IsNumber(a) && IsNumber(b) {
		return arith(op, a, b)
	}
	switch x := a.(type) {
	case time.Time:
		switch y := b.(type) {
		case time.Duration:
			if op == "+" {
				return x.Add(y), nil
			}
			if op == "-" {
				return x.Add(-y), nil
			}
		case time.Time:
			if op == "-" {
				return x.Sub(y), nil
			}
		}
	case time.Duration:
		if y, ok := b.(time.Duration); ok {
			switch op {
			case "+":
				return x + y, nil
			case "-":
				return x - y, nil
			}
		}
	case Enum:
		if y, ok := b.(Enum); ok && x.Type == y.Type && (op == "|" || op == "&") {
			if op == "|" {
				return Enum{Type: x.Type, Name: x.Name + ", " + y.Name, Value: x.Value | y.Value}, nil
			}
			return Enum{Type: x.Type, Name: x.Name, Value: x.Value & y.Value}, nil
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch op {
			case "&":
				return x && y, nil
			case "|":
				return x || y, nil
			case "^":
				return x != y, nil
			}
		}
	}
	if a == nil || b == nil {
		return nil, nil // lifted operator with null
	}
	return nil, Fail("operator %s cannot be applied to %s and %s", op, TypeName(a), TypeName(b))
}

func concat(a, b string) (any, error) {
	if len(a)+len(b) > MaxString {
		return nil, errTooLong
	}
	return a + b, nil
}

// arith applies op to two numbers with C#'s promotions: int, long, double.
func arith(op string, a, b any) (any, error) {
	ia, fa, afl, _ := Numeric(a)
	ib, fb, bfl, _ := Numeric(b)
	if afl || bfl {
		if !afl {
			fa = float64(ia)
		}
		if !bfl {
			fb = float64(ib)
		}
		switch op {
		case "+":
			return fa + fb, nil
		case "-":
			return fa - fb, nil
		case "*":
			return fa * fb, nil
		case "/":
			return fa / fb, nil
		case "%":
			return math.Mod(fa, fb), nil
		}
		return nil, Fail("operator %s cannot be applied to double", op)
	}
	_, along := a.(int64)
	_, blong := b.(int64)
	long := along || blong
	var r int64
	switch op {
	case "+":
		r = ia + ib
	case "-":
		r = ia - ib
	case "*":
		r = ia * ib
	case "/", "%":
		if ib == 0 {
			return nil, Fail("attempted to divide by zero")
		}
		if ib == -1 {
			ib, ia = 1, -ia
		}
		if op == "/" {
			r = ia / ib
		} else {
			r = ia % ib
		}
	case "&":
		r = ia & ib
	case "|":
		r = ia | ib
	case "^":
		r = ia ^ ib
	case "<<", ">>":
		sh := uint(ib) & 31
		if long {
			sh = uint(ib) & 63
		}
		if op == "<<" {
			r = ia << sh
		} else {
			r = ia >> sh
		}
		if _, ok := a.(int64); !ok {
			long = false
		}
	default:
		return nil, Fail("operator %s cannot be applied to numbers", op)
	}
	if long {
		return r, nil
	}
	return int(int32(r)), nil
}

func (c *compiler) logical(n *binaryExpr) (*cexpr, error) {
	x, err := c.boolean(n.x)
	if err != nil {
		return nil, err
	}
	y, err := c.boolean(n.y)
	if err != nil {
		return nil, err
	}
	xf, yf, and := x.fn, y.fn, n.op == "&&"
	return &cexpr{t: tyBool, fn: func(e *Env) (any, error) {
		a, err := xf(e)
		if err != nil {
			return nil, err
		}
		if a.(bool) != and {
			return a, nil
		}
		return yf(e)
	}}, nil
}

func (c *compiler) coalesce(n *binaryExpr) (*cexpr, error) {
	x, err := c.value(n.x)
	if err != nil {
		return nil, err
	}
	y, err := c.value(n.y)
	if err != nil {
		return nil, err
	}
	t := x.t
	if x.t != y.t && y.t != tyNull {
		t = tyObject
		if x.t == tyNull {
			t = y.t
		}
	}
	xf, yf := x.fn, y.fn
	return &cexpr{t: t, fn: func(e *Env) (any, error) {
		a, err := xf(e)
		if err != nil || a != nil {
			return a, err
		}
		return yf(e)
	}}, nil
}

func (c *compiler) cast(n *castExpr) (*cexpr, error) {
	t, ok := c.lib.resolveType(n.t)
	if !ok {
		return nil, c.errf(n.t.p, "type %s is not supported", n.t.name)
	}
	x, err := c.value(n.x)
	if err != nil {
		return nil, err
	}
	if !x.t.dynamic() && !c.castable(x.t, t) {
		return nil, c.errf(n.p, "cannot convert type %s to %s", x.t.name, t.name)
	}
	f, p := x.fn, n.p
	fn := func(e *Env) (any, error) {
		v, err := f(e)
		if err != nil {
			return nil, err
		}
		r, err := Cast(t, v, true)
		if err != nil {
			return nil, c.at(p, err)
		}
		return r, nil
	}
	if x.konst {
		if v, err := fn(nil); err == nil {
			return konst(v, t), nil
		}
	}
	return &cexpr{t: t, fn: fn}, nil
}

// castable reports whether an explicit cast from a to b can succeed.
func (c *compiler) castable(a, b *Type) bool {
	if a == b || b == tyObject || a.name == b.name || a == tyNull {
		return true
	}
	if (isNumType(a) || a.name == "enum") && isNumType(b) {
		return true
	}
	if b.name == "array" && (a.name == "array" || a == tyStrings || a == tyBytes) {
		return true
	}
	return c.lib.opts.Explicit != nil && c.lib.opts.Explicit(a, b)
}

func (c *compiler) is(n *isExpr) (*cexpr, error) {
	x, err := c.value(n.x)
	if err != nil {
		return nil, err
	}
	m, err := c.pattern(n.pat)
	if err != nil {
		return nil, err
	}
	f := x.fn
	return &cexpr{t: tyBool, fn: func(e *Env) (any, error) {
		v, err := f(e)
		if err != nil {
			return nil, err
		}
		return m(e, v)
	}}, nil
}

func (c *compiler) as(n *asExpr) (*cexpr, error) {
	t, ok := c.lib.resolveType(n.t)
	if !ok {
		return nil, c.errf(n.t.p, "type %s is not supported", n.t.name)
	}
	x, err := c.value(n.x)
	if err != nil {
		return nil, err
	}
	f := x.fn
	return &cexpr{t: t, fn: func(e *Env) (any, error) {
		v, err := f(e)
		if err != nil {
			return nil, err
		}
		if isType(t, v) {
			return v, nil
		}
		return nil, nil
	}}, nil
}
