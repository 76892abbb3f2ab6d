package source

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestBuildCarriesBackendsAndOnlyNeededCertificates checks that a gateway
// gets the backend entities its policies name, with their credentials
// and TLS settings, and only the certificates, backends and named values
// its policies use, as the compiler resolves them (certificate-id here is
// a named value).
func TestBuildCarriesBackendsAndOnlyNeededCertificates(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	var err error
	f := false
	put := func(tx store.Tx, kind model.Kind, parent, id string, props any, secret string) {
		t.Helper()
		rec := &store.Record{Kind: kind, Parent: parent, ID: id, Secret: []byte(secret)}
		rec.Props, _ = json.Marshal(props)
		if _, err := tx.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	_, err = st.Update(ctx, func(tx store.Tx) error {
		put(tx, model.KindAPI, "", "a", &model.API{Path: "a", ServiceURL: "http://a"}, "")
		put(tx, model.KindAPI, "", "b", &model.API{Path: "b", ServiceURL: "http://b"}, "")
		put(tx, model.KindGatewayAPI, "edge", "b", nil, "")
		put(tx, model.KindNamedValue, "", "nv", &model.NamedValue{DisplayName: "key", Secret: true}, "s3cret")
		put(tx, model.KindNamedValue, "", "which", &model.NamedValue{DisplayName: "which", Value: "Client-Policy"}, "")
		put(tx, model.KindBackend, "", "Orders", &model.Backend{URL: "https://orders", Type: "Single",
			Credentials: &model.BackendCredentials{Header: map[string][]string{"x-key": {"{{key}}"}}, CertificateIDs: []string{"Client-Backend"}},
			TLS:         &model.BackendTLS{ValidateCertificateName: &f}}, "")
		put(tx, model.KindBackend, "", "unused", &model.Backend{URL: "https://unused", Type: "Single",
			Credentials: &model.BackendCredentials{CertificateIDs: []string{"client-unused"}}}, "")
		for _, id := range []string{"client-backend", "client-policy", "client-unused", "ca-edge", "ca-managed"} {
			put(tx, model.KindCertificate, "", id, &model.Certificate{Thumbprint: "T-" + id}, "PEM of "+id)
		}
		put(tx, model.KindGatewayCertificateAuthority, "edge", "ca-edge", &model.GatewayCertificateAuthority{IsTrusted: true}, "")
		put(tx, model.KindGatewayCertificateAuthority, model.ManagedGatewayID, "ca-managed", &model.GatewayCertificateAuthority{}, "")
		put(tx, model.KindPolicy, "apis/b", model.PolicyID, &model.Policy{Value: `<policies><inbound><set-backend-service backend-id="orders" />` +
			`<authentication-certificate certificate-id="{{which}}" /></inbound></policies>`}, "")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var edge, managed *snapshot.Snapshot
	err = st.View(ctx, func(r store.Reader) error {
		if edge, err = (&Builder{Policies: builtin.NewRegistry()}).Build(ctx, r, "edge"); err != nil {
			return err
		}
		managed, err = (&Builder{Policies: builtin.NewRegistry()}).Build(ctx, r, model.ManagedGatewayID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	wantBackend := snapshot.Backend{URL: "https://orders", Header: map[string][]string{"x-key": {"s3cret"}}, CertificateIDs: []string{"client-backend"},
		ValidateCertificateChain: true, ValidateCertificateName: false}
	if got, _ := json.Marshal(edge.Backends); string(got) != string(mustJSON(t, map[string]snapshot.Backend{"orders": wantBackend})) {
		t.Errorf("edge backends = %s", got)
	}
	if got := keys(edge.Certificates); !slices.Equal(got, []string{"ca-edge", "client-backend", "client-policy"}) {
		t.Errorf("edge certificates = %v", got)
	}
	if c := edge.Certificates["client-policy"]; c.PEM != "PEM of client-policy" || c.Thumbprint != "T-client-policy" {
		t.Errorf("certificate client-policy = %+v", c)
	}
	if !slices.Equal(edge.CertificateAuthorities, []snapshot.CertificateAuthority{{CertificateID: "ca-edge", Trusted: true}}) {
		t.Errorf("edge certificate authorities = %+v", edge.CertificateAuthorities)
	}
	if got := keys(managed.Certificates); !slices.Equal(got, []string{"ca-managed", "client-backend", "client-policy"}) {
		t.Errorf("managed certificates = %v", got)
	}
	// Only what the policies use travels: the secret behind the backend's
	// header is resolved into it and not sent on its own.
	if got := keys(managed.Policy.Backends); !slices.Equal(got, []string{"orders"}) {
		t.Errorf("managed policy backends = %v, want only the used one", got)
	}
	if got := keys(edge.Policy.NamedValues); !slices.Equal(got, []string{"which"}) {
		t.Errorf("edge named values = %v, want only the one the policy uses", got)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
