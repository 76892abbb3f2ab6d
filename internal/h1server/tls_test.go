package h1server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// startTLS serves h over TLS with a Server and returns its address and
// a client configuration that trusts its certificate.
func startTLS(t *testing.T, h http.Handler) (string, *tls.Config) {
	t.Helper()
	cert := httptest.NewUnstartedServer(nil)
	cert.StartTLS()
	leaf := cert.TLS.Certificates[0]
	cert.Close()
	roots := x509.NewCertPool()
	parsed, err := x509.ParseCertificate(leaf.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	roots.AddCert(parsed)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(&http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 30 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.ServeTLS(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != http.ErrServerClosed {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String(), &tls.Config{RootCAs: roots, ServerName: "example.com"}
}

func TestServesTLS(t *testing.T) {
	addr, clientTLS := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tlsVersion := ""
		if r.TLS != nil {
			tlsVersion = tls.VersionName(r.TLS.Version)
		}
		fmt.Fprintf(w, "%s %s tls=%s", r.Proto, r.URL.Path, tlsVersion)
	}))
	for _, tt := range []struct {
		name string
		h2   bool
		want string
	}{
		{"HTTP/1.1", false, "HTTP/1.1 /x tls=TLS 1.3"},
		{"HTTP/2 by ALPN", true, "HTTP/2.0 /x tls=TLS 1.3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tr := &http.Transport{TLSClientConfig: clientTLS.Clone(), ForceAttemptHTTP2: tt.h2}
			defer tr.CloseIdleConnections()
			for range 2 {
				res, err := (&http.Client{Transport: tr}).Get("https://" + addr + "/x")
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if string(b) != tt.want {
					t.Errorf("got %q, want %q", b, tt.want)
				}
			}
		})
	}
	t.Run("unusual request handed over keeps the TLS state", func(t *testing.T) {
		c, err := tls.Dial("tcp", addr, clientTLS)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /x HTTP/1.0\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, _ := io.ReadAll(c)
		if !strings.HasSuffix(string(b), "HTTP/1.0 /x tls=TLS 1.3") {
			t.Errorf("got %q", b)
		}
	})
	t.Run("plain HTTP to the TLS listener", func(t *testing.T) {
		if got := exchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); got != "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n" {
			t.Errorf("got %q", got)
		}
	})
}
