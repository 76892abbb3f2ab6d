package gateway

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// pathRecorder is a backend that records the request target of every
// request it gets, as written on the request line.
type pathRecorder struct {
	mu    sync.Mutex
	paths []string
}

func (p *pathRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.paths = append(p.paths, r.RequestURI)
	p.mu.Unlock()
	io.WriteString(w, "ok")
}

// take returns the paths recorded since the last call.
func (p *pathRecorder) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.paths
	p.paths = nil
	return out
}

// rawGet sends "GET target HTTP/1.1" to addr exactly as given, so that no
// client cleans the path first, and returns the status and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n", target)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// pathGateway starts a backend that records paths and a gateway in front
// of it on loopback, with APIs docs and pub whose service URLs end in
// /scripts, an API at docs/v2, and an API rw with a rewrite-uri policy.
func pathGateway(t *testing.T) (addr string, backend *pathRecorder) {
	t.Helper()
	backend = &pathRecorder{}
	be := httptest.NewServer(backend)
	t.Cleanup(be.Close)
	all := []snapshot.Operation{{ID: "all", Method: "*", URLTemplate: "/*"}}
	api := func(id, path, policy string) snapshot.API {
		return snapshot.API{ID: id, Path: path, ServiceURL: be.URL + "/scripts", KeyHeader: "k", KeyQuery: "k", Operations: all, Policy: policy}
	}
	s := NewServer(Options{})
	t.Cleanup(func() { s.Close() })
	rt, err := s.Compile(&snapshot.Snapshot{Version: 1, APIs: []snapshot.API{
		api("docs", "docs", ""),
		api("docs-v2", "docs/v2", ""),
		api("pub", "pub", ""),
		api("rw", "rw", `<policies><inbound><rewrite-uri template="/files/{name}" copy-unmatched-params="false" /></inbound><backend><forward-request /></backend></policies>`),
		api("sbs", "sbs", `<policies><inbound><set-backend-service base-url="@(&quot;`+be.URL+`/tenants/&quot; + context.Request.Headers.GetValueOrDefault(&quot;X-Tenant&quot;, &quot;none&quot;))" /></inbound><backend><forward-request /></backend></policies>`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	s.Install(rt)
	gw := httptest.NewServer(s)
	t.Cleanup(gw.Close)
	return gw.Listener.Addr().String(), backend
}

// TestPathsCannotEscape sends paths as an attacker writes them (curl
// --path-as-is) through a real gateway to a backend that records what it
// gets: dot segments are resolved within the API, and a path that would
// leave the API's path, or that has an encoded slash, backslash or
// control character, is refused with 400 without reaching the backend.
func TestPathsCannotEscape(t *testing.T) {
	addr, backend := pathGateway(t)
	tests := []struct {
		name, target string
		want         string // what the backend gets; empty: 400, backend not called
	}{
		{name: "plain", target: "/docs/a/b", want: "/scripts/a/b"},
		{name: "dot dot within the API", target: "/docs/a/../b", want: "/scripts/b"},
		{name: "dot", target: "/docs/./b", want: "/scripts/b"},
		{name: "encoded dot dot within the API", target: "/docs/a/%2e%2e/b", want: "/scripts/b"},
		{name: "double slash kept", target: "/docs//a", want: "/scripts//a"},
		{name: "double slash then dot dot", target: "/docs/a//../b", want: "/scripts/a/b"},
		{name: "other escapes kept", target: "/docs/a%20b", want: "/scripts/a%20b"},
		{name: "query kept", target: "/docs/a/../b?x=1", want: "/scripts/b?x=1"},
		{name: "into a longer API path", target: "/docs/x/../v2/y", want: "/scripts/y"},
		{name: "dot dot out of the API", target: "/docs/../x"},
		{name: "dot dot to the admin token", target: "/docs/../gatehouse-data/admin.token"},
		{name: "dot dot to another API", target: "/docs/../pub/x"},
		{name: "out of the longer API", target: "/docs/v2/../x"},
		{name: "above the root", target: "/../docs/x"},
		{name: "encoded dot dot out of the API", target: "/docs/%2e%2e/x"},
		{name: "half-encoded dot dot", target: "/docs/%2E./x"},
		{name: "encoded slashes", target: "/pub/..%2f..%2fadmin"},
		{name: "encoded slash in a name", target: "/pub/a%2Fb"},
		{name: "backslashes", target: `/pub/..\..\admin`},
		{name: "encoded backslashes", target: "/pub/..%5c..%5cadmin"},
		{name: "double slash cannot climb", target: "/docs//../../x"},
		{name: "trailing NUL", target: "/docs/a%00"},
		{name: "encoded CR LF", target: "/docs/a%0d%0aX:1"},
		{name: "rewrite-uri within the base", target: "/rw/x?name=../b", want: "/scripts/b"},
		{name: "rewrite-uri above the base", target: "/rw/x?name=../../admin"},
		{name: "rewrite-uri with a backslash", target: "/rw/x?name=..%5Cadmin"},
		{name: "set-backend-service", target: "/sbs/x", want: "/tenants/none/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := rawGet(t, addr, tt.target)
			got := backend.take()
			if tt.want == "" {
				var e struct {
					StatusCode int    `json:"statusCode"`
					Message    string `json:"message"`
				}
				if code != 400 || json.Unmarshal([]byte(body), &e) != nil || e.StatusCode != 400 || e.Message == "" || len(got) != 0 {
					t.Errorf("GET %s: %d %s, backend got %q; want 400 in the gateway's error shape and no backend call", tt.target, code, body, got)
				}
				return
			}
			if code != 200 || len(got) != 1 || got[0] != tt.want {
				t.Errorf("GET %s: %d %s, backend got %q; want 200 and %q", tt.target, code, body, got, tt.want)
			}
		})
	}
}

// TestSetBackendServiceCannotEscape: a base URL that an expression builds
// from a header is refused when the header adds dot segments.
func TestSetBackendServiceCannotEscape(t *testing.T) {
	addr, backend := pathGateway(t)
	for tenant, want := range map[string]string{"acme": "/tenants/acme/x", "..": "", "../../admin": "", "%2e%2e": ""} {
		req, err := http.NewRequest("GET", "http://"+addr+"/sbs/x", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Tenant", tenant)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := backend.take()
		if want == "" && (resp.StatusCode != 400 || len(got) != 0) {
			t.Errorf("X-Tenant %q: %d, backend got %q; want 400 and no backend call", tenant, resp.StatusCode, got)
		}
		if want != "" && (resp.StatusCode != 200 || strings.Join(got, " ") != want) {
			t.Errorf("X-Tenant %q: %d, backend got %q; want %q", tenant, resp.StatusCode, got, want)
		}
	}
}

// BenchmarkCleanPath measures what the path check adds to a request
// whose path has nothing to resolve.
func BenchmarkCleanPath(b *testing.B) {
	s := NewServer(Options{})
	s.Load(testSnapshot("http://127.0.0.1:9"))
	rt := s.rt.Load()
	req := httptest.NewRequest("GET", "/shop/orders/42", nil)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if !s.cleanPath(w, req, rt) {
			b.Fatal("refused")
		}
	}
}
