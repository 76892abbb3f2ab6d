package builtin

import (
	"crypto/x509"
	"testing"

	"github.com/gatehouse/gatehouse/internal/certificate"
	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// BenchmarkValidateClientCertificate measures one request's check of an
// ECDSA P-256 client certificate: by thumbprint alone, and with its chain
// built to the gateway's root and its subject matched.
func BenchmarkValidateClientCertificate(b *testing.B) {
	root := certtest.NewCA(b, "Bench Root")
	leaf := root.Issue(b, certtest.Options{CommonName: "client-1"})
	env := policy.Env{CertificateAuthorities: &policy.CertificateAuthorities{Roots: root.Pool(), Certificates: []*x509.Certificate{root.Cert}}}
	for _, bc := range []struct{ name, elem string }{
		{"thumbprint", `<validate-client-certificate validate-revocation="false" validate-trust="false"><identities>
  <identity thumbprint="` + certificate.Thumbprint(leaf.Cert) + `" /></identities></validate-client-certificate>`},
		{"chain and subject", `<validate-client-certificate validate-revocation="false"><identities>
  <identity subject="CN=client-1, O=Gatehouse tests" /></identities></validate-client-certificate>`},
	} {
		d, err := policy.ParseIn(inbound(bc.elem), env)
		if err != nil {
			b.Fatal(err)
		}
		eff, err := policy.Merge(nil, d)
		if err != nil {
			b.Fatal(err)
		}
		p, err := NewRegistry().Compile(eff, env)
		if err != nil {
			b.Fatal(err)
		}
		c := &policy.Context{Context: expr.Context{Request: &expr.Request{Certificate: leaf.Cert}}}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := p.Run(policy.Inbound, c); err != nil || c.Ended() {
					b.Fatalf("refused: %v", err)
				}
			}
		})
	}
}
