package apiops

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

func TestReadPolicies(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{
		"policy.xml":                                            "<policies><inbound /></policies>\n\n",
		"apis/a/apiInformation.json":                            `{"properties": {"path": "a"}}`,
		"apis/a/policy.xml":                                     "<policies />",
		"apis/a/operations/get/policy.xml":                      "<policies />",
		"apis/a/operations/get/notes.txt":                       "x",
		"products/p/productInformation.json":                    `{"properties": {"displayName": "P"}}`,
		"products/p/policy.xml":                                 "<policies />",
		"policyFragments/inline/policyFragmentInformation.json": `{"properties": {"description": "d", "format": "rawxml", "value": "<fragment />"}}`,
		"policyFragments/both/policyFragmentInformation.json":   `{"properties": {"format": "rawxml", "value": "<fragment>old</fragment>"}}`,
		"policyFragments/both/policy.xml":                       "<fragment>new</fragment>\r\n",
	})
	cfg, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range cfg.Policies {
		names = append(names, p.Name+"="+policyValue(p.Properties))
	}
	want := "policy=<policies><inbound /></policies> apis/a/policy=<policies /> products/p/policy=<policies /> apis/a/operations/get/policy=<policies />"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("policies:\n%s\nwant:\n%s", got, want)
	}
	if len(cfg.Fragments) != 2 || policyValue(cfg.Fragments[0].Properties) != "<fragment>new</fragment>" ||
		cfg.Fragments[0].File != "policyFragments/both/policy.xml" ||
		string(cfg.Fragments[1].Properties) != `{"format":"rawxml","value":"\u003cfragment /\u003e","description":"d"}` {
		t.Errorf("fragments: %+v", cfg.Fragments)
	}
	if len(cfg.Unsupported) != 1 || cfg.Unsupported[0].File != "apis/a/operations/get/notes.txt" {
		t.Errorf("unsupported: %v", cfg.Unsupported)
	}
}

// folderPolicy returns a policy of the folder named name with the document doc.
func folderPolicy(t *testing.T, name, doc string) Resource {
	t.Helper()
	props, err := policyProps(doc)
	if err != nil {
		t.Fatal(err)
	}
	return Resource{Name: name, Properties: props, File: policyFile(name)}
}

func TestPlanPolicies(t *testing.T) {
	t.Parallel()
	const doc = "<policies>\n\t<inbound>\n\t\t<base />\n\t\t<set-header name=\"X-A\" exists-action=\"override\"><value>{{nv}}</value></set-header>\n\t</inbound>\n</policies>"
	const other = `<policies><inbound><set-header name="X-B" exists-action="override"><value>b</value></set-header></inbound></policies>`
	api := func(name string, ops ...string) API {
		a := API{Resource: res(name, `{"displayName":"`+name+`","path":"`+name+`"}`), Spec: []byte("{}")}
		for _, o := range ops {
			a.Operations = append(a.Operations, openapi.Operation{ID: o})
		}
		return a
	}
	current := func() *Config {
		return &Config{
			APIs:     []API{api("a", "get", "gone"), api("old")},
			Policies: []Resource{folderPolicy(t, "policy", doc), folderPolicy(t, "apis/a/policy", doc), folderPolicy(t, "apis/a/operations/get/policy", doc), folderPolicy(t, "apis/a/operations/gone/policy", doc), folderPolicy(t, "apis/old/policy", doc)},
		}
	}
	tests := []struct {
		name     string
		policies []Resource
		prune    bool
		want     string // the policy steps
		wantErr  string
	}{
		{name: "unchanged but for trailing white space", policies: []Resource{folderPolicy(t, "policy", doc+"\n \n"), folderPolicy(t, "apis/a/policy", doc)}},
		{name: "changed and created", policies: []Resource{folderPolicy(t, "apis/a/policy", other), folderPolicy(t, "apis/a/operations/get/policy", doc), folderPolicy(t, "policy", doc)},
			want: "~ apis/a/policy"},
		{name: "prune deletes what a kept owner lacks", prune: true, policies: []Resource{folderPolicy(t, "apis/a/policy", doc)},
			want: "- policy,- apis/a/operations/get/policy"},
		{name: "invalid document", policies: []Resource{folderPolicy(t, "apis/a/policy", strings.Replace(doc, "override", "replace", 1))},
			wantErr: `apis/a/policy.xml:4:41: <set-header> exists-action: "replace": want override`},
		{name: "missing fragment", policies: []Resource{folderPolicy(t, "policy", `<policies><inbound><include-fragment fragment-id="nope" /></inbound></policies>`)},
			wantErr: `policy.xml:1:51: <include-fragment> fragment-id: there is no policy fragment "nope"`},
		{name: "operation the specification lacks", policies: []Resource{folderPolicy(t, "apis/a/operations/gone/policy", doc)},
			wantErr: "apis/a/operations/gone/policy.xml: operation gone is neither in the specification of API a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			desired := &Config{APIs: []API{api("a", "get")}, Policies: tt.policies}
			sortPolicies(desired.Policies)
			p, err := NewPlan(desired, current(), PlanOptions{Prune: tt.prune})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range p.Steps {
				if line := strings.SplitN(s.String(), "\n", 2)[0]; strings.HasSuffix(line, "policy") {
					got = append(got, line)
				}
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("policy steps %q, want %q", strings.Join(got, ","), tt.want)
			}
		})
	}
}

func TestIncludedFirst(t *testing.T) {
	t.Parallel()
	frag := func(name, doc string) Resource {
		props, _ := fragmentProps(model.PolicyFragment{Value: doc})
		return Resource{Name: name, Properties: props}
	}
	in := []Resource{
		frag("a", `<fragment><include-fragment fragment-id="B" /></fragment>`),
		frag("b", `<fragment><include-fragment fragment-id='c' /></fragment>`),
		frag("c", `<fragment><include-fragment fragment-id="elsewhere" /></fragment>`),
	}
	var got []string
	for _, r := range includedFirst(in) {
		got = append(got, r.Name)
	}
	if strings.Join(got, ",") != "c,b,a" {
		t.Errorf("order %v, want c,b,a", got)
	}
}
