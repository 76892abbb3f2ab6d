package source

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestBuildCarriesAuthorizationProviders: a gateway whose policies use
// get-authorization-context gets the providers, their client secrets and
// connections; aad providers get their tenant's token URL.
func TestBuildCarriesAuthorizationProviders(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	put := func(tx store.Tx, kind model.Kind, parent, id string, props any, secret string) {
		t.Helper()
		rec := &store.Record{Kind: kind, Parent: parent, ID: id}
		rec.Props, _ = json.Marshal(props)
		if secret != "" {
			rec.Secret = []byte(secret)
		}
		if _, err := tx.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	build := func() *snapshot.Snapshot {
		var s *snapshot.Snapshot
		err := st.View(ctx, func(r store.Reader) error {
			var err error
			s, err = (&Builder{Policies: builtin.NewRegistry()}).Build(ctx, r, model.ManagedGatewayID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	_, err := st.Update(ctx, func(tx store.Tx) error {
		put(tx, model.KindAPI, "", "a", &model.API{Path: "a", ServiceURL: "http://a"}, "")
		put(tx, model.KindAuthorizationProvider, "", "Entra", &model.AuthorizationProvider{IdentityProvider: "aad",
			OAuth2: &model.AuthorizationProviderOAuth2{GrantTypes: model.GrantTypes{ClientCredentials: map[string]string{
				"clientId": "gw", "tenantId": "contoso.example", "scopes": "api://orders/.default"}}}}, `{"clientCredentials":"s3cret"}`)
		put(tx, model.KindAuthorization, "Entra", "Svc", &model.Authorization{AuthorizationType: "OAuth2", OAuth2GrantType: "ClientCredentials"}, "")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := build(); s.AuthorizationProviders != nil {
		t.Errorf("without get-authorization-context the snapshot has providers: %+v", s.AuthorizationProviders)
	}
	_, err = st.Update(ctx, func(tx store.Tx) error {
		put(tx, model.KindPolicy, "apis/a", model.PolicyID, &model.Policy{
			Value: `<policies><inbound><get-authorization-context provider-id="entra" authorization-id="svc" context-variable-name="t" /></inbound></policies>`}, "")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]snapshot.AuthorizationProvider{"entra": {IdentityProvider: "aad", TokenURL: "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token",
		ClientID: "gw", ClientSecret: "s3cret", Scopes: "api://orders/.default",
		Authorizations: map[string]snapshot.ProviderAuthorization{"svc": {GrantType: "ClientCredentials"}}}}
	if got := build().AuthorizationProviders; !reflect.DeepEqual(got, want) {
		t.Errorf("providers %+v, want %+v", got, want)
	}
}
