package dotnet

import "testing"

// The vector was made with OpenSSL: printf 'session-42' | openssl enc
// -aes-128-cbc -K 000102…0f -iv 0f0e…00 (CBC, PKCS7, as .NET's Aes).
const (
	cryptoKey = `Convert.FromBase64String("AAECAwQFBgcICQoLDA0ODw==")`
	cryptoIV  = `Convert.FromBase64String("Dw4NDAsKCQgHBgUEAwIBAA==")`
)

func TestSymmetricEncryption(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"encrypt aes", `Convert.ToBase64String(Encoding.UTF8.GetBytes("session-42").Encrypt("Aes", ` + cryptoKey + `, ` + cryptoIV + `))`, "string:fjw0To665PT4UtfVkyIBdQ=="},
		{"decrypt rijndael", `Encoding.UTF8.GetString(Convert.FromBase64String("fjw0To665PT4UtfVkyIBdQ==").Decrypt("Rijndael", ` + cryptoKey + `, ` + cryptoIV + `))`, "string:session-42"},
		{"full class name", `Encoding.UTF8.GetString(Convert.FromBase64String("fjw0To665PT4UtfVkyIBdQ==").Decrypt("System.Security.Cryptography.AesManaged", ` + cryptoKey + `, ` + cryptoIV + `))`, "string:session-42"},
		{"round trip of a whole block", `Encoding.UTF8.GetString(Encoding.UTF8.GetBytes("0123456789abcdef").Encrypt("aes", ` + cryptoKey + `, ` + cryptoIV + `).Decrypt("aes", ` + cryptoKey + `, ` + cryptoIV + `))`, "string:0123456789abcdef"},
		{"empty input", `Encoding.UTF8.GetBytes("").Encrypt("Aes", ` + cryptoKey + `, ` + cryptoIV + `).Length`, "int:16"},
	})
	runErrCases(t, false, []errCase{
		{"unknown algorithm", `Encoding.UTF8.GetBytes("x").Encrypt("DES", ` + cryptoKey + `, ` + cryptoIV + `)`, Inline, `1:29: symmetric algorithm "DES" is not supported: use Aes or Rijndael`},
		{"bad key", `Encoding.UTF8.GetBytes("x").Encrypt("Aes", new byte[5], ` + cryptoIV + `)`, Inline, "1:29: specified key is not a valid size for this algorithm: 5 bytes, want 16, 24 or 32"},
		{"bad iv", `Encoding.UTF8.GetBytes("x").Encrypt("Aes", ` + cryptoKey + `, new byte[8])`, Inline, "1:29: specified initialization vector (IV) does not match the block size for this algorithm: 8 bytes, want 16"},
		{"wrong key", `Convert.FromBase64String("fjw0To665PT4UtfVkyIBdQ==").Decrypt("Aes", new byte[16], ` + cryptoIV + `)`, Inline, "1:54: padding is invalid and cannot be removed"},
		{"partial block", `new byte[5].Decrypt("Aes", ` + cryptoKey + `, ` + cryptoIV + `)`, Inline, "1:13: the input data is not a complete block"},
	})
}
