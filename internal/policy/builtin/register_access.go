package builtin

import "github.com/gatehouse/gatehouse/internal/policy"

// registerAccess adds the access-restriction elements to r: check-header,
// ip-filter, cors, validate-jwt and validate-azure-ad-token. Both
// validate elements fetch openid-config documents and keys with
// d.HTTPClient, lazily, never while compiling.
func registerAccess(r *policy.Registry, d Deps) {
	r.Add("check-header", compileCheckHeader)
	r.Add("ip-filter", compileIPFilter)
	r.Add("cors", compileCORS)
	r.Add("validate-jwt", compileValidateJWT(d.HTTPClient))
	r.Add("validate-azure-ad-token", compileValidateAzureADToken(d.HTTPClient, d.EntraAuthority))
}
