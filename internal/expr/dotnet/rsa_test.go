package dotnet

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// rsaFixture is a key pair and the texts a policy would hold of it.
type rsaFixture struct {
	key             *rsa.PrivateKey
	pubPEM, privPEM string
}

func newRSAFixture(t *testing.T) rsaFixture {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatalf("marshal public key: %v", err)
	}
	return rsaFixture{
		key:     k,
		pubPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})),
		privPEM: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
	}
}

// evalWith evaluates a block with extra variables.
func evalWith(t *testing.T, src string, vars map[string]any) (any, error) {
	t.Helper()
	p, err := compile(src, Block)
	if err != nil {
		t.Fatalf("Compile(%q): %v", src, err)
	}
	c := newTestContext()
	for k, v := range vars {
		c.Variables[k] = v
	}
	return p.Eval(c)
}

func TestRSA(t *testing.T) {
	f := newRSAFixture(t)
	msg := []byte("order 42 shipped")
	h := sha256.Sum256(msg)
	pkcs1, err := rsa.SignPKCS1v15(nil, f.key, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	pss, err := rsa.SignPSS(rand.Reader, f.key, crypto.SHA256, h[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString
	verify := `var rsa = RSA.Create(); rsa.ImportFromPem((string)context.Variables["pub"]);
		return rsa.VerifyData(Encoding.UTF8.GetBytes((string)context.Variables["msg"]), Convert.FromBase64String((string)context.Variables["sig"]), HashAlgorithmName.SHA256, RSASignaturePadding.`
	tests := []struct {
		name, src string
		vars      map[string]any
		want      string
	}{
		{"verify pkcs1", verify + `Pkcs1);`, map[string]any{"msg": string(msg), "sig": b64(pkcs1)}, "bool:True"},
		{"verify pss", verify + `Pss);`, map[string]any{"msg": string(msg), "sig": b64(pss)}, "bool:True"},
		{"tampered message", verify + `Pkcs1);`, map[string]any{"msg": "order 43 shipped", "sig": b64(pkcs1)}, "bool:False"},
		{"wrong padding", verify + `Pss);`, map[string]any{"msg": string(msg), "sig": b64(pkcs1)}, "bool:False"},
		{"verify hash", `using (RSA rsa = RSA.Create()) { rsa.ImportFromPem((string)context.Variables["pub"]);
			return rsa.VerifyHash(SHA256.Create().ComputeHash(Encoding.UTF8.GetBytes((string)context.Variables["msg"])), Convert.FromBase64String((string)context.Variables["sig"]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1); }`,
			map[string]any{"msg": string(msg), "sig": b64(pkcs1)}, "bool:True"},
		{"key size", `var rsa = RSA.Create(); rsa.ImportFromPem((string)context.Variables["pub"]); return rsa.KeySize;`, nil, "int:2048"},
		{"xml round trip", `var a = RSA.Create(); a.ImportFromPem((string)context.Variables["priv"]);
			var b = RSA.Create(); b.FromXmlString(a.ToXmlString(false));
			var data = Encoding.UTF8.GetBytes("x");
			return b.VerifyData(data, a.SignData(data, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);`, nil, "bool:True"},
		{"private xml round trip", `var a = RSA.Create(); a.ImportFromPem((string)context.Variables["priv"]);
			var b = RSA.Create(); b.FromXmlString(a.ToXmlString(true));
			return Encoding.UTF8.GetString(b.Decrypt(a.Encrypt(Encoding.UTF8.GetBytes("secret"), RSAEncryptionPadding.OaepSHA256), RSAEncryptionPadding.OaepSHA256));`, nil, "string:secret"},
		{"pkcs1 encryption", `var a = RSA.Create(); a.ImportFromPem((string)context.Variables["priv"]);
			return Encoding.UTF8.GetString(a.Decrypt(a.Encrypt(Encoding.UTF8.GetBytes("hi"), RSAEncryptionPadding.Pkcs1), RSAEncryptionPadding.Pkcs1));`, nil, "string:hi"},
		{"hash name", `return new HashAlgorithmName("SHA384").Name + HashAlgorithmName.MD5.Name;`, nil, "string:SHA384MD5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]any{"pub": f.pubPEM, "priv": f.privPEM}
			for k, v := range tt.vars {
				vars[k] = v
			}
			v, err := evalWith(t, tt.src, vars)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if got := show(v); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}

	t.Run("sign is verifiable outside", func(t *testing.T) {
		v, err := evalWith(t, `var rsa = RSA.Create(); rsa.ImportFromPem((string)context.Variables["priv"]);
			return Convert.ToBase64String(rsa.SignData(Encoding.UTF8.GetBytes("abc"), HashAlgorithmName.SHA256, RSASignaturePadding.Pss));`,
			map[string]any{"priv": f.privPEM})
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := base64.StdEncoding.DecodeString(v.(string))
		d := sha256.Sum256([]byte("abc"))
		if err := rsa.VerifyPSS(&f.key.PublicKey, crypto.SHA256, d[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
			t.Errorf("the signature does not verify: %v", err)
		}
	})
	t.Run("encrypt is decryptable outside", func(t *testing.T) {
		v, err := evalWith(t, `var rsa = RSA.Create(); rsa.ImportFromPem((string)context.Variables["pub"]);
			return rsa.Encrypt(Encoding.UTF8.GetBytes("abc"), RSAEncryptionPadding.OaepSHA1);`, map[string]any{"pub": f.pubPEM})
		if err != nil {
			t.Fatal(err)
		}
		out, err := rsa.DecryptOAEP(crypto.SHA1.New(), nil, f.key, v.([]byte), nil)
		if err != nil || string(out) != "abc" {
			t.Errorf("decrypt: %q, %v", out, err)
		}
	})

	errs := []struct{ name, src, want string }{
		{"decrypt needs private key", `var rsa = RSA.Create(); rsa.ImportFromPem((string)context.Variables["pub"]); return rsa.Decrypt(new byte[256], RSAEncryptionPadding.Pkcs1);`, "no private part"},
		{"sign needs private key", `var rsa = RSA.Create(); rsa.ImportFromPem((string)context.Variables["pub"]); return rsa.SignData(new byte[1], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);`, "no private part"},
		{"unknown hash", `var rsa = RSA.Create(); rsa.ImportFromPem((string)context.Variables["pub"]); return rsa.VerifyData(new byte[1], new byte[1], new HashAlgorithmName("SHA3"), RSASignaturePadding.Pkcs1);`, "'SHA3' is not a known hash algorithm"},
		{"no pem", `var rsa = RSA.Create(); rsa.ImportFromPem("not a key"); return rsa.KeySize;`, "no supported key"},
		{"bad xml", `var rsa = RSA.Create(); rsa.FromXmlString("<RSAKeyValue><Modulus>!</Modulus></RSAKeyValue>"); return rsa.KeySize;`, "Modulus is not base64"},
		{"key size", `return RSA.Create(100).KeySize;`, "RSA key size 100 is not supported"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := evalWith(t, tt.src, map[string]any{"pub": f.pubPEM})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if _, ok := err.(*expr.Error); !ok {
				t.Errorf("error is %T, want *expr.Error", err)
			}
		})
	}
}

func TestRSACreateMakesAKey(t *testing.T) {
	v, err := evalWith(t, `var rsa = RSA.Create(1024); var d = Encoding.UTF8.GetBytes("x");
		return rsa.VerifyData(d, rsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);`, nil)
	if err != nil || show(v) != "bool:True" {
		t.Fatalf("got %v, %v; want True", v, err)
	}
}

// FuzzRSAKeyImport checks that reading a key from PEM or <RSAKeyValue>
// text never panics and either gives a key or an error.
func FuzzRSAKeyImport(f *testing.F) {
	f.Add("-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCoxzNN+Tc8k6aIOlIJUqhPlLp5\nHVSRtrgYpgqTWFQcM8tM1PO5OVnsQJc7QjpXxB0YuFBhCj29Lels34oUWdnQDp87\n5OZdhlgve3r6at85ZfCYvkkchjo12njUgnWNOf8V1T77Bo0XQCrVUGSVvEoDFSR/\n4cjHtXt02zqSK7aEdQIDAQAB\n-----END PUBLIC KEY-----\n")
	f.Add("<RSAKeyValue><Modulus>qMczTfk3PJOmiDpSCVKoT5S6eR1Ukba4GKYKk1hUHDPLTNTzuTlZ7ECXO0I6V8QdGLhQYQo9vS3pbN+KFFnZ0A6fO+TmXYZYL3t6+mrfOWXwmL5JHIY6Ndp41IJ1jTn/FdU++waNF0Aq1VBklbxKAxUkf+HIx7V7dNs6kiu2hHU=</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>")
	f.Add("<RSAKeyValue><Modulus>AQ==</Modulus><Exponent>AQ==</Exponent><D>AQ==</D><P>AQ==</P><Q>AQ==</Q></RSAKeyValue>")
	f.Add("-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, imp := range []func(*rsaVal, string) error{(*rsaVal).importPEM, (*rsaVal).importXML} {
			r := &rsaVal{bits: 512}
			err := imp(r, s)
			if err == nil && r.pub == nil {
				t.Fatalf("%q: no error and no key", s)
			}
		}
	})
}
