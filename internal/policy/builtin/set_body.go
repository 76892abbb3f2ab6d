package builtin

import (
	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// setBody implements <set-body>: the request body in inbound and backend,
// the response body in outbound and on-error. The text is a literal or an
// expression; an expression's result is converted as C#'s ToString (a
// JObject becomes its JSON).
type setBody struct {
	body     policy.Value
	response bool
}

var _ policy.Step = (*setBody)(nil)

func compileSetBody(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "template", "xsi-nil", "parse-date")
	if t, a, ok := c.Literal(n, "template", false); ok && t != "none" {
		c.AttrErrorf(n, a, "template %q is not supported yet; use an expression", t)
	}
	return &setBody{body: c.Text(n), response: c.Section() == policy.Outbound || c.Section() == policy.OnError}
}

func (s *setBody) Do(c *policy.Context) error {
	v, err := s.body.Any(c)
	if err != nil {
		return err
	}
	var data []byte
	switch b := v.(type) {
	case []byte:
		data = b
	case string:
		data = []byte(b)
	default:
		data = []byte(expr.ToString(b))
	}
	if s.response {
		responseOf(c).Body.Set(data)
		return nil
	}
	if c.Request.Body == nil {
		c.Request.Body = expr.BodyOf(data)
	} else {
		c.Request.Body.Set(data)
	}
	return nil
}
