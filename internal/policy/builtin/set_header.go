package builtin

import (
	"fmt"
	"net/http"

	"golang.org/x/net/http/httpguts"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// existsAction is what set-header and set-query-parameter do when the
// name is already present.
type existsAction int

const (
	actionOverride existsAction = iota
	actionSkip
	actionAppend
	actionDelete
)

var existsActions = map[string]existsAction{"override": actionOverride, "skip": actionSkip, "append": actionAppend, "delete": actionDelete}

// compileExistsAction reads exists-action (default override).
func compileExistsAction(n *policy.Node, c *policy.Compiler) existsAction {
	s, a, ok := c.Literal(n, "exists-action", false)
	if !ok {
		return actionOverride
	}
	act, known := existsActions[s]
	if !known {
		c.AttrErrorf(n, a, "%q: want override, skip, append or delete", s)
	}
	return act
}

// compileValues compiles the <value> children of n.
func compileValues(n *policy.Node, c *policy.Compiler, act existsAction) []policy.Value {
	var vals []policy.Value
	for _, ch := range n.Children {
		if ch.Name != "value" {
			c.Errorf(ch, "only <value> elements belong in <%s>", n.Name)
			continue
		}
		vals = append(vals, c.Text(ch))
	}
	if len(vals) == 0 && act != actionDelete {
		c.Errorf(n, "at least one <value> is required unless exists-action=\"delete\"")
	}
	return vals
}

// setHeader implements <set-header>: on the request in inbound and
// backend, on the response in outbound and on-error. name may be an
// expression (APIM's reference: "Specifies name of the header to be set.
// Policy expressions are allowed."); a name it gives that is not a valid
// header field name fails the request.
type setHeader struct {
	name     string
	nameExpr policy.Value // set: name is computed per request
	action   existsAction
	values   []policy.Value
	response bool
}

var _ policy.Step = (*setHeader)(nil)

func compileSetHeader(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "name", "exists-action")
	act := compileExistsAction(n, c)
	s := &setHeader{action: act, values: compileValues(n, c, act),
		response: c.Section() == policy.Outbound || c.Section() == policy.OnError}
	v, _ := c.Attr(n, "name", true)
	if name, ok := v.Literal(); ok {
		s.name = http.CanonicalHeaderKey(name)
	} else {
		s.nameExpr = v
	}
	return s
}

func (s *setHeader) Do(c *policy.Context) error {
	h := c.Request.Headers
	if s.response {
		h = responseOf(c).Headers
	}
	name := s.name
	if s.nameExpr.IsSet() {
		n, err := s.nameExpr.String(c)
		if err != nil {
			return fmt.Errorf("name: %w", err)
		}
		if !httpguts.ValidHeaderFieldName(n) {
			return fmt.Errorf("name: %q is not a valid header name", n)
		}
		name = http.CanonicalHeaderKey(n)
	}
	return applyValues(c, h, name, s.action, s.values)
}

// applyValues sets name in m (headers or query parameters) as the
// exists-action says.
func applyValues(c *policy.Context, m map[string][]string, name string, act existsAction, values []policy.Value) error {
	_, exists := m[name]
	switch {
	case act == actionDelete:
		delete(m, name)
		return nil
	case act == actionSkip && exists:
		return nil
	}
	vals := c.NewValues(len(values))
	for i, v := range values {
		str, err := v.String(c)
		if err != nil {
			return err
		}
		vals[i] = str
	}
	if act == actionAppend {
		m[name] = append(m[name], vals...)
	} else {
		m[name] = vals
	}
	return nil
}
