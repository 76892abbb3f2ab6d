package builtin

import (
	"time"

	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// rateLimit implements <rate-limit calls="N" renewal-period="seconds">:
// at most N calls per subscription in any sliding window of
// renewal-period seconds, with optional <api name|id calls
// renewal-period> and, inside them, <operation ...> limits that apply
// when the request is for that API or operation. Requests without a
// subscription share one counter. A refused request gets 429; the
// header and variable attributes work as in rate-limit-by-key.
type rateLimit struct {
	store  limits.Store
	calls  int64
	period time.Duration
	nested []nestedLimit
	out    outputs
	// callsKey is the counter's key, made from calls and period once.
	callsKey string
}

var _ policy.Step = (*rateLimit)(nil)

func compileRateLimit(store limits.Store) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, append([]string{"calls", "renewal-period"}, outputAttrs...)...)
		onlyInbound(n, c)
		rl := &rateLimit{store: store, out: compileOutputs(n, c)}
		rl.calls, _ = literalInt(n, c, "calls", true, 1)
		rl.period = literalPeriod(n, c)
		rl.callsKey = limitKey("calls", rl.calls, rl.period)
		rl.nested = compileNested(n, c, false)
		return rl
	}
}

func (rl *rateLimit) Do(c *policy.Context) error {
	cs := make([]limits.Counter, 1, 1+len(rl.nested))
	cs[0] = limits.Counter{Key: rl.callsKey, Limit: rl.calls, Period: rl.period, N: 1}
	for _, l := range rl.nested {
		if l.applies(c) {
			cs = append(cs, limits.Counter{Key: l.key("calls"), Limit: l.calls, Period: l.period, N: 1})
		}
	}
	ds, err := take(c, rl.store, "rate-limit:"+subscriptionID(c), cs)
	if err != nil {
		return err
	}
	remaining, limit, retry := summary(cs, ds)
	if !limits.Allowed(ds) {
		return refuseRate(c, rl.out, retry, remaining, limit)
	}
	rl.out.record(c, remaining, limit)
	return nil
}
