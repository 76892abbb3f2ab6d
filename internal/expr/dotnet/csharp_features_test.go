package dotnet

import "testing"

// TestPatternsAndSwitchExpressions: C# patterns in `is` and switch
// expressions, which APIM's expressions allow (C# 7 and later syntax).
func TestPatternsAndSwitchExpressions(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"is constant", `context.Request.Method is "POST"`, "bool:True"},
		{"is not constant", `context.Request.Method is not "POST"`, "bool:False"},
		{"is relational", `context.Request.Url.Port is >= 443`, "bool:True"},
		{"is not null", `context.Request.Method is not null`, "bool:True"},
		{"is type with name", `context.Variables["name"] is string s ? s.ToUpper() : "none"`, "string:ANN"},
		{"switch constant", `context.Request.Method switch { "GET" => 1, "POST" => 2, _ => 3 }`, "int:2"},
		{"switch discard", `context.Request.Method switch { "GET" => "read", _ => "write" }`, "string:write"},
		{"switch relational", `context.Request.Url.Port switch { < 1024 => "system", _ => "user" }`, "string:system"},
		{"switch var", `context.Variables["count"] switch { var n when (int)n > 3 => "many", _ => "few" }`, "string:many"},
		{"switch when", `context.Request.Method switch { var _ when false => 0, "POST" when context.Request.Url.Port == 443 => 1, _ => 2 }`, "int:1"},
		{"switch type", `context.Variables["name"] switch { int i => i.ToString(), string s => "s:" + s, null => "null", _ => "?" }`, "string:s:ann"},
		{"switch in arithmetic", `1 + context.Request.Method switch { "POST" => 1, _ => 0 }`, "int:2"},
	})
	runErrCases(t, false, []errCase{
		{"no arm matches", `context.Request.Method switch { "GET" => 1 }`, Inline, "1:24: the switch expression matched no arm for POST"},
	})
}

// TestConstLocals: const locals, which C# and APIM's expressions allow,
// may not be assigned.
func TestConstLocals(t *testing.T) {
	runCases(t, Block, []evalCase{
		{"const", `const int limit = 3, extra = 1; const string unit = "req"; return (limit + extra) + unit;`, "string:4req"},
	})
	runErrCases(t, true, []errCase{
		{"const assigned", `const int n = 1; n = 2; return n;`, Block, "1:18: n is a const local and cannot be assigned"},
		{"const incremented", `const int n = 1; n++; return n;`, Block, "1:18: n is a const local and cannot be assigned"},
		{"const without a value", `const int n; return 1;`, Block, "1:11: a const local must be given a value"},
		{"const var", `const var n = 1; return n;`, Block, "1:1: const must be followed by a type and a name: const int n = 1;"},
	})
}

// TestArrayPredicatesAndGuidBytes: members of APIM's allowed types that
// policies use: System.Array's predicate methods and Guid.ToByteArray.
func TestArrayPredicatesAndGuidBytes(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"Array.Exists", `Array.Exists(new int[] { 1, 2, 3 }, x => x == 2)`, "bool:True"},
		{"Array.Exists none", `Array.Exists(new string[] { "a" }, s => s == "b")`, "bool:False"},
		{"Array.TrueForAll", `Array.TrueForAll(new int[] { 1, 2 }, x => x > 0)`, "bool:True"},
		{"Array.Find", `Array.Find(context.Request.Headers.GetValueOrDefault("Accept", "").Split(','), s => s.StartsWith("text"))`, "string:text/plain"},
		{"Array.FindIndex", `Array.FindIndex(new int[] { 5, 6 }, x => x == 6)`, "int:1"},
		{"Guid.ToByteArray", `BitConverter.ToString(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff").ToByteArray())`, "string:33-22-11-00-55-44-77-66-88-99-AA-BB-CC-DD-EE-FF"},
	})
}

