package dotnet

import (
	"sort"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// addListMethods adds the List<T> methods beyond adding and removing
// elements: RemoveAt, Exists, Find, FindAll, FindIndex, TrueForAll and
// Sort. The predicates are lambdas, as in .NET; Sort orders the elements
// with the default comparison of their type and is stable.
func addListMethods(m map[string]expr.Members) {
	items := func(r any) []any { return r.(*expr.List).Items }
	lm := m["List"]
	lm["RemoveAt"] = fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
		l := r.(*expr.List)
		i, err := intArg(a[0], "index")
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(l.Items) {
			return nil, fail("index %d was out of range; it must be non-negative and less than the size of the List", i)
		}
		l.Items = append(l.Items[:i], l.Items[i+1:]...)
		return nil, nil
	})
	find := func(name string, t *expr.Type, result func(xs []any, i int) any) *expr.Member {
		return &expr.Member{Result: t, Min: 1, Max: 1, Call: func(_ *expr.Env, r any, a []any, _ []*expr.Type) (any, error) {
			l, err := lambdaArg(a, 0, name)
			if err != nil {
				return nil, err
			}
			xs := items(r)
			for i, x := range xs {
				ok, err := predicate(l, x, i)
				if err != nil {
					return nil, err
				}
				if ok {
					return result(xs, i), nil
				}
			}
			return result(xs, -1), nil
		}}
	}
	lm["Exists"] = find("List.Exists", tyBool, func(_ []any, i int) any { return i >= 0 })
	lm["FindIndex"] = find("List.FindIndex", tyInt, func(_ []any, i int) any { return i })
	lm["Find"] = find("List.Find", tyObject, func(xs []any, i int) any {
		if i < 0 {
			return nil
		}
		return xs[i]
	})
	lm["FindAll"] = &expr.Member{Result: named("List"), Min: 1, Max: 1, Call: func(_ *expr.Env, r any, a []any, _ []*expr.Type) (any, error) {
		l, err := lambdaArg(a, 0, "List.FindAll")
		if err != nil {
			return nil, err
		}
		out := &expr.List{}
		for i, x := range items(r) {
			ok, err := predicate(l, x, i)
			if err != nil {
				return nil, err
			}
			if ok {
				out.Items = append(out.Items, x)
			}
		}
		return out, nil
	}}
	lm["TrueForAll"] = &expr.Member{Result: tyBool, Min: 1, Max: 1, Call: func(_ *expr.Env, r any, a []any, _ []*expr.Type) (any, error) {
		l, err := lambdaArg(a, 0, "List.TrueForAll")
		if err != nil {
			return nil, err
		}
		for i, x := range items(r) {
			if ok, err := predicate(l, x, i); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}}
	lm["Sort"] = fn(tyVoid, 0, 0, func(r any, _ []any) (any, error) {
		xs := items(r)
		var cmpErr error
		sort.SliceStable(xs, func(i, j int) bool {
			c, err := expr.Compare(xs[i], xs[j])
			if err != nil && cmpErr == nil {
				cmpErr = err
			}
			return c < 0
		})
		if cmpErr != nil {
			return nil, fail("List.Sort: %v", cmpErr)
		}
		return nil, nil
	})
}
