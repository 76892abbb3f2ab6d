package dotnet

import "testing"

func TestXMLEdits(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"has attributes", `XElement.Parse("<a x=\"1\"/>").HasAttributes`, "bool:True"},
		{"no attributes", `XElement.Parse("<a/>").HasAttributes`, "bool:False"},
		{"is empty", `XElement.Parse("<a/>").IsEmpty`, "bool:True"},
		{"not empty", `XElement.Parse("<a>t</a>").IsEmpty`, "bool:False"},
		{"descendants and self", `XElement.Parse("<a><a/><b><a/></b></a>").DescendantsAndSelf("a").Count()`, "int:3"},
	})
	runCases(t, Block, []evalCase{
		{"add first", `var x = XElement.Parse("<a><c/></a>"); x.AddFirst(new XElement("b")); return string.Join(",", x.Elements().Select(e => e.Name.LocalName));`, "string:b,c"},
		{"set value", `var x = XElement.Parse("<a><b/></a>"); x.SetValue(42); return x.Value;`, "string:42"},
		{"set element value", `var x = XElement.Parse("<a><b>1</b></a>"); x.SetElementValue("b", "2"); x.SetElementValue("c", 3); return x.Element("b").Value + x.Element("c").Value;`, "string:23"},
		{"set element value null removes", `var x = XElement.Parse("<a><b>1</b></a>"); x.SetElementValue("b", null); return x.HasElements;`, "bool:False"},
		{"remove all", `var x = XElement.Parse("<a k=\"v\"><b/></a>"); x.RemoveAll(); return x.HasAttributes || x.HasElements;`, "bool:False"},
		{"remove attributes", `var x = XElement.Parse("<a k=\"v\"><b/></a>"); x.RemoveAttributes(); return !x.HasAttributes && x.HasElements;`, "bool:True"},
		{"remove nodes", `var x = XElement.Parse("<a k=\"v\"><b/></a>"); x.RemoveNodes(); return x.HasAttributes && !x.HasElements;`, "bool:True"},
		{"replace all", `var x = XElement.Parse("<a k=\"v\"><b/></a>"); x.ReplaceAll(new XElement("c", "t")); return x.HasAttributes + ":" + x.Element("c").Value;`, "string:False:t"},
		{"replace nodes", `var x = XElement.Parse("<a k=\"v\"><b/></a>"); x.ReplaceNodes("text"); return x.Attribute("k").Value + x.Value;`, "string:vtext"},
		{"replace attributes", `var x = XElement.Parse("<a k=\"v\"><b/></a>"); x.ReplaceAttributes(new XAttribute("n", "1")); return x.Attribute("k") == null && x.Attribute("n").Value == "1";`, "bool:True"},
	})
}

func TestXMLNodeTypes(t *testing.T) {
	runCases(t, Inline, []evalCase{
		{"element", `XElement.Parse("<a/>").NodeType == XmlNodeType.Element`, "bool:True"},
		{"document", `XDocument.Parse("<a/>").NodeType.ToString()`, "string:Document"},
		{"attribute", `new XAttribute("k", "v").NodeType == System.Xml.XmlNodeType.Attribute`, "bool:True"},
		{"xml namespace", `XNamespace.Xml.NamespaceName`, "string:http://www.w3.org/XML/1998/namespace"},
		{"xmlns namespace", `XNamespace.Xmlns.NamespaceName`, "string:http://www.w3.org/2000/xmlns/"},
	})
}
