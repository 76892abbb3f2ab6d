package builtin

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// quotaByKey implements <quota-by-key calls="N" bandwidth="KB"
// renewal-period="seconds" counter-key="..." increment-condition="..."
// first-period-start="2024-01-01T00:00:00Z">: per counter key, at most N
// calls and KB kilobytes in each renewal period, in fixed windows aligned
// to first-period-start (default: the Unix epoch). calls, bandwidth and
// renewal-period may be expressions. Bandwidth counts the request and
// response bodies, as quota does. A request whose increment-condition is
// false is not counted but is still refused once the quota is used up; a
// condition on context.Response is evaluated, and the request counted,
// once the response has gone. A refused
// request gets 403.
//
// increment-count (APIM: "The number by which the counter is increased
// per request. Policy expressions are allowed.", default 1) is what a
// counted request adds to the calls counter; bandwidth still counts bytes.
type quotaByKey struct {
	store     limits.Store
	calls, kb intAttr
	period    periodAttr
	key       policy.Value
	condition incrementCondition
	increment intAttr
	start     time.Time
}

var _ policy.Step = (*quotaByKey)(nil)

func compileQuotaByKey(store limits.Store) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "calls", "bandwidth", "renewal-period", "counter-key", "increment-condition", "increment-count", "first-period-start")
		onlyInbound(n, c)
		for _, ch := range n.Children {
			c.Errorf(ch, "<quota-by-key> has no child elements")
		}
		q := &quotaByKey{store: store}
		q.calls = compileIntAttr(n, c, "calls", false, 1, 0)
		q.kb = compileIntAttr(n, c, "bandwidth", false, 1, 0)
		_, hasCalls := n.Attr("calls")
		_, hasKB := n.Attr("bandwidth")
		if !hasCalls && !hasKB {
			c.Errorf(n, "attribute calls or bandwidth is required")
		}
		q.period = compilePeriodAttr(n, c)
		q.key, _ = c.Attr(n, "counter-key", true)
		q.condition = compileIncrementCondition(n, c)
		q.increment = compileIntAttr(n, c, "increment-count", false, 0, 1)
		if s, a, ok := c.Literal(n, "first-period-start", false); ok {
			t, err := parseFirstPeriodStart(s)
			if err != nil {
				c.AttrErrorf(n, a, "%v", err)
			}
			q.start = t
		}
		return q
	}
}

func (q *quotaByKey) Do(c *policy.Context) error {
	calls, err := q.calls.eval(c)
	if err != nil {
		return fmt.Errorf("calls: %w", err)
	}
	kbLimit, err := q.kb.eval(c)
	if err != nil {
		return fmt.Errorf("bandwidth: %w", err)
	}
	period, err := q.period.eval(c)
	if err != nil {
		return fmt.Errorf("renewal-period: %w", err)
	}
	key, err := q.key.String(c)
	if err != nil {
		return fmt.Errorf("counter-key: %w", err)
	}
	inc, err := q.increment.eval(c)
	if err != nil {
		return fmt.Errorf("increment-count: %w", err)
	}
	ok := !q.condition.onResponse
	if ok {
		if ok, err = counts(c, q.condition.v); err != nil {
			return err
		}
	}
	var n, size int64
	if ok {
		n, size = inc, requestBytes(c)
	}
	start := ""
	if !q.start.IsZero() {
		start = "@" + q.start.Format(time.RFC3339)
	}
	var cs []limits.Counter
	if calls > 0 {
		cs = append(cs, limits.Counter{Key: limitKey("calls", calls, period) + start, Limit: calls, Period: period, Fixed: true, Start: q.start, N: n})
	}
	if kbLimit > 0 {
		cs = append(cs, limits.Counter{Key: limitKey("kb", kbLimit, period) + start, Limit: kbBytes(kbLimit), Period: period, Fixed: true, Start: q.start, N: size, Overdraw: true})
	}
	group := "quota-by-key:" + key
	ds, err := take(c, q.store, group, cs)
	if err != nil {
		return err
	}
	if !limits.Allowed(ds) {
		_, _, retry := summary(cs, ds)
		return refuseQuota(retry, refusedBandwidth(cs, ds))
	}
	if !q.condition.onResponse {
		if ok { // not counted: neither is its response
			countResponseBytes(c, q.store, group, cs)
		}
		return nil
	}
	size = requestBytes(c)
	countAfterResponse(c, q.store, group, q.condition.v, func(sent int64) []limits.Counter {
		later := slices.Clone(cs)
		for i := range later {
			later[i].N, later[i].Overdraw = inc, true
			if strings.HasPrefix(later[i].Key, "kb:") {
				later[i].N = size + sent
			}
		}
		return later
	})
	return nil
}
