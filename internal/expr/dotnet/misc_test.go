package dotnet

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
)

func TestDateTime(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"utcnow uses context clock", `DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ")`, "string:2024-03-05T14:07:09Z"},
		{"now", `DateTime.Now.Hour`, "int:14"},
		{"format o", `DateTime.UtcNow.ToString("o")`, "string:2024-03-05T14:07:09.0000000Z"},
		{"format s", `DateTime.UtcNow.ToString("s")`, "string:2024-03-05T14:07:09"},
		{"format R", `DateTime.UtcNow.ToString("R")`, "string:Tue, 05 Mar 2024 14:07:09 GMT"},
		{"format u", `DateTime.UtcNow.ToString("u")`, "string:2024-03-05 14:07:09Z"},
		{"format custom", `DateTime.UtcNow.ToString("dd/MM/yy hh:mm tt")`, "string:05/03/24 02:07 PM"},
		{"format month names", `DateTime.UtcNow.ToString("dddd d MMMM yyyy")`, "string:Tuesday 5 March 2024"},
		{"format fraction", `DateTime.Parse("2024-01-02T03:04:05.123Z").ToString("HH:mm:ss.fff")`, "string:03:04:05.123"},
		{"default tostring", `new DateTime(2024, 1, 2, 3, 4, 5).ToString()`, "string:01/02/2024 03:04:05"},
		{"interpolation", `$"{DateTime.UtcNow:yyyyMMdd}"`, "string:20240305"},
		{"add", `DateTime.UtcNow.AddSeconds(60).AddMinutes(1).AddHours(1).AddDays(1).ToString("s")`, "string:2024-03-06T15:09:09"},
		{"add months", `new DateTime(2024, 1, 31).AddMonths(1).ToString("yyyy-MM-dd")`, "string:2024-02-29"},
		{"subtract", `(DateTime.UtcNow - DateTime.UtcNow.AddHours(-2)).TotalHours`, "double:2"},
		{"compare", `DateTime.UtcNow > DateTime.UtcNow.AddDays(-1)`, "bool:True"},
		{"parse", `DateTime.Parse("2024-03-05T10:00:00Z").Hour`, "int:10"},
		{"parse date", `DateTime.Parse("2024-03-05").Day`, "int:5"},
		{"parse exact", `DateTime.ParseExact("05/03/2024", "dd/MM/yyyy", CultureInfo.InvariantCulture).Month`, "int:3"},
		{"ticks", `new DateTime(2001, 1, 1).Ticks`, "long:631139040000000000"},
		{"date", `DateTime.UtcNow.Date.ToString("s")`, "string:2024-03-05T00:00:00"},
		{"day of week", `DateTime.UtcNow.DayOfWeek.ToString()`, "string:Tuesday"},
		{"unix", `DateTime.UtcNow.ToUnixTimeSeconds()`, "long:1709647629"},
		{"from unix", `DateTime.FromUnixTimeSeconds(0).ToString("s")`, "string:1970-01-01T00:00:00"},
		{"timespan from", `TimeSpan.FromMinutes(90).TotalHours`, "double:1.5"},
		{"timespan tostring", `TimeSpan.FromSeconds(3725).ToString()`, "string:01:02:05"},
		{"timespan days", `TimeSpan.FromHours(49).ToString()`, "string:2.01:00:00"},
		{"timespan parts", `TimeSpan.FromSeconds(3725).Minutes`, "int:2"},
		{"timespan add", `(TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(2)).TotalSeconds`, "double:3"},
		{"timespan parse", `TimeSpan.Parse("01:30:00").TotalMinutes`, "double:90"},
		{"date plus timespan", `(DateTime.UtcNow + TimeSpan.FromDays(1)).Day`, "int:6"},
		{"elapsed compare", `context.Elapsed < TimeSpan.FromSeconds(2)`, "bool:True"},
	})
}

