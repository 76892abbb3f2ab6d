package control

import (
	"context"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// deletePoliciesUnder deletes the policies, and the operations' tag
// links, whose scope is parent or lies below it ("apis/echo" also removes
// "apis/echo/operations/get").
func deletePoliciesUnder(ctx context.Context, tx store.Tx, parent string) error {
	if err := deleteUnder(ctx, tx, model.KindPolicy, parent); err != nil {
		return err
	}
	return deleteUnder(ctx, tx, model.KindOperationTag, parent) // an operation's tags go with it, as its policy does
}

// deleteUnder deletes the records of kind whose parent is parent or lies
// under it.
func deleteUnder(ctx context.Context, tx store.Tx, kind model.Kind, parent string) error {
	all, err := tx.List(ctx, store.Query{Kind: kind})
	if err != nil {
		return err
	}
	p := strings.ToLower(parent)
	for _, rec := range all {
		k := strings.ToLower(rec.Parent)
		if k == p || strings.HasPrefix(k, p+"/") {
			if _, err := tx.Delete(ctx, kind, rec.Parent, rec.ID); err != nil {
				return fmt.Errorf("delete %s %s: %w", kind, rec.ID, err)
			}
		}
	}
	return nil
}

// checkFragment compiles a fragment's elements; it must compile in at
// least one section.
func checkFragment(ctx context.Context, tx store.Tx, _ *store.Record, props model.Properties, _ *store.Record, env checkEnv) error {
	f := props.(*model.PolicyFragment)
	if err := checkWorkspaceRef(ctx, tx, f.WorkspaceID); err != nil {
		return err
	}
	penv, fragments, err := PolicyEnv(ctx, tx)
	if err != nil {
		return err
	}
	return RefusePolicy(compile.Error(compile.Fragment(env.policies, penv, fragments, f.Value)))
}

// removeOperation deletes the operation's policy.
func removeOperation(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	return deletePoliciesUnder(ctx, tx, PolicyParent(model.KindOperation, rec.Parent, rec.ID))
}

// PolicyParent returns the store parent of the policy of an API or operation.
func PolicyParent(kind model.Kind, parent, id string) string {
	switch kind {
	case model.KindOperation:
		return "apis/" + parent + "/operations/" + id
	case model.KindProduct:
		return "products/" + id
	}
	return "apis/" + id
}

// PolicyEnv reads what policies may refer to: named values, backends,
// certificates, schemas and fragments.
func PolicyEnv(ctx context.Context, r store.Reader) (policy.Env, map[string][]*policy.Node, error) {
	env := policy.Env{NamedValues: map[string]string{}, Backends: map[string]string{}}
	nvs, err := r.List(ctx, store.Query{Kind: model.KindNamedValue})
	if err != nil {
		return env, nil, err
	}
	for _, rec := range nvs {
		var nv model.NamedValue
		if err := DecodeStored(rec, &nv); err != nil {
			return env, nil, err
		}
		if nv.Secret {
			nv.Value = string(rec.Secret)
			if env.Secrets == nil {
				env.Secrets = map[string]bool{}
			}
			env.Secrets[strings.ToLower(nv.DisplayName)] = true
		}
		env.NamedValues[strings.ToLower(nv.DisplayName)] = nv.Value
	}
	backends, err := r.List(ctx, store.Query{Kind: model.KindBackend})
	if err != nil {
		return env, nil, err
	}
	for _, rec := range backends {
		var b model.Backend
		if err := DecodeStored(rec, &b); err != nil {
			return env, nil, err
		}
		env.Backends[strings.ToLower(rec.ID)] = b.PolicyURL()
	}
	if env.Certificates, err = policyCertificates(ctx, r); err != nil {
		return env, nil, err
	}
	schemas, err := r.List(ctx, store.Query{Kind: model.KindSchema})
	if err != nil {
		return env, nil, err
	}
	for _, rec := range schemas {
		var sc model.Schema
		if err := DecodeStored(rec, &sc); err != nil {
			return env, nil, err
		}
		if env.Schemas == nil {
			env.Schemas = map[string]*policy.Schema{}
		}
		env.Schemas[strings.ToLower(rec.ID)] = &policy.Schema{Type: sc.SchemaType, Document: sc.Document}
	}
	fragments, err := readFragments(ctx, r, &env)
	return env, fragments, err
}

// readFragments reads the fragments that parse, by lower-case id: with
// the named values of env substituted, to compile them, or as written
// when env is nil, to show them.
func readFragments(ctx context.Context, r store.Reader, env *policy.Env) (map[string][]*policy.Node, error) {
	frags, err := r.List(ctx, store.Query{Kind: model.KindPolicyFragment})
	if err != nil {
		return nil, err
	}
	fragments := map[string][]*policy.Node{}
	for _, rec := range frags {
		var f model.PolicyFragment
		if err := DecodeStored(rec, &f); err != nil {
			return nil, err
		}
		var nodes []*policy.Node
		if env != nil {
			nodes, err = policy.ParseFragmentIn(f.Value, *env)
		} else {
			nodes, err = policy.ParseFragment(f.Value)
		}
		if err == nil {
			fragments[strings.ToLower(rec.ID)] = nodes
		}
	}
	return fragments, nil
}

// checkPolicy compiles a <policies> document on its own against the
// named values, backends and fragments: problems are refused with their
// lines and columns (how it combines with the other scopes is the
// Guard's check).
func checkPolicy(ctx context.Context, tx store.Tx, _ *store.Record, props model.Properties, _ *store.Record, env checkEnv) error {
	p := props.(*model.Policy)
	penv, fragments, err := PolicyEnv(ctx, tx)
	if err != nil {
		return err
	}
	return RefusePolicy(compile.Error(compile.Document(env.policies, penv, fragments, p.Value)))
}

// EffectivePolicy renders the merged policy of the scope at parent ("" for
// global, "apis/{id}", "apis/{id}/operations/{id}"): the global policy,
// then the product's (when productID is given), the API's and the
// operation's, with fragments included.
//
// Named values are shown as written ({{name}}), never their values.
func EffectivePolicy(ctx context.Context, r store.Reader, parent, productID string) (string, error) {
	fragments, err := readFragments(ctx, r, nil)
	if err != nil {
		return "", err
	}
	scopes := []string{""}
	if productID != "" {
		scopes = append(scopes, "products/"+productID)
	}
	if parent != "" {
		parts := strings.Split(parent, "/")
		scopes = append(scopes, strings.Join(parts[:2], "/"))
		if len(parts) == 4 {
			scopes = append(scopes, parent)
		}
	}
	docs := make([]string, len(scopes))
	for i, sc := range scopes {
		rec, err := Lookup(ctx, r, model.KindPolicy, sc, model.PolicyID)
		if err != nil || rec == nil {
			if err != nil {
				return "", err
			}
			continue
		}
		var p model.Policy
		if err := DecodeStored(rec, &p); err != nil {
			return "", err
		}
		docs[i] = p.Value
	}
	xml, err := compile.Effective(fragments, docs...)
	return xml, RefusePolicy(err)
}
