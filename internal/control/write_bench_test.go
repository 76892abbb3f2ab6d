package control

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// BenchmarkWriteAtScale times one management write that the Guard
// compiles (an API's display name changed) through a Service whose store
// holds 5,000 APIs of 20 operations, one product per five APIs with a
// rate-limit policy, and 100,000 subscriptions (keys sealed at rest).
//
//	go test ./internal/control -run '^$' -bench WriteAtScale -benchtime 5x
func BenchmarkWriteAtScale(b *testing.B) {
	const apis, opsPerAPI, apisPerProduct, subscriptions = 5_000, 20, 5, 100_000
	ctx := context.Background()
	sealer, err := secret.NewSealer(make([]byte, secret.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "db"), sealer)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	put := func(tx store.Tx, kind model.Kind, parent, id string, props, secret any) {
		rec := &store.Record{Kind: kind, Parent: parent, ID: id}
		rec.Props, _ = json.Marshal(props)
		if secret != nil {
			rec.Secret, _ = json.Marshal(secret)
		}
		if _, err := tx.Put(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	products := apis / apisPerProduct
	_, err = st.Update(ctx, func(tx store.Tx) error {
		for a := range apis {
			id := fmt.Sprintf("api-%d", a)
			api := &model.API{DisplayName: id, Path: id, ServiceURL: "http://10.0.0.1/" + id}
			api.Normalize()
			put(tx, model.KindAPI, "", id, api, nil)
			for o := range opsPerAPI {
				put(tx, model.KindOperation, id, fmt.Sprintf("op-%d", o), &model.Operation{DisplayName: fmt.Sprintf("Operation %d", o),
					Method: "GET", URLTemplate: fmt.Sprintf("/resource-%d/{id}", o)}, nil)
			}
			put(tx, model.KindProductAPI, fmt.Sprintf("product-%d", a%products), id, struct{}{}, nil)
		}
		for p := range products {
			id := fmt.Sprintf("product-%d", p)
			put(tx, model.KindProduct, "", id, &model.Product{DisplayName: id, State: "published"}, nil)
			put(tx, model.KindPolicy, "products/"+id, model.PolicyID, &model.Policy{Format: "rawxml", Value: `<policies><inbound><base />` +
				`<rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Subscription.Id)" /></inbound>` +
				`<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`}, nil)
		}
		for s := range subscriptions {
			put(tx, model.KindSubscription, "", fmt.Sprintf("sub-%d", s),
				&model.Subscription{DisplayName: fmt.Sprintf("Subscription %d", s), Scope: fmt.Sprintf("/products/product-%d", s%products), State: "active"},
				&model.SubscriptionKeys{PrimaryKey: fmt.Sprintf("primary-%024d", s), SecondaryKey: fmt.Sprintf("secondary-%024d", s)})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	svc := NewService(ServiceOptions{Store: st, Policies: builtin.NewRegistry()})
	admin := Admin()
	n := 0
	write := func() {
		n++
		if err := putAPI(ctx, svc, admin, "api-7", fmt.Sprintf("renamed-%d", n)); err != nil {
			b.Fatal(err)
		}
	}
	write() // the first write also compiles the configuration it starts from
	for b.Loop() {
		write()
	}
}
