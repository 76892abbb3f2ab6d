package builtin_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/certificate"
	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
	"github.com/gatehouse/gatehouse/internal/gateway"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// clientCertPKI is the certificates of the validate-client-certificate
// tests: a root the gateway trusts, an intermediate under it that the
// gateway knows as an untrusted authority, a root it does not know, and
// client certificates issued by them.
type clientCertPKI struct {
	root, intermediate, stranger *certtest.Cert
	valid, viaIntermediate       *certtest.Cert // trusted, named "client-1" and "client-2"
	expired, notYet              *certtest.Cert // from root, out of their validity period
	untrusted                    *certtest.Cert // from stranger, named "client-1" too
}

func newClientCertPKI(t *testing.T) *clientCertPKI {
	t.Helper()
	p := &clientCertPKI{root: certtest.NewCA(t, "Gatehouse Test Root"), stranger: certtest.NewCA(t, "Stranger Root")}
	p.intermediate = p.root.Issue(t, certtest.Options{CommonName: "Gatehouse Test Intermediate", IsCA: true})
	p.valid = p.root.Issue(t, certtest.Options{CommonName: "client-1", Hosts: []string{"client-1.example.com"}})
	p.viaIntermediate = p.intermediate.Issue(t, certtest.Options{CommonName: "client-2"})
	p.expired = p.root.Issue(t, certtest.Options{CommonName: "client-1", NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	p.notYet = p.root.Issue(t, certtest.Options{CommonName: "client-1", NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour)})
	p.untrusted = p.stranger.Issue(t, certtest.Options{CommonName: "client-1"})
	return p
}

// clientCertGateway serves, over TLS on loopback, one API per policy
// (path = its key), each answering with what the backend saw, the
// gateway asking for client certificates and trusting pki's root (with
// its intermediate as an untrusted authority). on-error puts
// context.LastError.Reason in the X-Reason header.
func clientCertGateway(t *testing.T, pki *clientCertPKI, policies map[string]string) *httptest.Server {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "backend saw "+r.Header.Get("X-Client"))
	}))
	t.Cleanup(backend.Close)
	snap := &snapshot.Snapshot{Version: 1,
		Certificates: map[string]snapshot.Certificate{
			"root":         {ID: "root", Thumbprint: certificate.Thumbprint(pki.root.Cert), PEM: pki.root.CertPEM()},
			"intermediate": {ID: "intermediate", Thumbprint: certificate.Thumbprint(pki.intermediate.Cert), PEM: pki.intermediate.CertPEM()},
			"stranger":     {ID: "stranger", Thumbprint: certificate.Thumbprint(pki.stranger.Cert), PEM: pki.stranger.CertPEM()},
		},
		CertificateAuthorities: []snapshot.CertificateAuthority{{CertificateID: "root", Trusted: true}, {CertificateID: "intermediate"}},
	}
	for path, p := range policies {
		doc := `<policies><inbound><base />` + p + `
  <set-header name="X-Client" exists-action="override"><value>@(context.Request.Certificate?.Subject ?? "nobody")</value></set-header>
</inbound><backend><forward-request /></backend><on-error>
  <set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>
</on-error></policies>`
		snap.APIs = append(snap.APIs, snapshot.API{ID: path, Path: path, ServiceURL: backend.URL, KeyHeader: "k", KeyQuery: "k",
			Policy: doc, Operations: []snapshot.Operation{{ID: "all", Method: "*", URLTemplate: "/*"}}})
	}
	s := gateway.NewServer(gateway.Options{})
	t.Cleanup(func() { s.Close() })
	rt, err := s.Compile(snap)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s.Install(rt)
	gw := httptest.NewUnstartedServer(s)
	gw.TLS = &tls.Config{ClientAuth: tls.RequestClientCert} // as --negotiate-client-certificate
	gw.StartTLS()
	t.Cleanup(gw.Close)
	return gw
}

