package dotnet

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
)

func TestCompileErrors(t *testing.T) {
	runErrCases(t, true, []errCase{
		{"unknown request member", `context.Request.Foo`, Inline, "1:17: member Foo of IRequest is not supported"},
		{"unknown context member", `context.Requests`, Inline, "1:9: member Requests of IContext is not supported"},
		{"unknown string method", `"a".Frobnicate()`, Inline, "1:5: member Frobnicate of string is not supported"},
		{"unknown dynamic member", `context.Variables["x"].Frobnicate()`, Inline, "1:24: member Frobnicate is not supported"},
		{"unknown name", `foo + 1`, Inline, "1:1: the name foo does not exist in the current context"},
		{"unknown type", `(Foo)context.Variables["x"]`, Inline, "1:2: type Foo is not supported"},
		{"unknown static", `Math.Frob(1)`, Inline, "1:6: method Frob of Math is not supported"},
		{"wrong arity", `"a".Substring()`, Inline, "1:5: Substring of string takes 1 to 2 arguments, not 0"},
		{"property called", `context.Request.Method()`, Inline, "1:17: Method of IRequest is a property, not a method"},
		{"method not called", `"a".ToUpper`, Inline, "1:5: ToUpper of string is a method; call it with ()"},
		{"missing type argument", `context.Request.Body.As()`, Inline, "1:22: As of IMessageBody needs a type argument, as in As<string>(...)"},
		{"unterminated string", `"abc`, Inline, "1:1: unterminated string literal"},
		{"unexpected token", `1 +`, Inline, "1:4: unexpected end of expression"},
		{"trailing tokens", `1 2`, Inline, "1:3: unexpected number 2 after expression"},
		{"missing paren", `(1 + 2`, Inline, `1:7: expected ")", found end of expression`},
		{"bad operand", `"a" - 1`, Inline, "1:5: operator - cannot be applied to string and int"},
		{"string comparison", `"a" < "b"`, Inline, "1:5: operator < cannot be applied to string and string"},
		{"bad condition", `1 ? 2 : 3`, Inline, "1:1: cannot convert int to bool"},
		{"bad cast", `(int)"5"`, Inline, "1:1: cannot convert type string to int"},
		{"lookahead", `Regex.IsMatch("a", "(?=a)")`, Inline, "1:7: Regex.IsMatch: lookaround (?=...) is not supported (RE2 syntax)"},
		{"backreference", `Regex.Replace("aa", @"(a)\1", "b")`, Inline, `1:7: Regex.Replace: backreference \1 is not supported (RE2 syntax)`},
		{"second line", "var x = 1;\nreturn x.Foo;", Block, "2:10: member Foo of int is not supported"},
		{"missing return", `var x = 1;`, Block, "1:1: not all code paths return a value"},
		{"if without else returns", `if (true) { return 1; }`, Block, "1:1: not all code paths return a value"},
		{"redeclared", `var x = 1; var x = 2; return x;`, Block, "1:16: a local variable named x is already defined in this scope"},
		{"break outside loop", `break; return 1;`, Block, "1:1: no enclosing loop out of which to break"},
		{"expression statement", `1 + 1; return 1;`, Block, "1:1: only assignment, call, increment, decrement and new object expressions can be used as a statement"},
		{"variables read-only", `context.Variables["x"] = 1; return 1;`, Block, "1:18: context.Variables is read-only; use the set-variable policy"},
		{"nullable member on reference type", `context.Request.Value`, Inline, "1:17: member Value of IRequest is not supported"},
		{"typeof", `typeof(string)`, Inline, "1:1: typeof is not supported"},
		{"entry in a list initializer", `new List<string> { { "a", "b" } }.Count`, Inline, "1:20: new List<string>: a { key, value } entry belongs in a Dictionary's initializer; List<string>'s initializer lists its elements"},
		{"entry in an array initializer", `new string[] { { "a", "b" } }.Length`, Inline, "1:16: new string[]: a { key, value } entry belongs in a Dictionary's initializer; string[]'s initializer lists its elements"},
		{"goto", `goto end; return 1;`, Block, "1:1: goto statement is not supported"},
		{"using variable out of scope", `using (var h = SHA256.Create()) { } return h;`, Block, "1:44: the name h does not exist in the current context"},
		{"using without parenthesis", `using var h = SHA256.Create(); return 1;`, Block, "1:7: expected \"(\", found \"var\""},
		{"pattern case", `switch (context.Variables["x"]) { case string s: return 1; default: return 2; }`, Block, "1:47: pattern cases are not supported; use constant cases"},
		{"new unsupported", `new HttpClient()`, Inline, "1:5: type HttpClient is not supported"},
		{"assign type mismatch", `int x = "a"; return x;`, Block, "1:9: cannot implicitly convert type string to int"},
		{"unsupported escape", `"\q"`, Inline, `1:2: unrecognized escape sequence \q`},
		{"lambda outside call", `var f = x => x; return 1;`, Block, "1:9: a lambda expression can only be an argument of a method"},
		{"not generic", `"a".ToUpper<string>()`, Inline, "1:5: ToUpper of string is not generic"},
		{"empty", ``, Inline, "1:1: unexpected end of expression"},
	})
}

