package dotnet

import "testing"

// APIM's documented example reads a named group with ?.Value:
// @(Regex.Match(context.Response.Headers.GetValueOrDefault("Cache-Control",""), @"max-age=(?<maxAge>\d+)").Groups["maxAge"]?.Value)
func TestRegexGroupsAndCaptures(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"apim example", `Regex.Match("public, max-age=300", @"max-age=(?<maxAge>\d+)").Groups["maxAge"]?.Value`, "string:300"},
		{"missing name fails", `Regex.Match("abc", @"(?<x>b)").Groups["y"].Success`, "bool:False"},
		{"group count", `Regex.Match("k=v", @"(?<k>\w)=(\w)").Groups.Count`, "int:3"},
		{"captures count", `Regex.Match("abc", @"(?<x>b)").Groups["x"].Captures.Count`, "int:1"},
		{"captures of failed group", `Regex.Match("a", "(b)?a").Groups[1].Captures.Count`, "int:0"},
		{"capture value", `Regex.Match("id=42", @"id=(?<n>\d+)").Groups["n"].Captures[0].Value`, "string:42"},
		{"capture index", `Regex.Match("id=42", @"id=(?<n>\d+)").Groups["n"].Captures[0].Index`, "int:3"},
		{"capture length", `Regex.Match("id=42", @"id=(?<n>\d+)").Groups["n"].Captures[0].Length`, "int:2"},
		{"match captures", `Regex.Match("xyz", "y").Captures[0].Value`, "string:y"},
		{"captures linq", `string.Join(",", Regex.Match("a-b", @"(\w)-(\w)").Groups[2].Captures.Cast<Capture>().Select(c => c.Value))`, "string:b"},
		{"matches groups", `string.Join(",", Regex.Matches("a=1;b=2", @"(?<k>\w)=(?<v>\d)").Cast<Match>().Select(m => m.Groups["k"].Value + m.Groups["v"].Value))`, "string:a1,b2"},
	})
	runCases(t, Block, []evalCase{
		{"foreach matches", `var s = ""; foreach (Match m in Regex.Matches("x1y2", @"(?<d>\d)")) { s += m.Groups["d"].Value; } return s;`, "string:12"},
		{"foreach captures", `var n = 0; foreach (Capture c in Regex.Match("ab", "(a)").Groups[1].Captures) { n += c.Length; } return n;`, "int:1"},
		{"typed group", `Group g = Regex.Match("v3", @"v(?<n>\d)").Groups["n"]; return g.Success ? g.Value : "none";`, "string:3"},
	})
	runErrCases(t, false, []errCase{
		{"capture out of range", `Regex.Match("a", "a").Captures[3].Value`, Inline, "1:31: ArgumentOutOfRangeException: capture index 3 is out of range (Count 1)"},
	})
}
