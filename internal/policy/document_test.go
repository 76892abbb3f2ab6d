package policy

import (
	"strings"
	"testing"
)

// shape renders nodes as names with their children in brackets, and the
// source of each element that came from a fragment after an @.
func shape(nodes []*Node) string {
	var out []string
	for _, n := range nodes {
		s := n.Name
		if v, ok := n.Attr("name"); ok {
			s += ":" + v.Value
		}
		if strings.HasPrefix(n.Source, "/policyFragments/") {
			s += "@" + strings.TrimPrefix(n.Source, "/policyFragments/")
		}
		if len(n.Children) > 0 {
			s += "[" + shape(n.Children) + "]"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func taggedFragments(t *testing.T, srcs map[string]string) map[string][]*Node {
	t.Helper()
	out := map[string][]*Node{}
	for id, src := range srcs {
		nodes := mustFragment(t, src)
		Tag(nodes, "/policyFragments/"+id, "fragment/")
		out[id] = nodes
	}
	return out
}

func TestIncludeFragmentWherePoliciesStand(t *testing.T) {
	frags := taggedFragments(t, map[string]string{
		"h":     `<fragment><set-header name="h"/></fragment>`,
		"outer": `<fragment><choose><when condition="@(true)"><include-fragment fragment-id="h"/></when></choose></fragment>`,
	})
	doc := mustParse(t, `<policies><inbound>
  <choose>
    <when condition="@(true)"><include-fragment fragment-id="H"/><set-header name="w"/></when>
    <otherwise><include-fragment fragment-id="outer"/></otherwise>
  </choose>
  <retry condition="@(false)" count="1" interval="1"><include-fragment fragment-id="h"/><base/></retry>
  <limit-concurrency key="k" max-count="1"><include-fragment fragment-id="h"/></limit-concurrency>
  <wait><include-fragment fragment-id="h"/></wait>
  <send-request mode="new" response-variable-name="r"><include-fragment fragment-id="h"/></send-request>
</inbound></policies>`)
	doc.Tag("/apis/a/policy")
	before := Render(doc)
	eff, err := Merge(frags, nil, doc)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := eff.Section(Inbound)
	want := "choose[when[set-header:h@h set-header:w] otherwise[choose@outer[when@outer[set-header:h@h]]]] " +
		"retry[set-header:h@h base] limit-concurrency[set-header:h@h] " +
		"wait[include-fragment] send-request[include-fragment]"
	if got := shape(in); got != want {
		t.Errorf("inbound =\n  %s\nwant\n  %s", got, want)
	}
	// The elements keep their place in their own document.
	h := in[0].Children[0].Children[0]
	if h.Source != "/policyFragments/h" || h.Path != "fragment/set-header[1]" || h.Pos != (Pos{1, 11}) {
		t.Errorf("included element at %s %s %v", h.Source, h.Path, h.Pos)
	}
	when := in[0].Children[0]
	if when.Source != "/apis/a/policy" || when.Path != "inbound/choose[1]/when[1]" || when.Pos.Line != 3 {
		t.Errorf("expanded branch at %s %s %v", when.Source, when.Path, when.Pos)
	}
	// Documents and fragments are shared by every merge: none changes.
	if Render(doc) != before {
		t.Errorf("merging changed the document:\n%s", Render(doc))
	}
	if got := shape(frags["outer"]); got != "choose@outer[when@outer[include-fragment@outer]]" {
		t.Errorf("merging changed a fragment: %s", got)
	}
}

func TestIncludeFragmentProblems(t *testing.T) {
	frags := taggedFragments(t, map[string]string{
		"self": `<fragment><choose><when condition="@(true)"><include-fragment fragment-id="self"/></when></choose></fragment>`,
	})
	frags["broken"] = nil
	fan := func(id, next string) string {
		return `<fragment>` + strings.Repeat(`<include-fragment fragment-id="`+next+`"/>`, 30) + `</fragment>`
	}
	for id, src := range map[string]string{"f1": fan("f1", "f2"), "f2": fan("f2", "f3"), "f3": fan("f3", "leaf"), "leaf": `<fragment><set-header name="x"/></fragment>`} {
		frags[id] = mustFragment(t, src)
	}
	tests := []struct{ src, want string }{
		{`<policies><inbound><retry condition="@(true)" count="1" interval="1">` + "\n" + `<include-fragment fragment-id="nope"/></retry></inbound></policies>`,
			`2:32: <include-fragment> fragment-id: there is no policy fragment "nope"`},
		{`<policies><inbound><choose><otherwise><include-fragment /></otherwise></choose></inbound></policies>`,
			`1:39: <include-fragment>: fragment-id is required`},
		{`<policies><inbound><choose><when condition="@(true)"><include-fragment fragment-id="broken"/></when></choose></inbound></policies>`,
			`the policy fragment "broken" is not valid`},
		{`<policies><inbound><include-fragment fragment-id="self"/></inbound></policies>`,
			`fragments include each other more than 8 deep`},
		{`<policies><inbound><include-fragment fragment-id="f1"/></inbound></policies>`,
			`fragments add more than 10000 elements to the policy`},
	}
	for _, tt := range tests {
		_, err := Merge(frags, nil, mustParse(t, tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Merge(%s) = %v, want %q", tt.src, err, tt.want)
		}
	}
}

func TestMergeWithOpaqueFragments(t *testing.T) {
	frags := taggedFragments(t, map[string]string{
		"known": `<fragment><set-header name="k"/><include-fragment fragment-id="elsewhere"/></fragment>`,
	})
	doc := mustParse(t, `<policies><inbound><include-fragment fragment-id="known"/>`+
		`<choose><when condition="@(true)"><include-fragment fragment-id="Unknown"/><set-header name="w"/></when></choose></inbound></policies>`)
	var refs []string
	m := Merger{Fragments: frags, AnyFragment: true, OnInclude: func(r Reference) {
		refs = append(refs, r.Kind+":"+r.ID+"@"+r.Source+" "+r.Pos.String())
	}}
	eff, err := m.Merge(nil, doc)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := eff.Section(Inbound)
	if got := shape(in); got != "set-header:k@known choose[when[set-header:w]]" {
		t.Errorf("an opaque fragment contributes no elements: %s", got)
	}
	want := []string{"policyFragments:known@ 1:51", "policyFragments:elsewhere@/policyFragments/known 1:64", "policyFragments:Unknown@ 1:124"}
	if strings.Join(refs, ", ") != strings.Join(want, ", ") {
		t.Errorf("includes = %v, want %v", refs, want)
	}
	// Without AnyFragment the same document is refused.
	if _, err := Merge(frags, nil, doc); err == nil || !strings.Contains(err.Error(), `there is no policy fragment "elsewhere"`) {
		t.Errorf("strict merge: %v", err)
	}
}
