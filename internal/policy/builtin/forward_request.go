package builtin

import (
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// forwardRequest implements <forward-request timeout="seconds"
// follow-redirects="false" buffer-request-body="false"/>: the gateway
// sends the request to the backend once the backend section has run.
type forwardRequest struct {
	fwd   policy.Forward
	plain bool
}

var _ policy.Step = (*forwardRequest)(nil)

func compileForwardRequest(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "timeout", "follow-redirects", "buffer-request-body")
	if c.Section() != policy.Backend {
		c.Errorf(n, "belongs in the backend section")
	}
	f := &forwardRequest{plain: len(n.Attrs) == 0}
	if s, a, ok := c.Literal(n, "timeout", false); ok {
		secs, err := strconv.Atoi(s)
		if err != nil || secs < 0 || secs > 240 {
			c.AttrErrorf(n, a, "%q: want whole seconds from 0 to 240", s)
		}
		f.fwd.Timeout = time.Duration(secs) * time.Second
	}
	for name, dst := range map[string]*bool{"follow-redirects": &f.fwd.FollowRedirects, "buffer-request-body": &f.fwd.BufferRequestBody} {
		if s, a, ok := c.Literal(n, name, false); ok {
			if s != "true" && s != "false" {
				c.AttrErrorf(n, a, "%q: want true or false", s)
			}
			*dst = s == "true"
		}
	}
	if f.fwd.FollowRedirects {
		a, _ := n.Attr("follow-redirects")
		c.AttrErrorf(n, a, "following redirects is not supported yet: the client receives the backend's redirect")
	}
	return f
}

// Plain reports whether forward-request has no attributes, so the
// gateway may take its fast path.
func (f *forwardRequest) Plain() bool { return f.plain }

func (f *forwardRequest) Do(c *policy.Context) error {
	fwd := f.fwd
	c.Forward = &fwd
	return nil
}
