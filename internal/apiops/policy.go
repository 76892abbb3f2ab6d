package apiops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
)

// policyFormat is the format apply writes and compares documents in: the
// document as written, expressions with raw quotes and '<' (APIOps's
// format too).
const policyFormat = "rawxml"

// trimDocument removes the trailing white space that editors and
// exporters add or drop, the only difference apply ignores.
func trimDocument(s string) string { return strings.TrimRight(s, " \t\r\n") }

// policyProps returns the canonical properties of a policy document.
func policyProps(value string) (json.RawMessage, error) {
	return json.Marshal(&model.Policy{Format: policyFormat, Value: trimDocument(value)})
}

// fragmentProps returns the canonical properties of a policy fragment.
func fragmentProps(f model.PolicyFragment) (json.RawMessage, error) {
	f.Format, f.Value = policyFormat, trimDocument(f.Value)
	return json.Marshal(&f)
}

// policyValue returns the document of canonical policy or fragment
// properties.
func policyValue(props json.RawMessage) string {
	var p struct {
		Value string `json:"value"`
	}
	json.Unmarshal(props, &p)
	return p.Value
}

// policyFile returns the folder file of the policy named name ("policy"
// gives "policy.xml", "apis/echo/policy" gives "apis/echo/policy.xml").
func policyFile(name string) string { return name + ".xml" }

// policyOwner returns the management path of the resource that a policy
// attaches to: "" for the global policy, "apis/echo" for "apis/echo/policy".
func policyOwner(name string) string {
	return strings.TrimSuffix(strings.TrimSuffix(name, "policy"), "/")
}

// policy reads the policy document file (relative to the folder) as the
// policy named name, and reports whether the file exists.
func (r *reader) policy(file, name string) bool {
	b, err := os.ReadFile(filepath.Join(r.dir, file))
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		r.fail(file, "%v", err)
		return true
	}
	if trimDocument(string(b)) == "" {
		r.fail(file, "the policy document is empty: delete the file for no policy")
		return true
	}
	props, err := policyProps(string(b))
	if err != nil {
		r.fail(file, "%v", err)
		return true
	}
	r.cfg.Policies = append(r.cfg.Policies, Resource{Name: name, Properties: props, File: file})
	return true
}

// operations reads the operation policies of the API api from the folder
// rel (apis/<name>/operations/<operation>/policy.xml), listing any other
// file as unsupported.
func (r *reader) operations(rel, api string) {
	entries, err := os.ReadDir(filepath.Join(r.dir, rel))
	if err != nil {
		r.fail(rel, "%v", err)
		return
	}
	for _, e := range entries {
		n := e.Name()
		switch {
		case strings.HasPrefix(n, "."):
		case !e.IsDir():
			r.skip("file outside an operation folder", path.Join(rel, n), "")
		case model.ValidateID(n) != nil:
			r.fail(path.Join(rel, n), "the operation name %q is not a valid resource id", n)
		default:
			opRel := path.Join(rel, n)
			r.policy(path.Join(opRel, "policy.xml"), "apis/"+api+"/operations/"+n+"/policy")
			r.skipOthers(opRel, "policy.xml")
		}
	}
}

// fragment reads "policy fragments/<name>" (or policyFragments/<name>):
// policyFragmentInformation.json
// ({"properties": {"description", "format", "value"}}) and, as newer
// APIOps versions write it, policy.xml with the <fragment> document, which
// wins over the information file's value.
func (r *reader) fragment(rel, dirName string) {
	file := path.Join(rel, "policyFragmentInformation.json")
	name, props, ok := r.info(model.KindPolicyFragment, file, dirName)
	if !ok {
		return
	}
	var f model.PolicyFragment
	if err := model.DecodeStrict(props, "properties", &f); err != nil {
		r.fail(file, "%v", err)
		return
	}
	source := file
	xmlFile := path.Join(rel, "policy.xml")
	b, err := os.ReadFile(filepath.Join(r.dir, xmlFile))
	switch {
	case err == nil:
		f.Value, source = string(b), xmlFile
	case !errors.Is(err, fs.ErrNotExist):
		r.fail(xmlFile, "%v", err)
		return
	}
	if trimDocument(f.Value) == "" {
		r.fail(source, "the policy fragment %s has no document: want policy.xml or properties.value", name)
		return
	}
	f.Format = policyFormat
	if err := f.Validate(); err != nil {
		r.fail(source, "%v", err)
		return
	}
	c, err := fragmentProps(f)
	if err != nil {
		r.fail(source, "%v", err)
		return
	}
	r.cfg.Fragments = append(r.cfg.Fragments, Resource{Name: name, Properties: c, File: source})
	r.skipOthers(rel, "policyFragmentInformation.json", "policy.xml")
}

