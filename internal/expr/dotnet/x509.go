package dotnet

import (
	"crypto/rsa"
	"crypto/sha1" // a certificate's Thumbprint is its SHA-1 hash, as in .NET
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// An X509Certificate2 is a *x509.Certificate: context.Request.Certificate
// (the client's TLS certificate), a certificate of
// context.Deployment.Certificates, or new X509Certificate2(byte[]).

// distinguishedName is an X500DistinguishedName.
type distinguishedName struct{ name string }

// TypeName returns "X500DistinguishedName".
func (distinguishedName) TypeName() string { return "X500DistinguishedName" }

// String returns the name.
func (d distinguishedName) String() string { return d.name }

// attrNames are .NET's short names of the attribute types of a name.
var attrNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "S", "2.5.4.9": "STREET", "2.5.4.10": "O",
	"2.5.4.11": "OU", "2.5.4.5": "SERIALNUMBER", "1.2.840.113549.1.9.1": "E", "0.9.2342.19200300.100.1.25": "DC",
	"2.5.4.4": "SN", "2.5.4.42": "G", "2.5.4.12": "T",
}

// formatName writes a name as .NET's X500DistinguishedName.Name does:
// the most specific part first, "CN=a, O=b, C=c".
func formatName(n pkix.Name) string {
	rdns := n.ToRDNSequence()
	parts := make([]string, 0, len(rdns))
	for i := len(rdns) - 1; i >= 0; i-- {
		for _, atv := range rdns[i] {
			k, ok := attrNames[atv.Type.String()]
			if !ok {
				k = "OID." + atv.Type.String()
			}
			v, _ := atv.Value.(string)
			if strings.ContainsAny(v, ",+=\"\n<>#;") || strings.TrimSpace(v) != v {
				v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
			}
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, ", ")
}

// newCertificate is new X509Certificate2(rawData): DER, or PEM bytes.
func newCertificate(a []any) (any, error) {
	raw, err := toBytes(a[0])
	if err != nil {
		return nil, fail("X509Certificate2 constructor takes the certificate's bytes: %v", err)
	}
	if b, _ := pem.Decode(raw); b != nil && b.Type == "CERTIFICATE" {
		raw = b.Bytes
	}
	c, err := x509.ParseCertificate(raw)
	if err != nil {
		return nil, fail("CryptographicException: Cannot find the requested object. (%v)", err)
	}
	return c, nil
}

// nameInfo is GetNameInfo(nameType, forIssuer).
func nameInfo(c *x509.Certificate, a []any) (any, error) {
	t, ok := a[0].(expr.Enum)
	forIssuer, ok2 := a[1].(bool)
	if !ok || t.Type != "X509NameType" || !ok2 {
		return nil, fail("GetNameInfo takes an X509NameType and a bool")
	}
	name := c.Subject
	if forIssuer {
		name = c.Issuer
	}
	first := func(s []string) string {
		if len(s) > 0 {
			return s[0]
		}
		return ""
	}
	emailOf := func() string {
		for _, atv := range name.Names {
			if atv.Type.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}) {
				s, _ := atv.Value.(string)
				return s
			}
		}
		return ""
	}
	switch t.Name {
	case "SimpleName":
		for _, s := range []string{name.CommonName, first(name.OrganizationalUnit), first(name.Organization), emailOf()} {
			if s != "" {
				return s, nil
			}
		}
		return "", nil
	case "DnsName":
		if !forIssuer && len(c.DNSNames) > 0 {
			return c.DNSNames[0], nil
		}
		return name.CommonName, nil
	case "EmailName":
		if !forIssuer && len(c.EmailAddresses) > 0 {
			return c.EmailAddresses[0], nil
		}
		return emailOf(), nil
	case "UrlName":
		if !forIssuer && len(c.URIs) > 0 {
			return c.URIs[0].String(), nil
		}
	}
	return "", nil
}

