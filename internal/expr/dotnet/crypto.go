package dotnet

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// addCryptoMembers adds APIM's extension methods of byte[] for symmetric
// encryption. APIM's expression reference lists
// "Encrypt(input: this byte[], alg: string, key:byte[], iv:byte[]):byte[]"
// ("alg - name of a symmetric encryption algorithm; key - encryption key;
// iv - initialization vector") and the matching Decrypt. The name goes to
// .NET's SymmetricAlgorithm.Create, whose AES family ("Aes", "Rijndael"
// and their Managed and CryptoServiceProvider classes) uses CBC with
// PKCS7 padding by default; those are the algorithms supported here.
func addCryptoMembers(m map[string]expr.Members) {
	if m["byte[]"] == nil {
		m["byte[]"] = expr.Members{}
	}
	m["byte[]"]["Encrypt"] = fn(tyBytes, 3, 3, func(r any, a []any) (any, error) {
		return symmetric(r, a, true)
	})
	m["byte[]"]["Decrypt"] = fn(tyBytes, 3, 3, func(r any, a []any) (any, error) {
		return symmetric(r, a, false)
	})
}

// aesNames are the names SymmetricAlgorithm.Create maps to AES (Rijndael
// with its default 128-bit block), compared without case.
var aesNames = map[string]bool{
	"aes": true, "rijndael": true, "aesmanaged": true, "rijndaelmanaged": true,
	"aescryptoserviceprovider": true, "aescng": true,
}

// symmetric encrypts (or decrypts) the receiver with the algorithm, key
// and IV in a: AES in CBC mode with PKCS7 padding.
func symmetric(r any, a []any, encrypt bool) (any, error) {
	name, ok := a[0].(string)
	if !ok {
		return nil, fail("the algorithm must be a string name, not %s", expr.TypeName(a[0]))
	}
	if !aesNames[strings.ToLower(strings.TrimPrefix(name, "System.Security.Cryptography."))] {
		return nil, fail("symmetric algorithm %q is not supported: use Aes or Rijndael", name)
	}
	input, err := toBytes(r)
	if err != nil {
		return nil, err
	}
	key, err := toBytes(a[1])
	if err != nil {
		return nil, err
	}
	iv, err := toBytes(a[2])
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fail("specified key is not a valid size for this algorithm: %d bytes, want 16, 24 or 32", len(key))
	}
	if len(iv) != aes.BlockSize {
		return nil, fail("specified initialization vector (IV) does not match the block size for this algorithm: %d bytes, want 16", len(iv))
	}
	if encrypt {
		pad := aes.BlockSize - len(input)%aes.BlockSize
		out := make([]byte, len(input)+pad)
		copy(out, input)
		copy(out[len(input):], bytes.Repeat([]byte{byte(pad)}, pad))
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, out)
		return out, nil
	}
	if len(input) == 0 || len(input)%aes.BlockSize != 0 {
		return nil, fail("the input data is not a complete block")
	}
	out := make([]byte, len(input))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, input)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > aes.BlockSize || !bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, fail("padding is invalid and cannot be removed")
	}
	return out[:len(out)-pad], nil
}
