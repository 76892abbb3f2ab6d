package control

import (
	"context"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Use is one place where a policy uses a resource.
type Use struct {
	// API is the API whose effective policy holds the use.
	API string `json:"api"`
	compile.Location
}

// References lists where the effective policies of every API use the
// resource of kind ("namedValues", "backends", "certificates" or
// "policyFragments") called name: a named value's display name, the id
// of the others. The compiler finds them, as gateways resolve them. A
// backend is also used where a pool holding it is.
func References(ctx context.Context, r store.Reader, reg *policy.Registry, kind, name string) ([]Use, error) {
	ids := map[string]bool{strings.ToLower(name): true}
	if kind == "backends" {
		pools, err := poolsHolding(ctx, r, name)
		if err != nil {
			return nil, err
		}
		for _, p := range pools {
			ids[strings.ToLower(p)] = true
		}
	}
	seen := map[Use]bool{}
	uses := []Use{}
	_, err := compileWith(ctx, r, reg, func(ref compile.Reference) {
		if ref.Kind != kind || !ids[strings.ToLower(ref.ID)] {
			return
		}
		u := Use{API: ref.API, Location: ref.At}
		if !seen[u] {
			seen[u] = true
			uses = append(uses, u)
		}
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(uses, func(i, j int) bool {
		a, b := uses[i], uses[j]
		if a.API != b.API {
			return a.API < b.API
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
	})
	return uses, nil
}
