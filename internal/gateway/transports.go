package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// tlsProfile is what sets one backend transport apart from another: how
// the backend's certificate is verified, which client certificate is
// presented, and the HTTP forward proxy requests go through.
type tlsProfile struct {
	validateChain bool
	validateName  bool
	client        *tls.Certificate // nil: none
	clientKey     string           // SHA-256 hex of the client leaf; "" when none
	proxy         *url.URL         // nil: none; see proxied.go
	proxyKey      string           // digest of proxy with its credentials; "" when none
}

// defaultProfile verifies chain and name and presents no certificate.
var defaultProfile = tlsProfile{validateChain: true, validateName: true}

// withClient returns p presenting c instead.
func (p tlsProfile) withClient(c *tls.Certificate) tlsProfile {
	p.client, p.clientKey = c, ""
	if c != nil && len(c.Certificate) > 0 {
		sum := sha256.Sum256(c.Certificate[0])
		p.clientKey = hex.EncodeToString(sum[:])
	}
	return p
}

// trust is a gateway's view of certificate authorities: the system roots
// plus its trusted certificate authorities, and its untrusted ones as
// intermediates. Immutable once built.
type trust struct {
	roots         *x509.CertPool // nil: the system roots only
	intermediates []*x509.Certificate
	key           string // digest of the authorities; "" when none
	// authorities are the same certificates for
	// validate-client-certificate; nil when there are none.
	authorities *policy.CertificateAuthorities
}

// key identifies the transport of p under tr: equal keys, equal TLS
// behaviour.
func (p tlsProfile) key(tr *trust) string {
	b := []byte{'0', '0'}
	if p.validateChain {
		b[0] = '1'
	}
	if p.validateName {
		b[1] = '1'
	}
	return string(b) + "|" + tr.key + "|" + p.clientKey + "|" + p.proxyKey
}

// dialTLS returns the DialTLSContext of p's transports under tr: TLS
// 1.2 or later; p's client certificate presented whatever the backend's
// acceptable CAs are (as APIM does); the backend's certificate verified as
// p says, against the system roots and the gateway's certificate
// authorities. Dialling ourselves, rather than through TLSClientConfig,
// gives the verification the host name also when it is an IP address,
// which crypto/tls leaves out of ConnectionState.
func (p tlsProfile) dialTLS(tr *trust, dial func(ctx context.Context, network, addr string) (net.Conn, error),
	timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	base := &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}, InsecureSkipVerify: true}
	if c := p.client; c != nil {
		base.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return c, nil }
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("backend address %q: %w", addr, err)
		}
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cfg := base.Clone()
		cfg.ServerName = host
		cfg.VerifyConnection = p.verifier(tr, host)
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return tc, nil
	}
}

// verifier checks a backend's certificate for host as p says: the chain
// up to a root (the system's and tr's trusted authorities, with tr's
// untrusted ones as intermediates), and that it names host.
func (p tlsProfile) verifier(tr *trust, host string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if !p.validateChain && !p.validateName {
			return nil
		}
		if len(cs.PeerCertificates) == 0 {
			return errors.New("tls: the backend sent no certificate")
		}
		leaf := cs.PeerCertificates[0]
		if !p.validateChain {
			return leaf.VerifyHostname(host)
		}
		opts := x509.VerifyOptions{Roots: tr.roots, Intermediates: x509.NewCertPool()}
		for _, c := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(c)
		}
		for _, c := range tr.intermediates {
			opts.Intermediates.AddCert(c)
		}
		if p.validateName {
			opts.DNSName = host
		}
		_, err := leaf.Verify(opts)
		return err
	}
}

// transportCache keeps backend transports, with their connection pools,
// across configuration reloads: a Runtime asks for the transports of its
// profiles when it is compiled, and a transport whose profile no Runtime
// needs any more is dropped (its idle connections closed). It is safe for
// concurrent use.
type transportCache struct {
	base func() *http.Transport // a new transport without TLS settings
	mu   sync.Mutex
	m    map[string]*http.Transport
}

func newTransportCache(base func() *http.Transport) *transportCache {
	return &transportCache{base: base, m: map[string]*http.Transport{}}
}

// get returns the transport of p under tr, building it the first time.
func (tc *transportCache) get(p tlsProfile, tr *trust) *http.Transport {
	k := p.key(tr)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if t := tc.m[k]; t != nil {
		return t
	}
	t := newTLSTransport(tc.base, p, tr)
	tc.m[k] = t
	return t
}

// newTLSTransport returns a transport made by base that dials TLS as p
// says under tr.
func newTLSTransport(base func() *http.Transport, p tlsProfile, tr *trust) *http.Transport {
	t := base()
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	t.TLSClientConfig = nil
	t.DialTLSContext = p.dialTLS(tr, dial, t.TLSHandshakeTimeout)
	t.ForceAttemptHTTP2 = true // the dialer offers h2: the transport must speak it
	if p.proxy != nil {
		p.viaProxy(t, tr)
	}
	return t
}

// retain drops the transports whose keys are not in keep.
func (tc *transportCache) retain(keep map[string]bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for k, t := range tc.m {
		if !keep[k] {
			t.CloseIdleConnections()
			delete(tc.m, k)
		}
	}
}

// dynamicTransports holds the transports that policies make per
// request (authentication-certificate body="...", and the proxy element),
// which cannot be known when a Runtime is compiled: each is built on
// first use and kept, at most maxDynamicTransports of them, the oldest
// dropped first. Finding one already built takes no lock: the map is
// replaced whole, under mu, when one is added. Safe for concurrent use.
type dynamicTransports struct {
	base func() *http.Transport
	m    atomic.Pointer[map[string]*http.Transport] // read without mu; never modified once stored
	mu   sync.Mutex
	keys []string // oldest first; guarded by mu
}

const maxDynamicTransports = 32

func (d *dynamicTransports) get(p tlsProfile, tr *trust) http.RoundTripper {
	k := p.key(tr)
	if m := d.m.Load(); m != nil && (*m)[k] != nil {
		return (*m)[k]
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	old := map[string]*http.Transport{}
	if m := d.m.Load(); m != nil {
		if t := (*m)[k]; t != nil {
			return t
		}
		old = *m
	}
	next := make(map[string]*http.Transport, len(old)+1)
	for ok, ot := range old {
		next[ok] = ot
	}
	t := newTLSTransport(d.base, p, tr)
	next[k] = t
	d.keys = append(d.keys, k)
	if len(d.keys) > maxDynamicTransports {
		oldest := d.keys[0]
		d.keys = d.keys[1:]
		next[oldest].CloseIdleConnections()
		delete(next, oldest)
	}
	d.m.Store(&next)
	return t
}
