package dotnet

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// fuzzSeeds are expressions in the style of real policies.
var fuzzSeeds = []string{
	`context.Request.Headers.GetValueOrDefault("X-Env", "dev") == "prod"`,
	`context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt()?.Claims.GetValueOrDefault("tid", "none")`,
	`context.Request.Body.As<JObject>(preserveContent: true)["name"]?.ToString() ?? "anon"`,
	`$"{context.Request.Method} {context.Request.Url.Path}?{context.Request.Url.QueryString}"`,
	`context.Request.Headers.GetValueOrDefault("X-Basic", "").AsBasic()?.UserId`,
	`Regex.Match(context.Request.Headers.GetValueOrDefault("X-Env", ""), "(?<v>[a-z]+)").Groups["v"].Value`,
	`Convert.ToBase64String(Encoding.UTF8.GetBytes(context.Request.Headers.GetValueOrDefault("X-Env", "")))`,
	`DateTime.UtcNow.AddMinutes(5).ToString("yyyy-MM-ddTHH:mm:ssZ")`,
	`context.Request.Body.As<string>(true).Split(',').Where(s => s.Length > 1).Select(s => s.Trim()).Count()`,
	`JToken.Parse(context.Request.Body.As<string>(true)).ToString()`,
	`int.TryParse(context.Request.Headers.GetValueOrDefault("X-Env", ""), out var n) ? n * 2 : -1`,
}

var fuzzBlockSeeds = []string{
	`const int k = 2; int Fact(int n) => n <= 1 ? 1 : n * Fact(n - k + 1); return Fact(5);`,
	`var b = context.Request.Body.As<JObject>(preserveContent: true); b["x"] = 1; return b.ToString();`,
	`var s = ""; foreach (var c in context.Request.Headers.GetValueOrDefault("X-Env", "")) { s = c + s; } return s;`,
	`var x = XElement.Parse(context.Request.Body.As<string>(true)); return x.Element("a")?.Value;`,
	`var h = new HMACSHA256(Encoding.UTF8.GetBytes("k")); return BitConverter.ToString(h.ComputeHash(Encoding.UTF8.GetBytes(context.Request.Headers.GetValueOrDefault("X-Env", ""))));`,
}

// FuzzCompile checks that Compile never panics and returns either a
// Program or an *Error; a Program it returns is also evaluated against the
// test Context, which must give a result or an *Error, never an internal error.
func FuzzCompile(f *testing.F) {
	for _, s := range append(append([]string{}, fuzzSeeds...), fuzzBlockSeeds...) {
		f.Add(s, false)
		f.Add(s, true)
	}
	for _, s := range []string{
		`$"{x:{y}}"`, `(a)(b)<c>(d)`, `new JObject(new JProperty("a", new JArray(1, 2))).ToString()`,
		`JObject.Parse("{\"a\":[1,{\"b\":null}]}").SelectToken("a[1].b")`, `"a,b".Split(',').Select((s, i) => s + i).ToList()`,
		`Regex.Replace("ab", "(?<x>a)", m => m.Groups["x"].Value.ToUpper())`, `DateTime.Parse("2024-01-01").AddMonths(13).ToString("R")`,
		`TimeSpan.FromSeconds(90).ToString("c")`, `XDocument.Parse("<a><b c=\"1\"/></a>").Root.Element("b").Attribute("c").Value`,
		`context.Request.Method switch { "GET" => 1, var m when m.Length > 3 => 2, _ => 3 }`, `context.Variables["x"] is not >= 5`, `JObject.FromObject(new { a = 1, context.Request.Method }).ToString()`,
		`(int?)null ?? 3`, `new[] {3, 1, 2}.OrderBy(x => x).Last()`, `string.Format("{0:N2}|{1,-4}|{2:X}", 1.5, "a", 255)`,
		`context.User.Groups.Where(g => g.Id.StartsWith("a")).Select(g => g.Name).FirstOrDefault()`,
		`Convert.ToInt32("7") << 2 | 1`, `'a' + 1 > 97 ? (char)98 : 'c'`, `Guid.Parse(context.RequestId.ToString()).ToString("N")`,
		`context.Variables.GetValueOrDefault<JObject>("obj")?["a"]?["b"]?[0]`, `Math.Round(Math.Pow(2, 0.5), 3)`,
		`Regex.Match("id=42", @"id=(?<n>\d+)").Groups["n"].Captures[0].Value`, `Regex.Matches("a1b2", @"\d").Cast<Match>().Select(m => m.Value).Last()`,
		`TimeZoneInfo.ConvertTimeBySystemTimeZoneId(DateTime.UtcNow, "W. Europe Standard Time").Hour`, `Enum.Parse<DayOfWeek>("friday", true)`,
		`(int)Enum.Parse<RegexOptions>("IgnoreCase, 4")`, `context.Request.Certificate?.Thumbprint ?? "none"`,
		`RSA.Create().KeySize`, `HashAlgorithmName.SHA256.Name + RSASignaturePadding.Pss`,
	} {
		f.Add(s, false)
	}
	f.Add(`var l = new List<string>(); for (var i = 0; i < 3; i++) { l.Add(i.ToString()); } return string.Join("", l);`, true)
	f.Add(`try { throw new Exception("x"); } catch (Exception e) { return e.Message; } finally { }`, true)
	f.Add(`using (var h = SHA256.Create()) { return h.ComputeHash(new byte[1]).Length; }`, true)
	f.Add(`var h = SHA256.Create(); using (h) return 1;`, true)
	f.Add(`int n; return int.TryParse("5", out n) && n > 1;`, true)
	f.Fuzz(func(t *testing.T, src string, block bool) {
		kind := Inline
		if block {
			kind = Block
		}
		p, err := compile(src, kind)
		if (p == nil) == (err == nil) {
			t.Fatalf("Compile(%q) = %v, %v: want exactly one of Program and error", src, p, err)
		}
		if err != nil {
			var pe *expr.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%q) error %T, want *Error", src, err)
			}
			if strings.Contains(pe.Msg, "internal error") || pe.Line < 1 || pe.Col < 1 {
				t.Fatalf("Compile(%q): %v", src, err)
			}
			return
		}
		if _, err := p.Eval(newTestContext()); err != nil {
			var pe *expr.Error
			if !errors.As(err, &pe) || strings.Contains(pe.Msg, "internal error") {
				t.Fatalf("Eval(%q): %v", src, err)
			}
		}
	})
}

