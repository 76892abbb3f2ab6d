package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// addCollectionMembers adds the members of arrays and lists.
func addCollectionMembers(m map[string]expr.Members) {
	length := val(tyInt, func(r any) any {
		items, _ := expr.Enumerate(r)
		return len(items)
	})
	index := func(elem *expr.Type) *expr.Member {
		return fn(elem, 1, 1, func(r any, a []any) (any, error) {
			i, err := intArg(a[0], "index")
			if err != nil {
				return nil, err
			}
			items, err := expr.Enumerate(r)
			if err != nil {
				return nil, err
			}
			if i < 0 || i >= len(items) {
				return nil, fail("index %d was outside the bounds of the array (length %d)", i, len(items))
			}
			return items[i], nil
		})
	}
	setIndex := &expr.Member{Min: 2, Max: 2, Call: func(_ *expr.Env, r any, a []any, _ []*expr.Type) (any, error) {
		i, err := intArg(a[0], "index")
		if err != nil {
			return nil, err
		}
		switch x := r.(type) {
		case []any:
			if i >= 0 && i < len(x) {
				x[i] = a[1]
				return nil, nil
			}
		case *expr.List:
			if i >= 0 && i < len(x.Items) {
				x.Items[i] = a[1]
				return nil, nil
			}
		case []string:
			s, ok := a[1].(string)
			if !ok && a[1] != nil {
				return nil, fail("cannot store %s in string[]", expr.TypeName(a[1]))
			}
			if i >= 0 && i < len(x) {
				x[i] = s
				return nil, nil
			}
		case []byte:
			b, err := expr.Cast(tyByte, a[1], false)
			if err != nil {
				return nil, err
			}
			if i >= 0 && i < len(x) {
				x[i] = b.(byte)
				return nil, nil
			}
		default:
			return nil, fail("cannot assign to an element of %s", expr.TypeName(r))
		}
		return nil, fail("index %d was outside the bounds of the array", i)
	}}
	for name, elem := range map[string]*expr.Type{"array": tyObject, "string[]": tyString, "byte[]": tyByte, "List": tyObject} {
		if m[name] == nil {
			m[name] = expr.Members{}
		}
		m[name]["Length"] = length
		m[name]["[]"] = index(elem)
		m[name]["[]="] = setIndex
	}
	list := func(r any) *expr.List { return r.(*expr.List) }
	m["List"]["Add"] = fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
		if len(list(r).Items) >= expr.MaxString {
			return nil, errTooLong
		}
		list(r).Items = append(list(r).Items, a[0])
		return nil, nil
	})
	m["List"]["AddRange"] = fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
		items, err := expr.Enumerate(a[0])
		if err != nil {
			return nil, err
		}
		if len(list(r).Items)+len(items) > expr.MaxString {
			return nil, errTooLong
		}
		list(r).Items = append(list(r).Items, items...)
		return nil, nil
	})
	m["List"]["Remove"] = fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
		l := list(r)
		for i, x := range l.Items {
			if expr.Equal(x, a[0]) {
				l.Items = append(l.Items[:i], l.Items[i+1:]...)
				return true, nil
			}
		}
		return false, nil
	})
	m["List"]["Clear"] = fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) { list(r).Items = nil; return nil, nil })
	m["List"]["Insert"] = fn(tyVoid, 2, 2, func(r any, a []any) (any, error) {
		i, err := intArg(a[0], "index")
		l := list(r)
		if err != nil || i < 0 || i > len(l.Items) {
			return nil, fail("index must be within the bounds of the List")
		}
		l.Items = append(l.Items[:i], append([]any{a[1]}, l.Items[i:]...)...)
		return nil, nil
	})
	m["List"]["IndexOf"] = fn(tyInt, 1, 1, func(r any, a []any) (any, error) {
		for i, x := range list(r).Items {
			if expr.Equal(x, a[0]) {
				return i, nil
			}
		}
		return -1, nil
	})
}

