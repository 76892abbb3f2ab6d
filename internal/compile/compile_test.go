package compile

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

func api(id, policy string, ops ...snapshot.Operation) snapshot.API {
	if len(ops) == 0 {
		ops = []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}
	}
	return snapshot.API{ID: id, Path: id, ServiceURL: "http://backend", Policy: policy, Operations: ops}
}

func header(value string) string {
	return "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x\" exists-action=\"override\"><value>" + value + "</value></set-header>\n  </inbound>\n</policies>"
}

func TestReportLocatesEachProblem(t *testing.T) {
	snap := &snapshot.Snapshot{
		Version: 3,
		APIs: []snapshot.API{
			api("good", header("{{known}}")),
			api("bad-value", header("{{unknown}}")),
			api("via-fragment", "<policies><inbound><base />\n<include-fragment fragment-id=\"f\" /></inbound></policies>"),
			api("in-product", ""),
			api("op-level", "", snapshot.Operation{ID: "get", Method: "GET", URLTemplate: "/", Policy: "<policies><inbound><when /></inbound></policies>"}),
		},
		Products: []snapshot.Product{{ID: "p", APIs: []string{"in-product"},
			Policy: "<policies><inbound><base /><rewrite-uri template=\"/x\" /></inbound><outbound><base /><rewrite-uri template=\"/y\" /></outbound></policies>"}},
		Policy: snapshot.PolicyEnv{
			NamedValues: map[string]string{"known": "v"},
			Fragments:   map[string]string{"f": "<fragment>\n  <set-header name=\"y\" exists-action=\"sometimes\"><value>v</value></set-header>\n</fragment>"},
		},
	}
	res, report := Compile(snap, Options{Registry: builtin.NewRegistry()})
	if report.Version != 3 {
		t.Errorf("report version %d", report.Version)
	}
	if res.APIs["good"] == nil || res.APIs["good"].Operations["any"].Pipeline == nil {
		t.Error("the good API did not compile")
	}
	for _, id := range []string{"bad-value", "via-fragment", "in-product", "op-level"} {
		if res.APIs[id] != nil {
			t.Errorf("API %s compiled despite its problem", id)
		}
		if len(report.Of(id)) == 0 {
			t.Errorf("no diagnostic for API %s", id)
		}
	}
	d := report.Of("bad-value")[0]
	if d.Resource != "/apis/bad-value/policy" || d.Scope != "api" || d.Line != 4 || d.Element != "inbound/set-header[1]/value[1]" ||
		!strings.Contains(d.Message, "{{unknown}} does not exist") {
		t.Errorf("bad-value: %+v", d)
	}
	d = report.Of("via-fragment")[0]
	if d.Resource != "/policyFragments/f" || d.Scope != "fragment" || d.Line != 2 || d.Via != "/apis/via-fragment/policy line 2, column 32" {
		t.Errorf("via-fragment: %+v", d)
	}
	d = report.Of("op-level")[0]
	if d.Resource != "/apis/op-level/operations/get/policy" || d.Scope != "operation" {
		t.Errorf("op-level: %+v", d)
	}
	// The product's outbound rewrite-uri stops the API it holds, and the
	// product's policy on its own; the API outside the product is fine.
	var units []string
	for u := range report.Broken {
		units = append(units, u)
	}
	slices.Sort(units)
	if want := []string{"api:bad-value", "api:in-product", "api:op-level", "api:via-fragment", "product:p"}; !slices.Equal(units, want) {
		t.Errorf("broken units = %v, want %v", units, want)
	}
}

func TestReferencesAreResolvedNotSearched(t *testing.T) {
	snap := &snapshot.Snapshot{
		APIs: []snapshot.API{api("a", "<policies><inbound><base />"+
			"<include-fragment fragment-id=\"outer\" />"+
			"<set-backend-service backend-id=\"orders\" />"+
			"<!-- <set-backend-service backend-id=\"commented\" /> -->"+
			"</inbound></policies>")},
		Policy: snapshot.PolicyEnv{
			NamedValues: map[string]string{"secret": "s"},
			Backends:    map[string]string{"orders": "http://orders"},
			Fragments: map[string]string{
				"outer": `<fragment><include-fragment fragment-id="inner" /></fragment>`,
				"inner": `<fragment><set-header name="k" exists-action="override"><value>{{secret}}</value></set-header></fragment>`,
			},
		},
	}
	var got []string
	_, report := Compile(snap, Options{Registry: builtin.NewRegistry(), References: func(r Reference) {
		got = append(got, r.Kind+":"+r.ID+"@"+r.At.Resource)
	}})
	if !report.OK() {
		t.Fatalf("report: %+v", report.Diagnostics)
	}
	for _, want := range []string{"policyFragments:outer@/apis/a/policy", "policyFragments:inner@/policyFragments/outer",
		"namedValues:secret@/policyFragments/inner", "backends:orders@/apis/a/policy"} {
		if !slices.Contains(got, want) {
			t.Errorf("references %v lack %s", got, want)
		}
	}
	for _, r := range got {
		if strings.Contains(r, "commented") {
			t.Errorf("a commented-out element was taken for a reference: %s", r)
		}
	}
}

