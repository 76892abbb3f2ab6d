package gateway

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// minPercentageRequests is how many requests an interval must hold before
// a rule with a percentage and no count trips: one failure out of one
// request is not yet a failing backend.
const minPercentageRequests = 10

// breaker is one backend's circuit breaker on this node, as APIM's
// backend circuitBreaker rule describes it: once Count failures (or
// Percentage of the requests) fall within Interval, the backend is left
// alone for TripDuration (or, with AcceptRetryAfter, as long as the
// tripping response's Retry-After asks), then tried again.
//
// A request to a closed breaker costs one atomic load; a response that
// is not a failure nothing more unless the rule counts a percentage (one
// atomic add). Counting is per fixed window of Interval, approximate
// under concurrency as APIM's own is.
type breaker struct {
	backend string // the backend's id, as the snapshot keys it
	rule    snapshot.CircuitBreaker
	key     string // identifies the rule: a reload with the same keeps the state

	openUntil   atomic.Int64 // Unix nanoseconds; 0: closed
	windowStart atomic.Int64 // Unix nanoseconds
	failures    atomic.Int64
	total       atomic.Int64
	trips       atomic.Uint64
}

func newBreaker(backend string, rule snapshot.CircuitBreaker) *breaker {
	return &breaker{backend: backend, rule: rule, key: fmt.Sprintf("%+v", rule)}
}

// isOpen reports whether requests must stay away from the backend now.
// The first caller after the trip duration closes it again.
func (b *breaker) isOpen() bool {
	until := b.openUntil.Load()
	if until == 0 {
		return false
	}
	now := time.Now().UnixNano()
	if now < until {
		return true
	}
	if b.openUntil.CompareAndSwap(until, 0) {
		b.windowStart.Store(now)
		b.failures.Store(0)
		b.total.Store(0)
	}
	return false
}

// retryIn returns how long the breaker stays open; 0 when closed.
func (b *breaker) retryIn() time.Duration {
	until := b.openUntil.Load()
	if until == 0 {
		return 0
	}
	return max(0, time.Duration(until-time.Now().UnixNano()))
}

// failureStatus reports whether a response of status counts as a failure.
func (b *breaker) failureStatus(status int) bool {
	for _, r := range b.rule.StatusCodeRanges {
		if status >= r[0] && status <= r[1] {
			return true
		}
	}
	return false
}

// failureReason reports whether a forward that got no response for
// reason (Timeout, BackendConnectionFailure) counts as a failure.
func (b *breaker) failureReason(reason string) bool {
	return len(b.rule.ErrorReasons) == 0 || slices.Contains(b.rule.ErrorReasons, reason)
}

// response records a response of the backend.
func (b *breaker) response(status int, h http.Header) {
	fail := b.failureStatus(status)
	if !fail && b.rule.Percentage == 0 {
		return
	}
	var retryAfter time.Duration
	if fail && b.rule.AcceptRetryAfter {
		retryAfter = parseRetryAfter(h.Get("Retry-After"), time.Now())
	}
	b.record(fail, retryAfter)
}

// noResponse records a forward that got no response for reason.
func (b *breaker) noResponse(reason string) {
	b.record(b.failureReason(reason), 0)
}

// record counts one request, failed or not, and trips the breaker when
// the rule says so: for retryAfter when it is set, else TripDuration.
func (b *breaker) record(fail bool, retryAfter time.Duration) {
	now := time.Now().UnixNano()
	if start := b.windowStart.Load(); now-start >= int64(b.rule.Interval) && b.windowStart.CompareAndSwap(start, now) {
		b.failures.Store(0)
		b.total.Store(0)
	}
	total := b.total.Add(1)
	if !fail {
		return
	}
	failures := b.failures.Add(1)
	r := b.rule
	trip := false
	switch {
	case r.Count > 0 && r.Percentage > 0:
		trip = failures >= int64(r.Count) && failures*100 >= int64(r.Percentage)*total
	case r.Count > 0:
		trip = failures >= int64(r.Count)
	case r.Percentage > 0:
		trip = total >= minPercentageRequests && failures*100 >= int64(r.Percentage)*total
	}
	if !trip {
		return
	}
	d := r.TripDuration
	if retryAfter > 0 {
		d = retryAfter
	}
	if b.openUntil.CompareAndSwap(0, now+int64(d)) {
		b.trips.Add(1)
		b.failures.Store(0)
		b.total.Store(0)
	}
}

