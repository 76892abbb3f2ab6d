package dotnet

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
)

func benchEval(b *testing.B, src string, kind expr.Kind, c *expr.Context) {
	b.Helper()
	p, err := compile(src, kind)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.Eval(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeaderEquals is the hot path: a condition on a header.
func BenchmarkHeaderEquals(b *testing.B) {
	c := &expr.Context{Request: &expr.Request{Headers: http.Header{"X-Env": {"prod"}}}}
	benchEval(b, `context.Request.Headers.GetValueOrDefault("X-Env", "dev") == "prod"`, Inline, c)
}

func BenchmarkInterpolation(b *testing.B) {
	benchEval(b, `$"{context.Request.Method} {context.Request.Url.Path} {context.Subscription.Id}"`, Inline, newTestContext())
}

func BenchmarkJWTClaim(b *testing.B) {
	benchEval(b, `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt()?.Claims.GetValueOrDefault("tid", "none")`, Inline, newTestContext())
}

func BenchmarkBlockLoop(b *testing.B) {
	benchEval(b, `var s = 0; for (var i = 0; i < 100; i++) { s += i; } return s;`, Block, newTestContext())
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := compile(`context.Request.Headers.GetValueOrDefault("X-Env", "dev") == "prod"`, Inline); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBodyJSON reads a field of a 4 KB JSON body.
func BenchmarkBodyJSON(b *testing.B) {
	body := []byte(`{"name":"widget","items":[` + strings.Repeat(`{"sku":"abc-123","qty":2,"price":9.99,"tags":["x","y"]},`, 60) + `{}]}`)
	c := &expr.Context{Request: &expr.Request{Body: expr.BodyOf(body)}}
	benchEval(b, `context.Request.Body.As<JObject>(preserveContent: true)["name"].ToString()`, Inline, c)
}
