package source

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// buildAuthorizationProviders fills s.AuthorizationProviders with every
// provider of the credential manager and its authorizations (a policy's
// provider-id may be an expression: any may be named). A provider's
// client secrets are its record's secret, by grant type.
func buildAuthorizationProviders(ctx context.Context, r store.Reader, s *snapshot.Snapshot) error {
	recs, err := r.List(ctx, store.Query{Kind: model.KindAuthorizationProvider})
	if err != nil {
		return fmt.Errorf("build snapshot: authorization providers: %w", err)
	}
	for _, rec := range recs {
		var p model.AuthorizationProvider
		if err := json.Unmarshal(rec.Props, &p); err != nil {
			return fmt.Errorf("build snapshot: authorization provider %s: %w", rec.ID, err)
		}
		secrets := map[string]string{}
		if len(rec.Secret) > 0 {
			if err := json.Unmarshal(rec.Secret, &secrets); err != nil {
				return fmt.Errorf("build snapshot: authorization provider %s: secrets: %w", rec.ID, err)
			}
		}
		out := snapshot.AuthorizationProvider{IdentityProvider: p.IdentityProvider}
		if p.OAuth2 != nil && p.OAuth2.GrantTypes.ClientCredentials != nil {
			cc := p.OAuth2.GrantTypes.ClientCredentials
			out.TokenURL, out.ClientID, out.ClientSecret = p.TokenURL(cc), cc["clientId"], secrets["clientCredentials"]
			out.Scopes, out.Resource = cc["scopes"], cc["resourceUri"]
		}
		auths, err := r.List(ctx, store.Query{Kind: model.KindAuthorization, Parent: rec.ID})
		if err != nil {
			return fmt.Errorf("build snapshot: authorizations of %s: %w", rec.ID, err)
		}
		for _, arec := range auths {
			var a model.Authorization
			if err := json.Unmarshal(arec.Props, &a); err != nil {
				return fmt.Errorf("build snapshot: authorization %s/%s: %w", rec.ID, arec.ID, err)
			}
			if out.Authorizations == nil {
				out.Authorizations = map[string]snapshot.ProviderAuthorization{}
			}
			out.Authorizations[strings.ToLower(arec.ID)] = snapshot.ProviderAuthorization{GrantType: a.OAuth2GrantType}
		}
		if s.AuthorizationProviders == nil {
			s.AuthorizationProviders = map[string]snapshot.AuthorizationProvider{}
		}
		s.AuthorizationProviders[strings.ToLower(rec.ID)] = out
	}
	return nil
}
