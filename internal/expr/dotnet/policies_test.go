package dotnet

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// TestRealisticPolicies runs expressions in the style of real APIM policies.
func TestRealisticPolicies(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"jwt subject to header", `context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Subject`, "string:user-42"},
		{"jwt claim split bearer", `context.Request.Headers.GetValueOrDefault("Authorization", "scheme param").Split(' ').Last().AsJwt()?.Claims.GetValueOrDefault("email", "unknown")`, "string:ann@example.com"},
		{"route by header", `context.Request.Headers.GetValueOrDefault("X-Env", "dev") == "prod" ? "https://prod.backend.example.com" : "https://dev.backend.example.com"`, "string:https://prod.backend.example.com"},
		{"route by version header", `context.Request.Headers.GetValueOrDefault("Api-Version", "v1").Equals("v2", StringComparison.OrdinalIgnoreCase)`, "bool:False"},
		{"rate limit key", `context.Subscription?.Key ?? context.Request.IpAddress`, "string:k1"},
		{"cache key", `context.Request.Url.Path + "|" + context.Request.Url.Query.GetValueOrDefault("page", "1")`, "string:/orders/42|2"},
		{"basic auth header", `"Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("svc-user:p@ss"))`, "string:Basic c3ZjLXVzZXI6cEBzcw=="},
		{"date header", `DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ")`, "string:2024-03-05T14:07:09.000Z"},
		{"rfc1123 date", `DateTime.UtcNow.ToString("r")`, "string:Tue, 05 Mar 2024 14:07:09 GMT"},
		{"send-request result", `((IResponse)context.Variables["resp"]).Body.As<JObject>()["token"].ToString()`, "string:t1"},
		{"admin group", `context.User.Groups.Select(g => g.Name).Contains("Administrators")`, "bool:True"},
		{"internal ip", `context.Request.IpAddress.StartsWith("10.") ? "internal" : "external"`, "string:internal"},
		{"response body interpolation", `$"{{\"requestId\":\"{context.RequestId}\",\"status\":{context.Response.StatusCode}}}"`, `string:{"requestId":"8a3c6b1e-2f4d-4c5b-9a7e-0d1f2e3c4b5a","status":404}`},
		{"error body", `new JObject(new JProperty("source", context.LastError.Source), new JProperty("reason", context.LastError.Reason), new JProperty("message", context.LastError.Message)).ToString(Formatting.None)`, `string:{"source":"validate-jwt","reason":"TokenExpired","message":"token expired"}`},
		{"when condition", `context.Response.StatusCode >= 400 && context.Response.StatusCode < 500`, "bool:True"},
		{"operation check", `context.Operation.Method == "GET" && context.Request.MatchedParameters["id"] != null`, "bool:True"},
		{"api version query", `context.Request.Url.Query.GetValueOrDefault("api-version", "2024-01-01")`, "string:2024-01-01"},
		{"trace id header", `context.Request.Headers.GetValueOrDefault("traceparent", context.RequestId.ToString())`, "string:8a3c6b1e-2f4d-4c5b-9a7e-0d1f2e3c4b5a"},
		{"json content type", `context.Request.Headers.GetValueOrDefault("Content-Type", "").Contains("json")`, "bool:True"},
		{"expired token", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt()?.ExpirationTime > DateTime.UtcNow`, "bool:True"},
		{"region backend", `context.Deployment.Region.Replace(" ", "").ToLower() + ".backend.example.com"`, "string:westeurope.backend.example.com"},
		{"body field check", `context.Request.Body.As<JObject>(preserveContent: true)["customer"]["vip"].Value<bool>()`, "bool:True"},
		{"variable flag", `(bool)context.Variables["flag"] && context.Variables.ContainsKey("name")`, "bool:True"},
		{"correlation", `context.Request.Headers.GetValueOrDefault("X-Correlation-Id", Guid.NewGuid().ToString()).Length == 36`, "bool:True"},
		{"tenant route", `"https://" + (context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims.GetValueOrDefault("tid", "default") ?? "default") + ".tenants.example.com"`, "string:https://tenant-1.tenants.example.com"},
	})
	runCases(t, Block, []evalCase{
		{"json rewrite", `
var body = context.Request.Body.As<JObject>(preserveContent: true);
if (body["customer"] != null && (bool)body["customer"]["vip"]) {
    body["discount"] = 0.1;
}
body["receivedAt"] = DateTime.UtcNow.ToString("o");
body.Property("tags")?.Remove();
return body.ToString(Formatting.None);`, `string:{"name":"widget","qty":3,"price":9.5,"customer":{"id":"c1","vip":true},"discount":0.1,"receivedAt":"2024-03-05T14:07:09.0000000Z"}`},
		{"response from backend list", `
var items = JArray.Parse("[{\"id\":1,\"price\":10},{\"id\":2,\"price\":25}]");
var expensive = items.Where(i => (int)i["price"] > 15).Select(i => (int)i["id"]).ToList();
return new JObject(new JProperty("count", expensive.Count), new JProperty("ids", new JArray(expensive))).ToString(Formatting.None);`, `string:{"count":1,"ids":[2]}`},
		{"user display", `
string name = context.User?.FirstName ?? "anonymous";
if (context.User != null && !string.IsNullOrEmpty(context.User.LastName)) {
    name += " " + context.User.LastName.Substring(0, 1) + ".";
}
return name;`, "string:Ann L."},
		{"header list to json", `
var result = new JObject();
foreach (var h in context.Request.Headers) {
    if (h.Key.StartsWith("X-")) { result[h.Key] = string.Join(",", h.Value); }
}
return result.ToString(Formatting.None);`, `string:{"X-Basic":"Basic YW5uOnMzY3JldDp4","X-Env":"prod"}`},
		{"signed url", `
var expires = DateTime.UtcNow.AddMinutes(10);
var unix = (long)(expires - new DateTime(1970, 1, 1)).TotalSeconds;
var sig = Convert.ToBase64String(new HMACSHA256(Encoding.UTF8.GetBytes("k")).ComputeHash(Encoding.UTF8.GetBytes(context.Request.Url.Path + unix)));
return $"{context.Request.Url.Path}?se={unix}&sig={Uri.EscapeDataString(sig)}".Length > 20;`, "bool:True"},
	})
}

func TestFormBody(t *testing.T) {
	c := &expr.Context{Request: &expr.Request{Body: expr.BodyOf([]byte("grant_type=client_credentials&scope=a+b"))}}
	p, err := compile(`context.Request.Body.AsFormUrlEncodedContent(true).GetValueOrDefault("scope", "")`, Inline)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := p.Eval(c); err != nil || v != "a b" {
		t.Errorf("Eval = %v, %v; want a b", v, err)
	}
}

func TestMorePolicyIdioms(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"cookie value", `"a=1; session=xyz; b=2".Split(';').Select(c => c.Trim().Split('=')).Where(p => p[0] == "session").Select(p => p[1]).FirstOrDefault()`, "string:xyz"},
		{"last path segment", `context.Request.Url.Path.Substring(context.Request.Url.Path.LastIndexOf("/") + 1)`, "string:42"},
		{"split remove empty new array", `context.Request.Url.Path.Split(new[] {"/"}, StringSplitOptions.RemoveEmptyEntries)[0]`, "string:orders"},
		{"http utility", `System.Web.HttpUtility.UrlEncode("a/b c")`, "string:a%2Fb+c"},
		{"header or query key", `context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key", context.Request.Url.Query.GetValueOrDefault("subscription-key", "none"))`, "string:none"},
		{"variable as string", `context.Variables["name"] as string`, "string:ann"},
		{"status class", `context.Response.StatusCode / 100 == 4`, "bool:True"},
		{"json array count in variable", `((JArray)((JObject)context.Variables["obj"])["a"]["b"]).Count`, "int:3"},
		{"format with culture", `(1234.5).ToString("N1", CultureInfo.InvariantCulture)`, "string:1,234.5"},
		{"interpolated json token", `$"{JObject.Parse("{\"a\":1}").ToString(Formatting.None)}"`, `string:{"a":1}`},
		{"variable response generic", `context.Variables.GetValueOrDefault<IResponse>("resp").StatusCode`, "int:201"},
		{"variable response as", `(context.Variables["resp"] as IResponse)?.StatusCode ?? 0`, "int:201"},
		{"api revision", `context.Api.IsCurrentRevision ? "current" : "rev" + context.Api.Revision`, "string:rev"},
		{"token type compare", `JToken.Parse("{}").Type == JTokenType.Object`, "bool:True"},
		{"day of week compare", `new DateTime(2024, 3, 4).DayOfWeek == DayOfWeek.Monday`, "bool:True"},
		{"values first", `JArray.Parse("[\"ab\"]").Values<string>().First().Length`, "int:2"},
		{"claims linq", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().Claims.Any(c => c.Key == "tid")`, "bool:True"},
		{"headers first key", `context.Request.Headers.OrderBy(h => h.Key).First().Key`, "string:Accept"},
		{"nested generics", `context.Variables.GetValueOrDefault<JObject>("obj")["a"]["b"].ToObject<List<int>>().Count`, "int:3"},
	})
}

// TestConcurrentEval evaluates one Program from many goroutines (run with -race).
func TestConcurrentEval(t *testing.T) {
	p, err := compile(`var n = 0; foreach (var r in context.User.Groups.Select(g => g.Name)) { n += ((string)r).Length; } return $"{context.Request.Method}:{n}";`, Block)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	for i := 0; i < 8; i++ {
		go func() {
			v, err := p.Eval(newTestContext())
			if err != nil {
				done <- err.Error()
				return
			}
			done <- expr.ToString(v)
		}()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; got != "POST:24" {
			t.Errorf("Eval = %q, want POST:24", got)
		}
	}
}
