package builtin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// jsonToXML implements <json-to-xml>: it converts the request body
// (inbound) or the response body (outbound, on-error) from JSON to XML as
// APIM does (Newtonsoft's DeserializeXmlNode with the root <Document>)
// and sets Content-Type to application/xml. apply="content-type-json"
// converts only JSON bodies; consider-accept-header (default true)
// converts only when the request's Accept header asks for XML.
type jsonToXML struct {
	opts jsonXMLOptions
	cv   conversion
}

var _ policy.Step = (*jsonToXML)(nil)

// jsonXMLOptions are the naming options of the conversion.
type jsonXMLOptions struct {
	nsSeparator    string // replaced by ':' in names; "": none
	nsPrefix       string // attribute prefix that declares namespaces ("xmlns")
	attributeBlock string // property whose members become attributes; "": none
}

func compileJSONToXML(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "apply", "consider-accept-header", "parse-date", "namespace-separator", "namespace-prefix", "attribute-block-name")
	s := &jsonToXML{opts: jsonXMLOptions{nsPrefix: "xmlns"},
		cv: compileConversion(n, c, conversion{in: "json", out: "xml", contentType: "application/xml"})}
	literalBool(n, c, "parse-date", true) // checked; dates are kept as written
	if v, a, ok := c.Literal(n, "namespace-separator", false); ok {
		if utf8.RuneCountInString(v) != 1 {
			c.AttrErrorf(n, a, "%q: want one character", v)
		}
		s.opts.nsSeparator = v
	}
	if v, a, ok := c.Literal(n, "namespace-prefix", false); ok {
		if v == "" {
			c.AttrErrorf(n, a, "must not be empty")
		}
		s.opts.nsPrefix = v
	}
	if v, _, ok := c.Literal(n, "attribute-block-name", false); ok {
		s.opts.attributeBlock = v
	}
	return s
}

func (s *jsonToXML) Do(c *policy.Context) error {
	return s.cv.run(c, s.opts.convert)
}

// utf8BOM is the byte order mark some clients put before UTF-8 bodies.
const utf8BOM = "\xEF\xBB\xBF"

// maxDepth bounds the nesting of documents the converters accept.
const maxDepth = 1000

// jval is a JSON value with its members in document order.
type jval struct {
	kind    byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	text    string
	members []jmember
	items   []jval
}

type jmember struct {
	name string
	val  jval
}

// convert converts a JSON document to XML.
func (o jsonXMLOptions) convert(data []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte(utf8BOM))))
	d.UseNumber()
	v, err := readJSON(d, 0)
	if err != nil {
		return nil, fmt.Errorf("json-to-xml: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("json-to-xml: data after the JSON value")
	}
	var b bytes.Buffer
	roots, err := o.element(&b, "Document", v, 0)
	if err != nil {
		return nil, fmt.Errorf("json-to-xml: %w", err)
	}
	switch {
	case roots > 1:
		return nil, errors.New("json-to-xml: a top-level array of more than one item has no single XML root")
	case roots == 0:
		b.WriteString("<Document />") // an empty top-level array
	}
	return b.Bytes(), nil
}

// readJSON reads one value from d.
func readJSON(d *json.Decoder, depth int) (jval, error) {
	if depth > maxDepth {
		return jval{}, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	t, err := d.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return jval{}, err
	}
	switch t := t.(type) {
	case json.Delim:
		if t == '[' {
			v := jval{kind: 'a'}
			for d.More() {
				item, err := readJSON(d, depth+1)
				if err != nil {
					return jval{}, err
				}
				v.items = append(v.items, item)
			}
			_, err := d.Token()
			return v, err
		}
		v := jval{kind: 'o'}
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return jval{}, err
			}
			name, _ := k.(string)
			val, err := readJSON(d, depth+1)
			if err != nil {
				return jval{}, err
			}
			v.members = append(v.members, jmember{name: name, val: val})
		}
		_, err := d.Token()
		return v, err
	case string:
		return jval{kind: 's', text: t}, nil
	case json.Number:
		return jval{kind: 'n', text: numberText(string(t))}, nil
	case bool:
		return jval{kind: 'b', text: strconv.FormatBool(t)}, nil
	}
	return jval{kind: 'z'}, nil
}

// numberText writes a JSON number as .NET does: integers as written,
// others as the shortest round-tripping double ("R").
func numberText(n string) string {
	if !strings.ContainsAny(n, ".eE") {
		return n
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return n
	}
	if a := max(f, -f); a == 0 || a >= 1e-5 && a < 1e15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'E', -1, 64)
}