// callWith sends GET path to gw presenting cert (nil: none) and returns
// the status, body and X-Reason.
func callWith(t *testing.T, gw *httptest.Server, path string, cert *certtest.Cert) (int, string, string) {
	t.Helper()
	cfg := &tls.Config{RootCAs: x509.NewCertPool()}
	cfg.RootCAs.AddCert(gw.Certificate())
	if cert != nil {
		cfg.Certificates = []tls.Certificate{cert.TLS()}
	}
	tr := &http.Transport{TLSClientConfig: cfg}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(gw.URL + "/" + path + "/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("X-Reason")
}

// TestValidateClientCertificate runs the element behind a real TLS
// listener with certificates made for the test. APIM answers a failed
// validation 401 with "Client certificate missing" when there is no
// certificate and "Invalid client certificate" otherwise, and its
// context.LastError.Reason is ClientCertificateNotFound,
// ClientCertificateNotYetValid, ClientCertificateExpired,
// ClientCertificateNotTrusted or ClientCertificateIdentityNotMatched (as
// observed on APIM: github.com/ronaldbosma/mtls-with-apim, Scenario1Tests).
func TestValidateClientCertificate(t *testing.T) {
	t.Parallel()
	pki := newClientCertPKI(t)
	validTP := certificate.Thumbprint(pki.valid.Cert)
	gw := clientCertGateway(t, pki, map[string]string{
		// trust, validity and one of two identities; no revocation lists
		"strict": `<validate-client-certificate validate-revocation="false">
    <identities>
      <identity thumbprint="` + strings.ToLower(validTP) + `" />
      <identity common-name="client-2" issuer-subject="O=Gatehouse tests, CN=Gatehouse Test Intermediate" />
    </identities>
  </validate-client-certificate>`,
		// any certificate the gateway trusts
		"trusted": `<validate-client-certificate validate-revocation="false" />`,
		// all attributes of one identity must match
		"all-of": `<validate-client-certificate validate-revocation="false">
    <identities><identity common-name="client-1" dns-name="other.example.com" /></identities>
  </validate-client-certificate>`,
		// APIM's default: revocation is checked, and Gatehouse cannot
		"default":      `<validate-client-certificate />`,
		"ignore-error": `<validate-client-certificate validate-revocation="false" ignore-error="true" />`,
		// dates not checked: an expired certificate still chains
		"no-dates": `<validate-client-certificate validate-revocation="false" validate-not-before="false" validate-not-after="false" />`,
		// no chain: identities alone, with the issuer's id or thumbprint
		"by-issuer-id": `<validate-client-certificate validate-revocation="false" validate-trust="false">
    <identities><identity issuer-certificate-id="root" subject="CN=client-1, O=Gatehouse tests" serial-number="` + pki.valid.Cert.SerialNumber.Text(16) + `" /></identities>
  </validate-client-certificate>`,
		"by-issuer-thumbprint": `<validate-client-certificate validate-revocation="false" validate-trust="false">
    <identities><identity issuer-thumbprint="` + certificate.Thumbprint(pki.intermediate.Cert) + `" /></identities>
  </validate-client-certificate>`,
	})
	const missing, invalid = `{"statusCode":401,"message":"Client certificate missing"}`, `{"statusCode":401,"message":"Invalid client certificate"}`
	tests := []struct {
		name, path string
		cert       *certtest.Cert
		code       int
		body       string // for 401; else the backend's answer
		reason     string
	}{
		{name: "identity by thumbprint", path: "strict", cert: pki.valid, code: 200, body: "backend saw CN=client-1, O=Gatehouse tests"},
		{name: "identity by name and issuer, chain through an intermediate", path: "strict", cert: pki.viaIntermediate, code: 200, body: "backend saw CN=client-2, O=Gatehouse tests"},
		{name: "no certificate", path: "strict", code: 401, body: missing, reason: "ClientCertificateNotFound"},
		{name: "untrusted root", path: "strict", cert: pki.untrusted, code: 401, body: invalid, reason: "ClientCertificateNotTrusted"},
		{name: "expired", path: "strict", cert: pki.expired, code: 401, body: invalid, reason: "ClientCertificateExpired"},
		{name: "not yet valid", path: "strict", cert: pki.notYet, code: 401, body: invalid, reason: "ClientCertificateNotYetValid"},
		{name: "trusted, no identities", path: "trusted", cert: pki.viaIntermediate, code: 200, body: "backend saw CN=client-2, O=Gatehouse tests"},
		{name: "self-signed", path: "trusted", cert: certtest.SelfSigned(t, "client-1"), code: 401, body: invalid, reason: "ClientCertificateNotTrusted"},
		{name: "one attribute of the identity differs", path: "all-of", cert: pki.valid, code: 401, body: invalid, reason: "ClientCertificateIdentityNotMatched"},
		{name: "revocation cannot be checked", path: "default", cert: pki.valid, code: 401, body: invalid, reason: "ClientCertificateRevocationUnknown"},
		{name: "ignore-error, untrusted", path: "ignore-error", cert: pki.untrusted, code: 200, body: "backend saw CN=client-1, O=Gatehouse tests"},
		{name: "ignore-error, none", path: "ignore-error", code: 200, body: "backend saw nobody"},
		{name: "dates off, expired", path: "no-dates", cert: pki.expired, code: 200, body: "backend saw CN=client-1, O=Gatehouse tests"},
		{name: "dates off, untrusted", path: "no-dates", cert: pki.untrusted, code: 401, body: invalid, reason: "ClientCertificateNotTrusted"},
		{name: "issuer id, subject and serial", path: "by-issuer-id", cert: pki.valid, code: 200, body: "backend saw CN=client-1, O=Gatehouse tests"},
		{name: "issuer id, same name from another issuer", path: "by-issuer-id", cert: pki.untrusted, code: 401, body: invalid, reason: "ClientCertificateIdentityNotMatched"},
		{name: "issuer id, other serial", path: "by-issuer-id", cert: pki.expired, code: 401, body: invalid, reason: "ClientCertificateExpired"},
		{name: "issuer thumbprint of an authority", path: "by-issuer-thumbprint", cert: pki.viaIntermediate, code: 200, body: "backend saw CN=client-2, O=Gatehouse tests"},
		{name: "issuer thumbprint, other issuer", path: "by-issuer-thumbprint", cert: pki.valid, code: 401, body: invalid, reason: "ClientCertificateIdentityNotMatched"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, body, reason := callWith(t, gw, tt.path, tt.cert)
			if code != tt.code || body != tt.body || reason != tt.reason {
				t.Errorf("%s: %d %q (reason %q), want %d %q (reason %q)", tt.path, code, body, reason, tt.code, tt.body, tt.reason)
			}
		})
	}
}
