package apiops

import (
	"strings"
	"testing"
)

// TestReadAndPlanReleasesAndSubscriptions reads releases and
// subscriptions as the extractor writes them (APIM resource ids) and
// plans a new API's releases after its revisions, the one of its current
// revision last, and subscriptions after the products they are scoped to.
func TestReadAndPlanReleasesAndSubscriptions(t *testing.T) {
	t.Parallel()
	const arm = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"
	dir := writeFolder(t, map[string]string{
		"apis/echo/apiInformation.json":                           `{"properties": {"displayName": "Echo", "path": "echo", "apiRevision": "2"}}`,
		"apis/echo;rev=1/apiInformation.json":                     `{"properties": {"displayName": "Echo", "path": "echo"}}`,
		"apis/echo/releases/a-current/apiReleaseInformation.json": `{"properties": {"apiId": "` + arm + `/apis/echo;rev=2", "createdDateTime": "2024-01-01T00:00:00Z"}}`,
		"apis/echo/releases/b-old/apiReleaseInformation.json":     `{"properties": {"apiId": "echo;rev=1", "notes": "Old."}}`,
		"apis/echo/releases/c-plain/apiReleaseInformation.json":   `{"properties": {"apiId": "/apis/echo"}}`,
		"products/p/productInformation.json":                      `{"properties": {"displayName": "P"}}`,
		"subscriptions/s/subscriptionInformation.json":            `{"properties": {"displayName": "S", "scope": "` + arm + `/products/p", "ownerId": "` + arm + `/users/ann", "secondaryKey": "${S_KEY}"}}`,
	})
	cfg, err := Read(dir, ReadOptions{LookupEnv: env(map[string]string{"S_KEY": "secondary-key-00001"})})
	if err != nil {
		t.Fatal(err)
	}
	echo := findAPI(cfg.APIs, "echo")
	var rels []string
	for _, r := range echo.Releases {
		rels = append(rels, r.Name+" "+string(r.Properties))
	}
	want := `a-current {"apiId":"/apis/echo;rev=2"}` + "\n" + `b-old {"apiId":"/apis/echo;rev=1","notes":"Old."}` + "\n" + `c-plain {"apiId":"/apis/echo;rev=2"}`
	if got := strings.Join(rels, "\n"); got != want {
		t.Errorf("releases:\n%s\nwant:\n%s", got, want)
	}
	if len(cfg.Subscriptions) != 1 || !strings.Contains(string(cfg.Subscriptions[0].Properties), `"scope":"/products/p","ownerId":"/users/ann"`) {
		t.Errorf("subscriptions: %+v", cfg.Subscriptions)
	}
	if k := cfg.SubscriptionKeys["s"]; k.SecondaryKey != "secondary-key-00001" || k.PrimaryKey != "" {
		t.Errorf("the subscription's keys: %+v", k)
	}

	if _, err := NewPlan(cfg, &Config{}, PlanOptions{}); err == nil || !strings.Contains(err.Error(), "subscriptions/s/subscriptionInformation.json: the owner /users/ann is not a user") {
		t.Errorf("a subscription of an unknown owner: %v", err)
	}
	p, err := NewPlan(cfg, &Config{Users: []string{"ann"}}, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Steps {
		got = append(got, strings.SplitN(s.String(), "\n", 2)[0])
	}
	wantSteps := "+ apis/echo\n+ apis/echo;rev=1\n+ apis/echo/releases/b-old\n+ apis/echo/releases/a-current\n+ apis/echo/releases/c-plain\n+ products/p\n+ subscriptions/s"
	if strings.Join(got, "\n") != wantSteps {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), wantSteps)
	}

	if _, err := Read(dir, ReadOptions{LookupEnv: env(nil)}); err == nil || !strings.Contains(err.Error(), "properties.secondaryKey: the environment variable S_KEY is not set") {
		t.Errorf("a key placeholder without its variable: %v", err)
	}
}
