package dotnet

import "testing"

func TestLINQSetOperators(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"union", `string.Join(",", new[] {"a", "b"}.Union(new[] {"b", "c"}))`, "string:a,b,c"},
		{"intersect", `string.Join(",", new[] {"a", "b", "b", "c"}.Intersect(new[] {"c", "b"}))`, "string:b,c"},
		{"except", `string.Join(",", "a,b,c,a".Split(',').Except(new[] {"b"}))`, "string:a,c"},
		{"zip", `string.Join(",", new[] {"a", "b", "c"}.Zip(new[] {1, 2}, (x, n) => x + n))`, "string:a1,b2"},
		{"aggregate", `new[] {1, 2, 3, 4}.Aggregate((a, b) => (int)a * (int)b)`, "int:24"},
		{"aggregate seed", `"x,y".Split(',').Aggregate("<", (acc, s) => acc + (string)s)`, "string:<xy"},
		{"aggregate result", `new[] {2, 3}.Aggregate(1, (a, b) => (int)a + (int)b, r => (int)r * 10)`, "int:60"},
		{"to dictionary", `new[] {"id=1", "name=ann"}.ToDictionary(s => s.Split('=')[0], s => s.Split('=')[1])["name"]`, "string:ann"},
		{"to dictionary element", `new[] {"a", "bb"}.ToDictionary(s => s.Length)[2]`, "string:bb"},
		{"enumerable static", `string.Join(",", Enumerable.Except(new[] {1, 2, 3}, new[] {2}))`, "string:1,3"},
		{"header roles", `string.Join(",", context.Request.Headers.GetValueOrDefault("Accept", "").Split(',').Intersect(new[] {"text/plain"}))`, "string:text/plain"},
	})
	runErrCases(t, false, []errCase{
		{"aggregate empty", `new int[0].Aggregate((a, b) => a)`, Inline, "1:12: InvalidOperationException: Sequence contains no elements"},
		{"duplicate key", `new[] {"a", "a"}.ToDictionary(s => s)`, Inline, "1:18: an item with the same key has already been added (key: a)"},
	})
}
