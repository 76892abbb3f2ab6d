package certificate

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// maxChain bounds the certificates one upload may hold.
const maxChain = 16

// Error is a problem with uploaded material. Field names the input at
// fault: "data" or "password".
type Error struct {
	Field string
	Msg   string
}

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

func dataErr(format string, args ...any) error {
	return &Error{Field: "data", Msg: fmt.Sprintf(format, args...)}
}

// Material is decoded certificate material: a chain, leaf first, and the
// leaf's private key when there is one. It must not be modified.
type Material struct {
	// Chain holds the certificates, the leaf first. Never empty.
	Chain []*x509.Certificate
	// Key is the leaf's private key; nil for a certificate without one
	// (a CA certificate).
	Key crypto.PrivateKey
}

// Parse decodes uploaded material as the management API accepts it:
// base64 PKCS#12 (PFX) data opened with password, base64 DER of one X.509
// certificate (a .cer file), or PEM text holding certificates and at most
// one unencrypted private key. It refuses material whose leaf certificate
// expired before now, and a private key that does not belong to the leaf.
// Errors are *Error values.
func Parse(data, password string, now time.Time) (*Material, error) {
	text := strings.TrimSpace(data)
	if text == "" {
		return nil, dataErr("is required: base64 PKCS#12 (PFX) data or PEM text")
	}
	var m *Material
	var err error
	if strings.Contains(text, "-----BEGIN") {
		m, err = ParsePEM([]byte(text))
	} else {
		der, derr := decodeBase64(text)
		if derr != nil {
			return nil, dataErr("is neither base64 PKCS#12 (PFX) data nor PEM text")
		}
		m, err = ParseDER(der, password)
	}
	if err != nil {
		return nil, err
	}
	if exp := m.Leaf().NotAfter; exp.Before(now) {
		return nil, dataErr("the certificate %q expired on %s", m.Subject(), exp.UTC().Format(time.RFC3339))
	}
	return m, nil
}

// decodeBase64 decodes standard base64, padded or not, ignoring white
// space.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// ParseDER decodes PKCS#12 (PFX) bytes opened with password, or, when der
// is not PKCS#12, one DER X.509 certificate. Errors are *Error values.
func ParseDER(der []byte, password string) (*Material, error) {
	key, leaf, cas, err := pkcs12.DecodeChain(der, password)
	if err == nil {
		m := &Material{Chain: append([]*x509.Certificate{leaf}, cas...), Key: key}
		return m, m.check()
	}
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
		return nil, &Error{Field: "password", Msg: "does not open the PKCS#12 (PFX) data"}
	case strings.Contains(err.Error(), "private key missing"):
		certs, terr := pkcs12.DecodeTrustStore(der, password)
		if terr == nil && len(certs) > 0 {
			m := &Material{Chain: certs}
			return m, m.check()
		}
		return nil, dataErr("the PKCS#12 (PFX) data holds no private key; upload a CA certificate as PEM or base64 DER (.cer)")
	}
	if c, cerr := x509.ParseCertificate(der); cerr == nil {
		return &Material{Chain: []*x509.Certificate{c}}, nil // a .cer file
	}
	if strings.Contains(err.Error(), "error reading P12 data") {
		return nil, dataErr("is not PKCS#12 (PFX) data or a DER certificate")
	}
	var ni pkcs12.NotImplementedError
	if errors.As(err, &ni) {
		return nil, dataErr("unsupported PKCS#12 (PFX) data: %s", strings.TrimPrefix(err.Error(), "pkcs12: "))
	}
	return nil, dataErr("invalid PKCS#12 (PFX) data: %s", strings.TrimPrefix(err.Error(), "pkcs12: "))
}

// ParsePEM decodes PEM text: CERTIFICATE blocks (the leaf first) and at
// most one PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block. Errors
// are *Error values.
func ParsePEM(text []byte) (*Material, error) {
	m := &Material{}
	rest := text
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, dataErr("certificate %d: %v", len(m.Chain)+1, err)
			}
			m.Chain = append(m.Chain, c)
		case strings.HasSuffix(b.Type, "PRIVATE KEY"):
			if m.Key != nil {
				return nil, dataErr("holds more than one private key")
			}
			if _, enc := b.Headers["DEK-Info"]; enc || b.Type == "ENCRYPTED PRIVATE KEY" {
				return nil, dataErr("encrypted PEM private keys are not supported; upload PKCS#12 (PFX) data with a password instead")
			}
			k, err := parseKey(b)
			if err != nil {
				return nil, dataErr("private key: %v", err)
			}
			m.Key = k
		default:
			return nil, dataErr("unexpected PEM block %q", b.Type)
		}
	}
	if len(bytes.TrimSpace(rest)) > 0 && len(m.Chain) == 0 {
		return nil, dataErr("is not valid PEM text")
	}
	if len(m.Chain) == 0 {
		return nil, dataErr("holds no CERTIFICATE")
	}
	return m, m.check()
}

func parseKey(b *pem.Block) (crypto.PrivateKey, error) {
	switch b.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(b.Bytes)
	}
	return x509.ParsePKCS8PrivateKey(b.Bytes)
}

// check bounds the chain and makes sure the key belongs to the leaf.
func (m *Material) check() error {
	if len(m.Chain) > maxChain {
		return dataErr("holds %d certificates; at most %d are allowed", len(m.Chain), maxChain)
	}
	if m.Key == nil {
		return nil
	}
	if _, err := m.TLS(); err != nil {
		return dataErr("the private key does not belong to the first certificate")
	}
	return nil
}

// Leaf returns the first certificate.
func (m *Material) Leaf() *x509.Certificate { return m.Chain[0] }

// Subject returns the leaf's subject as a distinguished name
// ("CN=api.example.com,O=Example").
func (m *Material) Subject() string { return m.Leaf().Subject.String() }

// Thumbprint returns the leaf's thumbprint, as APIM shows it.
func (m *Material) Thumbprint() string { return Thumbprint(m.Leaf()) }

// Thumbprint returns the SHA-1 digest of c's DER encoding in upper-case
// hex: the thumbprint APIM and Windows show.
func Thumbprint(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// PEM encodes the chain and the key (PKCS#8) as PEM text, the form kept
// in the store and in snapshots.
func (m *Material) PEM() ([]byte, error) {
	var b bytes.Buffer
	for _, c := range m.Chain {
		if err := pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}); err != nil {
			return nil, fmt.Errorf("encode certificate: %w", err)
		}
	}
	if m.Key != nil {
		der, err := x509.MarshalPKCS8PrivateKey(m.Key)
		if err != nil {
			return nil, fmt.Errorf("encode private key: %w", err)
		}
		if err := pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
			return nil, fmt.Errorf("encode private key: %w", err)
		}
	}
	return b.Bytes(), nil
}

// TLS returns the chain and key as a client certificate for crypto/tls.
// It fails when there is no key or it does not match the leaf.
func (m *Material) TLS() (*tls.Certificate, error) {
	if m.Key == nil {
		return nil, errors.New("certificate has no private key")
	}
	c := &tls.Certificate{PrivateKey: m.Key, Leaf: m.Leaf()}
	for _, x := range m.Chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	pub, ok := m.Key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return nil, errors.New("unsupported private key type")
	}
	same, ok := pub.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !same.Equal(m.Leaf().PublicKey) {
		return nil, errors.New("private key does not match the certificate")
	}
	return c, nil
}
