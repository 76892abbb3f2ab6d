package gateway

import (
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// policyCompiler builds the effective pipelines of operations from a
// snapshot's policy documents, parsing each document once.
type policyCompiler struct {
	reg       *policy.Registry
	env       policy.Env
	fragments map[string][]*policy.Node
	global    *policy.Document
	products  map[string]*policy.Document // lower-case id → document, for products with a policy
}

func newPolicyCompiler(reg *policy.Registry, snap *snapshot.Snapshot, certs map[string]*policy.Certificate) (*policyCompiler, error) {
	pc := &policyCompiler{reg: reg, fragments: map[string][]*policy.Node{}, products: map[string]*policy.Document{},
		env: policy.Env{NamedValues: snap.Policy.NamedValues, Backends: snap.Policy.Backends, Certificates: certs}}
	var errs []string
	for id, src := range snap.Policy.Fragments {
		nodes, err := policy.ParseFragment(src)
		if err != nil {
			errs = append(errs, fmt.Sprintf("fragment %s: %v", id, err))
			continue
		}
		pc.fragments[id] = nodes
	}
	if snap.Policy.Global != "" {
		d, err := policy.Parse(snap.Policy.Global)
		if err != nil {
			errs = append(errs, fmt.Sprintf("global policy: %v", err))
		}
		pc.global = d
	}
	for _, p := range snap.Products {
		if p.Policy == "" {
			continue
		}
		d, err := policy.Parse(p.Policy)
		if err != nil {
			errs = append(errs, fmt.Sprintf("product %s policy: %v", p.ID, err))
			continue
		}
		pc.products[strings.ToLower(p.ID)] = d
	}
	if len(errs) > 0 {
		return pc, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return pc, nil
}

// operation returns the pipeline of an operation for requests without a
// product policy (nil when it only forwards) and those for each product
// with a policy.
func (pc *policyCompiler) operation(a *snapshot.API, o *snapshot.Operation) (*policy.Pipeline, map[string]*policy.Pipeline, error) {
	apiDoc, err := parseOptional(a.Policy)
	if err != nil {
		return nil, nil, fmt.Errorf("API policy: %w", err)
	}
	opDoc, err := parseOptional(o.Policy)
	if err != nil {
		return nil, nil, fmt.Errorf("operation policy: %w", err)
	}
	env := pc.env
	for _, ex := range o.Examples {
		env.Examples = append(env.Examples, policy.Example{StatusCode: ex.StatusCode, ContentType: ex.ContentType, Body: ex.Body})
	}
	base, err := pc.compile(env, pc.global, nil, apiDoc, opDoc)
	if err != nil {
		return nil, nil, err
	}
	var byProduct map[string]*policy.Pipeline
	for id, pd := range pc.products {
		p, err := pc.compile(env, pc.global, pd, apiDoc, opDoc)
		if err != nil {
			return nil, nil, fmt.Errorf("with product %s: %w", id, err)
		}
		if byProduct == nil {
			byProduct = map[string]*policy.Pipeline{}
		}
		byProduct[id] = p // nil: with this product the operation only forwards
	}
	return base, byProduct, nil
}

func (pc *policyCompiler) compile(env policy.Env, scopes ...*policy.Document) (*policy.Pipeline, error) {
	eff, err := policy.Merge(pc.fragments, scopes...)
	if err != nil {
		return nil, err
	}
	p, err := pc.reg.Compile(eff, env)
	if err != nil {
		return nil, err
	}
	if p.Forwards() {
		return nil, nil
	}
	return p, nil
}

func parseOptional(src string) (*policy.Document, error) {
	if src == "" {
		return nil, nil
	}
	return policy.Parse(src)
}