func TestConvertAndEncoding(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"base64", `Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pass"))`, "string:dXNlcjpwYXNz"},
		{"base64 decode", `Encoding.UTF8.GetString(Convert.FromBase64String("dXNlcjpwYXNz"))`, "string:user:pass"},
		{"ascii", `Encoding.ASCII.GetBytes("AB").Length`, "int:2"},
		{"namespace", `System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String("aGk="))`, "string:hi"},
		{"byte array", `Encoding.UTF8.GetBytes("A")[0]`, "byte:65"},
		{"toint32", `Convert.ToInt32("42") + 1`, "int:43"},
		{"toint32 double", `Convert.ToInt32(2.5)`, "int:2"},
		{"tostring", `Convert.ToString(5)`, "string:5"},
		{"toboolean", `Convert.ToBoolean("True")`, "bool:True"},
		{"int parse", `int.Parse("-7")`, "int:-7"},
		{"long parse", `long.Parse("9000000000")`, "long:9000000000"},
		{"double parse", `double.Parse("1.25")`, "double:1.25"},
		{"bool parse", `bool.Parse("false")`, "bool:False"},
		{"math", `Math.Max(1, 2) + Math.Min(3, 4) + Math.Abs(-5)`, "int:10"},
		{"math double", `Math.Round(2.345, 2)`, "double:2.35"},
		{"math round even", `Math.Round(2.5)`, "double:2"},
		{"math floor ceiling", `Math.Floor(2.7) + Math.Ceiling(2.1)`, "double:5"},
		{"math pow", `Math.Pow(2, 10)`, "double:1024"},
		{"guid", `Guid.NewGuid().ToString().Length`, "int:36"},
		{"guid format", `Guid.Parse("8a3c6b1e-2f4d-4c5b-9a7e-0d1f2e3c4b5a").ToString("N")`, "string:8a3c6b1e2f4d4c5b9a7e0d1f2e3c4b5a"},
		{"uri escape", `Uri.EscapeDataString("a b&c/d")`, "string:a%20b%26c%2Fd"},
		{"uri unescape", `Uri.UnescapeDataString("a%20b%26c")`, "string:a b&c"},
		{"new uri", `new Uri("https://example.com:8443/a/b?x=1").Host`, "string:example.com"},
		{"uri path", `new Uri("https://example.com/a/b?x=1").AbsolutePath`, "string:/a/b"},
		{"uri query", `new Uri("https://example.com/a/b?x=1").Query`, "string:?x=1"},
		{"uri port", `new Uri("https://example.com/").Port`, "int:443"},
		{"url encode", `System.Net.WebUtility.UrlEncode("a b&c")`, "string:a+b%26c"},
		{"url decode", `WebUtility.UrlDecode("a+b%26c")`, "string:a b&c"},
		{"sha256", `BitConverter.ToString(SHA256.Create().ComputeHash(Encoding.UTF8.GetBytes("abc"))).Replace("-", "").ToLower()`, "string:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"sha256 namespace", `Convert.ToBase64String(System.Security.Cryptography.SHA256.Create().ComputeHash(Encoding.UTF8.GetBytes("")))`, "string:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		{"hmac", `Convert.ToBase64String(new HMACSHA256(Encoding.UTF8.GetBytes("key")).ComputeHash(Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog")))`, "string:97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="},
		{"md5", `BitConverter.ToString(MD5.Create().ComputeHash(Encoding.UTF8.GetBytes("a")))`, "string:0C-C1-75-B9-C0-F1-B6-A8-31-C3-99-E2-69-77-26-61"},
		{"sha1", `BitConverter.ToString(SHA1.Create().ComputeHash(Encoding.UTF8.GetBytes("a"))).Length`, "int:59"},
	})
}

func TestRegex(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"ismatch", `Regex.IsMatch("abc123", @"^[a-z]+\d+$")`, "bool:True"},
		{"ismatch options", `Regex.IsMatch("ABC", "^abc$", RegexOptions.IgnoreCase)`, "bool:True"},
		{"match group", `Regex.Match("order-42", @"order-(\d+)").Groups[1].Value`, "string:42"},
		{"named group", `Regex.Match("v2/orders", @"^v(?<ver>\d+)/").Groups["ver"].Value`, "string:2"},
		{"no match", `Regex.Match("x", @"\d").Success`, "bool:False"},
		{"group success", `Regex.Match("a", "(b)?a").Groups[1].Success`, "bool:False"},
		{"replace", `Regex.Replace("a1b22", @"\d+", "#")`, "string:a#b#"},
		{"replace groups", `Regex.Replace("john smith", @"(\w+) (\w+)", "$2, $1")`, "string:smith, john"},
		{"replace named", `Regex.Replace("2024-03", @"(?<y>\d+)-(?<m>\d+)", "${m}/${y}")`, "string:03/2024"},
		{"replace evaluator", `Regex.Replace("a b", @"\w", m => m.Value.ToUpper())`, "string:A B"},
		{"matches", `Regex.Matches("a1b2c3", @"\d").Count`, "int:3"},
		{"split", `Regex.Split("a1b2c", @"\d").Length`, "int:3"},
		{"instance", `new Regex(@"^\d+$").IsMatch("123")`, "bool:True"},
		{"dynamic pattern", `Regex.IsMatch("abc", "^" + "a")`, "bool:True"},
		{"match index", `Regex.Match("xxab", "ab").Index`, "int:2"},
	})
}

