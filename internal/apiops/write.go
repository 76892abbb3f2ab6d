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
// layout the APIOps tools read: one folder per resource with its
// information file (named values under "named values/", fragments under
// "policy fragments/"), an OpenAPI specification per API with operations
// (which imports back to the same operations; specification.yaml or .json
// in the OpenAPI version and format the operations were imported in), one folder per
// product and gateway link with its information file
// (products/<p>/apis/<api>/productApiInformation.json), one folder per
// tag (tags/<t>/tagInformation.json) and per API and product tag link
// (apis/<api>/tags/<t>/apiTagInformation.json), a policy.xml per
// scope that has a policy, and the policy fragments. The
// built-in groups are left out, and so is the managed gateway unless it
// has certificate authorities or federated credentials: every instance
// has them. Subscriptions are written without keys
// (subscriptions/<s>/subscriptionInformation.json). Certificates are written with their chain; unless
// opts.IncludeSecrets, secret named values carry no value and client
// certificates no material: a placeholder names the environment variable
// apply reads it from (see SecretEnv and CertificateEnv).
func Write(dir string, cfg *Config, opts WriteOptions) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("export: %s is not empty; export into a new or empty folder", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil { // an empty instance exports an empty folder
		return fmt.Errorf("export: %w", err)
	}
	cfg, moves, err := splitWorkspaces(cfg)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := writer{dir: dir}
	for _, ws := range cfg.Workspaces {
		w.info(filepath.Join("workspaces", ws.Name, "workspaceInformation.json"), ws.Properties)
	}
	for _, a := range cfg.APIs {
		props := a.Properties
		if a.Revision != "" && a.Revision != "1" {
			props = withRevision(props, a.Revision)
		}
		w.info(filepath.Join("apis", a.Name, "apiInformation.json"), props)
		if a.SpecFormat != "" {
			w.file(filepath.Join("apis", a.Name, specFiles[a.SpecFormat]), a.Spec)
		} else if len(a.Operations) > 0 {
			var api model.API
			if err := json.Unmarshal(a.Properties, &api); err != nil {
				return fmt.Errorf("api %s: %w", a.Name, err)
			}
			// In the version and format the operations were imported in.
			src := openapi.SourceOf(a.Operations)
			spec, err := openapi.Export(api, a.Operations, openapi.ExportOptions{})
			if err == nil {
				spec, err = src.Encode(spec)
			}
			if err != nil {
				return fmt.Errorf("api %s: %w", a.Name, err)
			}
			w.file(filepath.Join("apis", a.Name, "specification"+src.FileExtension()), spec)
		}
		w.writeLinks(filepath.Join("apis", a.Name), "tags", a.Tags, apiTagLink)
		w.writeReleases(a)
	}
	for _, p := range cfg.Products {
		w.info(filepath.Join("products", p.Name, "productInformation.json"), p.Properties)
		w.writeLinks(filepath.Join("products", p.Name), "apis", p.APIs, productAPILink)
		w.writeLinks(filepath.Join("products", p.Name), "groups", p.Groups, productGroupLink)
		w.writeLinks(filepath.Join("products", p.Name), "tags", p.Tags, productTagLink)
	}
	for _, g := range cfg.Groups {
		if !model.IsBuiltinGroup(g.Name) {
			w.info(filepath.Join("groups", g.Name, "groupInformation.json"), g.Properties)
		}
	}
	for _, t := range cfg.Tags {
		w.info(filepath.Join("tags", t.Name, "tagInformation.json"), t.Properties)
	}
	for _, nv := range cfg.NamedValues {
		props, err := nv.Properties, error(nil)
		if !opts.IncludeSecrets {
			props, err = withPlaceholder(nv)
		}
		if err != nil {
			return err
		}
		w.info(filepath.Join("named values", nv.Name, "namedValueInformation.json"), props)
	}
	for _, b := range cfg.Backends {
		w.info(filepath.Join("backends", b.Name, "backendInformation.json"), b.Properties)
	}
	w.writeCertificates(cfg.Certificates, opts.IncludeSecrets)
	for _, sc := range cfg.Schemas {
		w.info(filepath.Join("schemas", sc.Name, "schemaInformation.json"), sc.Properties)
	}
	for _, g := range cfg.Gateways {
		if isManaged(g.Name) && !hasChildren(g) {
			continue
		}
		w.info(filepath.Join("gateways", g.Name, "gatewayInformation.json"), g.Properties)
		w.writeGatewayChildren(g)
		w.writeLinks(filepath.Join("gateways", g.Name), "apis", g.APIs, gatewayAPILink)
	}
	for _, v := range cfg.VersionSets {
		w.info(filepath.Join("version sets", v.Name, "versionSetInformation.json"), v.Properties)
	}
	w.writeDiagnostics(cfg)
	w.writeAPISchemas(cfg)
	w.writeSubscriptions(cfg.Subscriptions)
	w.writePolicies(cfg)
	w.moveIntoWorkspaces(moves)
	return w.err
}

// WriteOptions configures Write.
type WriteOptions struct {
	// IncludeSecrets writes the values of secret named values and the
	// private keys of client certificates instead of placeholders.
	IncludeSecrets bool
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

// withRevision adds apiRevision to an API's properties: the number of
// its current revision, which apply creates it at.
func withRevision(props json.RawMessage, rev string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(props, &m) != nil {
		return props
	}
	m["apiRevision"], _ = json.Marshal(rev)
	out, err := json.Marshal(m)
	if err != nil {
		return props
	}
	return out
}
