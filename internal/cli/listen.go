package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/h1server"
)

// Listener is an open listening socket with the server that will serve it.
type Listener struct {
	Name   string
	Server *http.Server
	ln     net.Listener
	tls    bool
	// own serves the listener instead of Server.Serve when set: the
	// HTTP/1.1 server that hands Server what it does not serve itself.
	own *h1server.Server
}

// Addr returns the bound address.
func (l *Listener) Addr() string { return l.ln.Addr().String() }

// listen opens sp.Addr for sp.Handler with sp.Limits. With tlsConfig the
// listener serves TLS 1.2 or newer. The server's ErrorLog writes to log,
// so that the HTTP server's own messages are in the log's format.
func listen(sp ListenerSpec, tlsConfig *tls.Config, log *slog.Logger) (*Listener, error) {
	ln, err := net.Listen("tcp", sp.Addr)
	if err != nil {
		return nil, fmt.Errorf("%s listener: %w", sp.Name, err)
	}
	l := sp.Limits.withDefaults()
	if l.MaxConnections > 0 {
		ln = limitConnections(ln, l.MaxConnections)
	}
	refuse := sp.Refuse
	if refuse == nil {
		refuse = refuseText
	}
	srv := &http.Server{
		Handler:           &guard{next: sp.Handler, limits: l, refuse: refuse},
		ReadHeaderTimeout: max(l.ReadHeaderTimeout, 0),
		IdleTimeout:       max(l.IdleTimeout, 0),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if l.MaxHeaderBytes > 0 && l.MaxURLBytes > 0 {
		// The server refuses a longer request line and header section with
		// 431 before the guard sees them; this leaves room for a URL up
		// to its limit besides the headers, so that the guard answers an
		// over-long URL 414.
		srv.MaxHeaderBytes = int(l.MaxHeaderBytes + l.MaxURLBytes)
	}
	if tlsConfig != nil {
		tlsConfig = tlsConfig.Clone()
		tlsConfig.MinVersion = max(tlsConfig.MinVersion, tls.VersionTLS12)
		if sp.RequestClientCertificate {
			// Ask for a certificate but accept the handshake whatever the
			// client sends: validate-client-certificate (or an expression
			// on context.Request.Certificate) decides, per API.
			tlsConfig.ClientAuth = tls.RequestClientCert
		}
		srv.TLSConfig = tlsConfig
	}
	lis := &Listener{Name: sp.Name, Server: srv, ln: ln, tls: tlsConfig != nil}
	if sp.FastHTTP1 {
		if tlsConfig != nil {
			// HTTP/2 is offered first, as net/http offers it.
			srv.TLSConfig.NextProtos = []string{"h2", "http/1.1"}
		}
		own, err := h1server.New(srv)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("%s listener: %w", sp.Name, err)
		}
		lis.own = own
	}
	return lis, nil
}

// ListenerSpec describes one listener of a process.
type ListenerSpec struct {
	Name    string // for messages, such as "gateway https"
	Addr    string // empty: the listener is off
	Handler http.Handler
	// HTTPS makes the listener serve TLS 1.2+ with the certificate and key
	// in CertFile and KeyFile, or with TLS when it is set.
	HTTPS             bool
	CertFile, KeyFile string
	TLS               *tls.Config
	// RequestClientCertificate makes an HTTPS listener ask clients for a
	// certificate during the handshake (tls.RequestClientCert: never
	// required, never verified there), as APIM's hostname setting
	// negotiateClientCertificate does. False: no certificate is asked
	// for, so requests carry none.
	RequestClientCertificate bool
	// CertFlags names the certificate flags in the error of a missing
	// certificate, such as "--tls-cert and --tls-key".
	CertFlags string
	// Limits bound what the listener accepts; zero fields take
	// DefaultLimits' values.
	Limits Limits
	// FastHTTP1 serves the common HTTP/1.1 request with package
	// h1server, which hands every other connection (HTTP/2 negotiated
	// over TLS among them) to net/http; the behaviour is net/http's
	// either way.
	FastHTTP1 bool
	// Refuse writes the listener's answers to requests over its Limits
	// (414, 431, 413) in the error shape its clients expect. Nil: plain
	// text.
	Refuse func(w http.ResponseWriter, status int, message string)
}

// OpenAll opens every listener of specs whose address is set, so that a
// port in use or a missing certificate fails start-up before anything is
// served. On error it closes what it opened. This is the one way the
// processes open listeners, so that all of them get the same limits.
func OpenAll(specs []ListenerSpec, log *slog.Logger) ([]*Listener, error) {
	var ls []*Listener
	for _, sp := range specs {
		if sp.Addr == "" {
			continue
		}
		tlsConfig := sp.TLS
		if sp.HTTPS && tlsConfig == nil {
			if sp.CertFile == "" || sp.KeyFile == "" {
				Close(ls...)
				flags := sp.CertFlags
				if flags == "" {
					flags = "a certificate and key"
				}
				return nil, fmt.Errorf("%s listener on %s: HTTPS needs %s", sp.Name, sp.Addr, flags)
			}
			var err error
			if tlsConfig, err = LoadTLS(sp.CertFile, sp.KeyFile); err != nil {
				Close(ls...)
				return nil, fmt.Errorf("%s listener: %w", sp.Name, err)
			}
		}
		l, err := listen(sp, tlsConfig, log)
		if err != nil {
			Close(ls...)
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, nil
}

// Find returns the listener called name among ls, or nil.
func Find(ls []*Listener, name string) *Listener {
	for _, l := range ls {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// LoadTLS loads a certificate and key pair for a listener.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" {
		return nil, errors.New("an HTTPS listener needs --tls-cert and --tls-key")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// Serve serves every listener until ctx is done, then shuts them down,
// letting in-flight requests finish within grace. It returns the first
// serving error, or the shutdown errors.
func Serve(ctx context.Context, log *slog.Logger, grace time.Duration, ls ...*Listener) error {
	errs := make(chan error, len(ls))
	for _, l := range ls {
		go func() {
			var err error
			switch {
			case l.own != nil && l.tls:
				err = l.own.ServeTLS(l.ln)
			case l.own != nil:
				err = l.own.Serve(l.ln)
			case l.tls:
				err = l.Server.ServeTLS(l.ln, "", "")
			default:
				err = l.Server.Serve(l.ln)
			}
			if errors.Is(err, http.ErrServerClosed) {
				err = nil
			} else if err != nil {
				err = fmt.Errorf("serve %s: %w", l.Name, err)
			}
			errs <- err
		}()
	}
	var first error
	pending := len(ls)
	select {
	case <-ctx.Done():
	case first = <-errs: // a listener failed before shutdown
		pending--
	}
	log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var all []error
	for _, l := range ls {
		if l.own != nil {
			all = append(all, l.own.Shutdown(sctx))
		} else {
			all = append(all, l.Server.Shutdown(sctx))
		}
	}
	for range pending {
		if err := <-errs; err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(append([]error{first}, all...)...)
}

// Close closes listeners that were opened but never served.
func Close(ls ...*Listener) {
	for _, l := range ls {
		l.ln.Close()
	}
}
