package gateway

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// TestSetForwardingHeaders: the forward's X-Forwarded-* are exactly
// httputil's SetXForwarded's, the Go client's User-Agent is not sent,
// and the values, which share one array, stay apart when one grows.
func TestSetForwardingHeaders(t *testing.T) {
	tests := []struct {
		name       string
		remoteAddr string
		tls        bool
		header     http.Header // the outbound request's before the hook
	}{
		{name: "IPv4 client", remoteAddr: "192.0.2.7:5123"},
		{name: "IPv6 client over TLS", remoteAddr: "[2001:db8::7]:443", tls: true},
		{name: "unparsable peer drops X-Forwarded-For", remoteAddr: "pipe", header: http.Header{"X-Forwarded-For": {"198.51.100.1"}}},
		{name: "prior proxies kept", remoteAddr: "10.0.0.5:80", header: http.Header{"X-Forwarded-For": {"198.51.100.1, 198.51.100.2", "203.0.113.9"}}},
		{name: "client's User-Agent kept", remoteAddr: "192.0.2.7:1", header: http.Header{"User-Agent": {"curl/8"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := httptest.NewRequest(http.MethodGet, "http://gw.example:8080/x", nil)
			in.RemoteAddr = tt.remoteAddr
			if tt.tls {
				in.TLS = &tls.ConnectionState{}
			}
			want := &httputil.ProxyRequest{In: in, Out: &http.Request{Header: tt.header.Clone()}}
			if want.Out.Header == nil {
				want.Out.Header = http.Header{}
			}
			want.SetXForwarded()
			if _, ok := want.Out.Header["User-Agent"]; !ok {
				want.Out.Header["User-Agent"] = []string{""} // what ReverseProxy adds after Rewrite
			}
			got := &httputil.ProxyRequest{In: in, Out: &http.Request{Header: tt.header.Clone()}}
			if got.Out.Header == nil {
				got.Out.Header = http.Header{}
			}
			setForwardingHeaders(got, new([4]string))
			if !reflect.DeepEqual(got.Out.Header, want.Out.Header) {
				t.Fatalf("headers %v, want %v", got.Out.Header, want.Out.Header)
			}
			got.Out.Header.Add("X-Forwarded-For", "appended")
			got.Out.Header.Add("X-Forwarded-Host", "appended")
			got.Out.Header.Add("X-Forwarded-Proto", "appended")
			if h := got.Out.Header; h.Get("X-Forwarded-Host") != in.Host || h.Get("X-Forwarded-Proto") != want.Out.Header.Get("X-Forwarded-Proto") ||
				h.Get("User-Agent") != want.Out.Header.Get("User-Agent") {
				t.Errorf("an append to one header changed another: %v", h)
			}
		})
	}
}

// TestForwardingHeadersThroughGateway: through a real gateway, on the
// path without a policy and on the policy path, the backend gets the
// client appended to X-Forwarded-For, the host and scheme the client
// used, and the client's User-Agent or none (never Go's).
func TestForwardingHeadersThroughGateway(t *testing.T) {
	seen := make(chan http.Header, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
	}))
	defer backend.Close()
	const policy = `<policies><inbound><set-header name="X-Policy" exists-action="override"><value>in</value></set-header></inbound>
	  <backend><forward-request /></backend></policies>`
	for _, path := range []struct{ name, policy string }{{"no-policy", ""}, {"policy", policy}} {
		front := startGateway(t, backend.URL, path.policy)
		host := strings.TrimPrefix(strings.TrimSuffix(front, "/conf"), "http://")
		for _, ua := range []string{"", "curl/8"} {
			req, _ := http.NewRequest(http.MethodGet, front+"/x", nil)
			req.Header["User-Agent"] = []string{ua} // "": none is sent
			req.Header.Set("X-Forwarded-For", "198.51.100.1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := <-seen
			if got := h.Get("X-Forwarded-For"); got != "198.51.100.1, 127.0.0.1" {
				t.Errorf("%s: X-Forwarded-For %q, want the client appended to the caller's", path.name, got)
			}
			if h.Get("X-Forwarded-Host") != host || h.Get("X-Forwarded-Proto") != "http" {
				t.Errorf("%s: X-Forwarded-Host %q, -Proto %q; want %q, http", path.name, h.Get("X-Forwarded-Host"), h.Get("X-Forwarded-Proto"), host)
			}
			if got, ok := h["User-Agent"]; (ua == "" && ok) || (ua != "" && (len(got) != 1 || got[0] != ua)) {
				t.Errorf("%s: client User-Agent %q, the backend got %q", path.name, ua, got)
			}
		}
	}
}

