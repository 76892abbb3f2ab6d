package apiops

import (
	"strings"
	"testing"
)

// TestReadWorkspaces reads a workspace folder: its APIs, products, named
// values, backends, policy fragments, version sets, tags, groups, subscriptions and loggers record the workspace, its other folders are listed
// as skipped by name, and an id that a service-level resource has is
// refused naming both files.
func TestReadWorkspaces(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{
		"workspaces/team/workspaceInformation.json":                                 `{"properties": {"displayName": "Team"}}`,
		"workspaces/team/apis/a/apiInformation.json":                                `{"properties": {"displayName": "A", "path": "a"}}`,
		"workspaces/team/apis/a/policy.xml":                                         `<policies><inbound><base /></inbound></policies>`,
		"workspaces/team/named values/nv/namedValueInformation.json":                `{"properties": {"displayName": "nv", "value": "v"}}`,
		"workspaces/team/subscriptions/s/subscriptionInformation.json":              `{"properties": {"displayName": "S", "scope": "/apis"}}`,
		"workspaces/team/products/p/productInformation.json":                        `{"properties": {"displayName": "P"}}`,
		"workspaces/team/backends/b/backendInformation.json":                        `{"properties": {"url": "http://b", "protocol": "http"}}`,
		"apis/echo/apiInformation.json":                                             `{"properties": {"displayName": "Echo", "path": "echo"}}`,
		"workspaces/team/policy fragments/f/policyFragmentInformation.json":         `{"properties": {}}`,
		"workspaces/team/policy fragments/f/policy.xml":                             `<fragment><set-header name="X" exists-action="delete" /></fragment>`,
		"workspaces/team/version sets/v/versionSetInformation.json":                 `{"properties": {"displayName": "V", "versioningScheme": "Segment"}}`,
		"workspaces/team/apis/a/operations/get/policy.xml":                          `<policies />`,
		"workspaces/team/apis/a/specification.yaml":                                 "openapi: 3.0.1\ninfo: {title: A, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: get\n      responses: {'200': {description: ok}}\n",
		"workspaces/team/products/p/apis/a/productApiInformation.json":              `{}`,
		"workspaces/team/named values/nv2/namedValueInformation.json":               `{"properties": {"displayName": "nv2", "value": "w", "tags": ["t"]}}`,
		"workspaces/team/backends/b2/backendInformation.json":                       `{"properties": {"url": "http://b2", "protocol": "http"}}`,
		"workspaces/team/apis/a/diagnostics/.keep":                                  ``,
		"workspaces/team/apis/a/tags/t/apiTagInformation.json":                      `{}`,
		"workspaces/team/subscriptions/sp/subscriptionInformation.json":             `{"properties": {"displayName": "SP", "scope": "/products/p", "primaryKey": "${SP_KEY}"}}`,
		"workspaces/team/policy.xml":                                                `<policies><inbound><base /></inbound></policies>`,
		"workspaces/team/loggers/l/loggerInformation.json":                          `{"properties": {"loggerType": "stdout"}}`,
		"workspaces/team/diagnostics/d/diagnosticInformation.json":                  `{"properties": {"loggerId": "/loggers/l"}}`,
		"workspaces/team/groups/g/groupInformation.json":                            `{"properties": {"displayName": "G"}}`,
		"workspaces/team/products/p/groups/g/productGroupInformation.json":          `{}`,
		"workspaces/team/tags/t/tagInformation.json":                                `{"properties": {"displayName": "t"}}`,
		"workspaces/team/named values/.keep":                                        ``,
		"workspaces/team/products/p/groups/developers/productGroupInformation.json": `{}`,
	})
	cfg, err := Read(dir, ReadOptions{LookupEnv: env(map[string]string{"SP_KEY": "sp-key-from-the-environment"})})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range cfg.Unsupported {
		got = append(got, u.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"workspaces/team/subscriptions/s/subscriptionInformation.json: workspace subscription to all APIs is not supported yet",
		"workspaces/team/policy.xml: workspace policy is not supported yet (APIM applies it between the global and product scopes",
		"workspaces/team/diagnostics/d/diagnosticInformation.json: workspace diagnostic is not supported yet (in APIM it records the workspace's APIs",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("skipped lacks %q:\n%s", want, all)
		}
	}
	if len(cfg.Workspaces) != 1 || cfg.Workspaces[0].Name != "team" {
		t.Errorf("workspaces %+v", cfg.Workspaces)
	}
	for _, c := range []struct {
		what  string
		props string
		file  string
	}{
		{"api a", string(findAPI(cfg.APIs, "a").Properties), findAPI(cfg.APIs, "a").File},
		{"named value nv", prop(cfg.NamedValues, "nv"), file(cfg.NamedValues, "nv")},
		{"backend b", prop(cfg.Backends, "b"), file(cfg.Backends, "b")},
		{"product p", prop(productResources(cfg.Products), "p"), file(productResources(cfg.Products), "p")},
		{"policy fragment f", prop(cfg.Fragments, "f"), file(cfg.Fragments, "f")},
		{"version set v", prop(cfg.VersionSets, "v"), file(cfg.VersionSets, "v")},
		{"tag t", prop(cfg.Tags, "t"), file(cfg.Tags, "t")},
		{"group g", prop(cfg.Groups, "g"), file(cfg.Groups, "g")},
		{"subscription sp", prop(cfg.Subscriptions, "sp"), file(cfg.Subscriptions, "sp")},
		{"logger l", prop(cfg.Loggers, "l"), file(cfg.Loggers, "l")},
	} {
		if !strings.Contains(c.props, `"workspaceId":"team"`) || !strings.HasPrefix(c.file, "workspaces/team/") {
			t.Errorf("%s: %s from %s; want workspaceId team, read from workspaces/team/", c.what, c.props, c.file)
		}
	}
	if a := findAPI(cfg.APIs, "a"); len(a.Tags) != 1 || a.Tags[0] != "t" {
		t.Errorf("the workspace API's tag links: %v", a.Tags)
	}
	if p := findProduct(cfg.Products, "p"); strings.Join(p.Groups, ",") != "developers,g" {
		t.Errorf("the workspace product's group links: %v", p.Groups)
	}
	if _, ok := find(cfg.Subscriptions, "s"); ok {
		t.Error("the workspace subscription to all APIs was applied")
	}
	if k := cfg.SubscriptionKeys["sp"]; k.PrimaryKey != "sp-key-from-the-environment" {
		t.Errorf("the workspace subscription's key: %+v", k)
	}
	if e := findAPI(cfg.APIs, "echo"); e == nil || strings.Contains(string(e.Properties), "workspaceId") {
		t.Errorf("the service-level API: %+v", e)
	}
	if !hasPolicy(cfg, "apis/a/policy", "workspaces/team/apis/a/policy.xml") {
		t.Errorf("the workspace API's policy: %+v", cfg.Policies)
	}

	clash := writeFolder(t, map[string]string{
		"named values/nv/namedValueInformation.json":                 `{"properties": {"displayName": "nv", "value": "v"}}`,
		"workspaces/team/workspaceInformation.json":                  `{"properties": {"displayName": "Team"}}`,
		"workspaces/team/named values/nv/namedValueInformation.json": `{"properties": {"displayName": "nv", "value": "w"}}`,
		"workspaces/other/apis/x/apiInformation.json":                `{"properties": {"displayName": "X", "path": "x"}}`,
	})
	_, err = Read(clash, ReadOptions{LookupEnv: env(nil)})
	for _, want := range []string{
		"workspaces/team/named values/nv/namedValueInformation.json: the id nv is also named values/nv/namedValueInformation.json's",
		"workspaces/other: workspaceInformation.json is missing",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func prop(rs []Resource, name string) string {
	r, _ := find(rs, name)
	return string(r.Properties)
}

func file(rs []Resource, name string) string {
	r, _ := find(rs, name)
	return r.File
}

func hasPolicy(cfg *Config, name, file string) bool {
	for _, p := range cfg.Policies {
		if p.Name == name && p.File == file {
			return true
		}
	}
	return false
}