// TestAnonymousTypes: new { a = 1 }, which APIM's expressions allow and
// policies use to build JSON (JObject.FromObject, JsonConvert).
func TestAnonymousTypes(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"property", `new { a = 1, b = "x" }.b`, "string:x"},
		{"projection", `new { context.Request.Method, id = 42 }.Method`, "string:POST"},
		{"ToString", `new { a = 1, b = "x" }.ToString()`, "string:{ a = 1, b = x }"},
		{"FromObject", `JObject.FromObject(new { id = 42, tags = new[] { "a", "b" }, who = new { name = "ann" } }).ToString(Newtonsoft.Json.Formatting.None)`, `string:{"id":42,"tags":["a","b"],"who":{"name":"ann"}}`},
		{"SerializeObject", `JsonConvert.SerializeObject(new { ok = true })`, `string:{"ok":true}`},
		{"through object", `((object)new { a = 7 }).ToString()`, "string:{ a = 7 }"},
	})
	runErrCases(t, true, []errCase{
		{"unknown member", `new { a = 1 }.b`, Inline, "1:15: the anonymous type has no member b"},
		{"two members alike", `new { a = 1, a = 2 }`, Inline, "1:14: an anonymous type cannot have two members named a"},
	})
}

// TestIndexInitializers: new Dictionary<K, V> { ["a"] = 1 }, as C# writes
// a dictionary's entries too.
func TestIndexInitializers(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"index initializer", `new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }["b"]`, "int:2"},
		{"mixed with entries", `new Dictionary<string, string> { { "a", "x" }, [context.Request.Method] = "y" }["POST"]`, "string:y"},
	})
}

// TestLocalFunctions: C# local functions, with expression and block
// bodies, recursion, and the caller's variables kept across a call.
func TestLocalFunctions(t *testing.T) {
	runCases(t, Block, []evalCase{
		{"expression body", `int Square(int n) => n * n; return Square(7);`, "int:49"},
		{"block body", `string Label(string s, int n) { var sep = ":"; return s + sep + n; } return Label(context.Request.Method, 2);`, "string:POST:2"},
		{"recursion", `int Fact(int n) => n <= 1 ? 1 : n * Fact(n - 1); return Fact(5);`, "int:120"},
		{"caller's variables kept", `int Twice(int n) { var t = n * 2; return t; } var a = 1; var b = Twice(5); return a + b;`, "int:11"},
		{"static", `static bool IsGet(string m) => m == "GET"; return IsGet(context.Request.Method);`, "bool:False"},
	})
	runErrCases(t, true, []errCase{
		{"arity", `int F(int n) => n; return F(1, 2);`, Block, "1:28: F takes 1 arguments, not 2"},
		{"as a value", `int F(int n) => n; var g = F; return 1;`, Block, "1:28: F is a local function: call it with ()"},
		{"void used as a value", `void F(int n) { } var x = F(1); return 1;`, Block, "1:28: the method returns no value"},
		{"wrong argument", `int F(int n) => n; return F("a");`, Block, `1:29: argument 1 of F: cannot convert string to int`},
	})
	runErrCases(t, false, []errCase{
		{"runaway recursion", `int F(int n) => F(n + 1); return F(0);`, Block, "1:18: local functions call each other more than 256 deep"},
	})
}

// TestXName: XElement.Name and XAttribute.Name are XNames, with a
// LocalName, compared with strings as .NET's implicit conversion does.
func TestXName(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"local name", `XElement.Parse("<order id=\"1\"/>").Name.LocalName`, "string:order"},
		{"compared", `XElement.Parse("<order/>").Name == "order"`, "bool:True"},
		{"attribute", `XElement.Parse("<order id=\"1\"/>").Attribute("id").Name.LocalName`, "string:id"},
		{"concatenated", `"<" + XElement.Parse("<order/>").Name + ">"`, "string:<order>"},
		{"elements by name", `XElement.Parse("<a><b/><c/></a>").Elements().Where(e => e.Name == "c").Count()`, "int:1"},
	})
}

// TestDateTimeOffsetConstructors: new DateTimeOffset(...), from a
// DateTime or from its parts and an offset.
func TestDateTimeOffsetConstructors(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"parts", `new DateTimeOffset(2024, 2, 29, 13, 45, 30, TimeSpan.Zero).Year`, "int:2024"},
		{"offset", `new DateTimeOffset(2024, 2, 29, 13, 45, 30, TimeSpan.FromHours(2)).UtcDateTime.Hour`, "int:11"},
		{"from DateTime", `new DateTimeOffset(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc)).ToUnixTimeSeconds()`, "long:1704164645"},
	})
}

