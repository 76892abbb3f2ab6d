package dotnet

import (
	"testing"
)

func TestJSON(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"parse index", `JObject.Parse("{\"a\":{\"b\":\"x\"}}")["a"]["b"].ToString()`, "string:x"},
		{"cast string", `(string)JObject.Parse("{\"a\":1}")["a"]`, "string:1"},
		{"cast int", `(int)JObject.Parse("{\"a\":1}")["a"] + 1`, "int:2"},
		{"cast bool", `(bool)JObject.Parse("{\"a\":true}")["a"]`, "bool:True"},
		{"value generic", `JObject.Parse("{\"a\":\"7\"}").Value<int>("a")`, "int:7"},
		{"value string", `JObject.Parse("{\"a\":{\"b\":2}}")["a"].Value<string>("b")`, "string:2"},
		{"value missing", `JObject.Parse("{}").Value<string>("a") ?? "none"`, "string:none"},
		{"missing index null", `JObject.Parse("{}")["a"] == null`, "bool:True"},
		{"null conditional index", `JObject.Parse("{}")["a"]?["b"]`, "null:"},
		{"compare jvalue to string", `JObject.Parse("{\"a\":\"x\"}")["a"].ToString() == "x"`, "bool:True"},
		{"jvalue equals string", `JObject.Parse("{\"a\":\"x\"}")["a"] == "x"`, "bool:True"},
		{"array", `JArray.Parse("[1,2,3]").Count`, "int:3"},
		{"array index", `(int)JArray.Parse("[1,2,3]")[2]`, "int:3"},
		{"jtoken parse", `JToken.Parse("[1]").Type.ToString()`, "string:Array"},
		{"tostring indented", `JObject.Parse("{\"a\":1,\"b\":[1,2],\"c\":{},\"d\":[]}").ToString()`, "string:{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ],\n  \"c\": {},\n  \"d\": []\n}"},
		{"tostring compact", `JObject.Parse("{\"a\": 1, \"b\": \"x\"}").ToString(Formatting.None)`, `string:{"a":1,"b":"x"}`},
		{"float format", `JObject.Parse("{\"a\": 1.0, \"b\": 2.5}").ToString(Formatting.None)`, `string:{"a":1.0,"b":2.5}`},
		{"escape", `new JObject(new JProperty("s", "a\"b\n")).ToString(Formatting.None)`, `string:{"s":"a\"b\n"}`},
		{"new jobject", `new JObject(new JProperty("a", 1), new JProperty("b", "x")).ToString(Formatting.None)`, `string:{"a":1,"b":"x"}`},
		{"new jarray", `new JArray(1, "a", true).ToString(Formatting.None)`, `string:[1,"a",true]`},
		{"new jobject initializer", `new JObject { new JProperty("a", 1) }.ToString(Formatting.None)`, `string:{"a":1}`},
		{"new jobject entries", `new JObject { { "name", "ann" }, { "priority", 2 }, { "tags", new JArray("x") } }.ToString(Formatting.None)`, `string:{"name":"ann","priority":2,"tags":["x"]}`},
		{"nested new", `new JObject(new JProperty("items", new JArray("x", "y"))).ToString(Formatting.None)`, `string:{"items":["x","y"]}`},
		{"property", `JObject.Parse("{\"a\":1}").Property("a").Name`, "string:a"},
		{"property missing", `JObject.Parse("{\"a\":1}").Property("b") == null`, "bool:True"},
		{"properties", `string.Join(",", JObject.Parse("{\"a\":1,\"b\":2}").Properties().Select(p => p.Name))`, "string:a,b"},
		{"contains key", `JObject.Parse("{\"a\":1}").ContainsKey("a")`, "bool:True"},
		{"jarray last property", `(JObject.Parse("{\"m\":[{\"c\":\"a\"},{\"c\":\"b\"}]}")["m"] as JArray)?.Last?["c"]?.ToString()`, "string:b"},
		{"jarray first property", `((JArray)JArray.Parse("[1,2]")).First.ToString()`, "string:1"},
		{"jarray last of empty", `((JArray)JArray.Parse("[]")).Last == null`, "bool:True"},
		{"jobject first property", `((JProperty)JObject.Parse("{\"a\":1,\"b\":2}").First).Name`, "string:a"},
		{"linq last still a method", `((JArray)JArray.Parse("[1,2,3]")).Last().ToString()`, "string:3"},
		{"get value", `JObject.Parse("{\"name\":\"ann\"}").GetValue("name").ToString()`, "string:ann"},
		{"get value missing", `JObject.Parse("{\"name\":\"ann\"}").GetValue("Name") == null`, "bool:True"},
		{"get value ignoring case", `JObject.Parse("{\"name\":\"ann\"}").GetValue("NAME", StringComparison.OrdinalIgnoreCase).ToString()`, "string:ann"},
		{"get value exact match first", `JObject.Parse("{\"Name\":\"a\",\"name\":\"b\"}").GetValue("name", StringComparison.OrdinalIgnoreCase).ToString()`, "string:b"},
		{"get value conditional", `(JObject.Parse("{\"value\":3}") as JObject)?.GetValue("value")?.ToString()`, "string:3"},
		{"select token", `JObject.Parse("{\"a\":{\"b\":[{\"c\":5}]}}").SelectToken("$.a.b[0].c").ToString()`, "string:5"},
		{"select token missing", `JObject.Parse("{\"a\":1}").SelectToken("x.y") == null`, "bool:True"},
		{"to object", `JObject.Parse("{\"a\":\"3\"}")["a"].ToObject<int>()`, "int:3"},
		{"to object array", `JArray.Parse("[\"a\",\"b\"]").ToObject<string[]>()[1]`, "string:b"},
		{"linq over jarray", `JArray.Parse("[{\"n\":1},{\"n\":5}]").Where(x => (int)x["n"] > 2).Count()`, "int:1"},
		{"linq select jarray", `string.Join(",", JArray.Parse("[{\"n\":\"a\"},{\"n\":\"b\"}]").Select(x => (string)x["n"]))`, "string:a,b"},
		{"values generic", `string.Join("+", JArray.Parse("[1,2]").Values<string>())`, "string:1+2"},
		{"serialize", `JsonConvert.SerializeObject(JObject.Parse("{ \"a\" : 1 }"))`, `string:{"a":1}`},
		{"deserialize", `((JObject)JsonConvert.DeserializeObject("{\"a\":2}"))["a"].ToString()`, "string:2"},
		{"deserialize generic", `JsonConvert.DeserializeObject<JObject>("{\"a\":2}")["a"].ToString()`, "string:2"},
		{"body as jobject", `context.Request.Body.As<JObject>(preserveContent: true)["customer"]["id"].ToString()`, "string:c1"},
		{"body as jtoken", `context.Request.Body.As<JToken>()["qty"].Value<int>()`, "int:3"},
		{"deep clone", `JObject.Parse("{\"a\":1}").DeepClone().ToString(Formatting.None)`, `string:{"a":1}`},
		{"unicode kept", `JObject.Parse("{\"a\":\"é\"}").ToString(Formatting.None)`, `string:{"a":"é"}`},
		{"jproperty tostring", `new JProperty("a", 1).ToString()`, `string:"a": 1`},
		{"jvalue null", `JObject.Parse("{\"a\":null}")["a"].Type.ToString()`, "string:Null"},
		{"has values", `JObject.Parse("{\"a\":1}").HasValues`, "bool:True"},
		{"big number", `JObject.Parse("{\"a\":12345678901}")["a"].Value<long>()`, "long:12345678901"},
	})
}