func TestJwtAndBasic(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"claim", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt()?.Claims.GetValueOrDefault("tid", "none")`, "string:tenant-1"},
		{"claim default", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().Claims.GetValueOrDefault("x", "none")`, "string:none"},
		{"claim first of many", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().Claims.GetValueOrDefault("roles", "")`, "string:reader"},
		{"claim array", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().Claims["roles"].Contains("writer")`, "bool:True"},
		{"subject", `context.Request.Headers.GetValueOrDefault("Authorization", "").Split(' ')[1].AsJwt().Subject`, "string:user-42"},
		{"issuer", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().Issuer`, "string:https://login.example.com/"},
		{"id", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().Id`, "string:abc"},
		{"audiences", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().Audiences.Contains("api://orders")`, "bool:True"},
		{"expiration", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().ExpirationTime.Value.ToString("o")`, "string:2024-03-05T15:00:00.0000000Z"},
		{"expired", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().ExpirationTime < DateTime.UtcNow`, "bool:False"},
		{"issued at", `context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().IssuedAt.Value.Hour`, "int:14"},
		{"not a jwt", `"garbage".AsJwt() == null`, "bool:True"},
		{"null string as jwt", `context.Request.Headers.GetValueOrDefault("X-None").AsJwt() == null`, "bool:True"},
		{"basic", `context.Request.Headers.GetValueOrDefault("X-Basic", "").AsBasic().UserId`, "string:ann"},
		{"basic password", `context.Request.Headers.GetValueOrDefault("X-Basic", "").AsBasic().Password`, "string:s3cret:x"},
		{"basic invalid", `"Basic !!!".AsBasic() == null`, "bool:True"},
	})
	runCases(t, Block, []evalCase{
		{"tryparsejwt", `Jwt jwt; if (context.Request.Headers.GetValueOrDefault("Authorization", "").TryParseJwt(out jwt)) { return jwt.Claims.GetValueOrDefault("email", ""); } return "";`, "string:ann@example.com"},
		{"tryparsebasic", `if ("Basic YTpi".TryParseBasic(out var c)) { return c.UserId + "/" + c.Password; } return "";`, "string:a/b"},
	})
}

func TestLINQ(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"where count", `new[] {1, 2, 3, 4}.Where(x => (int)x % 2 == 0).Count()`, "int:2"},
		{"select", `string.Join(",", "a,b".Split(',').Select(s => s.ToUpper()))`, "string:A,B"},
		{"select index", `string.Join(",", "a,b".Split(',').Select((s, i) => s + i))`, "string:a0,b1"},
		{"any", `"a,b".Split(',').Any(s => s == "b")`, "bool:True"},
		{"any empty", `new string[0].Any()`, "bool:False"},
		{"all", `"a,b".Split(',').All(s => s.Length == 1)`, "bool:True"},
		{"first", `"a,b".Split(',').First()`, "string:a"},
		{"first predicate", `"a,bb".Split(',').First(s => s.Length == 2)`, "string:bb"},
		{"firstordefault", `"a,b".Split(',').FirstOrDefault(s => s == "z") ?? "none"`, "string:none"},
		{"last", `"a,b".Split(',').Last()`, "string:b"},
		{"count property", `"a,b".Split(',').Count()`, "int:2"},
		{"contains", `"a,b".Split(',').Contains("b")`, "bool:True"},
		{"toarray", `"a,b".Split(',').ToArray().Length`, "int:2"},
		{"tolist", `"a,b".Split(',').ToList().Count`, "int:2"},
		{"orderby", `string.Join("", "c,a,b".Split(',').OrderBy(s => s))`, "string:abc"},
		{"orderbydescending", `string.Join("", new[] {2, 3, 1}.OrderByDescending(x => x))`, "string:321"},
		{"skip take", `string.Join("", "a,b,c,d".Split(',').Skip(1).Take(2))`, "string:bc"},
		{"sum", `new[] {1, 2, 3}.Sum()`, "int:6"},
		{"sum selector", `"a,bb".Split(',').Sum(s => s.Length)`, "int:3"},
		{"max", `new[] {1, 5, 3}.Max()`, "int:5"},
		{"distinct", `"a,b,a".Split(',').Distinct().Count()`, "int:2"},
		{"concat", `"a".Split(',').Concat("b,c".Split(',')).Count()`, "int:3"},
		{"selectmany", `new[] {"a,b", "c"}.SelectMany(s => ((string)s).Split(',')).Count()`, "int:3"},
		{"headers where", `context.Request.Headers.Where(h => h.Key.StartsWith("X-")).Count()`, "int:2"},
		{"header keys", `string.Join(",", context.Request.Headers.Keys.Where(k => k.StartsWith("X")))`, "string:X-Basic,X-Env"},
		{"query", `context.Request.Url.Query.Any(q => q.Key == "page")`, "bool:True"},
		{"reverse", `string.Join("", "abc".Reverse())`, "string:cba"},
		{"average", `new[] {1, 2}.Average()`, "double:1.5"},
		{"range", `string.Join(",", Enumerable.Range(1, 3).Select(i => (int)i * 2))`, "string:2,4,6"},
		{"repeat", `string.Concat(Enumerable.Repeat("ab", 2))`, "string:abab"},
		{"array indexof", `Array.IndexOf("a,b".Split(','), "b")`, "int:1"},
	})
}

func TestXML(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"element value", `XElement.Parse("<a><b>1</b></a>").Element("b").Value`, "string:1"},
		{"attribute", `XElement.Parse("<a x=\"7\"/>").Attribute("x").Value`, "string:7"},
		{"elements", `XElement.Parse("<a><b/><b/><c/></a>").Elements("b").Count()`, "int:2"},
		{"descendants", `XElement.Parse("<a><b><c>1</c></b><c>2</c></a>").Descendants("c").Count()`, "int:2"},
		{"document root", `XDocument.Parse("<r><n>v</n></r>").Root.Element("n").Value`, "string:v"},
		{"name", `XElement.Parse("<a/>").Name.ToString()`, "string:a"},
		{"tostring", `XElement.Parse("<a><b>1</b></a>").ToString()`, "string:<a>\n  <b>1</b>\n</a>"},
		{"namespace", `XElement.Parse("<s:Envelope xmlns:s=\"urn:soap\"><s:Body><r>1</r></s:Body></s:Envelope>").Element(XNamespace.Get("urn:soap") + "Body").Element("r").Value`, "string:1"},
		{"xname", `XDocument.Parse("<a xmlns=\"urn:x\"><b>2</b></a>").Descendants(XName.Get("b", "urn:x")).First().Value`, "string:2"},
		{"missing element", `XElement.Parse("<a/>").Element("b")?.Value ?? "none"`, "string:none"},
	})
}

func TestToString(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, ""},
		{"true", true, "True"},
		{"int", 42, "42"},
		{"long", int64(-7), "-7"},
		{"double", 0.5, "0.5"},
		{"double whole", 2.0, "2"},
		{"double small", 0.00001, "1E-05"},
		{"char", 'x', "x"},
		{"guid", expr.Guid{1}, "01000000-0000-0000-0000-000000000000"},
		{"jobject", mustJSON(`{"a":[1]}`), "{\n  \"a\": [\n    1\n  ]\n}"},
		{"jvalue string", &JValue{v: "s"}, "s"},
		{"bytes", []byte{1}, "System.Byte[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := expr.ToString(tt.v); got != tt.want {
				t.Errorf("ToString(%#v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestRegexMatchMembers(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"result", `Regex.Match("john smith", @"(\w+) (\w+)").Result("$2, $1")`, "string:smith, john"},
		{"result named", `Regex.Match("v=2024-03", @"(?<y>\d+)-(?<m>\d+)").Result("${m}/${y}")`, "string:03/2024"},
		{"next match", `Regex.Match("a1b22c333", @"\d+").NextMatch().Value`, "string:22"},
		{"next match twice", `Regex.Match("a1b22c333", @"\d+").NextMatch().NextMatch().Index`, "int:6"},
		{"next match after last", `Regex.Match("a1", @"\d").NextMatch().Success`, "bool:False"},
		{"next after empty match", `Regex.Match("ab", "x*").NextMatch().Index`, "int:1"},
		{"empty", `Match.Empty.Success`, "bool:False"},
		{"group count", `Regex.Match("ab", "(a)(b)").Groups.Count`, "int:3"},
		{"unescape", `Regex.Unescape(@"a\.b\tc\x41\u0042")`, "string:a.b\tcAB"},
		{"unescape escape", `Regex.Unescape(Regex.Escape("1+1=2?"))`, "string:1+1=2?"},
	})
	runErrCases(t, false, []errCase{
		{"result of failed match", `Regex.Match("a", @"\d").Result("$0")`, Inline, "1:25: Match.Result: the match failed, so there is nothing to expand"},
		{"unescape trailing backslash", `Regex.Unescape("a\\")`, Inline, `1:7: Regex.Unescape: illegal \ at end of pattern`},
	})
}

func TestListMethods(t *testing.T) {
	runCases(t, Block, []evalCase{
		{"remove at", `var l = new List<string> { "a", "b", "c" }; l.RemoveAt(1); return string.Join(",", l);`, "string:a,c"},
		{"exists", `var l = new List<int> { 1, 5, 9 }; return l.Exists(x => x > 4);`, "bool:True"},
		{"not exists", `var l = new List<int> { 1, 5, 9 }; return l.Exists(x => x > 40);`, "bool:False"},
		{"find", `var l = new List<string> { "ab", "cd", "ce" }; return l.Find(s => s.StartsWith("c"));`, "string:cd"},
		{"find none", `var l = new List<string> { "ab" }; return l.Find(s => s.StartsWith("c")) == null;`, "bool:True"},
		{"find index", `var l = new List<string> { "ab", "cd" }; return l.FindIndex(s => s == "cd");`, "int:1"},
		{"find all", `var l = new List<int> { 1, 2, 3, 4 }; return l.FindAll(x => x % 2 == 0).Count;`, "int:2"},
		{"true for all", `var l = new List<int> { 2, 4 }; return l.TrueForAll(x => x % 2 == 0);`, "bool:True"},
		{"sort", `var l = new List<string> { "b", "c", "a" }; l.Sort(); return string.Join(",", l);`, "string:a,b,c"},
		{"sort numbers", `var l = new List<int> { 10, 2, 33 }; l.Sort(); return l[0] + l[2];`, "int:35"},
	})
	runErrCases(t, false, []errCase{
		{"remove at out of range", `var l = new List<int>(); l.RemoveAt(0); return 1;`, Block, "1:28: index 0 was out of range; it must be non-negative and less than the size of the List"},
	})
}

func TestEnumerableStaticCalls(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"any", `Enumerable.Any(new[] { 1, 5 }, x => x > 4)`, "bool:True"},
		{"count", `Enumerable.Count(new[] { "a", "b", "c" })`, "int:3"},
		{"where select", `string.Join(",", Enumerable.Select(Enumerable.Where(new[] { 1, 2, 3, 4 }, x => x % 2 == 0), x => x * 10))`, "string:20,40"},
		{"first or default", `Enumerable.FirstOrDefault(new[] { "a", "X-1", "X-2" }, k => k.StartsWith("X-"))`, "string:X-1"},
		{"sum", `Enumerable.Sum(new[] { 1, 2, 3 })`, "int:6"},
		{"contains", `Enumerable.Contains(new[] { "a", "b" }, "b")`, "bool:True"},
		{"namespaced", `System.Linq.Enumerable.Max(new[] { 3, 9, 2 })`, "int:9"},
	})
	runErrCases(t, false, []errCase{
		{"null source", `Enumerable.Count((string[])null)`, Inline, "1:12: Enumerable.Count: source cannot be null"},
	})
}
