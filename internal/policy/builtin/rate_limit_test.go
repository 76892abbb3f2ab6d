package builtin

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestRateLimit(t *testing.T) {
	refused := `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 58 seconds."}`
	otherOp := func(c *policy.Context) { c.Operation = &expr.Operation{ID: "list", Name: "list"} }
	tests := []struct {
		name, doc string
		calls     []call
	}{
		{"per subscription", inbound(`<rate-limit calls="2" renewal-period="60" />`), []call{
			{}, {after: time.Second}, {after: time.Second, want: 429, wantBody: refused},
			{prep: sub("sub2")},
			{after: 58 * time.Second}, {want: 429},
		}},
		{"requests without a subscription share a counter", inbound(`<rate-limit calls="1" renewal-period="60" />`), []call{
			{prep: func(c *policy.Context) { c.Subscription = nil }},
			{prep: func(c *policy.Context) { c.Subscription = nil }, want: 429},
			{},
		}},
		{"api and operation limits", inbound(`<rate-limit calls="10" renewal-period="60"><api name="orders" calls="3" renewal-period="60"><operation name="get-order" calls="1" renewal-period="60" /></api><api id="other" calls="1" renewal-period="60" /></rate-limit>`), []call{
			{}, {want: 429},
			{prep: otherOp}, {prep: otherOp}, {prep: otherOp, want: 429},
		}},
		{"a refusal does not count", inbound(`<rate-limit calls="3" renewal-period="60"><api name="orders" calls="1" renewal-period="10" /></rate-limit>`), []call{
			{}, {want: 429}, {want: 429}, {after: 10 * time.Second}, {after: 10 * time.Second}, {want: 429},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runCalls(t, tt.doc, tt.calls)
		})
	}
}

func TestRateLimitHeadersAndVariables(t *testing.T) {
	doc := inbound(`<rate-limit calls="1" renewal-period="30" retry-after-header-name="X-Retry" retry-after-variable-name="retry" remaining-calls-header-name="X-Remaining" remaining-calls-variable-name="remaining" total-calls-header-name="X-Total" />`)
	cs := runCalls(t, doc, []call{{}, {after: 10 * time.Second, want: 429}})
	if v := cs[0].Variables["remaining"]; v != 0 {
		t.Errorf("remaining after the first call = %v, want 0", v)
	}
	if h := cs[0].ResponseHeaders; h.Get("X-Remaining") != "0" || h.Get("X-Total") != "1" {
		t.Errorf("headers for the admitted call's response: %v", h)
	}
	h := cs[1].Response.Headers
	if h.Get("Retry-After") != "20" || h.Get("X-Retry") != "20" || h.Get("X-Remaining") != "0" || h.Get("X-Total") != "1" || h.Get("Content-Type") != "application/json" {
		t.Errorf("429 headers %v", h)
	}
	if cs[1].Variables["retry"] != 20 {
		t.Errorf("retry variable = %v, want 20", cs[1].Variables["retry"])
	}
}
