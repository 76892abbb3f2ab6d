package gateway

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/certificate"
	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// seen is what the TLS backend reports about a request.
type seen struct {
	ClientCN      string `json:"clientCN"`
	Key           string `json:"key"`
	Query         string `json:"query"`
	Authorization string `json:"authorization"`
	Path          string `json:"path"`
}

// tlsBackend starts an HTTPS server on loopback with cert that requires
// a client certificate issued by clientCA, and answers with what it saw.
func tlsBackend(t *testing.T, cert *certtest.Cert, clientCA *certtest.Cert) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seen{Key: r.Header.Get("X-Backend-Key"), Query: r.URL.Query().Get("code"),
			Authorization: r.Header.Get("Authorization"), Path: r.URL.Path}
		if len(r.TLS.PeerCertificates) > 0 {
			s.ClientCN = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		json.NewEncoder(w).Encode(s)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS()}, MinVersion: tls.VersionTLS12}
	if clientCA != nil {
		srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
		srv.TLS.ClientCAs = clientCA.Pool()
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// pki is the certificates of the backend TLS tests.
type pki struct {
	backendCA, clientCA *certtest.Cert
	server              *certtest.Cert // for 127.0.0.1 only, by backendCA
	selfSigned          *certtest.Cert // for 127.0.0.1, by nobody
	clientA, clientB    *certtest.Cert // by clientCA
}

func newPKI(t *testing.T) *pki {
	p := &pki{backendCA: certtest.NewCA(t, "Backend CA"), clientCA: certtest.NewCA(t, "Client CA")}
	p.server = p.backendCA.Issue(t, certtest.Options{CommonName: "backend", Hosts: []string{"127.0.0.1"}})
	p.selfSigned = certtest.SelfSigned(t, "self-signed", "127.0.0.1")
	p.clientA = p.clientCA.Issue(t, certtest.Options{CommonName: "client-a"})
	p.clientB = p.clientCA.Issue(t, certtest.Options{CommonName: "client-b"})
	return p
}

// certs returns the snapshot certificates of p.
func (p *pki) certs(t *testing.T) map[string]snapshot.Certificate {
	return map[string]snapshot.Certificate{
		"backend-ca": {ID: "backend-ca", PEM: p.backendCA.CertPEM()},
		"client-a":   {ID: "client-a", PEM: p.clientA.PEM(t)},
		"client-b":   {ID: "Client-B", PEM: p.clientB.PEM(t)},
	}
}

// backendSnapshot serves API "orders" at /orders whose policy sends every
// request to backend entity "b" (be) with the elements in extra.
func backendSnapshot(be snapshot.Backend, certs map[string]snapshot.Certificate, cas []snapshot.CertificateAuthority, extra string) *snapshot.Snapshot {
	return &snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: "http://127.0.0.1:1", KeyHeader: "k", KeyQuery: "k",
			Policy:     `<policies><inbound><set-backend-service backend-id="b" />` + extra + `</inbound><backend><forward-request /></backend></policies>`,
			Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
		Policy:                 snapshot.PolicyEnv{Backends: map[string]string{"b": be.URL}},
		Backends:               map[string]snapshot.Backend{"b": be},
		Certificates:           certs,
		CertificateAuthorities: cas,
	}
}

func serveSnapshot(t *testing.T, snap *snapshot.Snapshot) string {
	t.Helper()
	s := NewServer(Options{})
	rt, err := s.Compile(snap)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s.Install(rt)
	gw := httptest.NewServer(s)
	t.Cleanup(gw.Close)
	return gw.URL
}

func get(t *testing.T, u string) (int, seen) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var s seen
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatalf("backend answer %q: %v", body, err)
		}
	}
	return resp.StatusCode, s
}