// addEnumerableStatics adds Enumerable.Range/Repeat/Empty and Array.IndexOf/Empty.
func addEnumerableStatics(s map[string]expr.Members) {
	s["Enumerable"] = expr.Members{
		"Range": fn(expr.ArrayOf(tyInt), 2, 2, func(_ any, a []any) (any, error) {
			start, err1 := intArg(a[0], "start")
			n, err2 := intArg(a[1], "count")
			if err1 != nil || err2 != nil || n < 0 || n > expr.MaxArray {
				return nil, fail("Enumerable.Range needs a start and a count between 0 and %d", expr.MaxArray)
			}
			out := make([]any, n)
			for i := range out {
				out[i] = start + i
			}
			return out, nil
		}),
		"Repeat": fn(tyArray, 2, 2, func(_ any, a []any) (any, error) {
			n, err := intArg(a[1], "count")
			if err != nil || n < 0 || n > expr.MaxArray {
				return nil, fail("Enumerable.Repeat needs a count between 0 and %d", expr.MaxArray)
			}
			out := make([]any, n)
			for i := range out {
				out[i] = a[0]
			}
			return out, nil
		}),
		"Empty": &expr.Member{Generic: expr.OptionalTypeArg, Result: tyArray, Call: func(*expr.Env, any, []any, []*expr.Type) (any, error) { return []any{}, nil }},
	}
	s["array"] = expr.Members{
		"IndexOf": fn(tyInt, 2, 2, func(_ any, a []any) (any, error) {
			items, err := expr.Enumerate(a[0])
			if err != nil {
				return nil, err
			}
			for i, x := range items {
				if expr.Equal(x, a[1]) {
					return i, nil
				}
			}
			return -1, nil
		}),
		"Empty": &expr.Member{Generic: expr.OptionalTypeArg, Result: tyArray, Call: func(*expr.Env, any, []any, []*expr.Type) (any, error) { return []any{}, nil }},
		// Array.Exists, TrueForAll, Find and FindIndex take the array and a
		// predicate, as .NET's System.Array does.
		"Exists": arrayPredicate(tyBool, "Array.Exists", func(items []any, i int) any { return i >= 0 }),
		"TrueForAll": &expr.Member{Result: tyBool, Min: 2, Max: 2, Call: func(_ *expr.Env, _ any, a []any, _ []*expr.Type) (any, error) {
			items, l, err := arrayAndLambda(a, "Array.TrueForAll")
			if err != nil {
				return nil, err
			}
			for i, x := range items {
				if ok, err := predicate(l, x, i); err != nil || !ok {
					return false, err
				}
			}
			return true, nil
		}},
		"Find": arrayPredicate(tyObject, "Array.Find", func(items []any, i int) any {
			if i < 0 {
				return nil
			}
			return items[i]
		}),
		"FindIndex": arrayPredicate(tyInt, "Array.FindIndex", func(_ []any, i int) any { return i }),
	}
}

// arrayAndLambda returns the elements of a[0] and the predicate a[1].
func arrayAndLambda(a []any, name string) ([]any, expr.Lambda, error) {
	items, err := expr.Enumerate(a[0])
	if err != nil {
		return nil, nil, err
	}
	l, err := lambdaArg(a, 1, name)
	return items, l, err
}

// arrayPredicate is a static method of Array that finds the first
// element matching a predicate and answers with result(items, its index
// or -1).
func arrayPredicate(t *expr.Type, name string, result func(items []any, i int) any) *expr.Member {
	return &expr.Member{Result: t, Min: 2, Max: 2, Call: func(_ *expr.Env, _ any, a []any, _ []*expr.Type) (any, error) {
		items, l, err := arrayAndLambda(a, name)
		if err != nil {
			return nil, err
		}
		for i, x := range items {
			ok, err := predicate(l, x, i)
			if err != nil {
				return nil, err
			}
			if ok {
				return result(items, i), nil
			}
		}
		return result(items, -1), nil
	}}
}