// element writes property name with value v and returns how many
// elements it wrote (an array writes one per item).
func (o jsonXMLOptions) element(b *bytes.Buffer, name string, v jval, depth int) (int, error) {
	if depth > maxDepth {
		return 0, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	if v.kind == 'a' {
		for _, item := range v.items {
			if item.kind != 'a' {
				if _, err := o.element(b, name, item, depth+1); err != nil {
					return 0, err
				}
				continue
			}
			// A nested array becomes an element holding its items.
			qn, err := o.qname(name)
			if err != nil {
				return 0, err
			}
			b.WriteString("<" + qn + ">")
			if _, err := o.element(b, name, item, depth+1); err != nil {
				return 0, err
			}
			b.WriteString("</" + qn + ">")
		}
		return len(v.items), nil
	}
	qn, err := o.qname(name)
	if err != nil {
		return 0, err
	}
	b.WriteString("<" + qn)
	var content bytes.Buffer
	switch v.kind {
	case 'z':
	case 'o':
		if err := o.members(b, &content, v.members, depth); err != nil {
			return 0, err
		}
	default:
		if err := escapeXML(&content, v.text, false); err != nil {
			return 0, err
		}
		if v.kind == 's' && v.text == "" {
			b.WriteString("></" + qn + ">")
			return 1, nil
		}
	}
	if content.Len() == 0 {
		b.WriteString(" />")
		return 1, nil
	}
	b.WriteString(">")
	b.Write(content.Bytes())
	b.WriteString("</" + qn + ">")
	return 1, nil
}

// members writes an object's attributes to tag (the open start tag) and
// its text and child elements to content.
func (o jsonXMLOptions) members(tag, content *bytes.Buffer, ms []jmember, depth int) error {
	seen := map[string]bool{}
	attr := func(name string, v jval) error {
		if v.kind == 'o' || v.kind == 'a' {
			return fmt.Errorf("attribute %q: the value must not be an object or array", name)
		}
		qn, err := o.qname(name)
		if err != nil {
			return err
		}
		if qn == o.nsPrefix {
			qn = "xmlns"
		} else if p, local, ok := strings.Cut(qn, ":"); ok && p == o.nsPrefix {
			qn = "xmlns:" + local
		}
		if seen[qn] {
			return fmt.Errorf("attribute %q appears twice", qn)
		}
		seen[qn] = true
		tag.WriteString(" " + qn + `="`)
		if err := escapeXML(tag, v.text, true); err != nil {
			return err
		}
		tag.WriteString(`"`)
		return nil
	}
	for _, m := range ms {
		var err error
		switch {
		case strings.HasPrefix(m.name, "@"):
			err = attr(m.name[1:], m.val)
		case o.attributeBlock != "" && m.name == o.attributeBlock && m.val.kind == 'o':
			for _, am := range m.val.members {
				if err = attr(am.name, am.val); err != nil {
					break
				}
			}
		case m.name == "#text" || m.name == "#cdata-section":
			if m.val.kind == 'o' || m.val.kind == 'a' {
				return fmt.Errorf("%s: the value must not be an object or array", m.name)
			}
			if m.name == "#text" {
				err = escapeXML(content, m.val.text, false)
			} else {
				err = writeCDATA(content, m.val.text)
			}
		case m.name == "?xml" || strings.HasPrefix(m.name, "#"):
			// The declaration and other DOM nodes (#comment,
			// #whitespace) carry no content of the document.
		default:
			_, err = o.element(content, m.name, m.val, depth+1)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// qname makes an XML name of a property name: the namespace separator
// becomes ':', and each part is encoded as XmlConvert.EncodeLocalName does.
func (o jsonXMLOptions) qname(name string) (string, error) {
	if name == "" {
		return "", errors.New("a property name is empty")
	}
	if o.nsSeparator != "" && o.nsSeparator != ":" {
		name = strings.Replace(name, o.nsSeparator, ":", 1)
	}
	if p, local, ok := strings.Cut(name, ":"); ok && p != "" && local != "" {
		return encodeName(p) + ":" + encodeName(local), nil
	}
	return encodeName(name), nil
}

// encodeName escapes the characters of s that may not appear in an XML
// name as _xHHHH_, as .NET's XmlConvert.EncodeLocalName does.
func encodeName(s string) string {
	var b strings.Builder
	for i, r := range s {
		ok := r == '_' || unicode.IsLetter(r) && r < 0x10000
		if i > 0 {
			ok = ok || r == '-' || r == '.' || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)
		}
		if r == '_' && escapedUnderscore(s[i:]) {
			ok = false
		}
		switch {
		case ok:
			b.WriteRune(r)
		case r > 0xFFFF:
			fmt.Fprintf(&b, "_x%08X_", r)
		default:
			fmt.Fprintf(&b, "_x%04X_", r)
		}
	}
	return b.String()
}

// escapedUnderscore reports whether s starts with what reads as an escape
// (_xHHHH_ or _xHHHHHHHH_), whose underscore must then be escaped.
func escapedUnderscore(s string) bool {
	if len(s) < 7 || s[1] != 'x' && s[1] != 'X' {
		return false
	}
	hex := func(s string) bool {
		for _, c := range []byte(s) {
			if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c)) {
				return false
			}
		}
		return true
	}
	return hex(s[2:6]) && s[6] == '_' || len(s) >= 11 && hex(s[2:10]) && s[10] == '_'
}

// escapeXML writes s as XML text or (attr) an attribute value. Characters
// XML cannot hold are an error.
func escapeXML(b *bytes.Buffer, s string, attr bool) error {
	for _, r := range s {
		if !xmlChar(r) {
			return fmt.Errorf("the character %U cannot appear in XML", r)
		}
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case attr && r == '"':
			b.WriteString("&quot;")
		case attr && (r == '\n' || r == '\r' || r == '\t'):
			fmt.Fprintf(b, "&#x%X;", r)
		case !attr && r == '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(r)
		}
	}
	return nil
}

// writeCDATA writes s as a CDATA section, split where s holds "]]>".
func writeCDATA(b *bytes.Buffer, s string) error {
	for _, r := range s {
		if !xmlChar(r) {
			return fmt.Errorf("the character %U cannot appear in XML", r)
		}
	}
	b.WriteString("<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>")
	return nil
}

// xmlChar reports whether r is a character of XML 1.0.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