func TestGlobalPolicyProblemStopsEveryAPI(t *testing.T) {
	snap := &snapshot.Snapshot{
		APIs:   []snapshot.API{api("a", ""), api("b", "")},
		Policy: snapshot.PolicyEnv{Global: "<policies><inbound><ip-filter action=\"forbid\"><address>nope</address></ip-filter></inbound></policies>"},
	}
	res, report := Compile(snap, Options{Registry: builtin.NewRegistry()})
	if len(res.APIs) != 0 {
		t.Errorf("APIs compiled without the global policy: %v", res.APIs)
	}
	if !report.Broken["global"] || !report.Broken["api:a"] || !report.Broken["api:b"] {
		t.Errorf("broken = %v", report.Broken)
	}
}

func TestDocumentAndFragment(t *testing.T) {
	reg := builtin.NewRegistry()
	if ds := Document(reg, builtinEnv(), nil, header("v")); ds != nil {
		t.Errorf("a valid document: %v", ds)
	}
	ds := Document(reg, builtinEnv(), nil, "<policies>\n<inbound>\n<choose><when condition=\"yes\" /></choose></inbound></policies>")
	if len(ds) != 1 || ds[0].Pos.Line != 3 || !strings.Contains(ds[0].Msg, `"yes" is not a condition`) {
		t.Errorf("a literal condition: %v", ds)
	}
	// A fragment compiles when it compiles in some section.
	if ds := Fragment(reg, builtinEnv(), nil, `<fragment><rewrite-uri template="/x" /></fragment>`); ds != nil {
		t.Errorf("an inbound-only fragment: %v", ds)
	}
	if ds := Fragment(reg, builtinEnv(), nil, `<fragment><nope /></fragment>`); len(ds) == 0 {
		t.Error("an unknown element in a fragment was accepted")
	}
}

func builtinEnv() policy.Env { return policy.Env{NamedValues: map[string]string{}} }

// TestCompileOnly: Options.Only compiles the APIs it names and reports
// their problems and the global and product policies', as a whole
// compile would, and nothing of the others.
func TestCompileOnly(t *testing.T) {
	snap := &snapshot.Snapshot{
		APIs: []snapshot.API{api("a", header("a")), api("b", header("{{missing}}")), api("c", header("{{missing}}"))},
		Products: []snapshot.Product{{ID: "p", APIs: []string{"a"},
			Policy: `<policies><inbound><base /><set-header name="p" exists-action="sometimes"><value>v</value></set-header></inbound></policies>`}},
	}
	res, report := Compile(snap, Options{Registry: builtin.NewRegistry(), Only: map[string]bool{"b": true}})
	if len(res.APIs) != 0 {
		t.Errorf("compiled %v, want nothing (b has a problem, the others are not asked for)", res.APIs)
	}
	if len(report.Of("b")) == 0 || len(report.Of("c")) != 0 || len(report.Of("a")) != 0 {
		t.Errorf("report %+v, want problems of b and not of a or c", report.Diagnostics)
	}
	var product bool
	for _, d := range report.Diagnostics {
		product = product || (d.API == "" && d.Resource == "/products/p/policy")
	}
	if !product {
		t.Errorf("report %+v, want the product policy's own problem", report.Diagnostics)
	}
	snap.Products = nil
	res, _ = Compile(snap, Options{Registry: builtin.NewRegistry(), Only: map[string]bool{"a": true}})
	if len(res.APIs) != 1 || res.APIs["a"] == nil {
		t.Errorf("compiled %v, want a alone", res.APIs)
	}
}
