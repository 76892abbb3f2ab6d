package apiops

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// Write writes cfg into dir, which must not exist or be empty, in the
// APIOps layout: one folder per resource with its information file, an
// OpenAPI specification.json per API with operations (which imports back
// to the same operations), apis.json / groups.json link lists, a
// policy.xml per scope that has a policy, and the policy fragments. The
// built-in groups and the managed gateway are left out: every instance
// has them. Secret named values carry no value: a placeholder names the
// environment variable apply reads it from (see SecretEnv).
func Write(dir string, cfg *Config) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("export: %s is not empty; export into a new or empty folder", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil { // an empty instance exports an empty folder
		return fmt.Errorf("export: %w", err)
	}
	w := writer{dir: dir}
	for _, a := range cfg.APIs {
		w.info(filepath.Join("apis", a.Name, "apiInformation.json"), a.Properties)
		if len(a.Operations) > 0 {
			var api model.API
			if err := json.Unmarshal(a.Properties, &api); err != nil {
				return fmt.Errorf("api %s: %w", a.Name, err)
			}
			spec, err := openapi.Export(api, a.Operations, openapi.ExportOptions{})
			if err != nil {
				return fmt.Errorf("api %s: %w", a.Name, err)
			}
			w.file(filepath.Join("apis", a.Name, "specification.json"), spec)
		}
	}
	for _, p := range cfg.Products {
		w.info(filepath.Join("products", p.Name, "productInformation.json"), p.Properties)
		w.names(filepath.Join("products", p.Name, "apis.json"), p.APIs)
		w.names(filepath.Join("products", p.Name, "groups.json"), p.Groups)
	}
	for _, g := range cfg.Groups {
		if !model.IsBuiltinGroup(g.Name) {
			w.info(filepath.Join("groups", g.Name, "groupInformation.json"), g.Properties)
		}
	}
	for _, nv := range cfg.NamedValues {
		props, err := withPlaceholder(nv)
		if err != nil {
			return err
		}
		w.info(filepath.Join("namedValues", nv.Name, "namedValueInformation.json"), props)
	}
	for _, b := range cfg.Backends {
		w.info(filepath.Join("backends", b.Name, "backendInformation.json"), b.Properties)
	}
	for _, s := range cfg.Schemas {
		w.info(filepath.Join("schemas", s.Name, "schemaInformation.json"), s.Properties)
	}
	for _, g := range cfg.Gateways {
		if g.Name == model.ManagedGatewayID {
			continue
		}
		w.info(filepath.Join("gateways", g.Name, "gatewayInformation.json"), g.Properties)
		w.names(filepath.Join("gateways", g.Name, "apis.json"), g.APIs)
	}
	w.writePolicies(cfg)
	return w.err
}

// withPlaceholder replaces a secret's value by "${GATEHOUSE_SECRET_...}".
func withPlaceholder(nv Resource) (json.RawMessage, error) {
	var v model.NamedValue
	if err := json.Unmarshal(nv.Properties, &v); err != nil {
		return nil, fmt.Errorf("named value %s: %w", nv.Name, err)
	}
	if !v.Secret {
		return nv.Properties, nil
	}
	v.Value = "${" + SecretEnv(nv.Name) + "}"
	return json.Marshal(&v)
}

// writer writes files under dir and keeps the first error.
type writer struct {
	dir string
	err error
}

func (w *writer) info(rel string, props json.RawMessage) {
	b, err := json.MarshalIndent(map[string]json.RawMessage{"properties": props}, "", "  ")
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("encode %s: %w", rel, err)
	}
	w.file(rel, append(b, '\n'))
}

func (w *writer) names(rel string, names []string) {
	list := make([]map[string]string, len(names))
	for i, n := range names {
		list[i] = map[string]string{"name": n}
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("encode %s: %w", rel, err)
	}
	w.file(rel, append(b, '\n'))
}

func (w *writer) file(rel string, data []byte) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.err = fmt.Errorf("export: %w", err)
		return
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		w.err = fmt.Errorf("export: %w", err)
	}
}
