package dotnet

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// dictVal is a Dictionary<TKey, TValue> created by an expression. Keys
// keep their insertion order; they are compared by their string form,
// case-insensitively with StringComparer.*IgnoreCase.
type dictVal struct {
	keys []any
	vals map[string]any
	fold bool
}

// TypeName returns "Dictionary".
func (*dictVal) TypeName() string { return "Dictionary" }

// String returns the type name.
func (d *dictVal) String() string { return d.TypeName() }

// Enumerate returns the entries as KeyValuePairs, in insertion order.
func (d *dictVal) Enumerate() []any { return d.pairs() }

func newDict(a []any) (any, error) {
	d := &dictVal{vals: map[string]any{}}
	for _, x := range a {
		switch v := x.(type) {
		case expr.Enum:
			d.fold = strings.HasSuffix(v.Name, "IgnoreCase")
		case *dictVal:
			for _, k := range v.keys {
				if err := d.add(k, v.vals[v.key(k)]); err != nil {
					return nil, err
				}
			}
		case int:
		default:
			return nil, fail("new Dictionary does not take %s", expr.TypeName(x))
		}
	}
	return d, nil
}

func (d *dictVal) key(k any) string {
	s := expr.ToString(k)
	if d.fold {
		s = strings.ToLower(s)
	}
	return s
}

func (d *dictVal) add(k, v any) error {
	if k == nil {
		return fail("key cannot be null")
	}
	ks := d.key(k)
	if _, ok := d.vals[ks]; ok {
		return fail("an item with the same key has already been added (key: %s)", expr.ToString(k))
	}
	if len(d.keys) >= expr.MaxArray {
		return errTooLong
	}
	d.keys = append(d.keys, k)
	d.vals[ks] = v
	return nil
}

func (d *dictVal) set(k, v any) error {
	if k == nil {
		return fail("key cannot be null")
	}
	if _, ok := d.vals[d.key(k)]; ok {
		d.vals[d.key(k)] = v
		return nil
	}
	return d.add(k, v)
}

func (d *dictVal) remove(k any) bool {
	ks := d.key(k)
	if _, ok := d.vals[ks]; !ok {
		return false
	}
	delete(d.vals, ks)
	for i, x := range d.keys {
		if d.key(x) == ks {
			d.keys = append(d.keys[:i], d.keys[i+1:]...)
			break
		}
	}
	return true
}

func (d *dictVal) pairs() []any {
	out := make([]any, len(d.keys))
	for i, k := range d.keys {
		out[i] = expr.KeyValuePair{Key: expr.ToString(k), Value: d.vals[d.key(k)]}
	}
	return out
}

func dictTable() expr.Members {
	dv := func(r any) *dictVal { return r.(*dictVal) }
	return expr.Members{
		"[]": fn(tyObject, 1, 1, func(r any, a []any) (any, error) {
			v, ok := dv(r).vals[dv(r).key(a[0])]
			if !ok {
				return nil, fail("the given key '%s' was not present in the dictionary", expr.ToString(a[0]))
			}
			return v, nil
		}),
		"[]=": fn(tyVoid, 2, 2, func(r any, a []any) (any, error) { return nil, dv(r).set(a[0], a[1]) }),
		"Add": fn(tyVoid, 2, 2, func(r any, a []any) (any, error) { return nil, dv(r).add(a[0], a[1]) }),
		"ContainsKey": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			_, ok := dv(r).vals[dv(r).key(a[0])]
			return ok, nil
		}),
		"ContainsValue": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			for _, v := range dv(r).vals {
				if expr.Equal(v, a[0]) {
					return true, nil
				}
			}
			return false, nil
		}),
		"TryGetValue": fn(tyBool, 2, 2, func(r any, a []any) (any, error) {
			o, isOut := a[1].(expr.Out)
			if !isOut {
				return nil, fail("TryGetValue needs an out argument")
			}
			v, ok := dv(r).vals[dv(r).key(a[0])]
			o.Set(v)
			return ok, nil
		}),
		"GetValueOrDefault": fn(tyObject, 1, 2, func(r any, a []any) (any, error) {
			if v, ok := dv(r).vals[dv(r).key(a[0])]; ok {
				return v, nil
			}
			if len(a) == 2 {
				return a[1], nil
			}
			return nil, nil
		}),
		"Remove": fn(tyBool, 1, 1, func(r any, a []any) (any, error) { return dv(r).remove(a[0]), nil }),
		"Clear": fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) {
			dv(r).keys, dv(r).vals = nil, map[string]any{}
			return nil, nil
		}),
		"Count": val(tyInt, func(r any) any { return len(dv(r).keys) }),
		"Keys":  val(tyArray, func(r any) any { return append([]any{}, dv(r).keys...) }),
		"Values": val(tyArray, func(r any) any {
			out := make([]any, len(dv(r).keys))
			for i, k := range dv(r).keys {
				out[i] = dv(r).vals[dv(r).key(k)]
			}
			return out
		}),
	}
}
