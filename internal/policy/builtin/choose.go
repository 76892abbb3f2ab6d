package builtin

import "github.com/gatehouse/gatehouse/internal/policy"

// choose implements <choose><when condition="...">...</when>...
// <otherwise>...</otherwise></choose>: the first when whose condition
// holds runs its elements, else otherwise.
type choose struct {
	whens     []when
	otherwise []policy.Step
}

type when struct {
	cond  policy.Value
	steps []policy.Step
}

var _ policy.Step = (*choose)(nil)

func compileChoose(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n)
	ch := &choose{}
	for i, child := range n.Children {
		switch child.Name {
		case "when":
			c.Only(child, "condition")
			cond, _ := c.Condition(child, "condition", true)
			ch.whens = append(ch.whens, when{cond: cond, steps: c.Steps(child.Children)})
		case "otherwise":
			c.Only(child)
			if i != len(n.Children)-1 {
				c.Errorf(child, "<otherwise> must be the last element of <choose>")
			}
			ch.otherwise = c.Steps(child.Children)
		default:
			c.Errorf(child, "only <when> and <otherwise> belong in <choose>")
		}
	}
	if len(ch.whens) == 0 {
		c.Errorf(n, "at least one <when> is required")
	}
	return ch
}

func (ch *choose) Do(c *policy.Context) error {
	for _, w := range ch.whens {
		ok, err := w.cond.Bool(c)
		if err != nil {
			return err
		}
		if ok {
			return policy.RunSteps(w.steps, c)
		}
	}
	return policy.RunSteps(ch.otherwise, c)
}

// Steps returns the elements of every branch.
func (ch *choose) Steps() []policy.Step {
	var all []policy.Step
	for _, w := range ch.whens {
		all = append(all, w.steps...)
	}
	return append(all, ch.otherwise...)
}
