package control

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// providerSecrets are an authorization provider's client secrets, by
// grant type ("clientCredentials", "authorizationCode"): the record's
// sealed secret, as JSON.
type providerSecrets map[string]string

// ProviderSecrets returns the client secrets of a stored authorization
// provider, by grant type.
func ProviderSecrets(rec *store.Record) (map[string]string, error) {
	s := providerSecrets{}
	if len(rec.Secret) == 0 {
		return s, nil
	}
	if err := json.Unmarshal(rec.Secret, &s); err != nil {
		return nil, fmt.Errorf("authorization provider %s: secrets: %w", rec.ID, err)
	}
	return s, nil
}

// checkAuthorizationProvider moves the client secrets into the record's
// sealed secret, keeping a grant's old secret when it is left out; a
// grant without one is refused.
func checkAuthorizationProvider(_ context.Context, _ store.Tx, rec *store.Record, props model.Properties, old *store.Record, _ checkEnv) error {
	p := props.(*model.AuthorizationProvider)
	oldSecrets := providerSecrets{}
	if old != nil {
		s, err := ProviderSecrets(old)
		if err != nil {
			return err
		}
		oldSecrets = s
	}
	secrets := providerSecrets{}
	for name, params := range map[string]map[string]string{"clientCredentials": p.OAuth2.GrantTypes.ClientCredentials, "authorizationCode": p.OAuth2.GrantTypes.AuthorizationCode} {
		if params == nil {
			continue
		}
		v := params["clientSecret"]
		if v == "" {
			v = oldSecrets[name]
		}
		if v == "" {
			return Invalid("properties.oauth2.grantTypes."+name+".clientSecret", "is required")
		}
		secrets[name] = v
		delete(params, "clientSecret")
	}
	b, err := json.Marshal(secrets)
	if err != nil {
		return err
	}
	rec.Secret = b
	return nil
}

// checkAuthorization refuses a connection of a provider that does not
// exist or does not offer its grant type.
func checkAuthorization(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, _ *store.Record, _ checkEnv) error {
	a := props.(*model.Authorization)
	prec, err := Lookup(ctx, tx, model.KindAuthorizationProvider, "", rec.Parent)
	if err != nil {
		return err
	}
	if prec == nil {
		return Invalid("authorizationProviderId", "The authorization provider '"+rec.Parent+"' does not exist.")
	}
	var p model.AuthorizationProvider
	if err := DecodeStored(prec, &p); err != nil {
		return err
	}
	g := p.OAuth2.GrantTypes
	if (a.OAuth2GrantType == model.GrantClientCredentials && g.ClientCredentials == nil) ||
		(a.OAuth2GrantType == model.GrantAuthorizationCode && g.AuthorizationCode == nil) {
		return Invalid("properties.oauth2grantType", "The authorization provider '"+rec.Parent+"' does not offer the "+a.OAuth2GrantType+" grant.")
	}
	return nil
}

// removeAuthorizationProvider deletes the provider's connections.
func removeAuthorizationProvider(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	return deleteAll(ctx, tx, store.Query{Kind: model.KindAuthorization, Parent: rec.ID})
}
