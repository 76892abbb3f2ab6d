package builtin

import (
	"strconv"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// body gives the request a Content-Length of n bytes.
func body(n int) func(c *policy.Context) {
	return func(c *policy.Context) {
		c.Request.Headers.Set("Content-Length", itoa(n))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestQuota(t *testing.T) {
	refused := `{"statusCode":403,"message":"Out of call volume quota. Quota will be replenished in 00:59:00."}`
	otherAPI := func(c *policy.Context) { c.API = &expr.API{ID: "billing", Name: "billing"} }
	tests := []struct {
		name, doc string
		calls     []call
	}{
		// The clock starts on a whole hour, so hourly windows start there.
		{"calls per fixed window", inbound(`<quota calls="2" renewal-period="3600" />`), []call{
			{}, {after: time.Minute}, {want: 403, wantBody: refused}, {prep: sub("sub2")},
			{after: 59 * time.Minute}, {},
		}},
		{"bandwidth in kilobytes", inbound(`<quota bandwidth="2" renewal-period="3600" />`), []call{
			{prep: body(1500)}, {prep: body(10)}, {prep: body(600)}, {prep: body(10), want: 403},
		}},
		{"a large body may overdraw once", inbound(`<quota bandwidth="2" renewal-period="60" />`), []call{
			{prep: body(100000)}, {want: 403}, {after: time.Minute},
		}},
		{"calls and bandwidth", inbound(`<quota calls="10" bandwidth="1" renewal-period="60" />`), []call{
			{prep: body(1024)}, {want: 403},
		}},
		{"api and operation quotas", inbound(`<quota calls="100" renewal-period="3600"><api name="orders" calls="2" renewal-period="3600"><operation id="get-order" calls="1" renewal-period="60" /></api></quota>`), []call{
			{}, {want: 403}, {after: time.Minute}, {want: 403}, {prep: otherAPI},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runCalls(t, tt.doc, tt.calls)
		})
	}
}
