package dotnet

import "testing"

func TestCommonExtras(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"clamp high", `Math.Clamp(15, 0, 10)`, "int:10"},
		{"clamp low", `Math.Clamp(-3, 0, 10)`, "int:0"},
		{"clamp inside", `Math.Clamp(2.5, 0.0, 10.0)`, "double:2.5"},
		{"byte count", `Encoding.UTF8.GetByteCount("héllo")`, "int:6"},
		{"byte count unicode", `Encoding.Unicode.GetByteCount("ab")`, "int:4"},
		{"url encode to bytes", `Encoding.ASCII.GetString(WebUtility.UrlEncodeToBytes(Encoding.UTF8.GetBytes("a b&c"), 0, 5))`, "string:a+b%26c"},
		{"url decode to bytes", `Encoding.UTF8.GetString(WebUtility.UrlDecodeToBytes(Encoding.ASCII.GetBytes("x%20y+z"), 0, 7))`, "string:x y z"},
		{"timespan compare", `TimeSpan.Compare(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(90))`, "int:-1"},
		{"file time", `DateTime.FromFileTimeUtc(132000000000000000L).ToString("o")`, "string:2019-04-17T18:40:00.0000000Z"},
		{"file time round trip", `DateTime.FromFileTimeUtc(new DateTime(2024, 3, 5, 0, 0, 0, DateTimeKind.Utc).ToFileTimeUtc()).Day`, "int:5"},
		{"local path", `new Uri("https://h/a%20b/c?q=1").LocalPath`, "string:/a b/c"},
		{"default port", `new Uri("https://h/").IsDefaultPort`, "bool:True"},
		{"explicit default port", `new Uri("https://h:443/").IsDefaultPort`, "bool:True"},
		{"other port", `new Uri("https://h:8443/").IsDefaultPort`, "bool:False"},
		{"dns safe host", `new Uri("https://api.example.com:8443/x").DnsSafeHost`, "string:api.example.com"},
	})
	runCases(t, Block, []evalCase{
		{"divrem", `int r; var q = Math.DivRem(17, 5, out r); return q * 10 + r;`, "int:32"},
	})
	runErrCases(t, false, []errCase{
		{"clamp bounds", `Math.Clamp(1, 5, 2)`, Inline, "1:6: Math.Clamp: min 5 cannot be greater than max 2"},
	})
}
