package expr

// addCollectionMembers adds the members of arrays and lists.
func addCollectionMembers(m map[string]memberTable) {
	length := val(tyInt, func(r any) any {
		items, _ := seq(r)
		return len(items)
	})
	index := func(elem *typ) *member {
		return fn(elem, 1, 1, func(r any, a []any) (any, error) {
			i, err := intArg(a[0], "index")
			if err != nil {
				return nil, err
			}
			items, err := seq(r)
			if err != nil {
				return nil, err
			}
			if i < 0 || i >= len(items) {
				return nil, fail("index %d was outside the bounds of the array (length %d)", i, len(items))
			}
			return items[i], nil
		})
	}
	setIndex := &member{min: 2, max: 2, call: func(_ *env, r any, a []any, _ []*typ) (any, error) {
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
		case *listVal:
			if i >= 0 && i < len(x.items) {
				x.items[i] = a[1]
				return nil, nil
			}
		case []string:
			s, ok := a[1].(string)
			if !ok && a[1] != nil {
				return nil, fail("cannot store %s in string[]", typeName(a[1]))
			}
			if i >= 0 && i < len(x) {
				x[i] = s
				return nil, nil
			}
		case []byte:
			b, err := castTo(tyByte, a[1], false)
			if err != nil {
				return nil, err
			}
			if i >= 0 && i < len(x) {
				x[i] = b.(byte)
				return nil, nil
			}
		default:
			return nil, fail("cannot assign to an element of %s", typeName(r))
		}
		return nil, fail("index %d was outside the bounds of the array", i)
	}}
	for name, elem := range map[string]*typ{"array": tyObject, "string[]": tyString, "byte[]": tyByte, "List": tyObject} {
		if m[name] == nil {
			m[name] = memberTable{}
		}
		m[name]["Length"] = length
		m[name]["[]"] = index(elem)
		m[name]["[]="] = setIndex
	}
	list := func(r any) *listVal { return r.(*listVal) }
	m["List"]["Add"] = fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
		if len(list(r).items) >= maxString {
			return nil, errTooLong
		}
		list(r).items = append(list(r).items, a[0])
		return nil, nil
	})
	m["List"]["AddRange"] = fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
		items, err := seq(a[0])
		if err != nil {
			return nil, err
		}
		if len(list(r).items)+len(items) > maxString {
			return nil, errTooLong
		}
		list(r).items = append(list(r).items, items...)
		return nil, nil
	})
	m["List"]["Remove"] = fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
		l := list(r)
		for i, x := range l.items {
			if valuesEqual(x, a[0]) {
				l.items = append(l.items[:i], l.items[i+1:]...)
				return true, nil
			}
		}
		return false, nil
	})
	m["List"]["Clear"] = fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) { list(r).items = nil; return nil, nil })
	m["List"]["Insert"] = fn(tyVoid, 2, 2, func(r any, a []any) (any, error) {
		i, err := intArg(a[0], "index")
		l := list(r)
		if err != nil || i < 0 || i > len(l.items) {
			return nil, fail("index must be within the bounds of the List")
		}
		l.items = append(l.items[:i], append([]any{a[1]}, l.items[i:]...)...)
		return nil, nil
	})
	m["List"]["IndexOf"] = fn(tyInt, 1, 1, func(r any, a []any) (any, error) {
		for i, x := range list(r).items {
			if valuesEqual(x, a[0]) {
				return i, nil
			}
		}
		return -1, nil
	})
}

// addEnumerableStatics adds Enumerable.Range/Repeat/Empty and Array.IndexOf/Empty.
func addEnumerableStatics(s map[string]memberTable) {
	s["Enumerable"] = memberTable{
		"Range": fn(&typ{name: "array", elem: tyInt}, 2, 2, func(_ any, a []any) (any, error) {
			start, err1 := intArg(a[0], "start")
			n, err2 := intArg(a[1], "count")
			if err1 != nil || err2 != nil || n < 0 || n > maxArray {
				return nil, fail("Enumerable.Range needs a start and a count between 0 and %d", maxArray)
			}
			out := make([]any, n)
			for i := range out {
				out[i] = start + i
			}
			return out, nil
		}),
		"Repeat": fn(tyArray, 2, 2, func(_ any, a []any) (any, error) {
			n, err := intArg(a[1], "count")
			if err != nil || n < 0 || n > maxArray {
				return nil, fail("Enumerable.Repeat needs a count between 0 and %d", maxArray)
			}
			out := make([]any, n)
			for i := range out {
				out[i] = a[0]
			}
			return out, nil
		}),
		"Empty": &member{generic: 1, result: tyArray, call: func(*env, any, []any, []*typ) (any, error) { return []any{}, nil }},
	}
	s["array"] = memberTable{
		"IndexOf": fn(tyInt, 2, 2, func(_ any, a []any) (any, error) {
			items, err := seq(a[0])
			if err != nil {
				return nil, err
			}
			for i, x := range items {
				if valuesEqual(x, a[1]) {
					return i, nil
				}
			}
			return -1, nil
		}),
		"Empty": &member{generic: 1, result: tyArray, call: func(*env, any, []any, []*typ) (any, error) { return []any{}, nil }},
	}
}
