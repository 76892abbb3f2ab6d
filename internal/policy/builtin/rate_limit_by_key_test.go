package builtin

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestRateLimitByKey(t *testing.T) {
	ip := func(addr string) func(c *policy.Context) {
		return func(c *policy.Context) { c.Request.IPAddress = addr }
	}
	header := func(v string) func(c *policy.Context) {
		return func(c *policy.Context) { c.Request.Headers.Set("X-Count", v) }
	}
	tests := []struct {
		name, doc string
		calls     []call
	}{
		{"by ip address", inbound(`<rate-limit-by-key calls="2" renewal-period="10" counter-key="@(context.Request.IpAddress)" />`), []call{
			{}, {}, {want: 429, wantBody: `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 10 seconds."}`},
			{prep: ip("10.0.0.2")},
			{after: 10 * time.Second}, {}, {want: 429},
		}},
		{"sliding, not fixed, windows", inbound(`<rate-limit-by-key calls="2" renewal-period="10" counter-key="k" />`), []call{
			{after: 9 * time.Second}, {}, {after: time.Second, want: 429}, {after: 9 * time.Second},
		}},
		{"increment-condition false is not counted", inbound(`<rate-limit-by-key calls="1" renewal-period="60" counter-key="k" increment-condition="@(context.Request.Headers.GetValueOrDefault("X-Count", "yes") == "yes")" />`), []call{
			{prep: header("no")}, {prep: header("no")}, {}, {want: 429}, {prep: header("no"), want: 429},
		}},
		{"increment-count", inbound(`<rate-limit-by-key calls="5" renewal-period="60" counter-key="k" increment-count="2" />`), []call{
			{}, {}, {want: 429},
		}},
		{"expressions for calls, period and count", inbound(`<rate-limit-by-key calls="@(2 + 1)" renewal-period="@("6" + "0")" counter-key="@(context.Subscription.Id)" increment-count="@(context.Request.Headers.GetValueOrDefault("X-Count", "1"))" />`), []call{
			{prep: header("3")}, {want: 429}, {prep: sub("sub2")},
		}},
		{"different limits on one key count apart", inbound(`<rate-limit-by-key calls="1" renewal-period="1" counter-key="k" /><rate-limit-by-key calls="3" renewal-period="60" counter-key="k" />`), []call{
			{}, {after: time.Second}, {after: time.Second}, {after: time.Second, want: 429},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runCalls(t, tt.doc, tt.calls)
		})
	}
}

func TestRateLimitByKeyRemainingVariable(t *testing.T) {
	doc := inbound(`<rate-limit-by-key calls="3" renewal-period="60" counter-key="k" remaining-calls-variable-name="left" />`)
	cs := runCalls(t, doc, []call{{}, {}, {}, {want: 429}})
	for i, want := range []int{2, 1, 0, 0} {
		if got := cs[i].Variables["left"]; got != want {
			t.Errorf("call %d: left = %v, want %d", i, got, want)
		}
	}
}

func TestRateLimitByKeyBadExpression(t *testing.T) {
	do := limited(t, inbound(`<rate-limit-by-key calls="@(&quot;many&quot;)" renewal-period="60" counter-key="k" />`), newFakeClock())
	if _, err := do(nil); err == nil || !strings.Contains(err.Error(), `calls: "many": want a whole number`) {
		t.Errorf("error %v, want calls: \"many\"", err)
	}
}
