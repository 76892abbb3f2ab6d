package source

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// compileCache remembers, for each API that compiled, what its compile
// found (diagnostics and references) and the digest of the inputs it
// compiled from (snapshot.Parts.Inputs), so that a build compiles only
// the APIs whose inputs changed, as a gateway installs a snapshot. Safe
// for concurrent use; the zero value is empty.
type compileCache struct {
	mu     sync.Mutex
	shared string                  // the shared inputs' digest the entries were compiled with
	apis   map[string]*compiledAPI // by lower-case id
}

// compiledAPI is what the compile of one API found.
type compiledAPI struct {
	inputs string
	uses   snapshot.Uses
	diags  []compile.Diagnostic
	refs   []compile.Reference
}

// compile compiles s as compile.Compile does with certs, telling refs of
// every reference, recompiling only the APIs whose inputs changed since
// the cache's last compile with the same shared inputs.
func (c *compileCache) compile(s *snapshot.Snapshot, reg *policy.Registry, certs map[string]*policy.Certificate, refs func(compile.Reference)) *compile.Report {
	parts, err := snapshot.DigestParts(s)
	if err != nil {
		_, report := compile.Compile(s, compile.Options{Registry: reg, Certificates: certs, References: refs})
		return report
	}
	shared := parts.Shared
	if b, err := json.Marshal(certs); err == nil {
		shared += "+" + snapshot.DigestText(string(b))
	}
	c.mu.Lock()
	var only map[string]bool
	kept := map[string][]compile.Diagnostic{}
	var keptRefs []compile.Reference
	if c.shared == shared && c.apis != nil {
		only = map[string]bool{}
		for id := range parts.APIs {
			e := c.apis[id]
			if e == nil || parts.Inputs(id, e.uses) != e.inputs {
				only[id] = true
				continue
			}
			kept[id] = e.diags
			keptRefs = append(keptRefs, e.refs...)
		}
	}
	c.mu.Unlock()
	byAPI := map[string][]compile.Reference{}
	collect := func(r compile.Reference) {
		k := strings.ToLower(r.API)
		byAPI[k] = append(byAPI[k], r)
	}
	res, part := compile.Compile(s, compile.Options{Registry: reg, Certificates: certs, References: collect, Only: only})
	report := compile.Assemble(s, part, kept)
	for _, r := range keptRefs {
		refs(r)
	}
	for i := range s.APIs {
		for _, r := range byAPI[strings.ToLower(s.APIs[i].ID)] {
			refs(r)
		}
	}
	next := make(map[string]*compiledAPI, len(parts.APIs))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shared == shared {
		for id := range kept {
			if e := c.apis[id]; e != nil {
				next[id] = e
			}
		}
	}
	for id, a := range res.APIs {
		next[id] = &compiledAPI{inputs: parts.Inputs(id, a.Uses), uses: a.Uses, diags: report.Of(id), refs: byAPI[id]}
	}
	c.shared, c.apis = shared, next
	return report
}
