package selfhosted

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/certificate"
	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
	"github.com/gatehouse/gatehouse/internal/cli"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// TestNegotiateClientCertificate: with --negotiate-client-certificate the
// gateway's HTTPS listener asks for a certificate, and the leaf the client
// presents is context.Request.Certificate (its thumbprint reaches the
// backend); a client without one is served too, with null. Without the
// flag no certificate is asked for, so the client sends none.
func TestNegotiateClientCertificate(t *testing.T) {
	f := NewCommand("test", nil).Flags().Lookup("negotiate-client-certificate")
	if f == nil || f.DefValue != "false" || !strings.Contains(f.Usage, "GATEHOUSE_NEGOTIATE_CLIENT_CERTIFICATE") {
		t.Fatalf("--negotiate-client-certificate: %+v", f)
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "thumbprint="+r.Header.Get("X-Client-Thumbprint"))
	}))
	t.Cleanup(backend.Close)
	snap := &snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend.URL,
		KeyHeader: "k", KeyQuery: "k", Policy: `<policies><inbound><base />
  <set-header name="X-Client-Thumbprint" exists-action="override"><value>@(context.Request.Certificate?.Thumbprint ?? "null")</value></set-header>
</inbound><backend><forward-request /></backend></policies>`,
		Operations: []snapshot.Operation{{ID: "all", Method: "*", URLTemplate: "/*"}}}}}

	ca := certtest.NewCA(t, "Gateway CA")
	server := ca.Issue(t, certtest.Options{CommonName: "gateway", Hosts: []string{"127.0.0.1"}})
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(certFile, []byte(server.CertPEM()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte(server.PEM(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	client := certtest.SelfSigned(t, "client-1")

	for _, negotiate := range []bool{true, false} {
		settings := GatewaySettings{NegotiateClientCertificate: negotiate}
		gw, closeGateway, err := settings.NewServer(slog.New(slog.DiscardHandler), "edge", "node-1", false)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeGateway() })
		gw.Load(snap)
		specs := settings.GatewayListeners(gw, "", "127.0.0.1:0", certFile, keyFile)
		ls, err := cli.OpenAll(specs, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		// A grace period: the connection of the last request may still be
		// finishing its response when the test ends.
		go func() { done <- cli.Serve(ctx, slog.New(slog.DiscardHandler), 10*time.Second, ls...) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
		url := "https://" + cli.Find(ls, "gateway https").Addr() + "/orders/1"
		want := map[bool]string{true: certificate.Thumbprint(client.Cert), false: "null"}[negotiate]
		if got := get(t, url, ca.Pool(), client); got != "thumbprint="+want {
			t.Errorf("negotiate %v, with a certificate: %q, want thumbprint=%s", negotiate, got, want)
		}
		if got := get(t, url, ca.Pool(), nil); got != "thumbprint=null" {
			t.Errorf("negotiate %v, without a certificate: %q, want thumbprint=null", negotiate, got)
		}
	}
}

// get fetches url over TLS trusting roots, presenting cert when not nil,
// and returns the body.
func get(t *testing.T, url string, roots *x509.CertPool, cert *certtest.Cert) string {
	t.Helper()
	cfg := &tls.Config{RootCAs: roots}
	if cert != nil {
		c := cert.TLS()
		cfg.Certificates = []tls.Certificate{c}
	}
	tr := &http.Transport{TLSClientConfig: cfg}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
