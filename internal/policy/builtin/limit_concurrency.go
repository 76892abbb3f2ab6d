package builtin

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// Concurrency counts the requests inside <limit-concurrency> per key. It
// must outlive configuration reloads (it lives in Deps) and is safe for
// concurrent use. Counters are kept per gateway node.
type Concurrency struct {
	counts sync.Map // key → *atomic.Int64
}

// acquire takes a place for key, or reports that max are taken.
func (cc *Concurrency) acquire(key string, max int64) bool {
	v, _ := cc.counts.LoadOrStore(key, new(atomic.Int64))
	n := v.(*atomic.Int64)
	if n.Add(1) > max {
		n.Add(-1)
		return false
	}
	return true
}

func (cc *Concurrency) release(key string) {
	if v, ok := cc.counts.Load(key); ok {
		v.(*atomic.Int64).Add(-1)
	}
}

// limitConcurrency implements <limit-concurrency key="..." max-count="N">:
// at most N requests with the same key run its elements at a time; the
// others are refused at once with 429, as in APIM.
type limitConcurrency struct {
	counts *Concurrency
	key    policy.Value
	max    int64
	steps  []policy.Step
}

var _ policy.Step = (*limitConcurrency)(nil)

func compileLimitConcurrency(counts *Concurrency) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "key", "max-count")
		l := &limitConcurrency{counts: counts}
		l.key, _ = c.Attr(n, "key", true)
		if s, a, ok := c.Literal(n, "max-count", true); ok {
			v, err := strconv.Atoi(s)
			if err != nil || v < 1 {
				c.AttrErrorf(n, a, "%q: want a whole number of requests, at least 1", s)
			}
			l.max = int64(v)
		}
		l.steps = c.Steps(n.Children)
		for _, st := range l.steps {
			keepRequestBody(st) // harmless; the same forward may be retried inside
		}
		return l
	}
}

// Steps returns the limited elements.
func (l *limitConcurrency) Steps() []policy.Step { return l.steps }

func (l *limitConcurrency) Do(c *policy.Context) error {
	key, err := l.key.String(c)
	if err != nil {
		return err
	}
	if !l.counts.acquire(key, l.max) {
		return refuse(http.StatusTooManyRequests, "ConcurrencyLimitExceeded", "Concurrency limit is exceeded", "Too many concurrent requests.", nil)
	}
	defer l.counts.release(key)
	return policy.RunSteps(l.steps, c)
}
