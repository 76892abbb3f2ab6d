package policy

import "crypto/x509"

// CertificateAuthorities are the certificates validate-client-certificate
// builds a client certificate's chain with: the gateway's certificate
// authorities (APIM's CA certificates of a managed gateway, and
// certificate authorities of a self-hosted one). It is immutable once in
// an Env and safe for concurrent use.
type CertificateAuthorities struct {
	// Roots are the trusted roots: the system's plus the trusted
	// authorities. Nil: the system's alone.
	Roots *x509.CertPool
	// Intermediates are the untrusted authorities, which chains may pass
	// through. Nil: none.
	Intermediates *x509.CertPool
	// Certificates are every authority's certificate, trusted or not,
	// where a certificate's issuer is looked for when no chain was built
	// (issuer-thumbprint with validate-trust="false").
	Certificates []*x509.Certificate
}

// Issuer returns the authority in a whose key signed c, or nil.
func (a *CertificateAuthorities) Issuer(c *x509.Certificate) *x509.Certificate {
	if a == nil {
		return nil
	}
	for _, ca := range a.Certificates {
		if string(ca.RawSubject) == string(c.RawIssuer) && c.CheckSignatureFrom(ca) == nil {
			return ca
		}
	}
	return nil
}
