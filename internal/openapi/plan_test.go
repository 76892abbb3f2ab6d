package openapi

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
)

func op(id, method, tpl, desc string) Operation {
	o := model.Operation{Method: method, URLTemplate: tpl, Description: desc}
	o.Normalize()
	return Operation{ID: id, Properties: o}
}

func TestPlanOperations(t *testing.T) {
	tests := []struct {
		name             string
		current, desired []Operation
		want             []string
	}{
		{name: "all new", desired: []Operation{op("a", "GET", "/a", "")},
			want: []string{"+ operation a GET /a"}},
		{name: "same", current: []Operation{op("a", "GET", "/a", "")}, desired: []Operation{op("a", "GET", "/a", "")},
			want: []string{"= operation a GET /a"}},
		{name: "kept by template keeps its id", current: []Operation{op("old-name", "GET", "/a", "")}, desired: []Operation{op("a", "GET", "/a", "x")},
			want: []string{"~ operation old-name GET /a"}},
		{name: "kept by id", current: []Operation{op("a", "GET", "/a", "")}, desired: []Operation{op("a", "GET", "/b", "")},
			want: []string{"~ operation a GET /b"}},
		{name: "removed", current: []Operation{op("a", "GET", "/a", ""), op("b", "GET", "/b", "")}, desired: []Operation{op("a", "GET", "/a", "")},
			want: []string{"= operation a GET /a", "- operation b GET /b"}},
		{name: "id of a deleted operation is not reused",
			current: []Operation{op("a", "GET", "/a", ""), op("b", "GET", "/b", "")},
			desired: []Operation{op("b", "GET", "/a", ""), op("c", "POST", "/c", "")},
			want:    []string{"= operation a GET /a", "+ operation c POST /c", "- operation b GET /b"}},
		{name: "id clash with a kept operation",
			current: []Operation{op("x", "GET", "/a", "")},
			desired: []Operation{op("y", "GET", "/a", ""), op("x", "GET", "/b", "")},
			want:    []string{"= operation x GET /a", "+ operation x-2 GET /b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := PlanOperations(tt.current, tt.desired)
			var got []string
			for _, c := range p.Changes {
				got = append(got, c.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i, c := range p.Changes {
				if c.Action != Delete && p.Operations[i].ID != c.ID {
					t.Errorf("operation %d has id %s, change says %s", i, p.Operations[i].ID, c.ID)
				}
			}
		})
	}
}
