package source

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// policies returns every stored policy document by lower-cased scope
// ("" for global, "apis/echo", "apis/echo/operations/get", "products/p").
func policies(ctx context.Context, r store.Reader) (map[string]string, error) {
	recs, err := r.List(ctx, store.Query{Kind: model.KindPolicy})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: policies: %w", err)
	}
	out := make(map[string]string, len(recs))
	for _, rec := range recs {
		var p model.Policy
		if err := json.Unmarshal(rec.Props, &p); err != nil {
			return nil, fmt.Errorf("build snapshot: policy of %s: %w", rec.Parent, err)
		}
		out[strings.ToLower(rec.Parent)] = p.Value
	}
	return out, nil
}

// buildPolicyEnv reads the fragments, named values, backends and schemas.
func buildPolicyEnv(ctx context.Context, r store.Reader, global string) (snapshot.PolicyEnv, error) {
	env := snapshot.PolicyEnv{Global: global, Fragments: map[string]string{}, NamedValues: map[string]string{}, Backends: map[string]string{}}
	frags, err := r.List(ctx, store.Query{Kind: model.KindPolicyFragment})
	if err != nil {
		return env, fmt.Errorf("build snapshot: fragments: %w", err)
	}
	for _, rec := range frags {
		var f model.PolicyFragment
		if err := json.Unmarshal(rec.Props, &f); err != nil {
			return env, fmt.Errorf("build snapshot: fragment %s: %w", rec.ID, err)
		}
		env.Fragments[strings.ToLower(rec.ID)] = f.Value
	}
	nvs, err := r.List(ctx, store.Query{Kind: model.KindNamedValue})
	if err != nil {
		return env, fmt.Errorf("build snapshot: named values: %w", err)
	}
	for _, rec := range nvs {
		var nv model.NamedValue
		if err := json.Unmarshal(rec.Props, &nv); err != nil {
			return env, fmt.Errorf("build snapshot: named value %s: %w", rec.ID, err)
		}
		if nv.Secret {
			nv.Value = string(rec.Secret)
			env.Secrets = append(env.Secrets, strings.ToLower(nv.DisplayName))
		}
		env.NamedValues[strings.ToLower(nv.DisplayName)] = nv.Value
	}
	sort.Strings(env.Secrets)
	backends, err := r.List(ctx, store.Query{Kind: model.KindBackend})
	if err != nil {
		return env, fmt.Errorf("build snapshot: backends: %w", err)
	}
	for _, rec := range backends {
		var b model.Backend
		if err := json.Unmarshal(rec.Props, &b); err != nil {
			return env, fmt.Errorf("build snapshot: backend %s: %w", rec.ID, err)
		}
		env.Backends[strings.ToLower(rec.ID)] = b.PolicyURL()
	}
	schemas, err := r.List(ctx, store.Query{Kind: model.KindSchema})
	if err != nil {
		return env, fmt.Errorf("build snapshot: schemas: %w", err)
	}
	for _, rec := range schemas {
		var sc model.Schema
		if err := json.Unmarshal(rec.Props, &sc); err != nil {
			return env, fmt.Errorf("build snapshot: schema %s: %w", rec.ID, err)
		}
		if env.Schemas == nil {
			env.Schemas = map[string]snapshot.Schema{}
		}
		env.Schemas[strings.ToLower(rec.ID)] = snapshot.Schema{Type: sc.SchemaType, Document: sc.Document}
	}
	return env, nil
}
