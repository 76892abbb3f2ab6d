package compile

import "github.com/gatehouse/gatehouse/internal/policy"

// Document compiles one <policies> document on its own, with its
// <base /> empty and its fragments included, as a policy is checked
// when it is saved or in CI. It returns every problem, nil when none.
func Document(reg *policy.Registry, env policy.Env, fragments map[string][]*policy.Node, src string) policy.Diagnostics {
	doc, err := policy.Parse(src)
	if err != nil {
		return diagnostics(err)
	}
	eff, err := policy.Merge(fragments, nil, doc)
	if err == nil {
		_, err = reg.Compile(eff, env)
	}
	return diagnostics(err)
}

// Fragment compiles a <fragment> document on its own: its elements must
// compile in at least one section, since a fragment may be included in
// any. It returns the problems of the first section tried when none
// compiles, nil otherwise.
func Fragment(reg *policy.Registry, env policy.Env, fragments map[string][]*policy.Node, src string) policy.Diagnostics {
	nodes, err := policy.ParseFragment(src)
	if err != nil {
		return diagnostics(err)
	}
	var first policy.Diagnostics
	for _, section := range []string{"inbound", "backend", "outbound", "on-error"} {
		doc, err := policy.FromSection(section, nodes)
		if err == nil {
			var eff *policy.Document
			if eff, err = policy.Merge(fragments, nil, doc); err == nil {
				_, err = reg.Compile(eff, env)
			}
		}
		if err == nil {
			return nil
		}
		if first == nil {
			first = diagnostics(err)
		}
	}
	return first
}

// Error returns ds as an error, nil when there are none.
func Error(ds policy.Diagnostics) error {
	if len(ds) == 0 {
		return nil
	}
	return ds
}

// Effective renders the effective policy of scopes, given from the
// outermost (global) to the innermost (operation): <base /> replaced by
// the enclosing scope's elements and fragments included, as the gateways
// merge them. An empty scope stands for <base />.
func Effective(fragments map[string][]*policy.Node, scopes ...string) (string, error) {
	docs := make([]*policy.Document, len(scopes))
	for i, src := range scopes {
		if src == "" {
			continue
		}
		d, err := policy.Parse(src)
		if err != nil {
			return "", err
		}
		docs[i] = d
	}
	eff, err := policy.Merge(fragments, docs...)
	if err != nil {
		return "", err
	}
	return policy.Render(eff), nil
}
