package builtin

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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
	dyn                    *retryExprs // the attributes written as expressions; nil: none
}

// retryExprs are retry's attributes written as expressions, evaluated
// each time the element runs; an unset Value is a literal of retry.
type retryExprs struct {
	count, interval, delta, limit, firstFast policy.Value
}

var _ policy.Step = (*retry)(nil)

// maxRetries is the largest count APIM's reference allows: "A positive
// number between 1 and 50 specifying the number of retries to attempt".
const maxRetries = 50

// APIM's retry reference says of count, interval, max-interval, delta and
// first-fast-retry alike: "Policy expressions are allowed". Intervals are
// "a positive number in seconds", with no upper bound documented.
func compileRetry(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "condition", "count", "interval", "max-interval", "delta", "first-fast-retry")
	r := &retry{}
	dyn := &retryExprs{}
	r.cond, _ = c.Condition(n, "condition", true)
	literal := func(name string, required bool) (string, policy.Attr, *policy.Value, bool) {
		v, ok := c.Attr(n, name, required)
		if !ok {
			return "", policy.Attr{}, nil, false
		}
		a, _ := n.Attr(name)
		if lit, isLit := v.Literal(); isLit {
			return lit, a, nil, true
		}
		return "", a, &v, v.IsSet()
	}
	secs := func(name string, required bool, into *time.Duration, expr *policy.Value) bool {
		lit, a, e, ok := literal(name, required)
		switch {
		case !ok:
			return false
		case e != nil:
			*expr = *e
			return true
		}
		d, err := retryInterval(lit)
		if err != nil {
			c.AttrErrorf(n, a, "%v", err)
		}
		*into = d
		return true
	}
	if lit, a, e, ok := literal("count", true); ok && e == nil {
		v, err := retryCount(lit)
		if err != nil {
			c.AttrErrorf(n, a, "%v", err)
		}
		r.count = v
	} else if e != nil {
		dyn.count = *e
	}
	secs("interval", true, &r.interval, &dyn.interval)
	hasDelta := secs("delta", false, &r.delta, &dyn.delta)
	if secs("max-interval", false, &r.limit, &dyn.limit) && !hasDelta {
		a, _ := n.Attr("max-interval")
		c.AttrErrorf(n, a, "max-interval needs delta (exponential retry)")
	}
	if v, ok := c.Condition(n, "first-fast-retry", false); ok {
		if lit, isLit := v.Literal(); isLit {
			r.firstFast = lit == "true"
		} else {
			dyn.firstFast = v
		}
	}
	if *dyn != (retryExprs{}) {
		r.dyn = dyn
	}
	r.steps = c.Steps(n.Children)
	for _, st := range r.steps {
		keepRequestBody(st)
	}
	return r
}

func retryCount(s string) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 1 || v > maxRetries {
		return 0, fmt.Errorf("%q: want a count from 1 to %d", s, maxRetries)
	}
	return v, nil
}

func retryInterval(s string) (time.Duration, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 0 || v > maxSeconds {
		return 0, fmt.Errorf("%q: want whole seconds, at least 0", s)
	}
	return time.Duration(v) * time.Second, nil
}

// resolve returns r with the attributes written as expressions evaluated.
func (r *retry) resolve(c *policy.Context) (*retry, error) {
	if r.dyn == nil {
		return r, nil
	}
	rr := *r
	str := func(v policy.Value) (string, bool, error) {
		if !v.IsSet() {
			return "", false, nil
		}
		s, err := v.String(c)
		return s, true, err
	}
	if s, ok, err := str(r.dyn.count); err != nil {
		return nil, err
	} else if ok {
		if rr.count, err = retryCount(s); err != nil {
			return nil, fmt.Errorf("count: %w", err)
		}
	}
	for _, d := range []struct {
		name string
		v    policy.Value
		into *time.Duration
	}{{"interval", r.dyn.interval, &rr.interval}, {"delta", r.dyn.delta, &rr.delta}, {"max-interval", r.dyn.limit, &rr.limit}} {
		s, ok, err := str(d.v)
		if err != nil {
			return nil, err
		}
		if ok {
			if *d.into, err = retryInterval(s); err != nil {
				return nil, fmt.Errorf("%s: %w", d.name, err)
			}
		}
	}
	if r.dyn.firstFast.IsSet() {
		ff, err := r.dyn.firstFast.Bool(c)
		if err != nil {
			return nil, err
		}
		rr.firstFast = ff
	}
	return &rr, nil
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
	r, err := r.resolve(c)
	if err != nil {
		return err
	}
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
