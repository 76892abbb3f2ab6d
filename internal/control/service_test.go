package control

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

func newService(t *testing.T) *Service {
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
	return NewService(ServiceOptions{Store: st, Policies: builtin.NewRegistry()})
}

func codeOf(err error) Code {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

func putAPI(ctx context.Context, s *Service, p Principal, id, path string) error {
	_, _, err := s.Put(ctx, p, Put{Kind: model.KindAPI, ID: id, Props: func(*store.Record) (model.Properties, error) {
		a := &model.API{DisplayName: id, Path: path, ServiceURL: "http://backend"}
		a.Normalize()
		return a, nil
	}})
	return err
}

// TestPrincipalsAreAuthorised: the administrator may do anything; a call
// without a principal, or by a principal that has been granted nothing,
// is refused and changes nothing.
func TestPrincipalsAreAuthorised(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	for _, p := range []Principal{{}, {Kind: KindUser, ID: "ann"}, {Kind: KindServicePrincipal, ID: "ci"}} {
		if err := putAPI(ctx, s, p, "a", "a"); codeOf(err) != CodeForbidden {
			t.Errorf("write by %+v: %v, want Forbidden", p, err)
		}
		if err := s.View(ctx, p, func(store.Reader) error { return nil }); codeOf(err) != CodeForbidden {
			t.Errorf("read by %+v: %v, want Forbidden", p, err)
		}
	}
	if err := putAPI(ctx, s, Admin(), "a", "a"); err != nil {
		t.Fatalf("write by the administrator: %v", err)
	}
	err := s.View(ctx, Admin(), func(r store.Reader) error {
		recs, err := r.List(ctx, store.Query{Kind: model.KindAPI})
		if err == nil && len(recs) != 1 {
			t.Errorf("%d APIs stored, want 1: the refused writes stored something", len(recs))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRulesApplyToEveryCaller: the checks and cascades of a kind run in
// the Service, not in an adapter.
func TestRulesApplyToEveryCaller(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	admin := Admin()
	if err := putAPI(ctx, s, admin, "a", "shop"); err != nil {
		t.Fatal(err)
	}
	if err := putAPI(ctx, s, admin, "b", "shop"); codeOf(err) != CodeConflict {
		t.Errorf("a second API on one path: %v, want Conflict", err)
	}
	_, _, err := s.Put(ctx, admin, Put{Kind: model.KindProduct, ID: "p", Props: func(*store.Record) (model.Properties, error) {
		return &model.Product{DisplayName: "P", State: model.ProductPublished}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Put(ctx, admin, Put{Kind: model.KindSubscription, ID: "sub", Props: func(*store.Record) (model.Properties, error) {
		return &model.Subscription{DisplayName: "S", Scope: "/products/p", State: model.SubscriptionActive}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, admin, Delete{Kind: model.KindProduct, ID: "p"}); codeOf(err) != CodeConflict {
		t.Errorf("deleting a product with a subscription: %v, want Conflict", err)
	}
	existed, err := s.Delete(ctx, admin, Delete{Kind: model.KindProduct, ID: "p", Options: RemoveOptions{DeleteSubscriptions: true}})
	if err != nil || !existed {
		t.Fatalf("deleting with its subscriptions: %v %v", existed, err)
	}
	err = s.View(ctx, admin, func(r store.Reader) error {
		sub, err := Lookup(ctx, r, model.KindSubscription, "", "sub")
		if err == nil && sub != nil {
			t.Error("the product's subscription survived it")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if existed, err := s.Delete(ctx, admin, Delete{Kind: model.KindProduct, ID: "p"}); err != nil || existed {
		t.Errorf("deleting what is gone: %v %v", existed, err)
	}
}
