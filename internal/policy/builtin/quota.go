package builtin

import (
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// quota implements <quota calls="N" bandwidth="KB"
// renewal-period="seconds">: per subscription, at most N calls and KB
// kilobytes in each renewal period (fixed windows from the Unix epoch),
// with optional <api name|id ...> and <operation ...> quotas. Bandwidth
// counts the request body (from Content-Length) when the request comes in
// and the response body once it has gone; a request is admitted while
// less than KB has been used. Requests without a subscription share one
// counter. A refused request gets 403.
type quota struct {
	store  limits.Store
	calls  int64 // 0: no call quota
	kb     int64 // 0: no bandwidth quota
	period time.Duration
	nested []nestedLimit
}

var _ policy.Step = (*quota)(nil)

func compileQuota(store limits.Store) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "calls", "bandwidth", "renewal-period")
		onlyInbound(n, c)
		q := &quota{store: store}
		q.calls, _ = literalInt(n, c, "calls", false, 1)
		q.kb, _ = literalInt(n, c, "bandwidth", false, 1)
		_, hasCalls := n.Attr("calls")
		_, hasKB := n.Attr("bandwidth")
		if !hasCalls && !hasKB {
			c.Errorf(n, "attribute calls or bandwidth is required")
		}
		q.period = literalPeriod(n, c)
		q.nested = compileNested(n, c, true)
		return q
	}
}

func (q *quota) Do(c *policy.Context) error {
	size := requestBytes(c)
	var cs []limits.Counter
	add := func(key func(string) string, calls, bw int64, period time.Duration) {
		if calls > 0 {
			cs = append(cs, limits.Counter{Key: key("calls"), Limit: calls, Period: period, Fixed: true, N: 1})
		}
		if bw > 0 {
			cs = append(cs, limits.Counter{Key: key("kb"), Limit: kbBytes(bw), Period: period, Fixed: true, N: size, Overdraw: true})
		}
	}
	add(func(what string) string {
		return limitKey(what, map[string]int64{"calls": q.calls, "kb": q.kb}[what], q.period)
	}, q.calls, q.kb, q.period)
	for _, l := range q.nested {
		if l.applies(c) {
			add(l.key, l.calls, l.kb, l.period)
		}
	}
	group := "quota:" + subscriptionID(c)
	ds, err := take(c, q.store, group, cs)
	if err != nil {
		return err
	}
	if !limits.Allowed(ds) {
		_, _, retry := summary(cs, ds)
		return refuseQuota(retry, refusedBandwidth(cs, ds))
	}
	countResponseBytes(c, q.store, group, cs)
	return nil
}

// refusedBandwidth reports whether a bandwidth counter refused.
func refusedBandwidth(cs []limits.Counter, ds []limits.Decision) bool {
	for i, d := range ds {
		if !d.Allowed && strings.HasPrefix(cs[i].Key, "kb:") {
			return true
		}
	}
	return false
}

// countResponseBytes adds the response body's size to the bandwidth
// counters of cs once the response has gone.
func countResponseBytes(c *policy.Context, store limits.Store, group string, cs []limits.Counter) {
	var kb []limits.Counter
	for _, ct := range cs {
		if ct.Overdraw {
			kb = append(kb, ct)
		}
	}
	if len(kb) == 0 {
		return
	}
	countAfterResponse(c, store, group, policy.Value{}, func(sent int64) []limits.Counter {
		if sent <= 0 {
			return nil
		}
		for i := range kb {
			kb[i].N = sent
		}
		return kb
	})
}

// requestBytes is the request body's size, from Content-Length or, when
// a policy has read it, the body itself. Bandwidth counters count bytes
// against a limit of 1024 bytes per kilobyte.
func requestBytes(c *policy.Context) int64 {
	if c.Request == nil {
		return 0
	}
	var size int64
	if v := c.Request.Headers.Get("Content-Length"); v != "" {
		size, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	} else if b := c.Request.Body; b != nil && b.Loaded() {
		data, _ := b.Bytes()
		size = int64(len(data))
	}
	return max(size, 0)
}

// kbBytes converts a bandwidth limit to bytes; limits past 2^43 KB (8
// PiB, beyond what a Lua number counts exactly in bytes) are capped.
func kbBytes(kb int64) int64 { return min(kb, 1<<43) * 1024 }
