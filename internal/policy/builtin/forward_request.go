package builtin

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// forwardRequest implements <forward-request timeout="seconds"
// follow-redirects="false" buffer-request-body="false"
// buffer-response="true"/>: it sends the request to the backend through
// the gateway's Forwarder; the response is context.Response from then on.
// timeout bounds the wait for the response headers. Inside <retry> the
// request body is kept, so that it can be sent again. buffer-response="false"
// passes every piece of the response on as soon as it arrives (for
// backends that stream, such as server-sent events, which are passed on
// as they come in any case).
//
// fail-on-error-status-code="true" makes a backend's error answer a
// failure of the element; APIM's reference: "When set to true, triggers
// on-error section for response codes in the range from 400 to 599
// inclusive." (default false). on-error then sees the backend's answer in
// context.Response, and without an on-error section that answer goes to
// the client as it is.
type forwardRequest struct {
	fwd         policy.Forward
	plain       bool
	failOnError bool
}

var _ policy.Step = (*forwardRequest)(nil)

func compileForwardRequest(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "timeout", "timeout-ms", "follow-redirects", "buffer-request-body", "buffer-response", "fail-on-error-status-code")
	if c.Section() != policy.Backend {
		c.Errorf(n, "belongs in the backend section")
	}
	f := &forwardRequest{plain: len(n.Attrs) == 0}
	// APIM's reference: timeout is "The amount of time in seconds to wait
	// for the HTTP response headers ... Minimum value is 0 seconds. Values
	// greater than 240 seconds may not be honored" (accepted, not
	// refused); timeout-ms the same in milliseconds; "You can specify
	// either timeout or timeout-ms but not both."
	if s, a, ok := c.Literal(n, "timeout", false); ok {
		secs, err := strconv.ParseInt(s, 10, 32)
		if err != nil || secs < 0 {
			c.AttrErrorf(n, a, "%q: want whole seconds, 0 or more", s)
		}
		f.fwd.Timeout = time.Duration(secs) * time.Second
	}
	if s, a, ok := c.Literal(n, "timeout-ms", false); ok {
		if _, both := n.Attr("timeout"); both {
			c.AttrErrorf(n, a, "give timeout or timeout-ms, not both")
		}
		ms, err := strconv.ParseInt(s, 10, 32)
		if err != nil || ms < 0 {
			c.AttrErrorf(n, a, "%q: want whole milliseconds, 0 or more", s)
		}
		f.fwd.Timeout = time.Duration(ms) * time.Millisecond
	}
	bufferResponse := true
	for name, dst := range map[string]*bool{"follow-redirects": &f.fwd.FollowRedirects, "buffer-request-body": &f.fwd.BufferRequestBody,
		"buffer-response": &bufferResponse, "fail-on-error-status-code": &f.failOnError} {
		if s, a, ok := c.Literal(n, name, false); ok {
			if s != "true" && s != "false" {
				c.AttrErrorf(n, a, "%q: want true or false", s)
			}
			*dst = s == "true"
		}
	}
	f.fwd.StreamResponse = !bufferResponse
	return f
}

// Plain reports whether forward-request has no attributes, so the
// gateway may take its fast path.
func (f *forwardRequest) Plain() bool { return f.plain }

func (f *forwardRequest) Do(c *policy.Context) error {
	if c.Forwarder == nil {
		return errors.New("there is no backend to forward to")
	}
	if err := c.Forwarder.Forward(c, f.fwd); err != nil {
		return err
	}
	if f.failOnError && c.Response != nil && c.Response.StatusCode >= 400 && c.Response.StatusCode <= 599 {
		return &policy.Refusal{
			Message:  fmt.Sprintf("the backend answered %d %s", c.Response.StatusCode, c.Response.StatusReason),
			Response: c.Response,
		}
	}
	return nil
}
