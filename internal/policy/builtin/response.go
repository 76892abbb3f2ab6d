package builtin

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// responseOf returns c.Response, creating an empty 200 response when
// there is none yet (policies in inbound may build one).
func responseOf(c *policy.Context) *expr.Response {
	if c.Response == nil {
		c.Response = &expr.Response{StatusCode: http.StatusOK, StatusReason: "OK", Headers: http.Header{}, Body: expr.BodyOf(nil)}
	}
	if c.Response.Headers == nil {
		c.Response.Headers = http.Header{}
	}
	if c.Response.Body == nil {
		c.Response.Body = expr.BodyOf(nil)
	}
	return c.Response
}
