package builtin

import "github.com/gatehouse/gatehouse/internal/policy"

// wait implements <wait for="all|any">: its elements (send-request,
// cache-lookup-value, choose) run one after the other rather than at the
// same time, which gives the same results; with for="any" only the first
// one runs, as the first to complete.
type wait struct {
	any   bool
	steps []policy.Step
}

var _ policy.Step = (*wait)(nil)

func compileWait(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "for")
	w := &wait{}
	if s, a, ok := c.Literal(n, "for", false); ok {
		switch s {
		case "all":
		case "any":
			w.any = true
		default:
			c.AttrErrorf(n, a, "%q: want all or any", s)
		}
	}
	for _, ch := range n.Children {
		switch ch.Name {
		case "send-request", "cache-lookup-value", "choose":
		default:
			c.Errorf(ch, "only <send-request>, <cache-lookup-value> and <choose> belong in <wait>")
		}
	}
	w.steps = c.Steps(n.Children)
	return w
}

func (w *wait) Do(c *policy.Context) error {
	if w.any && len(w.steps) > 0 {
		return policy.RunSteps(w.steps[:1], c)
	}
	return policy.RunSteps(w.steps, c)
}

// Steps returns the elements waited for.
func (w *wait) Steps() []policy.Step { return w.steps }
