package builtin

import (
	"bytes"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// findAndReplace implements <find-and-replace from="..." to="..."/>: it
// replaces every occurrence in the request body (inbound, backend) or the
// response body (outbound, on-error).
type findAndReplace struct {
	from, to policy.Value
	response bool
}

var _ policy.Step = (*findAndReplace)(nil)

func compileFindAndReplace(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "from", "to")
	from, _ := c.Attr(n, "from", true)
	to, _ := c.Attr(n, "to", true)
	return &findAndReplace{from: from, to: to, response: c.Section() == policy.Outbound || c.Section() == policy.OnError}
}

func (f *findAndReplace) Do(c *policy.Context) error {
	from, err := f.from.String(c)
	if err != nil || from == "" {
		return err
	}
	to, err := f.to.String(c)
	if err != nil {
		return err
	}
	body := c.Request.Body
	if f.response {
		body = responseOf(c).Body
	}
	if body == nil {
		return nil
	}
	data, err := body.Bytes()
	if err != nil {
		return err
	}
	body.Set(bytes.ReplaceAll(data, []byte(from), []byte(to)))
	return nil
}
