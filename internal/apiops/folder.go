package apiops

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// ReadOptions configures Read.
type ReadOptions struct {
	// LookupEnv resolves "${NAME}" placeholders and the values of secret
	// named values (the CLI passes os.LookupEnv). Nil: nothing resolves.
	LookupEnv func(string) (string, bool)
	// Overrides change the folder's resources for one environment (the
	// APIOps publisher's configuration file). Nil: none.
	Overrides *Overrides
	// FetchRef reads the targets of $refs to http(s) URLs in the
	// specifications (the CLI passes one with --allow-remote-refs). Nil:
	// such $refs are refused; $refs to files in the API's folder are
	// always read.
	FetchRef func(*url.URL) ([]byte, error)
}

// reader collects a folder's resources and problems.
type reader struct {
	dir       string
	fetchRef  func(*url.URL) ([]byte, error)
	env       func(string) (string, bool)
	overrides *Overrides
	cfg       Config
	problems  []string
	// skippedLoggers are the loggers of types the gateways cannot write
	// to, whose diagnostics are skipped too.
	skippedLoggers []string
	// messageLoggers are the http and azureEventHub loggers: they take
	// log-to-eventhub's messages, and the diagnostics naming them are
	// skipped.
	messageLoggers []string
}

func (r *reader) fail(file, format string, args ...any) {
	r.problems = append(r.problems, file+": "+fmt.Sprintf(format, args...))
}

func (r *reader) skip(typ, file, detail string) {
	r.cfg.Unsupported = append(r.cfg.Unsupported, Unsupported{Type: typ, File: file, Detail: detail})
}

// Read reads the folder dir. It validates everything it can without a
// management plane (properties, OpenAPI documents, secret values) and
// returns one error listing every problem, each with its file. Nothing in
// dir is changed.
func Read(dir string, opts ReadOptions) (*Config, error) {
	r := &reader{dir: dir, env: opts.LookupEnv, overrides: opts.Overrides, fetchRef: opts.FetchRef}
	if r.env == nil {
		r.env = func(string) (string, bool) { return "", false }
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read folder: %w", err)
	}
	for _, e := range loggersFirst(entries) {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."):
		case !e.IsDir() && name == "policy.xml":
			r.policy(name, "policy")
		case e.IsDir() && name == "apis":
			r.each(name, r.api)
		case e.IsDir() && name == "products":
			r.each(name, r.product)
		case e.IsDir() && name == "groups":
			r.each(name, r.simple(model.KindGroup, "groupInformation.json", &r.cfg.Groups))
		case e.IsDir() && name == "tags":
			r.each(name, r.simple(model.KindTag, "tagInformation.json", &r.cfg.Tags))
		case e.IsDir() && (name == "named values" || name == "namedValues"):
			r.each(name, r.namedValue)
		case e.IsDir() && name == "certificates":
			r.each(name, r.certificate)
		case e.IsDir() && name == "backends":
			r.each(name, r.simple(model.KindBackend, "backendInformation.json", &r.cfg.Backends))
		case e.IsDir() && name == "schemas":
			r.each(name, r.simple(model.KindSchema, "schemaInformation.json", &r.cfg.Schemas))
		case e.IsDir() && name == "gateways":
			r.each(name, r.gateway)
		case e.IsDir() && (name == "policy fragments" || name == "policyFragments"):
			r.each(name, r.fragment)
		case e.IsDir() && (name == "version sets" || name == "versionSets" || name == "apiVersionSets"):
			r.each(name, r.simple(model.KindAPIVersionSet, "versionSetInformation.json", &r.cfg.VersionSets))
		case e.IsDir() && name == "loggers":
			r.each(name, r.logger)
		case e.IsDir() && name == "subscriptions":
			r.each(name, r.subscription)
		case e.IsDir() && name == "diagnostics":
			r.each(name, r.diagnostic(model.KindDiagnostic, &r.cfg.Diagnostics))
		case e.IsDir() && name == "workspaces":
			r.each(name, r.workspace)
		default:
			r.skipTree(describe(name), name)
		}
	}
	r.problems = append(r.problems, opts.Overrides.unused()...)
	if opts.Overrides != nil {
		r.cfg.Unsupported = append(r.cfg.Unsupported, opts.Overrides.skipped...)
	}
	if len(r.problems) > 0 {
		return nil, fmt.Errorf("the folder %s is invalid:\n  %s", dir, strings.Join(r.problems, "\n  "))
	}
	sortResources(r.cfg.Groups)
	sortResources(r.cfg.Tags)
	sortResources(r.cfg.NamedValues)
	sortResources(r.cfg.Backends)
	sortResources(r.cfg.Fragments)
	sortResources(r.cfg.Schemas)
	slices.SortFunc(r.cfg.Certificates, func(a, b Certificate) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	sortResources(r.cfg.VersionSets)
	sortResources(r.cfg.Loggers)
	sortResources(r.cfg.Diagnostics)
	sortResources(r.cfg.Subscriptions)
	sortResources(r.cfg.Workspaces)
	sortPolicies(r.cfg.Policies)
	return &r.cfg, nil
}