// FuzzEval evaluates the seed expressions against a Context built from
// fuzzed header values and body: no panic, a result or an *Error.
func FuzzEval(f *testing.F) {
	f.Add("prod", "Bearer abc", `{"name":"x"}`)
	f.Add("", "Basic YTpi", `<a>1</a>`)
	f.Add("12", testJWT(jwtPayload), `a, b ,c`)
	f.Add("ünï", "", `[1,2,{"a":null}]`)
	var progs []*expr.Program
	for _, s := range fuzzSeeds {
		p, err := compile(s, Inline)
		if err != nil {
			f.Fatalf("Compile(%q): %v", s, err)
		}
		progs = append(progs, p)
	}
	for _, s := range fuzzBlockSeeds {
		p, err := compile(s, Block)
		if err != nil {
			f.Fatalf("Compile(%q): %v", s, err)
		}
		progs = append(progs, p)
	}
	f.Fuzz(func(t *testing.T, env, auth, body string) {
		for _, p := range progs {
			c := &expr.Context{Request: &expr.Request{
				Method:  "GET",
				URL:     &expr.URL{Scheme: "https", Host: "h", Path: "/p"},
				Headers: http.Header{"X-Env": {env}, "Authorization": {auth}, "X-Basic": {auth}},
				Body:    expr.BodyOf([]byte(body)),
			}}
			_, err := p.Eval(c)
			if err != nil {
				var pe *expr.Error
				if !errors.As(err, &pe) || strings.Contains(pe.Msg, "internal error") {
					t.Fatalf("Eval(%q): %v", p, err)
				}
			}
		}
	})
}

// FuzzParseJSON checks the JSON parser against encoding/json: the same
// documents are valid, and a parsed document serializes to equivalent JSON.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,-3e2,true,null,"x\u00e9\ud83d\ude00"]}`, `[]`, `"s"`, `{"a":{"b":{}}}`, ` 1 `, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := ParseJSON(data)
		valid := json.Valid(data)
		if valid != (err == nil) && !(valid && strings.Contains(expr.ToString(err), "nested too deeply")) {
			t.Fatalf("ParseJSON(%q) error %v, json.Valid %v", data, err, valid)
		}
		if err != nil {
			return
		}
		var a, b any
		if err := json.Unmarshal(data, &b); err != nil {
			return // a number out of double range: ParseJSON makes it Infinity
		}
		if err := json.Unmarshal([]byte(jsonString(tok, false)), &a); err != nil {
			t.Fatalf("serialized %q: %v", jsonString(tok, false), err)
		}
		if !jsonEquivalent(a, b) {
			t.Fatalf("ParseJSON(%q) serialized as %q", data, jsonString(tok, false))
		}
	})
}

// jsonEquivalent compares decoded JSON, numbers with a relative tolerance
// (a double is written in its shortest round-trip form).
func jsonEquivalent(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !jsonEquivalent(v, y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEquivalent(x[i], y[i]) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (x-y)/y < 1e-9 && (y-x)/y < 1e-9)
	}
	return a == b
}