func TestBackendTLS(t *testing.T) {
	p := newPKI(t)
	mtls := tlsBackend(t, p.server, p.clientCA)
	selfSigned := tlsBackend(t, p.selfSigned, nil)
	localhost := strings.Replace(mtls.URL, "127.0.0.1", "localhost", 1) // the certificate names 127.0.0.1 only
	trusted := []snapshot.CertificateAuthority{{CertificateID: "backend-ca", Trusted: true}}
	tests := []struct {
		name       string
		backend    snapshot.Backend
		cas        []snapshot.CertificateAuthority
		extra      string
		wantStatus int
		wantCN     string
	}{
		{name: "client certificate of the backend, private CA trusted",
			backend: snapshot.Backend{URL: mtls.URL, CertificateIDs: []string{"client-a"}, ValidateCertificateChain: true, ValidateCertificateName: true},
			cas:     trusted, wantStatus: 200, wantCN: "client-a"},
		{name: "private CA not trusted",
			backend:    snapshot.Backend{URL: mtls.URL, CertificateIDs: []string{"client-a"}, ValidateCertificateChain: true, ValidateCertificateName: true},
			wantStatus: 502},
		{name: "private CA only an intermediate",
			backend:    snapshot.Backend{URL: mtls.URL, CertificateIDs: []string{"client-a"}, ValidateCertificateChain: true, ValidateCertificateName: true},
			cas:        []snapshot.CertificateAuthority{{CertificateID: "backend-ca"}},
			wantStatus: 502},
		{name: "no client certificate",
			backend: snapshot.Backend{URL: mtls.URL, ValidateCertificateChain: true, ValidateCertificateName: true},
			cas:     trusted, wantStatus: 502},
		{name: "authentication-certificate by id replaces the backend's",
			backend: snapshot.Backend{URL: mtls.URL, CertificateIDs: []string{"client-a"}, ValidateCertificateChain: true, ValidateCertificateName: true},
			cas:     trusted, extra: `<authentication-certificate certificate-id="client-b" />`, wantStatus: 200, wantCN: "client-b"},
		{name: "authentication-certificate by thumbprint",
			backend: snapshot.Backend{URL: mtls.URL, ValidateCertificateChain: true, ValidateCertificateName: true},
			cas:     trusted, extra: `<authentication-certificate thumbprint="` + thumbprintOf(p.clientB) + `" />`, wantStatus: 200, wantCN: "client-b"},
		{name: "authentication-certificate from a PFX body",
			backend: snapshot.Backend{URL: mtls.URL, ValidateCertificateChain: true, ValidateCertificateName: true},
			cas:     trusted, extra: `<authentication-certificate body="` + p.clientA.PFXBase64(t, "pfx-pw") + `" password="pfx-pw" />`, wantStatus: 200, wantCN: "client-a"},
		{name: "self-signed backend refused",
			backend:    snapshot.Backend{URL: selfSigned.URL, ValidateCertificateChain: true, ValidateCertificateName: true},
			wantStatus: 502},
		{name: "self-signed backend with validateCertificateChain false",
			backend:    snapshot.Backend{URL: selfSigned.URL, ValidateCertificateChain: false, ValidateCertificateName: true},
			wantStatus: 200},
		{name: "wrong host name",
			backend: snapshot.Backend{URL: localhost, CertificateIDs: []string{"client-a"}, ValidateCertificateChain: true, ValidateCertificateName: true},
			cas:     trusted, wantStatus: 502},
		{name: "wrong host name with validateCertificateName false",
			backend: snapshot.Backend{URL: localhost, CertificateIDs: []string{"client-a"}, ValidateCertificateChain: true, ValidateCertificateName: false},
			cas:     trusted, wantStatus: 200, wantCN: "client-a"},
		{name: "wrong host name, self-signed, no validation",
			backend:    snapshot.Backend{URL: strings.Replace(selfSigned.URL, "127.0.0.1", "localhost", 1)},
			wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gw := serveSnapshot(t, backendSnapshot(tt.backend, p.certs(t), tt.cas, tt.extra))
			status, s := get(t, gw+"/orders/items")
			if status != tt.wantStatus || s.ClientCN != tt.wantCN {
				t.Errorf("got %d, client certificate %q; want %d, %q", status, s.ClientCN, tt.wantStatus, tt.wantCN)
			}
		})
	}
}

