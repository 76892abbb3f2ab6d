package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// The language's own types, under short names.
var (
	tyObject   = expr.Builtin("object")
	tyString   = expr.Builtin("string")
	tyBool     = expr.Builtin("bool")
	tyInt      = expr.Builtin("int")
	tyLong     = expr.Builtin("long")
	tyDouble   = expr.Builtin("double")
	tyChar     = expr.Builtin("char")
	tyByte     = expr.Builtin("byte")
	tyVoid     = expr.Builtin("void")
	tyDateTime = expr.Builtin("DateTime")
	tyTimeSpan = expr.Builtin("TimeSpan")
	tyGuid     = expr.Builtin("Guid")
	tyStrings  = expr.Builtin("string[]")
	tyBytes    = expr.Builtin("byte[]")
	tyArray    = expr.Builtin("array")
)

// The types that NewLibrary registers, so that every use of their names
// is the same Type with the same rules.
var (
	tyJToken     = expr.NewType("JToken", expr.TypeOptions{Dynamic: true, Includes: isJToken, Convert: toJToken, Decode: decodeJSON("JToken")})
	tyJValue     = expr.NewType("JValue", expr.TypeOptions{Dynamic: true, Convert: toJToken})
	tyJObject    = expr.NewType("JObject", expr.TypeOptions{Decode: decodeJSON("JObject")})
	tyJArray     = expr.NewType("JArray", expr.TypeOptions{Decode: decodeJSON("JArray")})
	tyXElement   = expr.NewType("XElement", expr.TypeOptions{Includes: isXElement, Decode: decodeXML(false)})
	tyXDocument  = expr.NewType("XDocument", expr.TypeOptions{Decode: decodeXML(true)})
	tyXNamespace = expr.NewType("XNamespace", expr.TypeOptions{Convert: toXNamespace})
	tyXName      = expr.NewType("XName", expr.TypeOptions{Convert: toXName})
)

func named(name string) *expr.Type { return expr.NewType(name, expr.TypeOptions{}) }
