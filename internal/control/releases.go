package control

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// checkRelease makes the revision a new release names its API's current
// revision; an existing release may change its notes only.
func checkRelease(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, env checkEnv) error {
	rel := props.(*model.APIRelease)
	ref, err := model.ParseAPIRef(rel.APIID)
	if err != nil {
		return Invalid("properties.apiId", err.Error())
	}
	root, rev, isRev := model.SplitRevision(ref)
	if !strings.EqualFold(root, rec.Parent) {
		return Invalid("properties.apiId", "A release of API '"+rec.Parent+"' names one of its revisions, not '"+ref+"'.")
	}
	cur, err := Lookup(ctx, tx, model.KindAPI, "", rec.Parent)
	if err != nil {
		return err
	}
	if cur == nil {
		return NotFound("API '" + rec.Parent + "'")
	}
	var c model.API
	if err := DecodeStored(cur, &c); err != nil {
		return err
	}
	if !isRev {
		rev = revisionOf(&c)
	}
	rel.APIID = "/apis/" + model.RevisionID(cur.ID, rev)
	now := env.now().UTC()
	rel.UpdatedDateTime = &now
	if old != nil {
		var o model.APIRelease
		if err := DecodeStored(old, &o); err != nil {
			return err
		}
		if !strings.EqualFold(o.APIID, rel.APIID) {
			return Invalid("properties.apiId", "A release cannot be moved to another revision; create a new release.")
		}
		rel.CreatedDateTime = o.CreatedDateTime
		return nil
	}
	rel.CreatedDateTime = &now
	return makeCurrent(ctx, tx, cur, &c, rev)
}

// makeCurrent makes revision rev of the API stored as cur (whose
// properties are c) its current revision: the contents of the two
// records are swapped, in the caller's transaction.
func makeCurrent(ctx context.Context, tx store.Tx, cur *store.Record, c *model.API, rev string) error {
	was := revisionOf(c)
	if rev == was {
		return nil
	}
	nextID := model.RevisionID(cur.ID, rev)
	next, err := Lookup(ctx, tx, model.KindAPI, "", nextID)
	if err != nil {
		return err
	}
	if next == nil {
		return Invalid("properties.apiId", "API '"+cur.ID+"' has no revision "+rev+".")
	}
	var n model.API
	if err := DecodeStored(next, &n); err != nil {
		return err
	}
	curContent, err := readRevision(ctx, tx, cur.ID)
	if err != nil {
		return err
	}
	nextContent, err := readRevision(ctx, tx, next.ID)
	if err != nil {
		return err
	}
	for _, id := range []string{cur.ID, next.ID} {
		if err := clearRevision(ctx, tx, id); err != nil {
			return err
		}
	}
	if _, err := tx.Delete(ctx, model.KindAPI, "", next.ID); err != nil {
		return err
	}
	oldID := model.RevisionID(cur.ID, was)
	c.APIRevision, c.IsCurrent = was, boolPtr(false)
	if err := putProps(ctx, tx, &store.Record{Kind: model.KindAPI, ID: oldID}, c); err != nil {
		return err
	}
	if err := curContent.write(ctx, tx, oldID); err != nil {
		return err
	}
	n.APIRevision, n.IsCurrent = rev, boolPtr(true)
	if err := putProps(ctx, tx, cur, &n); err != nil {
		return err
	}
	return nextContent.write(ctx, tx, cur.ID)
}

// removeRevisions deletes, with API id, its other revisions and its
// releases.
func removeRevisions(ctx context.Context, tx store.Tx, id string) error {
	for _, rec := range revisionsOf(ctx, tx, id) {
		if err := clearRevision(ctx, tx, rec.ID); err != nil {
			return err
		}
		if _, err := tx.Delete(ctx, model.KindAPI, "", rec.ID); err != nil {
			return err
		}
	}
	return deleteAll(ctx, tx, store.Query{Kind: model.KindAPIRelease, Parent: id})
}
