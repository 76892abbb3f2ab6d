package main

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

// TestClientCertificatesThroughServe: a CA uploaded through the
// management API and made a trusted authority of the embedded gateway is
// what validate-client-certificate builds chains to, over the HTTPS
// listener that --negotiate-client-certificate makes ask for certificates.
func TestClientCertificatesThroughServe(t *testing.T) {
	listenerCA := certtest.NewCA(t, "Listener CA")
	listener := listenerCA.Issue(t, certtest.Options{CommonName: "gateway", Hosts: []string{"127.0.0.1"}})
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(certFile, []byte(listener.CertPEM()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte(listener.PEM(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	clientCA := certtest.NewCA(t, "Client CA")
	client := clientCA.Issue(t, certtest.Options{CommonName: "partner-1"})
	stranger := certtest.NewCA(t, "Stranger CA").Issue(t, certtest.Options{CommonName: "partner-1"})

	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(backend.Close)
	in := startServe(t, t.TempDir(), "", func(c *serveConfig) {
		c.GatewayHTTPS, c.TLSCert, c.TLSKey = "127.0.0.1:0", certFile, keyFile
		c.NegotiateClientCertificate = true
	})
	caUpload, _ := json.Marshal(map[string]any{"properties": map[string]string{"data": clientCA.CertPEM()}})
	in.must("PUT", "/certificates/client-ca", string(caUpload))
	in.must("PUT", "/gateways/managed/certificateAuthorities/client-ca", `{"properties": {"isTrusted": true}}`)
	in.must("PUT", "/apis/partners", `{"properties": {"displayName": "Partners", "path": "partners", "serviceUrl": "`+backend.URL+`", "subscriptionRequired": false}}`)
	in.must("PUT", "/apis/partners/operations/all", `{"properties": {"displayName": "All", "method": "*", "urlTemplate": "/*"}}`)
	in.must("PUT", "/apis/partners/policy", `{"properties": {"format": "rawxml", "value": "<policies><inbound><base />`+
		`<validate-client-certificate validate-revocation=\"false\"><identities><identity issuer-certificate-id=\"client-ca\" common-name=\"partner-1\" /></identities></validate-client-certificate>`+
		`</inbound><backend><forward-request /></backend></policies>"}}`)

	call := func(cert *certtest.Cert) int {
		cfg := &tls.Config{RootCAs: listenerCA.Pool()}
		if cert != nil {
			cfg.Certificates = []tls.Certificate{cert.TLS()}
		}
		tr := &http.Transport{TLSClientConfig: cfg}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get("https://" + in.addrs.GatewayHTTPS + "/partners/orders")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	// The API is live before its policy is: until the policy is, any
	// certificate passes, so the wait is for both answers.
	eventually(t, 20*time.Second, "the partner's certificate is accepted, the stranger's refused", func() bool {
		return call(client) == http.StatusOK && call(stranger) == http.StatusUnauthorized
	})
	if got := call(stranger); got != http.StatusUnauthorized {
		t.Errorf("same name from an unknown CA: %d, want 401", got)
	}
	if got := call(nil); got != http.StatusUnauthorized {
		t.Errorf("no certificate: %d, want 401", got)
	}
}
