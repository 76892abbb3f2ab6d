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

func TestByteConversions(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"to hex", `Convert.ToHexString(new byte[] { 0, 171, 255 })`, "string:00ABFF"},
		{"to hex range", `Convert.ToHexString(new byte[] { 1, 2, 3, 4 }, 1, 2)`, "string:0203"},
		{"from hex", `Convert.FromHexString("00abFF")[1]`, "byte:171"},
		{"hex round trip", `Convert.ToHexString(Convert.FromHexString("DEADBEEF"))`, "string:DEADBEEF"},
		{"to int32", `BitConverter.ToInt32(BitConverter.GetBytes(-123456), 0)`, "int:-123456"},
		{"to int64", `BitConverter.ToInt64(BitConverter.GetBytes(1L << 40), 0)`, "long:1099511627776"},
		{"to int16 offset", `BitConverter.ToInt16(new byte[] { 9, 1, 2 }, 1)`, "int:513"},
		{"little endian", `BitConverter.IsLittleEndian`, "bool:True"},
		{"hmac sha384", `Convert.ToBase64String(new HMACSHA384(Encoding.UTF8.GetBytes("key")).ComputeHash(Encoding.UTF8.GetBytes("msg"))).Length`, "int:64"},
	})
	runErrCases(t, false, []errCase{
		{"odd hex", `Convert.FromHexString("abc")`, Inline, "1:9: the input is not a valid hex string as its length is not a multiple of 2"},
		{"short array", `BitConverter.ToInt32(new byte[] { 1, 2 }, 0)`, Inline, "1:14: BitConverter.ToInt32: the array is too short to read 4 bytes at 0"},
	})
}
