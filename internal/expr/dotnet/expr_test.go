package dotnet

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
)

func TestLiterals(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"int", `42`, "int:42"},
		{"long suffix", `42L`, "long:42"},
		{"big int is long", `3000000000`, "long:3000000000"},
		{"hex", `0xFF`, "int:255"},
		{"double", `1.5`, "double:1.5"},
		{"double suffix", `2d`, "double:2"},
		{"float suffix", `2.5f`, "double:2.5"},
		{"decimal suffix", `2.50m`, "double:2.5"},
		{"exponent", `1e3`, "double:1000"},
		{"string", `"hello"`, "string:hello"},
		{"escapes", `"a\tb\n\"c\"\\\u0041"`, "string:a\tb\n\"c\"\\A"},
		{"verbatim", `@"C:\path\""x"""`, `string:C:\path\"x"`},
		{"char", `'x'`, "char:x"},
		{"char escape", `'\''`, "char:'"},
		{"true", `true`, "bool:True"},
		{"false", `false`, "bool:False"},
		{"null", `null`, "null:"},
		{"interpolation", `$"a{1 + 2}b{"c"}"`, "string:a3bc"},
		{"interpolation braces", `$"{{x}} {1}"`, "string:{x} 1"},
		{"interpolation format", `$"{3.14159:F2}|{42:D5}|{255:X}"`, "string:3.14|00042|FF"},
		{"interpolation alignment", `$"[{"a",3}][{"b",-3}]"`, "string:[  a][b  ]"},
		{"interpolation verbatim", `$@"{1}\n"`, `string:1\n`},
		{"interpolation nested string", `$"{("x" + "y").ToUpper()}"`, "string:XY"},
		{"interpolation ternary", `$"{(true ? "yes" : "no")}"`, "string:yes"},
	})
}

func TestOperators(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"precedence", `1 + 2 * 3`, "int:7"},
		{"parens", `(1 + 2) * 3`, "int:9"},
		{"int division", `7 / 2`, "int:3"},
		{"modulo", `7 % 3`, "int:1"},
		{"double division", `7 / 2.0`, "double:3.5"},
		{"long promotion", `1 + 2L`, "long:3"},
		{"int overflow wraps", `2147483647 + 1`, "int:-2147483648"},
		{"unary minus", `-5 + 2`, "int:-3"},
		{"string concat", `"a" + 1 + 2`, "string:a12"},
		{"concat null", `"a" + null`, "string:a"},
		{"concat bool", `"x" + true`, "string:xTrue"},
		{"concat double", `"x" + 0.5`, "string:x0.5"},
		{"char plus int", `'a' + 1`, "int:98"},
		{"comparison", `3 > 2 && 2 >= 2 && 1 < 2 && 1 <= 1`, "bool:True"},
		{"equality mixed numbers", `1 == 1.0`, "bool:True"},
		{"string equality", `"a" == "a"`, "bool:True"},
		{"string inequality", `"a" != "b"`, "bool:True"},
		{"null equality", `null == null`, "bool:True"},
		{"not", `!false`, "bool:True"},
		{"short circuit and", `false && ((string)null).Length > 0`, "bool:False"},
		{"short circuit or", `true || ((string)null).Length > 0`, "bool:True"},
		{"ternary", `1 > 2 ? "a" : "b"`, "string:b"},
		{"nested ternary", `false ? 1 : true ? 2 : 3`, "int:2"},
		{"coalesce", `(string)null ?? "d"`, "string:d"},
		{"coalesce chain", `(string)null ?? (string)null ?? "z"`, "string:z"},
		{"coalesce non-null", `"a" ?? "d"`, "string:a"},
		{"bitwise", `(6 & 3) + (6 | 1) + (6 ^ 2)`, "int:13"},
		{"shift", `1 << 4`, "int:16"},
		{"bool and", `true & false`, "bool:False"},
		{"null conditional member", `((string)null)?.Length`, "null:"},
		{"null conditional chain", `context.Variables.GetValueOrDefault<string>("missing")?.ToUpper().Trim()`, "null:"},
		{"null conditional value", `context.Variables.GetValueOrDefault<string>("name")?.ToUpper()`, "string:ANN"},
		{"null conditional coalesce", `context.Variables.GetValueOrDefault<string>("missing")?.Length ?? -1`, "int:-1"},
		{"null conditional index", `((string[])null)?[0]`, "null:"},
		{"is type", `context.Variables["name"] is string`, "bool:True"},
		{"is not type", `context.Variables["count"] is string`, "bool:False"},
		{"is null", `context.Variables["nil"] is null`, "bool:True"},
		{"is not null", `context.Variables["name"] is not null`, "bool:True"},
		{"as", `context.Variables["count"] as string ?? "none"`, "string:none"},
		{"lifted comparison", `(int?)null > 1`, "bool:False"},
	})
}

