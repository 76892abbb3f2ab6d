package xslt

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/antchfx/xmlquery"
)

// maxInputDepth bounds the nesting of an input document, so that no
// input can exhaust the stack of the recursive parts of a
// transformation.
const maxInputDepth = 256

// parseInput parses an input document into the tree XPath sees: no
// declaration, doctype or processing instruction, CDATA as text,
// adjacent text merged, and whitespace-only text stripped from the
// elements xsl:strip-space names (unless xsl:preserve-space names them
// more specifically).
func parseInput(data []byte, s *Stylesheet) (*xmlquery.Node, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	doc, err := xmlquery.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	if doc.FirstChild == nil {
		return nil, fmt.Errorf("%w: the document has no root element", ErrInput)
	}
	type frame struct {
		n     *xmlquery.Node
		depth int
	}
	stack := []frame{{doc, 0}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.depth > maxInputDepth {
			return nil, fmt.Errorf("%w: elements are nested deeper than %d", ErrInput, maxInputDepth)
		}
		strip := f.n.Type == xmlquery.ElementNode && s.strips(f.n)
		for k := f.n.FirstChild; k != nil; {
			next := k.NextSibling
			switch k.Type {
			case xmlquery.DeclarationNode, xmlquery.NotationNode, xmlquery.ProcessingInstruction:
				xmlquery.RemoveFromTree(k)
			case xmlquery.TextNode, xmlquery.CharDataNode:
				k.Type = xmlquery.TextNode
				if p := k.PrevSibling; p != nil && p.Type == xmlquery.TextNode {
					p.Data += k.Data
					xmlquery.RemoveFromTree(k)
				}
			case xmlquery.ElementNode:
				stack = append(stack, frame{k, f.depth + 1})
			}
			k = next
		}
		if strip {
			for k := f.n.FirstChild; k != nil; {
				next := k.NextSibling
				if k.Type == xmlquery.TextNode && strings.TrimLeft(k.Data, " \t\r\n") == "" {
					xmlquery.RemoveFromTree(k)
				}
				k = next
			}
		}
	}
	return doc, nil
}

// strips reports whether whitespace-only text is stripped from element n.
func (s *Stylesheet) strips(n *xmlquery.Node) bool {
	if len(s.strip) == 0 {
		return false
	}
	best := func(tests []nameTest) float64 {
		b := -1.0
		for _, t := range tests {
			p := -1.0
			switch {
			case t.any:
				p = -0.5
			case t.nsOnly && n.NamespaceURI == t.uri:
				p = -0.25
			case !t.nsOnly && t.local == n.Data && (!t.prefixed || n.NamespaceURI == t.uri):
				p = 0
			}
			b = max(b, p)
		}
		return b
	}
	st := best(s.strip)
	return st > -1 && st > best(s.preserve)
}
