package gateway

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/certificate"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// upstreams is what a Runtime knows about where requests go: the backend
// entities, a transport for every TLS profile its configuration can
// select, and the gateway's certificate authorities. It is built when a
// snapshot is compiled and immutable afterwards; every API of the Runtime
// shares it.
type upstreams struct {
	def        http.RoundTripper            // for service URLs and base-url backends
	backends   map[string]*backendEntity    // by lower-case id
	transports map[string]http.RoundTripper // by tlsProfile.key
	trust      *trust
	dynamic    *dynamicTransports
	certs      map[string]*policy.Certificate // by lower-case id, for policies
}

// backendEntity is a compiled backend: what is added to each request sent
// to it, and how TLS is set up.
type backendEntity struct {
	id            string   // lower case
	base          *url.URL // the backend's URL; nil for a pool
	pool          *pool    // the members of a pool; nil for a single backend
	breaker       *breaker // nil: none
	header        http.Header
	queryNames    []string // the query parameters replaced...
	query         string   // ...by these, encoded; "" when none
	authorization string   // the whole header value; "" when none
	profile       tlsProfile
	// err, when not nil, is why the backend cannot be used: requests to
	// it fail (502) rather than go out without its credentials.
	err error
}

// apply adds the backend's credentials to out.
func (b *backendEntity) apply(out *http.Request) {
	for k, vs := range b.header {
		out.Header[k] = append([]string(nil), vs...)
	}
	if b.query != "" {
		raw := out.URL.RawQuery
		for _, k := range b.queryNames {
			raw = removeQueryParam(raw, k)
		}
		if raw != "" {
			raw += "&"
		}
		out.URL.RawQuery = raw + b.query
	}
	if b.authorization != "" {
		out.Header.Set("Authorization", b.authorization)
	}
}

// transport returns the transport of a request to b (nil: a service URL
// or base-url) presenting client (nil: b's own certificate, if any). It
// takes no lock unless client was made by a policy per request.
func (u *upstreams) transport(b *backendEntity, client *policy.Certificate) http.RoundTripper {
	p := defaultProfile
	if b != nil {
		p = b.profile
	}
	if client != nil && client.TLS != nil {
		p = p.withClient(client.TLS)
	}
	if p == defaultProfile {
		return u.def
	}
	if t, ok := u.transports[p.key(u.trust)]; ok {
		return t
	}
	return u.dynamic.get(p, u.trust)
}

// compileUpstreams builds the upstreams of snap. Transports come from
// s's cache, so that those whose TLS settings did not change keep their
// connections across reloads; the cache then drops those no longer used.
// A certificate that cannot be decoded is left out, and a backend that
// cannot be set up fails its requests; both are reported.
func (s *Server) compileUpstreams(snap *snapshot.Snapshot) (*upstreams, []error) {
	var errs []error
	u := &upstreams{backends: map[string]*backendEntity{}, transports: map[string]http.RoundTripper{},
		certs: map[string]*policy.Certificate{}, dynamic: s.dynamic}
	materials := map[string]*certificate.Material{}
	for id, c := range snap.Certificates {
		m, err := certificate.ParsePEM([]byte(c.PEM))
		if err != nil {
			errs = append(errs, fmt.Errorf("certificate %s: %w", c.ID, err))
			continue
		}
		materials[id] = m
		pc := &policy.Certificate{ID: c.ID, Thumbprint: m.Thumbprint(), HasKey: m.Key != nil, Public: m.Chain[0].PublicKey}
		if m.Key != nil {
			if pc.TLS, err = m.TLS(); err != nil {
				errs = append(errs, fmt.Errorf("certificate %s: %w", c.ID, err))
				continue
			}
		}
		u.certs[id] = pc
	}
	u.trust = newTrust(snap.CertificateAuthorities, materials)
	profiles := []tlsProfile{defaultProfile}
	withBreaker := map[string]bool{}
	for id, b := range snap.Backends {
		if len(b.Pool) > 0 {
			continue // once its members are compiled
		}
		e, err := compileBackend(&b, u.certs)
		if err != nil {
			errs = append(errs, fmt.Errorf("backend %s: %w", id, err))
			u.backends[id] = &backendEntity{id: id, err: fmt.Errorf("backend %s: %w", id, err)}
			continue
		}
		e.id = id
		if b.CircuitBreaker != nil {
			e.breaker = s.breakers.get(id, *b.CircuitBreaker)
			withBreaker[id] = true
		}
		u.backends[id] = e
		profiles = append(profiles, e.profile)
	}
	s.breakers.retain(withBreaker)
	for id, b := range snap.Backends {
		if len(b.Pool) == 0 {
			continue
		}
		p, err := compilePool(b.Pool, u.backends)
		if err != nil {
			errs = append(errs, fmt.Errorf("backend %s: %w", id, err))
			u.backends[id] = &backendEntity{id: id, err: fmt.Errorf("backend %s: %w", id, err)}
			continue
		}
		u.backends[id] = &backendEntity{id: id, pool: p}
	}
	// authentication-certificate may present any client certificate to
	// any backend: give each a transport with every verification setting
	// in use.
	n := len(profiles)
	for _, base := range profiles[:n] {
		for _, c := range u.certs {
			if c.TLS != nil {
				plain := tlsProfile{validateChain: base.validateChain, validateName: base.validateName}
				profiles = append(profiles, plain.withProxy(base.proxy).withClient(c.TLS))
			}
		}
	}
	keep := map[string]bool{}
	for _, p := range profiles {
		k := p.key(u.trust)
		if _, done := u.transports[k]; done {
			continue
		}
		if p == defaultProfile && u.trust.key == "" {
			u.transports[k] = s.transport
			continue
		}
		keep[k] = true
		u.transports[k] = s.transports.get(p, u.trust)
	}
	u.def = u.transports[defaultProfile.key(u.trust)]
	s.transports.retain(keep)
	return u, errs
}

