package builtin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// compileDoc parses, merges and compiles doc with reg (NewRegistry when
// nil).
func compileDoc(reg *policy.Registry, doc string) (*policy.Pipeline, error) {
	if reg == nil {
		reg = NewRegistry()
	}
	env := policy.Env{NamedValues: map[string]string{"env": "prod"}}
	d, err := policy.ParseIn(doc, env)
	if err != nil {
		return nil, err
	}
	eff, err := policy.Merge(nil, d)
	if err != nil {
		return nil, err
	}
	return reg.Compile(eff, env)
}

// newAccessContext returns a GET request context from 192.0.2.10.
func newAccessContext() *policy.Context {
	backend, _ := url.Parse("http://backend.local/base")
	return &policy.Context{
		Context: expr.Context{
			Request: &expr.Request{Method: "GET", Headers: http.Header{}, IPAddress: "192.0.2.10",
				URL:  &expr.URL{Scheme: "https", Host: "gw", Port: 443, Path: "/shop/items/42", Query: url.Values{}},
				Body: expr.BodyOf(nil)},
			Variables: map[string]any{},
		},
		Ctx: context.Background(), Backend: backend, Path: "/items/42",
	}
}

// runInbound runs p's inbound section on a fresh context that prepare
// adjusts.
func runInbound(t *testing.T, p *policy.Pipeline, prepare func(c *policy.Context)) *policy.Context {
	t.Helper()
	c := newAccessContext()
	if prepare != nil {
		prepare(c)
	}
	if err := runAnswering(p, c); err != nil {
		t.Fatalf("inbound: %v", err)
	}
	return c
}

// mustCompile compiles doc or fails the test.
func mustCompile(t *testing.T, reg *policy.Registry, doc string) *policy.Pipeline {
	t.Helper()
	p, err := compileDoc(reg, doc)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return p
}

// refusedWith reports whether c ended with status code and APIM's JSON
// refusal body carrying msg.
func refusedWith(t *testing.T, c *policy.Context, code int, msg string) {
	t.Helper()
	if !c.Ended() || c.Response == nil {
		t.Fatalf("the pipeline did not end with a refusal")
	}
	body, _ := c.Response.Body.Bytes()
	var got refusal
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("refusal body %q: %v", body, err)
	}
	if c.Response.StatusCode != code || got != (refusal{StatusCode: code, Message: msg}) || c.Response.Headers.Get("Content-Type") != "application/json" {
		t.Errorf("refusal = %d %s (%s), want %d %q", c.Response.StatusCode, body, c.Response.Headers.Get("Content-Type"), code, msg)
	}
}

// compileErrorCase is a document that must not compile, and a fragment of
// the expected diagnostic (with its position).
type compileErrorCase struct {
	name, doc, want string
}

func checkCompileErrors(t *testing.T, tests []compileErrorCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := compileDoc(nil, tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("compile %s: error %v, want %q", tt.doc, err, tt.want)
			}
		})
	}
}

// runAnswering runs p's inbound section as the gateway does without an
// on-error section: a refusal ends the pipeline with its answer, and
// context.LastError says who refused and why.
func runAnswering(p *policy.Pipeline, c *policy.Context) error {
	err := p.Run(policy.Inbound, c)
	var se *policy.StepError
	if resp := policy.RefusalResponse(err); resp != nil && errors.As(err, &se) {
		c.Response = resp
		c.LastError = &expr.LastError{Source: se.Source, Reason: se.Reason, Message: se.Err.Error(), Section: se.Section.String()}
		c.End()
		return nil
	}
	return err
}
