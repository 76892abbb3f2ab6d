package dotnet

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// XElement is an XML element (System.Xml.Linq.XElement), or the
// document node of an XDocument (whose Root is its element).
type XElement struct {
	Name     string // local name
	Attrs    []*XAttribute
	Children []any // *XElement or string (text)
	doc      bool
}

// XAttribute is an XML attribute.
type XAttribute struct {
	Name  string
	Value string
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// parseXML parses an XML document and returns its document node.
func parseXML(s string) (*XElement, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	doc := &XElement{doc: true}
	stack := []*XElement{doc}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fail("XML error: %v", err)
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > 500 {
				return nil, fail("XML nested too deeply")
			}
			el := &XElement{Name: t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				el.Attrs = append(el.Attrs, &XAttribute{Name: a.Name.Local, Value: a.Value})
			}
			top.Children = append(top.Children, el)
			stack = append(stack, el)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 1 {
				top.Children = append(top.Children, string(t))
			}
		}
	}
	if doc.root() == nil {
		return nil, fail("XML error: root element is missing")
	}
	return doc, nil
}

func (x *XElement) root() *XElement {
	for _, c := range x.Children {
		if e, ok := c.(*XElement); ok {
			return e
		}
	}
	return nil
}

func (x *XElement) value() string {
	var b strings.Builder
	var walk func(*XElement)
	walk = func(e *XElement) {
		for _, c := range e.Children {
			switch v := c.(type) {
			case string:
				b.WriteString(v)
			case *XElement:
				walk(v)
			}
		}
	}
	walk(x)
	return b.String()
}

func (x *XElement) setValue(s string) { x.Children = []any{s} }

func (x *XElement) elements(name string) []any {
	out := []any{}
	for _, c := range x.Children {
		if e, ok := c.(*XElement); ok && (name == "" || e.Name == name) {
			out = append(out, e)
		}
	}
	return out
}

func (x *XElement) descendants(name string, out []any) []any {
	for _, c := range x.Children {
		if e, ok := c.(*XElement); ok {
			if name == "" || e.Name == name {
				out = append(out, e)
			}
			out = e.descendants(name, out)
		}
	}
	return out
}

// String serializes x as XElement.ToString() does, indented by two spaces.
func (x *XElement) String() string {
	var b strings.Builder
	if x.doc {
		for _, c := range x.Children {
			if e, ok := c.(*XElement); ok {
				e.write(&b, 0)
			}
		}
		return b.String()
	}
	x.write(&b, 0)
	return b.String()
}

func (x *XElement) write(b *strings.Builder, depth int) {
	b.WriteString("<" + x.Name)
	for _, a := range x.Attrs {
		b.WriteString(" " + a.Name + "=\"" + xmlEscape(a.Value) + "\"")
	}
	if len(x.Children) == 0 {
		b.WriteString(" />")
		return
	}
	b.WriteByte('>')
	onlyElements := true
	for _, c := range x.Children {
		if s, ok := c.(string); ok && strings.TrimSpace(s) != "" {
			onlyElements = false
		}
	}
	for _, c := range x.Children {
		switch v := c.(type) {
		case string:
			if !onlyElements {
				b.WriteString(xmlEscape(v))
			}
		case *XElement:
			if onlyElements {
				b.WriteString("\n" + strings.Repeat("  ", depth+1))
			}
			v.write(b, depth+1)
		}
	}
	if onlyElements {
		b.WriteString("\n" + strings.Repeat("  ", depth))
	}
	b.WriteString("</" + x.Name + ">")
}

func newXElement(a []any) (any, error) {
	name, err := str(a[0], "name")
	if err != nil {
		return nil, err
	}
	el := &XElement{Name: name}
	for _, c := range a[1:] {
		switch v := c.(type) {
		case *XElement:
			el.Children = append(el.Children, v)
		case *XAttribute:
			el.Attrs = append(el.Attrs, v)
		case nil:
		default:
			el.Children = append(el.Children, expr.ToString(v))
		}
	}
	return el, nil
}

// XNamespace is an XML namespace; ns + "name" is the name "{ns}name".
type XNamespace struct{ URI string }

// xname returns the local name of a name argument: names are matched by
// local name, so "{urn:x}Body" and "Body" name the same elements.
func xname(a []any) string {
	if len(a) == 0 {
		return ""
	}
	s := expr.ToString(a[0])
	if strings.HasPrefix(s, "{") {
		if i := strings.IndexByte(s, '}'); i > 0 {
			return s[i+1:]
		}
	}
	return s
}

