package apiops

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
)

// workspaceFolders are the folders of a workspace (workspaces/<ws>/) that
// apply reads, with the kind of their resources and the top-level folder
// export writes them to before moving them into the workspace.
var workspaceFolders = map[string]model.Kind{
	"apis": model.KindAPI, "products": model.KindProduct, "named values": model.KindNamedValue,
	"namedValues": model.KindNamedValue, "backends": model.KindBackend,
	"policy fragments": model.KindPolicyFragment, "policyFragments": model.KindPolicyFragment,
	"tags": model.KindTag, "groups": model.KindGroup, "subscriptions": model.KindSubscription, "loggers": model.KindLogger, "version sets": model.KindAPIVersionSet, "versionSets": model.KindAPIVersionSet, "apiVersionSets": model.KindAPIVersionSet,
}

// workspacePolicyReason says why a workspace's policy.xml is skipped.
const workspacePolicyReason = "APIM applies it between the global and product scopes of the workspace's APIs: " +
	"a gateway's configuration carries global, product, API and operation policies only, so a workspace scope needs a new policy resource and snapshot field first"

// workspaceDiagnosticReason says why a workspace's diagnostics are skipped.
const workspaceDiagnosticReason = "in APIM it records the workspace's APIs; as a global diagnostic it would record every API of the service"

// workspace reads workspaces/<ws>/: its workspaceInformation.json, and
// its APIs, products, named values, backends, policy fragments, version sets, tags, groups, subscriptions and loggers (the links of its APIs and
// products to them are in those folders) as those of the service,
// each recording the workspace in its workspaceId. Its other folders are
// listed as skipped. An id that a service-level resource (or another
// workspace's) of the same kind has is refused, naming both files.
func (r *reader) workspace(rel, dirName string) {
	file := path.Join(rel, "workspaceInformation.json")
	name, props, ok := r.info(model.KindWorkspace, file, dirName)
	if !ok {
		return
	}
	c, err := canonical(model.KindWorkspace, props)
	if err != nil {
		r.fail(file, "%v", err)
		return
	}
	r.cfg.Workspaces = append(r.cfg.Workspaces, Resource{Name: name, Properties: c, File: file})
	sub := &reader{dir: filepath.Join(r.dir, rel), env: r.env, overrides: r.overrides.workspace(name), fetchRef: r.fetchRef, skippedLoggers: r.skippedLoggers, messageLoggers: r.messageLoggers}
	entries, err := os.ReadDir(sub.dir)
	if err != nil {
		r.fail(rel, "%v", err)
		return
	}
	for _, e := range loggersFirst(entries) {
		n := e.Name()
		switch {
		case strings.HasPrefix(n, "."), n == "workspaceInformation.json":
		case e.IsDir() && n == "apis":
			sub.each(n, sub.api)
		case e.IsDir() && n == "products":
			sub.each(n, sub.product)
		case e.IsDir() && (n == "named values" || n == "namedValues"):
			sub.each(n, sub.namedValue)
		case e.IsDir() && n == "backends":
			sub.each(n, sub.simple(model.KindBackend, "backendInformation.json", &sub.cfg.Backends))
		case e.IsDir() && (n == "policy fragments" || n == "policyFragments"):
			sub.each(n, sub.fragment)
		case e.IsDir() && n == "loggers":
			sub.each(n, sub.logger)
		case e.IsDir() && n == "diagnostics":
			r.skipTreeWhy("workspace diagnostic", path.Join(rel, n), workspaceDiagnosticReason)
		case e.IsDir() && n == "subscriptions":
			sub.each(n, sub.subscription)
		case e.IsDir() && n == "groups":
			sub.each(n, sub.simple(model.KindGroup, "groupInformation.json", &sub.cfg.Groups))
		case e.IsDir() && n == "tags":
			sub.each(n, sub.simple(model.KindTag, "tagInformation.json", &sub.cfg.Tags))
		case e.IsDir() && (n == "version sets" || n == "versionSets" || n == "apiVersionSets"):
			sub.each(n, sub.simple(model.KindAPIVersionSet, "versionSetInformation.json", &sub.cfg.VersionSets))
		case n == "policy.xml":
			r.skip("workspace policy", path.Join(rel, n), workspacePolicyReason)
		default:
			r.skipTree("workspace "+describe(n), path.Join(rel, n))
		}
	}
	for _, p := range sub.problems {
		r.problems = append(r.problems, rel+"/"+p)
	}
	r.mergeWorkspace(rel, name, &sub.cfg)
}

