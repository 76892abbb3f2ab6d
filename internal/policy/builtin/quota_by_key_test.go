package builtin

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestQuotaByKey(t *testing.T) {
	header := func(v string) func(c *policy.Context) {
		return func(c *policy.Context) { c.Request.Headers.Set("X-Tenant", v) }
	}
	tests := []struct {
		name, doc string
		calls     []call
	}{
		{"per key", inbound(`<quota-by-key calls="1" renewal-period="86400" counter-key="@(context.Request.Headers.GetValueOrDefault(&quot;X-Tenant&quot;, &quot;none&quot;))" />`), []call{
			{prep: header("a")}, {prep: header("a"), want: 403, wantBody: `{"statusCode":403,"message":"Out of call volume quota. Quota will be replenished in 1.00:00:00."}`},
			{prep: header("b")},
		}},
		// The clock starts at 2030-01-01T00:00:00Z: with periods starting
		// at 06:00, the first window ends at 06:00.
		{"first-period-start aligns windows", inbound(`<quota-by-key calls="1" renewal-period="86400" counter-key="k" first-period-start="2020-01-01T06:00:00Z" />`), []call{
			{}, {after: 5 * time.Hour, want: 403, wantBody: `{"statusCode":403,"message":"Out of call volume quota. Quota will be replenished in 01:00:00."}`},
			{after: time.Hour},
		}},
		{"increment-condition false is not counted", inbound(`<quota-by-key calls="1" renewal-period="60" counter-key="k" increment-condition="@(context.Request.Method != &quot;HEAD&quot;)" />`), []call{
			{prep: func(c *policy.Context) { c.Request.Method = "HEAD" }}, {}, {want: 403},
			{prep: func(c *policy.Context) { c.Request.Method = "HEAD" }, want: 403},
		}},
		{"increment-count", inbound(`<quota-by-key calls="5" renewal-period="60" counter-key="k" increment-count="2" />`), []call{
			{}, {}, {want: 403}, {after: time.Minute},
		}},
		{"increment-count expression", inbound(`<quota-by-key calls="3" renewal-period="60" counter-key="k" increment-count="@(context.Request.Method == &quot;POST&quot; ? 3 : 1)" />`), []call{
			{prep: func(c *policy.Context) { c.Request.Method = "GET" }},
			{prep: func(c *policy.Context) { c.Request.Method = "POST" }, want: 403},
			{prep: func(c *policy.Context) { c.Request.Method = "GET" }},
		}},
		{"bandwidth", inbound(`<quota-by-key bandwidth="1" renewal-period="60" counter-key="k" />`), []call{
			{prep: body(1024)}, {prep: body(1), want: 403},
		}},
		{"expressions", inbound(`<quota-by-key calls="@(1)" bandwidth="@(100)" renewal-period="@(60)" counter-key="k" />`), []call{
			{}, {want: 403}, {after: time.Minute},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runCalls(t, tt.doc, tt.calls)
		})
	}
}
