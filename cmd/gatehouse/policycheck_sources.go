package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// What `policy check` reads the named values, backends and fragments
// that exist from: files in the shapes people keep them in (a JSON
// object, APIOps's extracted-artifact folders) or a management plane.

// secretStandIn is the value a secret named value takes in a check: the
// check needs to know that it exists, not what it is.
func secretStandIn(name string) string { return "{{" + name + "}}" }

// readNamedValues reads path, a JSON object of names to values or an
// APIOps folder, into values (by lower-case name).
func readNamedValues(path string, values map[string]string) error {
	return readJSONOrFolder(path, values, []string{"named values", "namedValues"}, "namedValueInformation.json",
		func(dirName string, props json.RawMessage) (string, string, error) {
			var nv model.NamedValue
			if err := json.Unmarshal(props, &nv); err != nil {
				return "", "", err
			}
			name := nv.DisplayName
			if name == "" {
				name = dirName
			}
			if nv.Secret || nv.Value == "" {
				return name, secretStandIn(name), nil // a secret, or one kept in a key vault
			}
			return name, nv.Value, nil
		})
}

// readBackends reads path, a JSON object of backend ids to URLs or an
// APIOps folder, into urls (by lower-case id).
func readBackends(path string, urls map[string]string) error {
	return readJSONOrFolder(path, urls, []string{"backends"}, "backendInformation.json",
		func(dirName string, props json.RawMessage) (string, string, error) {
			var b model.Backend
			if err := json.Unmarshal(props, &b); err != nil {
				return "", "", err
			}
			return dirName, b.PolicyURL(), nil
		})
}

// readJSONOrFolder reads path into into: a file holding a JSON object
// of strings (numbers and booleans are taken as written), or a folder of
// APIOps resource folders (path itself or its child called one of
// folders), each with an infoFile {"properties": ...} that entry turns
// into a key and a value; folders without one are passed over.
func readJSONOrFolder(path string, into map[string]string, folders []string, infoFile string,
	entry func(dirName string, props json.RawMessage) (string, string, error)) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s: want a JSON object of names to values: %w", path, err)
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				into[strings.ToLower(strings.TrimSpace(k))] = v
			case float64, bool:
				into[strings.ToLower(strings.TrimSpace(k))] = fmt.Sprint(v)
			default:
				return fmt.Errorf("%s: %q: want a string, number or boolean", path, k)
			}
		}
		return nil
	}
	dir := resourceFolder(path, folders...)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		file := filepath.Join(dir, e.Name(), infoFile)
		b, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue // not a resource folder: an APIOps folder without any, say
		}
		if err != nil {
			return err
		}
		var doc struct {
			Properties json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		k, v, err := entry(e.Name(), doc.Properties)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		into[strings.ToLower(k)] = v
	}
	return nil
}

// resourceFolder returns dir's child called one of names when there is
// one (dir is an APIOps folder), else dir.
func resourceFolder(dir string, names ...string) string {
	for _, n := range names {
		if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && fi.IsDir() {
			return filepath.Join(dir, n)
		}
	}
	return dir
}

// readFragments reads the fragments of dir into frags, by lower-case id:
// dir/<id>.xml, and APIOps's dir/<id>/policy.xml, where dir may be the
// folder holding "policy fragments" (or "policyFragments").
func readFragments(dir string, frags map[string]compile.FragmentSource) error {
	dir = resourceFolder(dir, "policy fragments", "policyFragments")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		var id, file string
		switch {
		case strings.HasPrefix(name, "."):
			continue
		case e.IsDir():
			id, file = name, filepath.Join(dir, name, "policy.xml")
		case strings.EqualFold(filepath.Ext(name), ".xml"):
			id, file = strings.TrimSuffix(name, filepath.Ext(name)), filepath.Join(dir, name)
		default:
			continue
		}
		b, err := os.ReadFile(file)
		if e.IsDir() && errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("the fragment folder %s has no policy.xml", filepath.Join(dir, name))
		}
		if err != nil {
			return err
		}
		key := strings.ToLower(id)
		if prev, dup := frags[key]; dup {
			return fmt.Errorf("the fragment %s is both %s and %s", id, prev.Name, file)
		}
		frags[key] = compile.FragmentSource{Name: file, XML: string(b)}
	}
	return nil
}

// fetchCheckSources reads the named values, backends, fragments,
// certificates and schemas of the management plane c at endpoint into src. Secret
// values are not fetched: they take a stand-in. Whether a certificate
// has a private key is not shown: each is taken to have one.
func fetchCheckSources(ctx context.Context, c *mgmtclient.Client, endpoint string, src *checkSources) error {
	each := func(path string, f func(r mgmtclient.Resource) error) error {
		list, err := c.List(ctx, path)
		if err != nil {
			return err
		}
		for _, r := range list {
			if err := f(r); err != nil {
				return fmt.Errorf("%s/%s: %w", path, r.Name, err)
			}
		}
		return nil
	}
	base := strings.TrimSuffix(strings.TrimRight(endpoint, "/"), "/mgmt") + "/mgmt"
	err := each("/namedValues", func(r mgmtclient.Resource) error {
		var nv model.NamedValue
		if err := json.Unmarshal(r.Properties, &nv); err != nil {
			return err
		}
		if nv.Secret || nv.Value == "" {
			nv.Value = secretStandIn(nv.DisplayName)
		}
		src.env.NamedValues[strings.ToLower(nv.DisplayName)] = nv.Value
		return nil
	})
	if err == nil {
		err = each("/backends", func(r mgmtclient.Resource) error {
			var b model.Backend
			err := json.Unmarshal(r.Properties, &b)
			src.env.Backends[strings.ToLower(r.Name)] = b.PolicyURL()
			return err
		})
	}
	if err == nil {
		err = each("/policyFragments", func(r mgmtclient.Resource) error {
			var f model.PolicyFragment
			err := json.Unmarshal(r.Properties, &f)
			src.fragments[strings.ToLower(r.Name)] = compile.FragmentSource{Name: base + "/policyFragments/" + r.Name, XML: f.Value}
			return err
		})
	}
	if err == nil {
		err = each("/certificates", func(r mgmtclient.Resource) error {
			var cert model.Certificate
			err := json.Unmarshal(r.Properties, &cert)
			src.env.Certificates[strings.ToLower(r.Name)] = &policy.Certificate{ID: r.Name, Thumbprint: strings.ToUpper(cert.Thumbprint), HasKey: true}
			return err
		})
	}
	if err == nil {
		err = each("/schemas", func(r mgmtclient.Resource) error {
			var sc model.Schema
			err := json.Unmarshal(r.Properties, &sc)
			if src.env.Schemas == nil {
				src.env.Schemas = map[string]*policy.Schema{}
			}
			src.env.Schemas[strings.ToLower(r.Name)] = &policy.Schema{Type: sc.SchemaType, Document: sc.Document}
			return err
		})
	}
	return err
}
