package builtin

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// xmlToJSON implements <xml-to-json>: it converts the request body
// (inbound) or the response body (outbound, on-error) from XML to JSON
// and sets Content-Type to application/json. kind="javascript-friendly"
// uses local names, drops namespace declarations and writes attributes
// as plain properties; kind="direct" keeps prefixes and writes
// attributes as "@name" and the XML declaration as "?xml", as
// Newtonsoft's SerializeXmlNode does. In both, sibling elements of one
// name become an array (always, with always-array-child-elements), an
// empty element null, and text beside attributes or elements "#text".
// apply="content-type-xml" converts only XML bodies; consider-accept-
// header (default true) converts only when the request's Accept header
// asks for JSON.
type xmlToJSON struct {
	direct      bool
	alwaysArray bool
	cv          conversion
}

var _ policy.Step = (*xmlToJSON)(nil)

func compileXMLToJSON(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "kind", "apply", "consider-accept-header", "always-array-child-elements")
	s := &xmlToJSON{}
	if v, a, ok := c.Literal(n, "kind", true); ok {
		switch v {
		case "direct":
			s.direct = true
		case "javascript-friendly":
		default:
			c.AttrErrorf(n, a, "%q: want javascript-friendly or direct", v)
		}
	}
	s.cv = compileConversion(n, c, conversion{in: "xml", out: "json", contentType: "application/json"})
	s.alwaysArray = literalBool(n, c, "always-array-child-elements", false)
	return s
}

func (s *xmlToJSON) Do(c *policy.Context) error {
	return s.cv.run(c, s.convert)
}

// xnode is an element, or (name "") a run of text.
type xnode struct {
	name  string
	attrs []xml.Attr
	kids  []*xnode
	text  []byte
}

// convert converts an XML document to JSON.
func (s *xmlToJSON) convert(data []byte) ([]byte, error) {
	root, decl, err := readXML(data)
	if err != nil {
		return nil, fmt.Errorf("xml-to-json: %w", err)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	if s.direct && decl != nil {
		writeJSONString(&b, "?xml")
		b.WriteString(`:{`)
		for i, a := range decl {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, "@"+a.Name.Local)
			b.WriteByte(':')
			writeJSONString(&b, a.Value)
		}
		b.WriteString(`},`)
	}
	writeJSONString(&b, s.name(root.name))
	b.WriteByte(':')
	s.value(&b, root)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// readXML reads the document's root element and its declaration's
// pseudo-attributes (nil without one).
func readXML(data []byte) (*xnode, []xml.Attr, error) {
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte(utf8BOM))))
	d.Strict = true
	var stack []*xnode
	var root *xnode
	var decl []xml.Attr
	for {
		t, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, nil, errors.New("more than one root element")
			}
			if len(stack) >= maxDepth {
				return nil, nil, fmt.Errorf("nested deeper than %d", maxDepth)
			}
			e := &xnode{name: qualified(t.Name), attrs: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, e)
			} else {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != qualified(t.Name) {
				return nil, nil, fmt.Errorf("line %d: unexpected end element </%s>", lineOf(data, d.InputOffset()), qualified(t.Name))
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, nil, errors.New("text outside the root element")
				}
				continue
			}
			if !utf8.Valid(t) {
				return nil, nil, errors.New("the text is not UTF-8")
			}
			p := stack[len(stack)-1]
			if k := len(p.kids); k > 0 && p.kids[k-1].name == "" {
				p.kids[k-1].text = append(p.kids[k-1].text, t...) // text split by a comment
			} else {
				p.kids = append(p.kids, &xnode{text: bytes.Clone(t)})
			}
		case xml.ProcInst:
			if t.Target == "xml" && root == nil {
				decl = declAttrs(t.Inst)
			}
		}
	}
	if root == nil {
		return nil, nil, errors.New("no root element")
	}
	if len(stack) > 0 {
		return nil, nil, fmt.Errorf("element <%s> is not closed", stack[len(stack)-1].name)
	}
	return root, decl, nil
}

// lineOf returns the 1-based line of offset off in data.
func lineOf(data []byte, off int64) int {
	return bytes.Count(data[:min(int(off), len(data))], []byte("\n")) + 1
}

// declAttrs reads the pseudo-attributes of an XML declaration.
func declAttrs(inst []byte) []xml.Attr {
	t, err := xml.NewDecoder(bytes.NewReader(append(append([]byte("<x "), inst...), "/>"...))).RawToken()
	if se, ok := t.(xml.StartElement); ok && err == nil {
		return se.Attr
	}
	return nil
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// name is the JSON name of an element or attribute name: without its
// prefix for javascript-friendly.
func (s *xmlToJSON) name(qn string) string {
	if s.direct {
		return qn
	}
	if _, local, ok := strings.Cut(qn, ":"); ok {
		return local
	}
	return qn
}

// jgroup is one JSON property of an element: its attribute, its child
// elements of one name, or its texts.
type jgroup struct {
	name  string
	attr  string // the attribute's value
	isAtt bool
	nodes []*xnode
}

// value writes the JSON of element e.
func (s *xmlToJSON) value(b *bytes.Buffer, e *xnode) {
	var groups []*jgroup
	byName := map[string]*jgroup{}
	add := func(name string, n *xnode) {
		g := byName[name]
		if g == nil {
			g = &jgroup{name: name}
			byName[name] = g
			groups = append(groups, g)
		}
		g.nodes = append(g.nodes, n)
	}
	for _, a := range e.attrs {
		if s.direct {
			groups = append(groups, &jgroup{name: "@" + qualified(a.Name), attr: a.Value, isAtt: true})
			continue
		}
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue
		}
		add(a.Name.Local, &xnode{text: []byte(a.Value)})
	}
	elems := 0
	for _, k := range e.kids {
		if k.name != "" {
			elems++
		}
	}
	if len(groups) == 0 && elems == 0 {
		// Adjacent texts are merged: a leaf holds at most one.
		if len(e.kids) == 0 || len(e.kids[0].text) == 0 {
			b.WriteString("null")
		} else {
			writeJSONString(b, string(e.kids[0].text))
		}
		return
	}
	for _, k := range e.kids {
		switch {
		case k.name != "":
			add(s.name(k.name), k)
		case len(bytes.TrimSpace(k.text)) > 0:
			add("#text", k)
		}
	}
	b.WriteByte('{')
	for i, g := range groups {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, g.name)
		b.WriteByte(':')
		switch {
		case g.isAtt:
			writeJSONString(b, g.attr)
		case len(g.nodes) == 1 && !(s.alwaysArray && g.nodes[0].name != ""):
			s.item(b, g.nodes[0])
		default:
			b.WriteByte('[')
			for j, n := range g.nodes {
				if j > 0 {
					b.WriteByte(',')
				}
				s.item(b, n)
			}
			b.WriteByte(']')
		}
	}
	b.WriteByte('}')
}

// item writes an element's value, or a text or attribute as a string.
func (s *xmlToJSON) item(b *bytes.Buffer, n *xnode) {
	if n.name == "" {
		writeJSONString(b, string(n.text))
		return
	}
	s.value(b, n)
}

// writeJSONString writes s as a JSON string, escaping only what JSON
// requires (as Newtonsoft does).
func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
