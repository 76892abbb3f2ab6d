package builtin

import "testing"

func TestEntraTenant(t *testing.T) {
	tests := []struct{ in, authority, want string }{
		{"72f988bf-86f1-41af-91ab-2d7cd011db47", DefaultEntraAuthority, "72f988bf-86f1-41af-91ab-2d7cd011db47"},
		{" contoso.onmicrosoft.com ", DefaultEntraAuthority, "contoso.onmicrosoft.com"},
		{"https://contoso.onmicrosoft.com", DefaultEntraAuthority, "contoso.onmicrosoft.com"},
		{"https://login.microsoftonline.com/organizations", DefaultEntraAuthority, "organizations"},
		{"https://login.microsoftonline.us/contoso.onmicrosoft.us/v2.0", "https://login.microsoftonline.us", "contoso.onmicrosoft.us"},
		{"common", DefaultEntraAuthority, "common"},
		{"../other", DefaultEntraAuthority, ""},
		{"a/b", DefaultEntraAuthority, ""},
		{"", DefaultEntraAuthority, ""},
		{"https://", DefaultEntraAuthority, ""},
	}
	for _, tt := range tests {
		got, err := entraTenant(tt.in, tt.authority)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("entraTenant(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestEntraIssuer(t *testing.T) {
	const tid = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	v2 := "https://login.microsoftonline.com/" + tid + "/v2.0"
	common := "https://login.microsoftonline.com/{tenantid}/v2.0"
	tests := []struct {
		name, iss, tid string
		discovered     []string
		want           bool
	}{
		{"v2", v2, tid, []string{v2}, true},
		{"v1 of the tenant", "https://sts.windows.net/" + tid + "/", tid, []string{v2}, true},
		{"v1 of another tenant", "https://sts.windows.net/other/", "other", []string{v2}, false},
		{"common, the token's tenant", "https://login.microsoftonline.com/other/v2.0", "other", []string{common}, true},
		{"common, another tenant than tid", "https://login.microsoftonline.com/other/v2.0", tid, []string{common}, false},
		{"common without tid", common, "", []string{common}, true},
		{"nothing discovered", v2, tid, nil, false},
	}
	for _, tt := range tests {
		if got := entraIssuer(tt.iss, tt.tid, tt.discovered); got != tt.want {
			t.Errorf("%s: entraIssuer = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestValidateAzureADTokenCompileErrors(t *testing.T) {
	aud := `<audiences><audience>api://orders</audience></audiences>`
	checkCompileErrors(t, []compileErrorCase{
		{"tenant required", inbound(`<validate-azure-ad-token>` + aud + `</validate-azure-ad-token>`), "attribute tenant-id is required"},
		{"bad tenant", inbound(`<validate-azure-ad-token tenant-id="a/b">` + aud + `</validate-azure-ad-token>`), `1:56: <validate-azure-ad-token> tenant-id: "a/b" is not a tenant id`},
		{"no principals", inbound(`<validate-azure-ad-token tenant-id="common" />`), "give <client-application-ids>, <audiences> or <backend-application-ids>"},
		{"empty client ids", inbound(`<validate-azure-ad-token tenant-id="common"><client-application-ids /></validate-azure-ad-token>`), "at least one <application-id> is required"},
		{"bad status", inbound(`<validate-azure-ad-token tenant-id="common" failed-validation-httpcode="4010">` + aud + `</validate-azure-ad-token>`), "is not an HTTP status code"},
		{"bad endpoint", inbound(`<validate-azure-ad-token tenant-id="common" authentication-endpoint="login.example">` + aud + `</validate-azure-ad-token>`), "is not an absolute http or https URL"},
		{"two token sources", inbound(`<validate-azure-ad-token tenant-id="common" header-name="A" query-parameter-name="t">` + aud + `</validate-azure-ad-token>`), "give at most one of header-name"},
		{"validate-jwt attribute", inbound(`<validate-azure-ad-token tenant-id="common" clock-skew="5">` + aud + `</validate-azure-ad-token>`), "unknown attribute"},
		{"decryption keys", inbound(`<validate-azure-ad-token tenant-id="common">` + aud + `<decryption-keys><key>abc=</key></decryption-keys></validate-azure-ad-token>`), "encrypted tokens are not supported"},
		{"unknown child", inbound(`<validate-azure-ad-token tenant-id="common">` + aud + `<issuers><issuer>x</issuer></issuers></validate-azure-ad-token>`), "only <client-application-ids>"},
		{"twice", inbound(`<validate-azure-ad-token tenant-id="common">` + aud + aud + `</validate-azure-ad-token>`), "<audiences> appears twice"},
		{"outbound", `<policies><inbound /><outbound><validate-azure-ad-token tenant-id="common">` + aud + `</validate-azure-ad-token></outbound></policies>`, "belongs in the inbound section"},
	})
}