func thumbprintOf(c *certtest.Cert) string { return certificate.Thumbprint(c.Cert) }

func TestBackendCredentials(t *testing.T) {
	p := newPKI(t)
	mtls := tlsBackend(t, p.server, p.clientCA)
	be := snapshot.Backend{URL: mtls.URL + "/v1", CertificateIDs: []string{"client-a"}, ValidateCertificateChain: true, ValidateCertificateName: true,
		Header:        map[string][]string{"x-backend-key": {"k-123"}},
		Query:         map[string][]string{"code": {"c 456"}},
		Authorization: &snapshot.Authorization{Scheme: "Bearer", Parameter: "t-789"}}
	gw := serveSnapshot(t, backendSnapshot(be, p.certs(t), []snapshot.CertificateAuthority{{CertificateID: "backend-ca", Trusted: true}},
		`<set-header name="Authorization" exists-action="override"><value>client's</value></set-header>`))
	status, s := get(t, gw+"/orders/items?code=client")
	want := seen{ClientCN: "client-a", Key: "k-123", Query: "c 456", Authorization: "Bearer t-789", Path: "/v1/items"}
	if status != 200 || s != want {
		t.Errorf("got %d %+v, want 200 %+v", status, s, want)
	}
}

// TestTransportsSurviveReloads checks that transports are built when a
// snapshot is compiled and kept while their TLS settings stay the same.
func TestTransportsSurviveReloads(t *testing.T) {
	p := newPKI(t)
	s := NewServer(Options{})
	be := snapshot.Backend{URL: "https://127.0.0.1:1", CertificateIDs: []string{"client-a"}, ValidateCertificateChain: true, ValidateCertificateName: true}
	trusted := []snapshot.CertificateAuthority{{CertificateID: "backend-ca", Trusted: true}}
	compile := func(be snapshot.Backend, cas []snapshot.CertificateAuthority) *Runtime {
		t.Helper()
		rt, err := s.Compile(backendSnapshot(be, p.certs(t), cas, ""))
		if err != nil {
			t.Fatal(err)
		}
		return rt
	}
	transportOf := func(rt *Runtime) http.RoundTripper { return rt.up.transport(rt.up.backends["b"], nil) }
	first := compile(be, trusted)
	second := compile(be, trusted)
	if transportOf(first) != transportOf(second) {
		t.Error("an unchanged backend got a new transport on reload")
	}
	if transportOf(first) == s.transport {
		t.Error("a backend with a client certificate uses the default transport")
	}
	be.ValidateCertificateName = false
	third := compile(be, trusted)
	if transportOf(third) == transportOf(second) {
		t.Error("a backend whose TLS settings changed kept its transport")
	}
	fourth := compile(be, nil)
	if transportOf(fourth) == transportOf(third) {
		t.Error("a change of certificate authorities kept the transport")
	}
	if len(s.transports.m) != len(fourth.up.transports)-1 { // the default one is s.transport
		t.Errorf("the cache keeps %d transports, the runtime uses %d", len(s.transports.m), len(fourth.up.transports)-1)
	}
	if fourth.up.def != s.transport {
		t.Error("without certificate authorities, service URLs do not use the default transport")
	}
	if compile(be, trusted).up.def == s.transport {
		t.Error("with certificate authorities, service URLs use a transport that does not trust them")
	}
}

// TestServiceURLTrustsCertificateAuthorities checks that an API's service
// URL (the fast path, no policy) is verified against the gateway's
// certificate authorities too.
func TestServiceURLTrustsCertificateAuthorities(t *testing.T) {
	p := newPKI(t)
	backend := tlsBackend(t, p.server, nil)
	for _, tt := range []struct {
		cas  []snapshot.CertificateAuthority
		want int
	}{{nil, 502}, {[]snapshot.CertificateAuthority{{CertificateID: "backend-ca", Trusted: true}}, 200}} {
		snap := &snapshot.Snapshot{Version: 1,
			APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend.URL, KeyHeader: "k", KeyQuery: "k",
				Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
			Certificates: p.certs(t), CertificateAuthorities: tt.cas}
		gw := serveSnapshot(t, snap)
		if status, _ := get(t, gw+"/orders/x"); status != tt.want {
			t.Errorf("with %d certificate authorities: %d, want %d", len(tt.cas), status, tt.want)
		}
	}
}

