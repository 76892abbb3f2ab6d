package expr

import (
	"net/http"
	"testing"
	"time"
)

// coreContext is a context for expressions that use the language and the
// context object only.
func coreContext() *Context {
	now := time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)
	return &Context{
		Request: &Request{
			Method:  "POST",
			URL:     &URL{Scheme: "https", Host: "api.example.com", Port: 443, Path: "/orders/42"},
			Headers: http.Header{"X-Env": {"prod"}, "Accept": {"a", "b"}},
			Body:    BodyOf([]byte("hello")),
		},
		Variables: map[string]any{"count": 5, "name": "ann"},
		RequestID: "8a3c6b1e-2f4d-4c5b-9a7e-0d1f2e3c4b5a",
		Timestamp: now.Add(-1500 * time.Millisecond),
		Now:       func() time.Time { return now },
	}
}

// show renders a value with its C# type, e.g. "int:3".
func show(v any) string { return TypeName(v) + ":" + ToString(v) }

func TestLanguageWithoutLibrary(t *testing.T) {
	tests := []struct {
		name, src string
		kind      Kind
		want      string
	}{
		{"arithmetic", `1 + 2 * 3 - 10 / 4`, Inline, "int:5"},
		{"int wraps", `2147483647 + 1`, Inline, "int:-2147483648"},
		{"promotion", `1 + 2L + 0.5`, Inline, "double:3.5"},
		{"string concat", `"a" + 1 + true`, Inline, "string:a1True"},
		{"conditional", `context.Request.Method == "POST" ? "yes" : "no"`, Inline, "string:yes"},
		{"coalesce", `context.Variables.GetValueOrDefault<string>("missing") ?? "none"`, Inline, "string:none"},
		{"header", `context.Request.Headers.GetValueOrDefault("X-Env", "dev")`, Inline, "string:prod"},
		{"header values", `context.Request.Headers.GetValueOrDefault("Accept")`, Inline, "string:a,b"},
		{"url", `"" + context.Request.Url`, Inline, "string:https://api.example.com/orders/42"},
		{"variable", `(int)context.Variables["count"] * 2`, Inline, "int:10"},
		{"body", `context.Request.Body.As<string>(true)`, Inline, "string:hello"},
		{"request id", `context.RequestId`, Inline, "Guid:8a3c6b1e-2f4d-4c5b-9a7e-0d1f2e3c4b5a"},
		{"elapsed", `context.Elapsed`, Inline, "TimeSpan:00:00:01.5000000"},
		{"timestamp", `context.Timestamp`, Inline, "DateTime:03/05/2024 14:07:07"},
		{"date arithmetic", `context.Timestamp - context.Timestamp`, Inline, "TimeSpan:00:00:00"},
		{"interpolation", `$"{context.Request.Method} {context.Request.Url.Path}"`, Inline, "string:POST /orders/42"},
		{"loop", `var s = 0; for (var i = 0; i < 10; i++) { s += i; } return s;`, Block, "int:45"},
		{"foreach headers", `var s = ""; foreach (var h in context.Request.Headers) { s += h.Key; } return s;`, Block, "string:AcceptX-Env"},
		{"foreach list", `var n = 0; foreach (var x in new List<int> { 1, 2, 3 }) { n += x; } return n;`, Block, "int:6"},
		{"array", `var a = new int[3]; a = new[] { 4, 5 }; return a;`, Block, "array:System.Object[]"},
		{"switch", `switch (context.Request.Method) { case "GET": return 1; case "POST": return 2; default: return 3; }`, Block, "int:2"},
		{"try catch", `try { throw new Exception("boom"); } catch (Exception e) { return e.Message; }`, Block, "string:boom"},
		{"new string", `new string('x', 3)`, Inline, "string:xxx"},
		{"is and as", `context.Variables["name"] is string s ? s : "?"`, Inline, "string:ann"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Compile(tt.src, tt.kind, nil)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.src, err)
			}
			v, err := p.Eval(coreContext())
			if err != nil {
				t.Fatalf("Eval(%q): %v", tt.src, err)
			}
			if got := show(v); got != tt.want {
				t.Errorf("Eval(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

// TestLibraryNamesAreNotBuiltIn checks that the .NET surface is not part
// of the language: without a library, its names do not compile.
func TestLibraryNamesAreNotBuiltIn(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"string member", `context.Request.Method.ToLower()`, "1:24: member ToLower of string is not supported"},
		{"static class", `Math.Max(1, 2)`, "1:1: the name Math does not exist in the current context"},
		{"library type", `(JObject)null`, "1:2: type JObject is not supported"},
		{"format", `$"{1:N2}"`, "1:4: format strings are not supported"},
		{"namespace", `System.String.Empty`, "1:1: the name System does not exist in the current context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(tt.src, Inline, NewLibrary(LibraryOptions{}))
			if err == nil || err.Error() != tt.want {
				t.Errorf("Compile(%q) = %v, want %q", tt.src, err, tt.want)
			}
		})
	}
}
