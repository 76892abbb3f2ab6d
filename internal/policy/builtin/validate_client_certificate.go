package builtin

import (
	"bytes"
	"crypto"
	"crypto/sha1" // a certificate's thumbprint is its SHA-1 hash, as in APIM
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// validateClientCertificate implements APIM's
// <validate-client-certificate validate-revocation validate-trust
// validate-not-before validate-not-after ignore-error> with optional
// <identities><identity .../></identities>: the certificate the client
// presented over TLS (context.Request.Certificate; the listener asks for
// one with --negotiate-client-certificate) must pass every check the
// attributes turn on and, when identities are given, match every
// attribute of at least one identity. Otherwise the request is refused
// with 401 (APIM's "Client certificate missing" or "Invalid client
// certificate") and context.LastError says why, unless ignore-error is
// true.
//
// validate-trust builds a chain to the system roots and the gateway's
// trusted certificate authorities, through its untrusted ones.
// validate-revocation is fail-closed: the gateway holds no revocation
// lists and fetches none, so with "true" (APIM's default) a certificate
// that passes the other checks is refused with reason
// ClientCertificateRevocationUnknown; set it to "false" explicitly.
// Everything is parsed when compiling: per request only the certificate's
// hash, chain and signatures are computed.
type validateClientCertificate struct {
	revocation, trust, notBefore, notAfter, ignoreError bool
	identities                                          []certIdentity
	authorities                                         *policy.CertificateAuthorities // nil: the system roots
	hashIssuer                                          bool                           // an identity has issuer-thumbprint
}

var _ policy.Step = (*validateClientCertificate)(nil)

// certIdentity is one compiled <identity>: each set field must match.
type certIdentity struct {
	thumbprint       []byte   // SHA-1 of the certificate
	serial           *big.Int // serial-number
	commonName       string
	subject          []pkix.AttributeTypeAndValue
	dnsName          string
	issuerSubject    []pkix.AttributeTypeAndValue
	issuerThumbprint []byte
	// issuerKey is the public key of issuer-certificate-id's certificate,
	// or of the uploaded certificate with issuer-thumbprint.
	issuerKey crypto.PublicKey
	// issuerByID is set by issuer-certificate-id: then issuerKey must
	// have signed the certificate.
	issuerByID bool
	// unknown is set when an attribute's value is a named value not known
	// here (checking a document offline): the identity matches nothing.
	unknown bool
}

// identityAttrs are <identity>'s attributes in APIM's reference.
var identityAttrs = []string{"thumbprint", "serial-number", "common-name", "subject", "dns-name",
	"issuer-subject", "issuer-thumbprint", "issuer-certificate-id"}

// anyUsage verifies chains whatever the certificate's extended key usage,
// as .NET's X509Chain does without an application policy.
var anyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}

func compileValidateClientCertificate(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "validate-revocation", "validate-trust", "validate-not-before", "validate-not-after", "ignore-error")
	requireInbound(n, c)
	v := &validateClientCertificate{
		revocation:  compileBool(n, c, "validate-revocation", true),
		trust:       compileBool(n, c, "validate-trust", true),
		notBefore:   compileBool(n, c, "validate-not-before", true),
		notAfter:    compileBool(n, c, "validate-not-after", true),
		ignoreError: compileBool(n, c, "ignore-error", false),
		authorities: c.Env().CertificateAuthorities,
	}
	if strings.TrimSpace(n.Text) != "" {
		c.Errorf(n, "<validate-client-certificate> holds <identities> only, not text")
	}
	seen := false
	for _, ch := range n.Children {
		if ch.Name != "identities" {
			c.Errorf(ch, "only <identities> belongs in <validate-client-certificate>")
			continue
		}
		if seen {
			c.Errorf(ch, "<identities> is given twice")
			continue
		}
		seen = true
		c.Only(ch)
		if len(ch.Children) == 0 {
			c.Errorf(ch, "<identities> needs at least one <identity>")
		}
		for _, idn := range ch.Children {
			if idn.Name != "identity" {
				c.Errorf(idn, "only <identity> elements belong in <identities>")
				continue
			}
			if id, ok := compileCertIdentity(idn, c); ok {
				v.identities = append(v.identities, id)
				v.hashIssuer = v.hashIssuer || id.issuerThumbprint != nil
			}
		}
	}
	return v
}

