package builtin

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// DefaultEntraAuthority is the Microsoft Entra ID authority that
// validate-azure-ad-token discovers tenants' keys from, unless the
// gateway is given another (a sovereign cloud, or a test's OIDC server)
// or the element's authentication-endpoint names one.
const DefaultEntraAuthority = "https://login.microsoftonline.com"

// maxEntraTenants bounds how many tenants one element with a tenant-id
// expression keeps the keys of.
const maxEntraTenants = 100

// validateAzureADToken implements <validate-azure-ad-token tenant-id="...">
// with validate-jwt's machinery: the token (header-name, default
// Authorization without its "Bearer " prefix, query-parameter-name or
// token-value) must be signed with a key that OpenID Connect discovery
// of {authority}/{tenant}/v2.0 publishes, be within its lifetime, come
// from the tenant (issuer {authority}/{tid}/v2.0, or
// https://sts.windows.net/{tid}/ for v1 tokens; for common and
// organizations, any tenant's), have an audience among <audiences> and
// <backend-application-ids> (an id or api://id) when either is given,
// a client application (azp, or appid for v1 tokens) among
// <client-application-ids> when given, and satisfy <required-claims>.
// Refusals are validate-jwt's: failed-validation-httpcode (401) with
// failed-validation-error-message. tenant-id may be an expression; keys
// are fetched per tenant, lazily, never while compiling.
type validateAzureADToken struct {
	tenant policy.Value
	fixed  *validateJWT                 // for a literal tenant-id
	build  func(string) *validateJWT    // for a tenant, normalised
	norm   func(string) (string, error) // tenant-id → tenant
	byTen  sync.Map                     // tenant → *validateJWT, for expressions
	count  atomic.Int64
}

var _ policy.Step = (*validateAzureADToken)(nil)

func compileValidateAzureADToken(client *http.Client, authority string) policy.CompileFunc {
	if authority == "" {
		authority = DefaultEntraAuthority
	}
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "tenant-id", "header-name", "query-parameter-name", "token-value", "authentication-endpoint",
			"failed-validation-httpcode", "failed-validation-error-message", "output-token-variable-name")
		requireInbound(n, c)
		base := authority
		if s, a, ok := c.Literal(n, "authentication-endpoint", false); ok {
			if u, err := url.Parse(strings.TrimSpace(s)); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				c.AttrErrorf(n, a, "%q is not an absolute http or https URL", s)
			}
			base = strings.TrimSpace(s)
		}
		base = strings.TrimSuffix(base, "/")
		source := compileTokenSource(n, c)
		code := compileStatus(n, c, "failed-validation-httpcode", http.StatusUnauthorized, false)
		message, _ := c.Attr(n, "failed-validation-error-message", false)
		output, _, _ := c.Literal(n, "output-token-variable-name", false)
		rules := compileEntraRules(n, c)
		v := &validateAzureADToken{norm: func(t string) (string, error) { return entraTenant(t, base) }}
		v.build = func(tenant string) *validateJWT {
			return &validateJWT{source: source, code: code, message: message, requireExp: true, output: output,
				claims: rules.claims, check: rules.check,
				openID: []*openIDKeys{{url: base + "/" + tenant + "/v2.0/.well-known/openid-configuration", client: client}}}
		}
		v.tenant, _ = c.Attr(n, "tenant-id", true)
		if lit, isLit := v.tenant.Literal(); isLit && v.tenant.IsSet() {
			tenant, err := v.norm(lit)
			if err != nil {
				a, _ := n.Attr("tenant-id")
				c.AttrErrorf(n, a, "%v", err)
			}
			v.fixed = v.build(tenant)
		}
		return v
	}
}

func (v *validateAzureADToken) Do(c *policy.Context) error {
	if v.fixed != nil {
		return v.fixed.Do(c)
	}
	raw, err := v.tenant.String(c)
	if err != nil {
		return fmt.Errorf("tenant-id: %w", err)
	}
	tenant, err := v.norm(raw)
	if err != nil {
		return fmt.Errorf("tenant-id: %w", err)
	}
	if jv, ok := v.byTen.Load(tenant); ok {
		return jv.(*validateJWT).Do(c)
	}
	if v.count.Add(1) > maxEntraTenants {
		return fmt.Errorf("tenant-id: more than %d tenants", maxEntraTenants)
	}
	jv, _ := v.byTen.LoadOrStore(tenant, v.build(tenant))
	return jv.(*validateJWT).Do(c)
}

