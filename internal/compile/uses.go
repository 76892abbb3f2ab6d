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