// compileCertIdentity compiles one <identity>, reporting what is wrong.
func compileCertIdentity(n *policy.Node, c *policy.Compiler) (certIdentity, bool) {
	c.Only(n, identityAttrs...)
	var id certIdentity
	ok, given := true, 0
	literal := func(name string) (string, policy.Attr, bool) {
		a, present := n.Attr(name)
		if !present {
			return "", a, false
		}
		given++
		s, a, lit := c.Literal(n, name, false)
		if !lit {
			id.unknown = true // a named value not known here, or an expression (reported)
			return "", a, false
		}
		if s = strings.TrimSpace(s); s == "" {
			c.AttrErrorf(n, a, "must not be empty")
			ok = false
			return "", a, false
		}
		return s, a, true
	}
	if s, a, has := literal("thumbprint"); has {
		if id.thumbprint = parseThumbprint(s); id.thumbprint == nil {
			c.AttrErrorf(n, a, "%q is not a certificate thumbprint (40 hex digits, the SHA-1 hash)", s)
			ok = false
		}
	}
	if s, a, has := literal("serial-number"); has {
		h := normalizeHex(s)
		sn, valid := new(big.Int).SetString(h, 16)
		if !valid || h == "" {
			c.AttrErrorf(n, a, "%q is not a serial number (hex digits)", s)
			ok = false
		}
		id.serial = sn
	}
	if s, _, has := literal("common-name"); has {
		id.commonName = s
	}
	if s, _, has := literal("dns-name"); has {
		id.dnsName = strings.TrimSuffix(s, ".")
	}
	for _, dn := range []struct {
		attr string
		dst  *[]pkix.AttributeTypeAndValue
	}{{"subject", &id.subject}, {"issuer-subject", &id.issuerSubject}} {
		if s, a, has := literal(dn.attr); has {
			name, err := parseDistinguishedName(s)
			if err != nil {
				c.AttrErrorf(n, a, "%q is not a distinguished name: %v", s, err)
				ok = false
			}
			*dn.dst = name
		}
	}
	if s, a, has := literal("issuer-thumbprint"); has {
		if id.issuerThumbprint = parseThumbprint(s); id.issuerThumbprint == nil {
			c.AttrErrorf(n, a, "%q is not a certificate thumbprint (40 hex digits, the SHA-1 hash)", s)
			ok = false
		} else if cert := c.Env().CertificateByThumbprint(s); cert != nil {
			c.Refer(n, a.Pos, "certificates", cert.ID)
			id.issuerKey = cert.Public
		}
	}
	if s, a, has := literal("issuer-certificate-id"); has {
		// APIM's reference: "Mutually exclusive with other issuer
		// attributes."
		if _, sub := n.Attr("issuer-subject"); sub {
			c.AttrErrorf(n, a, "issuer-certificate-id excludes issuer-subject and issuer-thumbprint")
			ok = false
		} else if _, tp := n.Attr("issuer-thumbprint"); tp {
			c.AttrErrorf(n, a, "issuer-certificate-id excludes issuer-subject and issuer-thumbprint")
			ok = false
		}
		c.Refer(n, a.Pos, "certificates", s)
		cert := c.Env().Certificates[strings.ToLower(s)]
		switch {
		case cert != nil:
			id.issuerKey, id.issuerByID = cert.Public, true
		case c.Env().AnyCertificate:
			id.unknown = true
		default:
			c.AttrErrorf(n, a, "there is no certificate %q", s)
			ok = false
		}
	}
	if given == 0 {
		c.Errorf(n, "an <identity> needs at least one of %s", strings.Join(identityAttrs, ", "))
		ok = false
	}
	return id, ok
}

// parseThumbprint returns the 20 bytes of a SHA-1 thumbprint written in
// hex (any case, spaces or colons between digits allowed), or nil.
func parseThumbprint(s string) []byte {
	b, err := hex.DecodeString(normalizeHex(s))
	if err != nil || len(b) != sha1.Size {
		return nil
	}
	return b
}

// normalizeHex removes spaces, colons and an invisible left-to-right mark
// (which Windows' certificate dialog copies) from hex digits.
func normalizeHex(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == ':' || r == '\u200e' {
			return -1
		}
		return r
	}, s)
}

