package certificate_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/gatehouse/gatehouse/internal/certificate"
	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

func TestParse(t *testing.T) {
	ca := certtest.NewCA(t, "Test CA")
	leaf := ca.Issue(t, certtest.Options{CommonName: "client", Hosts: []string{"api.example.com"}})
	other := certtest.SelfSigned(t, "other")
	expired := ca.Issue(t, certtest.Options{CommonName: "old", NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	legacy, err := pkcs12.LegacyDES.Encode(leaf.Key, leaf.Cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data, password string
		wantField            string // "" for success
		wantKey              bool
		wantChain            int
	}{
		{name: "modern pfx", data: leaf.PFXBase64(t, "s3cret"), password: "s3cret", wantKey: true, wantChain: 2},
		{name: "legacy pfx", data: base64.StdEncoding.EncodeToString(legacy), password: "pw", wantKey: true, wantChain: 1},
		{name: "pfx wrapped base64", data: wrap(leaf.PFXBase64(t, "x")), password: "x", wantKey: true, wantChain: 2},
		{name: "wrong password", data: leaf.PFXBase64(t, "s3cret"), password: "nope", wantField: "password"},
		{name: "pem with key", data: leaf.PEM(t) + ca.CertPEM(), wantKey: true, wantChain: 2},
		{name: "pem ca only", data: ca.CertPEM(), wantChain: 1},
		{name: "der cer", data: base64.StdEncoding.EncodeToString(ca.Cert.Raw), wantChain: 1},
		{name: "pem key of another cert", data: leaf.CertPEM() + strings.SplitAfter(other.PEM(t), "-----END CERTIFICATE-----\n")[1], wantField: "data"},
		{name: "empty", data: "  ", wantField: "data"},
		{name: "not base64", data: "%%%", wantField: "data"},
		{name: "base64 garbage", data: base64.StdEncoding.EncodeToString([]byte("hello world")), wantField: "data"},
		{name: "pem without certificate", data: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", wantField: "data"},
		{name: "expired", data: expired.PFXBase64(t, "p"), password: "p", wantField: "data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := certificate.Parse(tt.data, tt.password, time.Now())
			if tt.wantField != "" {
				var ce *certificate.Error
				if !errors.As(err, &ce) || ce.Field != tt.wantField {
					t.Fatalf("Parse = %v, want an error about %s", err, tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if (m.Key != nil) != tt.wantKey || len(m.Chain) != tt.wantChain {
				t.Errorf("key %v chain %d; want key %v chain %d", m.Key != nil, len(m.Chain), tt.wantKey, tt.wantChain)
			}
			if len(m.Thumbprint()) != 40 || strings.ToUpper(m.Thumbprint()) != m.Thumbprint() {
				t.Errorf("thumbprint %q is not 40 upper-case hex digits", m.Thumbprint())
			}
			// The PEM form decodes to the same material.
			p, err := m.PEM()
			if err != nil {
				t.Fatal(err)
			}
			again, err := certificate.ParsePEM(p)
			if err != nil {
				t.Fatalf("ParsePEM(PEM()): %v", err)
			}
			if again.Thumbprint() != m.Thumbprint() || (again.Key != nil) != tt.wantKey {
				t.Error("PEM round trip changed the material")
			}
			if tt.wantKey {
				if _, err := m.TLS(); err != nil {
					t.Errorf("TLS: %v", err)
				}
			}
		})
	}
}

func wrap(s string) string {
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	return b.String() + s
}

// FuzzParse checks that the upload parser never panics and returns either
// material with a certificate or an *Error.
func FuzzParse(f *testing.F) {
	ca := certtest.NewCA(f, "Fuzz CA")
	leaf := ca.Issue(f, certtest.Options{CommonName: "leaf"})
	f.Add(leaf.PFXBase64(f, "pw"), "pw")
	f.Add(leaf.PFXBase64(f, "pw"), "wrong")
	f.Add(leaf.PEM(f), "")
	f.Add(ca.CertPEM(), "")
	f.Add(base64.StdEncoding.EncodeToString(ca.Cert.Raw), "")
	f.Add("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "")
	f.Add("MIIB", "")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, data, password string) {
		m, err := certificate.Parse(data, password, time.Unix(0, 0))
		if err != nil {
			var ce *certificate.Error
			if !errors.As(err, &ce) || (ce.Field != "data" && ce.Field != "password") {
				t.Fatalf("Parse error %v (%T) is not a *certificate.Error about data or password", err, err)
			}
			return
		}
		if m == nil || len(m.Chain) == 0 || m.Leaf() == nil {
			t.Fatal("Parse returned neither material nor an error")
		}
	})
}
