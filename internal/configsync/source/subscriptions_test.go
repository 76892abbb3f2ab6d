package source

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestSubscriptionCacheBuildsTheSameSnapshot builds with a Builder that
// remembers subscriptions, across writes to them (new keys, the same
// keys written again, a new scope, an owner, a deletion, new
// subscriptions, a few and many at once, a rolled-back write whose
// version is reused), and checks each snapshot is byte for byte what a
// Builder without the cache builds.
func TestSubscriptionCacheBuildsTheSameSnapshot(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	put := func(tx store.Tx, kind model.Kind, id string, props, secret any) {
		t.Helper()
		rec := &store.Record{Kind: kind, ID: id}
		rec.Props, _ = json.Marshal(props)
		if secret != nil {
			rec.Secret, _ = json.Marshal(secret)
		}
		if _, err := tx.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	sub := func(tx store.Tx, n int, scope, owner, key string) {
		t.Helper()
		put(tx, model.KindSubscription, fmt.Sprintf("sub-%d", n),
			&model.Subscription{DisplayName: fmt.Sprintf("S %d", n), Scope: scope, State: "active", OwnerID: owner},
			&model.SubscriptionKeys{PrimaryKey: key + "-primary", SecondaryKey: key + "-secondary"})
	}
	update := func(fn func(tx store.Tx)) {
		t.Helper()
		if _, err := st.Update(ctx, func(tx store.Tx) error { fn(tx); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	cached := &Builder{Policies: builtin.NewRegistry()}
	plain := &Builder{Policies: builtin.NewRegistry(), MaxCachedSubscriptions: -1}
	small := &Builder{Policies: builtin.NewRegistry(), MaxCachedSubscriptions: 50}
	build := func(r store.Reader, b *Builder) []byte {
		t.Helper()
		s, err := b.Build(ctx, r, model.ManagedGatewayID)
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	check := func(step string) {
		t.Helper()
		err := st.View(ctx, func(r store.Reader) error {
			want := build(r, plain)
			if got := build(r, cached); !bytes.Equal(got, want) {
				t.Errorf("%s: the cached build differs from the plain one:\n%s\nwant\n%s", step, got, want)
			}
			if got := build(r, small); !bytes.Equal(got, want) {
				t.Errorf("%s: the build with a small cache differs from the plain one", step)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	update(func(tx store.Tx) {
		put(tx, model.KindAPI, "a", &model.API{DisplayName: "A", Path: "a", ServiceURL: "http://a"}, nil)
		put(tx, model.KindProduct, "p", &model.Product{DisplayName: "P", State: "published"}, nil)
		put(tx, model.KindUser, "u1", &model.User{Email: "u1@example.com", FirstName: "U", LastName: "One"}, nil)
		for n := range 100 {
			sub(tx, n, "/products/p", "", fmt.Sprintf("key-%d", n))
		}
	})
	check("first build")
	check("unchanged")
	update(func(tx store.Tx) {
		sub(tx, 1, "/products/p", "", "new-key-1")      // new keys
		sub(tx, 2, "/products/p", "", "key-2")          // the same keys written again
		sub(tx, 3, "/apis/a", "", "key-3")              // a new scope
		sub(tx, 4, "/products/p", "/users/u1", "key-4") // an owner
		sub(tx, 100, "/apis", "", "key-100")            // a new subscription
		if _, err := tx.Delete(ctx, model.KindSubscription, "", "sub-5"); err != nil {
			t.Fatal(err)
		}
	})
	check("a few changed")
	update(func(tx store.Tx) {
		for n := 10; n < 90; n++ {
			sub(tx, n, "/products/p", "", fmt.Sprintf("again-%d", n))
		}
	})
	check("many changed")

	// A write the cache saw whose transaction was rolled back: its
	// version is reused by the next write, with other keys.
	refused := errors.New("refused")
	_, err := st.Update(ctx, func(tx store.Tx) error {
		sub(tx, 7, "/products/p", "", "rolled-back")
		build(tx, cached)
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("rolled-back update: %v", err)
	}
	update(func(tx store.Tx) { sub(tx, 7, "/products/p", "", "committed") })
	check("after a rolled-back write")
}

// TestSubscriptionCacheConcurrentBuilds builds with one Builder from
// several goroutines at once, as the configuration endpoint does for
// its gateways, and checks every snapshot is the plain one.
func TestSubscriptionCacheConcurrentBuilds(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	_, err := st.Update(ctx, func(tx store.Tx) error {
		for n := range 200 {
			rec := &store.Record{Kind: model.KindSubscription, ID: fmt.Sprintf("sub-%d", n)}
			rec.Props, _ = json.Marshal(&model.Subscription{Scope: "/apis", State: "active"})
			rec.Secret, _ = json.Marshal(&model.SubscriptionKeys{PrimaryKey: fmt.Sprintf("key-%d", n)})
			if _, err := tx.Put(ctx, rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	build := func(b *Builder) ([]byte, error) {
		var out []byte
		err := st.View(ctx, func(r store.Reader) error {
			s, err := b.Build(ctx, r, model.ManagedGatewayID)
			if err != nil {
				return err
			}
			out, err = json.Marshal(s)
			return err
		})
		return out, err
	}
	want, err := build(&Builder{Policies: builtin.NewRegistry(), MaxCachedSubscriptions: -1})
	if err != nil {
		t.Fatal(err)
	}
	shared := &Builder{Policies: builtin.NewRegistry()}
	results := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := build(shared)
			if err == nil && !bytes.Equal(got, want) {
				err = errors.New("a concurrent build differs from the plain one")
			}
			results <- err
		}()
	}
	for range 8 {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
}
