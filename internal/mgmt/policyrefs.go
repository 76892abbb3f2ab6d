package mgmt

import (
	"context"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/store"
)

// deletePoliciesUnder deletes the policies whose scope is parent or lies
// below it ("apis/echo" also removes "apis/echo/operations/get").
func deletePoliciesUnder(ctx context.Context, tx store.Tx, parent string) error {
	all, err := tx.List(ctx, store.Query{Kind: model.KindPolicy})
	if err != nil {
		return err
	}
	p := strings.ToLower(parent)
	for _, rec := range all {
		k := strings.ToLower(rec.Parent)
		if k == p || strings.HasPrefix(k, p+"/") {
			if _, err := tx.Delete(ctx, model.KindPolicy, rec.Parent, rec.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// policyTexts returns every stored policy and fragment document with a
// name for messages.
func policyTexts(ctx context.Context, r store.Reader) (map[string]string, error) {
	out := map[string]string{}
	for _, kind := range []model.Kind{model.KindPolicy, model.KindPolicyFragment} {
		recs, err := r.List(ctx, store.Query{Kind: kind})
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			var p model.Policy
			if err := decodeStored(rec, &p); err != nil {
				return nil, err
			}
			name := "the policy of /" + rec.Parent
			if rec.Parent == "" {
				name = "the global policy"
			}
			if kind == model.KindPolicyFragment {
				name = "policy fragment '" + rec.ID + "'"
			}
			out[name] = p.Value
		}
	}
	return out, nil
}

// removeNamedValue refuses to delete a named value that a policy uses.
func removeNamedValue(ctx context.Context, tx store.Tx, rec *store.Record, _ *http.Request) error {
	var nv model.NamedValue
	if err := decodeStored(rec, &nv); err != nil {
		return err
	}
	texts, err := policyTexts(ctx, tx)
	if err != nil {
		return err
	}
	ref := "{{" + strings.ToLower(nv.DisplayName) + "}}"
	for name, text := range texts {
		if strings.Contains(strings.ToLower(text), ref) {
			return conflict("namedValueId", "The named value {{"+nv.DisplayName+"}} is used by "+name+".")
		}
	}
	return nil
}

// removeFragment refuses to delete a fragment that a policy includes.
func removeFragment(ctx context.Context, tx store.Tx, rec *store.Record, _ *http.Request) error {
	texts, err := policyTexts(ctx, tx)
	if err != nil {
		return err
	}
	for name, text := range texts {
		low := strings.ToLower(text)
		id := strings.ToLower(rec.ID)
		if strings.Contains(low, `fragment-id="`+id+`"`) || strings.Contains(low, `fragment-id='`+id+`'`) {
			return conflict("fragmentId", "The policy fragment '"+rec.ID+"' is included by "+name+".")
		}
	}
	return nil
}

// checkFragment compiles a fragment's elements with the built-in
// elements; it must compile in at least one section.
func checkFragment(ctx context.Context, tx store.Tx, _ *store.Record, props model.Properties, _ *store.Record, _ nowFunc) error {
	f := props.(*model.PolicyFragment)
	nodes, err := policy.ParseFragment(f.Value)
	if err != nil {
		return policyError(err)
	}
	env, fragments, err := PolicyEnv(ctx, tx)
	if err != nil {
		return err
	}
	var first error
	for _, section := range []string{"inbound", "backend", "outbound", "on-error"} {
		doc, err := policy.FromSection(section, nodes)
		if err == nil {
			var eff *policy.Document
			if eff, err = policy.Merge(fragments, nil, doc); err == nil {
				_, err = builtin.NewRegistry().Compile(eff, env)
			}
		}
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return policyError(first)
}

// removeOperation deletes the operation's policy.
func removeOperation(ctx context.Context, tx store.Tx, rec *store.Record, _ *http.Request) error {
	return deletePoliciesUnder(ctx, tx, policyParent(model.KindOperation, rec.Parent, rec.ID))
}
