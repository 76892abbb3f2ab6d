package apiops

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
)

// checkReferences fails when the folder names resources that will not
// exist after the apply, when two APIs would share a path or two named
// values a display name, or when a policy or fragment does not compile.
func checkReferences(desired, current *Config, prune bool) error {
	var problems []string
	exists := func(des, cur []string, name string) bool {
		return containsFold(des, name) || (!prune && containsFold(cur, name))
	}
	apis, curAPIs := apiNames(desired.APIs), apiNames(current.APIs)
	groups, curGroups := names(desired.Groups), names(current.Groups)
	for _, g := range model.BuiltinGroups {
		groups = append(groups, g.ID)
	}
	for _, p := range desired.Products {
		for _, a := range p.APIs {
			if !exists(apis, curAPIs, a) {
				problems = append(problems, fmt.Sprintf("products/%s links API %s, which is neither in the folder nor (kept) on the management plane", p.Name, a))
			}
		}
		for _, g := range p.Groups {
			if !exists(groups, curGroups, g) {
				problems = append(problems, fmt.Sprintf("products/%s links group %s, which is neither in the folder nor (kept) on the management plane", p.Name, g))
			}
		}
	}
	for _, g := range desired.Gateways {
		for _, a := range g.APIs {
			if !exists(apis, curAPIs, a) {
				problems = append(problems, fmt.Sprintf("gateways/%s links API %s, which is neither in the folder nor (kept) on the management plane", g.Name, a))
			}
		}
	}
	problems = append(problems, checkTagLinks(desired, current, exists)...)
	problems = append(problems, checkDiagnosticLoggers(desired, current, exists)...)
	problems = append(problems, checkRevisions(desired, current)...)
	problems = append(problems, checkSubscriptions(desired, current, exists)...)
	sets, curSets := names(desired.VersionSets), names(current.VersionSets)
	for _, a := range desired.APIs {
		var api model.API
		if json.Unmarshal(a.Properties, &api) != nil || api.VersionSet() == "" {
			continue
		}
		if !exists(sets, curSets, api.VersionSet()) {
			problems = append(problems, fmt.Sprintf("%s: version set %s is neither in the folder nor (kept) on the management plane", a.File, api.VersionSet()))
		}
	}
	backends, curBackends := names(desired.Backends), names(current.Backends)
	for _, b := range desired.Backends {
		var be model.Backend
		if json.Unmarshal(b.Properties, &be) != nil || be.Pool == nil {
			continue
		}
		for _, m := range be.Pool.Services {
			if !exists(backends, curBackends, m.ID) {
				problems = append(problems, fmt.Sprintf("%s: pool member %s is neither in the folder nor (kept) on the management plane", b.File, m.ID))
			}
		}
	}
	problems = append(problems, uniqueField(desired.apiResources(), current.apiResources(), prune, "path", "API path")...)
	problems = append(problems, uniqueField(desired.NamedValues, current.NamedValues, prune, "displayName", "named value name")...)
	problems = append(problems, checkPolicies(desired, current, prune)...)
	if len(problems) > 0 {
		return fmt.Errorf("the folder cannot be applied:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// uniqueField fails when two resources of the final state share a value.
func uniqueField(desired, current []Resource, prune bool, field, what string) []string {
	final := append([]Resource(nil), desired...)
	if !prune {
		for _, c := range current {
			if _, ok := find(desired, c.Name); !ok {
				final = append(final, c)
			}
		}
	}
	seen := map[string]string{}
	var problems []string
	for _, r := range final {
		var m map[string]any
		if json.Unmarshal(r.Properties, &m) != nil {
			continue
		}
		v, _ := m[field].(string)
		k := strings.ToLower(v)
		if other, ok := seen[k]; ok {
			where := r.File
			if where == "" {
				where = r.Name + " (on the management plane)"
			}
			problems = append(problems, fmt.Sprintf("%s: the %s %q is also used by %s", where, what, v, other))
			continue
		}
		seen[k] = r.Name
	}
	return problems
}

// apiResources returns the APIs whose path must be unique: versions of a
// version set share theirs (the management plane checks them).
func (c *Config) apiResources() []Resource {
	out := make([]Resource, 0, len(c.APIs))
	for _, a := range c.APIs {
		var api model.API
		if json.Unmarshal(a.Properties, &api) == nil && api.APIVersionSetID != "" {
			continue
		}
		if _, _, ok := model.SplitRevision(a.Name); ok {
			continue // revisions share their API's path
		}
		out = append(out, a.Resource)
	}
	return out
}

func apiNames(as []API) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}

func names(rs []Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}

// checkRevisions fails when a revision folder's API is in neither the
// folder nor the management plane, and when applying would need to make
// another revision current without a release in the folder that does.
func checkRevisions(desired, current *Config) []string {
	var problems []string
	currentRev := func(api string) string {
		d, c := findAPI(desired.APIs, api), findAPI(current.APIs, api)
		switch {
		case c != nil && c.Revision != "":
			return c.Revision
		case d != nil && d.Revision != "":
			return d.Revision
		}
		return "1"
	}
	for _, d := range desired.APIs {
		root, rev, isRev := model.SplitRevision(d.Name)
		if !isRev {
			if c := findAPI(current.APIs, d.Name); c != nil && d.Revision != "" && c.Revision != "" && d.Revision != c.Revision {
				problems = append(problems, fmt.Sprintf("%s: the current revision is %s here and %s on the management plane; "+
					"add a release of revision %s (apis/%s/releases/<id>/apiReleaseInformation.json, {\"properties\": {\"apiId\": \"/apis/%s;rev=%s\"}})", d.File, d.Revision, c.Revision, d.Revision, d.Name, d.Name, d.Revision))
			}
			continue
		}
		if findAPI(desired.APIs, root) == nil && findAPI(current.APIs, root) == nil {
			problems = append(problems, fmt.Sprintf("%s: API %s is neither in the folder nor on the management plane", d.File, root))
			continue
		}
		if rev == currentRev(root) {
			problems = append(problems, fmt.Sprintf("%s: revision %s is API %s's current revision, which is the folder apis/%s", d.File, rev, root, root))
		}
	}
	return problems
}
