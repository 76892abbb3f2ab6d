package dotnet

import "testing"

func TestJTokenTree(t *testing.T) {
	const doc = `JObject.Parse("{\"order\":{\"id\":7,\"lines\":[{\"sku\":\"a\"},{\"sku\":\"b\"}],\"odd name\":1}}")`
	runCases(t, Inline, []evalCase{
		{"path of nested value", doc + `.SelectToken("order.lines[1].sku").Path`, "string:order.lines[1].sku"},
		{"path quoted", doc + `["order"]["odd name"].Path`, "string:order['odd name']"},
		{"root path", doc + `.Path`, "string:"},
		{"parent of value is property", doc + `["order"]["id"].Parent.Type.ToString()`, "string:Property"},
		{"parent of property is object", doc + `["order"]["id"].Parent.Parent.Path`, "string:order"},
		{"parent of item is array", doc + `["order"]["lines"][0].Parent.Type.ToString()`, "string:Array"},
		{"root", doc + `.SelectToken("order.lines[0].sku").Root.Type.ToString()`, "string:Object"},
		{"root is itself", doc + `.Root.Path`, "string:"},
		{"next item", doc + `["order"]["lines"][0].Next["sku"].ToString()`, "string:b"},
		{"previous item", doc + `["order"]["lines"][1].Previous["sku"].ToString()`, "string:a"},
		{"no next", doc + `["order"]["lines"][1].Next == null`, "bool:True"},
		{"next property", `((JProperty)` + doc + `["order"]["id"].Parent).Next.Path`, "string:order.lines"},
		{"value has no sibling", doc + `["order"]["id"].Next == null`, "bool:True"},
		{"top has no parent", doc + `.Parent == null`, "bool:True"},
	})
	runCases(t, Block, []evalCase{
		{"added item", `var a = new JArray(); a.Add(new JObject()); a.Add("x"); return a[1].Path + "|" + a[1].Previous.Type;`, "string:[1]|Object"},
		{"set property", `var o = new JObject(); o["k"] = new JArray(1, 2); return o["k"][1].Path;`, "string:k[1]"},
		{"removed item has no parent", `var a = JArray.Parse("[1,2]"); var x = a[0]; a.RemoveAt(0); return x.Parent == null;`, "bool:True"},
		{"replaced value has no parent", `var o = JObject.Parse("{\"a\":1}"); var v = o["a"]; o["a"] = 2; return v.Parent == null && o["a"].Path == "a";`, "bool:True"},
		{"inserted", `var a = JArray.Parse("[1,2]"); a.Insert(1, 9); return a[2].Path + a[1].Next.ToString();`, "string:[2]2"},
		{"from object", `var o = JObject.FromObject(new { a = new[] { 1, 2 } }); return o["a"][1].Path;`, "string:a[1]"},
	})
}