// TestSendRequestTrustsCertificateAuthorities: send-request reaches a
// service whose certificate a gateway certificate authority issued.
func TestSendRequestTrustsCertificateAuthorities(t *testing.T) {
	p := newPKI(t)
	side := tlsBackend(t, p.server, nil)
	policy := `<policies><inbound><send-request mode="new" response-variable-name="r" ignore-error="true"><set-url>` + side.URL + `/lookup</set-url></send-request>
	  <return-response><set-status code="200" /><set-body>@(context.Variables["r"] == null ? "unreachable" : "status " + ((IResponse)context.Variables["r"]).StatusCode)</set-body></return-response></inbound></policies>`
	for _, tt := range []struct {
		cas  []snapshot.CertificateAuthority
		want string
	}{{nil, "unreachable"}, {[]snapshot.CertificateAuthority{{CertificateID: "backend-ca", Trusted: true}}, "status 200"}} {
		snap := &snapshot.Snapshot{Version: 1,
			APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: side.URL, KeyHeader: "k", KeyQuery: "k", Policy: policy,
				Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
			Certificates: p.certs(t), CertificateAuthorities: tt.cas}
		gw := serveSnapshot(t, snap)
		resp, err := http.Get(gw + "/orders/x")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != tt.want {
			t.Errorf("with %d certificate authorities: %d %q, want %q", len(tt.cas), resp.StatusCode, body, tt.want)
		}
	}
}

// TestSendRequestPresentsClientCertificate: authentication-certificate
// inside send-request makes the side request present that certificate
// to a service that requires one; the API's own forward does not.
func TestSendRequestPresentsClientCertificate(t *testing.T) {
	p := newPKI(t)
	mtls := tlsBackend(t, p.server, p.clientCA)
	policy := `<policies><inbound><send-request mode="new" response-variable-name="r"><set-url>` + mtls.URL + `/lookup</set-url>
	  <authentication-certificate certificate-id="client-a" /></send-request>
	  <return-response><set-body>@(((IResponse)context.Variables["r"]).Body.As<string>())</set-body></return-response></inbound></policies>`
	snap := &snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: mtls.URL, KeyHeader: "k", KeyQuery: "k", Policy: policy,
			Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
		Certificates: p.certs(t), CertificateAuthorities: []snapshot.CertificateAuthority{{CertificateID: "backend-ca", Trusted: true}}}
	gw := serveSnapshot(t, snap)
	status, s := get(t, gw+"/orders/x")
	if status != 200 || s.ClientCN != "client-a" || s.Path != "/lookup" {
		t.Errorf("send-request with a client certificate: %d, the service saw %+v", status, s)
	}
}

// TestBackendWithoutItsCertificateFails checks that a backend whose client
// certificate is missing from the snapshot fails its requests rather than
// reaching the backend without it.
func TestBackendWithoutItsCertificateFails(t *testing.T) {
	p := newPKI(t)
	mtls := tlsBackend(t, p.server, nil) // would accept a request without a client certificate
	be := snapshot.Backend{URL: mtls.URL, CertificateIDs: []string{"missing"}, ValidateCertificateChain: false, ValidateCertificateName: false}
	s := NewServer(Options{})
	rt, err := s.Compile(backendSnapshot(be, p.certs(t), nil, ""))
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("compile error %v, want one naming the missing certificate", err)
	}
	s.Install(rt)
	gw := httptest.NewServer(s)
	t.Cleanup(gw.Close)
	if status, _ := get(t, gw.URL+"/orders/items"); status != http.StatusBadGateway {
		t.Errorf("status %d, want 502", status)
	}
}
