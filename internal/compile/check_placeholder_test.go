package compile

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
)

// templated is a policy as a deployment template holds it: the
// deployment replaces {calls}, {retry-count} and {action}.
const templated = `<policies>
  <inbound>
    <rate-limit calls="{calls}" renewal-period="60" />
    <set-header name="{header}" exists-action="override"><value>{value}</value></set-header>
  </inbound>
  <backend>
    <retry condition="@(context.Response.StatusCode == 429)" count="{retry-count}" interval="1"><forward-request /></retry>
  </backend>
  <outbound><set-header name="x" exists-action="{action}"><value>1</value></set-header></outbound>
</policies>`

func TestCheckerPlaceholders(t *testing.T) {
	reg := builtin.NewRegistry()
	c := NewChecker(CheckOptions{Registry: reg, Env: policy.Env{AnyPlaceholder: true}})
	want := `warning :3:24: <rate-limit> calls: deployment placeholder {calls} is opaque: replaced when deployed, taken here as any valid value
warning :7:69: <retry> count: deployment placeholder {retry-count} is opaque: replaced when deployed, taken here as any valid value
warning :9:49: <set-header> exists-action: deployment placeholder {action} is opaque: replaced when deployed, taken here as any valid value
`
	// set-header's name and value take any text, {header} too: no warning.
	if got := render(c.Check(templated)); got != want {
		t.Errorf("placeholders:\n%s\nwant\n%s", got, want)
	}
	// The rest of the document is still checked.
	bad := strings.Replace(templated, `renewal-period="60"`, `renewal-period="soon"`, 1)
	got := render(c.Check(bad))
	if !strings.Contains(got, `error :3:49: <rate-limit> renewal-period:`) || !strings.Contains(got, "{calls} is opaque") {
		t.Errorf("a document with placeholders and a real problem:\n%s", got)
	}
	// Not a placeholder: braces around more than one identifier, or a
	// {{named value}}, or text around the braces.
	for _, v := range []string{"{a b}", "{1st}", "x{calls}", "{}", "{{calls}}"} {
		doc := `<policies><inbound><rate-limit calls="` + v + `" renewal-period="60" /></inbound></policies>`
		got := render(c.Check(doc))
		if strings.Contains(got, "deployment placeholder") {
			t.Errorf("calls=%q taken as a placeholder:\n%s", v, got)
		}
	}
	// Without AnyPlaceholder the check refuses them, naming the attribute.
	strict := NewChecker(CheckOptions{Registry: reg})
	got = render(strict.Check(templated))
	for _, want := range []string{"error :3:24: <rate-limit> calls:", "error :7:69: <retry> count:", "error :9:49: <set-header> exists-action:"} {
		if !strings.Contains(got, want) {
			t.Errorf("strict check lacks %q:\n%s", want, got)
		}
	}
}

// The management plane compiles with Document, never with
// AnyPlaceholder: a placeholder left in a document is refused there,
// with the attribute named.
func TestDocumentRefusesPlaceholders(t *testing.T) {
	ds := Document(builtin.NewRegistry(), builtinEnv(), nil, templated)
	got := ds.Error()
	for _, want := range []string{"<rate-limit> calls", "<retry> count", "<set-header> exists-action"} {
		if !strings.Contains(got, want) {
			t.Errorf("Document lacks a refusal of %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "placeholder") {
		t.Errorf("Document took a placeholder as opaque:\n%s", got)
	}
}

// FuzzCheckPlaceholders checks that checking a document with
// placeholders allowed never panics, and that a placeholder is never
// an error in an attribute the check reports it for.
func FuzzCheckPlaceholders(f *testing.F) {
	f.Add(templated)
	f.Add(`<policies><inbound><retry condition="@(true)" count="{n}" interval="{i}"><retry count="{m}" interval="1" condition="{c}"><forward-request timeout="{t}" /></retry></retry></inbound></policies>`)
	f.Add(`<fragment><rate-limit-by-key calls="{x}" renewal-period="{y}" counter-key="{z}" /></fragment>`)
	c := NewChecker(CheckOptions{Registry: builtin.NewRegistry(), AnyFragment: true,
		Env: policy.Env{AnyPlaceholder: true, AnyNamedValue: true, AnyBackend: true, AnyCertificate: true, AnySchema: true}})
	f.Fuzz(func(t *testing.T, doc string) {
		warned := map[string]bool{}
		fs := c.Check(doc)
		for _, x := range fs {
			if strings.Contains(x.Message, "deployment placeholder") {
				warned[x.Path+" "+x.Attr] = true
			}
		}
		for _, x := range fs {
			if x.Severity == SeverityError && warned[x.Path+" "+x.Attr] {
				t.Errorf("attribute %s of %s is both a placeholder and an error: %s", x.Attr, x.Path, x.Message)
			}
		}
	})
}
