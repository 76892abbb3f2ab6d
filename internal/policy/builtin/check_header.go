package builtin

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// checkHeader implements <check-header name="..." failed-check-httpcode="401"
// failed-check-error-message="..." ignore-case="true|false"> with
// optional <value> children: the request must carry the header and, when
// values are listed, one of its values must equal one of them. Otherwise
// the pipeline ends with failed-check-httpcode and a JSON refusal.
type checkHeader struct {
	name       string
	code       int
	message    policy.Value
	ignoreCase bool
	values     []string
}

var _ policy.Step = (*checkHeader)(nil)

func compileCheckHeader(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "name", "failed-check-httpcode", "failed-check-error-message", "ignore-case")
	requireInbound(n, c)
	ch := &checkHeader{}
	name, _, _ := c.Literal(n, "name", true)
	ch.name = http.CanonicalHeaderKey(strings.TrimSpace(name))
	ch.code = compileStatus(n, c, "failed-check-httpcode", http.StatusUnauthorized, true)
	ch.message, _ = c.Attr(n, "failed-check-error-message", true)
	ch.ignoreCase = compileBool(n, c, "ignore-case", false)
	for _, v := range n.Children {
		if v.Name != "value" {
			c.Errorf(v, "only <value> elements belong in <check-header>")
			continue
		}
		if lit, ok := literalText(v, c); ok {
			ch.values = append(ch.values, lit)
		}
	}
	return ch
}

func (ch *checkHeader) Do(c *policy.Context) error {
	got, present := c.Request.Headers[ch.name]
	if present && ch.matches(got) {
		return nil
	}
	msg, err := ch.message.String(c)
	if err != nil {
		return err
	}
	reason, why := "HeaderNotFound", "Header "+ch.name+" was not found in the request. Access denied."
	if present {
		reason, why = "HeaderValueNotAllowed", "Header "+ch.name+" value of "+strings.Join(got, ",")+" is not allowed. Access denied."
	}
	return refuse(ch.code, reason, why, msg, nil)
}

// matches reports whether one of the header's values is allowed.
func (ch *checkHeader) matches(got []string) bool {
	if len(ch.values) == 0 {
		return true
	}
	for _, g := range got {
		for _, want := range ch.values {
			if g == want || (ch.ignoreCase && strings.EqualFold(g, want)) {
				return true
			}
		}
	}
	return false
}
