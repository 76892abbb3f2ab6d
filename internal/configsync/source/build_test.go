package source

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

func TestBuildServesEachGatewayItsAPIs(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	var err error
	put := func(tx store.Tx, kind model.Kind, parent, id string, props any, secret any) {
		t.Helper()
		rec := &store.Record{Kind: kind, Parent: parent, ID: id}
		if props != nil {
			rec.Props, _ = json.Marshal(props)
		}
		if secret != nil {
			rec.Secret, _ = json.Marshal(secret)
		}
		if _, err := tx.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	_, err = st.Update(ctx, func(tx store.Tx) error {
		put(tx, model.KindAPI, "", "a", &model.API{Path: "a", ServiceURL: "http://a"}, nil)
		put(tx, model.KindAPI, "", "b", &model.API{Path: "b", ServiceURL: "http://b"}, nil)
		put(tx, model.KindOperation, "a", "get", &model.Operation{Method: "GET", URLTemplate: "/x"}, nil)
		put(tx, model.KindProduct, "", "p", &model.Product{DisplayName: "P", State: "published"}, nil)
		put(tx, model.KindProductAPI, "p", "a", nil, nil)
		put(tx, model.KindProductAPI, "p", "b", nil, nil)
		put(tx, model.KindGatewayAPI, "edge", "b", nil, nil)
		put(tx, model.KindSubscription, "", "s", &model.Subscription{DisplayName: "S", Scope: "/products/p", State: "active"},
			&model.SubscriptionKeys{PrimaryKey: "k1-k1-k1-k1", SecondaryKey: "k2-k2-k2-k2"})
		// Subscriptions that reach no API edge serves stay off its snapshot.
		put(tx, model.KindProduct, "", "only-a", &model.Product{DisplayName: "A", State: "published"}, nil)
		put(tx, model.KindProductAPI, "only-a", "a", nil, nil)
		put(tx, model.KindSubscription, "", "to-only-a", &model.Subscription{DisplayName: "A", Scope: "/products/only-a", State: "active"},
			&model.SubscriptionKeys{PrimaryKey: "k3-k3-k3-k3"})
		put(tx, model.KindSubscription, "", "to-a", &model.Subscription{DisplayName: "A", Scope: "/apis/a", State: "active"},
			&model.SubscriptionKeys{PrimaryKey: "k4-k4-k4-k4"})
		put(tx, model.KindSubscription, "", "to-b", &model.Subscription{DisplayName: "B", Scope: "/apis/b", State: "active"},
			&model.SubscriptionKeys{PrimaryKey: "k5-k5-k5-k5"})
		put(tx, model.KindSubscription, "", "to-all", &model.Subscription{DisplayName: "All", Scope: "/apis", State: "active"},
			&model.SubscriptionKeys{PrimaryKey: "k6-k6-k6-k6"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var managed, edge *snapshot.Snapshot
	err = st.View(ctx, func(r store.Reader) error {
		if managed, err = (&Builder{Policies: builtin.NewRegistry()}).Build(ctx, r, model.ManagedGatewayID); err != nil {
			return err
		}
		edge, err = (&Builder{Policies: builtin.NewRegistry()}).Build(ctx, r, "edge")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if managed.Schema != 1 {
		t.Errorf("a snapshot without version sets or revisions has schema %d, want 1 (older gateways take it)", managed.Schema)
	}
	if len(managed.APIs) != 2 || len(managed.APIs[0].Operations) != 1 || !managed.APIs[0].SubscriptionRequired ||
		managed.APIs[0].KeyHeader != model.DefaultKeyHeader {
		t.Errorf("managed APIs = %+v", managed.APIs)
	}
	if len(edge.APIs) != 1 || edge.APIs[0].ID != "b" || !reflect.DeepEqual(edge.Products[0].APIs, []string{"b"}) {
		t.Errorf("edge gateway got APIs %+v, products %+v; want only b", edge.APIs, edge.Products)
	}
	var edgeSubs []string
	for _, sub := range edge.Subscriptions {
		edgeSubs = append(edgeSubs, sub.ID)
	}
	if !reflect.DeepEqual(edgeSubs, []string{"s", "to-all", "to-b"}) || len(managed.Subscriptions) != 5 {
		t.Errorf("edge subscriptions = %v (managed has %d), want s, to-all and to-b", edgeSubs, len(managed.Subscriptions))
	}
	if len(edge.Products) != 1 {
		t.Errorf("edge products = %+v, want only p", edge.Products)
	}
	sub := managed.Subscriptions[0]
	if len(sub.Keys) != 2 || sub.Keys[0] != snapshot.DigestKey("k1-k1-k1-k1") || sub.Scope != "/products/p" {
		t.Errorf("subscription = %+v", sub)
	}
	raw, _ := json.Marshal(managed)
	if bytes.Contains(raw, []byte("k1-k1")) || bytes.Contains(raw, []byte("k2-k2")) {
		t.Errorf("a snapshot carries a plaintext key: %s", raw)
	}
	var back snapshot.Snapshot
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if again, _ := json.Marshal(&back); !bytes.Equal(again, raw) {
		t.Errorf("snapshot does not survive JSON:\n%s\n%s", raw, again)
	}
}

// openStore opens a SQLite store in a temporary directory, closed when
// the test ends.
func openStore(t *testing.T) store.Store {
	t.Helper()
	sealer, err := secret.NewSealer(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
