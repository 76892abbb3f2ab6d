package control

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Revisions are stored as APIM shows them: the record of an API's id
// ("echo") is its current revision, with the operations and policies
// under it; every other revision is a record of its own, "echo;rev=2",
// with its own operations and policies. A release swaps the contents of
// the two records in one transaction, so products, gateway links and
// subscriptions, which name "echo", follow the current revision.

// ResolveAPIID returns the stored id of the API or revision id names:
// "echo;rev=2" is stored as "echo" while revision 2 is current.
func ResolveAPIID(ctx context.Context, r store.Reader, id string) (string, error) {
	root, rev, ok := model.SplitRevision(id)
	if !ok {
		return id, nil
	}
	rec, err := Lookup(ctx, r, model.KindAPI, "", root)
	if err != nil || rec == nil {
		return id, err
	}
	var a model.API
	if err := DecodeStored(rec, &a); err != nil {
		return "", err
	}
	if revisionOf(&a) == rev {
		return rec.ID, nil
	}
	return id, nil
}

// revisionOf returns a's revision number; "1" when it has none stored.
func revisionOf(a *model.API) string {
	if a.APIRevision == "" {
		return "1"
	}
	return a.APIRevision
}

// resolveRefs turns the ids a write names into stored ids (see
// ResolveAPIID): an API's, an operation's API, a release's API (always
// the API, never one of its revisions).
func resolveRefs(ctx context.Context, r store.Reader, kind model.Kind, parent, id string) (string, string, error) {
	var err error
	switch kind {
	case model.KindAPI:
		id, err = ResolveAPIID(ctx, r, id)
	case model.KindOperation, model.KindAPIDiagnostic, model.KindAPISchema:
		parent, err = ResolveAPIID(ctx, r, parent)
	case model.KindAPIRelease:
		parent, _, _ = model.SplitRevision(parent)
	}
	return parent, id, err
}

// checkRevision applies the rules of revisions to API a, stored as rec:
// a revision takes its API's path and version from the current revision
// and is never current itself; the current revision keeps its number.
func checkRevision(ctx context.Context, tx store.Tx, rec *store.Record, a *model.API, old *store.Record) error {
	root, rev, isRev := model.SplitRevision(rec.ID)
	if !isRev {
		if a.IsCurrent != nil && !*a.IsCurrent {
			return Invalid("properties.isCurrent", "The current revision stays current until a release makes another revision current.")
		}
		current := revisionOf(a)
		if old != nil {
			var o model.API
			if err := DecodeStored(old, &o); err != nil {
				return err
			}
			if a.APIRevision != "" && a.APIRevision != revisionOf(&o) {
				return Invalid("properties.apiRevision", "The current revision is "+revisionOf(&o)+"; a release makes another revision current.")
			}
			current = revisionOf(&o)
		}
		a.APIRevision, a.IsCurrent = current, boolPtr(true)
		return nil
	}
	cur, err := Lookup(ctx, tx, model.KindAPI, "", root)
	if err != nil {
		return err
	}
	if cur == nil {
		return Invalid("apiId", "API '"+root+"' does not exist: create it before its revisions.")
	}
	var c model.API
	if err := DecodeStored(cur, &c); err != nil {
		return err
	}
	if a.IsCurrent != nil && *a.IsCurrent {
		return Invalid("properties.isCurrent", "A release makes a revision current: PUT /apis/"+cur.ID+"/releases/{releaseId} with apiId /apis/"+rec.ID+".")
	}
	if a.APIRevision != "" && a.APIRevision != rev {
		return Invalid("properties.apiRevision", "The revision '"+rec.ID+"' is revision "+rev+".")
	}
	a.APIRevision, a.IsCurrent = rev, boolPtr(false)
	return inheritShared(a, &c)
}

// inheritShared gives revision a the properties all revisions of an API
// share, from its current revision c: a revision may leave them out,
// and may not change them (APIM: "Can't change property for non-current
// revision").
func inheritShared(a, c *model.API) error {
	shared := []struct {
		name      string
		own, from *string
	}{
		{"path", &a.Path, &c.Path},
		{"apiVersion", &a.APIVersion, &c.APIVersion},
		{"apiVersionSetId", &a.APIVersionSetID, &c.APIVersionSetID},
	}
	for _, f := range shared {
		if *f.own == "" {
			*f.own = *f.from
			continue
		}
		if !strings.EqualFold(*f.own, *f.from) {
			return Invalid("properties."+f.name, "Can't change property for non-current revision: every revision has the current revision's "+
				f.name+" ('"+*f.from+"'); change it there.")
		}
	}
	if a.DisplayName == "" {
		a.DisplayName = c.DisplayName
	}
	return nil
}

