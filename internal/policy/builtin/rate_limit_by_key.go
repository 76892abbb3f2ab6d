package builtin

import (
	"fmt"

	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// rateLimitByKey implements <rate-limit-by-key calls="N"
// renewal-period="seconds" counter-key="..." increment-condition="..."
// increment-count="1">: at most N units per counter key in any sliding
// window of renewal-period seconds. calls, renewal-period and
// increment-count may be expressions. A request whose
// increment-condition is false is not counted but is still refused when
// the counter is exhausted; a condition on context.Response is evaluated,
// and the request counted, once the response has gone. A refused request
// gets 429 with Retry-After (and retry-after-header-name,
// retry-after-variable-name); remaining-calls-header-name and
// total-calls-header-name are set on every response,
// remaining-calls-variable-name after every decision.
type rateLimitByKey struct {
	store     limits.Store
	calls     intAttr
	period    periodAttr
	key       policy.Value
	condition incrementCondition
	increment intAttr
	out       outputs
	// callsKey is the counter's key, made once when calls and
	// renewal-period are literals; empty: made per request.
	callsKey string
}

var _ policy.Step = (*rateLimitByKey)(nil)

func compileRateLimitByKey(store limits.Store) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, append([]string{"calls", "renewal-period", "counter-key", "increment-condition", "increment-count"}, outputAttrs...)...)
		onlyInbound(n, c)
		for _, ch := range n.Children {
			c.Errorf(ch, "<rate-limit-by-key> has no child elements")
		}
		rl := &rateLimitByKey{store: store, out: compileOutputs(n, c)}
		rl.calls = compileIntAttr(n, c, "calls", true, 1, 0)
		rl.period = compilePeriodAttr(n, c)
		rl.key, _ = c.Attr(n, "counter-key", true)
		rl.condition = compileIncrementCondition(n, c)
		rl.increment = compileIntAttr(n, c, "increment-count", false, 0, 1)
		if !rl.calls.v.IsSet() && !rl.period.v.IsSet() {
			rl.callsKey = limitKey("calls", rl.calls.lit, rl.period.lit)
		}
		return rl
	}
}

func (rl *rateLimitByKey) Do(c *policy.Context) error {
	calls, err := rl.calls.eval(c)
	if err != nil {
		return fmt.Errorf("calls: %w", err)
	}
	period, err := rl.period.eval(c)
	if err != nil {
		return fmt.Errorf("renewal-period: %w", err)
	}
	key, err := rl.key.String(c)
	if err != nil {
		return fmt.Errorf("counter-key: %w", err)
	}
	n, err := rl.increment.eval(c)
	if err != nil {
		return fmt.Errorf("increment-count: %w", err)
	}
	ckey := rl.callsKey
	if ckey == "" {
		ckey = limitKey("calls", calls, period)
	}
	counter := limits.Counter{Key: ckey, Limit: calls, Period: period, N: n}
	group := "rate-limit-by-key:" + key
	if rl.condition.onResponse {
		counter.N = 0 // check now, count with the response
	} else if ok, err := counts(c, rl.condition.v); err != nil {
		return err
	} else if !ok {
		counter.N = 0
	}
	cs := []limits.Counter{counter}
	ds, err := take(c, rl.store, group, cs)
	if err != nil {
		return err
	}
	remaining, limit, retry := summary(cs, ds)
	if !limits.Allowed(ds) {
		return refuseRate(c, rl.out, retry, remaining, limit)
	}
	if rl.condition.onResponse {
		countAfterResponse(c, rl.store, group, rl.condition.v, func(int64) []limits.Counter {
			return []limits.Counter{{Key: counter.Key, Limit: calls, Period: period, N: n}}
		})
	}
	rl.out.record(c, remaining, limit)
	return nil
}
