package apiops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadTags reads tags and the tag links of APIs and products in both
// APIOps layouts: the extractor's folders with an empty information file,
// and the older tags.json list files.
func TestReadTags(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{
		"tags/public/tagInformation.json":                   `{"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/tags/public", "name": "public", "properties": {"displayName": "Public"}}`,
		"tags/beta/tagInformation.json":                     `{"properties": {"displayName": "Beta"}}`,
		"apis/echo/apiInformation.json":                     `{"properties": {"displayName": "Echo", "path": "echo"}}`,
		"apis/echo/tags/public/apiTagInformation.json":      `{}`,
		"apis/echo/tags/beta/apiTagInformation.json":        `{"properties": {"tagId": "/tags/beta"}}`,
		"apis/echo;rev=2/apiInformation.json":               `{"properties": {"displayName": "Echo", "path": "echo"}}`,
		"apis/echo;rev=2/tags/beta/apiTagInformation.json":  `{}`,
		"apis/plain/apiInformation.json":                    `{"properties": {"displayName": "Plain", "path": "plain"}}`,
		"apis/plain/tags.json":                              `[{"name": "beta"}]`,
		"products/p/productInformation.json":                `{"properties": {"displayName": "P"}}`,
		"products/p/tags/public/productTagInformation.json": `{}`,
		"products/q/productInformation.json":                `{"properties": {"displayName": "Q"}}`,
		"products/q/tags.json":                              `["public", "beta"]`,
	})
	cfg, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Tags) != 2 || cfg.Tags[0].Name != "beta" || cfg.Tags[1].Name != "public" || string(cfg.Tags[1].Properties) != `{"displayName":"Public"}` {
		t.Errorf("tags %+v", cfg.Tags)
	}
	got := map[string]string{}
	for _, a := range cfg.APIs {
		got["apis/"+a.Name] = strings.Join(a.Tags, ",")
	}
	for _, p := range cfg.Products {
		got["products/"+p.Name] = strings.Join(p.Tags, ",")
	}
	want := map[string]string{"apis/echo": "beta,public", "apis/echo;rev=2": "", "apis/plain": "beta", "products/p": "public", "products/q": "beta,public"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s tags %q, want %q", k, got[k], v)
		}
	}
	var skipped []string
	for _, u := range cfg.Unsupported {
		skipped = append(skipped, u.String())
	}
	if s := strings.Join(skipped, "\n"); !strings.Contains(s, "apis/echo;rev=2/tags/beta/apiTagInformation.json: tag link of an API revision") || strings.Contains(s, "tags/public") {
		t.Errorf("skipped:\n%s", s)
	}
}

// TestWriteTags writes tags and their links as the APIOps extractor does,
// and reads them back.
func TestWriteTags(t *testing.T) {
	t.Parallel()
	cfg := &Config{
		Tags:     []Resource{res("public", `{"displayName":"Public"}`)},
		APIs:     []API{{Resource: res("echo", `{"displayName":"Echo","path":"echo"}`), Tags: []string{"public"}}},
		Products: []Product{{Resource: res("p", `{"displayName":"P"}`), Tags: []string{"public"}}},
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := Write(dir, cfg, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		"tags/public/tagInformation.json":                   `"displayName": "Public"`,
		"apis/echo/tags/public/apiTagInformation.json":      "{}\n",
		"products/p/tags/public/productTagInformation.json": "{}\n",
	} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %q %v, want %q", file, b, err, want)
		}
	}
	back, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Tags) != 1 || strings.Join(back.APIs[0].Tags, ",") != "public" || strings.Join(back.Products[0].Tags, ",") != "public" {
		t.Errorf("read back: tags %v, API tags %v, product tags %v", back.Tags, back.APIs[0].Tags, back.Products[0].Tags)
	}
}

// TestPlanTags creates tags before the links that use them, removes links
// the folder no longer lists, deletes tags with --prune, and refuses a
// link to a tag that will not exist.
func TestPlanTags(t *testing.T) {
	t.Parallel()
	desired := &Config{
		Tags:     []Resource{res("public", `{"displayName":"Public"}`)},
		APIs:     []API{{Resource: res("api", `{"displayName":"A","path":"a"}`), Tags: []string{"public"}}},
		Products: []Product{{Resource: res("prod", `{"displayName":"P","state":"published"}`), Tags: []string{}}},
	}
	current := &Config{
		Tags:     []Resource{res("old", `{"displayName":"Old"}`)},
		Products: []Product{{Resource: res("prod", `{"displayName":"P","state":"published"}`), Tags: []string{"old"}}},
	}
	p, err := NewPlan(desired, current, PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Steps {
		got = append(got, strings.SplitN(s.String(), "\n", 2)[0])
	}
	want := []string{"+ tags/public", "+ apis/api", "+ apis/api/tags/public", "- products/prod/tags/old", "- tags/old"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	desired.Products[0].Tags = []string{"old"}
	if _, err := NewPlan(desired, current, PlanOptions{}); err != nil {
		t.Errorf("a link to a tag the management plane keeps: %v", err)
	}
	if _, err := NewPlan(desired, current, PlanOptions{Prune: true}); err == nil || !strings.Contains(err.Error(), "products/prod links tag old, which is neither") {
		t.Errorf("a link to a pruned tag: %v", err)
	}
}

// TestTagOverrides changes a tag's display name for one environment with
// the publisher's configuration file.
func TestTagOverrides(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{
		"tags/public/tagInformation.json": `{"properties": {"displayName": "Public"}}`,
	})
	o, err := parseOverrides("configuration.prod.yaml", []byte("tags:\n  - name: public\n    properties:\n      displayName: Everyone\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Read(dir, ReadOptions{LookupEnv: env(nil), Overrides: o})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Tags) != 1 || string(cfg.Tags[0].Properties) != `{"displayName":"Everyone"}` || len(cfg.Unsupported) != 0 {
		t.Errorf("tags %+v, skipped %v", cfg.Tags, cfg.Unsupported)
	}
}
