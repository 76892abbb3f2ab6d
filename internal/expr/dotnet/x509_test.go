package dotnet

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"testing"
	"time"
)

// newTestCertificate makes a self-signed RSA certificate and its key.
func newTestCertificate(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x0A1B2C),
		Subject: pkix.Name{CommonName: "client.example.com", Organization: []string{"Contoso"}, Country: []string{"NL"},
			OrganizationalUnit: []string{"Orders, EU"}},
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
		DNSNames: []string{"api.example.com"}, EmailAddresses: []string{"ops@example.com"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

func TestX509Certificate2(t *testing.T) {
	cert, key := newTestCertificate(t)
	sum := sha256.Sum256([]byte("hello"))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{"der": base64.StdEncoding.EncodeToString(cert.Raw), "sig": base64.StdEncoding.EncodeToString(sig)}
	tests := []struct{ name, src, want string }{
		{"subject", `return context.Request.Certificate.Subject;`, `string:CN=client.example.com, OU="Orders, EU", O=Contoso, C=NL`},
		{"issuer name", `return context.Request.Certificate.IssuerName.Name;`, `string:CN=client.example.com, OU="Orders, EU", O=Contoso, C=NL`},
		{"serial", `return context.Request.Certificate.SerialNumber;`, "string:0A1B2C"},
		{"not after", `return context.Request.Certificate.NotAfter.ToString("yyyy-MM-dd");`, "string:2034-01-01"},
		{"still valid", `return context.Request.Certificate.NotBefore < DateTime.UtcNow && DateTime.UtcNow < context.Request.Certificate.NotAfter;`, "bool:True"},
		{"thumbprint length", `return context.Request.Certificate.Thumbprint.Length;`, "int:40"},
		{"simple name", `return context.Request.Certificate.GetNameInfo(X509NameType.SimpleName, false);`, "string:client.example.com"},
		{"dns name", `return context.Request.Certificate.GetNameInfo(X509NameType.DnsName, false);`, "string:api.example.com"},
		{"email name", `return context.Request.Certificate.GetNameInfo(X509NameType.EmailName, false);`, "string:ops@example.com"},
		{"self-signed does not verify", `return context.Request.Certificate.Verify();`, "bool:False"},
		{"from bytes", `var c = new X509Certificate2(Convert.FromBase64String((string)context.Variables["der"])); return c.Thumbprint == context.Request.Certificate.Thumbprint;`, "bool:True"},
		{"rsa public key", `var c = new X509Certificate2(Convert.FromBase64String((string)context.Variables["der"]));
			return c.GetRSAPublicKey().VerifyData(Encoding.UTF8.GetBytes("hello"), Convert.FromBase64String((string)context.Variables["sig"]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);`, "bool:True"},
		{"typed variable", `X509Certificate2 c = context.Request.Certificate; return c.Version;`, "int:3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := compile(tt.src, Block)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			c := newTestContext()
			c.Request.Certificate = cert
			for k, v := range vars {
				c.Variables[k] = v
			}
			v, err := p.Eval(c)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if got := show(v); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	runCases(t, Inline, []evalCase{
		{"no client certificate", `context.Request.Certificate == null`, "bool:True"},
		{"no client certificate subject", `context.Request.Certificate?.Subject ?? "none"`, "string:none"},
	})
	runErrCases(t, false, []errCase{
		{"not a certificate", `new X509Certificate2(new byte[] {1, 2, 3}).Subject`, Inline, "1:1: CryptographicException: Cannot find the requested object. (x509: malformed certificate)"},
	})
}

// sampleCertificate is a self-signed Ed25519 certificate, quick to make,
// for the tests that need any certificate.
func sampleCertificate() *x509.Certificate {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sample"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, pub, priv)
	if err != nil {
		return nil
	}
	c, _ := x509.ParseCertificate(der)
	return c
}
