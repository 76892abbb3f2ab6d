package gateway

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// entraTenantID is the tenant of the test's Entra authority; it is also
// known by the domain contoso.onmicrosoft.com.
const entraTenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"

// fakeEntra is an OpenID Connect server shaped like Microsoft Entra ID's
// authority: {URL}/{tenant}/v2.0/.well-known/openid-configuration for
// the tenant's id or domain, and "common" (whose issuer has {tenantid}).
type fakeEntra struct {
	URL       string
	key       *rsa.PrivateKey
	discovery atomic.Int32
}

func newFakeEntra(t *testing.T) *fakeEntra {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	fe := &fakeEntra{key: key}
	srv := httptest.NewServer(http.HandlerFunc(fe.serve))
	t.Cleanup(srv.Close)
	fe.URL = srv.URL
	return fe
}

func (fe *fakeEntra) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/" + entraTenantID + "/v2.0/.well-known/openid-configuration", "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration":
		fe.discovery.Add(1)
		json.NewEncoder(w).Encode(map[string]string{"issuer": fe.URL + "/" + entraTenantID + "/v2.0", "jwks_uri": fe.URL + "/common/discovery/v2.0/keys"})
	case "/common/v2.0/.well-known/openid-configuration":
		fe.discovery.Add(1)
		json.NewEncoder(w).Encode(map[string]string{"issuer": fe.URL + "/{tenantid}/v2.0", "jwks_uri": fe.URL + "/common/discovery/v2.0/keys"})
	case "/common/discovery/v2.0/keys":
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &fe.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	default:
		http.NotFound(w, r)
	}
}

// token signs claims with the authority's key; extra claims are added.
func (fe *fakeEntra) token(t *testing.T, iss, aud string, extra map[string]any) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: fe.key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	std := jwt.Claims{Issuer: iss, Audience: jwt.Audience{aud}, Subject: "user-1", IssuedAt: jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}
	raw, err := jwt.Signed(sig).Claims(std).Claims(extra).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// entraGateway serves policy in front of a backend that echoes the
// X-Caller header it gets, with the gateway's authority at fe.
func entraGateway(t *testing.T, fe *fakeEntra, policy string) string {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "caller="+r.Header.Get("X-Caller"))
	}))
	t.Cleanup(backend.Close)
	s := NewServer(Options{EntraAuthority: fe.URL})
	t.Cleanup(func() { s.Close() })
	rt, err := s.Compile(&snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend.URL,
		KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key", Policy: policy,
		Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}}})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s.Install(rt)
	gw := httptest.NewServer(s)
	t.Cleanup(gw.Close)
	return gw.URL
}

func getWithToken(t *testing.T, url, token string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// TestValidateAzureADToken: tokens of the tenant (v2 and v1 issuers) for
// an allowed client application and audience pass, and the output
// variable holds the token; others are refused with 401.
func TestValidateAzureADToken(t *testing.T) {
	fe := newFakeEntra(t)
	const clientApp, backendApp = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
	gw := entraGateway(t, fe, `<policies><inbound><base />
  <validate-azure-ad-token tenant-id="contoso.onmicrosoft.com" output-token-variable-name="jwt"
      failed-validation-error-message="Unauthorized. Access token is missing or invalid.">
    <client-application-ids><application-id>`+clientApp+`</application-id></client-application-ids>
    <backend-application-ids><application-id>`+backendApp+`</application-id></backend-application-ids>
    <required-claims><claim name="roles" match="any"><value>Orders.Read</value></claim></required-claims>
  </validate-azure-ad-token>
  <set-header name="X-Caller" exists-action="override"><value>@(((Jwt)context.Variables["jwt"]).Subject)</value></set-header>
</inbound><backend><base /></backend></policies>`)
	v2 := fe.URL + "/" + entraTenantID + "/v2.0"
	v1 := "https://sts.windows.net/" + entraTenantID + "/"
	claims := func(app string) map[string]any {
		return map[string]any{"tid": entraTenantID, "azp": app, "roles": []string{"Orders.Read"}}
	}
	const refused = `{"statusCode":401,"message":"Unauthorized. Access token is missing or invalid."}`
	tests := []struct {
		name, token string
		want        int
	}{
		{"v2 token", fe.token(t, v2, backendApp, claims(clientApp)), 200},
		{"v1 token with appid and api:// audience", fe.token(t, v1, "api://"+backendApp, map[string]any{"tid": entraTenantID, "appid": clientApp, "roles": "Orders.Read"}), 200},
		{"another client application", fe.token(t, v2, backendApp, claims("33333333-3333-3333-3333-333333333333")), 401},
		{"another audience", fe.token(t, v2, "api://billing", claims(clientApp)), 401},
		{"another tenant's issuer", fe.token(t, fe.URL+"/00000000-0000-0000-0000-000000000000/v2.0", backendApp, claims(clientApp)), 401},
		{"v1 issuer of another tenant", fe.token(t, "https://sts.windows.net/00000000-0000-0000-0000-000000000000/", backendApp,
			map[string]any{"tid": "00000000-0000-0000-0000-000000000000", "azp": clientApp, "roles": "Orders.Read"}), 401},
		{"required claim missing", fe.token(t, v2, backendApp, map[string]any{"tid": entraTenantID, "azp": clientApp}), 401},
		{"no token", "", 401},
		{"not a token", "abc.def.ghi", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, h := getWithToken(t, gw+"/orders/1", tt.token)
			if code != tt.want {
				t.Fatalf("status %d (%s), want %d", code, body, tt.want)
			}
			if code == 200 && body != "caller=user-1" {
				t.Errorf("backend answered %q, want the token's subject from the output variable", body)
			}
			if code == 401 && (body != refused || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer")) {
				t.Errorf("refusal %s, WWW-Authenticate %q", body, h.Get("WWW-Authenticate"))
			}
		})
	}
	if n := fe.discovery.Load(); n != 1 {
		t.Errorf("discovery fetched %d times, want once", n)
	}
}

// TestValidateAzureADTokenCommonTenant: with tenant-id common any
// tenant's token passes, its issuer matched with its own tid; a
// tenant-id expression picks the tenant per request.
func TestValidateAzureADTokenCommonTenant(t *testing.T) {
	fe := newFakeEntra(t)
	gw := entraGateway(t, fe, `<policies><inbound><base />
  <validate-azure-ad-token tenant-id="@(context.Request.Headers.GetValueOrDefault(&quot;X-Tenant&quot;, &quot;common&quot;))" failed-validation-httpcode="403">
    <audiences><audience>api://orders</audience></audiences>
  </validate-azure-ad-token>
</inbound><backend><base /></backend></policies>`)
	other := "00000000-0000-0000-0000-000000000000"
	tok := fe.token(t, fe.URL+"/"+other+"/v2.0", "api://orders", map[string]any{"tid": other})
	if code, body, _ := getWithToken(t, gw+"/orders/1", tok); code != 200 {
		t.Errorf("common: another tenant's token: %d %s", code, body)
	}
	forged := fe.token(t, fe.URL+"/"+other+"/v2.0", "api://orders", map[string]any{"tid": entraTenantID})
	if code, _, _ := getWithToken(t, gw+"/orders/1", forged); code != 403 {
		t.Errorf("common: issuer of another tenant than tid: %d, want 403", code)
	}
	req, _ := http.NewRequest("GET", gw+"/orders/1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Tenant", entraTenantID)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Errorf("tenant %s: another tenant's token: %d, want 403", entraTenantID, res.StatusCode)
	}
}
