package apiops

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/internal/model"
)

// Overrides are the per-environment changes of the APIOps publisher's
// configuration file (configuration.prod.yaml): for each resource named
// in it, properties merged into the folder's, so that one folder goes to
// several environments. String values may name environment variables as
// ${VAR}, so that secrets stay out of the repository.
type Overrides struct {
	file     string
	sections map[string][]*override // by section: "namedValues", "apis"...
	// skipped are the parts Gatehouse does not apply: sections and
	// nested lists of kinds it does not support yet.
	skipped []Unsupported
	// workspaces are the entries of the workspaces section's nested
	// sections, by lower-case workspace name: the overrides of that
	// workspace's resources.
	workspaces map[string]*Overrides
	// parent is the configuration file's top level, for a workspace's
	// Overrides: its entries apply too, ids being unique across the
	// service.
	parent *Overrides
}

// override is one resource's entry.
type override struct {
	at    string // "backends[1]", for messages
	name  string
	props json.RawMessage
	used  bool
}

// overrideSections maps the configuration file's sections that Gatehouse
// applies to the kinds they change.
var overrideSections = map[string]model.Kind{
	"namedValues": model.KindNamedValue, "backends": model.KindBackend, "apis": model.KindAPI,
	"products": model.KindProduct, "groups": model.KindGroup, "gateways": model.KindGateway,
	"policyFragments": model.KindPolicyFragment, "tags": model.KindTag, "subscriptions": model.KindSubscription,
	"loggers": model.KindLogger, "diagnostics": model.KindDiagnostic, "versionSets": model.KindAPIVersionSet,
	"apiVersionSets": model.KindAPIVersionSet, "workspaces": model.KindWorkspace,
}

// skippedSections are the configuration file's sections of kinds
// Gatehouse does not support yet; their entries are listed as skipped.
var skippedSections = []string{"gatewayApis", "productApis", "productGroups", "productTags", "apiTags", "apiDiagnostics"}

// ReadOverrides reads the configuration file at file (YAML or JSON), with
// lookupEnv resolving ${VAR} in its string values (nil: none resolves).
// It fails, naming the entry, on a malformed file, an unknown section, an
// entry without a name, a variable that is not set and a placeholder
// ({#token#}) that the pipeline did not replace.
func ReadOverrides(file string, lookupEnv func(string) (string, bool)) (*Overrides, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read the configuration file: %w", err)
	}
	return parseOverrides(filepath.Base(file), data, lookupEnv)
}

// parseOverrides reads a configuration file's content; name is the file's
// name, for messages.
func parseOverrides(name string, data []byte, lookupEnv func(string) (string, bool)) (*Overrides, error) {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not YAML or JSON: %w", name, err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(js, &top); err != nil || top == nil {
		return nil, fmt.Errorf("%s: want a mapping of sections (namedValues, backends, apis, ...)", name)
	}
	o := &Overrides{file: name, sections: map[string][]*override{}}
	if problems := o.readSections(top, "", lookupEnv); len(problems) > 0 {
		return nil, fmt.Errorf("the configuration file is invalid:\n  %s", strings.Join(problems, "\n  "))
	}
	return o, nil
}

// readSections reads the sections of top into o, their entries' places
// prefixed by prefix ("workspaces[0]." in a workspace's entry, where
// apimServiceName and workspaces do not belong), and returns the problems.
func (o *Overrides) readSections(top map[string]json.RawMessage, prefix string, lookupEnv func(string) (string, bool)) []string {
	name := o.file
	var problems []string
	for _, section := range sortedKeys(top) {
		if section == "apimServiceName" && prefix == "" {
			continue
		}
		if section == "workspaces" && prefix != "" {
			problems = append(problems, fmt.Sprintf("%s: %s%s: a workspace holds no workspaces", name, prefix, section))
			continue
		}
		_, applied := overrideSections[section]
		if !applied && !slices.Contains(skippedSections, section) {
			problems = append(problems, fmt.Sprintf("%s: unknown section %q; known: %s", name, prefix+section, strings.Join(knownSections(), ", ")))
			continue
		}
		var entries []map[string]json.RawMessage
		if err := json.Unmarshal(top[section], &entries); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s%s: want a list of {name, properties}", name, prefix, section))
			continue
		}
		for i, e := range entries {
			at := fmt.Sprintf("%s%s[%d]", prefix, section, i)
			if section == "workspaces" {
				if ps := o.readWorkspace(at, e, lookupEnv); len(ps) > 0 {
					problems = append(problems, ps...)
					continue
				}
			}
			if !applied {
				o.skipped = append(o.skipped, Unsupported{Type: strings.TrimSuffix(section, "s") + " override", File: name, Detail: at})
				continue
			}
			ov, skipped, err := readOverride(at, e, lookupEnv)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", name, err))
				continue
			}
			for _, s := range skipped {
				o.skipped = append(o.skipped, Unsupported{Type: "nested override", File: name, Detail: s})
			}
			o.sections[section] = append(o.sections[section], ov)
		}
	}
	return problems
}

