package certtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Cert is a certificate with its private key and the chain above it.
type Cert struct {
	Cert   *x509.Certificate
	Key    crypto.Signer
	Issuer *Cert // nil for a self-signed certificate
}

// Options shape a certificate. Zero values: valid from an hour ago for a
// day, no host names, usable by servers and clients.
type Options struct {
	CommonName string
	Hosts      []string // DNS names or IP addresses
	NotBefore  time.Time
	NotAfter   time.Time
	IsCA       bool
}

// NewCA returns a self-signed certificate authority.
func NewCA(t testing.TB, name string) *Cert {
	t.Helper()
	return issue(t, nil, Options{CommonName: name, IsCA: true})
}

// SelfSigned returns a self-signed leaf certificate for hosts.
func SelfSigned(t testing.TB, name string, hosts ...string) *Cert {
	t.Helper()
	return issue(t, nil, Options{CommonName: name, Hosts: hosts})
}

// Issue returns a leaf certificate signed by ca.
func (ca *Cert) Issue(t testing.TB, o Options) *Cert {
	t.Helper()
	return issue(t, ca, o)
}

func issue(t testing.TB, parent *Cert, o Options) *Cert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Now().Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = time.Now().Add(24 * time.Hour)
	}
	sn, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: o.CommonName, Organization: []string{"Gatehouse tests"}},
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if o.IsCA {
		tpl.IsCA, tpl.BasicConstraintsValid = true, true
		tpl.KeyUsage |= x509.KeyUsageCertSign
		tpl.ExtKeyUsage = nil
	}
	for _, h := range o.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tpl.IPAddresses = append(tpl.IPAddresses, ip)
		} else {
			tpl.DNSNames = append(tpl.DNSNames, h)
		}
	}
	signerCert, signerKey := tpl, crypto.Signer(key)
	if parent != nil {
		signerCert, signerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, signerCert, key.Public(), signerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{Cert: c, Key: key, Issuer: parent}
}

// chain returns c and the certificates above it.
func (c *Cert) chain() []*x509.Certificate {
	var out []*x509.Certificate
	for x := c; x != nil; x = x.Issuer {
		out = append(out, x.Cert)
	}
	return out
}

// TLS returns c as a crypto/tls certificate with its chain.
func (c *Cert) TLS() tls.Certificate {
	tc := tls.Certificate{PrivateKey: c.Key, Leaf: c.Cert}
	for _, x := range c.chain() {
		tc.Certificate = append(tc.Certificate, x.Raw)
	}
	return tc
}

// CertPEM returns c's certificate (without key) as PEM.
func (c *Cert) CertPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw}))
}

// PEM returns c's certificate and its PKCS#8 private key as PEM.
func (c *Cert) PEM(t testing.TB) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		t.Fatal(err)
	}
	return c.CertPEM() + string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// PFX returns c, its key and its issuers as PKCS#12 (AES-256, PBKDF2, as
// modern tools write it) protected by password.
func (c *Cert) PFX(t testing.TB, password string) []byte {
	t.Helper()
	chain := c.chain()
	b, err := pkcs12.Modern2023.Encode(c.Key, chain[0], chain[1:], password)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// PFXBase64 returns PFX encoded as the management API takes it.
func (c *Cert) PFXBase64(t testing.TB, password string) string {
	t.Helper()
	return base64.StdEncoding.EncodeToString(c.PFX(t, password))
}

// Pool returns a pool holding c's certificate.
func (c *Cert) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.Cert)
	return p
}
