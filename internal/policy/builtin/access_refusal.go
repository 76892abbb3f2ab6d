package builtin

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// refusal is the JSON body of an access-restriction refusal, in APIM's
// shape: {"statusCode": 401, "message": "Unauthorized"}.
type refusal struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
}

// refuse returns the refusal of a request: an error that runs on-error
// with context.LastError's Reason and Message (APIM's reason code and
// message) and, unless on-error answers otherwise, gives the client
// status code with a JSON body carrying clientMsg. headers, when not nil,
// are added to the response.
func refuse(code int, reason, message, clientMsg string, headers http.Header) error {
	body, _ := json.Marshal(refusal{StatusCode: code, Message: clientMsg}) // cannot fail: an int and a string
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range headers {
		h[k] = v
	}
	resp := &expr.Response{StatusCode: code, StatusReason: http.StatusText(code), Headers: h, Body: expr.BodyOf(body)}
	return &policy.Refusal{Reason: reason, Message: message, Response: resp}
}

// compileStatus reads attribute name of n as an HTTP status code
// (100-599), def when it is absent.
func compileStatus(n *policy.Node, c *policy.Compiler, name string, def int, required bool) int {
	s, a, ok := c.Literal(n, name, required)
	if !ok {
		return def
	}
	code, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || code < 100 || code > 599 {
		c.AttrErrorf(n, a, "%q is not an HTTP status code (100-599)", s)
		return def
	}
	return code
}

// compileBool reads attribute name of n as true or false, def when it is
// absent.
func compileBool(n *policy.Node, c *policy.Compiler, name string, def bool) bool {
	s, a, ok := c.Literal(n, name, false)
	if !ok {
		return def
	}
	switch s {
	case "true", "True":
		return true
	case "false", "False":
		return false
	}
	c.AttrErrorf(n, a, "%q: want true or false", s)
	return def
}

// requireInbound reports n when it is compiled outside the inbound
// section, where access restrictions belong.
func requireInbound(n *policy.Node, c *policy.Compiler) {
	if c.Section() != policy.Inbound {
		c.Errorf(n, "belongs in the inbound section")
	}
}

// literalText returns the text of n (named values resolved), which must
// not be an expression and n must have no child elements.
func literalText(n *policy.Node, c *policy.Compiler) (string, bool) {
	if len(n.Children) > 0 {
		c.Errorf(n, "<%s> holds text only", n.Name)
		return "", false
	}
	if opaqueAttr(n, "") {
		// A named value not known here (policy check, or a secret whose
		// value is not given): its text as written stands in, which
		// matches no real value, so an element compiled with it refuses
		// rather than lets through.
		return strings.TrimSpace(n.Text), true
	}
	lit, ok := c.Text(n).Literal()
	if !ok {
		c.Errorf(n, "an expression is not allowed here")
	}
	return lit, ok
}
