package policy

// This file holds the hooks that elements running in inbound use to see
// the backend's response: the llm-* token policies count the tokens it
// reports.

// AfterBackend makes fn run once the backend section has ended with a
// response and before outbound runs, with context.Response the
// backend's: what fn sets (variables, ResponseHeaders) outbound and the
// client see. It does not run when the pipeline ended or failed before.
func (c *Context) AfterBackend(fn func(c *Context)) {
	c.backendDone = append(c.backendDone, fn)
}

// BackendDone runs what AfterBackend registered; the gateway calls it
// once, after the backend section.
func (c *Context) BackendDone() {
	fns := c.backendDone
	c.backendDone = nil
	for _, fn := range fns {
		fn(c)
	}
}

// WatchResponseBody makes fn see, in order, every piece of the backend's
// response body as it is written to the client, without buffering it:
// a server-sent event stream keeps flowing as it comes. fn must not keep
// p. A response that a policy made, or whose body a policy replaced, is
// not watched.
func (c *Context) WatchResponseBody(fn func(p []byte)) {
	c.bodyWatchers = append(c.bodyWatchers, fn)
}

// ResponseBodyWatchers returns what WatchResponseBody registered; the
// gateway feeds them the body it writes.
func (c *Context) ResponseBodyWatchers() []func(p []byte) { return c.bodyWatchers }
