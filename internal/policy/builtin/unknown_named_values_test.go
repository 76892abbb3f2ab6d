package builtin

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// TestUnknownNamedValueTexts: policy check runs without the service's
// named values (Env.AnyNamedValue). A list item or key whose text is such
// a named value, as in <audience>{{client-id}}</audience>, is accepted,
// and the element compiled with it refuses rather than lets through.
func TestUnknownNamedValueTexts(t *testing.T) {
	tests := []struct {
		name, elem string
	}{
		{"audience", `<validate-jwt><issuer-signing-keys><key>c2VjcmV0LWtleS1vZi0zMi1ieXRlcy1mb3ItaHMyNTY=</key></issuer-signing-keys><audiences><audience>{{client-id}}</audience></audiences></validate-jwt>`},
		{"issuer", `<validate-jwt><issuer-signing-keys><key>c2VjcmV0LWtleS1vZi0zMi1ieXRlcy1mb3ItaHMyNTY=</key></issuer-signing-keys><issuers><issuer>{{issuer}}</issuer></issuers></validate-jwt>`},
		{"signing key", `<validate-jwt><issuer-signing-keys><key>{{jwt-signing-key}}</key></issuer-signing-keys></validate-jwt>`},
		{"cors origin", `<cors allow-credentials="false"><allowed-origins><origin>{{portal-origin}}</origin></allowed-origins></cors>`},
		{"ip-filter address", `<ip-filter action="forbid"><address>{{blocked-ip}}</address></ip-filter>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := compileWith(t, policy.Env{AnyNamedValue: true}, inbound(tt.elem)); err != nil {
				t.Fatalf("compile: %v", err)
			}
			// Where named values are known, a missing one is refused.
			if _, err := compileWith(t, policy.Env{}, inbound(tt.elem)); err == nil || !strings.Contains(err.Error(), "named value") {
				t.Errorf("compile without the named value: %v, want it refused", err)
			}
		})
	}
}

func TestUnknownNamedValuesRefuse(t *testing.T) {
	p, err := compileWith(t, policy.Env{AnyNamedValue: true}, inbound(`<ip-filter action="forbid"><address>{{blocked-ip}}</address></ip-filter>`))
	if err != nil {
		t.Fatal(err)
	}
	c := runInbound(t, p, func(c *policy.Context) { c.Request.IPAddress = "203.0.113.9" })
	refusedWith(t, c, 403, "Forbidden")

	token := hsToken(t, jose.HS256, testSecret, jwt.Claims{Subject: "ann", Audience: jwt.Audience{"api://orders"}, Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}, nil)
	key := base64.StdEncoding.EncodeToString(testSecret)
	for name, elem := range map[string]string{
		"signing key": `<validate-jwt><issuer-signing-keys><key>{{jwt-signing-key}}</key></issuer-signing-keys></validate-jwt>`,
		"audience":    `<validate-jwt><issuer-signing-keys><key>` + key + `</key></issuer-signing-keys><audiences><audience>{{client-id}}</audience></audiences></validate-jwt>`,
	} {
		p, err := compileWith(t, policy.Env{AnyNamedValue: true}, inbound(elem))
		if err != nil {
			t.Fatal(err)
		}
		c := runInbound(t, p, func(c *policy.Context) { c.Request.Headers.Set("Authorization", "Bearer "+token) })
		if !c.Ended() || c.Response.StatusCode != 401 {
			t.Errorf("%s: a token was let through by a named value not known here", name)
		}
	}
}