// mergeWorkspace adds the resources a workspace's reader read to r's,
// with their files under rel and their workspaceId set.
func (r *reader) mergeWorkspace(rel, ws string, sub *Config) {
	at := func(f string) string {
		if f == "" {
			return ""
		}
		return rel + "/" + f
	}
	for _, u := range sub.Unsupported {
		u.File = at(u.File)
		r.cfg.Unsupported = append(r.cfg.Unsupported, u)
	}
	for _, w := range sub.Warnings {
		w.File = at(w.File)
		r.cfg.Warnings = append(r.cfg.Warnings, w)
	}
	add := func(kind model.Kind, into *[]Resource, from []Resource) {
		for _, res := range from {
			res.File = at(res.File)
			if other, ok := find(*into, res.Name); ok {
				r.fail(res.File, "the id %s is also %s's: ids are unique across the service and its workspaces", res.Name, other.File)
				continue
			}
			props, err := withWorkspace(kind, res.Properties, ws)
			if err != nil {
				r.fail(res.File, "%v", err)
				continue
			}
			res.Properties = props
			*into = append(*into, res)
		}
	}
	add(model.KindNamedValue, &r.cfg.NamedValues, sub.NamedValues)
	add(model.KindBackend, &r.cfg.Backends, sub.Backends)
	add(model.KindPolicyFragment, &r.cfg.Fragments, sub.Fragments)
	add(model.KindAPIVersionSet, &r.cfg.VersionSets, sub.VersionSets)
	add(model.KindTag, &r.cfg.Tags, sub.Tags)
	add(model.KindGroup, &r.cfg.Groups, sub.Groups)
	add(model.KindLogger, &r.cfg.Loggers, sub.Loggers)
	r.mergeSubscriptions(rel, sub, add)
	for _, a := range sub.APIs {
		a.File, a.SpecFile = at(a.File), at(a.SpecFile)
		if other := findAPI(r.cfg.APIs, a.Name); other != nil {
			r.fail(a.File, "the id %s is also %s's: ids are unique across the service and its workspaces", a.Name, other.File)
			continue
		}
		props, err := withWorkspace(model.KindAPI, a.Properties, ws)
		if err != nil {
			r.fail(a.File, "%v", err)
			continue
		}
		a.Properties = props
		for i := range a.Releases {
			a.Releases[i].File = at(a.Releases[i].File)
		}
		r.cfg.APIs = append(r.cfg.APIs, a)
	}
	for _, p := range sub.Products {
		p.File = at(p.File)
		if other, ok := find(productResources(r.cfg.Products), p.Name); ok {
			r.fail(p.File, "the id %s is also %s's: ids are unique across the service and its workspaces", p.Name, other.File)
			continue
		}
		props, err := withWorkspace(model.KindProduct, p.Properties, ws)
		if err != nil {
			r.fail(p.File, "%v", err)
			continue
		}
		p.Properties = props
		r.cfg.Products = append(r.cfg.Products, p)
	}
	for _, p := range sub.Policies {
		p.File = at(p.File)
		r.cfg.Policies = append(r.cfg.Policies, p)
	}
	for api, ds := range sub.APIDiagnostics {
		if r.cfg.APIDiagnostics == nil {
			r.cfg.APIDiagnostics = map[string][]Resource{}
		}
		for i := range ds {
			ds[i].File = at(ds[i].File)
		}
		r.cfg.APIDiagnostics[api] = ds
	}
	for api, ss := range sub.APISchemas {
		if r.cfg.APISchemas == nil {
			r.cfg.APISchemas = map[string][]Resource{}
		}
		for i := range ss {
			ss[i].File = at(ss[i].File)
		}
		r.cfg.APISchemas[api] = ss
	}
}

