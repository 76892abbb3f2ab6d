package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/analytics"
	"github.com/gatehouse/gatehouse/internal/cache"
	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/limits/redistest"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// limitedGateway returns a Server, serving policy for one API in front
// of a backend that counts its calls, and closes it when the test ends.
func limitedGateway(t *testing.T, opts Options, policy string, calls *atomic.Int64) *Server {
	t.Helper()
	return gatewayFor(t, opts, policy, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.WriteString(w, "ok")
	})
}

// gatewayFor returns a Server serving policy for one API (path orders,
// one operation for every method and path) in front of backend, and
// closes both when the test ends.
func gatewayFor(t *testing.T, opts Options, policy string, backendFunc http.HandlerFunc) *Server {
	t.Helper()
	backend := httptest.NewServer(backendFunc)
	t.Cleanup(backend.Close)
	snap := &snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend.URL, KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
			Policy: policy, Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
	}
	s := NewServer(opts)
	t.Cleanup(func() { s.Close() })
	rt, err := s.Compile(snap)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s.Install(rt)
	return s
}

func limitPolicy(elem string) string {
	return `<policies><inbound><base />` + elem + `</inbound><backend><base /></backend></policies>`
}

// TestRateLimitByKeyAnswers429 sends N+1 requests: N pass, the last gets
// APIM's 429.
func TestRateLimitByKeyAnswers429(t *testing.T) {
	var calls atomic.Int64
	s := limitedGateway(t, Options{}, limitPolicy(`<rate-limit-by-key calls="3" renewal-period="60" counter-key="@(context.Request.Headers.GetValueOrDefault(&quot;X-Client&quot;, &quot;anonymous&quot;))" />`), &calls)
	get := func(client string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/orders/1", nil)
		req.Header.Set("X-Client", client)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w
	}
	for i := range 3 {
		if w := get("a"); w.Code != 200 {
			t.Fatalf("request %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	w := get("a")
	var body struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != 429 || body.StatusCode != 429 {
		t.Fatalf("4th request: %d %s (%v)", w.Code, w.Body, err)
	}
	if ra := w.Header().Get("Retry-After"); ra != "60" && ra != "59" || body.Message != "Rate limit is exceeded. Try again in "+ra+" seconds." {
		t.Errorf("Retry-After %q, message %q", ra, body.Message)
	}
	if w := get("b"); w.Code != 200 {
		t.Errorf("another key: %d", w.Code)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("backend called %d times, want 4", n)
	}
}

// send sends n GET requests for path, c at a time, spread over urls, and
// returns how many got 200 and how many 429.
func send(t *testing.T, urls []string, path string, n, c int) (ok, limited int64) {
	t.Helper()
	var okN, limitedN atomic.Int64
	sendPath(t, urls, path, n, c, func(code int) {
		switch code {
		case 200:
			okN.Add(1)
		case 429:
			limitedN.Add(1)
		default:
			t.Errorf("status %d", code)
		}
	})
	return okN.Load(), limitedN.Load()
}

// sendAll sends n GET requests for /orders/1 as sendPath does.
func sendAll(t *testing.T, urls []string, n, c int, got func(code int)) {
	t.Helper()
	sendPath(t, urls, "/orders/1", n, c, got)
}

// sendPath sends n GET requests for path, c at a time, spread over urls,
// and calls got with each status code.
func sendPath(t *testing.T, urls []string, path string, n, c int, got func(code int)) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				resp, err := http.Get(urls[i%int64(len(urls))] + path)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				got(resp.StatusCode)
			}
		})
	}
	wg.Wait()
}

// TestTwoGatewaysShareRedis: two gateway Servers using one Redis admit
// the limit across both.
func TestTwoGatewaysShareRedis(t *testing.T) {
	url := redistest.URL(t)
	token := redistest.Token()
	t.Cleanup(func() { redistest.Delete(url, "gatehouse:limits:*"+token+"*") })
	const limit = 200
	policy := limitPolicy(`<rate-limit-by-key calls="200" renewal-period="300" counter-key="` + token + `" />`)
	var calls atomic.Int64
	var urls []string
	for range 2 {
		hs := httptest.NewServer(limitedGateway(t, withRedis(t, Options{}, url, false), policy, &calls))
		t.Cleanup(hs.Close)
		urls = append(urls, hs.URL)
	}
	start := time.Now()
	ok, limited := send(t, urls, "/orders/1", 3*limit, 16)
	t.Logf("600 requests over two gateways in %v: %d admitted, %d refused", time.Since(start), ok, limited)
	if ok < limit*99/100 || ok > limit*101/100 || ok+limited != 3*limit {
		t.Errorf("admitted %d, refused %d; want %d (±1%%) admitted", ok, limited, limit)
	}
	if calls.Load() != ok {
		t.Errorf("backend saw %d requests, %d were admitted", calls.Load(), ok)
	}
}

