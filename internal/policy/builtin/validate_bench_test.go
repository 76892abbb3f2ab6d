package builtin

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// BenchmarkValidateContentJSON measures validate-content on a small JSON
// body (48 bytes: an object with a string and an array of three strings) against the operation's
// compiled schema: the size read, the content type, the parse and the
// validation. Each iteration builds a fresh request context with a
// streamed body, as the gateway does, and runs the inbound section.
func BenchmarkValidateContentJSON(b *testing.B) {
	op := orderOperation()
	p, err := compileFor(b, op, inbound(`<validate-content unspecified-content-type-action="prevent" max-size="102400" size-exceeded-action="prevent" errors-variable-name="errs">`+
		`<content type="application/json" validate-as="json" action="prevent" /></validate-content>`))
	if err != nil {
		b.Fatal(err)
	}
	const body = `{"Name":"Widget","Tags":["blue","small","sale"]}`
	h := http.Header{"Content-Type": {"application/json"}, "Content-Length": {"48"}}
	b.ReportAllocs()
	for b.Loop() {
		c := &policy.Context{Context: expr.Context{
			Request: &expr.Request{Method: "POST", Headers: h, URL: &expr.URL{Scheme: "http", Host: "gw", Path: "/orders/1"},
				Body: expr.NewStreamBody(strings.NewReader(body), io.ReadAll)},
			Variables: map[string]any{},
		}}
		if err := p.Run(policy.Inbound, c); err != nil {
			b.Fatal(err)
		}
		if c.Ended() {
			b.Fatal("refused")
		}
	}
}
