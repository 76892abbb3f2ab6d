package expr

// member is a property, method or indexer ("[]", and "[]=" to assign)
// of a type, or a static member of a type.
type member struct {
	result   *typ                                                          // static result type; nil: object
	resultFn func(targs []*typ, recv *typ) *typ                            // result type from type arguments
	get      func(recv any) (any, error)                                   // a property
	call     func(e *env, recv any, args []any, targs []*typ) (any, error) // a method
	min, max int                                                           // argument counts of a method; max < 0: any
	generic  int                                                           // 0: no type argument; 1: optional; 2: required
	pure     bool                                                          // a static property whose value never changes
	lambda   bool                                                          // lambda parameters take the receiver's element type
	nullRecv bool                                                          // an extension method that accepts a null receiver (AsJwt)
	// bind, if set, specializes a static call at compile time given the
	// constant arguments (known[i] false: not constant). It returns nil to
	// use call, or an error that becomes a compile error.
	bind func(consts []any, known []bool) (func(e *env, recv any, args []any, targs []*typ) (any, error), error)
}

// memberTable holds the members of one type by name.
type memberTable map[string]*member

func prop(t *typ, get func(any) (any, error)) *member { return &member{result: t, get: get} }

// val is a property that cannot fail.
func val(t *typ, get func(any) any) *member {
	return &member{result: t, get: func(r any) (any, error) { return get(r), nil }}
}

// constant is a pure static property.
func constant(t *typ, v any) *member {
	return &member{result: t, get: func(any) (any, error) { return v, nil }, pure: true}
}

func method(t *typ, min, max int, call func(e *env, recv any, args []any) (any, error)) *member {
	return &member{result: t, min: min, max: max, call: func(e *env, r any, a []any, _ []*typ) (any, error) { return call(e, r, a) }}
}

// fn is a method that needs neither the env nor the receiver's identity.
func fn(t *typ, min, max int, f func(recv any, args []any) (any, error)) *member {
	return &member{result: t, min: min, max: max, call: func(_ *env, r any, a []any, _ []*typ) (any, error) { return f(r, a) }}
}

// genericM is a method with a type argument; the result type is the type argument.
func genericM(need bool, min, max int, call func(e *env, recv any, args []any, targs []*typ) (any, error)) *member {
	g := 1
	if need {
		g = 2
	}
	return &member{min: min, max: max, generic: g, call: call, resultFn: func(targs []*typ, _ *typ) *typ {
		if len(targs) == 1 {
			return targs[0]
		}
		return tyObject
	}}
}

// merge adds the members of from that to lacks.
func merge(to, from memberTable) memberTable {
	for k, v := range from {
		if _, ok := to[k]; !ok {
			to[k] = v
		}
	}
	return to
}

// members holds the instance members of each type by canonical name.
var members = buildMembers()

// statics holds the static members of each type by canonical name.
var statics = buildStatics()

// knownNames is every member name of every type, to reject unknown
// members of values typed only at run time while compiling.
var knownNames = collectNames()

func collectNames() map[string]bool {
	names := map[string]bool{}
	for _, t := range members {
		for k := range t {
			names[k] = true
		}
	}
	return names
}

func buildMembers() map[string]memberTable {
	m := map[string]memberTable{}
	addContextMembers(m)
	addStringMembers(m)
	addTimeMembers(m)
	addJSONMembers(m)
	addMiscMembers(m)
	addXMLMembers(m)
	// Value and HasValue are the members of Nullable<T> (DateTime?, int? and the like).
	for _, name := range []string{"int", "long", "double", "bool", "char", "byte", "DateTime", "TimeSpan", "Guid"} {
		if m[name] == nil {
			m[name] = memberTable{}
		}
		t := builtinType(name)
		m[name]["Value"] = &member{result: t, get: func(r any) (any, error) { return r, nil }}
		m[name]["HasValue"] = val(tyBool, func(any) any { return true })
	}
	m["object"] = objectMembers()
	for name, t := range m {
		if name != "object" {
			merge(t, m["object"])
		}
	}
	for _, name := range []string{"array", "string[]", "byte[]", "JArray", "JObject", "IHeaders", "IQuery", "Dictionary", "IParameters", "IVariables", "GroupCollection", "string", "List", "IClaims"} {
		if m[name] == nil {
			m[name] = memberTable{}
		}
		merge(m[name], linqMembers())
	}
	return m
}

func buildStatics() map[string]memberTable {
	s := map[string]memberTable{}
	addStringStatics(s)
	addNumberStatics(s)
	addTimeStatics(s)
	addJSONStatics(s)
	addMiscStatics(s)
	addXMLStatics(s)
	addRegexStatics(s)
	addEnumerableStatics(s)
	return s
}

// objectMembers are the members every value has.
func objectMembers() memberTable {
	return memberTable{
		"ToString": fn(tyString, 0, 2, func(r any, a []any) (any, error) {
			if len(a) > 0 {
				f, ok := a[0].(string)
				if !ok && a[0] != nil {
					if fm, ok := a[0].(enumVal); ok && fm.typ == "Formatting" {
						if t, ok := r.(JToken); ok {
							return jsonString(t, fm.name == "Indented"), nil
						}
					}
					return ToString(r), nil
				}
				return formatValue(r, f)
			}
			return ToString(r), nil
		}),
		"Equals": fn(tyBool, 1, 2, func(r any, a []any) (any, error) {
			if s, ok := r.(string); ok {
				return stringEquals(s, a)
			}
			return valuesEqual(r, a[0]), nil
		}),
		"GetHashCode": fn(tyInt, 0, 0, func(r any, _ []any) (any, error) {
			h := 0
			for _, c := range ToString(r) {
				h = h*31 + int(c)
			}
			return int(int32(h)), nil
		}),
		"CompareTo": fn(tyInt, 1, 1, func(r any, a []any) (any, error) { return compareValues(r, a[0]) }),
	}
}
