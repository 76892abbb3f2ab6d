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
	// Broken holds the lower-case ids of the APIs that did not compile.
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

// add records d against api once: the same problem seen by several
// operations or products of an API is one diagnostic.
func (r *Report) add(api string, pd *policy.Diagnostic) {
	msg := pd.Msg
	if pd.Element != "" {
		msg = "<" + pd.Element + ">"
		if pd.Attr != "" {
			msg += " " + pd.Attr
		}
		msg += ": " + pd.Msg
	}
	d := Diagnostic{API: api, Scope: scopeOf(pd.Source), Message: msg,
		Resource: pd.Source, Element: pd.Path, Line: pd.Pos.Line, Column: pd.Pos.Col}
	if r.seen == nil {
		r.seen = map[Diagnostic]bool{}
	}
	if r.seen[d] {
		return
	}
	r.seen[d] = true
	r.Diagnostics = append(r.Diagnostics, d)
}

func (r *Report) broken(api string) {
	if r.Broken == nil {
		r.Broken = map[string]bool{}
	}
	r.Broken[strings.ToLower(api)] = true
}

func (r *Report) sort() {
	sort.SliceStable(r.Diagnostics, func(i, j int) bool {
		a, b := r.Diagnostics[i], r.Diagnostics[j]
		if a.API != b.API {
			return a.API < b.API
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