// parseRetryAfter reads a Retry-After value, seconds or an HTTP date,
// as a duration from now; 0 when there is none or it is not valid.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(0, t.Sub(now)), maxRetryAfter)
	}
	return 0
}

// maxRetryAfter bounds how long a backend's Retry-After keeps its
// breaker open.
const maxRetryAfter = 7 * 24 * time.Hour

// breakers keeps the circuit breakers of a Server across configuration
// reloads: a backend whose rule did not change keeps its breaker, and
// its state, in the new Runtime. Safe for concurrent use; requests never
// touch it (they reach breakers through their Runtime).
type breakers struct {
	mu sync.Mutex
	m  map[string]*breaker // by backend id
}

// get returns the breaker of backend with rule, the one already kept
// when its rule is the same.
func (bs *breakers) get(backend string, rule snapshot.CircuitBreaker) *breaker {
	nb := newBreaker(backend, rule)
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.m == nil {
		bs.m = map[string]*breaker{}
	}
	if old := bs.m[backend]; old != nil && old.key == nb.key {
		return old
	}
	bs.m[backend] = nb
	return nb
}

// retain drops the breakers of backends not in keep.
func (bs *breakers) retain(keep map[string]bool) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	for id := range bs.m {
		if !keep[id] {
			delete(bs.m, id)
		}
	}
}

// states returns the state of every breaker, sorted by backend.
func (bs *breakers) states() []model.BackendCircuit {
	bs.mu.Lock()
	list := make([]*breaker, 0, len(bs.m))
	for _, b := range bs.m {
		list = append(list, b)
	}
	bs.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].backend < list[j].backend })
	out := make([]model.BackendCircuit, len(list))
	for i, b := range list {
		in := b.retryIn()
		out[i] = model.BackendCircuit{Backend: b.backend, Rule: b.rule.Name, Open: in > 0, RetryInSeconds: in.Seconds(), Trips: b.trips.Load()}
	}
	return out
}

// CircuitBreakers returns the state of the circuit breakers of this
// node's backends, for its heartbeats.
func (s *Server) CircuitBreakers() []model.BackendCircuit { return s.breakers.states() }

var (
	circuitOpenDesc = prometheus.NewDesc("gatehouse_backend_circuit_open",
		"Whether the backend's circuit breaker is open on this node (1): requests to it are answered 503, or go to other pool members.",
		[]string{"backend", "rule"}, nil)
	circuitTripsDesc = prometheus.NewDesc("gatehouse_backend_circuit_trips_total",
		"How many times the backend's circuit breaker tripped on this node since its rule last changed.",
		[]string{"backend", "rule"}, nil)
)

// breakerCollector exports the breakers' states to Prometheus.
type breakerCollector struct{ bs *breakers }

func (c breakerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- circuitOpenDesc
	ch <- circuitTripsDesc
}

func (c breakerCollector) Collect(ch chan<- prometheus.Metric) {
	for _, st := range c.bs.states() {
		open := 0.0
		if st.Open {
			open = 1
		}
		ch <- prometheus.MustNewConstMetric(circuitOpenDesc, prometheus.GaugeValue, open, st.Backend, st.Rule)
		ch <- prometheus.MustNewConstMetric(circuitTripsDesc, prometheus.CounterValue, float64(st.Trips), st.Backend, st.Rule)
	}
}
