package apiops

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"

	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
)

// The tag links, as the APIOps extractor writes them: an empty
// information file per tag, apis/<api>/tags/<tag>/apiTagInformation.json
// and products/<product>/tags/<tag>/productTagInformation.json. Older
// tools wrote the list files apis/<api>/tags.json and
// products/<product>/tags.json; both are read.
var (
	apiTagLink     = linkKind{file: "apiTagInformation.json", id: "tagId", kind: "tags", bare: true}
	productTagLink = linkKind{file: "productTagInformation.json", id: "tagId", kind: "tags", bare: true}
)

// apiTags reads the tags of the API folder rel. The tags of a revision
// are its API's: a revision folder's tag links are listed as skipped.
func (r *reader) apiTags(rel, name string) []string {
	if _, _, ok := model.SplitRevision(name); ok {
		for _, f := range []string{"tags.json", "tags"} {
			if _, err := os.Stat(filepath.Join(r.dir, rel, f)); err == nil {
				r.skipTree("tag link of an API revision", path.Join(rel, f))
			}
		}
		return nil
	}
	return r.links(rel, "tags", apiTagLink)
}

// fetchTags reads the tags of a management plane, and the tags of its
// APIs (not their revisions, which share them) and products.
func fetchTags(ctx context.Context, c *mgmtclient.Client, cfg *Config) error {
	var err error
	if cfg.Tags, err = fetchKind(ctx, c, "/tags", model.KindTag); err != nil {
		return err
	}
	for i, a := range cfg.APIs {
		if _, _, ok := model.SplitRevision(a.Name); ok {
			continue
		}
		if cfg.APIs[i].Tags, err = linkNames(ctx, c, "/apis/"+url.PathEscape(a.Name)+"/tags"); err != nil {
			return err
		}
	}
	for i, p := range cfg.Products {
		if cfg.Products[i].Tags, err = linkNames(ctx, c, "/products/"+url.PathEscape(p.Name)+"/tags"); err != nil {
			return err
		}
	}
	return nil
}

// planTagLinks adds the creations of the APIs' and products' tag links
// and returns their removals.
func (p *Plan) planTagLinks(desired, current *Config) []Step {
	var removals []Step
	for _, d := range desired.APIs {
		var cur []string
		if c := findAPI(current.APIs, d.Name); c != nil {
			cur = c.Tags
		}
		removals = append(removals, p.links("/apis/"+d.Name+"/tags/", d.Tags, cur)...)
	}
	for _, d := range desired.Products {
		removals = append(removals, p.links("/products/"+d.Name+"/tags/", d.Tags, findProduct(current.Products, d.Name).Tags)...)
	}
	return removals
}

// checkTagLinks fails for each tag link naming a tag that will not exist
// after the apply.
func checkTagLinks(desired, current *Config, exists func(des, cur []string, name string) bool) []string {
	tags, curTags := names(desired.Tags), names(current.Tags)
	var problems []string
	check := func(owner string, linked []string) {
		for _, t := range linked {
			if !exists(tags, curTags, t) {
				problems = append(problems, fmt.Sprintf("%s links tag %s, which is neither in the folder nor (kept) on the management plane", owner, t))
			}
		}
	}
	for _, a := range desired.APIs {
		check("apis/"+a.Name, a.Tags)
	}
	for _, p := range desired.Products {
		check("products/"+p.Name, p.Tags)
	}
	return problems
}
