package model

import (
	"net/url"
	"strings"
)

// The credential manager's kinds: KindAuthorizationProvider holds
// providers (APIM's authorizationProviders), KindAuthorization their
// connections (APIM's authorizations; parent: the provider). A
// provider's client secrets are the record's sealed secret.
const (
	KindAuthorizationProvider Kind = "authorizationProviders"
	KindAuthorization         Kind = "authorizations"
)

// The identity providers and grant types the gateways get tokens from.
const (
	IdentityProviderOAuth2 = "oauth2"
	IdentityProviderAAD    = "aad"
	GrantClientCredentials = "ClientCredentials"
	GrantAuthorizationCode = "AuthorizationCode"
)

// AuthorizationProvider is APIM's AuthorizationProviderContract: an
// identity provider and the OAuth 2.0 settings of each grant type. The
// settings of a grant are APIM's parameters: clientId, clientSecret
// (write-only: sealed at rest, never returned), scopes, and for oauth2
// tokenUrl (and authorizationUrl, refreshUrl for authorizationCode), for
// aad tenantId (and resourceUri).
type AuthorizationProvider struct {
	DisplayName      string                       `json:"displayName,omitempty"`
	IdentityProvider string                       `json:"identityProvider"`
	OAuth2           *AuthorizationProviderOAuth2 `json:"oauth2,omitempty"`
}

// AuthorizationProviderOAuth2 is APIM's oauth2 settings.
type AuthorizationProviderOAuth2 struct {
	RedirectURL string     `json:"redirectUrl,omitempty"`
	GrantTypes  GrantTypes `json:"grantTypes"`
}

// GrantTypes holds the parameters of each grant type a provider offers.
type GrantTypes struct {
	ClientCredentials map[string]string `json:"clientCredentials,omitempty"`
	AuthorizationCode map[string]string `json:"authorizationCode,omitempty"`
}

// grantKeys are the parameters a grant of each identity provider takes.
var grantKeys = map[string]map[string]bool{
	IdentityProviderOAuth2: {"clientId": true, "clientSecret": true, "scopes": true, "tokenUrl": true, "authorizationUrl": true, "refreshUrl": true},
	IdentityProviderAAD:    {"clientId": true, "clientSecret": true, "scopes": true, "tenantId": true, "resourceUri": true, "loginUri": true},
}

// Normalize has nothing to default.
func (p *AuthorizationProvider) Normalize() {}

// Validate checks the provider: a supported identity provider, at least
// one grant type, each with the parameters it needs. clientSecret may be
// left out to keep the stored one; that is checked with the store.
func (p *AuthorizationProvider) Validate() error {
	var fe fieldErrors
	keys, ok := grantKeys[p.IdentityProvider]
	switch {
	case p.IdentityProvider == "":
		fe.add("identityProvider", "is required: oauth2 or aad")
	case !ok:
		fe.unsupported("identityProvider", "only oauth2 (any OAuth 2.0 server) and aad (Microsoft Entra ID) providers; "+p.IdentityProvider+" is not one")
	}
	if len(p.DisplayName) > 300 {
		fe.add("displayName", "must be at most 300 characters")
	}
	if p.OAuth2 == nil || (p.OAuth2.GrantTypes.ClientCredentials == nil && p.OAuth2.GrantTypes.AuthorizationCode == nil) {
		fe.add("oauth2.grantTypes", "give clientCredentials or authorizationCode")
		return fe.err()
	}
	for name, params := range map[string]map[string]string{"clientCredentials": p.OAuth2.GrantTypes.ClientCredentials, "authorizationCode": p.OAuth2.GrantTypes.AuthorizationCode} {
		if params == nil || !ok {
			continue
		}
		field := "oauth2.grantTypes." + name
		for _, k := range sortedKeys(params) {
			if !keys[k] {
				fe.add(field+"."+k, "is not a parameter of an %s provider", p.IdentityProvider)
			}
		}
		if params["clientId"] == "" {
			fe.add(field+".clientId", "is required")
		}
		switch p.IdentityProvider {
		case IdentityProviderOAuth2:
			checkHTTPSURL(&fe, field+".tokenUrl", params["tokenUrl"], true)
		case IdentityProviderAAD:
			if t := params["tenantId"]; t == "" || strings.ContainsAny(t, "/?#") {
				fe.add(field+".tenantId", "is required: the tenant's id or domain")
			}
		}
	}
	return fe.err()
}

// checkHTTPSURL adds an error when raw is not an absolute http(s) URL.
func checkHTTPSURL(fe *fieldErrors, field, raw string, required bool) {
	if raw == "" {
		if required {
			fe.add(field, "is required")
		}
		return
	}
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		fe.add(field, "is not an absolute http or https URL")
	}
}

// TokenURL returns the token endpoint of a grant's parameters: tokenUrl,
// or for aad the tenant's v2.0 endpoint under loginUri (default
// https://login.microsoftonline.com).
func (p *AuthorizationProvider) TokenURL(params map[string]string) string {
	if p.IdentityProvider != IdentityProviderAAD {
		return params["tokenUrl"]
	}
	login := strings.TrimSuffix(params["loginUri"], "/")
	if login == "" {
		login = "https://login.microsoftonline.com"
	}
	return login + "/" + url.PathEscape(params["tenantId"]) + "/oauth2/v2.0/token"
}

// Authorization is APIM's AuthorizationContract: a connection of a
// provider, with authorizationType OAuth2 and a grant type the provider
// offers. Status is read-only: Connected for ClientCredentials (the
// gateways get tokens themselves), Error for AuthorizationCode (there is
// no consent flow yet).
type Authorization struct {
	AuthorizationType string            `json:"authorizationType"`
	OAuth2GrantType   string            `json:"oauth2grantType"`
	Parameters        map[string]string `json:"parameters,omitempty"`
	Status            string            `json:"status,omitempty"`
	Error             *AuthorizationErr `json:"error,omitempty"`
}

// AuthorizationErr is why an authorization is not Connected.
type AuthorizationErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Normalize fills authorizationType's default (OAuth2) and the
// read-only status.
func (a *Authorization) Normalize() {
	if a.AuthorizationType == "" {
		a.AuthorizationType = "OAuth2"
	}
	a.Status, a.Error = "Connected", nil
	if a.OAuth2GrantType == GrantAuthorizationCode {
		a.Status = "Error"
		a.Error = &AuthorizationErr{Code: "NotConnected", Message: "Authorization code connections need a user's consent, which Gatehouse cannot obtain yet."}
	}
}

// Validate checks the connection's own fields.
func (a *Authorization) Validate() error {
	var fe fieldErrors
	if a.AuthorizationType != "OAuth2" {
		fe.add("authorizationType", "%q: want OAuth2", a.AuthorizationType)
	}
	if a.OAuth2GrantType != GrantClientCredentials && a.OAuth2GrantType != GrantAuthorizationCode {
		fe.add("oauth2grantType", "%q: want ClientCredentials or AuthorizationCode", a.OAuth2GrantType)
	}
	if len(a.Parameters) > 0 {
		fe.unsupported("parameters", "a connection's own client id and secret; give them in the provider's grant type")
	}
	return fe.err()
}
