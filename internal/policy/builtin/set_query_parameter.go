package builtin

import (
	"net/url"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// setQueryParameter implements <set-query-parameter> on the request.
type setQueryParameter struct {
	name   string
	action existsAction
	values []policy.Value
}

var _ policy.Step = (*setQueryParameter)(nil)

func compileSetQueryParameter(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "name", "exists-action")
	if s := c.Section(); s != policy.Inbound && s != policy.Backend {
		c.Errorf(n, "belongs in inbound or backend")
	}
	name, _, _ := c.Literal(n, "name", true)
	act := compileExistsAction(n, c)
	return &setQueryParameter{name: name, action: act, values: compileValues(n, c, act)}
}

func (s *setQueryParameter) Do(c *policy.Context) error {
	q := c.Request.URL.QueryValues()
	if q == nil {
		q = url.Values{}
		c.Request.URL.SetQuery(q)
	}
	return applyValues(c, q, s.name, s.action, s.values)
}
