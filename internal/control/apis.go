package control

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/gateway/route"
	"github.com/gatehouse/gatehouse/internal/graphql"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// checkAPI refuses a path that another API already uses (versions of
// one version set share theirs), checks the version set, and runs an
// import when properties.format is given.
func checkAPI(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, env checkEnv) error {
	a := props.(*model.API)
	a.Definition = "" // set below, whatever the request says
	if err := checkWorkspaceRef(ctx, tx, a.WorkspaceID); err != nil {
		return err
	}
	if err := checkRevision(ctx, tx, rec, a, old); err != nil {
		return err
	}
	copied := a.SourceAPIID != "" || isRevisionID(rec.ID)
	if err := startFrom(ctx, tx, rec, a, old); err != nil {
		return err
	}
	if old == nil && !copied && a.Format == "" && a.Type == model.TypeGraphQL {
		// A new GraphQL API answers on its path before it has a schema.
		for _, op := range graphql.Operations() {
			if err := putImportedOperation(ctx, tx, rec.ID, op, false, env); err != nil {
				return err
			}
		}
	}
	a.APIType = "" // write-only: it only chose the type
	if a.Format != "" {
		if err := importDefinition(ctx, tx, rec, a, env); err != nil {
			return err
		}
	} else if err := keepDefinition(old, a); err != nil {
		return err
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

// removeAPI deletes the API's operations and schemas, its product, gateway and tag links,
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
		{Kind: model.KindAPISchema, Parent: rec.ID},
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
// and refuses a method and template another operation of the API has
// (for a SOAP API: and the same SOAP action).
func checkOperation(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, _ *store.Record, _ checkEnv) error {
	soap, err := isSOAPAPI(ctx, tx, rec.Parent)
	if err != nil {
		return err
	}
	return checkOperationOf(ctx, tx, rec, props.(*model.Operation), soap)
}

// checkOperationOf is checkOperation for an operation of an API whose
// type the caller knows: soap tells whether it is a SOAP API.
func checkOperationOf(ctx context.Context, tx store.Tx, rec *store.Record, o *model.Operation, soap bool) error {
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
		if err == nil && oo.Method == o.Method && route.Shape(tpl) == route.Shape(otpl) && (!soap || sameSOAPAction(o.URLTemplate, oo.URLTemplate)) {
			return Conflict("properties.urlTemplate", "Operation '"+other.ID+"' already has method "+o.Method+" and URL template '"+oo.URLTemplate+"'.")
		}
	}
	return nil
}

// keepDefinition keeps, on a PUT without an import, the WSDL, WADL or
// GraphQL schema the API was last imported from, while its type stays the same:
// the management plane sets Definition, whatever a request says (a new
// API or revision copied from another has its source's, see startFrom).
func keepDefinition(old *store.Record, a *model.API) error {
	if old == nil {
		return nil // a copy keeps what startFrom gave it
	}
	var prev model.API
	if err := DecodeStored(old, &prev); err != nil {
		return err
	}
	if prev.Type == a.Type {
		a.Definition = prev.Definition
	}
	return nil
}

// isSOAPAPI reports whether the API apiID is a pass-through SOAP API,
// whose operations the gateway tells apart by SOAP action.
func isSOAPAPI(ctx context.Context, r store.Reader, apiID string) (bool, error) {
	rec, err := r.Get(ctx, model.KindAPI, "", apiID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("api %s: %w", apiID, err)
	}
	var a model.API
	if err := DecodeStored(rec, &a); err != nil {
		return false, err
	}
	return a.Type == model.TypeSOAP, nil
}

// sameSOAPAction reports whether two URL templates name the same SOAP
// action, or neither names one: the operations of a SOAP API share a
// method and path and differ by it.
func sameSOAPAction(a, b string) bool {
	x, xok := route.SOAPAction(a)
	y, yok := route.SOAPAction(b)
	return x == y && xok == yok
}
