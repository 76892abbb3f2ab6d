package builtin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// setMethod implements <set-method>METHOD</set-method>.
type setMethod struct{ method policy.Value }

func compileSetMethod(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n)
	v := c.Text(n)
	if lit, ok := v.Literal(); ok && strings.TrimSpace(lit) == "" {
		c.Errorf(n, "the method is required, as the element's text")
	}
	return &setMethod{method: v}
}

func (s *setMethod) Do(c *policy.Context) error {
	m, err := s.method.String(c)
	if err != nil {
		return err
	}
	m = strings.ToUpper(strings.TrimSpace(m))
	if m == "" || strings.ContainsAny(m, " \t") {
		return fmt.Errorf("%q is not an HTTP method", m)
	}
	c.Request.Method = m
	return nil
}

// setStatus implements <set-status code="..." reason="..."/>.
type setStatus struct {
	code   policy.Value
	reason policy.Value
}

func compileSetStatus(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "code", "reason")
	code, _ := c.Attr(n, "code", true)
	if lit, ok := code.Literal(); ok && code.IsSet() {
		if v, err := strconv.Atoi(lit); err != nil || v < 100 || v > 599 {
			a, _ := n.Attr("code")
			c.AttrErrorf(n, a, "%q is not an HTTP status code (100-599)", lit)
		}
	}
	reason, _ := c.Attr(n, "reason", false)
	return &setStatus{code: code, reason: reason}
}

func (s *setStatus) Do(c *policy.Context) error {
	raw, err := s.code.String(c)
	if err != nil {
		return err
	}
	code, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || code < 100 || code > 599 {
		return fmt.Errorf("%q is not an HTTP status code", raw)
	}
	resp := responseOf(c)
	resp.StatusCode = code
	resp.StatusReason = http.StatusText(code)
	if s.reason.IsSet() {
		if resp.StatusReason, err = s.reason.String(c); err != nil {
			return err
		}
	}
	return nil
}

// setVariable implements <set-variable name="..." value="..."/>. An
// expression's result keeps its type; a literal is a string.
type setVariable struct {
	name  string
	value policy.Value
	lit   any // a literal value, made an interface value once; nil: evaluate value
}

func compileSetVariable(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "name", "value")
	name, _, _ := c.Literal(n, "name", true)
	v, _ := c.Attr(n, "value", true)
	s := &setVariable{name: name, value: v}
	if lit, ok := v.Literal(); ok {
		s.lit = lit
	}
	return s
}

func (s *setVariable) Do(c *policy.Context) error {
	if s.lit != nil {
		c.SetVariable(s.name, s.lit)
		return nil
	}
	v, err := s.value.Any(c)
	if err != nil {
		return err
	}
	c.SetVariable(s.name, v)
	return nil
}

// trace implements <trace source="..." severity="..."><message>...</message></trace>,
// and APIM's earlier form <trace source="...">message</trace> (its
// reference then read: "<trace source="arbitrary source string">string
// to log</trace>"), which documents written for it still use.
type trace struct {
	source  string
	message policy.Value
}

func compileTrace(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "source", "severity")
	source, _, _ := c.Literal(n, "source", true)
	if sev, a, ok := c.Literal(n, "severity", false); ok && sev != "verbose" && sev != "information" && sev != "error" {
		c.AttrErrorf(n, a, "%q: want verbose, information or error", sev)
	}
	t := &trace{source: source}
	for _, ch := range n.Children {
		switch ch.Name {
		case "message":
			t.message = c.Text(ch)
		case "metadata":
		default:
			c.Errorf(ch, "only <message> and <metadata> belong in <trace>")
		}
	}
	if !t.message.IsSet() && len(n.Children) == 0 && strings.TrimSpace(n.Text) != "" {
		t.message = c.Text(n) // the earlier form: the text is the message
	}
	if !t.message.IsSet() {
		c.Errorf(n, "a <message> is required")
	}
	return t
}

func (t *trace) Do(c *policy.Context) error {
	msg, err := t.message.String(c)
	if err != nil {
		return err
	}
	if c.Trace != nil {
		c.Trace(t.source, msg)
	}
	return nil
}