// each calls read for every resource directory under rel.
func (r *reader) each(rel string, read func(rel, name string)) {
	entries, err := os.ReadDir(filepath.Join(r.dir, rel))
	if err != nil {
		r.fail(rel, "%v", err)
		return
	}
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case !e.IsDir():
			r.skip("file outside a resource folder", path.Join(rel, e.Name()), "")
		default:
			read(path.Join(rel, e.Name()), e.Name())
		}
	}
}

// skipTree lists every file under rel as unsupported.
func (r *reader) skipTree(typ, rel string) {
	r.skipTreeWhy(typ, rel, reason(path.Base(rel)))
}

// skipTreeWhy lists every file under rel as skipped, saying why.
func (r *reader) skipTreeWhy(typ, rel, why string) {
	filepath.WalkDir(filepath.Join(r.dir, rel), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			r.fail(rel, "%v", err)
			return nil
		}
		if !d.IsDir() {
			f, _ := filepath.Rel(r.dir, p)
			r.skip(typ, filepath.ToSlash(f), why)
		}
		return nil
	})
}

// info reads an APIM resource file ({"id", "name", "properties"}) and
// returns the resource's name and its properties that Gatehouse knows,
// listing the others as unsupported.
func (r *reader) info(kind model.Kind, file, dirName string) (string, json.RawMessage, bool) {
	b, err := os.ReadFile(filepath.Join(r.dir, file))
	if errors.Is(err, fs.ErrNotExist) {
		r.fail(path.Dir(file), "%s is missing", path.Base(file))
		return "", nil, false
	}
	if err != nil {
		r.fail(file, "%v", err)
		return "", nil, false
	}
	var doc struct {
		ID         string          `json:"id"`
		Name       string          `json:"name"`
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		r.fail(file, "not a JSON resource: %v", err)
		return "", nil, false
	}
	name := dirName
	switch {
	case doc.Name != "":
		name = doc.Name
	case doc.ID != "":
		name = lastSegment(doc.ID)
	}
	validID := model.ValidateID
	if kind == model.KindAPI {
		validID = model.ValidateAPIID // "echo;rev=2" is a revision
	}
	if err := validID(name); err != nil || name == "." || name == ".." {
		r.fail(file, "the name %q is not a valid resource id", name)
		return "", nil, false
	}
	if len(doc.Properties) == 0 {
		doc.Properties = json.RawMessage("{}")
	}
	if doc.Properties, err = r.overrides.apply(kind, name, doc.Properties); err != nil {
		r.fail(file, "properties with the configuration file's changes: %v", err)
		return "", nil, false
	}
	known, unknown, err := splitProperties(kind, doc.Properties)
	if err != nil {
		r.fail(file, "%v", err)
		return "", nil, false
	}
	for _, u := range unknown {
		r.skip("property "+u, file, "")
	}
	return name, known, true
}

// simple returns a reader of a resource that is one information file.
func (r *reader) simple(kind model.Kind, infoFile string, into *[]Resource) func(rel, name string) {
	return func(rel, dirName string) {
		file := path.Join(rel, infoFile)
		name, props, ok := r.info(kind, file, dirName)
		if !ok {
			return
		}
		if kind == model.KindBackend {
			props = localPoolIDs(props)
		}
		c, err := canonical(kind, props)
		if err != nil {
			r.fail(file, "%v", err)
			return
		}
		*into = append(*into, Resource{Name: name, Properties: c, File: file})
		r.skipOthers(rel, infoFile)
	}
}

// skipOthers lists the files of a resource folder other than the known
// files and folders.
func (r *reader) skipOthers(rel string, known ...string) {
	entries, _ := os.ReadDir(filepath.Join(r.dir, rel))
	for _, e := range entries {
		n := e.Name()
		switch {
		case strings.HasPrefix(n, "."), slices.Contains(known, n):
		case e.IsDir():
			r.skipTree(describe(n), path.Join(rel, n))
		case n == "policy.xml":
			r.skip(describe(path.Base(path.Dir(rel)))+" policy", path.Join(rel, n), "")
		default:
			r.skip(describe(n), path.Join(rel, n), reason(n))
		}
	}
}

