package dotnet

import (
	"sort"

	"github.com/gatehouse/gatehouse/internal/expr"
)

func lambdaArg(a []any, i int, name string) (expr.Lambda, error) {
	if i >= len(a) {
		return nil, fail("%s needs a lambda", name)
	}
	l, ok := a[i].(expr.Lambda)
	if !ok {
		return nil, fail("%s needs a lambda, not %s", name, expr.TypeName(a[i]))
	}
	return l, nil
}

func predicate(l expr.Lambda, x any, i int) (bool, error) {
	v, err := l.Call(x, i)
	if err != nil {
		return false, err
	}
	b, err := expr.ToBool(v)
	if err != nil {
		return false, fail("lambda must return bool, not %s", expr.TypeName(v))
	}
	return b, nil
}

// linqMethod wraps a LINQ operator with the source as a slice.
func linqMethod(t *expr.Type, min, max int, f func(items []any, a []any) (any, error)) *expr.Member {
	return &expr.Member{Result: t, Min: min, Max: max, Call: func(_ *expr.Env, r any, a []any, _ []*expr.Type) (any, error) {
		items, err := expr.Enumerate(r)
		if err != nil {
			return nil, err
		}
		return f(items, a)
	}}
}

// filterFirst finds the first (or last) element matching an optional predicate.
func filterFirst(items, a []any, last, orDefault bool, name string) (any, error) {
	var l expr.Lambda
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
func sameSeq(_ []*expr.Type, recv *expr.Type) *expr.Type {
	if recv != nil && recv.Elem() != nil {
		return expr.ArrayOf(recv.Elem())
	}
	return tyArray
}

// elemOf is the result type of operators that return one element.
func elemOf(_ []*expr.Type, recv *expr.Type) *expr.Type {
	if recv != nil && recv.Elem() != nil {
		return recv.Elem()
	}
	return tyObject
}

func linqMembers() expr.Members {
	seqT := tyArray
	t := expr.Members{
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
				if out[i], err = l.Call(x, i); err != nil {
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
				v, err := l.Call(x, i)
				if err != nil {
					return nil, err
				}
				inner, err := expr.Enumerate(v)
				if err != nil {
					return nil, err
				}
				if len(out)+len(inner) > expr.MaxString {
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
		"Count": &expr.Member{Result: tyInt, Min: 0, Max: 1, Get: func(r any) (any, error) {
			items, err := expr.Enumerate(r)
			return len(items), err
		}, Call: func(_ *expr.Env, r any, a []any, _ []*expr.Type) (any, error) {
			items, err := expr.Enumerate(r)
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
				if expr.Equal(x, a[0]) {
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
		"ToList":            linqMethod(named("List"), 0, 0, func(items, _ []any) (any, error) { return &expr.List{Items: append([]any{}, items...)}, nil }),
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
					if expr.Equal(x, y) {
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
			other, err := expr.Enumerate(a[0])
			if err != nil {
				return nil, err
			}
			if len(items)+len(other) > expr.MaxString {
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
		t[n].ResultOf = sameSeq
	}
	for _, n := range []string{"First", "FirstOrDefault", "Last", "LastOrDefault", "Single", "SingleOrDefault", "ElementAt", "ElementAtOrDefault"} {
		t[n].ResultOf = elemOf
	}
	t["ToList"].ResultOf = func(_ []*expr.Type, recv *expr.Type) *expr.Type {
		return expr.NewType("List", expr.TypeOptions{Elem: elemOf(nil, recv)})
	}
	return t
}

func equalFold(a, b string) bool { return len(a) == len(b) && expr.CompareStrings(a, b, true) == 0 }

func orderBy(items, a []any, desc bool) (any, error) {
	keys := items
	if len(a) == 1 {
		l, err := lambdaArg(a, 0, "OrderBy")
		if err != nil {
			return nil, err
		}
		keys = make([]any, len(items))
		for i, x := range items {
			if keys[i], err = l.Call(x, i); err != nil {
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
		c, err := expr.Compare(keys[idx[i]], keys[idx[j]])
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
			if vals[i], err = l.Call(x, i); err != nil {
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
			r, err := expr.Binary("+", acc, v)
			if err != nil || !expr.IsNumber(v) {
				return nil, fail("%s needs numbers, not %s", op, expr.TypeName(v))
			}
			acc = r
		default:
			c, err := expr.Compare(v, acc)
			if err != nil {
				return nil, err
			}
			if op == "Min" && c < 0 || op == "Max" && c > 0 {
				acc = v
			}
		}
	}
	if op == "Average" {
		f, ok := expr.ToFloat(acc)
		if !ok {
			return nil, fail("Average needs numbers")
		}
		return f / float64(len(vals)), nil
	}
	if (op == "Sum") && !expr.IsNumber(acc) {
		return nil, fail("Sum needs numbers, not %s", expr.TypeName(acc))
	}
	return acc, nil
}
