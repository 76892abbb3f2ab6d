package expr

import (
	"errors"
	"net/http"
	"strings"
	"testing"
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
	`var b = context.Request.Body.As<JObject>(preserveContent: true); b["x"] = 1; return b.ToString();`,
	`var s = ""; foreach (var c in context.Request.Headers.GetValueOrDefault("X-Env", "")) { s = c + s; } return s;`,
	`var x = XElement.Parse(context.Request.Body.As<string>(true)); return x.Element("a")?.Value;`,
	`var h = new HMACSHA256(Encoding.UTF8.GetBytes("k")); return BitConverter.ToString(h.ComputeHash(Encoding.UTF8.GetBytes(context.Request.Headers.GetValueOrDefault("X-Env", ""))));`,
}

// FuzzCompile checks that Compile never panics and returns either a
// Program or an *Error.
func FuzzCompile(f *testing.F) {
	for _, s := range append(append([]string{}, fuzzSeeds...), fuzzBlockSeeds...) {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Add(`$"{x:{y}}"`, false)
	f.Add(`(a)(b)<c>(d)`, false)
	f.Fuzz(func(t *testing.T, src string, block bool) {
		kind := Inline
		if block {
			kind = Block
		}
		p, err := Compile(src, kind)
		if (p == nil) == (err == nil) {
			t.Fatalf("Compile(%q) = %v, %v: want exactly one of Program and error", src, p, err)
		}
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%q) error %T, want *Error", src, err)
			}
			if strings.Contains(pe.Msg, "internal error") || pe.Line < 1 || pe.Col < 1 {
				t.Fatalf("Compile(%q): %v", src, err)
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
	var progs []*Program
	for _, s := range fuzzSeeds {
		p, err := Compile(s, Inline)
		if err != nil {
			f.Fatalf("Compile(%q): %v", s, err)
		}
		progs = append(progs, p)
	}
	for _, s := range fuzzBlockSeeds {
		p, err := Compile(s, Block)
		if err != nil {
			f.Fatalf("Compile(%q): %v", s, err)
		}
		progs = append(progs, p)
	}
	f.Fuzz(func(t *testing.T, env, auth, body string) {
		for _, p := range progs {
			c := &Context{Request: &Request{
				Method:  "GET",
				URL:     &URL{Scheme: "https", Host: "h", Path: "/p"},
				Headers: http.Header{"X-Env": {env}, "Authorization": {auth}, "X-Basic": {auth}},
				Body:    BodyOf([]byte(body)),
			}}
			_, err := p.Eval(c)
			if err != nil {
				var pe *Error
				if !errors.As(err, &pe) || strings.Contains(pe.Msg, "internal error") {
					t.Fatalf("Eval(%q): %v", p, err)
				}
			}
		}
	})
}
