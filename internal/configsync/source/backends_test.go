package source

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

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

// TestBuildCarriesPoolsAndBreakers checks that a pool a policy names
// brings its members, with their circuit breakers' durations parsed, and
// that a backend-id chosen by an expression brings every backend.
func TestBuildCarriesPoolsAndBreakers(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	put := func(tx store.Tx, kind model.Kind, parent, id string, props any) {
		t.Helper()
		rec := &store.Record{Kind: kind, Parent: parent, ID: id}
		rec.Props, _ = json.Marshal(props)
		if _, err := tx.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	rule := model.CircuitBreakerRule{Name: "r", TripDuration: "PT1M", AcceptRetryAfter: true,
		FailureCondition: model.FailureCondition{Count: 3, Interval: "PT5M", StatusCodeRanges: []model.StatusCodeRange{{Min: 500, Max: 599}},
			ErrorReasons: []string{"Server errors", "timeout"}}}
	_, err := st.Update(ctx, func(tx store.Tx) error {
		put(tx, model.KindAPI, "", "a", &model.API{Path: "a", ServiceURL: "http://a"})
		put(tx, model.KindAPI, "", "b", &model.API{Path: "b", ServiceURL: "http://b"})
		put(tx, model.KindGatewayAPI, "edge", "a", nil)
		put(tx, model.KindBackend, "", "one", &model.Backend{URL: "http://one", Type: "Single", CircuitBreaker: &model.CircuitBreaker{Rules: []model.CircuitBreakerRule{rule}}})
		put(tx, model.KindBackend, "", "two", &model.Backend{URL: "http://two", Type: "Single"})
		put(tx, model.KindBackend, "", "other", &model.Backend{URL: "http://other", Type: "Single",
			Credentials: &model.BackendCredentials{Certificate: []string{"abcdef0123456789abcdef0123456789abcdef01"}}})
		rec := &store.Record{Kind: model.KindCertificate, ID: "Legacy", Secret: []byte("PEM")}
		rec.Props, _ = json.Marshal(&model.Certificate{Thumbprint: "ABCDEF0123456789ABCDEF0123456789ABCDEF01"})
		if _, err := tx.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
		put(tx, model.KindBackend, "", "Pool", &model.Backend{Type: "Pool", Pool: &model.BackendPool{Services: []model.PoolMember{{ID: "One", Priority: 1, Weight: 2}, {ID: "two"}}}})
		put(tx, model.KindPolicy, "apis/a", model.PolicyID, &model.Policy{Value: `<policies><inbound><set-backend-service backend-id="pool" /></inbound></policies>`})
		put(tx, model.KindPolicy, "apis/b", model.PolicyID, &model.Policy{Value: `<policies><inbound><set-backend-service backend-id="@(&quot;other&quot;)" /></inbound></policies>`})
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
	if got := keys(edge.Backends); !slices.Equal(got, []string{"one", "pool", "two"}) {
		t.Errorf("edge backends = %v, want the pool and its members", got)
	}
	if p := edge.Backends["pool"]; p.URL != "" || !slices.Equal(p.Pool, []snapshot.PoolMember{{ID: "one", Priority: 1, Weight: 2}, {ID: "two"}}) {
		t.Errorf("pool = %+v", p)
	}
	if u, ok := edge.Policy.Backends["pool"]; !ok || u != "" {
		t.Errorf("policy env pool = %q, %v; want \"\" (a pool)", u, ok)
	}
	want := snapshot.CircuitBreaker{Name: "r", Count: 3, Interval: 5 * time.Minute, TripDuration: time.Minute, AcceptRetryAfter: true,
		StatusCodeRanges: [][2]int{{500, 599}}, ErrorReasons: []string{"Timeout"}}
	if cb := edge.Backends["one"].CircuitBreaker; cb == nil || !reflect.DeepEqual(*cb, want) {
		t.Errorf("breaker = %+v, want %+v", cb, want)
	}
	if got := keys(managed.Backends); !slices.Equal(got, []string{"one", "other", "pool", "two"}) {
		t.Errorf("managed backends = %v, want every backend (an expression chooses)", got)
	}
	if got := managed.Backends["other"].CertificateIDs; !slices.Equal(got, []string{"legacy"}) || managed.Certificates["legacy"].PEM != "PEM" {
		t.Errorf("a backend naming its certificate by thumbprint: ids %v, certificates %v", got, keys(managed.Certificates))
	}
}
