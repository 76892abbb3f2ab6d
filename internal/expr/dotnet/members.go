package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// The member tables are built with these.

func prop(t *expr.Type, get func(any) (any, error)) *expr.Member {
	return &expr.Member{Result: t, Get: get}
}

// val is a property that cannot fail.
func val(t *expr.Type, get func(any) any) *expr.Member {
	return &expr.Member{Result: t, Get: func(r any) (any, error) { return get(r), nil }}
}

// constant is a pure static property.
func constant(t *expr.Type, v any) *expr.Member {
	return &expr.Member{Result: t, Get: func(any) (any, error) { return v, nil }, Pure: true}
}

func method(t *expr.Type, min, max int, call func(e *expr.Env, recv any, args []any) (any, error)) *expr.Member {
	return &expr.Member{Result: t, Min: min, Max: max, Call: func(e *expr.Env, r any, a []any, _ []*expr.Type) (any, error) { return call(e, r, a) }}
}

// fn is a method that needs neither the Env nor type arguments.
func fn(t *expr.Type, min, max int, f func(recv any, args []any) (any, error)) *expr.Member {
	return &expr.Member{Result: t, Min: min, Max: max, Call: func(_ *expr.Env, r any, a []any, _ []*expr.Type) (any, error) { return f(r, a) }}
}

// genericM is a method with a type argument; the result type is the type argument.
func genericM(need bool, min, max int, call expr.CallFunc) *expr.Member {
	g := expr.OptionalTypeArg
	if need {
		g = expr.RequiredTypeArg
	}
	return &expr.Member{Min: min, Max: max, Generic: g, Call: call, ResultOf: func(targs []*expr.Type, _ *expr.Type) *expr.Type {
		if len(targs) == 1 {
			return targs[0]
		}
		return tyObject
	}}
}

// merge adds the members of from that to lacks.
func merge(to, from expr.Members) expr.Members {
	for k, v := range from {
		if _, ok := to[k]; !ok {
			to[k] = v
		}
	}
	return to
}

// buildMembers returns the instance members of the library's types, and
// the members that it adds to the language's own types and to the
// collections of the context object (LINQ over headers).
func buildMembers() map[string]expr.Members {
	m := map[string]expr.Members{}
	addStringMembers(m)
	addTimeMembers(m)
	addJSONMembers(m)
	addMiscMembers(m)
	addXMLMembers(m)
	addXMLEditMembers(m)
	addCryptoMembers(m)
	m["Dictionary"] = dictTable()
	// Value and HasValue are the members of Nullable<T> (DateTime?, int? and the like).
	for _, t := range []*expr.Type{tyInt, tyLong, tyDouble, tyBool, tyChar, tyByte, tyDateTime, tyTimeSpan, named("Guid")} {
		name := t.Name()
		if m[name] == nil {
			m[name] = expr.Members{}
		}
		m[name]["Value"] = &expr.Member{Result: t, Get: func(r any) (any, error) { return r, nil }}
		m[name]["HasValue"] = val(tyBool, func(any) any { return true })
	}
	addSetMembers(m)
	m["object"] = objectMembers()
	for _, name := range []string{"array", "string[]", "byte[]", "JArray", "JObject", "IHeaders", "IQuery", "Dictionary", "IParameters", "IVariables", "GroupCollection", "CaptureCollection", "string", "List", "IClaims", "HashSet", "Queue", "Stack"} {
		if m[name] == nil {
			m[name] = expr.Members{}
		}
		merge(m[name], linqMembers())
		merge(m[name], linqCastMembers())
		merge(m[name], linqSetMembers())
	}
	addTokenFirstLast(m)
	for name := range hashTypes {
		m[name] = m["HashAlgorithm"]
	}
	return m
}

// buildStatics returns the static members of the library's types and
// static classes, and of the language's own types (int.Parse).
func buildStatics() map[string]expr.Members {
	s := map[string]expr.Members{}
	addStringStatics(s)
	addNumberStatics(s)
	addTimeStatics(s)
	addJSONStatics(s)
	addMiscStatics(s)
	addXMLStatics(s)
	addRegexStatics(s)
	addEnumerableStatics(s)
	addByteStatics(s)
	addEnumerableCalls(s)
	return s
}

// objectMembers are the members every value has.
func objectMembers() expr.Members {
	return expr.Members{
		"ToString": fn(tyString, 0, 2, func(r any, a []any) (any, error) {
			if len(a) > 0 {
				f, ok := a[0].(string)
				if !ok && a[0] != nil {
					if fm, ok := a[0].(expr.Enum); ok && fm.Type == "Formatting" {
						if t, ok := r.(JToken); ok {
							return jsonString(t, fm.Name == "Indented"), nil
						}
					}
					return expr.ToString(r), nil
				}
				return formatValue(r, f)
			}
			return expr.ToString(r), nil
		}),
		"Equals": fn(tyBool, 1, 2, func(r any, a []any) (any, error) {
			if s, ok := r.(string); ok {
				return stringEquals(s, a)
			}
			return expr.Equal(r, a[0]), nil
		}),
		"GetHashCode": fn(tyInt, 0, 0, func(r any, _ []any) (any, error) {
			h := 0
			for _, c := range expr.ToString(r) {
				h = h*31 + int(c)
			}
			return int(int32(h)), nil
		}),
		"CompareTo": fn(tyInt, 1, 1, func(r any, a []any) (any, error) { return expr.Compare(r, a[0]) }),
	}
}

// fail returns a run-time error of the expression with a formatted message.
func fail(format string, args ...any) error { return expr.Fail(format, args...) }

// errTooLong refuses a string or collection that would grow past
// expr.MaxString.
var errTooLong = expr.Fail("string too long")
