// Package dotnet is the .NET library that APIM policy expressions may
// call: the members of string, char, numbers, DateTime, TimeSpan and Guid;
// Math, Convert, Encoding, BitConverter and hashing; Newtonsoft's JObject,
// JArray, JValue, JProperty and JsonConvert; XElement and XDocument;
// Regex; LINQ, List and Dictionary; Jwt and BasicAuthCredentials; Uri,
// WebUtility; .NET format strings. NewLibrary returns it as an
// expr.Library, which the policy registry hands to expr.Compile.
//
// The language itself (syntax, operators, conversions, the context object)
// is package expr; this package only adds names to it, through the
// expr.Library tables and the value interfaces of package expr (Object,
// Scalar, Convertible, Enumerable, Adder). Every table is built by
// NewLibrary, never at package initialization.
//
// # Values
//
// The library's types map to Go values as follows:
//
//	JObject, JArray, ...  *JObject, *JArray, *JValue (JSON scalar), *JProperty; JToken is the interface
//	Jwt                   *Jwt
//	BasicAuthCredentials  *BasicAuthCredentials
//	Uri                   *Uri
//	XElement, XDocument   *XElement (a document is an *XElement whose Root is its element)
//	XNamespace            XNamespace
//
// Dictionary<K, V>, StringBuilder, Regex and its matches, Encoding, hash
// algorithms and Random are unexported types; they can be results and
// Variables values, and ToString formats them.
//
// # Members
//
// string: Length, indexer, Substring, IndexOf, LastIndexOf, Contains,
// StartsWith, EndsWith (with StringComparison), ToLower, ToUpper,
// ToLowerInvariant, ToUpperInvariant, Trim, TrimStart, TrimEnd (with chars),
// Split (chars, strings, arrays, StringSplitOptions, count), Replace,
// PadLeft, PadRight, Insert, Remove, ToCharArray, Equals, CompareTo,
// AsJwt, TryParseJwt, AsBasic, TryParseBasic, LINQ over chars; static
// IsNullOrEmpty, IsNullOrWhiteSpace, Format (with {0,align:format}), Join,
// Concat, Compare, CompareOrdinal, Equals, Empty. String indexes count
// Unicode code points (they differ from .NET only outside the BMP).
// char.IsDigit/IsLetter/IsLetterOrDigit/IsWhiteSpace/IsUpper/IsLower/
// IsPunctuation/ToUpper/ToLower. IndexOfAny, LastIndexOfAny. StringBuilder:
// Append, AppendLine, AppendFormat, Insert, Remove, Replace, Clear, Length,
// ToString.
//
// Numbers: ToString() and ToString(format) with standard formats (C, D, E,
// F, G, N, P, R, X) and custom formats of 0, #, ',' and '.';
// int/long/double/byte.Parse and TryParse, MinValue, MaxValue;
// bool.Parse/TryParse; Math.Min, Max, Abs, Round (digits, MidpointRounding),
// Floor, Ceiling, Pow, Sqrt, Truncate, Log, Log10, Exp, Sign, Clamp, DivRem,
// PI, E;
// Convert.ToBase64String, FromBase64String, ToInt32, ToInt64, ToInt16,
// ToDouble, ToDecimal, ToBoolean, ToByte, ToChar, ToString (with base),
// ToDateTime, ToHexString, FromHexString;
// Encoding.UTF8/ASCII/Unicode.GetBytes/GetString/GetByteCount;
// BitConverter.ToString, GetBytes, ToInt16, ToInt32, ToInt64,
// IsLittleEndian.
//
// DateTime: UtcNow and Now (both UTC, from Context.Now), Today, MinValue,
// MaxValue, UnixEpoch, Parse, TryParse, ParseExact, Compare, DaysInMonth,
// IsLeapYear, FromUnixTimeSeconds/Milliseconds, FromFileTimeUtc,
// SpecifyKind, IsDaylightSavingTime (false), new
// DateTime(y, m, d[, h, m, s]); members Year...Millisecond, DayOfWeek,
// DayOfYear, Date, TimeOfDay, Ticks, Kind, Add*, Add, Subtract,
// ToUniversalTime, ToLocalTime (UTC), ToUnixTimeSeconds/Milliseconds,
// To(Short|Long)(Date|Time)String, ToString(format) with the standard
// formats (o, s, u, R, d, D, t, T, g, G, f, F, M, Y) and custom formats in
// the invariant culture; default ToString() is "MM/dd/yyyy HH:mm:ss";
// subtraction gives a TimeSpan. DateTimeOffset is treated as DateTime.
// TimeSpan: FromMilliseconds...FromDays, FromTicks, Zero, Parse, TryParse,
// Compare, new
// TimeSpan(h, m, s) and (d, h, m, s, ms); Total*, Days...Milliseconds,
// Ticks, Duration, Negate, Add, Subtract, ToString() and "c"/custom formats.
//
// Guid.NewGuid, Parse, TryParse, Empty, ToString("N"/"D"/"B"/"P"). Uri:
// EscapeDataString, UnescapeDataString, EscapeUriString,
// IsWellFormedUriString, TryCreate, new Uri(s) and new Uri(base, relative)
// with Host, Scheme, Port, AbsolutePath, Query, PathAndQuery, Fragment,
// AbsoluteUri, Authority, Segments, GetLeftPart, LocalPath, IsDefaultPort,
// DnsSafeHost. WebUtility (and HttpUtility).UrlEncode, UrlDecode,
// HtmlEncode, HtmlDecode, UrlEncodeToBytes, UrlDecodeToBytes.
// IPAddress.Parse, TryParse, IsLoopback, Loopback, Any, with
// AddressFamily, GetAddressBytes, Equals, MapToIPv4, MapToIPv6.
//
// Regex: IsMatch, Match, Matches, Replace (with $1, ${name} and
// MatchEvaluator lambdas), Split, Escape, Unescape, new Regex(pattern[,
// options]), RegexOptions IgnoreCase, Multiline, Singleline; Match.Success,
// Value, Index, Length, Groups[int or name] (and Groups.Count), Result
// ($1, ${name}), NextMatch(), Match.Empty. Patterns run on RE2: named groups are
// translated; lookarounds, backreferences, atomic groups, conditionals,
// balancing groups, \G, IgnorePatternWhitespace and RightToLeft are
// refused — at compile time when the pattern is a literal.
//
// LINQ over arrays, lists, strings, JArray, JObject (its JProperty values),
// headers, query, Variables and Jwt claims (KeyValuePairs with Key and
// Value): Where, Select (with index), SelectMany, Any, All, First,
// FirstOrDefault, Last, LastOrDefault, Single, SingleOrDefault, Count,
// Contains, ToArray, ToList, OrderBy, OrderByDescending, Reverse, Skip,
// Take, Sum, Min, Max, Average, Distinct, Concat, ElementAt,
// ElementAtOrDefault, also as Enumerable's static methods
// (Enumerable.Any(xs, x => ...)). Evaluation is eager. List<T>: Add,
// AddRange, Remove, RemoveAt, Insert, IndexOf, Clear, Count, indexer,
// Exists, Find, FindAll, FindIndex, TrueForAll, Sort(). HashSet<T> (with
// StringComparer.*IgnoreCase): Add, Contains, Remove, Clear, Count,
// UnionWith; Queue<T>: Enqueue, Dequeue, Peek; Stack<T>: Push, Pop, Peek;
// both Count, Contains, Clear; LINQ over all three. Dictionary<K, V> (new,
// with { key, value } initializers and StringComparer.*IgnoreCase):
// indexer (assignable), Add, ContainsKey, ContainsValue, TryGetValue,
// GetValueOrDefault, Remove, Clear, Count, Keys, Values, LINQ.
// Enumerable.Range, Repeat, Empty<T>(); Array.IndexOf, Empty<T>().
//
// Newtonsoft JSON: JObject/JArray/JToken.Parse and FromObject, new
// JObject(...), new JArray(...), new JProperty(name, value), new JValue(v),
// JsonConvert.SerializeObject(x[, Formatting]) and DeserializeObject[<T>];
// indexers obj["a"]["b"] and arr[0] (assignable), Value<T>(key), Value<T>(),
// ToObject<T>() for scalars, string[] and List<T>, Property, Properties,
// Remove, Add, ContainsKey, TryGetValue, GetValue(name[, comparison]), First and Last (properties; First() and Last() are LINQ), Count, Type, HasValues, Children,
// DeepClone, SelectToken with names, ['quoted names'] and [index] (no
// wildcards or filters), JProperty Name, Value (assignable), Remove();
// JArray Add, Insert, RemoveAt, Remove, Clear, Values<T>(), IndexOf (of the
// token itself, not an equal one). JObject.Merge
// (objects merged, arrays concatenated, nulls ignored), JToken.DeepEquals,
// JValue.CreateNull, CreateString. ToString() is
// indented like Newtonsoft; ToString(Formatting.None) is compact. Explicit
// casts (string)token, (int)token, (bool)token... convert JSON scalars.
// Integers parse as long, other numbers as double; date-like strings stay
// strings. JSON is parsed strictly (RFC 8259): comments, single quotes and
// trailing commas, which Newtonsoft tolerates, are errors; a duplicate
// property keeps its first position and its last value.
//
// XML: XElement.Parse, XDocument.Parse (Root), new XElement(name,
// content...), new XAttribute(name, value); Name (local name), Value
// (assignable), Element, Elements, Descendants, Attribute, Attributes,
// HasElements, HasAttributes, IsEmpty, DescendantsAndSelf, Add, AddFirst,
// SetAttributeValue, SetElementValue, SetValue, RemoveAll,
// RemoveAttributes, RemoveNodes, ReplaceAll, ReplaceNodes,
// ReplaceAttributes, NodeType (XmlNodeType), ToString() (indented).
// XNamespace.Xml and Xmlns. Elements and
// attributes match by local name: XNamespace ns = "..." with ns + "name",
// XNamespace.Get, XName.Get(name, ns) and "{ns}name" are accepted and the
// namespace is not compared; ToString() writes no namespace declarations.
//
// JWT and Basic: AsJwt() and TryParseJwt(out var jwt) parse a compact JWS
// (an optional "Bearer " prefix is removed) without validating it: Id,
// Issuer, Subject, Audiences, ExpirationTime, NotBefore, IssuedAt (DateTime?,
// with .Value and .HasValue), Algorithm, Type, Claims (indexer string[],
// GetValueOrDefault(name[, default]) returning the first value,
// ContainsKey, TryGetValue, Keys). Encrypted tokens (JWE) give null.
// AsBasic() and TryParseBasic() decode "Basic base64(user:password)" into
// BasicAuthCredentials (UserId, Password).
//
// Hashing: SHA256, SHA1, SHA384, SHA512, MD5 .Create().ComputeHash(bytes)
// and .HashData(bytes); new HMACSHA256/HMACSHA1/HMACSHA384/HMACSHA512/HMACMD5(key)
// .ComputeHash(bytes); variables may be declared as any of those classes,
// HashAlgorithm, KeyedHashAlgorithm or HMAC. new Random().Next/NextDouble.
//
// Encryption: APIM's byte[] extensions Encrypt(alg, key, iv) and
// Decrypt(alg, key, iv) with alg "Aes" or "Rijndael" (also their Managed,
// CryptoServiceProvider and Cng classes): AES-128/192/256 in CBC mode with
// PKCS7 padding, .NET's defaults.
//
// Every value has ToString(), ToString(format), Equals, GetHashCode and
// CompareTo. Type names may be written with their namespaces (System.Text.
// Encoding, Newtonsoft.Json.Linq.JObject, System.Security.Cryptography.SHA256).
package dotnet
