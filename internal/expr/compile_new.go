package expr

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strings"
	"time"
)

// ctor constructs a value of a type with new T(args).
type ctor struct {
	min, max int
	t        *typ
	make     func(args []any) (any, error)
}

var ctors = map[string]*ctor{
	"Exception": {0, 2, named("Exception"), func(a []any) (any, error) {
		if len(a) == 0 {
			return &Exception{Message: "Exception of type 'System.Exception' was thrown."}, nil
		}
		return &Exception{Message: ToString(a[0])}, nil
	}},
	"JObject":   {0, -1, tyJObject, func(a []any) (any, error) { return newJObject(a) }},
	"JArray":    {0, -1, tyJArray, func(a []any) (any, error) { return newJArray(a) }},
	"JProperty": {2, 2, named("JProperty"), func(a []any) (any, error) { return newJProperty(a[0], a[1]) }},
	"JValue":    {1, 1, named("JValue"), func(a []any) (any, error) { return jsonFromValue(a[0]) }},
	"Uri": {1, 2, named("Uri"), func(a []any) (any, error) {
		if len(a) == 2 {
			if b, ok := a[0].(*Uri); ok {
				return b.resolve(ToString(a[1]))
			}
		}
		return parseURI(ToString(a[0]))
	}},
	"HMACSHA256": hmacCtor(sha256.New), "HMACSHA1": hmacCtor(sha1.New), "HMACSHA512": hmacCtor(sha512.New), "HMACMD5": hmacCtor(md5.New),
	"string": {2, 2, tyString, func(a []any) (any, error) {
		r, ok := a[0].(rune)
		n, ok2 := a[1].(int)
		if !ok || !ok2 || n < 0 || n > maxString {
			return nil, fail("new string(char, count) needs a char and a count between 0 and %d", maxString)
		}
		return strings.Repeat(string(r), n), nil
	}},
	"DateTime": {3, 7, tyDateTime, func(a []any) (any, error) {
		var p [7]int
		for i, x := range a {
			n, ok := x.(int)
			if !ok {
				if _, isKind := x.(enumVal); isKind && i == len(a)-1 {
					continue
				}
				return nil, fail("DateTime constructor needs int arguments")
			}
			p[i] = n
		}
		if len(a) == 4 || len(a) == 5 {
			return nil, fail("DateTime constructor takes year, month, day[, hour, minute, second[, kind]]")
		}
		t := time.Date(p[0], time.Month(p[1]), p[2], p[3], p[4], p[5], 0, time.UTC)
		if t.Day() != p[2] || t.Month() != time.Month(p[1]) || p[0] < 1 || p[0] > 9999 {
			return nil, fail("year, month and day parameters describe an unrepresentable DateTime")
		}
		return t, nil
	}},
	"TimeSpan": {3, 5, tyTimeSpan, func(a []any) (any, error) {
		var p [5]int64
		for i, x := range a {
			n, ok := x.(int)
			if !ok {
				return nil, fail("TimeSpan constructor needs int arguments")
			}
			p[i] = int64(n)
		}
		if len(a) == 3 {
			return time.Duration(p[0])*time.Hour + time.Duration(p[1])*time.Minute + time.Duration(p[2])*time.Second, nil
		}
		return time.Duration(p[0])*24*time.Hour + time.Duration(p[1])*time.Hour + time.Duration(p[2])*time.Minute +
			time.Duration(p[3])*time.Second + time.Duration(p[4])*time.Millisecond, nil
	}},
	"Guid": {1, 1, named("Guid"), func(a []any) (any, error) {
		g, err := ParseGuid(ToString(a[0]))
		return g, err
	}},
	"StringBuilder": {0, 1, named("StringBuilder"), func(a []any) (any, error) {
		sb := &strBuilder{}
		if len(a) == 1 {
			if s, ok := a[0].(string); ok {
				sb.b.WriteString(s)
			}
		}
		return sb, nil
	}},
	"XElement": {1, -1, named("XElement"), func(a []any) (any, error) { return newXElement(a) }},
	"XAttribute": {2, 2, named("XAttribute"), func(a []any) (any, error) {
		return &XAttribute{Name: ToString(a[0]), Value: ToString(a[1])}, nil
	}},
	"Regex": {1, 2, named("Regex"), func(a []any) (any, error) {
		var o any
		if len(a) == 2 {
			o = a[1]
		}
		re, err := compileRegex(a[0], o)
		if err != nil {
			return nil, err
		}
		return &regexVal{re: re}, nil
	}},
	"Random": {0, 1, named("Random"), func([]any) (any, error) { return randomVal{}, nil }},
}

