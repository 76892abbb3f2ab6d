package mgmt

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestAuthorizationProviders: a provider's client secret is write-only
// (never in a GET or the stored properties, kept when left out of a
// replace); a connection needs its provider and a grant the provider
// offers; authorization-code connections are stored not connected;
// deleting a provider deletes its connections.
func TestAuthorizationProviders(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/authorizationProviders/partner", `{"properties": {"identityProvider": "oauth2", "oauth2": {"grantTypes": {
		"clientCredentials": {"clientId": "gw", "clientSecret": "pr0vider-s3cret", "tokenUrl": "https://login.partner.example/token"},
		"authorizationCode": {"clientId": "gw", "clientSecret": "c0de-s3cret", "tokenUrl": "https://login.partner.example/token"}}}}}`)
	for _, path := range []string{"/authorizationProviders/partner", "/authorizationProviders"} {
		if r := a.do("GET", path, ""); r.status != 200 || strings.Contains(r.raw, "s3cret") || !strings.Contains(r.raw, `"clientId": "gw"`) {
			t.Errorf("GET %s: %d %s", path, r.status, r.raw)
		}
	}
	rec, err := storedProvider(a)
	if err != nil || strings.Contains(string(rec.Props), "s3cret") || !strings.Contains(string(rec.Secret), "pr0vider-s3cret") {
		t.Errorf("stored props %s (err %v): want the secrets in the sealed secret only", rec.Props, err)
	}
	// Replacing without the secrets keeps them.
	a.must("PUT", "/authorizationProviders/partner", `{"properties": {"identityProvider": "oauth2", "oauth2": {"grantTypes": {
		"clientCredentials": {"clientId": "gw2", "tokenUrl": "https://login.partner.example/token"}}}}}`)
	if rec, _ := storedProvider(a); rec == nil || !strings.Contains(string(rec.Secret), "pr0vider-s3cret") {
		t.Error("a replace without the secret lost it")
	}
	r := a.do("PUT", "/authorizationProviders/other", `{"properties": {"identityProvider": "oauth2", "oauth2": {"grantTypes": {"clientCredentials": {"clientId": "gw", "tokenUrl": "https://x/token"}}}}}`)
	if _, target, _ := errorOf(t, r); r.status != http.StatusBadRequest || target != "properties.oauth2.grantTypes.clientCredentials.clientSecret" {
		t.Errorf("a provider without a secret: %d %s", r.status, target)
	}
	r = a.do("PUT", "/authorizationProviders/gh", `{"properties": {"identityProvider": "github", "oauth2": {"grantTypes": {"authorizationCode": {"clientId": "x"}}}}}`)
	if _, target, msg := errorOf(t, r); r.status != http.StatusBadRequest || target != "properties.identityProvider" || !strings.Contains(msg, "not supported yet") {
		t.Errorf("a github provider: %d %s %q", r.status, target, msg)
	}

	a.must("PUT", "/authorizationProviders/partner/authorizations/svc", `{"properties": {"authorizationType": "OAuth2", "oauth2grantType": "ClientCredentials"}}`)
	r = a.do("PUT", "/authorizationProviders/partner/authorizations/user", `{"properties": {"oauth2grantType": "AuthorizationCode"}}`)
	if _, target, msg := errorOf(t, r); r.status != http.StatusBadRequest || target != "properties.oauth2grantType" || !strings.Contains(msg, "does not offer") {
		t.Errorf("a grant the provider no longer offers: %d %s %q", r.status, target, msg)
	}
	a.must("PUT", "/authorizationProviders/partner", `{"properties": {"identityProvider": "oauth2", "oauth2": {"grantTypes": {
		"clientCredentials": {"clientId": "gw", "tokenUrl": "https://login.partner.example/token"},
		"authorizationCode": {"clientId": "gw", "clientSecret": "c0de-s3cret", "tokenUrl": "https://login.partner.example/token"}}}}}`)
	a.must("PUT", "/authorizationProviders/partner/authorizations/user", `{"properties": {"oauth2grantType": "AuthorizationCode"}}`)
	if r := a.do("GET", "/authorizationProviders/partner/authorizations/user", ""); !strings.Contains(r.raw, `"status": "Error"`) || !strings.Contains(r.raw, "NotConnected") {
		t.Errorf("an authorization code connection: %s", r.raw)
	}
	if r := a.do("PUT", "/authorizationProviders/nope/authorizations/x", `{"properties": {"oauth2grantType": "ClientCredentials"}}`); r.status/100 != 4 {
		t.Errorf("a connection of a provider that does not exist: %d", r.status)
	}
	a.must("DELETE", "/authorizationProviders/partner", "")
	if r := a.do("GET", "/authorizationProviders/partner/authorizations/svc", ""); r.status != http.StatusNotFound {
		t.Errorf("a connection of a deleted provider: %d", r.status)
	}
}

func storedProvider(a *testAPI) (*store.Record, error) {
	var rec *store.Record
	err := a.store.View(context.Background(), func(r store.Reader) error {
		var err error
		rec, err = r.Get(context.Background(), model.KindAuthorizationProvider, "", "partner")
		return err
	})
	return rec, err
}
