package compile

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// Named values are substituted into a policy's text before it is read,
// as APIM does: "the named value reference is replaced by its value when
// the APIM policy is saved". The diagnostics below are golden: each
// points at the line and column of the text as written.
func TestNamedValuesSubstitutedBeforeReading(t *testing.T) {
	values := map[string]string{
		"calls": "10", "period": "60", "many": "lots", "flag": "true",
		"base": "https://a-rather-long-backend-name.internal.example/v1",
		"code": `@(context.Request.Method)`, "header": `<set-header name="X-From-Value" exists-action="override"><value>v</value></set-header>`,
		"pw": "hunter2-very-secret",
	}
	env := policy.Env{NamedValues: values, Secrets: map[string]bool{"pw": true}}
	tests := []struct {
		name, doc string
		want      string // the diagnostics, one a line; empty: compiles
	}{
		{name: "typed attributes", doc: `<rate-limit calls="{{calls}}" renewal-period="{{period}}" />`},
		{name: "boolean condition", doc: `<choose><when condition="{{flag}}"><set-header name="a" exists-action="override"><value>1</value></set-header></when></choose>`},
		{name: "inside C# code", doc: `<set-header name="a" exists-action="override"><value>@("{{base}}" + context.Request.Url.Path)</value></set-header>`},
		{name: "an expression", doc: `<set-header name="a" exists-action="override"><value>{{code}}</value></set-header>`},
		{name: "whole elements", doc: `{{header}}`},
		{name: "a typed value that is wrong", doc: `<rate-limit calls="{{many}}" renewal-period="60" />`,
			want: `3:20: <rate-limit> calls: "lots": want a whole number from 1 to 2^53`},
		{name: "a C# error after a substitution", doc: `<set-header name="a" exists-action="override"><value>@("{{base}}" + context.Nope)</value></set-header>`,
			want: `3:77: <value>: member Nope of IContext is not supported`},
		{name: "a missing name", doc: "<set-header name=\"a\" exists-action=\"override\">\n<value>x {{nope}}</value></set-header>",
			want: `4:10: <value>: named value {{nope}} does not exist`},
		{name: "a secret stays secret", doc: `<set-header name="a" exists-action="{{pw}}"><value>1</value></set-header>`,
			want: `3:37: <set-header> exists-action: "{{pw}}": want override, skip, append or delete`},
	}
	reg := builtin.NewRegistry()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "<policies>\n<inbound>\n" + tt.doc + "\n</inbound>\n</policies>"
			ds := Document(reg, env, nil, src)
			var got []string
			for _, d := range ds {
				got = append(got, d.Error())
			}
			if g := strings.Join(got, "\n"); g != tt.want {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", g, tt.want)
			}
			if strings.Contains(ds.Error(), values["pw"]) {
				t.Errorf("a diagnostic shows a secret: %v", ds)
			}
		})
	}
}

// Offline, a {{name}} whose value is not given stands for any
// well-formed value: in a typed attribute, a condition or C# code it is
// a warning, never an error.
func TestOpaqueNamedValuesInTypedPlaces(t *testing.T) {
	c := NewChecker(CheckOptions{Registry: builtin.NewRegistry(), Env: policy.Env{NamedValues: map[string]string{"known": "x"}, AnyNamedValue: true}})
	src := `<policies><inbound>
<rate-limit calls="{{calls}}" renewal-period="{{period}}" />
<choose><when condition="{{flag}}"><set-header name="a" exists-action="{{action}}"><value>@({{number}} + 1)</value></set-header></when></choose>
<set-body template="liquid">{"a": "{{body.a}}"}</set-body>
</inbound></policies>`
	var got []string
	for _, f := range c.Check(src) {
		got = append(got, string(f.Severity)+" "+f.Pos.String()+" "+f.Message)
	}
	want := []string{
		"warning 2:20 <rate-limit>: named value {{calls}} is opaque: not known here, left as written",
		"warning 2:47 <rate-limit>: named value {{period}} is opaque: not known here, left as written",
		"warning 3:26 <when>: named value {{flag}} is opaque: not known here, left as written",
		"warning 3:72 <set-header>: named value {{action}} is opaque: not known here, left as written",
		"warning 3:93 <value>: named value {{number}} is opaque: not known here, left as written",
		"warning 4:36 <set-body>: named value {{body.a}} is opaque: not known here, left as written",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The management plane and gateways compile with the values: a value
// that makes a typed attribute wrong stops the API, and the report
// points at the reference and never shows a secret.
func TestCompileWithNamedValueValues(t *testing.T) {
	snap := &snapshot.Snapshot{
		APIs: []snapshot.API{
			api("limits", "<policies><inbound><base />\n  <rate-limit calls=\"{{calls}}\" renewal-period=\"{{period}}\" /></inbound></policies>"),
			api("secret", "<policies><inbound><base />\n  <include-fragment fragment-id=\"auth\" /></inbound></policies>"),
		},
		Policy: snapshot.PolicyEnv{
			NamedValues: map[string]string{"calls": "0", "period": "60", "key": "p@ss\"word"},
			Secrets:     []string{"key"},
			Fragments:   map[string]string{"auth": "<fragment>\n<set-header name=\"k\" exists-action=\"override\" value=\"{{key}}\" />\n</fragment>"},
		},
	}
	var refs []string
	_, report := Compile(snap, Options{Registry: builtin.NewRegistry(), References: func(r Reference) {
		refs = append(refs, r.Kind+":"+r.ID+"@"+r.At.Element)
	}})
	var got []string
	for _, d := range report.Diagnostics {
		got = append(got, d.String())
	}
	want := []string{
		`API limits: /apis/limits/policy line 2, column 22 (inbound/rate-limit[1]): <rate-limit> calls: "0": want a whole number from 1 to 2^53`,
		`API secret: /apis/secret/policy line 2, column 34 (inbound/include-fragment[1]): <include-fragment> fragment-id: the policy fragment "auth" is not valid`,
		`API secret: /policyFragments/auth line 2, column 61: the value of the secret named value {{key}} does not fit here: the policy is not well-formed XML with it (included at /apis/secret/policy line 2, column 34)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("report:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, d := range got {
		if strings.Contains(d, "p@ss") || strings.Contains(d, "word") {
			t.Errorf("the report shows a secret: %s", d)
		}
	}
	if !strings.Contains(strings.Join(refs, " "), "namedValues:calls@inbound/rate-limit[1]") {
		t.Errorf("references: %v", refs)
	}
}
