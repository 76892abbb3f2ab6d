package builtin

import (
	"github.com/gatehouse/gatehouse/internal/policy"
)

// onUsage makes fn run with the token usage of the backend's response to
// c's request: for a JSON response, the usage it reports, read before
// outbound runs (stream false; fn does not run when it reports none);
// for a server-sent event stream, which passes to the client unbuffered,
// once the stream has gone (stream true): the usage of its last chunk
// that reports one, else prompt (the estimate of the request's prompt)
// and an estimate of the streamed text.
func onUsage(c *policy.Context, prompt int64, fn func(c *policy.Context, u usage, stream bool)) {
	c.AfterBackend(func(c *policy.Context) {
		resp := c.Response
		if resp == nil || resp.Body == nil {
			return
		}
		if isEventStream(resp.Headers) {
			s := &sseUsage{}
			c.WatchResponseBody(func(p []byte) { s.Write(p) })
			c.AfterResponse(func(c *policy.Context, _ int64) {
				u, _ := s.usage(prompt)
				fn(c, u, true)
			})
			return
		}
		body, err := resp.Body.Bytes()
		if err != nil {
			return
		}
		if u, ok := responseUsage(body); ok {
			fn(c, u, false)
		}
	})
}

// requestPrompt reads c's request body (keeping it to forward) and
// estimates its prompt.
func requestPrompt(c *policy.Context) (promptInfo, error) {
	body, err := c.Request.Body.Bytes()
	if err != nil {
		return promptInfo{}, err
	}
	return estimatePrompt(body), nil
}
