package expr

import "strings"

// Library is what expressions may call besides the language itself: the
// types that can be written, the members of each type, the static members
// of types and static classes, and constructors. NewLibrary returns one
// that knows the language's own types and the context object; package
// dotnet adds the .NET library to it. The composition root builds a
// Library once and hands it to Compile.
//
// Add everything before the first Compile: from then on a Library is
// read-only and safe for concurrent use, and the Programs compiled with it
// keep using it.
type Library struct {
	types      map[string]*Type   // registered types by canonical name
	aliases    map[string]string  // a type name as written → its canonical name
	namespaces []string           // prefixes that may precede a type name
	members    map[string]Members // instance members by type name
	statics    map[string]Members // static members by type name
	ctors      map[string]*Constructor
	known      map[string]bool // every instance member name
	opts       LibraryOptions
}

// LibraryOptions are the rules of a Library that are not tables. Each nil
// function leaves the language's own rules alone.
type LibraryOptions struct {
	// Format formats v with a .NET format string, for a hole {x:format} of
	// an interpolated string. Nil: a hole with a format does not compile.
	Format func(v any, format string) (string, error)
	// Implicit reports whether a value of static type from may be stored
	// in a variable of type to without a cast, where the language's own
	// conversions do not allow it (a string into a JToken).
	Implicit func(from, to *Type) bool
	// Explicit reports whether the cast (to)x compiles for x of static
	// type from, where the language's own conversions do not allow it.
	Explicit func(from, to *Type) bool
}

// NewLibrary returns a Library with the language's own types (string,
// int, DateTime, arrays, List<T>, KeyValuePair, Exception...) and the
// members of the context object.
func NewLibrary(opts LibraryOptions) *Library {
	l := &Library{
		types:   map[string]*Type{},
		aliases: map[string]string{},
		members: map[string]Members{},
		statics: map[string]Members{},
		ctors:   map[string]*Constructor{},
		known:   map[string]bool{},
		opts:    opts,
	}
	for alias, name := range coreAliases {
		l.aliases[alias] = name
	}
	l.AddType(tyList)
	l.AddAlias("IList", "List")
	addContextMembers(l)
	addCoreConstructors(l)
	return l
}

// AddType registers t under its name, which expressions may then write
// (in casts, declarations, new, type arguments). Every use of the name
// resolves to t itself.
func (l *Library) AddType(t *Type) {
	l.types[t.name] = t
	l.aliases[t.name] = t.name
}

// AddAlias lets expressions write alias for the type, or static class,
// called name ("HttpUtility" for "WebUtility", "IDictionary" for
// "Dictionary"). A name that is its own alias is simply writable.
func (l *Library) AddAlias(alias, name string) { l.aliases[alias] = name }

// AddNamespace lets expressions write prefix, such as "System.Text.",
// before a type name. When several prefixes match, the longest is removed.
func (l *Library) AddNamespace(prefix string) { l.namespaces = append(l.namespaces, prefix) }

// AddMembers adds the instance members ms to the type called typeName
// ("object" for the members of every value), keeping any member the type
// already has under the same name. "[]" is the indexer, "[]=" assigns
// through it, and "Value=" assigns the Value property.
func (l *Library) AddMembers(typeName string, ms Members) {
	t := l.members[typeName]
	if t == nil {
		t = Members{}
		l.members[typeName] = t
	}
	for name, m := range ms {
		if _, ok := t[name]; !ok {
			t[name] = m
		}
		l.known[name] = true
	}
}

// AddStatics adds the static members ms to the type or static class
// called typeName, keeping those it already has. A static property's Get
// receives the *Context of the evaluation.
func (l *Library) AddStatics(typeName string, ms Members) {
	t := l.statics[typeName]
	if t == nil {
		t = Members{}
		l.statics[typeName] = t
	}
	for name, m := range ms {
		if _, ok := t[name]; !ok {
			t[name] = m
		}
	}
}

// AddConstructor lets expressions write new T(...) for the type called
// typeName.
func (l *Library) AddConstructor(typeName string, c *Constructor) { l.ctors[typeName] = c }

// Members returns the instance members of the type called typeName,
// without the members of object, or nil. The caller must not change them.
func (l *Library) Members(typeName string) Members { return l.members[typeName] }

// Statics returns the static members of the type called typeName, or nil.
// The caller must not change them.
func (l *Library) Statics(typeName string) Members { return l.statics[typeName] }

// Constructor returns how new T(...) makes a value of the type called
// typeName, or nil.
func (l *Library) Constructor(typeName string) *Constructor { return l.ctors[typeName] }

// TypeNames returns the names of the types that have instance members,
// static members or a constructor, in no particular order.
func (l *Library) TypeNames() []string {
	seen := map[string]bool{}
	var names []string
	for _, tables := range []map[string]Members{l.members, l.statics} {
		for n := range tables {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	for n := range l.ctors {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return names
}

// member returns the instance member name of the type called typeName,
// or the member of every value with that name, or nil.
func (l *Library) member(typeName, name string) *Member {
	if m := l.members[typeName][name]; m != nil {
		return m
	}
	return l.members["object"][name]
}

// canonType returns the canonical name of a type written as name, or "".
func (l *Library) canonType(name string) string {
	best := ""
	for _, ns := range l.namespaces {
		if len(ns) > len(best) && strings.HasPrefix(name, ns) {
			best = ns
		}
	}
	return l.aliases[name[len(best):]]
}

// isNamespace reports whether name is the first part of a namespace
// ("System" of "System.Text."), which a dotted type name may start with.
func (l *Library) isNamespace(name string) bool {
	for _, ns := range l.namespaces {
		if strings.HasPrefix(ns, name+".") {
			return true
		}
	}
	return false
}
