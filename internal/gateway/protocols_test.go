package gateway

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

func TestAPIsAreServedOnlyOverTheirProtocols(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(backend.Close)
	s := NewServer(Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	api := func(id string, protocols ...string) snapshot.API {
		return snapshot.API{ID: id, Path: id, ServiceURL: backend.URL, KeyHeader: "k", KeyQuery: "k", Protocols: protocols,
			Operations: []snapshot.Operation{{ID: "all", Method: "*", URLTemplate: "/*"}}}
	}
	err := s.Load(&snapshot.Snapshot{Version: 1, APIs: []snapshot.API{
		api("both"), api("secure", "https"), api("plain", "http"), api("listed", "https", "http"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	plain := httptest.NewServer(s)
	t.Cleanup(plain.Close)
	secure := httptest.NewTLSServer(s)
	t.Cleanup(secure.Close)
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	t.Cleanup(tlsClient.CloseIdleConnections)
	get := func(client *http.Client, url string, header ...string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(header) == 2 {
			req.Header.Set(header[0], header[1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		path              string
		overHTTP, overTLS int
	}{
		{"/both/x", 204, 204}, {"/secure/x", 404, 204}, {"/plain/x", 204, 404}, {"/listed/x", 204, 204},
	}
	for _, tt := range tests {
		if got := get(http.DefaultClient, plain.URL+tt.path); got != tt.overHTTP {
			t.Errorf("%s over http: %d, want %d", tt.path, got, tt.overHTTP)
		}
		if got := get(tlsClient, secure.URL+tt.path); got != tt.overTLS {
			t.Errorf("%s over https: %d, want %d", tt.path, got, tt.overTLS)
		}
	}
	// Behind a trusted proxy that terminated TLS, its X-Forwarded-Proto
	// says what the client used.
	if got := get(http.DefaultClient, plain.URL+"/secure/x", "X-Forwarded-Proto", "https"); got != 204 {
		t.Errorf("https-only API behind a TLS-terminating proxy: %d, want 204", got)
	}
	if got := get(tlsClient, secure.URL+"/plain/x", "X-Forwarded-Proto", "http"); got != 204 {
		t.Errorf("http-only API behind a proxy that took http: %d, want 204", got)
	}
	untrusted := NewServer(Options{})
	if err := untrusted.Load(&snapshot.Snapshot{Version: 1, APIs: []snapshot.API{api("secure", "https")}}); err != nil {
		t.Fatal(err)
	}
	direct := httptest.NewServer(untrusted)
	t.Cleanup(direct.Close)
	if got := get(http.DefaultClient, direct.URL+"/secure/x", "X-Forwarded-Proto", "https"); got != 404 {
		t.Errorf("X-Forwarded-Proto from a client that is not a trusted proxy: %d, want 404", got)
	}
}
