package dotnet

import (
	"crypto"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// addRSA adds RSA, HashAlgorithmName, RSASignaturePadding and
// RSAEncryptionPadding, which APIM's table allows whole. RSAParameters is
// not in the table, so ImportParameters and ExportParameters, which need
// it, are refused; keys come from ImportFromPem, FromXmlString, an
// X509Certificate2's GetRSAPublicKey, or RSA.Create's own.
func addRSA(m, s map[string]expr.Members) {
	tyRSA, tyHashName := named("RSA"), named("HashAlgorithmName")
	s["RSA"] = expr.Members{
		"Create": fn(tyRSA, 0, 1, func(_ any, a []any) (any, error) {
			bits := 2048
			if len(a) == 1 {
				n, ok := a[0].(int)
				if !ok || n < 512 || n > rsaMaxBits || n%8 != 0 {
					return nil, fail("CryptographicException: RSA key size %v is not supported (512 to %d bits, a multiple of 8)", a[0], rsaMaxBits)
				}
				bits = n
			}
			return &rsaVal{bits: bits}, nil
		}),
	}
	s["HashAlgorithmName"] = expr.Members{}
	for _, n := range []string{"MD5", "SHA1", "SHA256", "SHA384", "SHA512"} {
		s["HashAlgorithmName"][n] = constant(tyHashName, hashName{n})
	}
	s["RSASignaturePadding"] = expr.Members{}
	for _, n := range []string{"Pkcs1", "Pss"} {
		s["RSASignaturePadding"][n] = constant(named("RSASignaturePadding"), expr.Enum{Type: "RSASignaturePadding", Name: n})
	}
	s["RSAEncryptionPadding"] = expr.Members{}
	for i, n := range []string{"Pkcs1", "OaepSHA1", "OaepSHA256", "OaepSHA384", "OaepSHA512"} {
		s["RSAEncryptionPadding"][n] = constant(named("RSAEncryptionPadding"), expr.Enum{Type: "RSAEncryptionPadding", Name: n, Value: i})
	}
	m["HashAlgorithmName"] = expr.Members{"Name": val(tyString, func(r any) any { return r.(hashName).name })}

	bytesArg := func(a []any, i int) ([]byte, error) { return toBytes(a[i]) }
	m["RSA"] = expr.Members{
		"KeySize": val(tyInt, func(r any) any { return r.(*rsaVal).bits }),
		"ImportFromPem": fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
			s, err := str(a[0], "input")
			if err != nil {
				return nil, err
			}
			return nil, r.(*rsaVal).importPEM(s)
		}),
		"FromXmlString": fn(tyVoid, 1, 1, func(r any, a []any) (any, error) {
			s, err := str(a[0], "xmlString")
			if err != nil {
				return nil, err
			}
			return nil, r.(*rsaVal).importXML(s)
		}),
		"ToXmlString": fn(tyString, 1, 1, func(r any, a []any) (any, error) {
			b, ok := a[0].(bool)
			if !ok {
				return nil, fail("includePrivateParameters must be a bool")
			}
			return r.(*rsaVal).exportXML(b)
		}),
		"SignData": fn(tyBytes, 3, 5, func(r any, a []any) (any, error) {
			data, err := bytesArg(a, 0)
			if err != nil {
				return nil, err
			}
			if len(a) == 5 {
				if data, err = slice(data, a[1], a[2]); err != nil {
					return nil, err
				}
				a = []any{nil, a[3], a[4]}
			} else if len(a) != 3 {
				return nil, fail("SignData takes (data, hashAlgorithm, padding) or (data, offset, count, hashAlgorithm, padding)")
			}
			h, err := hashOf(a[1])
			if err != nil {
				return nil, err
			}
			return r.(*rsaVal).signHash(digest(h, data), h, a[2])
		}),
		"SignHash": fn(tyBytes, 3, 3, func(r any, a []any) (any, error) {
			return withHash(a, 1, func(hashed []byte, h crypto.Hash) (any, error) { return r.(*rsaVal).signHash(hashed, h, a[2]) })
		}),
		"VerifyData": fn(tyBool, 4, 4, func(r any, a []any) (any, error) {
			data, err := bytesArg(a, 0)
			if err != nil {
				return nil, err
			}
			sig, err := bytesArg(a, 1)
			if err != nil {
				return nil, err
			}
			h, err := hashOf(a[2])
			if err != nil {
				return nil, err
			}
			return r.(*rsaVal).verifyHash(digest(h, data), sig, h, a[3])
		}),
		"VerifyHash": fn(tyBool, 4, 4, func(r any, a []any) (any, error) {
			sig, err := bytesArg(a, 1)
			if err != nil {
				return nil, err
			}
			return withHash(a, 2, func(hashed []byte, h crypto.Hash) (any, error) { return r.(*rsaVal).verifyHash(hashed, sig, h, a[3]) })
		}),
		"Encrypt": fn(tyBytes, 2, 2, func(r any, a []any) (any, error) {
			data, err := bytesArg(a, 0)
			if err != nil {
				return nil, err
			}
			return r.(*rsaVal).encrypt(data, a[1])
		}),
		"Decrypt": fn(tyBytes, 2, 2, func(r any, a []any) (any, error) {
			data, err := bytesArg(a, 0)
			if err != nil {
				return nil, err
			}
			return r.(*rsaVal).decrypt(data, a[1])
		}),
		"Dispose": fn(tyVoid, 0, 0, func(any, []any) (any, error) { return nil, nil }),
	}
}

// withHash reads a[0] as a digest and a[hashAt] as its HashAlgorithmName.
func withHash(a []any, hashAt int, f func([]byte, crypto.Hash) (any, error)) (any, error) {
	hashed, err := toBytes(a[0])
	if err != nil {
		return nil, err
	}
	h, err := hashOf(a[hashAt])
	if err != nil {
		return nil, err
	}
	return f(hashed, h)
}

// slice is data[offset:offset+count], checked as .NET checks it.
func slice(data []byte, offset, count any) ([]byte, error) {
	o, ok1 := offset.(int)
	c, ok2 := count.(int)
	if !ok1 || !ok2 || o < 0 || c < 0 || o+c > len(data) {
		return nil, fail("ArgumentOutOfRangeException: offset %v and count %v do not fit %d bytes", offset, count, len(data))
	}
	return data[o : o+c], nil
}

// newHashAlgorithmName is new HashAlgorithmName(name).
func newHashAlgorithmName(a []any) (any, error) {
	s, err := str(a[0], "name")
	if err != nil {
		return nil, err
	}
	return hashName{s}, nil
}
