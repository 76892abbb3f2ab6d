package policy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gatehouse/gatehouse/internal/cache"
	"github.com/gatehouse/gatehouse/internal/expr"
)

// Step is one compiled policy element. Steps are immutable after
// compilation and safe for concurrent use; per-request state lives in c.
type Step interface {
	Do(c *Context) error
}

// Context is the per-request state policies work on: the expressions'
// `context` object plus what the gateway needs to forward the request.
type Context struct {
	expr.Context
	// Ctx is the request's context, cancelled when the client goes away;
	// elements that call out (send-request) use it. Nil: none.
	Ctx context.Context
	// Backend is the base URL the request goes to: the API's service URL
	// unless set-backend-service changed it.
	Backend *url.URL
	// BackendID is the lower-case id of the backend entity that
	// set-backend-service chose: its credentials and TLS settings apply
	// when the request is forwarded. Empty: Backend is a plain URL.
	BackendID string
	// ClientCertificate, set by authentication-certificate, is presented
	// to the backend instead of the backend entity's own. Nil: none.
	ClientCertificate *Certificate
	// Proxy, set by the proxy element, is the HTTP forward proxy the
	// request goes to the backend through: http://host:port, with the
	// proxy's credentials as its User. It must not be modified. Nil: the
	// backend entity's proxy, if any, else none.
	Proxy *url.URL
	// Path is the path sent below Backend: the request path after the
	// API's suffix, or what rewrite-uri made of it. It starts with '/' or
	// is empty.
	Path string
	// Forwarder sends the request to the backend for forward-request; the
	// gateway sets it. Nil: forward-request fails.
	Forwarder Forwarder
	// CacheMiss is set by cache-lookup on a miss: where cache-store keeps
	// the response. Nil: nothing to store.
	CacheMiss *CacheMiss
	// ResponseHeaders are set on whatever response the gateway writes
	// for this request, after outbound (cors records its headers here in
	// inbound): each replaces the response's header of that name, except
	// Vary, whose values are added. Nil: none.
	ResponseHeaders http.Header
	ended           bool
	after           []func(c *Context, sent int64)
	backendDone     []func(c *Context) // see hooks.go
	bodyWatchers    []func(p []byte)
	// spareValues lends NewValues its first slices; usedValues of them
	// are lent.
	spareValues [8]string
	usedValues  int
}

// NewValues returns n empty strings, with capacity n (an append copies
// them), for the values a policy sets: a header field's, a query
// parameter's. The first ones come from an array made with c, each lent
// once, instead of an allocation each.
func (c *Context) NewValues(n int) []string {
	if n > len(c.spareValues)-c.usedValues {
		return make([]string, n)
	}
	i := c.usedValues
	c.usedValues += n
	return c.spareValues[i : i+n : i+n]
}

// CacheMiss tells cache-store where to keep the response of a request
// cache-lookup did not find.
type CacheMiss struct {
	Key   string
	Store cache.Store
	// Downstream holds the Cache-Control directives cache-lookup's
	// downstream-caching-type and must-revalidate give the response
	// ("private, must-revalidate"); cache-store adds max-age. Empty: the
	// response's own Cache-Control is left alone.
	Downstream string
}

// Forwarder sends a request to its backend: the method, URL (Backend,
// Path and the query), headers and body of c.Request. On success it sets
// c.Response to the backend's response, whose body is read only when a
// policy asks for it. Forwarding again (retry) replaces the response.
type Forwarder interface {
	Forward(c *Context, f Forward) error
}

// Forward holds forward-request's settings.
type Forward struct {
	Timeout           time.Duration // for the response headers; 0: the gateway's default
	FollowRedirects   bool
	BufferRequestBody bool // keep the request body, to send it again
	// StreamResponse, set by buffer-response="false", passes every piece
	// of the response body on to the client as soon as it arrives. False:
	// server-sent events and bodies of unknown length are still passed on
	// as they come; other bodies are written in large pieces.
	StreamResponse bool
}

// End makes the pipeline stop: the response in c.Response goes to the
// client as it is (return-response, mock-response).
func (c *Context) End() { c.ended = true }

// Ended reports whether a policy ended the pipeline.
func (c *Context) Ended() bool { return c.ended }

// AfterResponse makes fn run once the response has gone to the client,
// with context.Response describing it and sent the size of its body in
// bytes: limits whose increment-condition looks at the response, and
// bandwidth quotas, count then.
func (c *Context) AfterResponse(fn func(c *Context, sent int64)) {
	c.after = append(c.after, fn)
}

