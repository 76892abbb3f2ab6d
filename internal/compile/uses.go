package compile

import (
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// usedNames returns the lower-case names of every {{name}} in src that
// reading it could take for a named value reference: for each "{{", the
// trimmed text up to the next "}}". It is a superset of the references
// substitution makes (it does not check that the text is a name), which
// is what a gateway needs to know which APIs a named value's change may
// affect.
func usedNames(src string) []string {
	var names []string
	for i := 0; ; {
		k := strings.Index(src[i:], "{{")
		if k < 0 {
			return names
		}
		start := i + k
		j := strings.Index(src[start+2:], "}}")
		if j < 0 {
			return names
		}
		names = append(names, strings.ToLower(strings.TrimSpace(src[start+2:start+2+j])))
		i = start + 1
	}
}

// uses returns what API a's effective policies may read: the named
// values written in the documents of its scopes (global, the products
// with a policy that hold it, its own and its operations') and in the
// fragments it includes, and those fragments (frags, as includes found
// them).
func (c *compiler) uses(a *snapshot.API, frags []string) snapshot.Uses {
	var names []string
	names = append(names, c.globalNames...)
	for _, p := range c.productsOf[strings.ToLower(a.ID)] {
		names = append(names, c.productNames[p.id]...)
	}
	names = append(names, usedNames(a.Policy)...)
	for i := range a.Operations {
		names = append(names, usedNames(a.Operations[i].Policy)...)
	}
	for _, id := range frags {
		names = append(names, c.fragmentNames[id]...)
	}
	slices.Sort(names)
	fs := slices.Clone(frags)
	slices.Sort(fs)
	return snapshot.Uses{NamedValues: slices.Compact(names), Fragments: slices.Compact(fs)}
}

// Assemble returns what a compile of every API of snap reports, from
// part, the report of a compile of some of them (Options.Only), and
// kept, the diagnostics of each of the others (by lower-case id) as an
// earlier compile of the same inputs found them. Diagnostics are in the
// order a compile of every API gives them.
func Assemble(snap *snapshot.Snapshot, part *Report, kept map[string][]Diagnostic) *Report {
	r := &Report{Version: part.Version}
	byAPI := map[string][]Diagnostic{}
	var scopes []Diagnostic
	for _, d := range part.Diagnostics {
		if d.API == "" {
			scopes = append(scopes, d)
			continue
		}
		k := strings.ToLower(d.API)
		byAPI[k] = append(byAPI[k], d)
	}
	add := func(ds []Diagnostic) {
		for _, d := range ds {
			r.Diagnostics = append(r.Diagnostics, d)
			if r.Broken == nil {
				r.Broken = map[string]bool{}
			}
			r.Broken[UnitOf(d)] = true
		}
	}
	for i := range snap.APIs {
		k := strings.ToLower(snap.APIs[i].ID)
		if ds, ok := kept[k]; ok {
			add(ds)
		} else {
			add(byAPI[k])
		}
	}
	add(scopes)
	r.sort()
	return r
}
