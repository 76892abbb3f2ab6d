package gateway

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// namedBackend is a loopback backend that answers with its name, or
// with status (and Retry-After) while status is set.
type namedBackend struct {
	name       string
	srv        *httptest.Server
	status     atomic.Int32 // 0: 200 and the name
	retryAfter atomic.Value // string
	hits       atomic.Int64
}

func startNamed(t *testing.T, name string) *namedBackend {
	t.Helper()
	b := &namedBackend{name: name}
	b.retryAfter.Store("")
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		if st := int(b.status.Load()); st != 0 {
			if ra := b.retryAfter.Load().(string); ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			w.WriteHeader(st)
			return
		}
		io.WriteString(w, b.name)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

// poolSnapshot serves API "orders" at /orders sending every request to
// the backend the policy's set-backend-service names.
func poolSnapshot(version int64, backends map[string]snapshot.Backend, setBackend string) *snapshot.Snapshot {
	env := map[string]string{}
	for id, b := range backends {
		env[id] = b.URL
	}
	return &snapshot.Snapshot{Version: version,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", KeyHeader: "k", KeyQuery: "k",
			Policy:     `<policies><inbound>` + setBackend + `</inbound><backend><forward-request /></backend></policies>`,
			Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
		Policy:   snapshot.PolicyEnv{Backends: env},
		Backends: backends,
	}
}

// breakerRule trips after count failures of 500-599 (and 429) within a
// minute, for trip.
func breakerRule(count int, trip time.Duration) *snapshot.CircuitBreaker {
	return &snapshot.CircuitBreaker{Name: "r", Count: count, Interval: time.Minute, TripDuration: trip,
		StatusCodeRanges: [][2]int{{429, 429}, {500, 599}}}
}

type gatewayUnderTest struct {
	s   *Server
	url string
}

func startPoolGateway(t *testing.T, snap *snapshot.Snapshot) *gatewayUnderTest {
	t.Helper()
	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	g := &gatewayUnderTest{s: s}
	g.load(t, snap)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

func (g *gatewayUnderTest) load(t *testing.T, snap *snapshot.Snapshot) {
	t.Helper()
	rt, err := g.s.Compile(snap)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	g.s.Install(rt)
}

// call sends one request and returns the status, the body and the
// Content-Type.
func (g *gatewayUnderTest) call(t *testing.T, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, g.url+"/orders/x", nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// until calls the gateway until it answers want (status and body), for
// at most five seconds, and returns how long that took.
func (g *gatewayUnderTest) until(t *testing.T, wantStatus int, wantBody string) time.Duration {
	t.Helper()
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		st, body := g.call(t)
		if st == wantStatus && body == wantBody {
			return time.Since(start)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("after 5s the gateway still answers %d %q, want %d %q", st, body, wantStatus, wantBody)
		}
		<-tick.C
	}
}

func unavailableBody(reason string) string {
	return fmt.Sprintf(`{"statusCode":503,"message":%q}`, reason)
}

func TestPoolSpreadsByWeightAndFailsOverByPriority(t *testing.T) {
	a, b, c := startNamed(t, "a"), startNamed(t, "b"), startNamed(t, "c")
	backends := map[string]snapshot.Backend{
		"a": {URL: a.srv.URL, CircuitBreaker: breakerRule(1, time.Hour)},
		"b": {URL: b.srv.URL, CircuitBreaker: breakerRule(1, time.Hour)},
		"c": {URL: c.srv.URL, CircuitBreaker: breakerRule(1, time.Hour)},
		"p": {Pool: []snapshot.PoolMember{{ID: "a", Priority: 1, Weight: 3}, {ID: "b", Priority: 1, Weight: 1}, {ID: "c", Priority: 2}}},
	}
	g := startPoolGateway(t, poolSnapshot(1, backends, `<set-backend-service backend-id="p" />`))

	// 10,000 requests, 8 at a time: a gets 3/4 of them, b 1/4, c none.
	const n = 10000
	var mu sync.Mutex
	count := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := map[string]int{}
			for i := 0; i < n/8; i++ {
				st, body := g.call(t)
				if st != 200 {
					t.Errorf("status %d %q", st, body)
					return
				}
				local[body]++
			}
			mu.Lock()
			for k, v := range local {
				count[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	shareA := float64(count["a"]) / n
	t.Logf("weights 3:1 over %d requests: a %d (%.2f%%), b %d, c %d", n, count["a"], 100*shareA, count["b"], count["c"])
	if math.Abs(shareA-0.75) > 0.05 || count["c"] != 0 || count["a"]+count["b"] != n {
		t.Fatalf("spread %v, want a 75%% ±5%%, b the rest, c none", count)
	}

	// a fails: its breaker opens at its first failure, b takes every
	// request of priority 1.
	a.status.Store(500)
	if st, _ := g.until500(t, "a"); st != 500 {
		t.Fatalf("a's failure answered %d", st)
	}
	for i := 0; i < 20; i++ {
		if st, body := g.call(t); st != 200 || body != "b" {
			t.Fatalf("with a's breaker open: %d %q, want b", st, body)
		}
	}
	// b fails too: priority 2 (c) takes over.
	b.status.Store(500)
	g.until(t, 500, "") // b's failure, passed through
	for i := 0; i < 20; i++ {
		if st, body := g.call(t); st != 200 || body != "c" {
			t.Fatalf("with a and b open: %d %q, want c", st, body)
		}
	}
	// c fails: every member is open, the pool is unavailable.
	c.status.Store(500)
	g.until(t, 500, "")
	hits := a.hits.Load() + b.hits.Load() + c.hits.Load()
	st, body := g.call(t)
	if want := unavailableBody("Backend pool p is temporarily unavailable"); st != 503 || body != want {
		t.Fatalf("every member open: %d %q, want 503 %q", st, body, want)
	}
	if now := a.hits.Load() + b.hits.Load() + c.hits.Load(); now != hits {
		t.Fatalf("a request reached a backend whose breaker is open")
	}
}

// until500 calls until a request reached backend nb and failed.
func (g *gatewayUnderTest) until500(t *testing.T, name string) (int, string) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if st, body := g.call(t); st == 500 {
			return st, body
		}
	}
	t.Fatalf("no request reached %s in 1000", name)
	return 0, ""
}

func TestPoolWithoutWeightsSharesEqually(t *testing.T) {
	a, b := startNamed(t, "a"), startNamed(t, "b")
	backends := map[string]snapshot.Backend{
		"a": {URL: a.srv.URL}, "b": {URL: b.srv.URL},
		"p": {Pool: []snapshot.PoolMember{{ID: "a"}, {ID: "b"}}},
	}
	g := startPoolGateway(t, poolSnapshot(1, backends, `<set-backend-service backend-id="p" />`))
	count := map[string]int{}
	for i := 0; i < 2000; i++ {
		_, body := g.call(t)
		count[body]++
	}
	if math.Abs(float64(count["a"])/2000-0.5) > 0.05 {
		t.Fatalf("spread %v, want half each ±5%%", count)
	}
}

func TestBackendIDExpression(t *testing.T) {
	a, b := startNamed(t, "a"), startNamed(t, "b")
	backends := map[string]snapshot.Backend{
		"a": {URL: a.srv.URL}, "b": {URL: b.srv.URL},
		"p": {Pool: []snapshot.PoolMember{{ID: "b"}}},
	}
	g := startPoolGateway(t, poolSnapshot(1, backends,
		`<set-backend-service backend-id="@(context.Request.Headers.GetValueOrDefault(&quot;X-Backend&quot;, &quot;a&quot;))" />`))
	for header, want := range map[string]string{"a": "a", "B": "b", "p": "b"} {
		if st, body := g.call(t, "X-Backend", header); st != 200 || body != want {
			t.Errorf("X-Backend %s: %d %q, want %q", header, st, body, want)
		}
	}
	if st, body := g.call(t, "X-Backend", "nope"); st != 500 {
		t.Errorf("unknown backend id: %d %q, want 500", st, body)
	}
}

func TestCircuitBreakerTripsAndRecovers(t *testing.T) {
	be := startNamed(t, "b")
	trip := time.Second
	backends := map[string]snapshot.Backend{"b": {URL: be.srv.URL, CircuitBreaker: breakerRule(3, trip)}}
	g := startPoolGateway(t, poolSnapshot(1, backends, `<set-backend-service backend-id="b" />`))
	reg := prometheus.NewRegistry()
	if err := g.s.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}

	be.status.Store(500)
	var tripped time.Time // before the breaker opened
	for i := 0; i < 3; i++ {
		tripped = time.Now()
		if st, _ := g.call(t); st != 500 {
			t.Fatalf("failure %d answered %d, want the backend's 500", i+1, st)
		}
	}
	be.status.Store(0) // healthy again, but the breaker is open
	hits := be.hits.Load()
	want := unavailableBody("Backend b is temporarily unavailable")
	if st, body := g.call(t); st != 503 || body != want {
		t.Fatalf("after 3 failures: %d %q, want 503 %q", st, body, want)
	}
	if be.hits.Load() != hits {
		t.Fatal("the request reached the backend while the breaker was open")
	}
	st := g.s.CircuitBreakers()
	if len(st) != 1 || !st[0].Open || st[0].Trips != 1 || st[0].Backend != "b" || st[0].RetryInSeconds <= 0 {
		t.Fatalf("CircuitBreakers() = %+v, want b open once", st)
	}
	if v := metricValue(t, reg, "gatehouse_backend_circuit_open", "b"); v != 1 {
		t.Fatalf("gatehouse_backend_circuit_open = %v, want 1", v)
	}
	if v := metricValue(t, reg, "gatehouse_backend_circuit_trips_total", "b"); v != 1 {
		t.Fatalf("gatehouse_backend_circuit_trips_total = %v, want 1", v)
	}

	// A reload with the same rule keeps the breaker open.
	g.load(t, poolSnapshot(2, backends, `<set-backend-service backend-id="b" /><set-header name="x" exists-action="override"><value>2</value></set-header>`))
	if st, _ := g.call(t); st != 503 && time.Since(tripped) < trip/2 {
		t.Fatalf("after a reload with the same rule: %d, want 503", st)
	}

	g.until(t, 200, "b")
	if d := time.Since(tripped); d < trip {
		t.Fatalf("the breaker closed after %v, before its trip duration %v", d, trip)
	}
	if v := metricValue(t, reg, "gatehouse_backend_circuit_open", "b"); v != 0 {
		t.Fatalf("gatehouse_backend_circuit_open = %v after recovery, want 0", v)
	}
}

func TestCircuitBreakerRuleChangeResetsState(t *testing.T) {
	be := startNamed(t, "b")
	backends := map[string]snapshot.Backend{"b": {URL: be.srv.URL, CircuitBreaker: breakerRule(1, time.Hour)}}
	g := startPoolGateway(t, poolSnapshot(1, backends, `<set-backend-service backend-id="b" />`))
	be.status.Store(500)
	g.call(t)
	be.status.Store(0)
	if st, _ := g.call(t); st != 503 {
		t.Fatalf("tripped breaker answered %d, want 503", st)
	}
	backends["b"] = snapshot.Backend{URL: be.srv.URL, CircuitBreaker: breakerRule(2, time.Hour)}
	g.load(t, poolSnapshot(2, backends, `<set-backend-service backend-id="b" />`))
	if st, body := g.call(t); st != 200 || body != "b" {
		t.Fatalf("after the rule changed: %d %q, want the backend", st, body)
	}
}

func TestCircuitBreakerAcceptsRetryAfter(t *testing.T) {
	be := startNamed(t, "b")
	rule := breakerRule(1, time.Hour)
	rule.AcceptRetryAfter = true
	backends := map[string]snapshot.Backend{"b": {URL: be.srv.URL, CircuitBreaker: rule}}
	g := startPoolGateway(t, poolSnapshot(1, backends, `<set-backend-service backend-id="b" />`))
	be.retryAfter.Store("1")
	be.status.Store(429)
	tripped := time.Now() // before the breaker opened
	if st, _ := g.call(t); st != 429 {
		t.Fatalf("the backend's 429 answered %d", st)
	}
	be.status.Store(0)
	if st, _ := g.call(t); st != 503 {
		t.Fatalf("after the 429: %d, want 503", st)
	}
	// Retry-After: 1 opens the breaker for a second, not the rule's hour.
	g.until(t, 200, "b")
	if d := time.Since(tripped); d < time.Second {
		t.Fatalf("the breaker closed after %v, before the backend's Retry-After of 1s", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"120": 2 * time.Minute, "0": 0, "-5": 0, "": 0, "soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		"99999999999999": maxRetryAfter,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

// metricValue returns the value of metric name for backend in reg.
func metricValue(t *testing.T, reg *prometheus.Registry, name, backend string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "backend" && l.GetValue() == backend {
					if m.Gauge != nil {
						return m.GetGauge().GetValue()
					}
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no metric %s{backend=%q}", name, backend)
	return 0
}

func BenchmarkPoolPick(b *testing.B) {
	backends := map[string]*backendEntity{}
	var members []snapshot.PoolMember
	for i := 0; i < 4; i++ {
		id := fmt.Sprintf("m%d", i)
		backends[id] = &backendEntity{id: id, breaker: newBreaker(id, *breakerRule(5, time.Minute))}
		members = append(members, snapshot.PoolMember{ID: id, Priority: i / 2, Weight: i + 1})
	}
	p, err := compilePool(members, backends)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if p.pick() == nil {
				b.Fatal("no member")
			}
		}
	})
}

// BenchmarkBreakerClosed is what a forward to a backend with a closed
// breaker adds: the open check and the recording of a response that is
// not a failure.
func BenchmarkBreakerClosed(b *testing.B) {
	br := newBreaker("b", *breakerRule(5, time.Minute))
	h := http.Header{}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if br.isOpen() {
				b.Fatal("open")
			}
			br.response(200, h)
		}
	})
}

