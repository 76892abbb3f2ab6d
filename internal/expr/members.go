package expr

// Member is a property, method or indexer of a type, or a static member of
// a type or static class, as a Library holds it. A Member is immutable
// once added, and its functions are safe for concurrent use.
type Member struct {
	// Result is the static type of the value; nil: object (checked when
	// the expression runs).
	Result *Type
	// ResultOf, if set, computes the static type instead, from the type
	// arguments of the call and the static type of the receiver.
	ResultOf func(targs []*Type, recv *Type) *Type
	// Get reads a property. A static property's Get receives the *Context
	// of the evaluation as recv (for its clock).
	Get func(recv any) (any, error)
	// Call calls a method or indexer with its arguments; recv is nil for a
	// static method. A method must not change args.
	Call CallFunc
	// Min and Max bound the number of arguments of a method; Max < 0: any.
	Min, Max int
	// Generic says whether the method takes a type argument.
	Generic TypeArg
	// Pure marks a static property whose value never changes: it is read
	// once, when the expression compiles.
	Pure bool
	// NullReceiver marks an extension method that accepts a null receiver
	// (AsJwt on a missing header).
	NullReceiver bool
	// Bind, if set, specializes a static call when the expression compiles,
	// given its constant arguments (known[i] false: argument i is not a
	// constant). It returns nil to use Call, or an error that becomes a
	// compile error (a bad regular expression literal).
	Bind func(consts []any, known []bool) (CallFunc, error)
}

// CallFunc calls a method: e is the evaluation, recv the receiver (nil for
// a static method), targs the type arguments of a generic call.
type CallFunc func(e *Env, recv any, args []any, targs []*Type) (any, error)

// TypeArg says whether a method takes a type argument, as in As<JObject>().
type TypeArg int

const (
	// NoTypeArg methods refuse a type argument.
	NoTypeArg TypeArg = iota
	// OptionalTypeArg methods may be called with one type argument or none.
	OptionalTypeArg
	// RequiredTypeArg methods must be called with one type argument.
	RequiredTypeArg
)

// Members holds the members of one type by name.
type Members map[string]*Member

// Constructor makes values of a type with new T(args) { initializer }.
type Constructor struct {
	// Min and Max bound the number of arguments, initializer entries
	// included unless Entries is set; Max < 0: any.
	Min, Max int
	// Result is the static type of the new value; nil: the type as written.
	Result *Type
	// Make makes the value from the arguments (and initializer entries).
	Make func(args []any) (any, error)
	// Entries, if set, makes the initializer a list of { key, value }
	// entries, added in order to the value that Make returned (a
	// Dictionary).
	Entries func(v, key, value any) error
	// OrElements says that with Entries set the initializer may instead
	// list elements, passed to Make after the arguments: C# calls Add with
	// each, and JObject has Add(content) as well as Add(name, value).
	OrElements bool
}

// The context object's tables are built with these.

func prop(t *Type, get func(any) (any, error)) *Member { return &Member{Result: t, Get: get} }

// val is a property that cannot fail.
func val(t *Type, get func(any) any) *Member {
	return &Member{Result: t, Get: func(r any) (any, error) { return get(r), nil }}
}

// fn is a method that needs neither the Env nor type arguments.
func fn(t *Type, min, max int, f func(recv any, args []any) (any, error)) *Member {
	return &Member{Result: t, Min: min, Max: max, Call: func(_ *Env, r any, a []any, _ []*Type) (any, error) { return f(r, a) }}
}

// genericM is a method with a type argument; the result type is the type argument.
func genericM(need bool, min, max int, call CallFunc) *Member {
	g := OptionalTypeArg
	if need {
		g = RequiredTypeArg
	}
	return &Member{Min: min, Max: max, Generic: g, Call: call, ResultOf: func(targs []*Type, _ *Type) *Type {
		if len(targs) == 1 {
			return targs[0]
		}
		return tyObject
	}}
}