func TestCasts(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"string", `(string)context.Variables["name"]`, "string:ann"},
		{"int", `(int)context.Variables["count"]`, "int:5"},
		{"long to int", `(int)context.Variables["big"]`, "int:0"},
		{"int to long", `(long)context.Variables["count"]`, "long:5"},
		{"double to int truncates", `(int)2.9`, "int:2"},
		{"int to double", `(double)3`, "double:3"},
		{"char to int", `(int)'A'`, "int:65"},
		{"int to char", `(char)66`, "char:B"},
		{"bool", `(bool)context.Variables["flag"]`, "bool:True"},
		{"object", `(object)1`, "int:1"},
		{"IResponse", `((IResponse)context.Variables["resp"]).StatusCode`, "int:201"},
		{"IResponse body", `((IResponse)context.Variables["resp"]).Body.As<JObject>()["token"].ToString()`, "string:t1"},
		{"JObject", `((JObject)context.Variables["obj"])["a"]["b"][1]`, "JValue:2"},
		{"null to string", `(string)null`, "null:"},
		{"nullable", `(int?)context.Variables["count"]`, "int:5"},
	})
}

func TestContextMembers(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"method", `context.Request.Method`, "string:POST"},
		{"url", `context.Request.Url.ToString()`, "string:https://api.example.com/orders/42?page=2&tag=a&tag=b"},
		{"url path", `context.Request.Url.Path`, "string:/orders/42"},
		{"url host", `context.Request.Url.Host`, "string:api.example.com"},
		{"url scheme", `context.Request.Url.Scheme`, "string:https"},
		{"url port", `context.Request.Url.Port`, "int:443"},
		{"url query string", `context.Request.Url.QueryString`, "string:?page=2&tag=a&tag=b"},
		{"url query", `context.Request.Url.Query.GetValueOrDefault("page", "1")`, "string:2"},
		{"url query multi", `context.Request.Url.Query.GetValueOrDefault("tag")`, "string:a,b"},
		{"url query missing", `context.Request.Url.Query.GetValueOrDefault("size", "10")`, "string:10"},
		{"url query index", `context.Request.Url.Query["tag"][1]`, "string:b"},
		{"original url", `context.Request.OriginalUrl.Path`, "string:/orders/42"},
		{"header", `context.Request.Headers.GetValueOrDefault("X-Env", "dev")`, "string:prod"},
		{"header case insensitive", `context.Request.Headers.GetValueOrDefault("x-env", "dev")`, "string:prod"},
		{"header default", `context.Request.Headers.GetValueOrDefault("X-Missing", "dev")`, "string:dev"},
		{"header no default", `context.Request.Headers.GetValueOrDefault("X-Missing")`, "null:"},
		{"header joined", `context.Request.Headers.GetValueOrDefault("Accept")`, "string:application/json,text/plain"},
		{"header indexer", `context.Request.Headers["Accept"][0]`, "string:application/json"},
		{"header contains", `context.Request.Headers.ContainsKey("content-type")`, "bool:True"},
		{"header count", `context.Request.Headers.Count`, "int:5"},
		{"header any", `context.Request.Headers.Any(h => h.Key == "X-Env")`, "bool:True"},
		{"ip", `context.Request.IpAddress`, "string:10.0.0.7"},
		{"matched parameters", `context.Request.MatchedParameters["id"]`, "string:42"},
		{"matched parameters default", `context.Request.MatchedParameters.GetValueOrDefault("x", "none")`, "string:none"},
		{"response status", `context.Response.StatusCode`, "int:404"},
		{"response reason", `context.Response.StatusReason`, "string:Not Found"},
		{"response header", `context.Response.Headers.GetValueOrDefault("Content-Type", "")`, "string:text/plain"},
		{"variables indexer", `context.Variables["name"]`, "string:ann"},
		{"variables contains", `context.Variables.ContainsKey("count")`, "bool:True"},
		{"variables default", `context.Variables.GetValueOrDefault("missing", "d")`, "string:d"},
		{"variables generic", `context.Variables.GetValueOrDefault<string>("name", "x")`, "string:ann"},
		{"variables generic default", `context.Variables.GetValueOrDefault<int>("missing", 7)`, "int:7"},
		{"variables generic zero", `context.Variables.GetValueOrDefault<int>("missing")`, "int:0"},
		{"variables generic bool", `context.Variables.GetValueOrDefault<bool>("flag")`, "bool:True"},
		{"subscription id", `context.Subscription.Id`, "string:sub-1"},
		{"subscription name", `context.Subscription.Name`, "string:Gold"},
		{"subscription key", `context.Subscription.Key`, "string:k1"},
		{"subscription keys", `context.Subscription.PrimaryKey + context.Subscription.SecondaryKey`, "string:pksk"},
		{"subscription created", `context.Subscription.CreatedDate.Year`, "int:2023"},
		{"subscription end", `context.Subscription.EndDate == null`, "bool:True"},
		{"user", `context.User.FirstName + " " + context.User.LastName`, "string:Ann Lee"},
		{"user email", `context.User.Email`, "string:ann@example.com"},
		{"user groups", `context.User.Groups.Any(g => g.Name == "Developers")`, "bool:True"},
		{"user groups select", `string.Join(",", context.User.Groups.Select(g => g.Id))`, "string:admins,devs"},
		{"product", `context.Product.Name`, "string:Starter"},
		{"product sub required", `context.Product.SubscriptionRequired`, "bool:True"},
		{"api", `context.Api.Name + "/" + context.Api.Path + "/" + context.Api.Version`, "string:Orders API/orders/v2"},
		{"api service url", `context.Api.ServiceUrl.Host`, "string:backend.internal"},
		{"api service url string", `context.Api.ServiceUrl.ToString()`, "string:https://backend.internal:8443/api"},
		{"operation", `context.Operation.Id + " " + context.Operation.Method + " " + context.Operation.UrlTemplate`, "string:get-order GET /orders/{id}"},
		{"operation name", `context.Operation.Name`, "string:Get order"},
		{"deployment", `context.Deployment.Region + "/" + context.Deployment.ServiceName + "/" + context.Deployment.GatewayId`, "string:West Europe/contoso/managed"},
		{"request id", `context.RequestId.ToString()`, "string:8a3c6b1e-2f4d-4c5b-9a7e-0d1f2e3c4b5a"},
		{"request id concat", `"id=" + context.RequestId`, "string:id=8a3c6b1e-2f4d-4c5b-9a7e-0d1f2e3c4b5a"},
		{"timestamp", `context.Timestamp.ToString("o")`, "string:2024-03-05T14:07:07.5000000Z"},
		{"elapsed", `context.Elapsed.TotalMilliseconds`, "double:1500"},
		{"last error", `context.LastError.Source + ":" + context.LastError.Reason + ":" + context.LastError.Message`, "string:validate-jwt:TokenExpired:token expired"},
		{"last error scope", `context.LastError.Scope + context.LastError.Section + context.LastError.PolicyId`, "string:apiinboundp1"},
		{"body string preserve", `context.Request.Body.As<string>(preserveContent: true)`, `string:{"name":"widget","qty":3,"price":9.5,"tags":["a","b"],"customer":{"id":"c1","vip":true}}`},
		{"body jobject", `context.Request.Body.As<JObject>()["name"].ToString()`, "string:widget"},
		{"response body", `context.Response.Body.As<string>()`, "string:missing"},
	})
}