// HasAfterResponse reports whether something waits for the response.
func (c *Context) HasAfterResponse() bool { return len(c.after) > 0 }

// Finish runs what AfterResponse registered; the gateway calls it once,
// after writing the response.
func (c *Context) Finish(sent int64) {
	after := c.after
	c.after = nil
	for _, fn := range after {
		fn(c, sent)
	}
}

// Variable returns a context variable.
func (c *Context) Variable(name string) (any, bool) {
	v, ok := c.Variables[name]
	return v, ok
}

// SetVariable sets a context variable.
func (c *Context) SetVariable(name string, v any) {
	if c.Variables == nil {
		c.Variables = map[string]any{}
	}
	c.Variables[name] = v
}

// Pipeline is a compiled effective policy: the steps of each section. It
// is immutable and safe for concurrent use.
type Pipeline struct {
	sections     [numSections][]Step
	perOperation bool
}

// PerOperation reports whether an element of p depends on the operation
// it was compiled for (its description or examples): otherwise p serves
// every operation whose effective policy is the same document.
func (p *Pipeline) PerOperation() bool { return p.perOperation }

// Steps returns the steps of section s; Walk looks inside them.
func (p *Pipeline) Steps(s Section) []Step { return p.sections[s] }

// Find returns the first step of section s (not inside another element)
// that compiles element name, or nil. A nil Pipeline has none.
func (p *Pipeline) Find(s Section, name string) Step {
	if p == nil {
		return nil
	}
	for _, st := range p.sections[s] {
		if ns, ok := st.(*namedStep); ok && ns.name == name {
			return ns
		}
	}
	return nil
}

// Empty reports whether s has no steps.
func (p *Pipeline) Empty(s Section) bool { return len(p.sections[s]) == 0 }

// Forwards reports whether the pipeline is exactly "forward the request":
// nothing in inbound, outbound and on-error, and a backend section of one
// plain forward-request. The gateway takes its fast path then.
func (p *Pipeline) Forwards() bool {
	if len(p.sections[Inbound])+len(p.sections[Outbound])+len(p.sections[OnError]) != 0 || len(p.sections[Backend]) != 1 {
		return false
	}
	ns, ok := p.sections[Backend][0].(*namedStep)
	if !ok || ns.name != "forward-request" {
		return false
	}
	plain, ok := ns.step.(interface{ Plain() bool })
	return ok && plain.Plain()
}

// Run runs section s until a step ends the pipeline or fails.
func (p *Pipeline) Run(s Section, c *Context) error {
	return RunSteps(p.sections[s], c)
}

// RunSteps runs steps in order until one ends the pipeline or fails.
func RunSteps(steps []Step, c *Context) error {
	for _, st := range steps {
		if c.ended {
			return nil
		}
		if err := st.Do(c); err != nil {
			return err
		}
	}
	return nil
}

// HandleError fills context.LastError from err, which section s returned,
// and runs on-error. It returns the error of on-error itself, if any.
func (p *Pipeline) HandleError(s Section, c *Context, err error) error {
	le := &expr.LastError{Section: s.String(), Message: err.Error(), Reason: "PolicyError"}
	var se *StepError
	if errors.As(err, &se) {
		le.Source, le.Message = se.Source, se.Err.Error()
		if se.Reason != "" {
			le.Reason = se.Reason
		}
	}
	c.LastError = le
	c.ended = false
	return RunSteps(p.sections[OnError], c)
}

// StepError is a failure of one element.
type StepError struct {
	Source  string // the element
	Section Section
	Reason  string // APIM's reason code, when the element sets one
	Err     error
}

func (e *StepError) Error() string { return fmt.Sprintf("%s in %s: %v", e.Source, e.Section, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }

// namedStep attributes a step's errors to its element.
type namedStep struct {
	name    string
	section Section
	step    Step
}

func (ns *namedStep) Do(c *Context) error {
	err := ns.step.Do(c)
	if err == nil {
		return nil
	}
	var se *StepError
	if errors.As(err, &se) {
		return err
	}
	se = &StepError{Source: ns.name, Section: ns.section, Err: err}
	var r *Refusal
	if errors.As(err, &r) {
		se.Reason = r.Reason
	}
	return se
}

// Container is a step that holds other steps (choose, retry, wait).
type Container interface {
	Steps() []Step
}

// Walk calls fn for st and for every step inside it.
func Walk(st Step, fn func(Step)) {
	if ns, ok := st.(*namedStep); ok {
		st = ns.step
	}
	fn(st)
	if c, ok := st.(Container); ok {
		for _, ch := range c.Steps() {
			Walk(ch, fn)
		}
	}
}
