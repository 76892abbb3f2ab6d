package builtin

import "github.com/gatehouse/gatehouse/internal/policy"

// unsupportedElements are APIM policy elements that Gatehouse knows but
// does not run yet: a policy using one is refused when saved, with a
// message that says so, rather than as an unknown element.
var unsupportedElements = []string{"llm-content-safety"}

// registerUnsupported adds unsupportedElements to r.
func registerUnsupported(r *policy.Registry) {
	for _, name := range unsupportedElements {
		r.Add(name, compileUnsupported)
	}
}

// compileUnsupported refuses an element Gatehouse does not run yet.
func compileUnsupported(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Errorf(n, "not supported by Gatehouse yet")
	return nil
}
