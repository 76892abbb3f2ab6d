package policy

import "strings"

// Deployment templates (Bicep, ARM, Terraform) often hold policy documents
// with placeholders that the deployment replaces: tokens-per-minute="{tpm}",
// count="{retry-count}", backend-id="{backend-id}". Checking such a file
// offline (Env.AnyPlaceholder), an attribute whose whole value is one
// {identifier} and that its element refuses as written is taken as any
// well-formed value, like a {{named value}} not known here, and reported
// once as a reference of kind "placeholders". The management plane never
// sets AnyPlaceholder: there the element refuses the attribute.

// isPlaceholder reports whether v is one {identifier}: a letter or '_'
// first, then letters, digits, '_', '-' and '.'. A {{named value}} is not
// one.
func isPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 3 || v[0] != '{' || v[len(v)-1] != '}' {
		return false
	}
	id := v[1 : len(v)-1]
	for i := 0; i < len(id); i++ {
		c := id[i]
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c == '-' || c == '.' || c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// placeholderAttrs returns the attributes of n that hold a placeholder
// and that diags, the problems compiling n reported, name.
func placeholderAttrs(n *Node, diags Diagnostics) map[string]Attr {
	var out map[string]Attr
	for _, d := range diags {
		if d.Attr == "" || d.Source != n.Source || d.Path != n.Path {
			continue
		}
		if a, ok := n.Attr(d.Attr); ok && isPlaceholder(a.Value) {
			if out == nil {
				out = map[string]Attr{}
			}
			out[a.Name] = a
		}
	}
	return out
}

// compileWithPlaceholders compiles n with f; offline, when n's element
// refuses attributes that hold placeholders, it compiles n again with
// those attributes opaque and reports each as a reference instead.
func (c *Compiler) compileWithPlaceholders(n *Node, f CompileFunc) Step {
	before := len(c.diags)
	s := f(n, c)
	if !c.env.AnyPlaceholder || len(c.diags) == before {
		return s
	}
	attrs := placeholderAttrs(n, c.diags[before:])
	if len(attrs) == 0 {
		return s
	}
	c.diags = c.diags[:before]
	if c.placeholders == nil {
		c.placeholders = map[*Node]map[string]Attr{}
	}
	c.placeholders[n] = attrs
	s = f(n, c)
	still := placeholderAttrs(n, c.diags[before:]) // an element that reads the attribute as written
	for name, a := range attrs {
		if _, refused := still[name]; !refused && c.env.OnReference != nil {
			c.env.OnReference(Reference{Kind: "placeholders", ID: strings.TrimSpace(a.Value), Attr: a.Name, Source: n.Source, Path: n.Path, Pos: a.Pos})
		}
	}
	return s
}

// opaque reports whether attribute attr of n (empty: its text) holds a
// {{name}} whose value is not known here, or a placeholder taken as
// opaque: either stands for any value.
func (c *Compiler) opaque(n *Node, attr string) bool {
	if _, ok := c.placeholders[n][attr]; ok && attr != "" {
		return true
	}
	for _, ref := range n.refs {
		if ref.Opaque && ref.Attr == attr {
			return true
		}
	}
	return false
}