// addX509 adds X509Certificate2 (and X509Certificate, its base class),
// X500DistinguishedName and X509NameType, which APIM's table allows.
func addX509(m, s map[string]expr.Members) {
	cert := func(r any) *x509.Certificate { return r.(*x509.Certificate) }
	dn := named("X500DistinguishedName")
	m["X509Certificate2"] = expr.Members{
		"Subject":     val(tyString, func(r any) any { return formatName(cert(r).Subject) }),
		"Issuer":      val(tyString, func(r any) any { return formatName(cert(r).Issuer) }),
		"SubjectName": val(dn, func(r any) any { return distinguishedName{formatName(cert(r).Subject)} }),
		"IssuerName":  val(dn, func(r any) any { return distinguishedName{formatName(cert(r).Issuer)} }),
		"Thumbprint": val(tyString, func(r any) any {
			sum := sha1.Sum(cert(r).Raw)
			return strings.ToUpper(hex.EncodeToString(sum[:]))
		}),
		"SerialNumber": val(tyString, func(r any) any { return strings.ToUpper(hex.EncodeToString(cert(r).SerialNumber.Bytes())) }),
		// .NET gives NotBefore and NotAfter in local time, which is UTC here.
		"NotBefore":     val(tyDateTime, func(r any) any { return cert(r).NotBefore.UTC() }),
		"NotAfter":      val(tyDateTime, func(r any) any { return cert(r).NotAfter.UTC() }),
		"RawData":       val(tyBytes, func(r any) any { return append([]byte(nil), cert(r).Raw...) }),
		"HasPrivateKey": val(tyBool, func(any) any { return false }),
		"Version":       val(tyInt, func(r any) any { return cert(r).Version }),
		"GetNameInfo":   fn(tyString, 2, 2, func(r any, a []any) (any, error) { return nameInfo(cert(r), a) }),
		"GetCertHashString": fn(tyString, 0, 0, func(r any, _ []any) (any, error) {
			sum := sha1.Sum(cert(r).Raw)
			return strings.ToUpper(hex.EncodeToString(sum[:])), nil
		}),
		"GetSerialNumberString": fn(tyString, 0, 0, func(r any, _ []any) (any, error) {
			return strings.ToUpper(hex.EncodeToString(cert(r).SerialNumber.Bytes())), nil
		}),
		"GetRawCertData": fn(tyBytes, 0, 0, func(r any, _ []any) (any, error) { return append([]byte(nil), cert(r).Raw...), nil }),
		// Verify builds a chain to the system's trusted roots and checks
		// the validity period, as .NET does; revocation is not checked.
		"Verify": method(tyBool, 0, 0, func(e *expr.Env, r any, _ []any) (any, error) {
			now := time.Now()
			if e != nil && e.Context() != nil && e.Context().Now != nil {
				now = e.Context().Now()
			}
			_, err := cert(r).Verify(x509.VerifyOptions{CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			return err == nil, nil
		}),
		"GetRSAPublicKey": fn(named("RSA"), 0, 0, func(r any, _ []any) (any, error) {
			k, ok := cert(r).PublicKey.(*rsa.PublicKey)
			if !ok {
				return nil, nil // .NET returns null for a key of another algorithm
			}
			v := &rsaVal{}
			v.setPublic(k)
			return v, nil
		}),
		"Dispose": fn(tyVoid, 0, 0, func(any, []any) (any, error) { return nil, nil }),
	}
	m["X500DistinguishedName"] = expr.Members{"Name": val(tyString, func(r any) any { return r.(distinguishedName).name })}
	s["X509NameType"] = expr.Members{}
	for i, n := range []string{"SimpleName", "EmailName", "UpnName", "DnsName", "DnsFromAlternativeName", "UrlName"} {
		s["X509NameType"][n] = constant(named("X509NameType"), expr.Enum{Type: "X509NameType", Name: n, Value: i})
	}
}