// sortPolicies orders policies outer scopes first (global, products and
// APIs, operations), then by name.
func sortPolicies(ps []Resource) {
	slices.SortStableFunc(ps, func(a, b Resource) int {
		if d := strings.Count(a.Name, "/") - strings.Count(b.Name, "/"); d != 0 {
			return d
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
}

// fetchPolicies reads the policy of every scope of cfg (global, its
// products, APIs and operations) from the management plane.
func fetchPolicies(ctx context.Context, c *mgmtclient.Client, cfg *Config) ([]Resource, error) {
	names := []string{"policy"}
	for _, p := range cfg.Products {
		names = append(names, "products/"+p.Name+"/policy")
	}
	for _, a := range cfg.APIs {
		names = append(names, "apis/"+a.Name+"/policy")
		for _, op := range a.Operations {
			names = append(names, "apis/"+a.Name+"/operations/"+op.ID+"/policy")
		}
	}
	var out []Resource
	for _, name := range names {
		res, err := c.Get(ctx, escapePath("/"+name))
		if mgmtclient.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the policy %s: %w", name, err)
		}
		var p model.Policy
		if err := json.Unmarshal(res.Properties, &p); err != nil {
			return nil, fmt.Errorf("policy %s: %w", name, err)
		}
		props, err := policyProps(p.Value)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", name, err)
		}
		out = append(out, Resource{Name: name, Properties: props})
	}
	sortPolicies(out)
	return out, nil
}

// fetchFragments reads the policy fragments of the management plane.
func fetchFragments(ctx context.Context, c *mgmtclient.Client) ([]Resource, error) {
	list, err := c.List(ctx, "/policyFragments")
	if err != nil {
		return nil, fmt.Errorf("list policy fragments: %w", err)
	}
	out := make([]Resource, 0, len(list))
	for _, r := range list {
		var f model.PolicyFragment
		if err := json.Unmarshal(r.Properties, &f); err != nil {
			return nil, fmt.Errorf("policy fragment %s: %w", r.Name, err)
		}
		props, err := fragmentProps(model.PolicyFragment{WorkspaceID: f.WorkspaceID, Value: f.Value, Description: f.Description})
		if err != nil {
			return nil, fmt.Errorf("policy fragment %s: %w", r.Name, err)
		}
		out = append(out, Resource{Name: r.Name, Properties: props})
	}
	sortResources(out)
	return out, nil
}

// writePolicies writes cfg's policies as policy.xml files and its
// fragments as "policy fragments/<name>/policyFragmentInformation.json"
// (description and format) with policy.xml (the document), as APIOps
// writes them.
func (w *writer) writePolicies(cfg *Config) {
	for _, p := range cfg.Policies {
		w.file(filepath.FromSlash(policyFile(p.Name)), []byte(policyValue(p.Properties)+"\n"))
	}
	for _, f := range cfg.Fragments {
		var frag model.PolicyFragment
		if err := json.Unmarshal(f.Properties, &frag); err != nil && w.err == nil {
			w.err = fmt.Errorf("policy fragment %s: %w", f.Name, err)
		}
		props := map[string]string{"format": policyFormat}
		if frag.Description != "" {
			props["description"] = frag.Description
		}
		info, err := json.Marshal(props)
		if err != nil && w.err == nil {
			w.err = fmt.Errorf("policy fragment %s: %w", f.Name, err)
		}
		w.info(filepath.Join("policy fragments", f.Name, "policyFragmentInformation.json"), info)
		w.file(filepath.Join("policy fragments", f.Name, "policy.xml"), []byte(frag.Value+"\n"))
	}
}
