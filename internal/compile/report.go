package compile

import (
	"errors"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// ErrRejected marks an error of a configuration installed in part: the
// APIs with problems kept their last good version.
var ErrRejected = errors.New("configuration rejected in part")

// Report is every problem a compile found.
type Report struct {
	// Version is the configuration version compiled.
	Version int64 `json:"version"`
	// Diagnostics are the problems, ordered by API, then place.
	Diagnostics []Diagnostic `json:"diagnostics"`
	// Broken holds the units (see UnitOf) that did not compile.
	Broken map[string]bool `json:"-"`
	seen   map[Diagnostic]bool
}

// Diagnostic is one problem: where it is written and which API it
// stops from compiling.
type Diagnostic = model.ConfigDiagnostic

// OK reports whether the compile found no problem.
func (r *Report) OK() bool { return len(r.Diagnostics) == 0 }

// Of returns the diagnostics of the API with id (any case).
func (r *Report) Of(api string) []Diagnostic {
	var out []Diagnostic
	for _, d := range r.Diagnostics {
		if strings.EqualFold(d.API, api) {
			out = append(out, d)
		}
	}
	return out
}

// UnitOf names what d stops from compiling: "api:" and the lower-case
// API id, "product:" and the product id for a product's policy on its
// own, or "global" for the global policy on its own.
func UnitOf(d Diagnostic) string {
	switch {
	case d.API != "":
		return "api:" + strings.ToLower(d.API)
	case d.Product != "":
		return "product:" + strings.ToLower(d.Product)
	}
	return "global"
}

// add records pd against u once: the same problem seen by several
// operations or products of an API is one diagnostic.
func (r *Report) add(u unit, pd *policy.Diagnostic) {
	msg := pd.Msg
	if pd.Element != "" {
		msg = "<" + pd.Element + ">"
		if pd.Attr != "" {
			msg += " " + pd.Attr
		}
		msg += ": " + pd.Msg
	}
	d := Diagnostic{API: u.api, Product: u.product, Scope: scopeOf(pd.Source), Message: msg,
		Resource: pd.Source, Element: pd.Path, Line: pd.Pos.Line, Column: pd.Pos.Col}
	if r.seen == nil {
		r.seen = map[Diagnostic]bool{}
	}
	if r.seen[d] {
		return
	}
	r.seen[d] = true
	r.Diagnostics = append(r.Diagnostics, d)
	if r.Broken == nil {
		r.Broken = map[string]bool{}
	}
	r.Broken[UnitOf(d)] = true
}

func (r *Report) sort() {
	sort.SliceStable(r.Diagnostics, func(i, j int) bool {
		a, b := r.Diagnostics[i], r.Diagnostics[j]
		if a.API != b.API {
			return a.API < b.API
		}
		if a.Product != b.Product {
			return a.Product < b.Product
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	r.seen = nil
}

// scopeOf names the scope of a document by its resource id.
func scopeOf(resource string) string {
	switch {
	case resource == "/policy":
		return "global"
	case strings.HasPrefix(resource, "/policyFragments/"):
		return "fragment"
	case strings.HasPrefix(resource, "/products/"):
		return "product"
	case strings.Contains(resource, "/operations/"):
		return "operation"
	}
	return "api"
}