// TestBufferPoolAllocatesNothing: once warm, lending a body buffer and
// taking it back allocates nothing.
func TestBufferPoolAllocatesNothing(t *testing.T) {
	bp := newBufferPool()
	bp.Put(bp.Get())
	if n := testing.AllocsPerRun(1000, func() { bp.Put(bp.Get()) }); n != 0 {
		t.Errorf("Get and Put: %v allocations, want 0", n)
	}
	if b := bp.Get(); len(b) != 32<<10 {
		t.Errorf("buffer of %d bytes, want 32 KiB", len(b))
	}
}

// TestCloneValues: the policies' copy of the query is independent of the
// original, value by value.
func TestCloneValues(t *testing.T) {
	orig, _ := url.ParseQuery("a=1&a=2&b=x&c=")
	cp := cloneValues(orig)
	if !reflect.DeepEqual(cp, orig) {
		t.Fatalf("copy %v, want %v", cp, orig)
	}
	cp["a"][0] = "changed"
	cp.Add("a", "3")
	cp.Add("b", "y")
	cp.Del("c")
	if want, _ := url.ParseQuery("a=1&a=2&b=x&c="); !reflect.DeepEqual(orig, want) {
		t.Errorf("changing the copy changed the original: %v", orig)
	}
	if got := cp["b"]; !reflect.DeepEqual(got, []string{"x", "y"}) {
		t.Errorf("b = %q after appends to a and b, want [x y]", got)
	}
	if cloneValues(nil) == nil {
		t.Error("a copy of no query is nil; policies add parameters to it")
	}
}

// TestRequestURL: context.Request.OriginalUrl's host and port, with and
// without a port in Host.
func TestRequestURL(t *testing.T) {
	tests := []struct {
		host     string
		tls      bool
		wantHost string
		wantPort int
	}{
		{"gw.example", false, "gw.example", 80},
		{"gw.example", true, "gw.example", 443},
		{"gw.example:8080", false, "gw.example", 8080},
		{"[2001:db8::1]:8443", true, "2001:db8::1", 8443},
		{"[2001:db8::1]", false, "[2001:db8::1]", 80},
		{"gw.example:", false, "gw.example", 0},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/x?a=1", nil)
		r.Host = tt.host
		if tt.tls {
			r.TLS = &tls.ConnectionState{}
		}
		var u expr.URL
		requestURL(&u, r)
		if u.Host != tt.wantHost || u.Port != tt.wantPort || u.QueryValues().Get("a") != "1" {
			t.Errorf("Host %q: %q port %d query %v, want %q port %d", tt.host, u.Host, u.Port, u.Query, tt.wantHost, tt.wantPort)
		}
	}
}

// BenchmarkProxyOpen measures a whole request to an API without
// subscription through ServeHTTP to a loopback backend, the open
// counterpart of BenchmarkProxyKeyed.
func BenchmarkProxyOpen(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true}`)
	}))
	defer backend.Close()
	s := NewServer(Options{})
	s.Load(testSnapshot(backend.URL))
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/shop/items/42", nil)
		clear(w.h)
		s.ServeHTTP(w, req)
	}
}
