package builtin

import (
	"context"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// retry implements <retry condition="..." count="N" interval="s"
// [max-interval="s"] [delta="s"] [first-fast-retry="bool"]>: it runs its
// elements once, then again while the condition holds and retries are
// left, waiting between attempts: a fixed interval; with delta, a linear
// one; with delta and max-interval, an exponential one capped at
// max-interval (APIM's three algorithms).
type retry struct {
	cond                   policy.Value
	count                  int
	interval, delta, limit time.Duration
	firstFast              bool
	steps                  []policy.Step
}

var _ policy.Step = (*retry)(nil)

func compileRetry(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "condition", "count", "interval", "max-interval", "delta", "first-fast-retry")
	r := &retry{}
	r.cond, _ = c.Condition(n, "condition", true)
	seconds := func(name string, required bool, min int) (time.Duration, bool) {
		s, a, ok := c.Literal(n, name, required)
		if !ok {
			return 0, false
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < min || v > 3600 {
			c.AttrErrorf(n, a, "%q: want whole seconds from %d to 3600", s, min)
		}
		return time.Duration(v) * time.Second, true
	}
	if s, a, ok := c.Literal(n, "count", true); ok {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > 50 {
			c.AttrErrorf(n, a, "%q: want a count from 1 to 50", s)
		}
		r.count = v
	}
	r.interval, _ = seconds("interval", true, 0)
	r.delta, _ = seconds("delta", false, 0)
	if limit, ok := seconds("max-interval", false, 0); ok {
		r.limit = limit
		if r.delta == 0 {
			a, _ := n.Attr("max-interval")
			c.AttrErrorf(n, a, "max-interval needs delta (exponential retry)")
		}
	}
	if s, a, ok := c.Literal(n, "first-fast-retry", false); ok {
		if s != "true" && s != "false" {
			c.AttrErrorf(n, a, "%q: want true or false", s)
		}
		r.firstFast = s == "true"
	}
	r.steps = c.Steps(n.Children)
	for _, st := range r.steps {
		keepRequestBody(st)
	}
	return r
}

// keepRequestBody makes a forward-request among steps keep the request
// body, so that a retry can send it again.
func keepRequestBody(st policy.Step) {
	policy.Walk(st, func(s policy.Step) {
		if f, ok := s.(*forwardRequest); ok {
			f.fwd.BufferRequestBody = true
		}
	})
}

// wait returns the pause before retry number attempt (1-based).
func (r *retry) wait(attempt int) time.Duration {
	if attempt == 1 && r.firstFast {
		return 0
	}
	switch {
	case r.delta > 0 && r.limit > 0:
		d := r.interval + r.delta*time.Duration(1<<min(attempt-1, 20)-1)
		return min(d, r.limit)
	case r.delta > 0:
		return r.interval + r.delta*time.Duration(attempt-1)
	}
	return r.interval
}

func (r *retry) Do(c *policy.Context) error {
	for attempt := 0; ; attempt++ {
		if err := policy.RunSteps(r.steps, c); err != nil {
			return err
		}
		if c.Ended() || attempt == r.count {
			return nil
		}
		again, err := r.cond.Bool(c)
		if err != nil || !again {
			return err
		}
		if !pause(c.Ctx, r.wait(attempt+1)) {
			return context.Canceled
		}
	}
}

// pause waits d, or less when ctx is done; it reports whether d passed.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if ctx == nil {
		ctx = context.Background()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Steps returns the elements retried.
func (r *retry) Steps() []policy.Step { return r.steps }
