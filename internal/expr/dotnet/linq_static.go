package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// addEnumerableCalls lets the LINQ operators be called as the static
// methods of Enumerable that they are in .NET: Enumerable.Any(xs, x => ...)
// is xs.Any(x => ...). The result's static type is the operator's when it
// does not depend on the source, object otherwise (checked at run time).
func addEnumerableCalls(s map[string]expr.Members) {
	en := s["Enumerable"]
	ops := linqMembers()
	merge(ops, linqSetMembers())
	for name, mem := range ops {
		if en[name] != nil || mem.Call == nil {
			continue
		}
		call := mem.Call
		max := mem.Max
		if max >= 0 {
			max++
		}
		en[name] = &expr.Member{Result: mem.Result, Min: mem.Min + 1, Max: max, Generic: mem.Generic,
			Call: func(e *expr.Env, _ any, a []any, targs []*expr.Type) (any, error) {
				if a[0] == nil {
					return nil, fail("Enumerable.%s: source cannot be null", name)
				}
				return call(e, a[0], a[1:], targs)
			}}
	}
}
