package control

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// checkVersionSet keeps the APIs of the set routable under the set's
// (new) scheme and refreshes the set's details they show.
func checkVersionSet(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, _ *store.Record, _ checkEnv) error {
	set := props.(*model.APIVersionSet)
	if err := checkWorkspaceRef(ctx, tx, set.WorkspaceID); err != nil {
		return err
	}
	apis, err := tx.List(ctx, store.Query{Kind: model.KindAPI})
	if err != nil {
		return err
	}
	sets := map[string]*model.APIVersionSet{strings.ToLower(rec.ID): set}
	if err := checkRoutes(ctx, tx, apis, sets, "", nil); err != nil {
		return err
	}
	for _, other := range apis {
		var a model.API
		if err := DecodeStored(other, &a); err != nil {
			return err
		}
		if !strings.EqualFold(a.VersionSet(), rec.ID) {
			continue
		}
		a.APIVersionSet = versionSetDetails(rec.ID, set)
		if err := putProps(ctx, tx, other, &a); err != nil {
			return err
		}
	}
	return nil
}

// removeVersionSet refuses to delete a version set that APIs name.
func removeVersionSet(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	apis, err := tx.List(ctx, store.Query{Kind: model.KindAPI})
	if err != nil {
		return err
	}
	for _, other := range apis {
		var a model.API
		if err := DecodeStored(other, &a); err != nil {
			return err
		}
		if strings.EqualFold(a.VersionSet(), rec.ID) {
			return Conflict("versionSetId", "The version set '"+rec.ID+"' is used by API '"+other.ID+"'; delete the API or move it out of the set first.")
		}
	}
	return nil
}

// versionSetDetails returns set as an API shows it.
func versionSetDetails(id string, set *model.APIVersionSet) *model.APIVersionSetDetails {
	return &model.APIVersionSetDetails{ID: "/apiVersionSets/" + id, Name: set.DisplayName, Description: set.Description,
		VersioningScheme: set.VersioningScheme, VersionQueryName: set.VersionQueryName, VersionHeaderName: set.VersionHeaderName}
}

// resolveVersionSet checks that the version set a names exists, that
// a's version can be read under its scheme, and fills a.APIVersionSet.
func resolveVersionSet(ctx context.Context, tx store.Reader, a *model.API) error {
	id := a.VersionSet()
	if id == "" {
		a.APIVersionSet = nil
		return nil
	}
	rec, err := Lookup(ctx, tx, model.KindAPIVersionSet, "", id)
	if err != nil {
		return err
	}
	if rec == nil {
		return Invalid("properties.apiVersionSetId", "The version set '"+id+"' does not exist.")
	}
	var set model.APIVersionSet
	if err := DecodeStored(rec, &set); err != nil {
		return err
	}
	if set.VersioningScheme == model.VersioningSegment && a.APIVersion != "" {
		if msg := versionSegmentProblem(a.APIVersion); msg != "" {
			return Invalid("properties.apiVersion", "The version '"+a.APIVersion+"' cannot be a path segment (version set '"+id+"' uses the Segment scheme): it "+msg+".")
		}
	}
	a.APIVersionSet = versionSetDetails(rec.ID, &set)
	return nil
}

// versionSegmentProblem says why v cannot be the version segment of a
// URL, or returns "".
func versionSegmentProblem(v string) string {
	if v == "." || v == ".." {
		return "is a dot segment"
	}
	if strings.ContainsAny(v, "/\\?#;%{}* ") {
		return "holds one of / \\ ? # ; % { } * or a space"
	}
	return ""
}

// routeKey is where the gateways look an API up: its path, followed by
// its version segment under the Segment scheme. APIs of a Query or
// Header set share their key and are told apart by version.
func routeKey(a *model.API, set *model.APIVersionSet) string {
	key := a.Path
	if set != nil && set.VersioningScheme == model.VersioningSegment && a.APIVersion != "" {
		key = strings.TrimPrefix(key+"/"+a.APIVersion, "/")
	}
	return strings.ToLower(key)
}

// checkRoutes refuses a configuration in which two APIs answer the same
// requests. apis are the stored APIs; sets overrides stored version
// sets by lower-case id; the API with id changed is taken as a instead
// of its stored form (or added, when it is new).
func checkRoutes(ctx context.Context, r store.Reader, apis []*store.Record, sets map[string]*model.APIVersionSet, id string, a *model.API) error {
	setOf := func(sid string) (*model.APIVersionSet, error) {
		if sid == "" {
			return nil, nil
		}
		k := strings.ToLower(sid)
		if s, ok := sets[k]; ok {
			return s, nil
		}
		rec, err := Lookup(ctx, r, model.KindAPIVersionSet, "", sid)
		if err != nil || rec == nil {
			sets[k] = nil
			return nil, err
		}
		var s model.APIVersionSet
		if err := DecodeStored(rec, &s); err != nil {
			return nil, err
		}
		sets[k] = &s
		return &s, nil
	}
	type entry struct {
		id  string
		api *model.API
		set *model.APIVersionSet
	}
	byKey := map[string][]entry{}
	add := func(eid string, ea *model.API) error {
		set, err := setOf(ea.VersionSet())
		if err != nil {
			return err
		}
		k := routeKey(ea, set)
		byKey[k] = append(byKey[k], entry{eid, ea, set})
		return nil
	}
	for _, rec := range apis {
		if id != "" && strings.EqualFold(rec.ID, id) {
			continue
		}
		if isRevisionID(rec.ID) {
			continue // revisions answer under their API's route
		}
		var o model.API
		if err := DecodeStored(rec, &o); err != nil {
			return err
		}
		if err := add(rec.ID, &o); err != nil {
			return err
		}
	}
	if a != nil {
		if err := add(id, a); err != nil {
			return err
		}
	}
	for _, list := range byKey {
		for i := 1; i < len(list); i++ {
			for _, prev := range list[:i] {
				cur := list[i]
				if a != nil && strings.EqualFold(prev.id, id) {
					prev, cur = cur, prev // name the API being written
				}
				if err := routeClash(prev.id, prev.api, cur.api, cur.set); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// routeClash returns the conflict of API a (in set) with API otherID
// (o), which has the same route key, or nil when the version tells them
// apart.
func routeClash(otherID string, o, a *model.API, set *model.APIVersionSet) error {
	sameSet := set != nil && strings.EqualFold(o.VersionSet(), a.VersionSet())
	if sameSet && set.VersioningScheme != model.VersioningSegment && !strings.EqualFold(o.APIVersion, a.APIVersion) {
		return nil
	}
	if sameSet {
		v := a.APIVersion
		if v == "" {
			return Conflict("properties.apiVersion", "API '"+otherID+"' is already the original (unversioned) version of version set '"+a.VersionSet()+"'.")
		}
		return Conflict("properties.apiVersion", "API '"+otherID+"' is already version '"+v+"' of version set '"+a.VersionSet()+"'.")
	}
	return Conflict("properties.path", "The path '"+a.Path+"' is already used by API '"+otherID+"'.")
}

// putProps stores v as rec's properties.
func putProps(ctx context.Context, tx store.Tx, rec *store.Record, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	rec.Props = b
	_, err = tx.Put(ctx, rec)
	return err
}

// isRevisionID reports whether id names a revision that is not its
// API's current one ("echo;rev=2").
func isRevisionID(id string) bool { return strings.Contains(id, ";rev=") }