// TestRedisOutage: with Redis gone two gateways keep answering from
// local counters (fail-open), and go back to Redis when it returns.
func TestRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	token := redistest.Token()
	var calls atomic.Int64
	var urls, metrics []string
	for range 2 {
		// 500 calls: below the limits decided in blocks, so every request
		// during the outage is one local decision.
		s := limitedGateway(t, withRedis(t, Options{}, srv.URL(), false), limitPolicy(`<rate-limit-by-key calls="500" renewal-period="300" counter-key="`+token+`" />`), &calls)
		hs := httptest.NewServer(s)
		t.Cleanup(hs.Close)
		reg := analytics.NewRegistry()
		if err := s.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		ms := httptest.NewServer(analytics.Handler(reg))
		t.Cleanup(ms.Close)
		urls, metrics = append(urls, hs.URL), append(metrics, ms.URL)
	}
	if ok, _ := send(t, urls, "/orders/1", 10, 2); ok != 10 {
		t.Fatalf("with Redis up: %d of 10 admitted", ok)
	}
	if redistest.Count(srv.URL(), "*"+token+"*") == 0 {
		t.Fatal("no counter in Redis")
	}
	for _, m := range metrics {
		wantMetrics(t, m, `gatehouse_redis_up{store="limits"} 1`, `gatehouse_redis_outages_total{store="limits"} 0`)
	}
	srv.Stop()
	start := time.Now()
	if ok, _ := send(t, urls, "/orders/1", 20, 2); ok != 20 {
		t.Fatalf("with Redis down (fail-open): %d of 20 admitted", ok)
	}
	t.Logf("20 requests during the outage took %v", time.Since(start))
	for _, m := range metrics { // send alternates: 10 each
		wantMetrics(t, m, `gatehouse_redis_up{store="limits"} 0`, `gatehouse_redis_outages_total{store="limits"} 1`, `gatehouse_limits_local_decisions_total 10`)
	}
	srv.Restart() // empty: no persistence
	deadline := time.Now().Add(10 * time.Second)
	for _, m := range metrics {
		for !hasMetric(t, m, `gatehouse_redis_up{store="limits"} 1`) {
			if time.Now().After(deadline) {
				t.Fatal("a gateway did not go back to Redis within 10s")
			}
			if ok, _ := send(t, urls, "/orders/1", 2, 1); ok != 2 {
				t.Fatal("a request was refused while recovering")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("both back on Redis %v after the restart", time.Since(deadline.Add(-10*time.Second)))
	if redistest.Count(srv.URL(), "*"+token+"*") == 0 {
		t.Error("no counter in Redis after the recovery")
	}
}

// hasMetric reports whether the metrics served at url have line.
func hasMetric(t *testing.T, url, line string) bool {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return slices.Contains(strings.Split(string(b), "\n"), line)
}

// wantMetrics checks that the metrics served at url have these lines.
func wantMetrics(t *testing.T, url string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !hasMetric(t, url, l) {
			t.Errorf("metrics at %s lack %q", url, l)
		}
	}
}

// TestRedisFailClosed: with fail-closed, limited requests fail while
// Redis is unreachable.
func TestRedisFailClosed(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	var calls atomic.Int64
	s := limitedGateway(t, withRedis(t, Options{}, srv.URL(), true), limitPolicy(`<rate-limit calls="5" renewal-period="60" />`), &calls)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/orders/1", nil))
	if w.Code != 500 || calls.Load() != 0 {
		t.Errorf("status %d, backend calls %d; want 500 and none", w.Code, calls.Load())
	}
}

// withRedis returns opts with the limits store and the external cache in
// the Redis at url, as the composition root builds them, closed when the
// test ends.
func withRedis(t *testing.T, opts Options, url string, failClosed bool) Options {
	t.Helper()
	rs, err := limits.NewRedis(limits.RedisOptions{URL: url, FailClosed: failClosed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	client, err := limits.NewClient(url, 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	if opts.Cache == nil {
		opts.Cache = cache.NewMemory(64<<20, nil)
	}
	rc := cache.NewRedis(client, opts.Cache, "gatehouse:cache:", nil)
	opts.Limits, opts.ExternalCache = rs, rc
	opts.Shared = append(opts.Shared, SharedStore{Name: "limits", Store: rs}, SharedStore{Name: "cache", Store: rc})
	return opts
}
