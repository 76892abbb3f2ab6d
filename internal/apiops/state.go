package apiops

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// Fetch reads the configuration a management plane holds, including the
// values of secret named values (to compare them with a folder's), the
// policy fragments and the policies of every scope.
func Fetch(ctx context.Context, c *mgmtclient.Client) (*Config, error) {
	var cfg Config
	apis, err := fetchKind(ctx, c, "/apis", model.KindAPI)
	if err != nil {
		return nil, err
	}
	for _, a := range apis {
		api := API{Resource: a}
		if api.Operations, err = fetchOperations(ctx, c, a.Name); err != nil {
			return nil, err
		}
		if err := splitDefinition(&api); err != nil {
			return nil, err
		}
		if api.Releases, err = fetchReleases(ctx, c, a.Name); err != nil {
			return nil, err
		}
		revisions, err := fetchRevisions(ctx, c, &api)
		if err != nil {
			return nil, err
		}
		cfg.APIs = append(cfg.APIs, api)
		cfg.APIs = append(cfg.APIs, revisions...)
	}
	products, err := fetchKind(ctx, c, "/products", model.KindProduct)
	if err != nil {
		return nil, err
	}
	for _, p := range products {
		prod := Product{Resource: p}
		if prod.APIs, err = linkNames(ctx, c, "/products/"+url.PathEscape(p.Name)+"/apis"); err != nil {
			return nil, err
		}
		if prod.Groups, err = linkNames(ctx, c, "/products/"+url.PathEscape(p.Name)+"/groups"); err != nil {
			return nil, err
		}
		cfg.Products = append(cfg.Products, prod)
	}
	if cfg.Groups, err = fetchKind(ctx, c, "/groups", model.KindGroup); err != nil {
		return nil, err
	}
	if err := fetchTags(ctx, c, &cfg); err != nil {
		return nil, err
	}
	if err := fetchDiagnostics(ctx, c, &cfg); err != nil {
		return nil, err
	}
	if err := fetchAPISchemas(ctx, c, &cfg); err != nil {
		return nil, err
	}
	if cfg.Workspaces, err = fetchKind(ctx, c, "/workspaces", model.KindWorkspace); err != nil {
		return nil, err
	}
	if cfg.NamedValues, err = fetchNamedValues(ctx, c); err != nil {
		return nil, err
	}
	if cfg.Backends, err = fetchKind(ctx, c, "/backends", model.KindBackend); err != nil {
		return nil, err
	}
	if cfg.Schemas, err = fetchKind(ctx, c, "/schemas", model.KindSchema); err != nil {
		return nil, err
	}
	gateways, err := fetchKind(ctx, c, "/gateways", model.KindGateway)
	if err != nil {
		return nil, err
	}
	for _, g := range gateways {
		gw := Gateway{Resource: g}
		if gw.APIs, err = linkNames(ctx, c, "/gateways/"+url.PathEscape(g.Name)+"/apis"); err != nil {
			return nil, err
		}
		if err := fetchGatewayChildren(ctx, c, &gw); err != nil {
			return nil, err
		}
		cfg.Gateways = append(cfg.Gateways, gw)
	}
	if cfg.Certificates, err = fetchCertificates(ctx, c); err != nil {
		return nil, err
	}
	if cfg.VersionSets, err = fetchKind(ctx, c, "/apiVersionSets", model.KindAPIVersionSet); err != nil {
		return nil, err
	}
	if cfg.Fragments, err = fetchFragments(ctx, c); err != nil {
		return nil, err
	}
	if cfg.Policies, err = fetchPolicies(ctx, c, &cfg); err != nil {
		return nil, err
	}
	if err := fetchSubscriptions(ctx, c, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// fetchKind lists a collection with canonical properties.
func fetchKind(ctx context.Context, c *mgmtclient.Client, path string, kind model.Kind) ([]Resource, error) {
	list, err := c.List(ctx, path)
	if err != nil {
		return nil, err
	}
	out := make([]Resource, 0, len(list))
	for _, r := range list {
		props, err := canonicalFetched(kind, r.Properties)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, r.Name, err)
		}
		out = append(out, Resource{Name: r.Name, Properties: props})
	}
	sortResources(out)
	return out, nil
}

