package gateway

import (
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// forwardProxy is a real HTTP forward proxy on loopback: absolute-form
// requests are sent on, CONNECT is tunnelled, both only with the
// expected Basic credentials (407 otherwise). hosts maps the host names
// it resolves itself (name:port → address), so that a backend reached
// through it needs no DNS entry on the gateway's side.
type forwardProxy struct {
	*httptest.Server
	user, password string
	hosts          map[string]string
	requests       atomic.Int64 // absolute-form requests sent on
	tunnels        atomic.Int64 // CONNECT tunnels opened
	mu             sync.Mutex
	auth           []string // Proxy-Authorization of each request, in order
	lines          []string // "METHOD absolute-URL" of each request sent on
}

func newForwardProxy(t *testing.T, user, password string, hosts map[string]string) *forwardProxy {
	t.Helper()
	p := &forwardProxy{user: user, password: password, hosts: hosts}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *forwardProxy) serve(w http.ResponseWriter, r *http.Request) {
	got := r.Header.Get("Proxy-Authorization")
	p.mu.Lock()
	p.auth = append(p.auth, got)
	p.mu.Unlock()
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.password))
	if got != want {
		w.Header().Set("Proxy-Authenticate", `Basic realm="test"`)
		http.Error(w, "proxy credentials wanted", http.StatusProxyAuthRequired)
		return
	}
	addr := r.Host
	if a, ok := p.hosts[addr]; ok {
		addr = a
	}
	if r.Method == http.MethodConnect {
		p.tunnel(w, addr)
		return
	}
	if !r.URL.IsAbs() {
		http.Error(w, "not a proxy request", http.StatusBadRequest)
		return
	}
	p.requests.Add(1)
	p.mu.Lock()
	p.lines = append(p.lines, r.Method+" "+r.URL.String())
	p.mu.Unlock()
	out := r.Clone(r.Context())
	out.RequestURI, out.URL.Host = "", addr
	out.Header.Del("Proxy-Authorization")
	res, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	for k, vs := range res.Header {
		w.Header()[k] = vs
	}
	w.Header().Set("X-Via-Test-Proxy", "1")
	w.WriteHeader(res.StatusCode)
	io.Copy(w, res.Body)
}

func (p *forwardProxy) tunnel(w http.ResponseWriter, addr string) {
	up, err := net.Dial("tcp", addr)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	p.tunnels.Add(1)
	w.WriteHeader(http.StatusOK)
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		up.Close()
		return
	}
	go func() {
		io.Copy(up, buf)
		up.Close()
	}()
	io.Copy(conn, up)
	conn.Close()
}

func (p *forwardProxy) lastAuth() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.auth) == 0 {
		return ""
	}
	return p.auth[len(p.auth)-1]
}

// TestProxyElement sends requests through a forward proxy named by the
// proxy element: absolute form to an http:// backend, a CONNECT tunnel to
// an https:// one, the password a named value.
func TestProxyElement(t *testing.T) {
	p := newPKI(t)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "plain "+r.URL.Path)
	}))
	t.Cleanup(plain.Close)
	secure := tlsBackend(t, p.server, nil)
	fp := newForwardProxy(t, "gw", "s3cret", nil)
	trusted := []snapshot.CertificateAuthority{{CertificateID: "backend-ca", Trusted: true}}
	for _, tt := range []struct {
		name, backend, password string
		wantStatus              int
		wantTunnel              bool
	}{
		{name: "http backend", backend: plain.URL, password: "s3cret", wantStatus: 200},
		{name: "https backend", backend: secure.URL, password: "s3cret", wantStatus: 200, wantTunnel: true},
		// The proxy's 407 to an absolute-form request is the backend's answer.
		{name: "wrong password, http", backend: plain.URL, password: "nope", wantStatus: 407},
		{name: "wrong password, https", backend: secure.URL, password: "nope", wantStatus: 502},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reqs, tunnels := fp.requests.Load(), fp.tunnels.Load()
			snap := &snapshot.Snapshot{Version: 1,
				APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: tt.backend, KeyHeader: "k", KeyQuery: "k",
					Policy:     `<policies><inbound><proxy url="{{proxy}}" username="gw" password="{{proxy-password}}" /></inbound><backend><forward-request /></backend></policies>`,
					Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
				Policy:                 snapshot.PolicyEnv{NamedValues: map[string]string{"proxy": fp.URL, "proxy-password": tt.password}},
				Certificates:           p.certs(t),
				CertificateAuthorities: trusted,
			}
			gw := serveSnapshot(t, snap)
			res, err := http.Get(gw + "/orders/items")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", res.StatusCode, body, tt.wantStatus)
			}
			wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("gw:"+tt.password))
			if got := fp.lastAuth(); got != wantAuth {
				t.Errorf("the proxy saw Proxy-Authorization %q, want %q", got, wantAuth)
			}
			if tt.wantStatus != 200 {
				return
			}
			if tt.wantTunnel {
				if fp.tunnels.Load() != tunnels+1 {
					t.Errorf("tunnels %d → %d, want one more", tunnels, fp.tunnels.Load())
				}
				if !strings.Contains(string(body), `"path":"/items"`) {
					t.Errorf("body %s", body)
				}
			} else {
				if fp.requests.Load() != reqs+1 || res.Header.Get("X-Via-Test-Proxy") != "1" {
					t.Errorf("proxied requests %d → %d, want one more", reqs, fp.requests.Load())
				}
				if string(body) != "plain /items" {
					t.Errorf("body %q", body)
				}
			}
		})
	}
}

// TestBackendEntityProxy: a backend entity's proxy carries its requests;
// the backend's name is resolved by the proxy only, and its certificate
// is still verified, by name, through the tunnel.
func TestBackendEntityProxy(t *testing.T) {
	p := newPKI(t)
	named := p.backendCA.Issue(t, certtest.Options{CommonName: "orders.internal", Hosts: []string{"orders.internal"}})
	secure := tlsBackend(t, named, nil)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(secure.URL, "https://"))
	fp := newForwardProxy(t, "gw", "pw", map[string]string{"orders.internal:" + port: "127.0.0.1:" + port, "wrong.internal:" + port: "127.0.0.1:" + port})
	trusted := []snapshot.CertificateAuthority{{CertificateID: "backend-ca", Trusted: true}}
	for _, tt := range []struct {
		name, host string
		cas        []snapshot.CertificateAuthority
		want       int
	}{
		{name: "verified", host: "orders.internal", cas: trusted, want: 200},
		{name: "CA not trusted", host: "orders.internal", want: 502},
		{name: "wrong name", host: "wrong.internal", cas: trusted, want: 502},
	} {
		t.Run(tt.name, func(t *testing.T) {
			be := snapshot.Backend{URL: "https://" + tt.host + ":" + port, ValidateCertificateChain: true, ValidateCertificateName: true,
				Proxy: &snapshot.Proxy{URL: fp.URL, Username: "gw", Password: "pw"}}
			gw := serveSnapshot(t, backendSnapshot(be, p.certs(t), tt.cas, ""))
			tunnels := fp.tunnels.Load()
			status, s := get(t, gw+"/orders/items")
			if status != tt.want {
				t.Fatalf("status %d, want %d", status, tt.want)
			}
			if fp.tunnels.Load() != tunnels+1 {
				t.Errorf("the request did not go through the proxy")
			}
			if tt.want == 200 && s.Path != "/items" {
				t.Errorf("backend saw %q", s.Path)
			}
		})
	}
}
