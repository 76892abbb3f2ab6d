package compile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

func TestFragmentsIncludedInsideElements(t *testing.T) {
	snap := &snapshot.Snapshot{
		APIs: []snapshot.API{
			api("nested", "<policies><inbound><base />\n"+
				"<choose><when condition=\"@(true)\"><include-fragment fragment-id=\"ok\" /></when>\n"+
				"<otherwise><retry condition=\"@(false)\" count=\"1\" interval=\"1\"><include-fragment fragment-id=\"outer\" /></retry></otherwise></choose>\n"+
				"</inbound></policies>"),
			api("bad", "<policies><inbound><base />\n"+
				"<choose><when condition=\"@(true)\">\n  <include-fragment fragment-id=\"bad\" /></when></choose>\n"+
				"</inbound></policies>"),
		},
		Policy: snapshot.PolicyEnv{
			Backends: map[string]string{"orders": "http://orders"},
			Fragments: map[string]string{
				"ok":    `<fragment><set-header name="a" exists-action="override"><value>1</value></set-header></fragment>`,
				"outer": `<fragment><choose><when condition="@(true)"><include-fragment fragment-id="inner" /></when></choose></fragment>`,
				"inner": `<fragment><set-backend-service backend-id="orders" /></fragment>`,
				"bad":   "<fragment>\n  <set-header name=\"y\" exists-action=\"sometimes\"><value>v</value></set-header>\n</fragment>",
			},
		},
	}
	var refs []string
	res, report := Compile(snap, Options{Registry: builtin.NewRegistry(), References: func(r Reference) {
		refs = append(refs, fmt.Sprintf("%s:%s@%s %s", r.Kind, r.ID, r.At.Resource, r.At.Element))
	}})
	if res.APIs["nested"] == nil {
		t.Fatalf("the API with fragments inside choose and retry did not compile: %+v", report.Of("nested"))
	}
	for _, want := range []string{
		"policyFragments:ok@/apis/nested/policy inbound/choose[1]/when[1]/include-fragment[1]",
		"policyFragments:inner@/policyFragments/outer fragment/choose[1]/when[1]/include-fragment[1]",
		"backends:orders@/policyFragments/inner fragment/set-backend-service[1]",
	} {
		if !strings.Contains(strings.Join(refs, "\n"), want) {
			t.Errorf("references lack %s:\n%s", want, strings.Join(refs, "\n"))
		}
	}
	ds := report.Of("bad")
	if res.APIs["bad"] != nil || len(ds) != 1 {
		t.Fatalf("bad: compiled %v, diagnostics %+v", res.APIs["bad"] != nil, ds)
	}
	d := ds[0]
	if d.Resource != "/policyFragments/bad" || d.Element != "fragment/set-header[1]" || d.Line != 2 || d.Via != "/apis/bad/policy line 3, column 34" {
		t.Errorf("a problem in a fragment included in <when>: %+v", d)
	}
}

func TestIncludeFragmentWhereNoPolicyBelongs(t *testing.T) {
	reg := builtin.NewRegistry()
	frags := map[string][]*policy.Node{"f": mustNodes(t, `<fragment><set-header name="a"><value>1</value></set-header></fragment>`)}
	ds := Document(reg, builtinEnv(), frags, `<policies><inbound><return-response><include-fragment fragment-id="f" /></return-response></inbound></policies>`)
	if !strings.Contains(ds.Error(), "<include-fragment>: a fragment may be included in a section, a fragment, <when>, <otherwise>, <retry> or <limit-concurrency>, not here") ||
		strings.Contains(ds.Error(), "unknown or unsupported") {
		t.Errorf("include-fragment in return-response: %v", ds)
	}
}

func mustNodes(t *testing.T, src string) []*policy.Node {
	t.Helper()
	nodes, err := policy.ParseFragment(src)
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// render prints findings one a line as the check command's text does.
func render(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %s:%s: %s", f.Severity, f.Source, f.Pos, f.Message)
		if f.Via != nil {
			fmt.Fprintf(&b, " (via %s:%d:%d)", f.Via.Resource, f.Via.Line, f.Via.Column)
		}
		b.WriteString("\n")
	}
	return b.String()
}

const referring = `<policies>
  <inbound>
    <set-header name="x" exists-action="override"><value>{{Env-Name}}</value></set-header>
    <choose>
      <when condition="@(true)"><include-fragment fragment-id="Shared" /></when>
    </choose>
    <set-backend-service backend-id="orders" />
    <authentication-certificate certificate-id="client" />
  </inbound>
  <backend><authentication-certificate thumbprint="ABC123" /><forward-request /></backend>
</policies>`