// readWorkspace reads the nested sections of the workspaces entry e (the
// APIOps publisher's workspaces: [{name, properties, apis: [...],
// namedValues: [...], ...}]) into o.workspaces, and removes them from e,
// leaving its name and properties.
func (o *Overrides) readWorkspace(at string, e map[string]json.RawMessage, lookupEnv func(string) (string, bool)) []string {
	var ws string
	if err := json.Unmarshal(e["name"], &ws); err != nil || ws == "" {
		return []string{fmt.Sprintf("%s: %s: needs a name", o.file, at)}
	}
	nested := map[string]json.RawMessage{}
	for k, v := range e {
		if _, ok := overrideSections[k]; ok || slices.Contains(skippedSections, k) {
			nested[k] = v
			delete(e, k)
		}
	}
	if len(nested) == 0 {
		return nil
	}
	if o.workspaces == nil {
		o.workspaces = map[string]*Overrides{}
	}
	child := o.workspaces[strings.ToLower(ws)]
	if child == nil {
		child = &Overrides{file: o.file, sections: map[string][]*override{}, parent: o}
		o.workspaces[strings.ToLower(ws)] = child
	}
	problems := child.readSections(nested, at+".", lookupEnv)
	o.skipped = append(o.skipped, child.skipped...)
	child.skipped = nil
	return problems
}

// workspace returns the overrides of the resources of the workspace ws:
// its entry's nested sections, then the top level's.
func (o *Overrides) workspace(ws string) *Overrides {
	if o == nil {
		return nil
	}
	if child := o.workspaces[strings.ToLower(ws)]; child != nil {
		return child
	}
	return o
}

// readOverride reads one entry of an applied section, and returns the
// paths of its nested parts (an API's diagnostics or operations), which
// are not applied.
func readOverride(at string, e map[string]json.RawMessage, lookupEnv func(string) (string, bool)) (*override, []string, error) {
	var name string
	if err := json.Unmarshal(e["name"], &name); err != nil || name == "" {
		return nil, nil, fmt.Errorf("%s: needs a name", at)
	}
	ov := &override{at: at, name: name, props: json.RawMessage(`{}`)}
	var skipped []string
	for _, k := range sortedKeys(e) {
		switch k {
		case "name":
		case "properties":
			var v any
			if err := json.Unmarshal(e[k], &v); err != nil {
				return nil, nil, fmt.Errorf("%s.properties: %w", at, err)
			}
			if _, ok := v.(map[string]any); !ok {
				return nil, nil, fmt.Errorf("%s.properties: want a mapping", at)
			}
			v, err := expand(v, at+".properties", lookupEnv)
			if err != nil {
				return nil, nil, err
			}
			if ov.props, err = json.Marshal(v); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", at, err)
			}
		default:
			skipped = append(skipped, at+"."+k)
		}
	}
	return ov, skipped, nil
}

var (
	envReference     = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	tokenPlaceholder = regexp.MustCompile(`\{#[^#]*#\}`)
)

// expand replaces ${VAR} in every string of v with the variable's value.
func expand(v any, at string, lookupEnv func(string) (string, bool)) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			e, err := expand(x[k], at+"."+k, lookupEnv)
			if err != nil {
				return nil, err
			}
			x[k] = e
		}
	case []any:
		for i := range x {
			e, err := expand(x[i], fmt.Sprintf("%s[%d]", at, i), lookupEnv)
			if err != nil {
				return nil, err
			}
			x[i] = e
		}
	case string:
		if t := tokenPlaceholder.FindString(x); t != "" {
			return nil, fmt.Errorf("%s: the placeholder %s was not replaced; name an environment variable as ${VAR} instead", at, t)
		}
		var missing string
		out := envReference.ReplaceAllStringFunc(x, func(ref string) string {
			name := envReference.FindStringSubmatch(ref)[1]
			val, ok := lookupEnv(name)
			if !ok && missing == "" {
				missing = name
			}
			return val
		})
		if missing != "" {
			return nil, fmt.Errorf("%s: the environment variable %s is not set", at, missing)
		}
		return out, nil
	}
	return v, nil
}

// apply merges the override of kind's resource name, if any, into props,
// as a JSON merge patch (RFC 7386): objects merge, other values replace,
// null removes.
func (o *Overrides) apply(kind model.Kind, name string, props json.RawMessage) (json.RawMessage, error) {
	if o == nil {
		return props, nil
	}
	if o.parent != nil {
		var err error
		if props, err = o.parent.apply(kind, name, props); err != nil {
			return nil, err
		}
	}
	for section, k := range overrideSections {
		if k != kind {
			continue
		}
		for _, ov := range o.sections[section] {
			if !strings.EqualFold(ov.name, name) {
				continue
			}
			ov.used = true
			var base, patch any
			if err := json.Unmarshal(props, &base); err != nil {
				return nil, err
			}
			if err := json.Unmarshal(ov.props, &patch); err != nil {
				return nil, err
			}
			merged, err := json.Marshal(mergePatch(base, patch))
			if err != nil {
				return nil, err
			}
			props = merged
		}
	}
	return props, nil
}

// unused lists the entries that named no resource of the folder.
func (o *Overrides) unused() []string {
	if o == nil {
		return nil
	}
	var out []string
	for _, section := range sortedKeys(o.sections) {
		for _, ov := range o.sections[section] {
			if !ov.used {
				out = append(out, fmt.Sprintf("%s: %s names %q, which the folder does not have", o.file, ov.at, ov.name))
			}
		}
	}
	for _, ws := range sortedKeys(o.workspaces) {
		child := *o.workspaces[ws]
		child.parent, child.workspaces = nil, nil
		out = append(out, child.unused()...)
	}
	return out
}

// mergePatch applies patch to target as RFC 7386 says.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

func knownSections() []string {
	out := []string{"apimServiceName"}
	for s := range overrideSections {
		out = append(out, s)
	}
	slices.Sort(out)
	return append(out, skippedSections...)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