func TestJSONBlocks(t *testing.T) {
	runCases(t, Block, []evalCase{
		{"rewrite body", `
var body = context.Request.Body.As<JObject>(preserveContent: true);
body["name"] = body["name"].ToString().ToUpper();
body["total"] = (int)body["qty"] * (double)body["price"];
body.Remove("tags");
body["customer"]["tier"] = "gold";
return body.ToString(Formatting.None);`, `string:{"name":"WIDGET","qty":3,"price":9.5,"customer":{"id":"c1","vip":true,"tier":"gold"},"total":28.5}`},
		{"add properties", `
var o = new JObject();
o.Add("a", 1);
o.Add(new JProperty("b", new JArray(1, 2)));
o["c"] = new JObject(new JProperty("d", true));
var arr = (JArray)o["b"];
arr.Add(3);
return o.ToString(Formatting.None);`, `string:{"a":1,"b":[1,2,3],"c":{"d":true}}`},
		{"iterate properties", `
var s = "";
foreach (var p in JObject.Parse("{\"a\":1,\"b\":2}").Properties()) { s += p.Name + "=" + p.Value + ";"; }
return s;`, "string:a=1;b=2;"},
		{"iterate jarray", `
var total = 0;
foreach (JToken item in JArray.Parse("[{\"q\":2},{\"q\":3}]")) { total += item.Value<int>("q"); }
return total;`, "int:5"},
		{"increment json", `var o = JObject.Parse("{\"n\":1}"); o["n"] = (int)o["n"] + 1; return (int)o["n"];`, "int:2"},
		{"property value assign", `var o = JObject.Parse("{\"n\":1}"); o.Property("n").Value = "x"; return o.ToString(Formatting.None);`, `string:{"n":"x"}`},
	})
}

func TestJSONMergeAndDeepEquals(t *testing.T) {
	runCases(t, Block, []evalCase{
		{"merge", `var a = JObject.Parse("{\"x\":1,\"o\":{\"p\":1},\"l\":[1]}"); a.Merge(JObject.Parse("{\"y\":2,\"x\":3,\"o\":{\"q\":2},\"l\":[2],\"n\":null}")); return a.ToString(Formatting.None);`, `string:{"x":3,"o":{"p":1,"q":2},"l":[1,2],"y":2}`},
		{"index of", `var a = JArray.Parse("[1,2,3]"); return a.IndexOf(a[2]) * 10 + a.IndexOf(new JValue(2));`, "int:19"},
		{"merge copies", `var a = new JObject(); var b = JObject.Parse("{\"o\":{\"p\":1}}"); a.Merge(b); b["o"]["p"] = 5; return (int)a["o"]["p"];`, "int:1"},
	})
	runCases(t, Inline, []evalCase{
		{"deep equals order", `JToken.DeepEquals(JObject.Parse("{\"a\":1,\"b\":[1,2]}"), JObject.Parse("{\"b\":[1,2],\"a\":1}"))`, "bool:True"},
		{"deep equals differs", `JToken.DeepEquals(JObject.Parse("{\"a\":1}"), JObject.Parse("{\"a\":2}"))`, "bool:False"},
		{"deep equals arrays", `JToken.DeepEquals(JArray.Parse("[1,2]"), JArray.Parse("[2,1]"))`, "bool:False"},
		{"create null", `JValue.CreateNull().Type.ToString()`, "string:Null"},
		{"create string", `(string)JValue.CreateString("hi")`, "string:hi"},
	})
}
