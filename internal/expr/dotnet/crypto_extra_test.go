package dotnet

import "testing"

func TestCryptoExtras(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"sha256 managed", `Convert.ToBase64String(new SHA256Managed().ComputeHash(Encoding.UTF8.GetBytes("")))`, "string:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		{"sha1 managed length", `new SHA1Managed().ComputeHash(new byte[3]).Length`, "int:20"},
		{"sha512 managed static", `SHA512Managed.Create().ComputeHash(new byte[1]).Length`, "int:64"},
		{"timespan max", `TimeSpan.FromDays(36500) < TimeSpan.MaxValue`, "bool:True"},
		{"timespan min", `TimeSpan.MinValue < TimeSpan.Zero`, "bool:True"},
	})
	runCases(t, Block, []evalCase{
		{"rng fills", `var b = new byte[32]; using (var rng = new RNGCryptoServiceProvider()) { rng.GetBytes(b); } return b.Any(x => x != 0);`, "bool:True"},
		{"jcontainer", `JContainer c = JObject.Parse("{\"a\":[1,2]}"); return c["a"][1].ToString();`, "string:2"},
	})
	runErrCases(t, false, []errCase{
		{"no certificate", `RSACertificateExtensions.GetRSAPublicKey(context.Request.Certificate)`, Inline, "1:26: ArgumentNullException: an X509Certificate2 is required, not null"},
	})
}
