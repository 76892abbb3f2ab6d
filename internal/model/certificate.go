package model

import (
	"regexp"
	"strings"
	"time"
)

// Certificate is a certificate the gateway presents to backends (client
// certificates, with a private key) or trusts (CA certificates, without
// one). Data and Password are write-only: the material is decoded by the
// management API, sealed in the store and never returned; Subject,
// Thumbprint and ExpirationDate describe it and are set by the
// management API, whatever a request says.
type Certificate struct {
	// Data is base64 PKCS#12 (PFX) data, base64 DER of one certificate,
	// or PEM text. Write-only.
	Data string `json:"data,omitempty"`
	// Password opens PFX Data. Write-only.
	Password       string     `json:"password,omitempty"`
	Subject        string     `json:"subject,omitempty"`
	Thumbprint     string     `json:"thumbprint,omitempty"`
	ExpirationDate *time.Time `json:"expirationDate,omitempty"`
}

// Normalize has nothing to default.
func (c *Certificate) Normalize() {}

// Validate checks sizes only: the material itself is decoded by the
// management API.
func (c *Certificate) Validate() error {
	var fe fieldErrors
	if len(c.Data) > 1<<20 {
		fe.add("data", "must be at most 1 MiB")
	}
	if len(c.Password) > 1024 {
		fe.add("password", "must be at most 1024 characters")
	}
	return fe.err()
}

// GatewayCertificateAuthority makes a certificate (its id is the
// certificate's) a certificate authority of a gateway. A trusted one is a
// root the gateway accepts backend certificates from, in addition to the
// system's roots; an untrusted one is an intermediate used to build
// chains.
type GatewayCertificateAuthority struct {
	IsTrusted bool `json:"isTrusted"`
}

// Normalize has nothing to default.
func (g *GatewayCertificateAuthority) Normalize() {}

// Validate has nothing to check.
func (g *GatewayCertificateAuthority) Validate() error { return nil }

var (
	authCertElement = regexp.MustCompile(`(?is)<authentication-certificate\b[^>]*>|<key\b[^>]*\bcertificate-id\b[^>]*>`)
	certIDAttr      = regexp.MustCompile(`(?is)\bcertificate-id\s*=\s*(?:"([^"]*)"|'([^']*)')`)
	thumbprintAttr  = regexp.MustCompile(`(?is)\bthumbprint\s*=\s*(?:"([^"]*)"|'([^']*)')`)
)

// CertificateRefs returns the certificate ids and thumbprints that the
// authentication-certificate elements and validate-jwt's
// <key certificate-id> of a policy document (or fragment) name, as
// written; resolve, when not nil, replaces {{name}} references
// in them. The scan is textual: it also finds elements that are
// commented out, which errs on the side of keeping a certificate.
func CertificateRefs(doc string, resolve func(string) string) (ids, thumbprints []string) {
	if !strings.Contains(doc, "authentication-certificate") && !strings.Contains(doc, "certificate-id") {
		return nil, nil
	}
	value := func(m []string) string {
		v := m[1] + m[2]
		if resolve != nil && strings.Contains(v, "{{") {
			v = resolve(v)
		}
		return strings.TrimSpace(v)
	}
	for _, el := range authCertElement.FindAllString(doc, -1) {
		if m := certIDAttr.FindStringSubmatch(el); m != nil {
			ids = append(ids, value(m))
		}
		if m := thumbprintAttr.FindStringSubmatch(el); m != nil {
			thumbprints = append(thumbprints, value(m))
		}
	}
	return ids, thumbprints
}
