package source

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// buildVersionSets returns the version sets of apis, by lower-case id,
// or nil when none has one.
func buildVersionSets(ctx context.Context, r store.Reader, apis []snapshot.API) (map[string]snapshot.VersionSet, error) {
	var sets map[string]snapshot.VersionSet
	for _, a := range apis {
		if a.VersionSet == "" {
			continue
		}
		if _, ok := sets[a.VersionSet]; ok {
			continue
		}
		rec, err := r.Get(ctx, model.KindAPIVersionSet, "", a.VersionSet)
		if err != nil {
			return nil, fmt.Errorf("build snapshot: version set of api %s: %w", a.ID, err)
		}
		var vs model.APIVersionSet
		if err := json.Unmarshal(rec.Props, &vs); err != nil {
			return nil, fmt.Errorf("build snapshot: version set %s: %w", rec.ID, err)
		}
		if sets == nil {
			sets = map[string]snapshot.VersionSet{}
		}
		sets[a.VersionSet] = snapshot.VersionSet{Scheme: vs.VersioningScheme, Name: vs.VersionName()}
	}
	return sets, nil
}

// addRevisions adds to each product the revisions of its APIs that are
// not current, which its subscriptions reach and its policy applies to.
func addRevisions(products []snapshot.Product, apis []snapshot.API) {
	revisions := map[string][]string{}
	for _, a := range apis {
		if root, _, ok := model.SplitRevision(a.ID); ok {
			k := strings.ToLower(root)
			revisions[k] = append(revisions[k], a.ID)
		}
	}
	if len(revisions) == 0 {
		return
	}
	for i := range products {
		p := &products[i]
		for _, id := range p.APIs {
			p.APIs = append(p.APIs, revisions[strings.ToLower(id)]...)
		}
	}
}
