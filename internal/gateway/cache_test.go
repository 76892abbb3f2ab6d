package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// TestDownstreamCaching: cache-lookup's downstream-caching-type and
// must-revalidate give responses Cache-Control with what is left of the
// cache duration; a miss goes to the backend without the client's
// revalidation headers; a no-store response is not kept.
func TestDownstreamCaching(t *testing.T) {
	var calls atomic.Int32
	var sawConditional atomic.Bool
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("If-None-Match") != "" || r.Header.Get("Cache-Control") != "" {
			sawConditional.Store(true)
		}
		if strings.HasSuffix(r.URL.Path, "/secret") {
			w.Header().Set("Cache-Control", "no-store")
		}
		w.Header().Set("X-Call", strconv.Itoa(int(calls.Load())))
		io.WriteString(w, "answer")
	}))
	defer backend.Close()
	gw := policyServer(t, backend.URL, `<policies>
	  <inbound><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" downstream-caching-type="public" must-revalidate="true" caching-type="internal" /></inbound>
	  <backend><forward-request /></backend>
	  <outbound><cache-store duration="60" /></outbound>
	</policies>`)
	get := func(path string) http.Header {
		t.Helper()
		req, _ := http.NewRequest("GET", gw.URL+path, nil)
		req.Header.Set("If-None-Match", `"v1"`)
		req.Header.Set("Cache-Control", "max-age=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.Header
	}
	miss := get("/orders/list")
	if cc := miss.Get("Cache-Control"); cc != "public, must-revalidate, max-age=60" {
		t.Errorf("miss: Cache-Control %q", cc)
	}
	hit := get("/orders/list")
	if cc := hit.Get("Cache-Control"); hit.Get("X-Call") != "1" || !strings.HasPrefix(cc, "public, must-revalidate, max-age=") || cc == "public, must-revalidate, max-age=0" {
		t.Errorf("hit: X-Call %q, Cache-Control %q", hit.Get("X-Call"), cc)
	}
	if sawConditional.Load() {
		t.Error("the backend saw the client's revalidation headers on a miss")
	}
	get("/orders/secret")
	if h := get("/orders/secret"); h.Get("X-Call") != "3" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("a no-store response was cached: X-Call %q, Cache-Control %q", h.Get("X-Call"), h.Get("Cache-Control"))
	}
}
