// Package expr evaluates APIM policy expressions: the subset of C# that
// policies write as @(...) (one expression) or @{...} (a block of
// statements ending in return), against the `context` object.
//
// # Data flow
//
// The policy compiler (internal/policy) finds expressions in policy
// documents and calls Compile once per expression when a Runtime is
// built; a compile error is an *Error whose Line and Col point into the
// expression, for the policy Diagnostic. Per request, a policy element
// calls Program.Eval with the Context the gateway filled, and converts the
// result with ToString (attribute and element values) or ToBool
// (conditions). Compile parses, resolves names and types, and turns the
// tree into Go closures; Eval parses nothing. A Program is immutable and
// safe for concurrent use; a Context belongs to one request.
//
// Evaluation never panics. It has a step budget of 100,000 steps per Eval
// (statements, loop iterations, lambda calls and method calls each take
// one; building strings takes one per 256 bytes) and no string or array
// may grow past 16 MiB. Run-time failures — a null reference, a bad cast,
// an exhausted budget, `throw new Exception("...")`, an exception a .NET
// method would throw — are *Error values positioned at the failing part.
//
// # Values
//
// Values are Go values; the C# types map to them as follows:
//
//	null                  nil
//	string, char          string, rune
//	bool                  bool
//	int, long             int (32-bit semantics: arithmetic wraps), int64
//	double, float, decimal float64
//	byte, byte[]          byte, []byte
//	DateTime              time.Time (UTC; a parsed time without an offset has Kind Unspecified)
//	TimeSpan              time.Duration
//	Guid                  Guid
//	string[]              []string; other arrays and LINQ results are []any; List<T> is internal
//	IResponse, IRequest   *Response, *Request (a send-request result in Variables casts with (IResponse))
//	JObject, JArray, ...  *JObject, *JArray, *JValue (JSON scalar), *JProperty; JToken is the interface
//	Jwt                   *Jwt
//	BasicAuthCredentials  *BasicAuthCredentials
//	Uri                   *Uri
//	XElement, XDocument   *XElement (a document is an *XElement whose Root is its element)
//	Exception             *Exception
//	XNamespace            XNamespace
//
// A Go int32 is a rune, so it is a C# char: store integers as int or
// int64. List<T>, Dictionary<K, V>, KeyValuePair, enum values (such as
// DayOfWeek) and regex matches are unexported types; they can be results
// and Variables values, and ToString formats them.
//
// Static types are checked at compile time where C# knows them: members of
// the context object, string, DateTime, JObject and the other types above.
// An unknown member, type, method or syntax is a compile error naming it,
// for example "1:17: member Foo of IRequest is not supported". Values whose
// type is only known at run time (Variables entries, object, JToken and
// lambda parameters over untyped sequences) are checked when the
// expression runs; their member names must still exist on some supported
// type, so typos are compile errors.
//
// # Supported syntax
//
// Literals: strings with escapes, verbatim @"..." strings, chars, int, long
// (L suffix or large), hex, double (d, f, m suffixes, exponents), true,
// false, null; interpolated strings $"..." and $@"..." with {x,align:format}
// holes. Operators: + - * / % (string concatenation with +), == != < > <=
// >=, && || with short-circuit, ! & | ^ ~ << >>, ?:, ??, ?. and ?[ ] (a null
// anywhere in a ?. chain makes the rest null), casts (T)x including nullable
// T?, is T, is T name, is null, is not null, as T, indexers, method calls
// with named arguments (passed in order), generic calls such as
// GetValueOrDefault<string>(...), As<JObject>(...), Value<int>(...),
// ToObject<T>(), lambdas x => ..., (a, b) => ... and block-bodied lambdas
// for LINQ and Regex.Replace evaluators, new T(...) with collection
// initializers, new[] {...}, new T[n], out arguments (out var x, out T x,
// out x).
//
// Blocks: var and typed declarations (several declarators), assignment and
// compound assignment (+= -= *= /= %= ??=), ++ and --, if/else, return,
// foreach, for, while, do-while, break, continue, switch with constant case
// labels and default (no fall-through, as in C#), throw new
// Exception(...), try/catch/finally (a catch of any exception type catches
// every run-time error except an exhausted budget), nested blocks.
//
// Not supported (each is a compile error): switch expressions and pattern
// case labels, goto, using, lock, local functions, lambdas stored in
// variables (Func<>), object initializers, anonymous types, typeof,
// default, nameof, checked, await, LINQ query syntax, rethrow (throw;),
// user-defined types, reflection, I/O and any .NET type not listed here.
// Named arguments are accepted and passed in the order written.
//
// # Context members
//
// context.Request (Method, Url, OriginalUrl, Headers, IpAddress, Body,
// MatchedParameters, Certificate as null), context.Response (StatusCode,
// StatusReason, Headers, Body), Url (Scheme, Host, Port, Path, Query,
// QueryString, ToString()), headers and query (GetValueOrDefault(name[,
// default]) joining several values with commas, indexer returning string[],
// ContainsKey, TryGetValue, Count, Keys, Values, LINQ over KeyValuePairs),
// MatchedParameters (GetValueOrDefault, indexer, ContainsKey, TryGetValue),
// Body.As<T>(preserveContent: bool) for string, byte[], JObject, JArray,
// JToken, XElement and XDocument — without preserveContent: true the body is
// consumed and left empty, as in APIM — and
// Body.AsFormUrlEncodedContent(preserveContent) (a query-like collection), context.Variables (indexer,
// ContainsKey, TryGetValue, GetValueOrDefault and GetValueOrDefault<T>(name[,
// default]), Count, Keys; read-only), Subscription (Id, Name, Key,
// PrimaryKey, SecondaryKey, CreatedDate, StartDate, EndDate), User (Id,
// Email, FirstName, LastName, Note, RegistrationDate, Groups), Group (Id,
// Name), Product (Id, Name, State, SubscriptionRequired, ApprovalRequired,
// Groups), Api (Id, Name, Path, Version, Revision, IsCurrentRevision, Protocols, ServiceUrl,
// SubscriptionKeyParameterNames), Operation (Id, Name, Method, UrlTemplate),
// Deployment (GatewayId, Region, ServiceName, ServiceId), RequestId (Guid),
// Timestamp, Elapsed (Now - Timestamp), LastError (Source, Reason, Message,
// Scope, Section, Path, PolicyId), Tracing, Trace(message) (calls
// Context.Trace("expression", message)).
//
// # .NET members
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
// IsPunctuation/ToUpper/ToLower. StringBuilder: Append, AppendLine, Length,
// ToString.
//
// Numbers: ToString() and ToString(format) with standard formats (C, D, E,
// F, G, N, P, R, X) and custom formats of 0, #, ',' and '.';
// int/long/double/byte.Parse and TryParse, MinValue, MaxValue;
// bool.Parse/TryParse; Math.Min, Max, Abs, Round (digits, MidpointRounding),
// Floor, Ceiling, Pow, Sqrt, Truncate, Log, Log10, Exp, Sign, PI, E;
// Convert.ToBase64String, FromBase64String, ToInt32, ToInt64, ToInt16,
// ToDouble, ToDecimal, ToBoolean, ToByte, ToChar, ToString (with base),
// ToDateTime; Encoding.UTF8/ASCII/Unicode.GetBytes/GetString;
// BitConverter.ToString, GetBytes.
//
// DateTime: UtcNow and Now (both UTC, from Context.Now), Today, MinValue,
// MaxValue, UnixEpoch, Parse, TryParse, ParseExact, Compare, DaysInMonth,
// IsLeapYear, FromUnixTimeSeconds/Milliseconds, SpecifyKind, new
// DateTime(y, m, d[, h, m, s]); members Year...Millisecond, DayOfWeek,
// DayOfYear, Date, TimeOfDay, Ticks, Kind, Add*, Add, Subtract,
// ToUniversalTime, ToLocalTime (UTC), ToUnixTimeSeconds/Milliseconds,
// To(Short|Long)(Date|Time)String, ToString(format) with the standard
// formats (o, s, u, R, d, D, t, T, g, G, f, F, M, Y) and custom formats in
// the invariant culture; default ToString() is "MM/dd/yyyy HH:mm:ss";
// subtraction gives a TimeSpan. DateTimeOffset is treated as DateTime.
// TimeSpan: FromMilliseconds...FromDays, FromTicks, Zero, Parse, new
// TimeSpan(h, m, s) and (d, h, m, s, ms); Total*, Days...Milliseconds,
// Ticks, Duration, Negate, Add, Subtract, ToString() and "c"/custom formats.
//
// Guid.NewGuid, Parse, TryParse, Empty, ToString("N"/"D"/"B"/"P"). Uri:
// EscapeDataString, UnescapeDataString, EscapeUriString,
// IsWellFormedUriString, TryCreate, new Uri(s) and new Uri(base, relative)
// with Host, Scheme, Port, AbsolutePath, Query, PathAndQuery, Fragment,
// AbsoluteUri, Authority, Segments, GetLeftPart. WebUtility (and
// HttpUtility).UrlEncode, UrlDecode, HtmlEncode, HtmlDecode.
//
// Regex: IsMatch, Match, Matches, Replace (with $1, ${name} and
// MatchEvaluator lambdas), Split, Escape, new Regex(pattern[, options]),
// RegexOptions IgnoreCase, Multiline, Singleline; Match.Success, Value,
// Index, Length, Groups[int or name]. Patterns run on RE2: named groups are
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
// ElementAtOrDefault. Evaluation is eager. List<T>: Add, AddRange,
// Remove, Insert, IndexOf, Clear, Count, indexer. Dictionary<K, V> (new,
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
// Remove, Add, ContainsKey, TryGetValue, Count, Type, HasValues, Children,
// DeepClone, SelectToken with names, ['quoted names'] and [index] (no
// wildcards or filters), JProperty Name, Value (assignable), Remove();
// JArray Add, Insert, RemoveAt, Remove, Clear, Values<T>(). ToString() is
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
// HasElements, Add, SetAttributeValue, ToString() (indented). Elements and
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
// and .HashData(bytes); new HMACSHA256/HMACSHA1/HMACSHA512/HMACMD5(key)
// .ComputeHash(bytes). new Random().Next/NextDouble.
//
// Every value has ToString(), ToString(format), Equals, GetHashCode and
// CompareTo. Type names may be written with their namespaces (System.Text.
// Encoding, Newtonsoft.Json.Linq.JObject, System.Security.Cryptography.SHA256).
package expr
