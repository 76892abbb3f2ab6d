package apiops

import (
	"encoding/json"
	"strings"
	"testing"
)

func res(name, props string) Resource {
	return Resource{Name: name, Properties: json.RawMessage(props)}
}

// TestPlanOrder checks that writes come in dependency order and deletions
// in reverse, and that --prune spares the built-in resources.
func TestPlanOrder(t *testing.T) {
	t.Parallel()
	desired := &Config{
		NamedValues: []Resource{res("nv", `{"displayName":"nv","value":"1","secret":false}`)},
		Backends: []Resource{
			res("pool", `{"url":"http://p","protocol":"http","type":"Pool","pool":{"services":[{"id":"one"}]}}`),
			res("one", `{"url":"http://1","protocol":"http","type":"Single"}`),
		},
		Schemas:  []Resource{res("address", `{"schemaType":"json","document":{"type":"object"}}`)},
		APIs:     []API{{Resource: res("api", `{"displayName":"A","path":"a"}`)}},
		Products: []Product{{Resource: res("prod", `{"displayName":"P","state":"published"}`), APIs: []string{"api"}, Groups: []string{}}},
		Gateways: []Gateway{{Resource: res("gw", `{"description":"g"}`), APIs: []string{"api"}}},
	}
	current := &Config{
		Groups:   []Resource{res("developers", `{"displayName":"Developers","builtIn":true,"type":"system"}`), res("old", `{"displayName":"Old"}`)},
		Products: []Product{{Resource: res("prod", `{"displayName":"P","state":"notPublished"}`), APIs: []string{}, Groups: []string{"old"}}},
		Gateways: []Gateway{{Resource: res("managed", `{}`)}},
		APIs:     []API{{Resource: res("gone", `{"displayName":"G","path":"g"}`)}},
		Schemas:  []Resource{res("old", `{"schemaType":"json","document":true}`)},
	}
	p, err := NewPlan(desired, current, PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Steps {
		got = append(got, strings.SplitN(s.String(), "\n", 2)[0])
	}
	want := []string{
		"+ namedValues/nv", "+ backends/one", "+ backends/pool", "+ schemas/address", "+ apis/api", "~ products/prod",
		"+ products/prod/apis/api", "+ gateways/gw", "+ gateways/gw/apis/api",
		"- products/prod/groups/old", "- apis/gone", "- schemas/old", "- groups/old",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPlanRefusesDanglingReferences(t *testing.T) {
	t.Parallel()
	desired := &Config{
		APIs: []API{{Resource: Resource{Name: "a", Properties: json.RawMessage(`{"path":"same"}`), File: "apis/a/apiInformation.json"}},
			{Resource: Resource{Name: "b", Properties: json.RawMessage(`{"path":"Same"}`), File: "apis/b/apiInformation.json"}}},
		Products: []Product{{Resource: res("p", `{}`), APIs: []string{"missing"}, Groups: []string{"developers", "nobody"}}},
	}
	current := &Config{APIs: []API{{Resource: res("missing", `{"path":"m"}`)}}}
	if _, err := NewPlan(desired, current, PlanOptions{}); err == nil || strings.Contains(err.Error(), "API missing") ||
		!strings.Contains(err.Error(), "group nobody") || !strings.Contains(err.Error(), `apis/b/apiInformation.json: the API path "Same" is also used by a`) {
		t.Errorf("without prune: %v", err)
	}
	if _, err := NewPlan(desired, current, PlanOptions{Prune: true}); err == nil || !strings.Contains(err.Error(), "products/p links API missing, which") {
		t.Errorf("with prune the kept API is gone: %v", err)
	}
}