// startFrom fills, on create, what a leaves empty from the API or
// revision a.SourceAPIID names (or, for a new revision, from the
// current revision) and copies that one's operations and policies to
// rec. a.SourceAPIID is cleared: it is not stored.
func startFrom(ctx context.Context, tx store.Tx, rec *store.Record, a *model.API, old *store.Record) error {
	src := a.SourceAPIID
	a.SourceAPIID = ""
	root, _, isRev := model.SplitRevision(rec.ID)
	if old != nil {
		if src != "" {
			return Invalid("properties.sourceApiId", "is read only when an API or revision is created.")
		}
		return nil
	}
	if src == "" && !isRev {
		return nil
	}
	srcID := root
	if src != "" {
		ref, err := model.ParseAPIRef(src)
		if err != nil {
			return Invalid("properties.sourceApiId", err.Error())
		}
		if srcID, err = ResolveAPIID(ctx, tx, ref); err != nil {
			return err
		}
		if srcRoot, _, _ := model.SplitRevision(srcID); isRev && !strings.EqualFold(srcRoot, root) {
			return Invalid("properties.sourceApiId", "A revision of API '"+root+"' starts from another revision of it, not from '"+ref+"'.")
		}
	}
	srcRec, err := Lookup(ctx, tx, model.KindAPI, "", srcID)
	if err != nil {
		return err
	}
	if srcRec == nil {
		return Invalid("properties.sourceApiId", "API '"+srcID+"' does not exist.")
	}
	var s model.API
	if err := DecodeStored(srcRec, &s); err != nil {
		return err
	}
	if a.Description == "" {
		a.Description = s.Description
	}
	if a.ServiceURL == "" {
		a.ServiceURL = s.ServiceURL
	}
	if a.DisplayName == "" {
		a.DisplayName = s.DisplayName
	}
	if a.Type == model.TypeHTTP && a.APIType == "" && s.Type != model.TypeHTTP {
		// The copied operations are a SOAP or GraphQL API's: so is the copy,
		// with the source's definition unless it imports its own.
		a.Type = s.Type
	}
	if a.Type == s.Type {
		a.Definition = s.Definition
	}
	content, err := readRevision(ctx, tx, srcRec.ID)
	if err != nil {
		return err
	}
	return content.write(ctx, tx, rec.ID)
}

// cascadeShared gives the revisions of API id the shared properties of
// a, its current revision.
func cascadeShared(ctx context.Context, tx store.Tx, id string, a *model.API) error {
	for _, rec := range revisionsOf(ctx, tx, id) {
		var r model.API
		if err := DecodeStored(rec, &r); err != nil {
			return err
		}
		r.Path, r.APIVersion, r.APIVersionSetID, r.APIVersionSet = a.Path, a.APIVersion, a.APIVersionSetID, a.APIVersionSet
		if err := putProps(ctx, tx, rec, &r); err != nil {
			return err
		}
	}
	return nil
}

// revisionsOf returns the records of the revisions of API id that are
// not current; none when listing fails (the write fails on it later).
func revisionsOf(ctx context.Context, r store.Reader, id string) []*store.Record {
	all, err := r.List(ctx, store.Query{Kind: model.KindAPI})
	if err != nil {
		return nil
	}
	var out []*store.Record
	for _, rec := range all {
		if root, _, ok := model.SplitRevision(rec.ID); ok && strings.EqualFold(root, id) {
			out = append(out, rec)
		}
	}
	return out
}

// revisionContent is what a revision holds besides its properties: its
// operations and schemas, the policies of the API and its operations, and the
// operations' tag links.
type revisionContent struct {
	operations []*store.Record
	schemas    []*store.Record
	policies   []*store.Record // policies and operation tag links; parents relative to "apis/{id}"
}

// readRevision reads the operations, schemas and policies of the
// revision stored as id.
func readRevision(ctx context.Context, r store.Reader, id string) (*revisionContent, error) {
	c := &revisionContent{}
	var err error
	if c.operations, err = r.List(ctx, store.Query{Kind: model.KindOperation, Parent: id}); err != nil {
		return nil, err
	}
	if c.schemas, err = r.List(ctx, store.Query{Kind: model.KindAPISchema, Parent: id}); err != nil {
		return nil, err
	}
	pols, err := r.List(ctx, store.Query{Kind: model.KindPolicy})
	if err != nil {
		return nil, err
	}
	tags, err := r.List(ctx, store.Query{Kind: model.KindOperationTag})
	if err != nil {
		return nil, err
	}
	pols = append(pols, tags...)
	prefix := strings.ToLower(PolicyParent(model.KindAPI, "", id))
	for _, p := range pols {
		k := strings.ToLower(p.Parent)
		if k == prefix || strings.HasPrefix(k, prefix+"/") {
			cp := *p
			cp.Parent = p.Parent[len(prefix):]
			c.policies = append(c.policies, &cp)
		}
	}
	return c, nil
}

// write stores c's operations, schemas and policies under the revision
// stored as id.
func (c *revisionContent) write(ctx context.Context, tx store.Tx, id string) error {
	for _, op := range c.operations {
		if _, err := tx.Put(ctx, &store.Record{Kind: model.KindOperation, Parent: id, ID: op.ID, Props: op.Props, Secret: op.Secret}); err != nil {
			return err
		}
	}
	for _, sc := range c.schemas {
		if _, err := tx.Put(ctx, &store.Record{Kind: model.KindAPISchema, Parent: id, ID: sc.ID, Props: sc.Props}); err != nil {
			return err
		}
	}
	for _, p := range c.policies {
		rec := &store.Record{Kind: p.Kind, Parent: PolicyParent(model.KindAPI, "", id) + p.Parent, ID: p.ID, Props: p.Props, Secret: p.Secret}
		if _, err := tx.Put(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

// clearRevision deletes the operations, schemas, policies and operation
// tag links of the revision stored as id.
func clearRevision(ctx context.Context, tx store.Tx, id string) error {
	if err := deletePoliciesUnder(ctx, tx, PolicyParent(model.KindAPI, "", id)); err != nil {
		return err
	}
	if err := deleteAll(ctx, tx, store.Query{Kind: model.KindAPISchema, Parent: id}); err != nil {
		return err
	}
	return deleteAll(ctx, tx, store.Query{Kind: model.KindOperation, Parent: id})
}

func boolPtr(b bool) *bool { return &b }
