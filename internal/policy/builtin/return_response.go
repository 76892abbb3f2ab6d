package builtin

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// returnResponse implements <return-response response-variable-name="...">
// with optional <set-status>, <set-header> and <set-body> children: it
// ends the pipeline and answers the client at once.
type returnResponse struct {
	variable string
	steps    []policy.Step
}

var _ policy.Step = (*returnResponse)(nil)

func compileReturnResponse(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "response-variable-name")
	rr := &returnResponse{}
	rr.variable, _, _ = c.Literal(n, "response-variable-name", false)
	for _, ch := range n.Children {
		switch ch.Name {
		case "set-status", "set-header", "set-body":
		default:
			c.Errorf(ch, "only <set-status>, <set-header> and <set-body> belong in <return-response>")
		}
	}
	// The children act on the response whatever the section.
	rr.steps = c.StepsAs(policy.Outbound, n.Children)
	return rr
}

func (rr *returnResponse) Do(c *policy.Context) error {
	resp := &expr.Response{StatusCode: http.StatusOK, StatusReason: "OK", Headers: http.Header{}, Body: expr.BodyOf(nil)}
	if rr.variable != "" {
		v, ok := c.Variable(rr.variable)
		r, isResp := v.(*expr.Response)
		if !ok || !isResp {
			return fmt.Errorf("variable %q does not hold a response", rr.variable)
		}
		resp = r
	}
	c.Response = resp
	if err := policy.RunSteps(rr.steps, c); err != nil {
		return err
	}
	c.End()
	return nil
}

// mockResponse implements <mock-response status-code="200"
// content-type="application/json"/>: it ends the pipeline with a
// response of that status and, when the operation documents one, its
// example body. Without status-code it answers with the operation's first
// documented 2xx response, as APIM does.
type mockResponse struct {
	status      int
	contentType string
	body        []byte
}

func compileMockResponse(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "status-code", "content-type", "index")
	m := &mockResponse{}
	if s, a, ok := c.Literal(n, "status-code", false); ok {
		if _, err := fmt.Sscanf(s, "%d", &m.status); err != nil || m.status < 100 || m.status > 599 {
			c.AttrErrorf(n, a, "%q is not an HTTP status code", s)
		}
	}
	m.contentType, _, _ = c.Literal(n, "content-type", false)
	for _, ex := range c.Examples() {
		statusOK := ex.StatusCode == m.status || (m.status == 0 && ex.StatusCode >= 200 && ex.StatusCode < 300)
		if statusOK && (m.contentType == "" || strings.EqualFold(ex.ContentType, m.contentType)) {
			m.status, m.contentType, m.body = ex.StatusCode, ex.ContentType, []byte(ex.Body)
			break
		}
	}
	if m.status == 0 {
		m.status = http.StatusOK
	}
	return m
}

func (m *mockResponse) Do(c *policy.Context) error {
	h := http.Header{}
	if m.contentType != "" {
		h.Set("Content-Type", m.contentType)
	}
	c.Response = &expr.Response{StatusCode: m.status, StatusReason: http.StatusText(m.status), Headers: h, Body: expr.BodyOf(m.body)}
	c.End()
	return nil
}
