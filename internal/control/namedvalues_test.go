package control

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestNamedValueInTypedAttributeIsChecked: named values are substituted
// into a policy's text before it is compiled, so a value may stand for a
// typed attribute; a named-value write that would make an API's policy
// invalid is refused, naming the API, the document, the line and the
// column, and nothing of it is stored.
func TestNamedValueInTypedAttributeIsChecked(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	admin := Admin()
	putNV := func(name, value string) error {
		_, _, err := s.Put(ctx, admin, Put{Kind: model.KindNamedValue, ID: name, Props: func(*store.Record) (model.Properties, error) {
			return &model.NamedValue{DisplayName: name, Value: value}, nil
		}})
		return err
	}
	for name, value := range map[string]string{"calls": "10", "period": "60"} {
		if err := putNV(name, value); err != nil {
			t.Fatal(err)
		}
	}
	if err := putAPI(ctx, s, admin, "orders", "orders"); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Put(ctx, admin, Put{Kind: model.KindPolicy, Parent: "apis/orders", ID: model.PolicyID, Props: func(*store.Record) (model.Properties, error) {
		return &model.Policy{Format: "rawxml", Value: "<policies>\n  <inbound>\n    <rate-limit calls=\"{{calls}}\" renewal-period=\"{{period}}\" />\n  </inbound>\n</policies>"}, nil
	}})
	if err != nil {
		t.Fatalf("a policy whose typed attributes are named values: %v", err)
	}
	err = putNV("period", "soon")
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("a value that breaks renewal-period: %v, want a *RefusedError (409)", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "API orders") || !strings.Contains(msg, "/apis/orders/policy line 3, column 51") || !strings.Contains(msg, `renewal-period: "soon"`) {
		t.Errorf("refusal: %s", msg)
	}
	err = s.View(ctx, admin, func(r store.Reader) error {
		rec, err := Lookup(ctx, r, model.KindNamedValue, "", "period")
		if err != nil || rec == nil {
			return err
		}
		if !strings.Contains(string(rec.Props), `"60"`) {
			t.Errorf("the refused value was stored: %s", rec.Props)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
