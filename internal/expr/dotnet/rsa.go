package dotnet

import (
	"crypto"
	"crypto/md5" // RSA signatures over MD5, which HashAlgorithmName.MD5 names
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // RSA signatures and OAEP over SHA-1, which .NET names
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"math/big"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// rsaVal is a System.Security.Cryptography.RSA: a key pair, or a public
// key alone. RSA.Create() makes a key lazily, as .NET does: one imported
// before first use replaces it, so a policy that imports a key never pays
// for generating one.
type rsaVal struct {
	bits int
	priv *rsa.PrivateKey
	pub  *rsa.PublicKey
}

// TypeName returns "RSA".
func (*rsaVal) TypeName() string { return "RSA" }

// String returns the .NET class name, as ToString does.
func (*rsaVal) String() string { return "System.Security.Cryptography.RSA" }

// hashName is a HashAlgorithmName.
type hashName struct{ name string }

// TypeName returns "HashAlgorithmName".
func (hashName) TypeName() string { return "HashAlgorithmName" }

// String returns the algorithm's name.
func (h hashName) String() string { return h.name }

// rsaMaxBits bounds the key RSA.Create(keySize) generates.
const rsaMaxBits = 4096

// publicKey returns the key to verify and encrypt with, making one if
// none was imported.
func (r *rsaVal) publicKey() (*rsa.PublicKey, error) {
	if r.pub == nil {
		if _, err := r.privateKey(); err != nil {
			return nil, err
		}
	}
	return r.pub, nil
}

// privateKey returns the key to sign and decrypt with.
func (r *rsaVal) privateKey() (*rsa.PrivateKey, error) {
	if r.priv != nil {
		return r.priv, nil
	}
	if r.pub != nil {
		return nil, fail("CryptographicException: the RSA key has no private part")
	}
	k, err := rsa.GenerateKey(rand.Reader, r.bits)
	if err != nil {
		return nil, fail("CryptographicException: generate an RSA key: %v", err)
	}
	r.setPrivate(k)
	return k, nil
}

func (r *rsaVal) setPrivate(k *rsa.PrivateKey) {
	k.Precompute()
	r.priv, r.pub, r.bits = k, &k.PublicKey, k.N.BitLen()
}

func (r *rsaVal) setPublic(k *rsa.PublicKey) {
	r.priv, r.pub, r.bits = nil, k, k.N.BitLen()
}

// hashOf maps a HashAlgorithmName to Go's hash.
func hashOf(a any) (crypto.Hash, error) {
	h, ok := a.(hashName)
	if !ok {
		return 0, fail("expected a HashAlgorithmName, not %s", expr.TypeName(a))
	}
	switch strings.ToUpper(h.name) {
	case "MD5":
		return crypto.MD5, nil
	case "SHA1":
		return crypto.SHA1, nil
	case "SHA256":
		return crypto.SHA256, nil
	case "SHA384":
		return crypto.SHA384, nil
	case "SHA512":
		return crypto.SHA512, nil
	}
	return 0, fail("CryptographicException: '%s' is not a known hash algorithm", h.name)
}

// digest hashes data with h.
func digest(h crypto.Hash, data []byte) []byte {
	switch h {
	case crypto.MD5:
		s := md5.Sum(data)
		return s[:]
	case crypto.SHA1:
		s := sha1.Sum(data)
		return s[:]
	case crypto.SHA384:
		s := sha512.Sum384(data)
		return s[:]
	case crypto.SHA512:
		s := sha512.Sum512(data)
		return s[:]
	}
	s := sha256.Sum256(data)
	return s[:]
}

// isPSS reads an RSASignaturePadding.
func isPSS(a any) (bool, error) {
	e, ok := a.(expr.Enum)
	if !ok || e.Type != "RSASignaturePadding" {
		return false, fail("expected an RSASignaturePadding, not %s", expr.TypeName(a))
	}
	return e.Name == "Pss", nil
}

// signHash signs a digest made with h.
func (r *rsaVal) signHash(hashed []byte, h crypto.Hash, padding any) (any, error) {
	pss, err := isPSS(padding)
	if err != nil {
		return nil, err
	}
	k, err := r.privateKey()
	if err != nil {
		return nil, err
	}
	var sig []byte
	if pss {
		sig, err = rsa.SignPSS(rand.Reader, k, h, hashed, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	} else {
		sig, err = rsa.SignPKCS1v15(nil, k, h, hashed)
	}
	if err != nil {
		return nil, fail("CryptographicException: sign: %v", err)
	}
	return sig, nil
}

// verifyHash checks sig over a digest made with h; a signature that does
// not match is false, not an error, as in .NET.
func (r *rsaVal) verifyHash(hashed, sig []byte, h crypto.Hash, padding any) (any, error) {
	pss, err := isPSS(padding)
	if err != nil {
		return nil, err
	}
	k, err := r.publicKey()
	if err != nil {
		return nil, err
	}
	if len(hashed) != h.Size() {
		return nil, fail("CryptographicException: the hash is %d bytes, %v makes %d", len(hashed), h, h.Size())
	}
	if pss {
		return rsa.VerifyPSS(k, h, hashed, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil, nil
	}
	return rsa.VerifyPKCS1v15(k, h, hashed, sig) == nil, nil
}

// oaepHash reads an RSAEncryptionPadding: 0 for PKCS#1 v1.5, else the
// OAEP hash.
func oaepHash(a any) (crypto.Hash, error) {
	e, ok := a.(expr.Enum)
	if !ok || e.Type != "RSAEncryptionPadding" {
		return 0, fail("expected an RSAEncryptionPadding, not %s", expr.TypeName(a))
	}
	switch e.Name {
	case "OaepSHA1":
		return crypto.SHA1, nil
	case "OaepSHA256":
		return crypto.SHA256, nil
	case "OaepSHA384":
		return crypto.SHA384, nil
	case "OaepSHA512":
		return crypto.SHA512, nil
	}
	return 0, nil
}

func (r *rsaVal) encrypt(data []byte, padding any) (any, error) {
	h, err := oaepHash(padding)
	if err != nil {
		return nil, err
	}
	k, err := r.publicKey()
	if err != nil {
		return nil, err
	}
	var out []byte
	if h == 0 {
		out, err = rsa.EncryptPKCS1v15(rand.Reader, k, data)
	} else {
		out, err = rsa.EncryptOAEP(h.New(), rand.Reader, k, data, nil)
	}
	if err != nil {
		return nil, fail("CryptographicException: encrypt: %v", err)
	}
	return out, nil
}

func (r *rsaVal) decrypt(data []byte, padding any) (any, error) {
	h, err := oaepHash(padding)
	if err != nil {
		return nil, err
	}
	k, err := r.privateKey()
	if err != nil {
		return nil, err
	}
	var out []byte
	if h == 0 {
		out, err = rsa.DecryptPKCS1v15(nil, k, data)
	} else {
		out, err = rsa.DecryptOAEP(h.New(), nil, k, data, nil)
	}
	if err != nil {
		return nil, fail("CryptographicException: the parameter is incorrect (decryption failed)")
	}
	return out, nil
}

// importPEM reads the first RSA key of a PEM text: SubjectPublicKeyInfo
// ("PUBLIC KEY"), PKCS#1 ("RSA PUBLIC KEY", "RSA PRIVATE KEY") or PKCS#8
// ("PRIVATE KEY"), as AsymmetricAlgorithm.ImportFromPem does.
func (r *rsaVal) importPEM(text string) error {
	rest := []byte(text)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return fail("ArgumentException: no supported key is found in the PEM text")
		}
		switch b.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(b.Bytes)
			if err != nil {
				return fail("CryptographicException: PUBLIC KEY: %v", err)
			}
			rk, ok := k.(*rsa.PublicKey)
			if !ok {
				return fail("CryptographicException: the PUBLIC KEY is not an RSA key")
			}
			r.setPublic(rk)
			return nil
		case "RSA PUBLIC KEY":
			k, err := x509.ParsePKCS1PublicKey(b.Bytes)
			if err != nil {
				return fail("CryptographicException: RSA PUBLIC KEY: %v", err)
			}
			r.setPublic(k)
			return nil
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				return fail("CryptographicException: RSA PRIVATE KEY: %v", err)
			}
			r.setPrivate(k)
			return nil
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return fail("CryptographicException: PRIVATE KEY: %v", err)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return fail("CryptographicException: the PRIVATE KEY is not an RSA key")
			}
			r.setPrivate(rk)
			return nil
		}
	}
}

