package xslt

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// NS is the XSLT namespace.
const NS = "http://www.w3.org/1999/XSL/Transform"

// maxStylesheetDepth bounds the nesting of a stylesheet's elements.
const maxStylesheetDepth = 128

// Error is a problem found in a stylesheet, at byte Offset of its text.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// snode is one element or text node of a stylesheet as written.
type snode struct {
	prefix, local, uri string
	attrs              []sattr
	kids               []*snode
	text               string // a text node's characters
	isText             bool
	off                int               // byte offset of the node's start
	ns                 map[string]string // the namespaces in scope, by prefix
	preserve           bool              // xml:space="preserve" is in force
}

// sattr is an attribute of a stylesheet element.
type sattr struct {
	prefix, local, uri, value string
}

func (n *snode) isXSL(local string) bool { return !n.isText && n.uri == NS && n.local == local }

// name returns the element's name as written.
func (n *snode) name() string {
	if n.prefix == "" {
		return n.local
	}
	return n.prefix + ":" + n.local
}

// attr returns the attribute named local in no namespace.
func (n *snode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.uri == "" && a.local == local {
			return a.value, true
		}
	}
	return "", false
}

func errAt(n *snode, format string, args ...any) *Error {
	return &Error{Offset: n.off, Msg: fmt.Sprintf(format, args...)}
}

// readStylesheet reads src into its root element. Whitespace-only text
// is dropped, except in xsl:text and where xml:space="preserve".
func readStylesheet(src string) (*snode, error) {
	d := xml.NewDecoder(strings.NewReader(src))
	d.Strict = true
	var stack []*snode
	var root *snode
	for {
		off := int(d.InputOffset())
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &Error{Offset: int(d.InputOffset()), Msg: "the stylesheet is not well-formed XML: " + se.Msg}
			}
			return nil, &Error{Offset: int(d.InputOffset()), Msg: "the stylesheet is not well-formed XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, &Error{Offset: off, Msg: "more than one root element"}
			}
			if len(stack) >= maxStylesheetDepth {
				return nil, &Error{Offset: off, Msg: fmt.Sprintf("elements are nested deeper than %d", maxStylesheetDepth)}
			}
			n, err := startNode(t, off, stack)
			if err != nil {
				return nil, err
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, &Error{Offset: off, Msg: fmt.Sprintf("the stylesheet is not well-formed XML: </%s> closes no element", xmlName(t.Name))}
			}
			top := stack[len(stack)-1]
			if t.Name.Space != top.prefix || t.Name.Local != top.local {
				return nil, &Error{Offset: off, Msg: fmt.Sprintf("the stylesheet is not well-formed XML: </%s> does not close <%s>", xmlName(t.Name), top.name())}
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			p := stack[len(stack)-1]
			s := string(t)
			if k := len(p.kids); k > 0 && p.kids[k-1].isText {
				p.kids[k-1].text += s
				continue
			}
			p.kids = append(p.kids, &snode{isText: true, text: s, off: off})
		case xml.Directive:
			return nil, &Error{Offset: off, Msg: "a DOCTYPE or other directive is not allowed in a stylesheet"}
		}
	}
	if root == nil {
		return nil, &Error{Offset: 0, Msg: "the stylesheet has no root element"}
	}
	if len(stack) > 0 {
		return nil, &Error{Offset: stack[len(stack)-1].off, Msg: fmt.Sprintf("the stylesheet is not well-formed XML: <%s> is not closed", stack[len(stack)-1].name())}
	}
	dropSpace(root)
	return root, nil
}

// startNode makes the element of t, resolving its prefixes in the scope
// of its parent.
func startNode(t xml.StartElement, off int, stack []*snode) (*snode, error) {
	n := &snode{prefix: t.Name.Space, local: t.Name.Local, off: off, ns: map[string]string{"xml": "http://www.w3.org/XML/1998/namespace"}}
	if len(stack) > 0 {
		p := stack[len(stack)-1]
		n.ns, n.preserve = p.ns, p.preserve
	}
	copied := false
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			if !copied {
				m := make(map[string]string, len(n.ns)+1)
				for k, v := range n.ns {
					m[k] = v
				}
				n.ns, copied = m, true
			}
			if a.Name.Space == "xmlns" {
				n.ns[a.Name.Local] = a.Value
			} else {
				n.ns[""] = a.Value
			}
		}
	}
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue
		}
		sa := sattr{prefix: a.Name.Space, local: a.Name.Local, value: a.Value}
		if sa.prefix != "" {
			uri, ok := n.ns[sa.prefix]
			if !ok {
				return nil, &Error{Offset: off, Msg: fmt.Sprintf("namespace prefix %q of attribute %s:%s is not declared", sa.prefix, sa.prefix, sa.local)}
			}
			sa.uri = uri
		}
		if sa.prefix == "xml" && sa.local == "space" {
			n.preserve = a.Value == "preserve"
		}
		n.attrs = append(n.attrs, sa)
	}
	uri, ok := n.ns[n.prefix]
	if !ok && n.prefix != "" {
		return nil, &Error{Offset: off, Msg: fmt.Sprintf("namespace prefix %q of <%s:%s> is not declared", n.prefix, n.prefix, n.local)}
	}
	n.uri = uri
	return n, nil
}

// dropSpace removes whitespace-only text nodes, as XSLT 1.0 strips them
// from a stylesheet, except in xsl:text and under xml:space="preserve".
func dropSpace(n *snode) {
	if n.isXSL("text") {
		return
	}
	kids := n.kids[:0]
	for _, k := range n.kids {
		if k.isText && !n.preserve && strings.TrimLeft(k.text, " \t\r\n") == "" {
			continue
		}
		if !k.isText {
			dropSpace(k)
		}
		kids = append(kids, k)
	}
	n.kids = kids
}

func xmlName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}
