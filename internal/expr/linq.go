package expr

import (
	"net/http"
	"net/url"
	"sort"
)

// listVal is a List<T>: a growable sequence.
type listVal struct{ items []any }

// seq returns the elements of an enumerable value. Dictionaries and
// header collections yield KeyValuePairs in key order; a JObject yields
// its JProperty values.
func seq(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case *listVal:
		return x.items, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	case []byte:
		out := make([]any, len(x))
		for i, b := range x {
			out[i] = b
		}
		return out, nil
	case []Group:
		out := make([]any, len(x))
		for i, g := range x {
			out[i] = g
		}
		return out, nil
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, r)
		}
		return out, nil
	case *JArray:
		out := make([]any, len(x.items))
		for i, t := range x.items {
			out[i] = t
		}
		return out, nil
	case *JObject:
		out := make([]any, len(x.props))
		for i, p := range x.props {
			out[i] = p
		}
		return out, nil
	case *JProperty:
		return []any{x.Value}, nil
	case http.Header:
		return pairs(x), nil
	case url.Values:
		return pairs(x), nil
	case map[string]string:
		return pairs(x), nil
	case map[string]any:
		return pairs(x), nil
	case claims:
		return pairs(x), nil
	case *dictVal:
		return x.pairs(), nil
	case reGroups:
		out := make([]any, len(x.m.groups))
		for i, g := range x.m.groups {
			out[i] = g
		}
		return out, nil
	case nil:
		return nil, fail("value cannot be null (source)")
	}
	return nil, fail("%s is not enumerable", typeName(v))
}

func pairs[V any](m map[string]V) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = kvPair{key: k, value: m[k]}
	}
	return out
}

func lambdaArg(a []any, i int, name string) (*lambdaVal, error) {
	if i >= len(a) {
		return nil, fail("%s needs a lambda", name)
	}
	l, ok := a[i].(*lambdaVal)
	if !ok {
		return nil, fail("%s needs a lambda, not %s", name, typeName(a[i]))
	}
	return l, nil
}

func predicate(l *lambdaVal, x any, i int) (bool, error) {
	v, err := l.call(x, i)
	if err != nil {
		return false, err
	}
	b, err := ToBool(v)
	if err != nil {
		return false, fail("lambda must return bool, not %s", typeName(v))
	}
	return b, nil
}

// linqMethod wraps a LINQ operator with the source as a slice.
func linqMethod(t *typ, min, max int, f func(items []any, a []any) (any, error)) *member {
	return &member{result: t, min: min, max: max, lambda: true, call: func(_ *env, r any, a []any, _ []*typ) (any, error) {
		items, err := seq(r)
		if err != nil {
			return nil, err
		}
		return f(items, a)
	}}
}

// filterFirst finds the first (or last) element matching an optional predicate.
func filterFirst(items, a []any, last, orDefault bool, name string) (any, error) {
	var l *lambdaVal
	if len(a) > 0 {
		var err error
		if l, err = lambdaArg(a, 0, name); err != nil {
			return nil, err
		}
	}
	for k := range items {
		i := k
		if last {
			i = len(items) - 1 - k
		}
		ok := true
		if l != nil {
			var err error
			if ok, err = predicate(l, items[i], i); err != nil {
				return nil, err
			}
		}
		if ok {
			return items[i], nil
		}
	}
	if orDefault {
		return nil, nil
	}
	return nil, fail("sequence contains no matching element")
}

// sameSeq is the result type of operators that keep the element type.
func sameSeq(_ []*typ, recv *typ) *typ {
	if recv != nil && recv.elem != nil {
		return &typ{name: "array", elem: recv.elem}
	}
	return tyArray
}

// elemOf is the result type of operators that return one element.
func elemOf(_ []*typ, recv *typ) *typ {
	if recv != nil && recv.elem != nil {
		return recv.elem
	}
	return tyObject
}

