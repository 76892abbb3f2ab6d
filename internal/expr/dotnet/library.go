package dotnet

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// NewLibrary returns the .NET library that APIM policy expressions may
// use, on top of the language's own types and the context object: the
// members of string, numbers, DateTime and TimeSpan; Newtonsoft's JSON
// types; XElement and XDocument; Regex; LINQ; List and Dictionary; Jwt and
// BasicAuthCredentials; Uri and WebUtility; Convert, Encoding, Math,
// hashing; formatting with .NET format strings. Each call builds a new
// Library; build it once, where the policy registry is composed.
func NewLibrary() *expr.Library {
	l := expr.NewLibrary(expr.LibraryOptions{Format: formatValue, Implicit: implicit, Explicit: explicit})
	for _, t := range []*expr.Type{tyJToken, tyJObject, tyJArray, tyJValue, tyXElement, tyXDocument, tyXNamespace, tyXName} {
		l.AddType(t)
	}
	for alias, name := range aliases {
		l.AddAlias(alias, name)
	}
	for _, ns := range namespaces {
		l.AddNamespace(ns)
	}
	members, statics := buildMembers(), buildStatics()
	addSearchAndParseMembers(members, statics)
	addJSONMergeMembers(members, statics)
	addCommonExtras(members, statics)
	addXMLNodeTypes(members, statics)
	addIPAddress(members, statics)
	addRSA(members, statics)
	addTimeZone(members, statics)
	addX509(members, statics)
	addEnum(statics)
	ctors := constructors()
	addCryptoExtras(members, statics, ctors)
	for name, t := range members {
		l.AddMembers(name, t)
	}
	for name, t := range statics {
		l.AddStatics(name, t)
	}
	for name, c := range ctors {
		l.AddConstructor(name, c)
	}
	return l
}

// aliases maps the names of the library's types and static classes, as a
// policy may write them, to their canonical names.
var aliases = map[string]string{
	"Uri": "Uri", "JProperty": "JProperty", "XName": "XName", "XAttribute": "XAttribute",
	"Jwt": "Jwt", "BasicAuthCredentials": "BasicAuthCredentials", "Match": "Match", "Group": "Group", "GroupCollection": "GroupCollection", "Capture": "Capture", "CaptureCollection": "CaptureCollection",
	"Math": "Math", "Convert": "Convert", "Encoding": "Encoding", "WebUtility": "WebUtility", "HttpUtility": "WebUtility",
	"Regex": "Regex", "JsonConvert": "JsonConvert", "BitConverter": "BitConverter", "SHA256": "SHA256", "SHA1": "SHA1",
	"SHA512": "SHA512", "SHA384": "SHA384", "MD5": "MD5", "HMACSHA256": "HMACSHA256", "HMACSHA1": "HMACSHA1", "HMACSHA512": "HMACSHA512", "HMACSHA384": "HMACSHA384",
	"HMACMD5": "HMACMD5", "StringComparison": "StringComparison", "StringSplitOptions": "StringSplitOptions",
	"Formatting": "Formatting", "RegexOptions": "RegexOptions", "CultureInfo": "CultureInfo", "DateTimeStyles": "DateTimeStyles",
	"DateTimeKind": "DateTimeKind", "DayOfWeek": "DayOfWeek", "JTokenType": "JTokenType", "MidpointRounding": "MidpointRounding",
	"Enumerable": "Enumerable", "UriKind": "UriKind", "UriPartial": "UriPartial", "StringBuilder": "StringBuilder",
	"Dictionary": "Dictionary", "IDictionary": "Dictionary", "IReadOnlyDictionary": "Dictionary", "StringComparer": "StringComparer",
	"XmlNodeType": "XmlNodeType", "IPAddress": "IPAddress", "AddressFamily": "AddressFamily", "HashSet": "HashSet", "ISet": "HashSet", "Queue": "Queue", "Stack": "Stack",
	"Random": "Random", "HashAlgorithm": "HashAlgorithm",
	"RSA": "RSA", "AsymmetricAlgorithm": "RSA", "TimeZoneInfo": "TimeZoneInfo", "Enum": "Enum", "RNGCryptoServiceProvider": "RNGCryptoServiceProvider", "RSACertificateExtensions": "RSACertificateExtensions", "JContainer": "JToken",
	"SHA1Managed": "SHA1Managed", "SHA256Managed": "SHA256Managed", "SHA384Managed": "SHA384Managed", "SHA512Managed": "SHA512Managed", "X509Certificate2": "X509Certificate2", "X509Certificate": "X509Certificate2", "X500DistinguishedName": "X500DistinguishedName", "X509NameType": "X509NameType", "HashAlgorithmName": "HashAlgorithmName", "RSASignaturePadding": "RSASignaturePadding", "RSAEncryptionPadding": "RSAEncryptionPadding", "KeyedHashAlgorithm": "HashAlgorithm", "HMAC": "HashAlgorithm",
}

