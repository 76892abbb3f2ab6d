package expr

import "strings"

// typ is a static type known at compile time. A typ named "object" is
// dynamic: its members are resolved when the expression runs.
type typ struct {
	name     string
	elem     *typ // element type of a sequence, when known
	nullable bool // int?, DateTime?: null converts to null
}

var (
	tyObject   = &typ{name: "object"}
	tyString   = &typ{name: "string"}
	tyBool     = &typ{name: "bool"}
	tyInt      = &typ{name: "int"}
	tyLong     = &typ{name: "long"}
	tyDouble   = &typ{name: "double"}
	tyChar     = &typ{name: "char"}
	tyByte     = &typ{name: "byte"}
	tyNull     = &typ{name: "null"}
	tyVoid     = &typ{name: "void"}
	tyDateTime = &typ{name: "DateTime"}
	tyTimeSpan = &typ{name: "TimeSpan"}
	tyStrings  = &typ{name: "string[]", elem: tyString}
	tyBytes    = &typ{name: "byte[]", elem: tyByte}
	tyArray    = &typ{name: "array", elem: tyObject}
	tyJToken   = &typ{name: "JToken"}
	tyJObject  = &typ{name: "JObject"}
	tyJArray   = &typ{name: "JArray"}
	tyLambda   = &typ{name: "lambda"}
)

func named(name string) *typ { return &typ{name: name} }

// dynamic reports whether members of t are resolved at run time.
func (t *typ) dynamic() bool {
	if t.nullable {
		return true
	}
	switch t.name {
	case "object", "JToken", "JValue", "null", "dynamic", "array":
		return true
	}
	return false
}

// typeAliases maps the names a policy may write to the canonical type name.
var typeAliases = map[string]string{
	"string": "string", "String": "string", "int": "int", "Int32": "int", "long": "long", "Int64": "long",
	"double": "double", "Double": "double", "float": "double", "Single": "double", "decimal": "double", "Decimal": "double",
	"bool": "bool", "Boolean": "bool", "char": "char", "Char": "char", "byte": "byte", "Byte": "byte",
	"object": "object", "Object": "object", "dynamic": "object", "uint": "long", "UInt32": "long", "short": "int", "Int16": "int",
	"ushort": "int", "sbyte": "int", "ulong": "long", "UInt64": "long",
	"DateTime": "DateTime", "DateTimeOffset": "DateTime", "TimeSpan": "TimeSpan", "Guid": "Guid", "Uri": "Uri",
	"JObject": "JObject", "JArray": "JArray", "JToken": "JToken", "JValue": "JValue", "JProperty": "JProperty",
	"XElement": "XElement", "XDocument": "XDocument", "XNamespace": "XNamespace", "XName": "XName", "XAttribute": "XAttribute",
	"IResponse": "IResponse", "IRequest": "IRequest", "IUrl": "IUrl", "IMessageBody": "IMessageBody",
	"Jwt": "Jwt", "BasicAuthCredentials": "BasicAuthCredentials", "Exception": "Exception",
	"IEnumerable": "array", "List": "List", "IList": "List", "ICollection": "array", "IReadOnlyList": "array",
	"IReadOnlyCollection": "array", "Array": "array", "Match": "Match", "Group": "Group",
	"Math": "Math", "Convert": "Convert", "Encoding": "Encoding", "WebUtility": "WebUtility", "HttpUtility": "WebUtility",
	"Regex": "Regex", "JsonConvert": "JsonConvert", "BitConverter": "BitConverter", "SHA256": "SHA256", "SHA1": "SHA1",
	"SHA512": "SHA512", "SHA384": "SHA384", "MD5": "MD5", "HMACSHA256": "HMACSHA256", "HMACSHA1": "HMACSHA1", "HMACSHA512": "HMACSHA512",
	"HMACMD5": "HMACMD5", "StringComparison": "StringComparison", "StringSplitOptions": "StringSplitOptions",
	"Formatting": "Formatting", "RegexOptions": "RegexOptions", "CultureInfo": "CultureInfo", "DateTimeStyles": "DateTimeStyles",
	"DateTimeKind": "DateTimeKind", "DayOfWeek": "DayOfWeek", "JTokenType": "JTokenType", "MidpointRounding": "MidpointRounding", "Enumerable": "Enumerable", "UriKind": "UriKind", "UriPartial": "UriPartial",
	"Int32?": "int", "StringBuilder": "StringBuilder", "Dictionary": "Dictionary", "IDictionary": "Dictionary", "StringComparer": "StringComparer",
	"IReadOnlyDictionary": "Dictionary", "KeyValuePair": "KeyValuePair", "Random": "Random",
}

// namespaces are prefixes a policy may write before a type name.
var namespaces = []string{
	"System.Security.Cryptography.", "System.Text.RegularExpressions.", "System.Collections.Generic.",
	"Newtonsoft.Json.Linq.", "Newtonsoft.Json.", "System.Xml.Linq.", "System.Globalization.", "System.Text.",
	"System.Linq.", "System.Net.", "System.Web.", "System.",
}

// canonType returns the canonical name of a type written as name, or "".
func canonType(name string) string {
	for _, ns := range namespaces {
		if strings.HasPrefix(name, ns) {
			name = name[len(ns):]
			break
		}
	}
	return typeAliases[name]
}

// resolveType turns a written type into a static type.
func resolveType(tr *typeRef) (*typ, bool) {
	name := canonType(tr.name)
	if name == "" {
		return nil, false
	}
	var t *typ
	switch name {
	case "array", "List":
		t = &typ{name: name, elem: tyObject}
		if len(tr.args) == 1 {
			if e, ok := resolveType(tr.args[0]); ok {
				t.elem = e
			}
		}
	default:
		t = builtinType(name)
	}
	for i := 0; i < tr.array; i++ {
		switch t.name {
		case "string":
			t = tyStrings
		case "byte":
			t = tyBytes
		default:
			t = &typ{name: "array", elem: t}
		}
	}
	if tr.nullable {
		n := *t
		n.nullable = true
		t = &n
	}
	return t, true
}

func builtinType(name string) *typ {
	for _, t := range []*typ{tyObject, tyString, tyBool, tyInt, tyLong, tyDouble, tyChar, tyByte, tyDateTime, tyTimeSpan, tyJToken, tyJObject, tyJArray} {
		if t.name == name {
			return t
		}
	}
	return named(name)
}
