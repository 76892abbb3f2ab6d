package builtin

import "testing"

func TestGetAuthorizationContextCompile(t *testing.T) {
	checkCompileErrors(t, []compileErrorCase{
		{"provider-id required", inbound(`<get-authorization-context authorization-id="a" context-variable-name="v" />`), "attribute provider-id is required"},
		{"context-variable-name required", inbound(`<get-authorization-context provider-id="p" authorization-id="a" />`), "attribute context-variable-name is required"},
		{"jwt identity", inbound(`<get-authorization-context provider-id="p" authorization-id="a" context-variable-name="v" identity-type="jwt" identity="x" />`), `"jwt" is not supported yet`},
		{"ignore-error not a bool", inbound(`<get-authorization-context provider-id="p" authorization-id="a" context-variable-name="v" ignore-error="maybe" />`), `"maybe": want true or false`},
	})
	for _, doc := range []string{
		inbound(`<get-authorization-context provider-id="@("p")" authorization-id="a" context-variable-name="v" identity-type="managed" ignore-error="@(true)" />`),
		inbound(`<get-authorization-context provider-id="p" authorization-id="a" context-variable-name="v" />`), // defaults
	} {
		if _, err := compileDoc(nil, doc); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
	}
}