// hashTypes are the hash algorithm classes a variable may be declared
// as (SHA256 h = SHA256.Create(); HMACSHA256 m = new HMACSHA256(key)):
// each holds a HashAlgorithm and has its members.
var hashTypes = map[string]bool{
	"SHA256": true, "SHA1": true, "SHA384": true, "SHA512": true, "MD5": true,
	"HMACSHA256": true, "HMACSHA1": true, "HMACSHA512": true, "HMACMD5": true, "HMACSHA384": true,
}

// namespaces are the prefixes a policy may write before a type name.
var namespaces = []string{
	"System.Security.Cryptography.X509Certificates.", "System.Security.Cryptography.", "System.Text.RegularExpressions.", "System.Collections.Generic.",
	"Newtonsoft.Json.Linq.", "Newtonsoft.Json.", "System.Xml.Linq.", "System.Xml.", "System.Globalization.", "System.Text.",
	"System.Linq.", "System.Net.", "System.Web.", "System.",
}

// implicit allows assignments without a cast that .NET's implicit
// operators allow: a string to an XNamespace or an XName; a string, number, bool or
// token to a JToken.
func implicit(from, to *expr.Type) bool {
	switch {
	case hashTypes[to.Name()]:
		return from.Name() == "HashAlgorithm"
	case to.Name() == "XNamespace" || to.Name() == "XName":
		return from == tyString
	case to == tyJToken:
		return isJSONType(from.Name()) || from == tyString || isNumType(from) || from == tyBool
	}
	return false
}

// enumTypes are the library's enums, whose values cast to int and long.
var enumTypes = map[string]bool{
	"AddressFamily": true, "DateTimeKind": true, "DateTimeStyles": true, "DayOfWeek": true, "Formatting": true,
	"JTokenType": true, "MidpointRounding": true, "RegexOptions": true, "StringComparison": true,
	"StringSplitOptions": true, "UriKind": true, "UriPartial": true, "XmlNodeType": true, "X509NameType": true,
}

// explicit allows (int) and (long) casts of an enum, and the casts of
// Newtonsoft's explicit operators: between
// JSON token types, and from a token to a string, number, bool, DateTime,
// Guid or TimeSpan. Types are told apart by the J their names start with.
func explicit(from, to *expr.Type) bool {
	if enumTypes[from.Name()] {
		return to == tyInt || to == tyLong
	}
	if !strings.HasPrefix(from.Name(), "J") {
		return false
	}
	return strings.HasPrefix(to.Name(), "J") || to == tyString || isNumType(to) || to == tyBool || to == tyDateTime ||
		to.Name() == "Guid" || to == tyTimeSpan
}

func isNumType(t *expr.Type) bool {
	switch t {
	case tyInt, tyLong, tyDouble, tyChar, tyByte:
		return true
	}
	return false
}

func isJSONType(name string) bool {
	switch name {
	case "JToken", "JValue", "JObject", "JArray", "JProperty":
		return true
	}
	return false
}