func addXMLMembers(m map[string]expr.Members) {
	x := func(r any) *XElement { return r.(*XElement) }
	tyX := named("XElement")
	m["XElement"] = expr.Members{
		"Name":   val(tyXName, func(r any) any { return XName{Local: x(r).Name} }),
		"Value":  val(tyString, func(r any) any { return x(r).value() }),
		"Value=": {Min: 1, Max: 1, Call: setNodeValue},
		"Element": fn(tyX, 1, 1, func(r any, a []any) (any, error) {
			if els := x(r).elements(xname(a)); len(els) > 0 {
				return els[0], nil
			}
			return nil, nil
		}),
		"Elements":    fn(expr.ArrayOf(tyX), 0, 1, func(r any, a []any) (any, error) { return x(r).elements(xname(a)), nil }),
		"Descendants": fn(expr.ArrayOf(tyX), 0, 1, func(r any, a []any) (any, error) { return x(r).descendants(xname(a), []any{}), nil }),
		"Attribute": fn(named("XAttribute"), 1, 1, func(r any, a []any) (any, error) {
			for _, at := range x(r).Attrs {
				if at.Name == xname(a) {
					return at, nil
				}
			}
			return nil, nil
		}),
		"Attributes": fn(tyArray, 0, 0, func(r any, _ []any) (any, error) {
			out := []any{}
			for _, at := range x(r).Attrs {
				out = append(out, at)
			}
			return out, nil
		}),
		"Add": fn(tyVoid, 1, -1, func(r any, a []any) (any, error) {
			el, err := newXElement(append([]any{x(r).Name}, a...))
			if err != nil {
				return nil, err
			}
			x(r).Children = append(x(r).Children, el.(*XElement).Children...)
			x(r).Attrs = append(x(r).Attrs, el.(*XElement).Attrs...)
			return nil, nil
		}),
		"SetAttributeValue": fn(tyVoid, 2, 2, func(r any, a []any) (any, error) {
			name := xname(a)
			for i, at := range x(r).Attrs {
				if at.Name == name {
					if a[1] == nil {
						x(r).Attrs = append(x(r).Attrs[:i], x(r).Attrs[i+1:]...)
					} else {
						at.Value = expr.ToString(a[1])
					}
					return nil, nil
				}
			}
			if a[1] != nil {
				x(r).Attrs = append(x(r).Attrs, &XAttribute{Name: name, Value: expr.ToString(a[1])})
			}
			return nil, nil
		}),
		"HasElements": val(tyBool, func(r any) any { return len(x(r).elements("")) > 0 }),
	}
	m["XDocument"] = merge(expr.Members{
		"Root": val(tyX, func(r any) any {
			if root := r.(*XElement).root(); root != nil {
				return root
			}
			return nil
		}),
	}, m["XElement"])
	m["XNamespace"] = expr.Members{
		"NamespaceName": val(tyString, func(r any) any { return r.(XNamespace).URI }),
		"GetName":       fn(tyString, 1, 1, func(r any, a []any) (any, error) { return "{" + r.(XNamespace).URI + "}" + expr.ToString(a[0]), nil }),
	}
	m["XName"] = expr.Members{
		"LocalName": val(tyString, func(r any) any { return r.(XName).Local }),
		// Elements are read by local name: a name has no namespace here.
		"NamespaceName": val(tyString, func(any) any { return "" }),
	}
	m["XAttribute"] = expr.Members{
		"Name":   val(tyXName, func(r any) any { return XName{Local: r.(*XAttribute).Name} }),
		"Value":  val(tyString, func(r any) any { return r.(*XAttribute).Value }),
		"Value=": {Min: 1, Max: 1, Call: setNodeValue},
	}
}

func addXMLStatics(s map[string]expr.Members) {
	parse := func(doc bool) *expr.Member {
		t := named("XElement")
		if doc {
			t = named("XDocument")
		}
		return fn(t, 1, 2, func(_ any, a []any) (any, error) {
			v, err := str(a[0], "text")
			if err != nil {
				return nil, err
			}
			d, err := parseXML(v)
			if err != nil {
				return nil, err
			}
			if doc {
				return d, nil
			}
			return d.root(), nil
		})
	}
	s["XNamespace"] = expr.Members{
		"Get":  fn(named("XNamespace"), 1, 1, func(_ any, a []any) (any, error) { return XNamespace{URI: expr.ToString(a[0])}, nil }),
		"None": constant(named("XNamespace"), XNamespace{}),
	}
	s["XName"] = expr.Members{
		"Get": fn(tyString, 1, 2, func(_ any, a []any) (any, error) {
			if len(a) == 2 && expr.ToString(a[1]) != "" {
				return "{" + expr.ToString(a[1]) + "}" + expr.ToString(a[0]), nil
			}
			return expr.ToString(a[0]), nil
		}),
	}
	s["XElement"] = expr.Members{"Parse": parse(false)}
	s["XDocument"] = expr.Members{"Parse": parse(true)}
}
