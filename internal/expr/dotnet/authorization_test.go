package dotnet

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// TestAuthorization: APIM's documented use, the token from the context
// variable get-authorization-context filled:
// "@("Bearer " + ((Authorization)context.Variables.GetValueOrDefault("auth-context"))?.AccessToken)"
func TestAuthorization(t *testing.T) {
	lib := NewLibrary()
	AddAuthorization(lib)
	auth := NewAuthorization("tok-123", map[string]any{"access_token": "tok-123", "token_type": "Bearer", "expires_in": float64(3600),
		"scope": "read write", "ext": map[string]any{"a": []any{float64(1)}}})
	for _, tt := range []struct{ src, want string }{
		{`"Bearer " + ((Authorization)context.Variables.GetValueOrDefault("auth-context"))?.AccessToken`, "string:Bearer tok-123"},
		{`((Authorization)context.Variables["auth-context"]).Claims["expires_in"]`, "int:3600"},
		{`((Authorization)context.Variables["auth-context"]).Claims["scope"]`, "string:read write"},
		{`((Authorization)context.Variables["auth-context"]).Claims.ContainsKey("refresh_token")`, "bool:False"},
		{`((Authorization)context.Variables["auth-context"]).Claims.Count`, "int:5"},
		{`context.Variables["auth-context"].ToString()`, "string:Authorization"},
		{`((Authorization)context.Variables.GetValueOrDefault("missing"))?.AccessToken ?? "none"`, "string:none"},
	} {
		p, err := expr.Compile(tt.src, expr.Inline, lib)
		if err != nil {
			t.Errorf("Compile(%s): %v", tt.src, err)
			continue
		}
		c := newTestContext()
		c.Variables["auth-context"] = auth
		v, err := p.Eval(c)
		if err != nil {
			t.Errorf("Eval(%s): %v", tt.src, err)
			continue
		}
		if got := show(v); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.src, got, tt.want)
		}
	}
}
