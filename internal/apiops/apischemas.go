package apiops

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
)

// apiSchemaFiles are the names of an API schema's information file: the
// APIOps extractor's, then the older name.
var apiSchemaFiles = []string{"apiSchemaInformation.json", "schemaInformation.json"}

// apiSchemas reads the schemas folder of the API folder rel (the API or
// revision name): apis/<api>/schemas/<schema>/apiSchemaInformation.json.
// refFiles tells that the API's specification names files under schemas/
// by $ref: what is not a schema folder there is the specification's.
func (r *reader) apiSchemas(rel, name string, refFiles bool) {
	dir := path.Join(rel, "schemas")
	entries, err := os.ReadDir(filepath.Join(r.dir, dir))
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		r.fail(dir, "%v", err)
		return
	}
	var schemas []Resource
	for _, e := range entries {
		sub := path.Join(dir, e.Name())
		info := ""
		if e.IsDir() {
			for _, f := range apiSchemaFiles {
				if _, err := os.Stat(filepath.Join(r.dir, sub, f)); err == nil {
					info = f
					break
				}
			}
		}
		switch {
		case info != "":
			file := path.Join(sub, info)
			id, props, ok := r.info(model.KindAPISchema, file, e.Name())
			if !ok {
				continue
			}
			c, err := canonical(model.KindAPISchema, props)
			if err != nil {
				r.fail(file, "%v", err)
				continue
			}
			schemas = append(schemas, Resource{Name: id, Properties: c, File: file})
			r.skipOthers(sub, info)
		case refFiles:
			// a file the specification's $refs name
		case e.IsDir():
			r.fail(sub, "an API schema folder needs %s", apiSchemaFiles[0])
		default:
			r.skip("file outside a resource folder", sub, "")
		}
	}
	sortResources(schemas)
	if r.cfg.APISchemas == nil {
		r.cfg.APISchemas = map[string][]Resource{}
	}
	r.cfg.APISchemas[name] = schemas
}

// fetchAPISchemas reads the schemas of every API and revision of cfg.
func fetchAPISchemas(ctx context.Context, c *mgmtclient.Client, cfg *Config) error {
	for _, a := range cfg.APIs {
		list, err := fetchKind(ctx, c, "/apis/"+url.PathEscape(a.Name)+"/schemas", model.KindAPISchema)
		if err != nil {
			return err
		}
		if len(list) > 0 {
			if cfg.APISchemas == nil {
				cfg.APISchemas = map[string][]Resource{}
			}
			cfg.APISchemas[a.Name] = list
		}
	}
	return nil
}

// writeAPISchemas writes the schemas of cfg's APIs.
func (w *writer) writeAPISchemas(cfg *Config) {
	for _, api := range sortedAPIKeys(cfg.APISchemas) {
		for _, s := range cfg.APISchemas[api] {
			w.info(filepath.Join("apis", api, "schemas", s.Name, apiSchemaFiles[0]), s.Properties)
		}
	}
}

// planAPISchemas adds the writes of the APIs' schemas, once the APIs
// (and revisions) exist.
func (p *Plan) planAPISchemas(desired, current *Config) {
	for _, api := range sortedAPIKeys(desired.APISchemas) {
		p.upsert("/apis/"+api+"/schemas/", desired.APISchemas[api], resourcesOf(current.APISchemas, api))
	}
}

// pruneAPISchemas adds the deletions of the schemas the folder lacks, of
// the APIs and revisions it has (a deleted API takes its own).
func (p *Plan) pruneAPISchemas(desired, current *Config) {
	for _, api := range sortedAPIKeys(current.APISchemas) {
		if findAPI(desired.APIs, api) == nil {
			continue
		}
		des := resourcesOf(desired.APISchemas, api)
		for _, c := range current.APISchemas[api] {
			if _, ok := find(des, c.Name); !ok {
				p.Steps = append(p.Steps, Step{Action: Delete, Path: "/apis/" + api + "/schemas/" + c.Name})
			}
		}
	}
}

// resourcesOf returns what m gives api (any case).
func resourcesOf(m map[string][]Resource, api string) []Resource {
	for k, rs := range m {
		if strings.EqualFold(k, api) {
			return rs
		}
	}
	return nil
}
