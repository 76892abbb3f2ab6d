package expr

import (
	"strings"
)

// addCoreConstructors adds the constructors of the language's own types.
func addCoreConstructors(l *Library) {
	l.AddConstructor("Exception", &Constructor{Min: 0, Max: 2, Result: named("Exception"), Make: func(a []any) (any, error) {
		if len(a) == 0 {
			return &Exception{Message: "Exception of type 'System.Exception' was thrown."}, nil
		}
		return &Exception{Message: ToString(a[0])}, nil
	}})
	// new string(char, count), new string(char[]) and
	// new string(char[], startIndex, length), as .NET's String constructors.
	l.AddConstructor("string", &Constructor{Min: 1, Max: 3, Result: tyString, Make: func(a []any) (any, error) {
		if len(a) != 2 {
			return stringFromChars(a)
		}
		r, ok := a[0].(rune)
		n, ok2 := a[1].(int)
		if !ok || !ok2 || n < 0 || n > MaxString {
			return nil, Fail("new string(char, count) needs a char and a count between 0 and %d", MaxString)
		}
		return strings.Repeat(string(r), n), nil
	}})
}

// stringFromChars is new string(chars) or new string(chars, start, length).
func stringFromChars(a []any) (any, error) {
	chars, ok := a[0].([]any)
	if !ok {
		return nil, Fail("new string needs a char[], not %s", TypeName(a[0]))
	}
	start, n := 0, len(chars)
	if len(a) == 3 {
		s, ok1 := a[1].(int)
		l, ok2 := a[2].(int)
		if !ok1 || !ok2 || s < 0 || l < 0 || s+l > len(chars) {
			return nil, Fail("new string(char[], startIndex, length): index and length must refer to a location within the array")
		}
		start, n = s, l
	}
	var b strings.Builder
	for _, c := range chars[start : start+n] {
		r, ok := c.(rune)
		if !ok {
			return nil, Fail("new string needs a char[], not an array holding %s", TypeName(c))
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

func (c *compiler) newObj(n *newExpr) (*cexpr, error) {
	t, ok := c.lib.resolveType(n.t)
	if !ok {
		return nil, c.errf(n.t.p, "type %s is not supported", n.t.name)
	}
	if len(n.props) > 0 {
		return c.newWithProps(n, t)
	}
	k := c.lib.ctors[t.name]
	if k == nil || k.Entries == nil {
		for _, x := range n.inits {
			if isEntry(x) {
				name := n.t.String()
				return nil, c.errf(x.at(), "new %s: a { key, value } entry belongs in a Dictionary's initializer; %s's initializer lists its elements", name, name)
			}
		}
	}
	if t.elem != nil {
		return c.newArray(n, t)
	}
	if k == nil {
		return nil, c.errf(n.t.p, "new %s is not supported", n.t.name)
	}
	if k.Entries != nil && (!k.OrElements || hasEntry(n.inits)) {
		return c.newWithEntries(n, t, k)
	}
	all := append([]arg(nil), n.args...)
	for _, x := range n.inits {
		all = append(all, arg{x: x})
	}
	if len(all) < k.Min || k.Max >= 0 && len(all) > k.Max {
		return nil, c.errf(n.p, "new %s takes %s, not %d", n.t.name, arity(&Member{Min: k.Min, Max: k.Max}), len(all))
	}
	args, err := c.args(all, nil)
	if err != nil {
		return nil, err
	}
	rt := k.Result
	if rt == nil {
		rt = t
	}
	mk, p := k.Make, n.p
	return &cexpr{t: rt, fn: func(e *Env) (any, error) {
		av, err := args(e)
		if err != nil {
			return nil, err
		}
		v, err := mk(av)
		if err == nil {
			err = e.chargeValue(v)
		}
		if err != nil {
			return nil, c.at(p, err)
		}
		return v, nil
	}}, nil
}

// hasEntry reports whether an initializer holds a { key, value } entry.
func hasEntry(inits []node) bool {
	for _, x := range inits {
		if isEntry(x) {
			return true
		}
	}
	return false
}

// String returns the type as C# writes it: List<string>, int[].
func (t *typeRef) String() string {
	var b strings.Builder
	b.WriteString(t.name)
	if len(t.args) > 0 {
		b.WriteByte('<')
		for i, a := range t.args {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(a.String())
		}
		b.WriteByte('>')
	}
	if t.nullable {
		b.WriteByte('?')
	}
	for range t.array {
		b.WriteString("[]")
	}
	return b.String()
}

// isEntry reports whether x is a { key, value } initializer entry.
func isEntry(x node) bool {
	call, ok := x.(*callExpr)
	if !ok {
		return false
	}
	id, ok := call.fn.(*identExpr)
	return ok && id.name == "{}"
}

// newWithEntries compiles new T(args) { {k, v}, ... } for a type whose
// initializer entries are keys and values (Dictionary<K, V>).
func (c *compiler) newWithEntries(n *newExpr, t *Type, k *Constructor) (*cexpr, error) {
	if len(n.args) < k.Min || k.Max >= 0 && len(n.args) > k.Max {
		return nil, c.errf(n.p, "new %s takes %s, not %d", n.t.name, arity(&Member{Min: k.Min, Max: k.Max}), len(n.args))
	}
	args, err := c.args(n.args, nil)
	if err != nil {
		return nil, err
	}
	type entry struct{ k, v evalFn }
	var entries []entry
	for _, in := range n.inits {
		call, ok := in.(*callExpr)
		if !ok || len(call.args) != 2 {
			return nil, c.errf(in.at(), "a %s initializer entry must be { key, value }", t.name)
		}
		if id, isID := call.fn.(*identExpr); !isID || id.name != "{}" {
			return nil, c.errf(in.at(), "a %s initializer entry must be { key, value }", t.name)
		}
		k, err := c.value(call.args[0].x)
		if err != nil {
			return nil, err
		}
		v, err := c.value(call.args[1].x)
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry{k.fn, v.fn})
	}
	rt := k.Result
	if rt == nil {
		rt = t
	}
	p, mk, add := n.p, k.Make, k.Entries
	return &cexpr{t: rt, fn: func(e *Env) (any, error) {
		av, err := args(e)
		if err != nil {
			return nil, err
		}
		d, err := mk(av)
		if err != nil {
			return nil, c.at(p, err)
		}
		for _, en := range entries {
			k, err := en.k(e)
			if err != nil {
				return nil, err
			}
			v, err := en.v(e)
			if err != nil {
				return nil, err
			}
			if err := add(d, k, v); err != nil {
				return nil, c.at(p, err)
			}
		}
		return d, nil
	}}, nil
}

// MaxArray bounds the length of an array that new T[n] or a library
// method creates.
const MaxArray = 1 << 20

// newArray compiles new T[n], new T[] { ... }, new List<T>() and new List<T> { ... }.
func (c *compiler) newArray(n *newExpr, t *Type) (*cexpr, error) {
	var size evalFn
	list := n.t.array == 0
	if len(n.args) > 0 {
		if list {
			if len(n.args) > 1 {
				return nil, c.errf(n.p, "new List takes at most one argument")
			}
		}
		x, err := c.value(n.args[0].x)
		if err != nil {
			return nil, err
		}
		size = x.fn
	}
	var items []evalFn
	for _, in := range n.inits {
		x, err := c.value(in)
		if err != nil {
			return nil, err
		}
		items = append(items, x.fn)
	}
	elem, p := t.elem, n.p
	return &cexpr{t: t, fn: func(e *Env) (any, error) {
		var vs []any
		if size != nil {
			v, err := size(e)
			if err != nil {
				return nil, err
			}
			if list {
				if v, ok := v.(int); !ok || v < 0 {
					if src, err := Enumerate(v); err == nil {
						vs = append(vs, src...)
					}
				}
			} else {
				sz, ok := v.(int)
				if !ok || sz < 0 || sz > MaxArray {
					return nil, c.at(p, Fail("array size must be an int between 0 and %d", MaxArray))
				}
				if err := e.charge(sz); err != nil {
					return nil, c.at(p, err)
				}
				vs = make([]any, sz)
				if elem == tyByte {
					return make([]byte, sz), nil
				}
			}
		}
		for _, f := range items {
			v, err := f(e)
			if err != nil {
				return nil, err
			}
			vs = append(vs, v)
		}
		if list {
			return &List{Items: vs}, nil
		}
		return MakeArray(elem, vs)
	}}, nil
}

// MakeArray returns items as the value of an array of elem: a []string
// for string, a []byte for byte (converting each item), else items.
func MakeArray(elem *Type, items []any) (any, error) {
	switch elem {
	case tyString:
		out := make([]string, len(items))
		for i, v := range items {
			if v == nil {
				continue
			}
			s, ok := v.(string)
			if !ok {
				return nil, Fail("cannot convert %s to string", TypeName(v))
			}
			out[i] = s
		}
		return out, nil
	case tyByte:
		out := make([]byte, len(items))
		for i, v := range items {
			b, err := Cast(tyByte, v, true)
			if err != nil {
				return nil, err
			}
			out[i] = b.(byte)
		}
		return out, nil
	}
	return items, nil
}

// newWithProps compiles an object initializer, new T(args) { P = v, ... }:
// the object is built, then each property is set in order, through the
// setter (P=) that the library gives T.
func (c *compiler) newWithProps(n *newExpr, t *Type) (*cexpr, error) {
	if t.elem != nil || len(n.inits) > 0 {
		return nil, c.errf(n.props[0].p, "new %s: an initializer either sets properties or lists elements, not both", n.t.name)
	}
	type propSet struct {
		p   pos
		set *Member
		x   evalFn
	}
	sets := make([]propSet, len(n.props))
	for i, pi := range n.props {
		m := c.lib.member(t.name, pi.name+"=")
		if m == nil || m.Call == nil {
			if c.lib.member(t.name, pi.name) != nil {
				return nil, c.errf(pi.p, "property %s of %s cannot be set in an object initializer", pi.name, t.name)
			}
			return nil, c.errf(pi.p, "member %s of %s is not supported", pi.name, t.name)
		}
		x, err := c.value(pi.x)
		if err != nil {
			return nil, err
		}
		sets[i] = propSet{p: pi.p, set: m, x: x.fn}
	}
	plain := *n
	plain.props = nil
	base, err := c.newObj(&plain)
	if err != nil {
		return nil, err
	}
	mk := base.fn
	return &cexpr{t: base.t, fn: func(e *Env) (any, error) {
		obj, err := mk(e)
		if err != nil {
			return nil, err
		}
		for _, s := range sets {
			v, err := s.x(e)
			if err != nil {
				return nil, err
			}
			if _, err := s.set.Call(e, obj, []any{v}, nil); err != nil {
				return nil, c.at(s.p, err)
			}
		}
		return obj, nil
	}}, nil
}
