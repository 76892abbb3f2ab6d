package builtin

import "testing"

func TestValidateGraphQLRequestCompileErrors(t *testing.T) {
	t.Parallel()
	checkCompileErrors(t, []compileErrorCase{
		{"max-size is required", inbound(`<validate-graphql-request />`), "attribute max-size is required"},
		// "Maximum allowed value: 102,400 bytes (100 KB)."
		{"max-size above APIM's limit", inbound(`<validate-graphql-request max-size="102401" />`), "more than the largest allowed, 102400"},
		{"max-depth not a number", inbound(`<validate-graphql-request max-size="10" max-depth="deep" />`), `"deep" is not a positive integer`},
		{"unknown action", inbound(`<validate-graphql-request max-size="10"><authorize><rule path="/Query/a" action="drop" /></authorize></validate-graphql-request>`), `"drop": want allow, remove, reject or ignore`},
		{"path without a slash", inbound(`<validate-graphql-request max-size="10"><authorize><rule path="Query/a" /></authorize></validate-graphql-request>`), "want /type/field"},
		{"path too long", inbound(`<validate-graphql-request max-size="10"><authorize><rule path="/a/b/c" /></authorize></validate-graphql-request>`), "want /type/field"},
		{"star inside a part", inbound(`<validate-graphql-request max-size="10"><authorize><rule path="/Qu*ery/a" /></authorize></validate-graphql-request>`), "'*' may only end"},
		{"rule outside authorize", inbound(`<validate-graphql-request max-size="10"><rule path="/a" /></validate-graphql-request>`), "holds one <authorize>"},
		{"outbound", "<policies><outbound><validate-graphql-request max-size=\"10\" /></outbound></policies>", "belongs in inbound"},
	})
}
