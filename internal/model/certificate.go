package model

import "time"

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