func TestCheckerOpaqueReferences(t *testing.T) {
	reg := builtin.NewRegistry()
	opaque := NewChecker(CheckOptions{Registry: reg, AnyFragment: true,
		Env: policy.Env{AnyNamedValue: true, AnyBackend: true, AnyCertificate: true}})
	want := `warning :3:58: <value>: named value {{Env-Name}} is opaque: not known here, left as written
warning :5:64: <include-fragment> fragment-id: policy fragment "Shared" is opaque: not known here, its elements are not checked
warning :7:38: <set-backend-service> backend-id: backend "orders" is opaque: not known here, not checked
warning :8:49: <authentication-certificate> certificate-id: certificate "client" is opaque: not known here, not checked
warning :10:52: <authentication-certificate> thumbprint: the certificate with thumbprint "ABC123" is opaque: not known here, not checked
`
	if got := render(opaque.Check(referring)); got != want {
		t.Errorf("opaque references:\n%s\nwant\n%s", got, want)
	}
	// Known references are neither warnings nor errors.
	known := NewChecker(CheckOptions{Registry: reg,
		Env: policy.Env{NamedValues: map[string]string{"env-name": "prod"}, Backends: map[string]string{"orders": "http://orders"},
			Certificates: map[string]*policy.Certificate{"client": {ID: "client", Thumbprint: "ABC123", HasKey: true}}},
		Fragments: map[string]FragmentSource{"shared": {Name: "shared.xml", XML: `<fragment><set-variable name="v" value="1" /></fragment>`}}})
	if got := known.Check(referring); len(got) != 0 {
		t.Errorf("known references: %s", render(got))
	}
	// Given the resources, what they lack is an error.
	strict := NewChecker(CheckOptions{Registry: reg, Env: policy.Env{NamedValues: map[string]string{}}})
	got := render(strict.Check(referring))
	for _, want := range []string{
		"error :3:58: <value>: named value {{Env-Name}} does not exist",
		`error :5:64: <include-fragment> fragment-id: there is no policy fragment "Shared"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("strict check lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "warning") {
		t.Errorf("a strict check warned:\n%s", got)
	}
}

func TestCheckerLocatesFindingsInFragments(t *testing.T) {
	c := NewChecker(CheckOptions{Registry: builtin.NewRegistry(), AnyFragment: true,
		Env: policy.Env{AnyBackend: true},
		Fragments: map[string]FragmentSource{
			"outer":  {Name: "frags/outer.xml", XML: "<fragment>\n<retry condition=\"@(false)\" count=\"1\" interval=\"1\"><include-fragment fragment-id=\"inner\" /></retry>\n</fragment>"},
			"inner":  {Name: "frags/inner.xml", XML: "<fragment>\n  <set-backend-service backend-id=\"elsewhere\" />\n  <set-header name=\"y\" exists-action=\"sometimes\"><value>v</value></set-header>\n</fragment>"},
			"broken": {Name: "frags/broken.xml", XML: "<fragment>\n<oops>\n</fragment>"},
		}})
	got := render(c.Check("<policies><inbound>\n<choose><when condition=\"@(false)\" /><otherwise><include-fragment fragment-id=\"outer\" /></otherwise></choose>\n" +
		"<include-fragment fragment-id=\"broken\" /><include-fragment fragment-id=\"missing\" />\n</inbound></policies>"))
	want := `error :3:32: <include-fragment> fragment-id: the policy fragment "broken" is not valid
warning :3:73: <include-fragment> fragment-id: policy fragment "missing" is opaque: not known here, its elements are not checked
error frags/broken.xml:3:1: expected </oops> to close <oops> at 2:1 (via :3:32)
warning frags/inner.xml:2:36: <set-backend-service> backend-id: backend "elsewhere" is opaque: not known here, not checked (via frags/outer.xml:2:83)
error frags/inner.xml:3:39: <set-header> exists-action: "sometimes": want override, skip, append or delete (via frags/outer.xml:2:83)
`
	if got != want {
		t.Errorf("findings:\n%s\nwant\n%s", got, want)
	}
	// A <fragment> is checked as one, in any section it compiles in.
	got = render(c.Check("<fragment>\n<include-fragment fragment-id=\"nowhere\" />\n<forward-request />\n</fragment>"))
	if want := "warning :2:32: <include-fragment> fragment-id: policy fragment \"nowhere\" is opaque: not known here, its elements are not checked\n"; got != want {
		t.Errorf("a fragment checked on its own:\n%s\nwant\n%s", got, want)
	}
}
