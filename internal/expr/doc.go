// Package expr evaluates APIM policy expressions: the subset of C# that
// policies write as @(...) (one expression) or @{...} (a block of
// statements ending in return), against the `context` object. It holds
// the language: lexer, parser, type checker, the compiler to closures, the
// evaluator, the values and conversions of the language's own types, and
// the context object. The .NET library that expressions call (string and
// DateTime members, JSON, XML, Regex, LINQ, Convert...) is package dotnet,
// which builds on this one.
//
// # Data flow
//
// The policy compiler (internal/policy) finds expressions in policy
// documents and calls Compile once per expression when a Runtime is
// built, with the Library its registry holds; a compile error is an *Error whose Line and Col point into the
// expression, for the policy Diagnostic. Per request, a policy element
// calls Program.Eval with the Context the gateway filled, and converts the
// result with ToString (attribute and element values) or ToBool
// (conditions). Compile parses, resolves names and types, and turns the
// tree into Go closures; Eval parses nothing. A Program is immutable and
// safe for concurrent use; a Context belongs to one request.
//
// # Library
//
// A Library is the seam between the language and what it can call: the
// types that may be written (with their aliases and namespaces), the
// instance and static members of each type, constructors, and a few rules
// (.NET format strings, the implicit and explicit conversions of library
// types). NewLibrary knows the language's own types and the context
// object; dotnet.NewLibrary adds the .NET library. The compiler looks
// every name up in the Library it is given, never in a package variable.
//
// Values of library types implement Object (their type name, for members
// found at run time, and ToString()), and may implement Scalar (a JSON
// scalar takes part in operators as its plain value), Convertible (their
// own casts), Enumerable (foreach and LINQ) and Adder (their own +). A
// type registered with TypeOptions may convert other values to itself,
// include values of other type names (a JObject is a JToken), have its
// members found at run time, or be read from a message body (Body.As<T>).
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
//	string[]              []string; other arrays and LINQ results are []any
//	List<T>               *List
//	KeyValuePair          KeyValuePair
//	enum values           Enum (DayOfWeek.Monday, StringComparison.Ordinal)
//	IResponse, IRequest   *Response, *Request (a send-request result in Variables casts with (IResponse))
//	Exception             *Exception
//	library types         Object values (package dotnet: *JObject, *XElement, *Jwt...)
//
// A Go int32 is a rune, so it is a C# char: store integers as int or
// int64. Values of library types can be results and Variables values, and
// ToString formats them.
//
// Static types are checked at compile time where C# knows them: members of
// the context object, string, DateTime and the library's types.
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
// T?, is with a pattern (is T, is T name, is null, is not null, is "GET",
// is not 0, is >= 5, is "GET" or "HEAD", is > 0 and < 10), switch
// expressions (x switch { "GET" => 1, int n when n > 3 => 2, var v => 3,
// null => 4, _ => 5 }; no arm matching is a run-time error), as T,
// indexers, method calls
// with named arguments (passed in order), generic calls such as
// GetValueOrDefault<string>(...), As<JObject>(...), Value<int>(...),
// ToObject<T>(), lambdas x => ..., (a, b) => ... and block-bodied lambdas
// for LINQ and Regex.Replace evaluators, new T(...) with collection
// initializers ({ a, b }, and for a Dictionary { {k, v} } and { [k] = v }),
// object initializers setting the library's settable properties (new
// XElement("a") { Value = "x" }), new[] {...}, new T[n], anonymous types new { a = 1, x.Name } (read-only
// members, ToString as C#, JSON through JObject.FromObject and
// JsonConvert.SerializeObject), out arguments (out var x, out T x, out x).
//
// Blocks: var, typed and const declarations (several declarators), local
// functions (int Sq(int n) => n * n; or with a block body; recursion
// allowed; void ones are called as statements and may return; early),
// assignment and
// compound assignment (+= -= *= /= %= ??=), ++ and --, if/else, return,
// foreach, for, while, do-while, break, continue, switch with constant case
// labels and default (no fall-through, as in C#), throw new
// Exception(...), try/catch/finally (a catch of any exception type catches
// every run-time error except an exhausted budget), using (T x = e) and
// using (e) (the library's disposables hold nothing to release: the
// statement scopes x to its body), nested blocks.
//
// Not supported (each is a compile error): pattern case labels in switch
// statements, goto, using declarations (C# 8), lock, lambdas stored in
// variables (Func<>), typeof, default, nameof, checked, await, LINQ query
// syntax, rethrow (throw;), user-defined types, reflection, I/O and any
// .NET type not listed here.
// Named arguments are accepted and passed in the order written.
//
// # The .NET types APIM allows
//
// dotnet/testdata/allowed-types.txt lists the .NET types and members that
// APIM documents as allowed in policy expressions (the table of
// learn.microsoft.com's "API Management policy expressions"; for the types
// it allows whole, the members policies use), 130 types and 865 entries.
// TestAllowedTypesWalk compiles an expression using each: 686 are
// implemented and the other 179 are refused at compile time with a
// diagnostic naming the type or member (among them the XML node classes
// other than XElement and XDocument, SymmetricAlgorithm, StringReader and
// StringWriter, and RSA's ImportParameters, whose RSAParameters the table
// does not allow). Regex, RSA, TimeZoneInfo, X509Certificate2,
// Enum.Parse<T> and JToken's tree navigation are implemented; see the
// dotnet package.
//
// # Context members
//
// context.Request (Method, Url, OriginalUrl, Headers, IpAddress, Body,
// MatchedParameters, Certificate: the client's X509Certificate2 or null),
// context.Response (StatusCode,
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
package expr