// fetchNamedValues lists the named values with the values of secrets.
func fetchNamedValues(ctx context.Context, c *mgmtclient.Client) ([]Resource, error) {
	list, err := fetchKind(ctx, c, "/namedValues", model.KindNamedValue)
	if err != nil {
		return nil, err
	}
	for i, r := range list {
		var nv model.NamedValue
		if err := json.Unmarshal(r.Properties, &nv); err != nil {
			return nil, err
		}
		if !nv.Secret {
			continue
		}
		var v struct {
			Value string `json:"value"`
		}
		if err := c.Post(ctx, "/namedValues/"+url.PathEscape(r.Name)+"/listValue", nil, &v); err != nil {
			return nil, err
		}
		nv.Value = v.Value
		if list[i].Properties, err = json.Marshal(&nv); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// linkNames lists the target names of a link collection.
func linkNames(ctx context.Context, c *mgmtclient.Client, path string) ([]string, error) {
	list, err := c.List(ctx, path)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(list))
	for i, r := range list {
		names[i] = r.Name
	}
	return sortedNames(names), nil
}

// fetchOperations reads the operations of the API or revision name.
func fetchOperations(ctx context.Context, c *mgmtclient.Client, name string) ([]openapi.Operation, error) {
	list, err := c.List(ctx, "/apis/"+url.PathEscape(name)+"/operations")
	if err != nil {
		return nil, err
	}
	var ops []openapi.Operation
	for _, r := range list {
		op := openapi.Operation{ID: r.Name}
		if err := json.Unmarshal(r.Properties, &op.Properties); err != nil {
			return nil, fmt.Errorf("operation %s of API %s: %w", r.Name, name, err)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// fetchRevisions sets api.Revision to its current revision's number and
// reads its other revisions, named "{api};rev={n}".
func fetchRevisions(ctx context.Context, c *mgmtclient.Client, api *API) ([]API, error) {
	var list struct {
		Value []struct {
			APIRevision string `json:"apiRevision"`
			IsCurrent   bool   `json:"isCurrent"`
		} `json:"value"`
	}
	if err := c.GetJSON(ctx, "/apis/"+url.PathEscape(api.Name)+"/revisions", &list); err != nil {
		return nil, err
	}
	var out []API
	for _, r := range list.Value {
		if r.IsCurrent {
			api.Revision = r.APIRevision
			continue
		}
		name := model.RevisionID(api.Name, r.APIRevision)
		res, err := c.Get(ctx, "/apis/"+url.PathEscape(name))
		if err != nil {
			return nil, err
		}
		props, err := canonicalFetched(model.KindAPI, res.Properties)
		if err != nil {
			return nil, fmt.Errorf("api %s: %w", name, err)
		}
		rev := API{Resource: Resource{Name: name, Properties: props}}
		if rev.Operations, err = fetchOperations(ctx, c, name); err != nil {
			return nil, err
		}
		if err := splitDefinition(&rev); err != nil {
			return nil, err
		}
		out = append(out, rev)
	}
	return out, nil
}

// canonicalFetched returns the canonical form of properties a
// management plane returned: only what a folder can say (fields the
// server adds of its own would otherwise never compare equal), decoded,
// normalised and encoded again.
func canonicalFetched(kind model.Kind, raw json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	known := knownProperties(kind)
	for k := range m {
		if !known[k] {
			delete(m, k)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	p := model.NewProperties(kind)
	if err := json.Unmarshal(b, p); err != nil {
		return nil, err
	}
	p.Normalize()
	clearServerFilled(p)
	return json.Marshal(p)
}
