package builtin

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// onUsage makes fn run with the token usage of the backend's response to
// c's request. For a JSON response of known length up to maxUsageBody,
// fn runs before outbound with the usage it reports (late false; fn
// does not run when it reports none). Otherwise fn runs once the
// response has gone to the client, which it reached unbuffered (late
// true): for a server-sent event stream with the usage of its last
// chunk that reports one, else prompt (the estimate of the request's
// prompt) and an estimate of the streamed text; for a larger JSON body
// with the usage at its end, if any.
func onUsage(c *policy.Context, prompt int64, fn func(c *policy.Context, u usage, late bool)) {
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
		if n := contentLength(resp.Headers); n < 0 || n > maxUsageBody {
			// Too large, or of unknown size, to hold: follow it as it
			// passes and read the usage from its end.
			tail := &tailUsage{}
			c.WatchResponseBody(func(p []byte) { tail.Write(p) })
			c.AfterResponse(func(c *policy.Context, _ int64) {
				if u, ok := tail.usage(); ok {
					fn(c, u, true)
				}
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

// maxUsageBody is the largest JSON response whose usage is read before
// outbound runs; a larger one (embeddings of many inputs) passes
// through unbuffered and its usage is read from its end once it has gone.
const maxUsageBody = 4 << 20

// contentLength returns the Content-Length of h; -1 when unknown.
func contentLength(h http.Header) int64 {
	n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// tailKeep is how much of a body's end tailUsage keeps.
const tailKeep = 64 << 10

// tailUsage keeps the last tailKeep bytes of a JSON body as it passes,
// to read the "usage" object that OpenAI-shaped responses end with.
type tailUsage struct {
	buf []byte
}

// Write feeds the next piece of the body; it never fails.
func (t *tailUsage) Write(p []byte) (int, error) {
	if len(p) >= tailKeep {
		t.buf = append(t.buf[:0], p[len(p)-tailKeep:]...)
		return len(p), nil
	}
	if over := len(t.buf) + len(p) - tailKeep; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.buf = append(t.buf, p...)
	return len(p), nil
}

// usage reads the last "usage" object of the kept end.
func (t *tailUsage) usage() (usage, bool) {
	i := bytes.LastIndex(t.buf, []byte(`"usage"`))
	if i < 0 {
		return usage{}, false
	}
	rest := bytes.TrimLeft(t.buf[i+len(`"usage"`):], " \t\r\n")
	rest, ok := bytes.CutPrefix(rest, []byte(":"))
	if !ok {
		return usage{}, false
	}
	var w wireUsage
	if json.NewDecoder(bytes.NewReader(rest)).Decode(&w) != nil {
		return usage{}, false
	}
	return w.get()
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
