package builtin

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// The benchmarks here measure, per request, the policy elements that
// scripts/bench.sh puts in front of a keyed API: rate-limit-by-key with
// in-memory counters and validate-jwt with an HS256 key. Each iteration
// builds a fresh request context, as the gateway does, and runs the
// inbound section.

// benchPipeline compiles an inbound document with an in-memory limits
// store on the real clock.
func benchPipeline(b *testing.B, elems string) *policy.Pipeline {
	b.Helper()
	d, err := policy.Parse(inbound(elems))
	if err != nil {
		b.Fatal(err)
	}
	eff, err := policy.Merge(nil, d)
	if err != nil {
		b.Fatal(err)
	}
	reg := policy.NewRegistry()
	Register(reg, Deps{Limits: limits.NewMemory(nil)})
	p, err := reg.Compile(eff, policy.Env{})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// benchContext is a keyed GET request's context, as the gateway builds it.
func benchContext(h http.Header) *policy.Context {
	return &policy.Context{
		Context: expr.Context{
			Request: &expr.Request{Method: "GET", Headers: h, IPAddress: "192.0.2.10",
				URL:  &expr.URL{Scheme: "http", Host: "gw", Port: 80, Path: "/keyed/hello"},
				Body: expr.BodyOf(nil)},
			Variables:    map[string]any{},
			Subscription: &expr.Subscription{ID: "bench", Name: "bench", Key: "bench-key"},
			API:          &expr.API{ID: "ratelimit", Name: "ratelimit"},
			Operation:    &expr.Operation{ID: "all", Name: "all"},
		},
		Ctx: context.Background(),
	}
}

// runBench runs p's inbound section b.N times and fails when a request is
// refused.
func runBench(b *testing.B, p *policy.Pipeline, h http.Header) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		c := benchContext(h)
		if err := p.Run(policy.Inbound, c); err != nil {
			b.Fatal(err)
		}
		if c.Ended() {
			body, _ := c.Response.Body.Bytes()
			b.Fatalf("refused: %d %s", c.Response.StatusCode, body)
		}
	}
}

// BenchmarkRateLimitByKeyMemory measures scripts/bench.sh's rate-limit
// policy: one subscription's counter that admits everything. The sliding
// window keeps one entry per admitted call for renewal-period, so the
// 60-second case measures a log that grows through the benchmark (as it
// does under load), the 1-second case a short one.
func BenchmarkRateLimitByKeyMemory(b *testing.B) {
	for _, period := range []string{"60", "1"} {
		b.Run("renewal-period="+period, func(b *testing.B) {
			p := benchPipeline(b, `<rate-limit-by-key calls="1000000000" renewal-period="`+period+`" counter-key="@(context.Subscription.Id)" />`)
			runBench(b, p, http.Header{})
		})
	}
}

// BenchmarkValidateJWT measures validate-jwt with an HS256 issuer signing
// key, an audience and an issuer, on a valid token in the Authorization
// header.
func BenchmarkValidateJWT(b *testing.B) {
	secret := []byte("gatehouse-bench-secret-0123456789abcdef")
	const iss, aud = "https://bench.gatehouse.invalid/", "api://gatehouse-bench"
	p := benchPipeline(b, `<validate-jwt header-name="Authorization" require-scheme="Bearer">
  <issuer-signing-keys><key>`+base64.StdEncoding.EncodeToString(secret)+`</key></issuer-signing-keys>
  <audiences><audience>`+aud+`</audience></audiences>
  <issuers><issuer>`+iss+`</issuer></issuers>
</validate-jwt>`)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	token, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: iss, Audience: jwt.Audience{aud}, Subject: "bench-user",
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}).Serialize()
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, p, http.Header{"Authorization": {"Bearer " + token}})
}
