package expr

// Type is a static type known at compile time. A Type named "object" is
// dynamic: its members are resolved when the expression runs. A Type is
// immutable.
type Type struct {
	name     string
	elem     *Type // element type of a sequence, when known
	nullable bool  // int?, DateTime?: null converts to null
	dyn      bool  // members resolved at run time (TypeOptions.Dynamic)
	includes func(v any) bool
	convert  func(v any) (any, bool, error)
	decode   func(body []byte) (any, error)
	anon     *anonProps // the properties of an anonymous type
}

// TypeOptions describe a type that a Library adds. The zero value is a
// plain type whose members are checked when an expression compiles.
type TypeOptions struct {
	// Elem is the element type of a sequence type; a type argument written
	// with the type replaces it (List<string>).
	Elem *Type
	// Dynamic types have their members resolved when the expression runs,
	// from the TypeName of the value (JToken).
	Dynamic bool
	// Includes reports whether v, whose TypeName is another one, is a value
	// of this type for is, as and casts (a JObject is a JToken).
	Includes func(v any) bool
	// Convert converts v, which is not of this type, for a cast or an
	// assignment; ok false: v does not convert and the cast fails.
	Convert func(v any) (result any, ok bool, err error)
	// Decode reads a value of this type from a message body, for
	// Body.As<T>(). Nil: the type cannot be read from a body.
	Decode func(body []byte) (any, error)
}

// NewType returns a type called name, as a Library's members declare
// their results and as AddType registers it.
func NewType(name string, opts TypeOptions) *Type {
	return &Type{name: name, elem: opts.Elem, dyn: opts.Dynamic, includes: opts.Includes, convert: opts.Convert, decode: opts.Decode}
}

// ArrayOf returns the type of a sequence of elem: an array, an
// IEnumerable<elem> or the result of a LINQ operator.
func ArrayOf(elem *Type) *Type { return &Type{name: "array", elem: elem} }

// Name returns the canonical name of t, under which a Library registers
// its members ("string", "JObject", "array" for every sequence).
func (t *Type) Name() string { return t.name }

// Elem returns the element type of a sequence type, or nil.
func (t *Type) Elem() *Type { return t.elem }

var (
	tyObject   = &Type{name: "object"}
	tyString   = &Type{name: "string"}
	tyBool     = &Type{name: "bool"}
	tyInt      = &Type{name: "int"}
	tyLong     = &Type{name: "long"}
	tyDouble   = &Type{name: "double"}
	tyChar     = &Type{name: "char"}
	tyByte     = &Type{name: "byte"}
	tyNull     = &Type{name: "null"}
	tyVoid     = &Type{name: "void"}
	tyDateTime = &Type{name: "DateTime"}
	tyTimeSpan = &Type{name: "TimeSpan"}
	tyStrings  = &Type{name: "string[]", elem: tyString}
	tyBytes    = &Type{name: "byte[]", elem: tyByte}
	tyArray    = &Type{name: "array", elem: tyObject}
	tyLambda   = &Type{name: "lambda"}
	tyList     = &Type{name: "List", elem: tyObject}
	tyGuid     = &Type{name: "Guid"}
)

// builtins are the language's own types that every Library shares.
var builtins = []*Type{tyObject, tyString, tyBool, tyInt, tyLong, tyDouble, tyChar, tyByte, tyVoid, tyDateTime, tyTimeSpan, tyGuid, tyStrings, tyBytes, tyArray}

// Builtin returns the language's own type called name: object, string,
// bool, int, long, double, char, byte, void, DateTime, TimeSpan, Guid,
// string[], byte[] or array (a sequence of object). It returns nil for
// any other name. Compare types from Builtin by identity.
func Builtin(name string) *Type {
	for _, t := range builtins {
		if t.name == name {
			return t
		}
	}
	return nil
}

func named(name string) *Type { return &Type{name: name} }

// dynamic reports whether members of t are resolved at run time.
func (t *Type) dynamic() bool {
	if t.nullable || t.dyn {
		return true
	}
	switch t.name {
	case "object", "null", "dynamic", "array":
		return true
	}
	return false
}

// coreAliases maps the names of the language's own types, as a policy
// may write them, to their canonical names.
var coreAliases = map[string]string{
	"string": "string", "String": "string", "int": "int", "Int32": "int", "long": "long", "Int64": "long",
	"double": "double", "Double": "double", "float": "double", "Single": "double", "decimal": "double", "Decimal": "double",
	"bool": "bool", "Boolean": "bool", "char": "char", "Char": "char", "byte": "byte", "Byte": "byte",
	"object": "object", "Object": "object", "dynamic": "object", "uint": "long", "UInt32": "long", "short": "int", "Int16": "int",
	"ushort": "int", "sbyte": "int", "ulong": "long", "UInt64": "long", "Int32?": "int",
	"DateTime": "DateTime", "DateTimeOffset": "DateTime", "TimeSpan": "TimeSpan", "Guid": "Guid",
	"IResponse": "IResponse", "IRequest": "IRequest", "IUrl": "IUrl", "IMessageBody": "IMessageBody", "Exception": "Exception",
	"IEnumerable": "array", "ICollection": "array", "IReadOnlyList": "array", "IReadOnlyCollection": "array", "Array": "array",
	"KeyValuePair": "KeyValuePair",
}

// resolveType turns a written type into a static type.
func (l *Library) resolveType(tr *typeRef) (*Type, bool) {
	name := l.canonType(tr.name)
	if name == "" {
		return nil, false
	}
	t := l.typeNamed(name)
	if t.elem != nil {
		// A sequence type (array, List) takes its element type from its
		// type argument.
		s := *t
		s.elem = tyObject
		if len(tr.args) == 1 {
			if e, ok := l.resolveType(tr.args[0]); ok {
				s.elem = e
			}
		}
		t = &s
	}
	for i := 0; i < tr.array; i++ {
		switch t.name {
		case "string":
			t = tyStrings
		case "byte":
			t = tyBytes
		default:
			t = &Type{name: "array", elem: t}
		}
	}
	if tr.nullable {
		n := *t
		n.nullable = true
		t = &n
	}
	return t, true
}

// typeNamed returns the type with canonical name name: a builtin or a
// registered type is shared; any other is new.
func (l *Library) typeNamed(name string) *Type {
	switch name {
	case "object", "string", "bool", "int", "long", "double", "char", "byte", "DateTime", "TimeSpan", "array":
		return Builtin(name)
	}
	if t, ok := l.types[name]; ok {
		return t
	}
	return named(name)
}
