package builtin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/expr/dotnet"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// action is what a validation element does with a problem it finds.
type action uint8

const (
	actIgnore  action = iota // skip the check
	actPrevent               // refuse the message
	actDetect                // record the problem and go on
)

var actionNames = [...]string{actIgnore: "ignore", actPrevent: "prevent", actDetect: "detect"}

func (a action) String() string { return actionNames[a] }

// parseAction reads an action name, case-insensitively as APIM does.
func parseAction(s string) (action, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ignore":
		return actIgnore, true
	case "prevent":
		return actPrevent, true
	case "detect":
		return actDetect, true
	}
	return 0, false
}

// actionValue is an action attribute: a literal checked when compiled,
// or an expression (where APIM allows one) evaluated per message.
type actionValue struct {
	lit  action
	expr policy.Value // set: evaluated per message
}

// compileAction compiles action attribute name of n; ok is false when it
// is absent (reported when required) or wrong (reported).
func compileAction(n *policy.Node, c *policy.Compiler, name string, required, exprOK bool) (actionValue, bool) {
	if !exprOK {
		s, a, ok := c.Literal(n, name, required)
		if !ok {
			return actionValue{}, false
		}
		act, ok := parseAction(s)
		if !ok {
			c.AttrErrorf(n, a, "%q: want ignore, prevent or detect", s)
		}
		return actionValue{lit: act}, ok
	}
	v, ok := c.Attr(n, name, required)
	if !ok {
		return actionValue{}, false
	}
	if s, lit := v.Literal(); lit {
		act, ok := parseAction(s)
		if !ok {
			a, _ := n.Attr(name)
			c.AttrErrorf(n, a, "%q: want ignore, prevent or detect", s)
		}
		return actionValue{lit: act}, ok
	}
	return actionValue{expr: v}, true
}

// get returns the action for this message.
func (av actionValue) get(c *policy.Context) (action, error) {
	if !av.expr.IsSet() {
		return av.lit, nil
	}
	s, err := av.expr.String(c)
	if err != nil {
		return 0, err
	}
	act, ok := parseAction(s)
	if !ok {
		return 0, fmt.Errorf("the action expression %s gave %q: want ignore, prevent or detect", av.expr.Source(), s)
	}
	return act, nil
}

// validationError is one problem a validation element found, in the
// shape APIM logs to the errors variable.
type validationError struct {
	Name           string `json:"Name"`
	Type           string `json:"Type"`
	ValidationRule string `json:"ValidationRule"`
	Details        string `json:"Details"`
	Action         string `json:"Action"`
}

// finding is a validationError with the action taken and what the
// client is told when the action is prevent.
type finding struct {
	validationError
	act    action
	public string // the public response; empty: APIM's internal-error text
	status int    // the answer's status; 0: 400 for a request, 502 for a response
}

// internalErrorMessage is what a client is told of a problem that is not
// its doing (a response that breaks the API's definition).
const internalErrorMessage = "The request could not be processed due to an internal error. Contact the API owner."

// validator holds what every validation element shares.
type validator struct {
	varName  string // errors-variable-name; empty: none
	response bool   // the element checks the response (outbound, on-error)
}

// compileValidator reads errors-variable-name and notes the section.
func compileValidator(n *policy.Node, c *policy.Compiler) validator {
	v := validator{response: c.Section() == policy.Outbound || c.Section() == policy.OnError}
	if s, a, ok := c.Literal(n, "errors-variable-name", false); ok {
		if v.varName = strings.TrimSpace(s); v.varName == "" {
			c.AttrErrorf(n, a, "the variable name is empty")
		}
	}
	return v
}

// finish records fs (those not ignored) in the errors variable and, when
// one is to be prevented, refuses the message with the first of those:
// 400 (or the finding's status) for a request, 502 for a response, with
// context.LastError's Reason "Bad request" or "Response not allowed" and
// Message the finding's details, as APIM documents.
func (v validator) finish(c *policy.Context, fs []finding) error {
	var logged []validationError
	var stop *finding
	for i := range fs {
		f := &fs[i]
		if f.act == actIgnore {
			continue
		}
		f.Action = f.act.String()
		logged = append(logged, f.validationError)
		if f.act == actPrevent && stop == nil {
			stop = f
		}
	}
	if len(logged) > 0 && v.varName != "" {
		if err := v.record(c, logged); err != nil {
			return err
		}
	}
	if stop == nil {
		return nil
	}
	if v.response {
		return refuse(http.StatusBadGateway, "Response not allowed", stop.Details, internalErrorMessage, nil)
	}
	code, public := http.StatusBadRequest, stop.public
	if stop.status != 0 {
		code = stop.status
	}
	if public == "" {
		public = internalErrorMessage
	}
	return refuse(code, "Bad request", stop.Details, public, nil)
}

// record adds errs to the errors variable: a JArray of objects with
// Name, Type, ValidationRule, Details and Action, which expressions read
// as JSON. Validation elements that name the same variable add to it.
func (v validator) record(c *policy.Context, errs []validationError) error {
	if old, ok := c.Variable(v.varName); ok {
		if arr, ok := old.(*dotnet.JArray); ok {
			var prev []validationError
			if json.Unmarshal([]byte(arr.String()), &prev) == nil {
				errs = append(prev, errs...)
			}
		}
	}
	data, err := json.Marshal(errs)
	if err != nil {
		return fmt.Errorf("errors variable %s: %w", v.varName, err)
	}
	tok, err := dotnet.ParseJSON(data)
	if err != nil {
		return fmt.Errorf("errors variable %s: %w", v.varName, err)
	}
	c.SetVariable(v.varName, tok)
	return nil
}

// message returns the message the validator checks: the request's or,
// for a response, c's response (made empty when there is none).
func (v validator) message(c *policy.Context) (headers http.Header, body *expr.Body) {
	if v.response {
		r := responseOf(c)
		return r.Headers, r.Body
	}
	if c.Request.Headers == nil {
		c.Request.Headers = http.Header{}
	}
	return c.Request.Headers, c.Request.Body
}
