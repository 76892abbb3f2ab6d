package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// withProxy returns p sending its requests through the HTTP forward
// proxy u (nil: none), whose User, if any, is sent to the proxy as Basic
// credentials.
func (p tlsProfile) withProxy(u *url.URL) tlsProfile {
	p.proxy, p.proxyKey = u, ""
	if u != nil {
		sum := sha256.Sum256([]byte(u.String())) // the credentials too: they select the transport, never shown
		p.proxyKey = hex.EncodeToString(sum[:12])
	}
	return p
}

// viaProxy makes t send its requests through p's proxy with
// http.Transport's own proxy support: a request to an http:// backend
// goes to the proxy in absolute form, one to an https:// backend through
// a CONNECT tunnel; both carry the proxy's credentials in
// Proxy-Authorization. Inside the tunnel the transport does TLS itself
// with TLSClientConfig (it does not call DialTLSContext for a proxied
// request), so the backend's certificate is verified there as p says.
func (p tlsProfile) viaProxy(t *http.Transport, tr *trust) {
	t.Proxy = http.ProxyURL(p.proxy)
	t.OnProxyConnectResponse = func(_ context.Context, _ *url.URL, req *http.Request, res *http.Response) error {
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("proxy %s answered %s to CONNECT %s", p.proxy.Host, res.Status, req.URL.Host)
		}
		return nil
	}
	t.DialTLSContext = nil
	t.TLSClientConfig = p.tunnelTLS(tr)
}

// tunnelTLS returns the TLS settings of connections to backends through
// a proxy: TLS 1.2 or later, p's client certificate, and the backend's
// certificate verified as p says. The transport sets ServerName to the
// backend's host, IP literals included, and crypto/tls verifies the
// chain and that name when p asks for both and tr has no untrusted
// authorities to add as intermediates; otherwise p's verifier checks the
// connection against the name crypto/tls sent (an IP literal, which is
// not sent, cannot be checked by name then, and the connection fails).
func (p tlsProfile) tunnelTLS(tr *trust) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c := p.client; c != nil {
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return c, nil }
	}
	if p.validateChain && p.validateName && len(tr.intermediates) == 0 {
		cfg.RootCAs = tr.roots // nil: the system's
		return cfg
	}
	cfg.InsecureSkipVerify = true // verified below
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if p.validateName && cs.ServerName == "" {
			return errors.New("tls: the backend's name cannot be verified through a proxy when it is an IP address and the gateway has untrusted certificate authorities or skips chain validation")
		}
		return p.verifier(tr, cs.ServerName)(cs)
	}
	return cfg
}

// transportVia returns the transport of a request to b presenting
// client, sent through proxy when it is not nil (the proxy element) and
// otherwise through b's own proxy, if any. See transport.
func (u *upstreams) transportVia(b *backendEntity, client *policy.Certificate, proxy *url.URL) http.RoundTripper {
	if proxy == nil {
		return u.transport(b, client)
	}
	p := defaultProfile
	if b != nil {
		p = b.profile
	}
	if client != nil && client.TLS != nil {
		p = p.withClient(client.TLS)
	}
	p = p.withProxy(proxy)
	if t, ok := u.transports[p.key(u.trust)]; ok {
		return t
	}
	return u.dynamic.get(p, u.trust)
}

// backendProxy returns the URL of a backend entity's proxy, with its
// credentials.
func backendProxy(sp *snapshot.Proxy) (*url.URL, error) {
	u, err := url.Parse(sp.URL)
	if err != nil || u.Scheme != "http" || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("proxy url %q: want http://host:port", redactedURL(sp.URL))
	}
	out := &url.URL{Scheme: "http", Host: u.Host}
	if sp.Username != "" {
		out.User = url.UserPassword(sp.Username, sp.Password)
	}
	return out, nil
}

// redactedURL returns raw with any password replaced, for errors.
func redactedURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(not a URL)"
}
