package control

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// workspaceKinds are the kinds whose resources may name a workspace.
var workspaceKinds = []model.Kind{model.KindAPI, model.KindProduct, model.KindNamedValue, model.KindBackend, model.KindPolicyFragment, model.KindAPIVersionSet, model.KindTag, model.KindGroup, model.KindSubscription, model.KindLogger}

// checkWorkspaceRef refuses a workspaceId that names no workspace.
func checkWorkspaceRef(ctx context.Context, tx store.Tx, id string) error {
	if id == "" {
		return nil
	}
	rec, err := Lookup(ctx, tx, model.KindWorkspace, "", id)
	if err != nil {
		return err
	}
	if rec == nil {
		return Invalid("properties.workspaceId", "Workspace '"+id+"' does not exist.")
	}
	return nil
}

// checkProduct checks a product's workspace.
func checkProduct(ctx context.Context, tx store.Tx, _ *store.Record, props model.Properties, _ *store.Record, _ checkEnv) error {
	return checkWorkspaceRef(ctx, tx, props.(*model.Product).WorkspaceID)
}

// checkTag checks a tag's workspace.
func checkTag(ctx context.Context, tx store.Tx, _ *store.Record, props model.Properties, _ *store.Record, _ checkEnv) error {
	return checkWorkspaceRef(ctx, tx, props.(*model.Tag).WorkspaceID)
}

// checkLogger checks a logger's workspace.
func checkLogger(ctx context.Context, tx store.Tx, _ *store.Record, props model.Properties, _ *store.Record, _ checkEnv) error {
	return checkWorkspaceRef(ctx, tx, props.(*model.Logger).WorkspaceID)
}

// removeWorkspace refuses to delete a workspace that resources still
// name, listing them.
func removeWorkspace(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	var users []string
	for _, kind := range workspaceKinds {
		recs, err := tx.List(ctx, store.Query{Kind: kind})
		if err != nil {
			return err
		}
		for _, r := range recs {
			var w struct {
				WorkspaceID string `json:"workspaceId"`
			}
			if err := DecodeStored(r, &w); err != nil {
				return err
			}
			if strings.EqualFold(w.WorkspaceID, rec.ID) {
				users = append(users, "/"+string(kind)+"/"+r.ID)
			}
		}
	}
	if len(users) > 0 {
		return Conflict("", "Workspace '"+rec.ID+"' holds "+strings.Join(users, ", ")+": delete or move them first.")
	}
	return nil
}