func TestBodyConsumed(t *testing.T) {
	tests := []struct {
		name, src string
		wantLeft  string
	}{
		{"consumed", `context.Request.Body.As<string>()`, ""},
		{"preserved", `context.Request.Body.As<string>(preserveContent: true)`, "abc"},
		{"preserved positional", `context.Request.Body.As<string>(true)`, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &expr.Context{Request: &expr.Request{Body: expr.NewBody(func() ([]byte, error) { return []byte("abc"), nil })}}
			p, err := compile(tt.src, Inline)
			if err != nil {
				t.Fatal(err)
			}
			v, err := p.Eval(c)
			if err != nil || v != "abc" {
				t.Fatalf("Eval = %v, %v; want abc", v, err)
			}
			left, _ := c.Request.Body.Bytes()
			if string(left) != tt.wantLeft || !c.Request.Body.Loaded() {
				t.Errorf("body after = %q (loaded %v), want %q", left, c.Request.Body.Loaded(), tt.wantLeft)
			}
		})
	}
}

func TestTrace(t *testing.T) {
	var got []string
	c := newTestContext()
	c.Trace = func(source, msg string) { got = append(got, source+": "+msg) }
	p, err := compile(`{ context.Trace("hello " + context.Request.Method); return context.Tracing; }`[1:len(`{ context.Trace("hello " + context.Request.Method); return context.Tracing; }`)-1], Block)
	if err != nil {
		t.Fatal(err)
	}
	v, err := p.Eval(c)
	if err != nil || v != true {
		t.Fatalf("Eval = %v, %v", v, err)
	}
	if len(got) != 1 || got[0] != "expression: hello POST" {
		t.Errorf("trace = %q", got)
	}
}
