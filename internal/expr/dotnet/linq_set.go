package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// linqSetMembers are the LINQ operators of two sequences (Union,
// Intersect, Except, Zip), Aggregate and ToDictionary. Elements are
// compared with the language's equality, as Distinct compares them.
func linqSetMembers() expr.Members {
	seqT := tyArray
	other := func(a []any) ([]any, error) { return expr.Enumerate(a[0]) }
	contains := func(xs []any, x any) bool {
		for _, y := range xs {
			if expr.Equal(x, y) {
				return true
			}
		}
		return false
	}
	// distinctWhere keeps the first of equal items for which keep holds.
	distinctWhere := func(items []any, keep func(any) bool) []any {
		out := []any{}
		for _, x := range items {
			if keep(x) && !contains(out, x) {
				out = append(out, x)
			}
		}
		return out
	}
	return expr.Members{
		"Union": linqMethod(seqT, 1, 1, func(items, a []any) (any, error) {
			o, err := other(a)
			if err != nil {
				return nil, err
			}
			if len(items)+len(o) > expr.MaxString {
				return nil, errTooLong
			}
			return distinctWhere(append(append([]any{}, items...), o...), func(any) bool { return true }), nil
		}),
		"Intersect": linqMethod(seqT, 1, 1, func(items, a []any) (any, error) {
			o, err := other(a)
			if err != nil {
				return nil, err
			}
			return distinctWhere(items, func(x any) bool { return contains(o, x) }), nil
		}),
		"Except": linqMethod(seqT, 1, 1, func(items, a []any) (any, error) {
			o, err := other(a)
			if err != nil {
				return nil, err
			}
			return distinctWhere(items, func(x any) bool { return !contains(o, x) }), nil
		}),
		"Zip": linqMethod(seqT, 2, 2, func(items, a []any) (any, error) {
			o, err := other(a)
			if err != nil {
				return nil, err
			}
			l, err := lambdaArg(a, 1, "Zip")
			if err != nil {
				return nil, err
			}
			out := make([]any, 0, min(len(items), len(o)))
			for i := 0; i < len(items) && i < len(o); i++ {
				v, err := l.Call(items[i], o[i])
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			return out, nil
		}),
		// Aggregate(func), Aggregate(seed, func) or Aggregate(seed, func, resultSelector).
		"Aggregate": linqMethod(tyObject, 1, 3, func(items, a []any) (any, error) {
			var acc any
			fi := 1
			if len(a) == 1 {
				if len(items) == 0 {
					return nil, fail("InvalidOperationException: Sequence contains no elements")
				}
				acc, items, fi = items[0], items[1:], 0
			} else {
				acc = a[0]
			}
			l, err := lambdaArg(a, fi, "Aggregate")
			if err != nil {
				return nil, err
			}
			for _, x := range items {
				if acc, err = l.Call(acc, x); err != nil {
					return nil, err
				}
			}
			if len(a) == 3 {
				r, err := lambdaArg(a, 2, "Aggregate")
				if err != nil {
					return nil, err
				}
				return r.Call(acc)
			}
			return acc, nil
		}),
		"ToDictionary": linqMethod(named("Dictionary"), 1, 2, func(items, a []any) (any, error) {
			k, err := lambdaArg(a, 0, "ToDictionary")
			if err != nil {
				return nil, err
			}
			var v expr.Lambda
			if len(a) == 2 {
				if v, err = lambdaArg(a, 1, "ToDictionary"); err != nil {
					return nil, err
				}
			}
			d := &dictVal{vals: map[string]any{}}
			for _, x := range items {
				key, err := k.Call(x)
				if err != nil {
					return nil, err
				}
				val := x
				if v != nil {
					if val, err = v.Call(x); err != nil {
						return nil, err
					}
				}
				if err := d.add(key, val); err != nil {
					return nil, err
				}
			}
			return d, nil
		}),
	}
}
