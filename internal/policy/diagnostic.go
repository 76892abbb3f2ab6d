package policy

import (
	"fmt"
	"strings"
)

// Diagnostic is a problem found in a policy document.
type Diagnostic struct {
	Pos     Pos
	Element string // e.g. "set-header"; empty for syntax errors
	Attr    string // the attribute concerned, if any
	Msg     string
	// Source and Path locate the element once documents are merged (see
	// Node.Source); empty for a document read on its own.
	Source string
	Path   string
}

func (d *Diagnostic) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d: ", d.Pos.Line, d.Pos.Col)
	if d.Element != "" {
		fmt.Fprintf(&b, "<%s>", d.Element)
		if d.Attr != "" {
			fmt.Fprintf(&b, " %s", d.Attr)
		}
		b.WriteString(": ")
	}
	b.WriteString(d.Msg)
	return b.String()
}

// Diagnostics is every problem found in one document, in order.
type Diagnostics []*Diagnostic

func (ds Diagnostics) Error() string {
	msgs := make([]string, len(ds))
	for i, d := range ds {
		msgs[i] = d.Error()
	}
	return strings.Join(msgs, "\n")
}

// errorAt returns a Diagnostic for element n.
func errorAt(n *Node, format string, args ...any) *Diagnostic {
	return &Diagnostic{Pos: n.Pos, Element: n.Name, Msg: fmt.Sprintf(format, args...), Source: n.Source, Path: n.Path}
}

// attrError returns a Diagnostic for attribute a of element n.
func attrError(n *Node, a Attr, format string, args ...any) *Diagnostic {
	return &Diagnostic{Pos: a.Pos, Element: n.Name, Attr: a.Name, Msg: fmt.Sprintf(format, args...), Source: n.Source, Path: n.Path}
}
