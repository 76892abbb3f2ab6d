package builtin

import "testing"

func TestGetAuthorizationContextCompile(t *testing.T) {
	checkCompileErrors(t, []compileErrorCase{
		{"provider-id required", inbound(`<get-authorization-context authorization-id="a" context-variable-name="v" />`), "attribute provider-id is required"},
		{"context-variable-name required", inbound(`<get-authorization-context provider-id="p" authorization-id="a" />`), "attribute context-variable-name is required"},
		{"jwt identity", inbound(`<get-authorization-context provider-id="p" authorization-id="a" context-variable-name="v" identity-type="jwt" identity="x" />`), `"jwt" is not supported yet`},
		{"ignore-error not a bool", inbound(`<get-authorization-context provider-id="p" authorization-id="a" context-variable-name="v" ignore-error="maybe" />`), `"maybe": want true or false`},
	})
	if _, err := compileDoc(nil, inbound(`<get-authorization-context provider-id="@("p")" authorization-id="a" context-variable-name="v" identity-type="managed" ignore-error="@(true)" />`)); err != nil {
		t.Errorf("expressions, as APIM allows: %v", err)
	}
}