// describe names what an APIOps file or folder holds.
func describe(name string) string {
	switch name {
	case "apis":
		return "API"
	case "products":
		return "product"
	case "operations":
		return "operation policy"
	case "diagnostics":
		return "diagnostic"
	case "tags.json":
		return "tag link"
	case "schemas":
		return "API schema"
	case "workspaces":
		return "workspace"
	case "releases":
		return "API release"
	case "specification.wadl":
		return "WADL specification"
	case "specification.graphql", "specification.wsdl":
		return "specification of another API type"
	}
	return strings.TrimSuffix(strings.TrimSuffix(name, path.Ext(name)), "s")
}

// reason says why Gatehouse does not apply an APIOps file or folder it
// has no place for; "" when there is nothing more to say.
func reason(name string) string {
	switch name {
	}
	return ""
}

// localPoolIDs turns the APIM resource ids of pool members into backend
// ids.
func localPoolIDs(props json.RawMessage) json.RawMessage {
	var b model.Backend
	if json.Unmarshal(props, &b) != nil || b.Pool == nil {
		return props
	}
	var m map[string]any
	if json.Unmarshal(props, &m) != nil {
		return props
	}
	for i := range b.Pool.Services {
		b.Pool.Services[i].ID = lastSegment(b.Pool.Services[i].ID)
	}
	m["pool"] = b.Pool
	out, err := json.Marshal(m)
	if err != nil {
		return props
	}
	return out
}

func (r *reader) api(rel, dirName string) {
	file := path.Join(rel, "apiInformation.json")
	name, props, ok := r.info(model.KindAPI, file, dirName)
	if !ok {
		return
	}
	var a model.API
	if err := model.DecodeStrict(props, "properties", &a); err != nil {
		r.fail(file, "%v", err)
		return
	}
	if a.Type != "" && a.Type != model.TypeHTTP && a.Type != model.TypeSOAP && a.Type != model.TypeGraphQL {
		r.skip("API of type "+a.Type, file, "the whole API")
		return
	}
	a.Normalize()
	api := API{Resource: Resource{Name: name, File: file}}
	known := []string{"apiInformation.json"}
	if !r.definitionSpec(rel, &a, &api, &known) {
		return
	}
	for _, spec := range []string{"specification.yaml", "specification.yml", "specification.json"} {
		if api.Spec != nil {
			break
		}
		b, err := os.ReadFile(filepath.Join(r.dir, rel, spec))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		known = append(known, spec)
		if err != nil {
			r.fail(path.Join(rel, spec), "%v", err)
			return
		}
		def, err := r.importSpec(b, rel)
		if err != nil {
			r.fail(path.Join(rel, spec), "%v", err)
			return
		}
		for _, w := range def.Warnings {
			if strings.HasPrefix(w, "servers[0].url") && a.ServiceURL != "" {
				continue // apiInformation.json gives the service URL
			}
			r.skip("OpenAPI part", path.Join(rel, spec), w)
		}
		for _, w := range def.Lenient {
			r.cfg.Warnings = append(r.cfg.Warnings, Warning{File: path.Join(rel, spec), Detail: w})
		}
		def.Fill(&a)
		if def.Document != nil {
			b = def.Document // with what its $refs name: the management plane has no files
		}
		for _, f := range def.Files {
			known = append(known, strings.SplitN(f, "/", 2)[0])
		}
		api.Spec, api.SpecFile, api.Operations = b, path.Join(rel, spec), def.Operations
		break
	}
	if err := a.Validate(); err != nil {
		r.fail(file, "%v", err)
		return
	}
	if root, rev, ok := model.SplitRevision(name); ok {
		if a.APIRevision != "" && a.APIRevision != rev {
			r.fail(file, "apiRevision %q: the folder %s is revision %s", a.APIRevision, dirName, rev)
			return
		}
		if st, err := os.Stat(filepath.Join(r.dir, rel, "releases")); err == nil && st.IsDir() {
			r.fail(path.Join(rel, "releases"), "releases belong to the API's folder: apis/%s/releases", root)
			return
		}
	} else {
		api.Revision = a.APIRevision
		api.Releases = r.releases(rel, name, cmp.Or(a.APIRevision, "1"))
	}
	clearServerFilled(&a)
	a.Definition = "" // the management plane keeps the specification file's
	c, err := json.Marshal(&a)
	if err != nil {
		r.fail(file, "%v", err)
		return
	}
	api.Properties = c
	api.Tags = r.apiTags(rel, name)
	r.apiDiagnostics(rel, name)
	r.apiSchemas(rel, name, slices.Contains(known, "schemas"))
	r.cfg.APIs = append(r.cfg.APIs, api)
	r.policy(path.Join(rel, "policy.xml"), "apis/"+name+"/policy")
	if st, err := os.Stat(filepath.Join(r.dir, rel, "operations")); err == nil && st.IsDir() {
		r.operations(path.Join(rel, "operations"), name)
	}
	r.skipOthers(rel, append(known, "policy.xml", "operations", "tags.json", "tags", "diagnostics", "releases", "schemas")...)
}

