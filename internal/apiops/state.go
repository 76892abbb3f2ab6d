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
		list, err := c.List(ctx, "/apis/"+url.PathEscape(a.Name)+"/operations")
		if err != nil {
			return nil, err
		}
		api := API{Resource: a}
		for _, r := range list {
			op := openapi.Operation{ID: r.Name}
			if err := json.Unmarshal(r.Properties, &op.Properties); err != nil {
				return nil, fmt.Errorf("operation %s of API %s: %w", r.Name, a.Name, err)
			}
			api.Operations = append(api.Operations, op)
		}
		cfg.APIs = append(cfg.APIs, api)
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
		cfg.Gateways = append(cfg.Gateways, gw)
	}
	if cfg.Fragments, err = fetchFragments(ctx, c); err != nil {
		return nil, err
	}
	if cfg.Policies, err = fetchPolicies(ctx, c, &cfg); err != nil {
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
	known := knownProperties(kind)
	out := make([]Resource, 0, len(list))
	for _, r := range list {
		// Keep only what a folder can say: fields the server adds of its
		// own (none today) would otherwise never compare equal.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r.Properties, &m); err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, r.Name, err)
		}
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
			return nil, fmt.Errorf("%s %s: %w", kind, r.Name, err)
		}
		p.Normalize()
		props, err := json.Marshal(p)
		if err != nil {
			return nil, err
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
