package route

import (
	"sort"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name, template, path string
		want                 bool
		wantParams           map[string]string
	}{
		{name: "root", template: "/", path: "/", want: true},
		{name: "root empty path", template: "/", path: "", want: true},
		{name: "root vs segment", template: "/", path: "/a"},
		{name: "literal", template: "/orders", path: "/orders", want: true},
		{name: "literal trailing slash", template: "/orders", path: "/orders/", want: true},
		{name: "literal differs", template: "/orders", path: "/order"},
		{name: "literal longer path", template: "/orders", path: "/orders/1"},
		{name: "param", template: "/orders/{id}", path: "/orders/42", want: true, wantParams: map[string]string{"id": "42"}},
		{name: "param missing", template: "/orders/{id}", path: "/orders"},
		{name: "param empty", template: "/orders/{id}", path: "/orders/"},
		{name: "param extra segment", template: "/orders/{id}", path: "/orders/42/items"},
		{name: "two params", template: "/a/{x}/b/{y}", path: "/a/1/b/2", want: true, wantParams: map[string]string{"x": "1", "y": "2"}},
		{name: "partial", template: "/reports/{year}.json", path: "/reports/2026.json", want: true, wantParams: map[string]string{"year": "2026"}},
		{name: "partial wrong suffix", template: "/reports/{year}.json", path: "/reports/2026.xml"},
		{name: "partial empty param", template: "/reports/{year}.json", path: "/reports/.json"},
		{name: "wildcard", template: "/files/*", path: "/files/a/b/c", want: true},
		{name: "wildcard zero segments", template: "/files/*", path: "/files", want: true},
		{name: "wildcard other prefix", template: "/files/*", path: "/filesx/a"},
		{name: "named wildcard", template: "/files/{*path}", path: "/files/a/b", want: true, wantParams: map[string]string{"path": "a/b"}},
		{name: "all", template: "/*", path: "/anything/at/all", want: true},
		{name: "query part ignored", template: "/search?q={q}", path: "/search", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl := mustParse(t, tt.template)
			if got := tpl.Match(tt.path); got != tt.want {
				t.Fatalf("Parse(%q).Match(%q) = %v, want %v", tt.template, tt.path, got, tt.want)
			}
			params := tpl.Params(tt.path)
			if (params != nil) != tt.want {
				t.Fatalf("Params(%q) = %v, want match %v", tt.path, params, tt.want)
			}
			for k, v := range tt.wantParams {
				if params[k] != v {
					t.Errorf("Params(%q)[%q] = %q, want %q", tt.path, k, params[k], v)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		"", "users", "/a//b", "/{", "/{id", "/{}", "/{a}{b}", "/{id}/{id}", "/*/x", "/{*p}/x",
		"/a}", "/x{*p}", "/{bad name}", "/a*b",
	} {
		if tpl, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", s, tpl.segs)
		}
	}
}

func TestCompareMostSpecificFirst(t *testing.T) {
	want := []string{"/users/me", "/users/{id}.json", "/users/{id}/orders", "/users/{id}", "/users", "/users/*", "/", "/*"}
	tpls := make([]*Template, len(want))
	for i, s := range want {
		tpls[len(want)-1-i] = mustParse(t, s) // reversed
	}
	sort.SliceStable(tpls, func(i, j int) bool { return Compare(tpls[i], tpls[j]) < 0 })
	for i, tpl := range tpls {
		if tpl.String() != want[i] {
			t.Errorf("position %d: %s, want %s", i, tpl, want[i])
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	tpl := mustParse(t, "/users/{id}/orders/{order}.json")
	allocs := testing.AllocsPerRun(100, func() {
		if !tpl.Match("/users/42/orders/7.json") {
			t.Fatal("no match")
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocates %v times per call, want 0", allocs)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"/", "/users/{id}", "/files/*", "/r/{y}.json", "/a/{*rest}", "/q?x={x}", "/{", "//"} {
		f.Add(s, "/users/42")
	}
	f.Fuzz(func(t *testing.T, template, path string) {
		tpl, err := Parse(template)
		if err != nil {
			if tpl != nil {
				t.Fatal("Parse returned both a template and an error")
			}
			return
		}
		if tpl.Match(path) != (tpl.Params(path) != nil) {
			t.Fatalf("Match and Params disagree on %q for %q", path, template)
		}
		if Compare(tpl, tpl) != 0 {
			t.Fatalf("Compare(%q, itself) != 0", template)
		}
	})
}

func mustParse(t *testing.T, s string) *Template {
	t.Helper()
	tpl, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return tpl
}
