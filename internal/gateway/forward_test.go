package gateway

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// policyServer serves one open API at /orders in front of backend with
// policy at the API scope.
func policyServer(t *testing.T, backend, policyXML string) *httptest.Server {
	t.Helper()
	s := NewServer(Options{})
	rt, err := s.Compile(&snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend + "/base",
		KeyHeader: "k", KeyQuery: "k", Policy: policyXML,
		Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Install(rt)
	gw := httptest.NewServer(s)
	t.Cleanup(gw.Close)
	return gw
}

func TestRetryForwardRequest(t *testing.T) {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != "order=7" {
			http.Error(w, "body "+string(body), http.StatusBadRequest)
			return
		}
		if calls.Add(1) < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "accepted")
	}))
	defer backend.Close()
	gw := policyServer(t, backend.URL, `<policies><inbound /><backend>
	  <retry condition="@(context.Response.StatusCode >= 500)" count="3" interval="0" first-fast-retry="true">
	    <forward-request />
	  </retry>
	</backend></policies>`)
	resp, err := http.Post(gw.URL+"/orders/new", "application/x-www-form-urlencoded", strings.NewReader("order=7"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "accepted" || calls.Load() != 3 {
		t.Errorf("got %d %q after %d backend calls; want 200 \"accepted\" after 3", resp.StatusCode, body, calls.Load())
	}
}

func TestFollowRedirects(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/base/old" {
			http.Redirect(w, r, "/base/new", http.StatusFound)
			return
		}
		io.WriteString(w, "moved here: "+r.URL.Path)
	}))
	defer backend.Close()
	for _, tt := range []struct {
		attr       string
		wantStatus int
	}{
		{`follow-redirects="true"`, http.StatusOK},
		{``, http.StatusFound},
	} {
		gw := policyServer(t, backend.URL, `<policies><inbound /><backend><forward-request `+tt.attr+` /></backend></policies>`)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Get(gw.URL + "/orders/old")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("forward-request %s: %d %q, want %d", tt.attr, resp.StatusCode, body, tt.wantStatus)
		}
	}
}

// TestRedirectToAnotherHostDropsCredentials: a followed redirect to
// another host gets no Authorization or cookies; the same host keeps them.
func TestRedirectToAnotherHostDropsCredentials(t *testing.T) {
	var seen atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Header.Get("Authorization") + "|" + r.Header.Get("Cookie"))
	}))
	defer other.Close()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/base/away":
			http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
		case "/base/near":
			http.Redirect(w, r, "/base/here", http.StatusFound)
		default:
			seen.Store(r.Header.Get("Authorization") + "|" + r.Header.Get("Cookie"))
		}
	}))
	defer backend.Close()
	gw := policyServer(t, backend.URL, `<policies><inbound><set-header name="Authorization" exists-action="override"><value>Bearer secret-token</value></set-header></inbound>
	  <backend><forward-request follow-redirects="true" /></backend></policies>`)
	for path, want := range map[string]string{"/orders/away": "|", "/orders/near": "Bearer secret-token|c=1"} {
		req, _ := http.NewRequest("GET", gw.URL+path, nil)
		req.Header.Set("Cookie", "c=1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := seen.Load(); resp.StatusCode != 200 || got != want {
			t.Errorf("%s: %d, the redirect target saw %q, want %q", path, resp.StatusCode, got, want)
		}
	}
}

func TestPolicyPathStreamsLargeBodies(t *testing.T) {
	big := strings.Repeat("0123456789", 200_000) // 2 MB
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(big)))
		io.WriteString(w, big)
	}))
	defer backend.Close()
	gw := policyServer(t, backend.URL, `<policies><inbound><set-header name="X-A"><value>1</value></set-header></inbound>
	  <backend><forward-request /></backend><outbound><set-header name="X-Out"><value>1</value></set-header></outbound></policies>`)
	resp, err := http.Get(gw.URL + "/orders/big")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) != len(big) || resp.Header.Get("X-Out") != "1" || resp.ContentLength != int64(len(big)) {
		t.Errorf("got %d, %d bytes (Content-Length %d), X-Out %q", resp.StatusCode, len(body), resp.ContentLength, resp.Header.Get("X-Out"))
	}
}

func TestResponseCache(t *testing.T) {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("X-Call", strconv.Itoa(int(n)))
		io.WriteString(w, "answer "+r.URL.RawQuery)
	}))
	defer backend.Close()
	gw := policyServer(t, backend.URL, `<policies>
	  <inbound><cache-lookup vary-by-developer="false" vary-by-developer-groups="false"><vary-by-query-parameter>page</vary-by-query-parameter></cache-lookup></inbound>
	  <backend><forward-request /></backend>
	  <outbound><cache-store duration="60" /></outbound>
	</policies>`)
	get := func(path string) (string, http.Header) {
		t.Helper()
		resp, err := http.Get(gw.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), resp.Header
	}
	first, h1 := get("/orders/list?page=1&noise=a")
	second, h2 := get("/orders/list?page=1&noise=b") // noise does not vary the cache
	if first != second || h1.Get("X-Call") != "1" || h2.Get("X-Call") != "1" || h2.Get("Age") == "" || calls.Load() != 1 {
		t.Errorf("cached answer: %q %q, calls %d, X-Call %q/%q, Age %q", first, second, calls.Load(), h1.Get("X-Call"), h2.Get("X-Call"), h2.Get("Age"))
	}
	if _, h := get("/orders/list?page=2"); h.Get("X-Call") != "2" {
		t.Errorf("another page was answered from the cache: X-Call %q", h.Get("X-Call"))
	}
	resp, err := http.Post(gw.URL+"/orders/list?page=1", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Call") != "3" {
		t.Errorf("a POST was answered from the cache: X-Call %q", resp.Header.Get("X-Call"))
	}
}

func TestResponseCacheSharedThroughRedis(t *testing.T) {
	url := os.Getenv("GATEHOUSE_TEST_REDIS")
	if url == "" {
		msg := "set GATEHOUSE_TEST_REDIS=redis://127.0.0.1:6379/0 to run the shared cache test"
		if os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.WriteString(w, "fresh")
	}))
	defer backend.Close()
	for _, tt := range []struct {
		cachingType string
		calls       int32 // backend calls for one request to each gateway
	}{{"external", 1}, {"prefer-external", 1}, {"internal", 2}} {
		calls.Store(0)
		sharedCacheRun(t, url, tt.cachingType, backend.URL)
		if calls.Load() != tt.calls {
			t.Errorf("caching-type %s: the backend was called %d times, want %d", tt.cachingType, calls.Load(), tt.calls)
		}
	}
}

// sharedCacheRun sends one request for a new path to each of two
// gateways sharing the Redis at url, with cache-lookup's caching-type.
func sharedCacheRun(t *testing.T, url, cachingType, backendURL string) {
	t.Helper()
	gateways := make([]*httptest.Server, 2)
	for i := range gateways {
		s := NewServer(withRedis(t, Options{}, url, false))
		defer s.Close()
		rt, err := s.Compile(&snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backendURL,
			KeyHeader: "k", KeyQuery: "k", Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}},
			Policy: `<policies><inbound><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="` + cachingType + `" /></inbound>
			  <backend><forward-request /></backend><outbound><cache-store duration="30" /></outbound></policies>`}}})
		if err != nil {
			t.Fatal(err)
		}
		s.Install(rt)
		gateways[i] = httptest.NewServer(s)
		defer gateways[i].Close()
	}
	path := fmt.Sprintf("/orders/shared-%d", time.Now().UnixNano())
	for _, gw := range gateways {
		resp, err := http.Get(gw.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
}