func linqMembers() memberTable {
	seqT := tyArray
	t := memberTable{
		"Where": linqMethod(seqT, 1, 1, func(items, a []any) (any, error) {
			l, err := lambdaArg(a, 0, "Where")
			if err != nil {
				return nil, err
			}
			out := []any{}
			for i, x := range items {
				ok, err := predicate(l, x, i)
				if err != nil {
					return nil, err
				}
				if ok {
					out = append(out, x)
				}
			}
			return out, nil
		}),
		"Select": linqMethod(seqT, 1, 1, func(items, a []any) (any, error) {
			l, err := lambdaArg(a, 0, "Select")
			if err != nil {
				return nil, err
			}
			out := make([]any, len(items))
			for i, x := range items {
				if out[i], err = l.call(x, i); err != nil {
					return nil, err
				}
			}
			return out, nil
		}),
		"SelectMany": linqMethod(seqT, 1, 1, func(items, a []any) (any, error) {
			l, err := lambdaArg(a, 0, "SelectMany")
			if err != nil {
				return nil, err
			}
			out := []any{}
			for i, x := range items {
				v, err := l.call(x, i)
				if err != nil {
					return nil, err
				}
				inner, err := seq(v)
				if err != nil {
					return nil, err
				}
				if len(out)+len(inner) > maxString {
					return nil, errTooLong
				}
				out = append(out, inner...)
			}
			return out, nil
		}),
		"Any": linqMethod(tyBool, 0, 1, func(items, a []any) (any, error) {
			if len(a) == 0 {
				return len(items) > 0, nil
			}
			_, err := filterFirst(items, a, false, false, "Any")
			if err != nil && err.Error() == "sequence contains no matching element" {
				return false, nil
			}
			return err == nil, err
		}),
		"All": linqMethod(tyBool, 1, 1, func(items, a []any) (any, error) {
			l, err := lambdaArg(a, 0, "All")
			if err != nil {
				return nil, err
			}
			for i, x := range items {
				ok, err := predicate(l, x, i)
				if err != nil || !ok {
					return false, err
				}
			}
			return true, nil
		}),
		"First":          linqMethod(tyObject, 0, 1, func(items, a []any) (any, error) { return filterFirst(items, a, false, false, "First") }),
		"FirstOrDefault": linqMethod(tyObject, 0, 1, func(items, a []any) (any, error) { return filterFirst(items, a, false, true, "FirstOrDefault") }),
		"Last":           linqMethod(tyObject, 0, 1, func(items, a []any) (any, error) { return filterFirst(items, a, true, false, "Last") }),
		"LastOrDefault":  linqMethod(tyObject, 0, 1, func(items, a []any) (any, error) { return filterFirst(items, a, true, true, "LastOrDefault") }),
		"Single": linqMethod(tyObject, 0, 1, func(items, a []any) (any, error) {
			if len(a) == 0 && len(items) != 1 {
				return nil, fail("sequence contains %d elements, not exactly one", len(items))
			}
			return filterFirst(items, a, false, false, "Single")
		}),
		"SingleOrDefault": linqMethod(tyObject, 0, 1, func(items, a []any) (any, error) {
			if len(a) == 0 && len(items) > 1 {
				return nil, fail("sequence contains more than one element")
			}
			return filterFirst(items, a, false, true, "SingleOrDefault")
		}),
		"Count": &member{result: tyInt, min: 0, max: 1, lambda: true, get: func(r any) (any, error) {
			items, err := seq(r)
			return len(items), err
		}, call: func(_ *env, r any, a []any, _ []*typ) (any, error) {
			items, err := seq(r)
			if err != nil {
				return nil, err
			}
			if len(a) == 0 {
				return len(items), nil
			}
			l, err := lambdaArg(a, 0, "Count")
			if err != nil {
				return nil, err
			}
			n := 0
			for i, x := range items {
				ok, err := predicate(l, x, i)
				if err != nil {
					return nil, err
				}
				if ok {
					n++
				}
			}
			return n, nil
		}},
		"Contains": linqMethod(tyBool, 1, 2, func(items, a []any) (any, error) {
			for _, x := range items {
				if valuesEqual(x, a[0]) {
					return true, nil
				}
				if s, ok := x.(string); ok && len(a) == 2 {
					if o, ok := a[0].(string); ok && ignoreCaseArg(a, 1) && equalFold(s, o) {
						return true, nil
					}
				}
			}
			return false, nil
		}),
		"ToArray":           linqMethod(seqT, 0, 0, func(items, _ []any) (any, error) { return append([]any{}, items...), nil }),
		"ToList":            linqMethod(named("List"), 0, 0, func(items, _ []any) (any, error) { return &listVal{items: append([]any{}, items...)}, nil }),
		"OrderBy":           linqMethod(seqT, 0, 1, func(items, a []any) (any, error) { return orderBy(items, a, false) }),
		"OrderByDescending": linqMethod(seqT, 0, 1, func(items, a []any) (any, error) { return orderBy(items, a, true) }),
		"Reverse": linqMethod(seqT, 0, 0, func(items, _ []any) (any, error) {
			out := make([]any, len(items))
			for i, x := range items {
				out[len(items)-1-i] = x
			}
			return out, nil
		}),
		"Skip": linqMethod(seqT, 1, 1, func(items, a []any) (any, error) {
			n, err := intArg(a[0], "count")
			if err != nil {
				return nil, err
			}
			n = max(0, min(n, len(items)))
			return append([]any{}, items[n:]...), nil
		}),
		"Take": linqMethod(seqT, 1, 1, func(items, a []any) (any, error) {
			n, err := intArg(a[0], "count")
			if err != nil {
				return nil, err
			}
			n = max(0, min(n, len(items)))
			return append([]any{}, items[:n]...), nil
		}),
		"Sum":     linqMethod(tyObject, 0, 1, func(items, a []any) (any, error) { return aggregate(items, a, "Sum") }),
		"Min":     linqMethod(tyObject, 0, 1, func(items, a []any) (any, error) { return aggregate(items, a, "Min") }),
		"Max":     linqMethod(tyObject, 0, 1, func(items, a []any) (any, error) { return aggregate(items, a, "Max") }),
		"Average": linqMethod(tyDouble, 0, 1, func(items, a []any) (any, error) { return aggregate(items, a, "Average") }),
		"Distinct": linqMethod(seqT, 0, 0, func(items, _ []any) (any, error) {
			out := []any{}
			for _, x := range items {
				dup := false
				for _, y := range out {
					if valuesEqual(x, y) {
						dup = true
						break
					}
				}
				if !dup {
					out = append(out, x)
				}
			}
			return out, nil
		}),
		"Concat": linqMethod(seqT, 1, 1, func(items, a []any) (any, error) {
			other, err := seq(a[0])
			if err != nil {
				return nil, err
			}
			if len(items)+len(other) > maxString {
				return nil, errTooLong
			}
			return append(append([]any{}, items...), other...), nil
		}),
		"ElementAt": linqMethod(tyObject, 1, 1, func(items, a []any) (any, error) {
			i, err := intArg(a[0], "index")
			if err != nil {
				return nil, err
			}
			if i < 0 || i >= len(items) {
				return nil, fail("index was out of range")
			}
			return items[i], nil
		}),
		"ElementAtOrDefault": linqMethod(tyObject, 1, 1, func(items, a []any) (any, error) {
			i, err := intArg(a[0], "index")
			if err != nil || i < 0 || i >= len(items) {
				return nil, err
			}
			return items[i], nil
		}),
	}
	for _, n := range []string{"Where", "OrderBy", "OrderByDescending", "Reverse", "Skip", "Take", "Distinct", "ToArray"} {
		t[n].resultFn = sameSeq
	}
	for _, n := range []string{"First", "FirstOrDefault", "Last", "LastOrDefault", "Single", "SingleOrDefault", "ElementAt", "ElementAtOrDefault"} {
		t[n].resultFn = elemOf
	}
	t["ToList"].resultFn = func(_ []*typ, recv *typ) *typ { return &typ{name: "List", elem: elemOf(nil, recv)} }
	return t
}

