package builtin

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/certificate"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// maxBodyCertificates bounds the certificates made from body="..." that
// one element keeps decoded.
const maxBodyCertificates = 16

// authenticationCertificate implements APIM's
// <authentication-certificate certificate-id="..."/>,
// <authentication-certificate thumbprint="..."/> and
// <authentication-certificate body="@(...)" password="..."/>: the
// request is forwarded presenting that client certificate (mutual TLS),
// instead of the backend entity's own. A certificate-id or thumbprint
// must name an uploaded certificate with a private key when the document
// is saved. body is an expression giving PKCS#12 (PFX) bytes, or their
// base64 text; it is decoded per distinct value and kept (at most 16).
type authenticationCertificate struct {
	fixed    *policy.Certificate // certificate-id or thumbprint
	body     policy.Value
	password policy.Value
	mu       sync.Mutex
	decoded  map[[sha256.Size]byte]*policy.Certificate // body+password → certificate
}

var _ policy.Step = (*authenticationCertificate)(nil)

func compileAuthenticationCertificate(n *policy.Node, c *policy.Compiler) policy.Step {
	if s := c.Section(); s != policy.Inbound && s != policy.Backend {
		c.Errorf(n, "belongs in inbound or backend")
	}
	if s := newAuthenticationCertificate(n, c); s != nil {
		return s
	}
	return nil
}

// newAuthenticationCertificate compiles n's attributes, for the element
// and for its form inside send-request; nil when they are wrong.
func newAuthenticationCertificate(n *policy.Node, c *policy.Compiler) *authenticationCertificate {
	c.Only(n, "certificate-id", "thumbprint", "body", "password")
	id, ida, hasID := c.Literal(n, "certificate-id", false)
	tp, tpa, _ := c.Literal(n, "thumbprint", false)
	body, hasBody := c.Attr(n, "body", false)
	// APIM's reference: "Either thumbprint or certificate-id can be
	// specified" (body: "Use if the certificate isn't retrieved from the
	// built-in certificate store"), so exactly one is given. An attribute
	// whose value is a named value not known here (policy check without
	// the service's named values) counts as given: its value is checked
	// where it is known.
	given, unknown := 0, false
	for _, name := range []string{"certificate-id", "thumbprint", "body"} {
		if _, ok := n.Attr(name); ok {
			given++
			unknown = unknown || opaqueAttr(n, name)
		}
	}
	if given != 1 {
		c.Errorf(n, "give exactly one of certificate-id, thumbprint and body")
		return nil
	}
	env := c.Env()
	s := &authenticationCertificate{}
	if unknown && !hasBody {
		return s // its certificate is not known here
	}
	switch {
	case hasBody:
		s.body = body
		s.password, _ = c.Attr(n, "password", false)
		s.decoded = map[[sha256.Size]byte]*policy.Certificate{}
		return s
	case hasID:
		c.Refer(n, ida.Pos, "certificates", strings.TrimSpace(id))
		s.fixed = env.Certificates[strings.ToLower(strings.TrimSpace(id))]
		if s.fixed == nil && env.AnyCertificate {
			return s
		}
		if s.fixed == nil {
			c.AttrErrorf(n, ida, "there is no certificate %q", id)
			return nil
		}
	default:
		s.fixed = env.CertificateByThumbprint(tp)
		if s.fixed == nil && env.AnyCertificate {
			c.Refer(n, tpa.Pos, "certificateThumbprints", strings.TrimSpace(tp))
			return s
		}
		if s.fixed == nil {
			c.AttrErrorf(n, tpa, "there is no certificate with thumbprint %q", tp)
			return nil
		}
		c.Refer(n, tpa.Pos, "certificates", s.fixed.ID)
	}
	if _, ok := n.Attr("password"); ok {
		a, _ := n.Attr("password")
		c.AttrErrorf(n, a, "password goes with body only")
	}
	if !s.fixed.HasKey {
		c.Errorf(n, "certificate %q has no private key: a client certificate needs one", s.fixed.ID)
		return nil
	}
	return s
}

func (s *authenticationCertificate) Do(c *policy.Context) error {
	cert, err := s.certificate(c)
	if err != nil {
		return err
	}
	c.ClientCertificate = cert
	return nil
}

// certificate returns the certificate to present for this request.
func (s *authenticationCertificate) certificate(c *policy.Context) (*policy.Certificate, error) {
	if s.fixed != nil {
		if s.fixed.TLS == nil {
			return nil, fmt.Errorf("certificate %q is not available at this gateway", s.fixed.ID)
		}
		return s.fixed, nil
	}
	if !s.body.IsSet() {
		return nil, errors.New("the certificate is not available at this gateway")
	}
	return s.fromBody(c)
}

// fromBody decodes the body's PFX, or returns the certificate decoded from
// the same bytes and password before.
func (s *authenticationCertificate) fromBody(c *policy.Context) (*policy.Certificate, error) {
	v, err := s.body.Any(c)
	if err != nil {
		return nil, err
	}
	var der []byte
	switch b := v.(type) {
	case []byte:
		der = b
	case string:
		if der, err = base64.StdEncoding.DecodeString(strings.TrimSpace(b)); err != nil {
			return nil, errors.New("body is not base64 PKCS#12 (PFX) data")
		}
	default:
		return nil, fmt.Errorf("body gave %T: want PKCS#12 (PFX) bytes or their base64 text", v)
	}
	var password string
	if s.password.IsSet() {
		if password, err = s.password.String(c); err != nil {
			return nil, err
		}
	}
	h := sha256.New()
	h.Write(der)
	h.Write([]byte{0})
	h.Write([]byte(password))
	var key [sha256.Size]byte
	h.Sum(key[:0])
	s.mu.Lock()
	cert := s.decoded[key]
	s.mu.Unlock()
	if cert != nil {
		return cert, nil
	}
	m, err := certificate.ParseDER(der, password)
	if err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	tc, err := m.TLS()
	if err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	cert = &policy.Certificate{Thumbprint: m.Thumbprint(), HasKey: true, TLS: tc}
	s.mu.Lock()
	if len(s.decoded) >= maxBodyCertificates {
		clear(s.decoded)
	}
	s.decoded[key] = cert
	s.mu.Unlock()
	return cert, nil
}

// opaqueAttr reports whether attribute name of n holds a named value whose
// value is not known where the document is compiled.
func opaqueAttr(n *policy.Node, name string) bool {
	for _, ref := range n.NamedValues() {
		if ref.Opaque && ref.Attr == name {
			return true
		}
	}
	return false
}