// mergeSubscriptions adds the subscriptions of the workspace folder rel
// with add, and their
// keys. One scoped to all APIs is listed as skipped: in APIM it opens the
// workspace's APIs, in Gatehouse it would open the whole service's.
func (r *reader) mergeSubscriptions(rel string, sub *Config, add func(model.Kind, *[]Resource, []Resource)) {
	var keep []Resource
	for _, s := range sub.Subscriptions {
		var v model.Subscription
		if json.Unmarshal(s.Properties, &v) == nil && strings.TrimSuffix(v.Scope, "/") == "/apis" {
			r.skip("workspace subscription to all APIs", rel+"/"+s.File,
				"it would open every API of the service, not only the workspace's: scope it to the workspace's APIs or products")
			continue
		}
		keep = append(keep, s)
	}
	add(model.KindSubscription, &r.cfg.Subscriptions, keep)
	for name, keys := range sub.SubscriptionKeys {
		if r.cfg.SubscriptionKeys == nil {
			r.cfg.SubscriptionKeys = map[string]model.SubscriptionKeys{}
		}
		if _, ok := find(keep, name); ok {
			r.cfg.SubscriptionKeys[name] = keys
		}
	}
}

func productResources(ps []Product) []Resource {
	out := make([]Resource, len(ps))
	for i, p := range ps {
		out[i] = p.Resource
	}
	return out
}

// withWorkspace returns props (canonical properties of kind) with
// workspaceId set to ws ("" removes it), canonical again.
func withWorkspace(kind model.Kind, props json.RawMessage, ws string) (json.RawMessage, error) {
	p := model.NewProperties(kind)
	if err := json.Unmarshal(props, p); err != nil {
		return nil, err
	}
	switch v := p.(type) {
	case *model.API:
		v.WorkspaceID = ws
	case *model.Product:
		v.WorkspaceID = ws
	case *model.NamedValue:
		v.WorkspaceID = ws
	case *model.Backend:
		v.WorkspaceID = ws
	case *model.PolicyFragment:
		v.WorkspaceID = ws
	case *model.APIVersionSet:
		v.WorkspaceID = ws
	case *model.Tag:
		v.WorkspaceID = ws
	case *model.Group:
		v.WorkspaceID = ws
	case *model.Subscription:
		v.WorkspaceID = ws
	case *model.Logger:
		v.WorkspaceID = ws
	default:
		return nil, fmt.Errorf("%s has no workspace", kind)
	}
	return json.Marshal(p)
}

// workspaceOf returns the workspaceId of props; "" at service level.
func workspaceOf(props json.RawMessage) string {
	var w struct {
		WorkspaceID string `json:"workspaceId"`
	}
	_ = json.Unmarshal(props, &w)
	return w.WorkspaceID
}

// move is a resource folder Write moves into its workspace once written.
type move struct{ from, to string }