// TestCombinedPatterns: and and or patterns, and binding tighter.
func TestCombinedPatterns(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"or", `context.Request.Method is "GET" or "POST"`, "bool:True"},
		{"and", `context.Request.Url.Port is > 400 and < 500`, "bool:True"},
		{"not in and", `context.Request.Url.Port is > 400 and not 443`, "bool:False"},
		{"switch or", `context.Request.Method switch { "GET" or "HEAD" => "read", "POST" or "PUT" => "write", _ => "other" }`, "string:write"},
		{"precedence", `context.Variables["count"] is 1 or > 3 and < 10`, "bool:True"},
	})
}

// TestParenthesizedPatterns: a pattern in parentheses, negated or combined.
func TestParenthesizedPatterns(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"grouped", `context.Request.Url.Port is (> 400 and < 500)`, "bool:True"},
		{"not grouped or", `context.Request.Method is not ("GET" or "HEAD")`, "bool:True"},
		{"not grouped or matching", `context.Request.Method is not ("POST" or "PUT")`, "bool:False"},
		{"grouped then and", `context.Request.Url.Port is (443 or 8443) and not 8443`, "bool:True"},
		{"nested", `context.Request.Url.Port is ((> 1 and < 10) or (> 400 and < 500))`, "bool:True"},
		{"switch arm", `context.Request.Url.Port switch { (80 or 8080) => "http", not (443 or 8443) => "other", _ => "https" }`, "string:https"},
	})
	runErrCases(t, true, []errCase{
		{"unclosed", `context.Request.Url.Port is (> 400`, Inline, `1:35: expected ")", found end of expression`},
	})
}

// TestVoidLocalFunctions: a local function without a result, called as a
// statement; return leaves it early.
func TestVoidLocalFunctions(t *testing.T) {
	runCases(t, Block, []evalCase{
		{"block body", `var log = new List<string>(); void Note(string s) { log.Add(s.ToUpper()); } Note("a"); Note("b"); return string.Join(",", log);`, "string:A,B"},
		{"expression body", `var log = new List<string>(); void Note(string s) => log.Add(s); Note("x"); return log.Count;`, "int:1"},
		{"early return", `var log = new List<int>(); void Keep(int n) { if (n < 0) { return; } log.Add(n); } Keep(1); Keep(-2); Keep(3); return log.Count;`, "int:2"},
		{"lambda inside returns a value", `var log = new List<int>(); void Add(int[] xs) { log.AddRange(xs.Where(x => { return x > 1; })); } Add(new[] { 1, 2, 3 }); return log.Count;`, "int:2"},
		{"value function inside", `var j = new JObject(); void Put(string k) { int Len(string s) => s.Length; j[k] = Len(k); } Put("abc"); return (int)j["abc"];`, "int:3"},
	})
	runErrCases(t, true, []errCase{
		{"return a value", `void F() { return 1; } F(); return 0;`, Block, "1:19: a void local function cannot return a value"},
		{"bare return outside", `void F() { } F(); return;`, Block, "1:19: return needs a value"},
	})
}

// TestObjectInitializers: new T(args) { Property = value } sets the
// library's settable properties after construction.
func TestObjectInitializers(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"xelement value", `new XElement("a") { Value = "x" }.ToString()`, "string:<a>x</a>"},
		{"xattribute value", `new XAttribute("k", "v") { Value = "w" }.Value`, "string:w"},
		{"jproperty value", `new JProperty("a", 1) { Value = "two" }.Value.ToString()`, "string:two"},
		{"index initializer", `new JObject { ["a"] = 1, ["b"] = "x" }["b"].ToString()`, "string:x"},
	})
	runErrCases(t, true, []errCase{
		{"read-only property", `new XElement("a") { Name = "b" }`, Inline, "1:21: property Name of XElement cannot be set in an object initializer"},
		{"unknown property", `new XElement("a") { Nope = 1 }`, Inline, "1:21: member Nope of XElement is not supported"},
	})
}