// importSpec imports a specification of the API folder rel. Its $refs
// may name files in that folder: an os.Root, so that neither "../" nor a
// symbolic link leads out of it.
func (r *reader) importSpec(b []byte, rel string) (*openapi.Definition, error) {
	root, err := os.OpenRoot(filepath.Join(r.dir, rel))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return openapi.Import(b, openapi.ImportOptions{Files: root.FS(), FetchRef: r.fetchRef})
}

func (r *reader) product(rel, dirName string) {
	file := path.Join(rel, "productInformation.json")
	name, props, ok := r.info(model.KindProduct, file, dirName)
	if !ok {
		return
	}
	c, err := canonical(model.KindProduct, props)
	if err != nil {
		r.fail(file, "%v", err)
		return
	}
	p := Product{Resource: Resource{Name: name, Properties: c, File: file}}
	p.APIs = r.links(rel, "apis", productAPILink)
	p.Groups = r.links(rel, "groups", productGroupLink)
	p.Tags = r.links(rel, "tags", productTagLink)
	r.cfg.Products = append(r.cfg.Products, p)
	r.policy(path.Join(rel, "policy.xml"), "products/"+name+"/policy")
	r.skipOthers(rel, "productInformation.json", "apis.json", "groups.json", "tags.json", "apis", "groups", "tags", "policy.xml")
}

func (r *reader) gateway(rel, dirName string) {
	file := path.Join(rel, "gatewayInformation.json")
	name, props, ok := r.info(model.KindGateway, file, dirName)
	if !ok {
		return
	}
	c, err := canonical(model.KindGateway, props)
	if err != nil {
		r.fail(file, "%v", err)
		return
	}
	g := Gateway{Resource: Resource{Name: name, Properties: c, File: file}, APIs: r.links(rel, "apis", gatewayAPILink)}
	r.readGatewayChildren(rel, &g)
	r.cfg.Gateways = append(r.cfg.Gateways, g)
	r.skipOthers(rel, "gatewayInformation.json", "apis.json", "apis", "certificateAuthorities", "federatedCredentials")
}

// names reads a link file: a JSON list of names, of {"name": ...} objects
// (as APIOps writes them), or of APIM resource ids. A missing file gives
// nil ("not described").
func (r *reader) names(file string) []string {
	b, err := os.ReadFile(filepath.Join(r.dir, file))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		r.fail(file, "%v", err)
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		r.fail(file, "want a JSON list of names: %v", err)
		return nil
	}
	out := []string{}
	for i, it := range items {
		var s string
		var o struct{ Name, ID string }
		switch {
		case json.Unmarshal(it, &s) == nil:
		case json.Unmarshal(it, &o) == nil && (o.Name != "" || o.ID != ""):
			s = o.Name
			if s == "" {
				s = lastSegment(o.ID)
			}
		default:
			r.fail(file, "entry %d: want a name or {\"name\": ...}", i)
			continue
		}
		if model.ValidateID(lastSegment(s)) != nil {
			r.fail(file, "entry %d: %q is not a valid resource id", i, s)
			continue
		}
		out = append(out, lastSegment(s))
	}
	return sortedNames(out)
}

func (r *reader) namedValue(rel, dirName string) {
	file := path.Join(rel, "namedValueInformation.json")
	name, props, ok := r.info(model.KindNamedValue, file, dirName)
	if !ok {
		return
	}
	var nv model.NamedValue
	if err := model.DecodeStrict(props, "properties", &nv); err != nil {
		r.fail(file, "%v", err)
		return
	}
	if m := placeholder.FindStringSubmatch(nv.Value); m != nil {
		v, ok := r.env(m[1])
		if !ok {
			r.fail(file, "the value names the environment variable %s, which is not set", m[1])
			return
		}
		nv.Value = v
	}
	if nv.Value == "" && nv.Secret {
		env := SecretEnv(name)
		v, ok := r.env(env)
		if !ok {
			r.fail(file, "the secret named value %s has no value: set %s", name, env)
			return
		}
		nv.Value = v
	}
	if nv.Value == "" {
		r.fail(file, "the named value %s has no value", name)
		return
	}
	nv.Normalize()
	if err := nv.Validate(); err != nil {
		r.fail(file, "%v", err)
		return
	}
	c, err := json.Marshal(&nv)
	if err != nil {
		r.fail(file, "%v", err)
		return
	}
	r.cfg.NamedValues = append(r.cfg.NamedValues, Resource{Name: name, Properties: c, File: file})
	r.skipOthers(rel, "namedValueInformation.json")
}
