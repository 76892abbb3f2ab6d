package builtin

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// Concurrency counts the requests inside <limit-concurrency> per key and
// queues those waiting for a place. It must outlive configuration reloads
// (it lives in Deps) and is safe for concurrent use. Counts are kept per
// gateway node, as APIM keeps them per unit; a key is forgotten when no
// request holds or awaits it.
type Concurrency struct {
	mu   sync.Mutex
	keys map[string]*places
}

// places are one key's running requests and its queue, oldest first.
type places struct {
	running int64
	queue   []chan struct{} // each receives when a place is handed over
}

// queueing is how a request over max-count may wait: in a queue of at
// most length requests per key, for at most wait.
type queueing struct {
	length int
	wait   time.Duration
}

// acquire takes a place for key among max; when all are taken it waits
// in the queue as q allows. It reports whether the request got a place.
func (cc *Concurrency) acquire(ctx context.Context, key string, max int64, q queueing) bool {
	cc.mu.Lock()
	if cc.keys == nil {
		cc.keys = map[string]*places{}
	}
	p := cc.keys[key]
	if p == nil {
		p = &places{}
		cc.keys[key] = p
	}
	if p.running < max && len(p.queue) == 0 {
		p.running++
		cc.mu.Unlock()
		return true
	}
	if q.wait <= 0 || len(p.queue) >= q.length {
		cc.forget(key, p)
		cc.mu.Unlock()
		return false
	}
	ch := make(chan struct{}, 1)
	p.queue = append(p.queue, ch)
	cc.mu.Unlock()

	timer := time.NewTimer(q.wait)
	defer timer.Stop()
	select {
	case <-ch:
		return true
	case <-timer.C:
	case <-ctx.Done():
	}
	cc.mu.Lock()
	if i := slices.Index(p.queue, ch); i >= 0 {
		p.queue = slices.Delete(p.queue, i, i+1)
		cc.forget(key, p)
		cc.mu.Unlock()
		return false
	}
	cc.mu.Unlock()
	cc.release(key) // a place was handed over as the wait ended
	return false
}

// release gives key's place to the oldest waiting request, or frees it.
func (cc *Concurrency) release(key string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	p := cc.keys[key]
	if p == nil {
		return
	}
	if len(p.queue) > 0 {
		ch := p.queue[0]
		p.queue = slices.Delete(p.queue, 0, 1)
		ch <- struct{}{} // buffered: never blocks
		return
	}
	p.running--
	cc.forget(key, p)
}

// forget drops key when nothing holds or awaits it; cc.mu is held.
func (cc *Concurrency) forget(key string, p *places) {
	if p.running <= 0 && len(p.queue) == 0 {
		delete(cc.keys, key)
	}
}

// keyCount returns how many keys are remembered.
func (cc *Concurrency) keyCount() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return len(cc.keys)
}

// limitConcurrency implements <limit-concurrency key="..." max-count="N"
// timeout="seconds" max-queue-length="M">: at most N requests with the
// same key run its elements at a time. Others are refused at once with
// 429, as in APIM, unless timeout and max-queue-length (the attributes of
// APIM's earlier schema) let up to M of them wait, first come first
// served, up to timeout seconds for a place.
type limitConcurrency struct {
	counts *Concurrency
	key    policy.Value
	max    int64
	queue  queueing
	steps  []policy.Step
}

var _ policy.Step = (*limitConcurrency)(nil)

func compileLimitConcurrency(counts *Concurrency) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "key", "max-count", "timeout", "max-queue-length")
		l := &limitConcurrency{counts: counts}
		l.key, _ = c.Attr(n, "key", true)
		if s, a, ok := c.Literal(n, "max-count", true); ok {
			v, err := strconv.Atoi(s)
			if err != nil || v < 1 {
				c.AttrErrorf(n, a, "%q: want a whole number of requests, at least 1", s)
			}
			l.max = int64(v)
		}
		if s, a, ok := c.Literal(n, "timeout", false); ok {
			v, err := strconv.Atoi(s)
			if err != nil || v < 0 || v > 3600 {
				c.AttrErrorf(n, a, "%q: want whole seconds from 0 to 3600", s)
			}
			l.queue.wait = time.Duration(v) * time.Second
		}
		if s, a, ok := c.Literal(n, "max-queue-length", false); ok {
			v, err := strconv.Atoi(s)
			if err != nil || v < 0 || v > 1<<20 {
				c.AttrErrorf(n, a, "%q: want a whole number of requests from 0 to 1048576", s)
			}
			l.queue.length = v
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
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if !l.counts.acquire(ctx, key, l.max, l.queue) {
		return refuse(http.StatusTooManyRequests, "ConcurrencyLimitExceeded", "Concurrency limit is exceeded", "Too many concurrent requests.", nil)
	}
	defer l.counts.release(key)
	return policy.RunSteps(l.steps, c)
}
