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
//
// APIM's reference allows policy expressions in every attribute ("count:
// A positive number between 1 and 50 specifying the number of retries to
// attempt. Policy expressions are allowed."). A literal is checked when
// the policy is saved; an expression is evaluated each time the element
// runs, and a value out of range fails the request.
type retry struct {
	cond                   policy.Value
	count                  int
	interval, delta, limit time.Duration
	firstFast              bool
	// exprs holds the attributes given as expressions, by name; nil: none.
	exprs map[string]policy.Value
	steps []policy.Step
}

var _ policy.Step = (*retry)(nil)

// retryRanges are the bounds of retry's whole-number attributes.
var retryRanges = map[string]struct{ min, max int }{
	"count": {1, 50}, "interval": {0, 3600}, "delta": {0, 3600}, "max-interval": {0, 3600},
}

// retryNumber checks s, the value of retry's attribute name.
func retryNumber(name, s string) (int, error) {
	r := retryRanges[name]
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < r.min || v > r.max {
		if name == "count" {
			return 0, fmt.Errorf("%q: want a count from 1 to 50", s)
		}
		return 0, fmt.Errorf("%q: want whole seconds from %d to %d", s, r.min, r.max)
	}
	return v, nil
}

func compileRetry(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "condition", "count", "interval", "max-interval", "delta", "first-fast-retry")
	r := &retry{}
	r.cond, _ = c.Condition(n, "condition", true)
	number := func(name string, required bool) (int, bool) {
		v, ok := c.Attr(n, name, required)
		if !ok {
			return 0, false
		}
		lit, isLit := v.Literal()
		if !isLit {
			if r.exprs == nil {
				r.exprs = map[string]policy.Value{}
			}
			r.exprs[name] = v
			return 0, true
		}
		x, err := retryNumber(name, lit)
		if err != nil {
			a, _ := n.Attr(name)
			c.AttrErrorf(n, a, "%v", err)
		}
		return x, true
	}
	count, _ := number("count", true)
	interval, _ := number("interval", true)
	delta, _ := number("delta", false)
	r.count, r.interval, r.delta = count, time.Duration(interval)*time.Second, time.Duration(delta)*time.Second
	if limit, ok := number("max-interval", false); ok {
		r.limit = time.Duration(limit) * time.Second
		if _, hasDelta := n.Attr("delta"); !hasDelta {
			a, _ := n.Attr("max-interval")
			c.AttrErrorf(n, a, "max-interval needs delta (exponential retry)")
		}
	}
	if v, ok := c.Condition(n, "first-fast-retry", false); ok {
		if lit, isLit := v.Literal(); isLit {
			r.firstFast = lit == "true"
		} else {
			if r.exprs == nil {
				r.exprs = map[string]policy.Value{}
			}
			r.exprs["first-fast-retry"] = v
		}
	}
	r.steps = c.Steps(n.Children)
	for _, st := range r.steps {
		keepRequestBody(st)
	}
	return r
}

// resolve returns r with the attributes given as expressions evaluated
// for this request.
func (r *retry) resolve(c *policy.Context) (*retry, error) {
	if r.exprs == nil {
		return r, nil
	}
	rr := *r
	for name, v := range r.exprs {
		if name == "first-fast-retry" {
			b, err := v.Bool(c)
			if err != nil {
				return nil, fmt.Errorf("first-fast-retry: %w", err)
			}
			rr.firstFast = b
			continue
		}
		s, err := v.String(c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		x, err := retryNumber(name, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		switch name {
		case "count":
			rr.count = x
		case "interval":
			rr.interval = time.Duration(x) * time.Second
		case "delta":
			rr.delta = time.Duration(x) * time.Second
		case "max-interval":
			rr.limit = time.Duration(x) * time.Second
		}
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