func equalFold(a, b string) bool { return len(a) == len(b) && compareStrings(a, b, true) == 0 }

func orderBy(items, a []any, desc bool) (any, error) {
	keys := items
	if len(a) == 1 {
		l, err := lambdaArg(a, 0, "OrderBy")
		if err != nil {
			return nil, err
		}
		keys = make([]any, len(items))
		for i, x := range items {
			if keys[i], err = l.call(x, i); err != nil {
				return nil, err
			}
		}
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	sort.SliceStable(idx, func(i, j int) bool {
		c, err := compareValues(keys[idx[i]], keys[idx[j]])
		if err != nil {
			cmpErr = err
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
	if cmpErr != nil {
		return nil, cmpErr
	}
	out := make([]any, len(items))
	for i, k := range idx {
		out[i] = items[k]
	}
	return out, nil
}

func aggregate(items, a []any, op string) (any, error) {
	vals := items
	if len(a) == 1 {
		l, err := lambdaArg(a, 0, op)
		if err != nil {
			return nil, err
		}
		vals = make([]any, len(items))
		for i, x := range items {
			if vals[i], err = l.call(x, i); err != nil {
				return nil, err
			}
		}
	}
	if len(vals) == 0 {
		if op == "Sum" {
			return 0, nil
		}
		return nil, fail("sequence contains no elements")
	}
	acc := vals[0]
	if j, ok := acc.(*JValue); ok {
		acc = j.v
	}
	for _, v := range vals[1:] {
		if j, ok := v.(*JValue); ok {
			v = j.v
		}
		switch op {
		case "Sum", "Average":
			r, err := arith("+", acc, v)
			if err != nil || !isNumber(v) {
				return nil, fail("%s needs numbers, not %s", op, typeName(v))
			}
			acc = r
		default:
			c, err := compareValues(v, acc)
			if err != nil {
				return nil, err
			}
			if op == "Min" && c < 0 || op == "Max" && c > 0 {
				acc = v
			}
		}
	}
	if op == "Average" {
		f, ok := toFloat(acc)
		if !ok {
			return nil, fail("Average needs numbers")
		}
		return f / float64(len(vals)), nil
	}
	if (op == "Sum") && !isNumber(acc) {
		return nil, fail("Sum needs numbers, not %s", typeName(acc))
	}
	return acc, nil
}
