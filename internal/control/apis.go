package control

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/gateway/route"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// checkAPI refuses a path that another API already uses (versions of
// one version set share theirs), checks the version set, and runs an
// import when properties.format is given.
func checkAPI(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, env checkEnv) error {
	a := props.(*model.API)
	if err := checkRevision(ctx, tx, rec, a, old); err != nil {
		return err
	}
	if err := startFrom(ctx, tx, rec, a, old); err != nil {
		return err
	}
	if a.Format != "" {
		if err := importDefinition(ctx, tx, rec, a, env); err != nil {
			return err
		}
	}
	if err := resolveVersionSet(ctx, tx, a); err != nil {
		return err
	}
	if isRevisionID(rec.ID) {
		return nil // it answers under its API's route
	}
	apis, err := tx.List(ctx, store.Query{Kind: model.KindAPI})
	if err != nil {
		return err
	}
	if err := checkRoutes(ctx, tx, apis, map[string]*model.APIVersionSet{}, rec.ID, a); err != nil {
		return err
	}
	if old == nil {
		return nil
	}
	return cascadeShared(ctx, tx, rec.ID, a)
}

// removeAPI deletes the API's operations, its product, gateway and tag links,
// its policies and the subscriptions scoped to it; with an API (not one
// of its revisions), its other revisions and releases too.
func removeAPI(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	if !isRevisionID(rec.ID) {
		if err := removeRevisions(ctx, tx, rec.ID); err != nil {
			return err
		}
	}
	if err := deletePoliciesUnder(ctx, tx, PolicyParent(model.KindAPI, "", rec.ID)); err != nil {
		return err
	}
	for _, q := range []store.Query{
		{Kind: model.KindOperation, Parent: rec.ID},
		{Kind: model.KindProductAPI, ID: rec.ID},
		{Kind: model.KindGatewayAPI, ID: rec.ID},
		{Kind: model.KindAPITag, Parent: rec.ID},
		{Kind: model.KindAPIDiagnostic, Parent: rec.ID},
	} {
		if err := deleteAll(ctx, tx, q); err != nil {
			return err
		}
	}
	return deleteSubscriptionsWhere(ctx, tx, func(s *model.Subscription) bool {
		return strings.EqualFold(s.Scope, "/apis/"+rec.ID)
	})
}

// checkOperation validates the URL template with the gateway's own parser
// and refuses a method and template another operation of the API has.
func checkOperation(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, _ *store.Record, _ checkEnv) error {
	o := props.(*model.Operation)
	tpl, err := route.Parse(o.URLTemplate)
	if err != nil {
		return Invalid("properties.urlTemplate", err.Error())
	}
	ops, err := tx.List(ctx, store.Query{Kind: model.KindOperation, Parent: rec.Parent})
	if err != nil {
		return err
	}
	for _, other := range ops {
		if strings.EqualFold(other.ID, rec.ID) {
			continue
		}
		var oo model.Operation
		if err := DecodeStored(other, &oo); err != nil {
			return err
		}
		otpl, err := route.Parse(oo.URLTemplate)
		if err == nil && oo.Method == o.Method && route.Shape(tpl) == route.Shape(otpl) {
			return Conflict("properties.urlTemplate", "Operation '"+other.ID+"' already has method "+o.Method+" and URL template '"+oo.URLTemplate+"'.")
		}
	}
	return nil
}
