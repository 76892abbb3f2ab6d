package mgmt

import (
	"context"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/store"
)

// deletePoliciesUnder deletes the policies whose scope is parent or lies
// below it ("apis/echo" also removes "apis/echo/operations/get").
func deletePoliciesUnder(ctx context.Context, tx store.Tx, parent string) error {
	all, err := tx.List(ctx, store.Query{Kind: model.KindPolicy})
	if err != nil {
		return err
	}
	p := strings.ToLower(parent)
	for _, rec := range all {
		k := strings.ToLower(rec.Parent)
		if k == p || strings.HasPrefix(k, p+"/") {
			if _, err := tx.Delete(ctx, model.KindPolicy, rec.Parent, rec.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkFragment compiles a fragment's elements with the built-in
// elements; it must compile in at least one section.
func checkFragment(ctx context.Context, tx store.Tx, _ *store.Record, props model.Properties, _ *store.Record, _ nowFunc) error {
	f := props.(*model.PolicyFragment)
	env, fragments, err := PolicyEnv(ctx, tx)
	if err != nil {
		return err
	}
	return policyError(compile.Error(compile.Fragment(builtin.NewRegistry(), env, fragments, f.Value)))
}

// removeOperation deletes the operation's policy.
func removeOperation(ctx context.Context, tx store.Tx, rec *store.Record, _ *http.Request) error {
	return deletePoliciesUnder(ctx, tx, policyParent(model.KindOperation, rec.Parent, rec.ID))
}