// entraTenant returns the tenant of a tenant-id: a GUID, a domain
// (contoso.onmicrosoft.com), common, organizations or consumers, or a
// URL naming one (https://contoso.onmicrosoft.com, or the authority's
// URL with the tenant as its first path segment).
func entraTenant(s, authority string) (string, error) {
	t := strings.TrimSpace(s)
	if strings.Contains(t, "://") {
		u, err := url.Parse(t)
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("%q is not a tenant id, domain or URL", s)
		}
		t = u.Host
		if a, err := url.Parse(authority); (err == nil && strings.EqualFold(u.Host, a.Host)) || strings.EqualFold(u.Host, "login.microsoftonline.com") {
			t, _, _ = strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		}
	}
	if t == "" || len(t) > 253 || strings.Trim(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != "" {
		return "", fmt.Errorf("%q is not a tenant id, domain or URL", s)
	}
	return t, nil
}

// entraRules are the checks of validate-azure-ad-token beyond the
// signature and lifetime.
type entraRules struct {
	audiences []string // <audiences>, and the backend applications' ids and api://ids
	clients   []string
	claims    []requiredClaim
}

// compileEntraRules compiles the child elements.
func compileEntraRules(n *policy.Node, c *policy.Compiler) *entraRules {
	r := &entraRules{}
	seen := map[string]bool{}
	for _, ch := range n.Children {
		if seen[ch.Name] {
			c.Errorf(ch, "<%s> appears twice", ch.Name)
			continue
		}
		seen[ch.Name] = true
		c.Only(ch)
		switch ch.Name {
		case "client-application-ids":
			r.clients = textList(ch, c, "application-id")
		case "backend-application-ids":
			for _, id := range textList(ch, c, "application-id") {
				r.audiences = append(r.audiences, id, "api://"+id)
			}
		case "audiences":
			r.audiences = append(r.audiences, textList(ch, c, "audience")...)
		case "required-claims":
			r.claims = compileRequiredClaims(ch, c)
		case "decryption-keys":
			c.Errorf(ch, "encrypted tokens are not supported")
		default:
			c.Errorf(ch, "only <client-application-ids>, <backend-application-ids>, <audiences> and <required-claims> belong in <validate-azure-ad-token>")
		}
	}
	if !seen["client-application-ids"] && !seen["audiences"] && !seen["backend-application-ids"] {
		c.Errorf(n, "give <client-application-ids>, <audiences> or <backend-application-ids>: without them any token of the tenant would pass")
	}
	return r
}

// check checks the issuer, audience and client application of a
// verified token; discovered are the issuers of the tenant's discovery
// document ("{tenantid}" in them stands for the token's tid).
func (r *entraRules) check(std *jwt.Claims, all map[string]any, discovered []string) jwtFailure {
	tid, _ := all["tid"].(string)
	if !entraIssuer(std.Issuer, tid, discovered) {
		return jwtFailure{"TokenIssuerNotAllowed", "Issuer validation failed."}
	}
	if len(r.audiences) > 0 && !slices.ContainsFunc(r.audiences, std.Audience.Contains) {
		return jwtFailure{"TokenAudienceNotAllowed", "Audience validation failed."}
	}
	if len(r.clients) > 0 {
		app, _ := all["azp"].(string)
		if app == "" {
			app, _ = all["appid"].(string)
		}
		if !slices.ContainsFunc(r.clients, func(id string) bool { return strings.EqualFold(id, app) }) {
			return jwtFailure{"TokenClaimValueNotAllowed", "Client application validation failed: " + fmt.Sprintf("%q", app) + " is not allowed."}
		}
	}
	return jwtFailure{}
}

// entraIssuer reports whether iss is an issuer of the tenant whose
// discovery document named discovered: one of them with {tenantid} the
// token's tid, or the v1 issuer https://sts.windows.net/{tid}/ of the
// same tenant.
func entraIssuer(iss, tid string, discovered []string) bool {
	for _, d := range discovered {
		if tid != "" {
			d = strings.ReplaceAll(d, "{tenantid}", tid)
		}
		if iss == d {
			return true
		}
		if tid != "" && strings.Contains(d, "/"+tid+"/") && iss == "https://sts.windows.net/"+tid+"/" {
			return true
		}
	}
	return false
}