// TestRetryFailsOverWithinOneRequest checks the APIM pattern of a retry
// around forward-request with a pool: the first try trips the primary's
// breaker, the retry picks the next priority, and the client sees one
// successful answer.
func TestRetryFailsOverWithinOneRequest(t *testing.T) {
	primary, backup := startNamed(t, "primary"), startNamed(t, "backup")
	backends := map[string]snapshot.Backend{
		"primary": {URL: primary.srv.URL, CircuitBreaker: breakerRule(1, time.Hour)},
		"backup":  {URL: backup.srv.URL},
		"p":       {Pool: []snapshot.PoolMember{{ID: "primary", Priority: 0}, {ID: "backup", Priority: 1}}},
	}
	snap := poolSnapshot(1, backends, `<set-backend-service backend-id="p" />`)
	snap.APIs[0].Policy = `<policies><inbound><set-backend-service backend-id="p" /></inbound><backend>` +
		`<retry condition="@(context.Response.StatusCode >= 500)" count="2" interval="0"><forward-request /></retry>` +
		`</backend></policies>`
	g := startPoolGateway(t, snap)
	if st, body := g.call(t); st != 200 || body != "primary" {
		t.Fatalf("healthy: %d %q", st, body)
	}
	primary.status.Store(500)
	if st, body := g.call(t); st != 200 || body != "backup" {
		t.Fatalf("the primary failing: %d %q, want the backup within the same request", st, body)
	}
	if n := primary.hits.Load(); n != 2 {
		t.Fatalf("the primary got %d requests, want 2 (its breaker opened at the failure)", n)
	}
}

// TestCircuitBreakerCountsForwardFailures checks that a backend that
// refuses connections trips its breaker, unless the rule's error reasons
// name only timeouts.
func TestCircuitBreakerCountsForwardFailures(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // its port now refuses connections
	every := breakerRule(2, time.Hour)
	timeouts := breakerRule(2, time.Hour)
	timeouts.ErrorReasons = []string{"Timeout"}
	for name, tc := range map[string]struct {
		rule *snapshot.CircuitBreaker
		want []int
	}{
		"every failure": {every, []int{502, 502, 503, 503}},
		"timeouts only": {timeouts, []int{502, 502, 502, 502}},
	} {
		g := startPoolGateway(t, poolSnapshot(1, map[string]snapshot.Backend{"b": {URL: gone.URL, CircuitBreaker: tc.rule}},
			`<set-backend-service backend-id="b" />`))
		for i, want := range tc.want {
			if st, body := g.call(t); st != want {
				t.Errorf("%s: request %d answered %d %q, want %d", name, i+1, st, body, want)
			}
		}
	}
}
