package dotnet

import "github.com/gatehouse/gatehouse/internal/expr"

// XML nodes as values of expressions: their type names, ToString(), the +
// of XNamespace, and the conversions to XNamespace and from a body.

// TypeName returns "XElement", or "XDocument" for a document node.
func (x *XElement) TypeName() string {
	if x.doc {
		return "XDocument"
	}
	return "XElement"
}

// TypeName returns "XAttribute".
func (*XAttribute) TypeName() string { return "XAttribute" }

// String returns a as XAttribute.ToString() does: name="value".
func (a *XAttribute) String() string { return a.Name + "=\"" + xmlEscape(a.Value) + "\"" }

// XName is an element's or attribute's name, as XElement.Name gives it:
// its LocalName, and, in operators and comparisons, the name as a string
// (el.Name == "order" holds, as with .NET's implicit conversion).
type XName struct{ Local string }

var _ expr.Scalar = XName{}

// TypeName returns "XName".
func (XName) TypeName() string { return "XName" }

// String returns the name.
func (n XName) String() string { return n.Local }

// Scalar returns the name as a string, for operators and comparisons.
func (n XName) Scalar() any { return n.Local }

// toXName converts a string to an XName, as XName n = "..." does.
func toXName(v any) (any, bool, error) {
	if s, ok := v.(string); ok {
		return XName{Local: s}, true, nil
	}
	return nil, false, nil
}

// TypeName returns "XNamespace".
func (XNamespace) TypeName() string { return "XNamespace" }

// String returns the namespace's URI.
func (ns XNamespace) String() string { return ns.URI }

// Add returns the name "{uri}local" of local in ns, as ns + "local" does.
func (ns XNamespace) Add(local any) (any, error) {
	return "{" + ns.URI + "}" + expr.ToString(local), nil
}

// isXElement reports whether v is an XElement or an XDocument, for is
// XElement and casts.
func isXElement(v any) bool {
	_, ok := v.(*XElement)
	return ok
}

// toXNamespace converts a string to an XNamespace, as XNamespace ns = "..." does.
func toXNamespace(v any) (any, bool, error) {
	if s, ok := v.(string); ok {
		return XNamespace{URI: s}, true, nil
	}
	return nil, false, nil
}

// decodeXML reads a body as Body.As<XDocument>() (doc) or As<XElement>()
// does.
func decodeXML(doc bool) func([]byte) (any, error) {
	return func(data []byte) (any, error) {
		d, err := parseXML(string(data))
		if err != nil || doc {
			return d, err
		}
		return d.root(), nil
	}
}

// setNodeValue assigns the Value of an XElement, XDocument or XAttribute.
func setNodeValue(_ *expr.Env, r any, a []any, _ []*expr.Type) (any, error) {
	switch x := r.(type) {
	case *XElement:
		x.setValue(expr.ToString(a[0]))
	case *XAttribute:
		x.Value = expr.ToString(a[0])
	}
	return nil, nil
}
