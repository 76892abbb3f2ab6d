package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// linqCastMembers are Cast<T>() and OfType<T>(), which turn the untyped
// sequences of .NET's older collections (MatchCollection,
// GroupCollection, CaptureCollection) into typed ones for LINQ: Cast
// converts each element and fails on the first that is not a T;
// OfType keeps the elements that are T.
func linqCastMembers() expr.Members {
	seqOf := func(targs []*expr.Type, _ *expr.Type) *expr.Type { return expr.ArrayOf(targs[0]) }
	cast := func(skip bool) expr.CallFunc {
		return func(_ *expr.Env, r any, _ []any, targs []*expr.Type) (any, error) {
			items, err := expr.Enumerate(r)
			if err != nil {
				return nil, err
			}
			out := make([]any, 0, len(items))
			for _, x := range items {
				if skip && x == nil {
					continue
				}
				v, err := expr.Cast(targs[0], x, true)
				if err != nil {
					if skip {
						continue
					}
					return nil, err
				}
				out = append(out, v)
			}
			return out, nil
		}
	}
	return expr.Members{
		"Cast":   {ResultOf: seqOf, Generic: expr.RequiredTypeArg, Call: cast(false)},
		"OfType": {ResultOf: seqOf, Generic: expr.RequiredTypeArg, Call: cast(true)},
	}
}
