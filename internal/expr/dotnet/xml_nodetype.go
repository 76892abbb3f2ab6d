package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// xmlNodeTypes are the names of System.Xml.XmlNodeType, in the order of
// their values.
var xmlNodeTypes = []string{"None", "Element", "Attribute", "Text", "CDATA", "EntityReference", "Entity",
	"ProcessingInstruction", "Comment", "Document", "DocumentType", "DocumentFragment", "Notation",
	"Whitespace", "SignificantWhitespace", "EndElement", "EndEntity", "XmlDeclaration"}

// addXMLNodeTypes adds the XmlNodeType enum, the NodeType of elements,
// documents and attributes, and the XNamespace.Xml and Xmlns constants.
func addXMLNodeTypes(m, s map[string]expr.Members) {
	nt := enumTable("XmlNodeType", xmlNodeTypes...)
	s["XmlNodeType"] = nt
	tyNT := named("XmlNodeType")
	get := func(name string) any { v, _ := nt[name].Get(nil); return v }
	m["XElement"]["NodeType"] = val(tyNT, func(r any) any {
		if r.(*XElement).doc {
			return get("Document")
		}
		return get("Element")
	})
	m["XDocument"]["NodeType"] = val(tyNT, func(any) any { return get("Document") })
	m["XAttribute"]["NodeType"] = val(tyNT, func(any) any { return get("Attribute") })
	s["XNamespace"]["Xml"] = constant(named("XNamespace"), XNamespace{URI: "http://www.w3.org/XML/1998/namespace"})
	s["XNamespace"]["Xmlns"] = constant(named("XNamespace"), XNamespace{URI: "http://www.w3.org/2000/xmlns/"})
}