func (v *validateClientCertificate) Do(c *policy.Context) error {
	cert := c.Request.Certificate
	if cert == nil {
		return v.fail("ClientCertificateNotFound", "the request has no client certificate", "Client certificate missing")
	}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	if v.notBefore && now.Before(cert.NotBefore) {
		return v.fail("ClientCertificateNotYetValid", "the client certificate is not valid before "+cert.NotBefore.UTC().Format(time.RFC3339), "")
	}
	if v.notAfter && now.After(cert.NotAfter) {
		return v.fail("ClientCertificateExpired", "the client certificate expired at "+cert.NotAfter.UTC().Format(time.RFC3339), "")
	}
	var issuer *x509.Certificate // from the chain, when one was built
	if v.trust {
		chain, err := v.verify(cert, now)
		if err != nil {
			return v.fail("ClientCertificateNotTrusted", "the client certificate's chain does not lead to a trusted certificate authority: "+err.Error(), "")
		}
		if len(chain) > 1 {
			issuer = chain[1]
		} else {
			issuer = chain[0] // itself a trusted root
		}
	}
	if v.revocation {
		return v.fail("ClientCertificateRevocationUnknown", `the revocation status of the client certificate cannot be checked: the gateway holds no revocation lists (set validate-revocation="false")`, "")
	}
	if len(v.identities) == 0 {
		return nil
	}
	var tp, issuerTP [sha1.Size]byte
	tp = sha1.Sum(cert.Raw)
	hasIssuerTP := false
	if v.hashIssuer {
		if issuer == nil {
			issuer = v.authorities.Issuer(cert)
		}
		if issuer != nil {
			issuerTP, hasIssuerTP = sha1.Sum(issuer.Raw), true
		}
	}
	for i := range v.identities {
		if v.identities[i].matches(cert, tp[:], issuerTP[:], hasIssuerTP) {
			return nil
		}
	}
	return v.fail("ClientCertificateIdentityNotMatched", "the client certificate matches none of the identities", "")
}

// verify builds cert's chain at now. With validate-not-before or
// validate-not-after off, the certificate's own dates do not count (its
// authorities' still do): a copy valid now is verified, whose issuer's
// signature covers the same bytes.
func (v *validateClientCertificate) verify(cert *x509.Certificate, now time.Time) ([]*x509.Certificate, error) {
	if (!v.notAfter && now.After(cert.NotAfter)) || (!v.notBefore && now.Before(cert.NotBefore)) {
		undated := *cert
		undated.NotBefore, undated.NotAfter = now, now
		cert = &undated
	}
	opts := x509.VerifyOptions{CurrentTime: now, KeyUsages: anyUsage}
	if v.authorities != nil {
		opts.Roots, opts.Intermediates = v.authorities.Roots, v.authorities.Intermediates
	}
	chains, err := cert.Verify(opts)
	if err != nil {
		return nil, err
	}
	return chains[0], nil
}

// fail refuses the request with 401, unless ignore-error. clientMsg is
// the refusal's message; empty: "Invalid client certificate".
func (v *validateClientCertificate) fail(reason, message, clientMsg string) error {
	if v.ignoreError {
		return nil
	}
	if clientMsg == "" {
		clientMsg = "Invalid client certificate"
	}
	return refuse(401, reason, message, clientMsg, nil)
}

// matches reports whether cert (thumbprint tp) has every attribute of id.
// issuerTP is the thumbprint of cert's issuer when hasIssuerTP.
func (id *certIdentity) matches(cert *x509.Certificate, tp, issuerTP []byte, hasIssuerTP bool) bool {
	switch {
	case id.unknown,
		id.thumbprint != nil && !bytes.Equal(id.thumbprint, tp),
		id.serial != nil && id.serial.Cmp(cert.SerialNumber) != 0,
		id.commonName != "" && !strings.EqualFold(id.commonName, cert.Subject.CommonName),
		id.subject != nil && !namesMatch(id.subject, cert.Subject.Names),
		id.dnsName != "" && !hasDNSName(cert, id.dnsName),
		id.issuerSubject != nil && !namesMatch(id.issuerSubject, cert.Issuer.Names):
		return false
	}
	if id.issuerThumbprint != nil {
		byHash := hasIssuerTP && bytes.Equal(id.issuerThumbprint, issuerTP)
		if !byHash && !signedBy(cert, id.issuerKey) {
			return false
		}
	}
	if id.issuerByID && !signedBy(cert, id.issuerKey) {
		return false
	}
	return true
}

// hasDNSName reports whether cert's subject alternative name has the DNS
// name (case-insensitive).
func hasDNSName(cert *x509.Certificate, name string) bool {
	for _, d := range cert.DNSNames {
		if strings.EqualFold(strings.TrimSuffix(d, "."), name) {
			return true
		}
	}
	return false
}

// signedBy reports whether key (nil: none) made cert's signature.
func signedBy(cert *x509.Certificate, key crypto.PublicKey) bool {
	if key == nil {
		return false
	}
	issuer := x509.Certificate{PublicKey: key}
	return issuer.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil
}