func hmacCtor(h func() hash.Hash) *ctor {
	return &ctor{1, 1, named("HashAlgorithm"), func(a []any) (any, error) {
		key, ok := a[0].([]byte)
		if !ok {
			return nil, fail("HMAC key must be byte[], not %s", typeName(a[0]))
		}
		k := append([]byte(nil), key...)
		return &hashAlg{h: func() hash.Hash { return hmac.New(h, k) }}, nil
	}}
}

func (c *compiler) newObj(n *newExpr) (*cexpr, error) {
	t, ok := resolveType(n.t)
	if !ok {
		return nil, c.errf(n.t.p, "type %s is not supported", n.t.name)
	}
	if len(n.props) > 0 {
		return nil, c.errf(n.props[0].p, "object initializers are not supported")
	}
	if t.elem != nil {
		return c.newArray(n, t)
	}
	if t.name == "Dictionary" {
		return c.newDictionary(n)
	}
	k := ctors[t.name]
	if k == nil {
		return nil, c.errf(n.t.p, "new %s is not supported", n.t.name)
	}
	all := append([]arg(nil), n.args...)
	for _, x := range n.inits {
		all = append(all, arg{x: x})
	}
	if len(all) < k.min || k.max >= 0 && len(all) > k.max {
		return nil, c.errf(n.p, "new %s takes %s, not %d", n.t.name, arity(&member{min: k.min, max: k.max}), len(all))
	}
	args, err := c.args(all, nil)
	if err != nil {
		return nil, err
	}
	mk, p := k.make, n.p
	return &cexpr{t: k.t, fn: func(e *env) (any, error) {
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

// newDictionary compiles new Dictionary<K, V>([comparer]) { {k, v}, ... }.
func (c *compiler) newDictionary(n *newExpr) (*cexpr, error) {
	args, err := c.args(n.args, nil)
	if err != nil {
		return nil, err
	}
	type entry struct{ k, v evalFn }
	var entries []entry
	for _, in := range n.inits {
		call, ok := in.(*callExpr)
		if !ok || len(call.args) != 2 {
			return nil, c.errf(in.at(), "a Dictionary initializer entry must be { key, value }")
		}
		if id, isID := call.fn.(*identExpr); !isID || id.name != "{}" {
			return nil, c.errf(in.at(), "a Dictionary initializer entry must be { key, value }")
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
	p := n.p
	return &cexpr{t: named("Dictionary"), fn: func(e *env) (any, error) {
		av, err := args(e)
		if err != nil {
			return nil, err
		}
		d, err := newDict(av)
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
			if err := d.(*dictVal).add(k, v); err != nil {
				return nil, c.at(p, err)
			}
		}
		return d, nil
	}}, nil
}

// maxArray bounds the length of an array created with new T[n].
const maxArray = 1 << 20

// newArray compiles new T[n], new T[] { ... }, new List<T>() and new List<T> { ... }.
func (c *compiler) newArray(n *newExpr, t *typ) (*cexpr, error) {
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
	return &cexpr{t: t, fn: func(e *env) (any, error) {
		var vs []any
		if size != nil {
			v, err := size(e)
			if err != nil {
				return nil, err
			}
			if list {
				if v, ok := v.(int); !ok || v < 0 {
					if src, err := seq(v); err == nil {
						vs = append(vs, src...)
					}
				}
			} else {
				sz, ok := v.(int)
				if !ok || sz < 0 || sz > maxArray {
					return nil, c.at(p, fail("array size must be an int between 0 and %d", maxArray))
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
			return &listVal{items: vs}, nil
		}
		return typedArray(elem, vs)
	}}, nil
}

// typedArray converts items to the Go slice for an array of elem.
func typedArray(elem *typ, items []any) (any, error) {
	switch elem {
	case tyString:
		out := make([]string, len(items))
		for i, v := range items {
			if v == nil {
				continue
			}
			s, ok := v.(string)
			if !ok {
				return nil, fail("cannot convert %s to string", typeName(v))
			}
			out[i] = s
		}
		return out, nil
	case tyByte:
		out := make([]byte, len(items))
		for i, v := range items {
			b, err := castTo(tyByte, v, true)
			if err != nil {
				return nil, err
			}
			out[i] = b.(byte)
		}
		return out, nil
	}
	return items, nil
}