// rsaKeyValue is the XML form of FromXmlString and ToXmlString.
type rsaKeyValue struct {
	XMLName  xml.Name `xml:"RSAKeyValue"`
	Modulus  string   `xml:"Modulus"`
	Exponent string   `xml:"Exponent"`
	P        string   `xml:"P,omitempty"`
	Q        string   `xml:"Q,omitempty"`
	DP       string   `xml:"DP,omitempty"`
	DQ       string   `xml:"DQ,omitempty"`
	InverseQ string   `xml:"InverseQ,omitempty"`
	D        string   `xml:"D,omitempty"`
}

func b64Int(s, field string) (*big.Int, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) == 0 {
		return nil, fail("CryptographicException: RSAKeyValue %s is not base64", field)
	}
	return new(big.Int).SetBytes(b), nil
}

// importXML reads an <RSAKeyValue>, as FromXmlString does.
func (r *rsaVal) importXML(s string) error {
	var kv rsaKeyValue
	if err := xml.Unmarshal([]byte(s), &kv); err != nil {
		return fail("CryptographicException: RSAKeyValue: %v", err)
	}
	n, err := b64Int(kv.Modulus, "Modulus")
	if err != nil {
		return err
	}
	e, err := b64Int(kv.Exponent, "Exponent")
	if err != nil {
		return err
	}
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
		return fail("CryptographicException: RSAKeyValue Exponent is out of range")
	}
	pub := rsa.PublicKey{N: n, E: int(e.Int64())}
	if kv.D == "" {
		r.setPublic(&pub)
		return nil
	}
	d, err := b64Int(kv.D, "D")
	if err != nil {
		return err
	}
	p, err := b64Int(kv.P, "P")
	if err != nil {
		return err
	}
	q, err := b64Int(kv.Q, "Q")
	if err != nil {
		return err
	}
	k := &rsa.PrivateKey{PublicKey: pub, D: d, Primes: []*big.Int{p, q}}
	if err := k.Validate(); err != nil {
		return fail("CryptographicException: RSAKeyValue: %v", err)
	}
	r.setPrivate(k)
	return nil
}

// exportXML writes the key as ToXmlString does.
func (r *rsaVal) exportXML(private bool) (any, error) {
	pub, err := r.publicKey()
	if err != nil {
		return nil, err
	}
	enc := func(i *big.Int) string { return base64.StdEncoding.EncodeToString(i.Bytes()) }
	kv := rsaKeyValue{Modulus: enc(pub.N), Exponent: enc(big.NewInt(int64(pub.E)))}
	if private {
		k, err := r.privateKey()
		if err != nil {
			return nil, err
		}
		kv.P, kv.Q, kv.D = enc(k.Primes[0]), enc(k.Primes[1]), enc(k.D)
		kv.DP, kv.DQ, kv.InverseQ = enc(k.Precomputed.Dp), enc(k.Precomputed.Dq), enc(k.Precomputed.Qinv)
	}
	out, err := xml.Marshal(kv)
	if err != nil {
		return nil, fail("RSAKeyValue: %v", err)
	}
	return string(out), nil
}