// splitWorkspaces returns a copy of cfg whose APIs, products, named
// values, backends, policy fragments, version sets, tags, groups, subscriptions and loggers carry no workspaceId, and the folders of those that
// had one, which Write moves under workspaces/<ws>/.
func splitWorkspaces(cfg *Config) (*Config, []move, error) {
	out := *cfg
	var moves []move
	strip := func(kind model.Kind, folder string, r *Resource) error {
		ws := workspaceOf(r.Properties)
		if ws == "" {
			return nil
		}
		props, err := withWorkspace(kind, r.Properties, "")
		if err != nil {
			return fmt.Errorf("%s %s: %w", kind, r.Name, err)
		}
		r.Properties = props
		moves = append(moves, move{from: filepath.Join(folder, r.Name), to: filepath.Join("workspaces", ws, folder, r.Name)})
		return nil
	}
	out.APIs = append([]API(nil), cfg.APIs...)
	for i := range out.APIs {
		if err := strip(model.KindAPI, "apis", &out.APIs[i].Resource); err != nil {
			return nil, nil, err
		}
	}
	out.Products = append([]Product(nil), cfg.Products...)
	for i := range out.Products {
		if err := strip(model.KindProduct, "products", &out.Products[i].Resource); err != nil {
			return nil, nil, err
		}
	}
	out.NamedValues = append([]Resource(nil), cfg.NamedValues...)
	for i := range out.NamedValues {
		if err := strip(model.KindNamedValue, "named values", &out.NamedValues[i]); err != nil {
			return nil, nil, err
		}
	}
	out.Backends = append([]Resource(nil), cfg.Backends...)
	for i := range out.Backends {
		if err := strip(model.KindBackend, "backends", &out.Backends[i]); err != nil {
			return nil, nil, err
		}
	}
	out.Fragments = append([]Resource(nil), cfg.Fragments...)
	for i := range out.Fragments {
		if err := strip(model.KindPolicyFragment, "policy fragments", &out.Fragments[i]); err != nil {
			return nil, nil, err
		}
	}
	out.VersionSets = append([]Resource(nil), cfg.VersionSets...)
	for i := range out.VersionSets {
		if err := strip(model.KindAPIVersionSet, "version sets", &out.VersionSets[i]); err != nil {
			return nil, nil, err
		}
	}
	out.Tags = append([]Resource(nil), cfg.Tags...)
	for i := range out.Tags {
		if err := strip(model.KindTag, "tags", &out.Tags[i]); err != nil {
			return nil, nil, err
		}
	}
	out.Groups = append([]Resource(nil), cfg.Groups...)
	for i := range out.Groups {
		if err := strip(model.KindGroup, "groups", &out.Groups[i]); err != nil {
			return nil, nil, err
		}
	}
	out.Subscriptions = append([]Resource(nil), cfg.Subscriptions...)
	for i := range out.Subscriptions {
		if err := strip(model.KindSubscription, "subscriptions", &out.Subscriptions[i]); err != nil {
			return nil, nil, err
		}
	}
	out.Loggers = append([]Resource(nil), cfg.Loggers...)
	for i := range out.Loggers {
		if err := strip(model.KindLogger, "loggers", &out.Loggers[i]); err != nil {
			return nil, nil, err
		}
	}
	return &out, moves, nil
}

// moveIntoWorkspaces moves the written folders of workspace resources.
func (w *writer) moveIntoWorkspaces(moves []move) {
	for _, m := range moves {
		if w.err != nil {
			return
		}
		from, to := filepath.Join(w.dir, m.from), filepath.Join(w.dir, m.to)
		if _, err := os.Stat(from); err != nil {
			continue // nothing was written for it
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			w.err = fmt.Errorf("export: %w", err)
			return
		}
		if err := os.Rename(from, to); err != nil {
			w.err = fmt.Errorf("export: %w", err)
		}
	}
	for _, top := range []string{"apis", "products", "named values", "backends", "policy fragments", "version sets", "tags", "groups", "subscriptions", "loggers"} {
		os.Remove(filepath.Join(w.dir, top)) // only when the moves left it empty
	}
}

// planWorkspaces adds the writes of the workspaces, before the resources
// that name them.
func (p *Plan) planWorkspaces(desired, current *Config) {
	p.upsert("/workspaces/", desired.Workspaces, current.Workspaces)
}

// pruneWorkspaces adds the deletions of the workspaces the folder lacks,
// after those of the resources in them.
func (p *Plan) pruneWorkspaces(desired, current *Config) {
	for _, c := range current.Workspaces {
		if _, ok := find(desired.Workspaces, c.Name); !ok {
			p.Steps = append(p.Steps, Step{Action: Delete, Path: "/workspaces/" + c.Name})
		}
	}
}