func TestRuntimeErrors(t *testing.T) {
	runErrCases(t, false, []errCase{
		{"new string out of range", `new string("abc".ToCharArray(), 2, 5)`, Inline, "1:1: new string(char[], startIndex, length): index and length must refer to a location within the array"},
		{"duplicate jobject entry", `new JObject { { "a", 1 }, { "a", 2 } }`, Inline, "1:1: can not add property a to JObject: property with the same name already exists on object"},
		{"null reference", `context.Variables.GetValueOrDefault<string>("missing").Length`, Inline, "1:56: object reference not set to an instance of an object (reading Length of null)"},
		{"missing variable", `context.Variables["missing"]`, Inline, "1:18: the given key 'missing' was not present in the dictionary"},
		{"bad cast", `(int)context.Variables["name"]`, Inline, "1:1: unable to cast object of type string to type int"},
		{"substring range", `"abc".Substring(5)`, Inline, "1:7: index and length must refer to a location within the string (start 5, length -2, string length 3)"},
		{"divide by zero", `var z = 0; return 1 / z;`, Block, "1:21: attempted to divide by zero"},
		{"throw", `throw new Exception("bad request");`, Block, "1:1: exception: bad request"},
		{"parse", `int.Parse("x1")`, Inline, "1:5: the input string 'x1' was not in a correct format"},
		{"json", `JObject.Parse("{")`, Inline, "1:9: JSON reader error: unexpected end of content"},
		{"step budget", "var i = 0;\nwhile (true) { i++; } return 1;", Block, "2:1: step budget of 100000 exceeded"},
		{"string doubling", `var s = "x"; while (true) { s += s; } return s;`, Block, "1:31: step budget of 100000 exceeded"},
		{"string building budget", `var s = ""; for (var i = 0; i < 1000000; i++) { s += "0123456789abcdef"; } return s;`, Block, "1:13: step budget of 100000 exceeded"},
		{"dynamic member", `context.Variables["name"].Value<string>("x")`, Inline, "1:27: member Value of string is not supported"},
		{"condition type", `context.Variables["name"] ? 1 : 2`, Inline, "1:18: condition is string, not bool"},
		{"typed local from variable", `int n = context.Variables["name"]; return n;`, Block, "1:1: unable to cast object of type string to type int"},
		{"non-string default", `context.Request.Headers.GetValueOrDefault("X-None", 5)`, Inline, "1:25: defaultValue must be a string, not int"},
		{"header missing", `context.Request.Headers["X-None"]`, Inline, "1:24: the given key 'X-None' was not present in the dictionary"},
	})
}

func TestToBool(t *testing.T) {
	tests := []struct {
		name    string
		v       any
		want    bool
		wantErr bool
	}{
		{name: "true", v: true, want: true},
		{name: "false", v: false},
		{name: "json bool", v: &JValue{v: true}, want: true},
		{name: "string", v: "true", wantErr: true},
		{name: "nil", v: nil, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := expr.ToBool(tt.v)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("ToBool(%v) = %v, %v", tt.v, got, err)
			}
		})
	}
}
