package snapshot

// AuthorizationProvider is a credential manager provider (APIM's
// authorizationProviders) as a gateway needs it: where and how to get
// tokens for its authorizations (connections).
type AuthorizationProvider struct {
	// IdentityProvider is APIM's identityProvider: "oauth2" (generic
	// OAuth 2.0) or "aad" (Microsoft Entra ID).
	IdentityProvider string `json:"identityProvider"`
	// TokenURL is the token endpoint (for aad, made from the tenant).
	TokenURL string `json:"tokenUrl"`
	// ClientID and ClientSecret authenticate the gateway to TokenURL
	// (client_secret_post). The secret is a secret of the store, sealed
	// in backups as named-value secrets are.
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	// Scopes (space-separated) and Resource are sent with each token
	// request when not empty.
	Scopes   string `json:"scopes,omitempty"`
	Resource string `json:"resource,omitempty"`
	// Authorizations are the provider's connections, by lower-case id.
	Authorizations map[string]ProviderAuthorization `json:"authorizations,omitempty"`
}

// ProviderAuthorization is a connection (APIM: authorization) of an
// AuthorizationProvider.
type ProviderAuthorization struct {
	// GrantType is APIM's oauth2grantType: "ClientCredentials" (the
	// gateway gets tokens itself) or "AuthorizationCode" (stored, but
	// never connected: there is no consent flow).
	GrantType string `json:"grantType"`
}
