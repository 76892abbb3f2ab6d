package dotnet

import (
	"crypto/rand"
	"crypto/sha1" // SHA1Managed, which APIM's table allows
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"hash"
	"math"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// rngVal is an RNGCryptoServiceProvider.
type rngVal struct{}

// TypeName returns "RNGCryptoServiceProvider".
func (rngVal) TypeName() string { return "RNGCryptoServiceProvider" }

// String returns the .NET class name.
func (rngVal) String() string {
	return "System.Security.Cryptography.RNGCryptoServiceProvider"
}

// managedHashes are the *Managed hash classes APIM's table allows; new
// SHA256Managed() is SHA256.Create().
var managedHashes = map[string]func() hash.Hash{
	"SHA1Managed": sha1.New, "SHA256Managed": sha256.New, "SHA384Managed": sha512.New384, "SHA512Managed": sha512.New,
}

// addCryptoExtras adds RNGCryptoServiceProvider, the *Managed hashes,
// RSACertificateExtensions' static calls and TimeSpan.MaxValue/MinValue.
func addCryptoExtras(m, s map[string]expr.Members, ctors map[string]*expr.Constructor) {
	ctors["RNGCryptoServiceProvider"] = &expr.Constructor{Min: 0, Max: 0, Result: named("RNGCryptoServiceProvider"),
		Make: func([]any) (any, error) { return rngVal{}, nil }}
	m["RNGCryptoServiceProvider"] = expr.Members{
		// GetBytes fills the array it is given, as in .NET.
		"GetBytes": fn(tyVoid, 1, 1, func(_ any, a []any) (any, error) {
			b, ok := a[0].([]byte)
			if !ok {
				return nil, fail("GetBytes fills a byte[], not %s", expr.TypeName(a[0]))
			}
			if _, err := rand.Read(b); err != nil {
				return nil, fail("CryptographicException: %v", err)
			}
			return nil, nil
		}),
		"Dispose": fn(tyVoid, 0, 0, func(any, []any) (any, error) { return nil, nil }),
	}
	for name, h := range managedHashes {
		ctors[name] = &expr.Constructor{Min: 0, Max: 0, Result: named("HashAlgorithm"),
			Make: func([]any) (any, error) { return &hashAlg{h: h}, nil }}
		s[name] = hashStatic(h)
	}
	certArg := func(a any) (*x509.Certificate, error) {
		c, ok := a.(*x509.Certificate)
		if !ok {
			return nil, fail("ArgumentNullException: an X509Certificate2 is required, not %s", expr.TypeName(a))
		}
		return c, nil
	}
	s["RSACertificateExtensions"] = expr.Members{
		"GetRSAPublicKey": fn(named("RSA"), 1, 1, func(_ any, a []any) (any, error) {
			c, err := certArg(a[0])
			if err != nil {
				return nil, err
			}
			return m["X509Certificate2"]["GetRSAPublicKey"].Call(nil, c, nil, nil)
		}),
		// A certificate here never holds a private key.
		"GetRSAPrivateKey": fn(named("RSA"), 1, 1, func(_ any, a []any) (any, error) {
			_, err := certArg(a[0])
			return nil, err
		}),
	}
	m["X509Certificate2"]["GetRSAPrivateKey"] = fn(named("RSA"), 0, 0, func(any, []any) (any, error) { return nil, nil })
	// Go's time.Duration spans ±292 years where .NET's TimeSpan spans
	// ±29,227: MaxValue and MinValue are the largest here, which compare as
	// .NET's do with any real interval but print differently.
	s["TimeSpan"]["MaxValue"] = constant(tyTimeSpan, time.Duration(math.MaxInt64))
	s["TimeSpan"]["MinValue"] = constant(tyTimeSpan, time.Duration(math.MinInt64))
}