// compileBackend converts a snapshot backend; its client certificate is
// the first of its certificates that has a private key.
func compileBackend(b *snapshot.Backend, certs map[string]*policy.Certificate) (*backendEntity, error) {
	e := &backendEntity{profile: tlsProfile{validateChain: b.ValidateCertificateChain, validateName: b.ValidateCertificateName}}
	base, err := url.Parse(b.URL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("url %q is not an absolute http or https URL", b.URL)
	}
	e.base = base
	if len(b.Header) > 0 {
		e.header = http.Header{}
		for k, vs := range b.Header {
			e.header[http.CanonicalHeaderKey(k)] = vs
		}
	}
	if len(b.Query) > 0 {
		q := url.Values(b.Query)
		e.query = q.Encode()
		for k := range q {
			e.queryNames = append(e.queryNames, k)
		}
	}
	if a := b.Authorization; a != nil {
		e.authorization = strings.TrimSpace(a.Scheme + " " + a.Parameter)
	}
	for _, id := range b.CertificateIDs {
		c := certs[id]
		if c == nil {
			return nil, fmt.Errorf("certificate %s is not in the configuration", id)
		}
		if c.TLS != nil {
			e.profile = e.profile.withClient(c.TLS)
			break
		}
	}
	if b.Proxy != nil {
		u, err := backendProxy(b.Proxy)
		if err != nil {
			return nil, err
		}
		e.profile = e.profile.withProxy(u)
	}
	return e, nil
}

// newTrust builds the gateway's trust from its certificate authorities.
func newTrust(cas []snapshot.CertificateAuthority, materials map[string]*certificate.Material) *trust {
	tr := &trust{}
	if len(cas) == 0 {
		return tr
	}
	var trusted []*x509.Certificate
	h := sha256.New()
	sorted := append([]snapshot.CertificateAuthority(nil), cas...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].CertificateID < sorted[j].CertificateID })
	for _, ca := range sorted {
		m := materials[ca.CertificateID]
		if m == nil {
			continue
		}
		for _, c := range m.Chain {
			fmt.Fprintf(h, "%v:", ca.Trusted)
			h.Write(c.Raw)
			if ca.Trusted {
				trusted = append(trusted, c)
			} else {
				tr.intermediates = append(tr.intermediates, c)
			}
		}
	}
	if len(trusted) == 0 && len(tr.intermediates) == 0 {
		return tr
	}
	tr.key = hex.EncodeToString(h.Sum(nil))
	tr.authorities = &policy.CertificateAuthorities{Certificates: append(append([]*x509.Certificate(nil), trusted...), tr.intermediates...)}
	if len(trusted) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		for _, c := range trusted {
			pool.AddCert(c)
		}
		tr.roots = pool
		tr.authorities.Roots = pool
	}
	if len(tr.intermediates) > 0 {
		tr.authorities.Intermediates = x509.NewCertPool()
		for _, c := range tr.intermediates {
			tr.authorities.Intermediates.AddCert(c)
		}
	}
	return tr
}
