package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// Pos is a 1-based line and column in a policy document.
type Pos struct {
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Node is one element of a policy document.
type Node struct {
	Name     string
	Pos      Pos
	Attrs    []Attr
	Children []*Node
	// Text is the element's character data (text and CDATA, entities
	// decoded); expressions in it are kept as written.
	Text    string
	TextPos Pos
	// Source names the resource whose document holds the element, such
	// as "/apis/echo/policy"; Path is the element's place in that
	// document, such as "inbound/choose[1]/when[2]/set-header[1]". Both
	// are set by Tag and empty before.
	Source string
	Path   string

	t       *text      // the document's text, for positions in expressions
	textOff int        // offset of TextPos in t.src
	start   int        // offset of the element's '<' in t.src
	end     int        // offset just past the element's end in t.src
	refs    []NamedRef // the named values written in the element
}

// NamedValues returns the {{name}} references written in n itself (its
// attributes and text, not its children), in order. It must not be
// modified.
func (n *Node) NamedValues() []NamedRef { return n.refs }

// Raw returns the element as written, from its '<' to the end of its
// end tag, after named values are substituted: what an element that
// holds a document of its own (xsl-transform's stylesheet) reads with
// its own parser. Empty for an element not read from text.
func (n *Node) Raw() string {
	if n.t == nil || n.end <= n.start {
		return ""
	}
	return n.t.src[n.start:n.end]
}

// PosAt returns the position, in the document as written, of byte off
// of Raw.
func (n *Node) PosAt(off int) Pos {
	if n.t == nil {
		return n.Pos
	}
	return n.t.at(min(n.start+max(off, 0), n.end))
}

// Tag sets Source to source and Path (below prefix) on nodes and every
// element under them.
func Tag(nodes []*Node, source, prefix string) {
	seen := map[string]int{}
	for _, n := range nodes {
		seen[n.Name]++
		n.Source = source
		n.Path = fmt.Sprintf("%s%s[%d]", prefix, n.Name, seen[n.Name])
		Tag(n.Children, source, n.Path+"/")
	}
}

// Attr is one attribute, its value with entities decoded.
type Attr struct {
	Name  string
	Value string
	Pos   Pos // of the value's first character

	off int // of the value's first character in the substituted text
}

// Attr returns the named attribute.
func (n *Node) Attr(name string) (Attr, bool) {
	for _, a := range n.Attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attr{}, false
}

// maxDepth bounds element nesting, so a hostile document cannot exhaust
// the stack.
const maxDepth = 64

// maxDocument bounds a policy document's size.
const maxDocument = 1 << 20

// reader is a tolerant XML reader: attribute values and text that start
// with @( or @{ are read as C# code up to the balancing bracket, so they
// may hold raw <, >, & and quotes, as APIM allows.
type reader struct {
	src  string
	i    int
	t    *text
	next int // the first reference of t not yet given to an element
}

func (r *reader) pos() Pos { return r.t.at(r.i) }

// claim gives the references read so far to n, in attribute attr (empty:
// its text or tag). A value that goes on past the reader (one that holds
// elements) is left to the element read next.
func (r *reader) claim(n *Node, attr string) {
	for ; r.next < len(r.t.refs) && r.t.refs[r.next].at < r.i && (r.t.refs[r.next].end <= r.i || attr != ""); r.next++ {
		ref := r.t.refs[r.next]
		ref.Attr = attr
		n.refs = append(n.refs, ref)
	}
}

// drop passes over the references read so far (in a comment).
func (r *reader) drop() {
	for r.next < len(r.t.refs) && r.t.refs[r.next].at < r.i {
		r.next++
	}
}

func (r *reader) errorf(p Pos, format string, args ...any) error {
	return &Diagnostic{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

func (r *reader) eof() bool { return r.i >= len(r.src) }

func (r *reader) advance(n int) { r.i = min(r.i+n, len(r.src)) }

func (r *reader) has(s string) bool { return strings.HasPrefix(r.src[r.i:], s) }

func (r *reader) skipSpace() {
	for !r.eof() && strings.IndexByte(" \t\r\n", r.src[r.i]) >= 0 {
		r.advance(1)
	}
}

// skipTo advances past the next occurrence of end, failing at EOF.
func (r *reader) skipTo(end string, what string, start Pos) error {
	j := strings.Index(r.src[r.i:], end)
	if j < 0 {
		return r.errorf(start, "unterminated %s", what)
	}
	r.advance(j + len(end))
	return nil
}

// comment skips a comment starting at "<!--". As in XML 1.0, and as
// .NET's XmlReader that APIM reads policies with, a comment may not hold
// "--" nor end with "-" ("--->"): such a comment is refused where its
// "--" is.
func (r *reader) comment() error {
	start := r.pos()
	r.advance(len("<!--"))
	j := strings.Index(r.src[r.i:], "--")
	if j < 0 {
		return r.errorf(start, "unterminated comment")
	}
	r.advance(j)
	if !r.has("-->") {
		return r.errorf(r.pos(), "a comment may not contain '--' nor end with '-'")
	}
	r.advance(len("-->"))
	return nil
}

// ReadXML parses src into its root element, with its {{name}}
// references left as written.
func ReadXML(src string) (*Node, error) { return readXML(src, nil) }

// readXML parses src into its root element, with the named values of env
// substituted first when env is not nil.
func readXML(src string, env *Env) (*Node, error) {
	if len(src) > maxDocument {
		return nil, &Diagnostic{Pos: Pos{1, 1}, Msg: fmt.Sprintf("the document is larger than %d bytes", maxDocument)}
	}
	t := substitute(strings.TrimPrefix(src, "\ufeff"), env)
	if len(t.src) > maxDocument {
		return nil, &Diagnostic{Pos: Pos{1, 1}, Msg: fmt.Sprintf("the document with its named values is larger than %d bytes", maxDocument)}
	}
	r := &reader{src: t.src, t: t}
	root, err := r.document()
	if err != nil {
		return nil, redactErr(err, t.refs, r.i)
	}
	return root, nil
}

// redactErr keeps the secret values of refs out of a reading error found
// at offset o: an error in a secret's value says only which it is, since
// its message would quote a part of it.
func redactErr(err error, refs []NamedRef, o int) error {
	d, ok := err.(*Diagnostic)
	if !ok {
		return err
	}
	for _, ref := range refs {
		if ref.secret != "" && ref.at <= o && o <= ref.end {
			d.Msg = fmt.Sprintf("the value of the secret named value {{%s}} does not fit here: the policy is not well-formed XML with it", ref.Name)
			return d
		}
	}
	d.Msg = redact(d.Msg, refs)
	return d
}

// document reads the root element and what surrounds it.
func (r *reader) document() (*Node, error) {
	if err := r.skipMisc(); err != nil {
		return nil, err
	}
	if r.eof() || r.src[r.i] != '<' {
		return nil, r.errorf(r.pos(), "expected an element such as <policies>")
	}
	root, err := r.element(0)
	if err != nil {
		return nil, err
	}
	if err := r.skipMisc(); err != nil {
		return nil, err
	}
	if !r.eof() {
		return nil, r.errorf(r.pos(), "unexpected content after the root element </%s>", root.Name)
	}
	r.claim(root, "")
	return root, nil
}

// skipMisc skips whitespace, comments and processing instructions.
func (r *reader) skipMisc() error {
	for {
		r.skipSpace()
		switch {
		case r.has("<!--"):
			if err := r.comment(); err != nil {
				return err
			}
			r.drop()
		case r.has("<?"):
			if err := r.skipTo("?>", "processing instruction", r.pos()); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func isNameByte(c byte) bool {
	return c == '-' || c == '_' || c == '.' || c == ':' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (r *reader) name() string {
	start := r.i
	for !r.eof() && isNameByte(r.src[r.i]) {
		r.advance(1)
	}
	return r.src[start:r.i]
}

// element reads one element starting at '<'.
func (r *reader) element(depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, r.errorf(r.pos(), "elements are nested deeper than %d", maxDepth)
	}
	n := &Node{Pos: r.pos(), t: r.t, start: r.i}
	r.advance(1) // <
	if n.Name = r.name(); n.Name == "" {
		return nil, r.errorf(n.Pos, "expected an element name after '<'")
	}
	for {
		r.skipSpace()
		switch {
		case r.eof():
			return nil, r.errorf(n.Pos, "<%s> is not closed", n.Name)
		case r.has("/>"):
			r.advance(2)
			r.claim(n, "")
			n.end = r.i
			return n, nil
		case r.src[r.i] == '>':
			r.advance(1)
			r.claim(n, "")
			err := r.content(n, depth)
			r.claim(n, "")
			n.end = r.i
			return n, err
		}
		r.claim(n, "")
		a, err := r.attribute(n)
		if err != nil {
			return nil, err
		}
		r.claim(n, a.Name)
		if _, dup := n.Attr(a.Name); dup {
			return nil, r.errorf(a.Pos, "<%s>: attribute %s is given twice", n.Name, a.Name)
		}
		n.Attrs = append(n.Attrs, a)
	}
}

func (r *reader) attribute(n *Node) (Attr, error) {
	p := r.pos()
	name := r.name()
	if name == "" {
		return Attr{}, r.errorf(p, "<%s>: unexpected %q where an attribute or '>' belongs", n.Name, r.src[r.i])
	}
	r.skipSpace()
	if !r.has("=") {
		return Attr{}, r.errorf(r.pos(), "<%s>: attribute %s needs a value (%s=\"...\")", n.Name, name, name)
	}
	r.advance(1)
	r.skipSpace()
	if r.eof() || (r.src[r.i] != '"' && r.src[r.i] != '\'') {
		return Attr{}, r.errorf(r.pos(), "<%s>: the value of %s must be quoted", n.Name, name)
	}
	quote := r.src[r.i]
	r.advance(1)
	vp := r.pos()
	start := r.i
	if r.has("@(") || r.has("@{") {
		if err := r.code(vp); err != nil {
			return Attr{}, err
		}
		r.skipSpace()
	}
	j := strings.IndexByte(r.src[r.i:], quote)
	if j < 0 {
		return Attr{}, r.errorf(vp, "<%s>: the value of %s is not closed with %c", n.Name, name, quote)
	}
	r.advance(j)
	raw := r.src[start:r.i]
	r.advance(1)
	if strings.ContainsRune(raw, '<') && !strings.HasPrefix(raw, "@") {
		return Attr{}, r.errorf(vp, "<%s>: the value of %s contains '<'; write &lt;", n.Name, name)
	}
	return Attr{Name: name, Value: decodeEntities(raw), Pos: vp, off: start}, nil
}

// code reads a policy expression @(...) or @{...} up to its balancing
// bracket, skipping C# string and character literals.
func (r *reader) code(start Pos) error {
	open := r.src[r.i+1]
	closeB := byte(')')
	if open == '{' {
		closeB = '}'
	}
	r.advance(2)
	depth := 1
	for !r.eof() {
		c := r.src[r.i]
		switch {
		case r.has("//"):
			// A comment to the end of the line: an apostrophe in it is no
			// character literal.
			j := strings.IndexByte(r.src[r.i:], '\n')
			if j < 0 {
				return r.errorf(start, "the expression starting here has no closing '%c'", closeB)
			}
			r.advance(j)
			continue
		case r.has("/*"):
			j := strings.Index(r.src[r.i+2:], "*/")
			if j < 0 {
				return r.errorf(r.pos(), "a comment /* in the expression is not closed with */")
			}
			r.advance(j + 4)
			continue
		case c == '"' || c == '\'':
			if err := r.literal(c); err != nil {
				return err
			}
			continue
		case r.has("&quot;"):
			r.quotedEntity()
			continue
		case c == open:
			depth++
		case c == closeB:
			depth--
			if depth == 0 {
				r.advance(1)
				return nil
			}
		}
		r.advance(1)
	}
	return r.errorf(start, "the expression starting here has no closing '%c'", closeB)
}

// quotedEntity skips a C# string literal written with &quot; (the
// policy's "xml" format), so that what it holds is not taken for code.
func (r *reader) quotedEntity() {
	r.advance(len("&quot;"))
	for !r.eof() && !r.has("&quot;") {
		if r.has(`\&quot;`) || r.has(`\\`) {
			r.advance(1)
		}
		r.advance(1)
	}
	r.advance(len("&quot;"))
}

// literal skips a C# string or char literal, including verbatim @"..."
// and interpolated $"..." forms well enough to find their end.
func (r *reader) literal(q byte) error {
	p := r.pos()
	verbatim := q == '"' && r.i > 0 && (r.src[r.i-1] == '@' || (r.i > 1 && r.src[r.i-2] == '@' && r.src[r.i-1] == '$'))
	r.advance(1)
	for !r.eof() {
		c := r.src[r.i]
		switch {
		case c == '\\' && !verbatim:
			r.advance(2)
			continue
		case c == q && verbatim && r.has(string([]byte{q, q})):
			r.advance(2)
			continue
		case c == q:
			r.advance(1)
			return nil
		case c == '\n' && !verbatim:
			return r.errorf(p, "a string literal in the expression is not closed on its line")
		}
		r.advance(1)
	}
	return r.errorf(p, "a string literal in the expression is not closed")
}

// content reads the children and text of n up to its end tag.
func (r *reader) content(n *Node, depth int) error {
	var text strings.Builder
	for {
		if r.eof() {
			return r.errorf(n.Pos, "<%s> has no end tag </%s>", n.Name, n.Name)
		}
		switch {
		case r.has("</"):
			r.claim(n, "")
			p := r.pos()
			r.advance(2)
			name := r.name()
			r.skipSpace()
			if name != n.Name || !r.has(">") {
				return r.errorf(p, "expected </%s> to close <%s> at %s", n.Name, n.Name, n.Pos)
			}
			r.advance(1)
			n.Text = strings.TrimSpace(text.String())
			return nil
		case r.has("<!--"):
			r.claim(n, "")
			if err := r.comment(); err != nil {
				return err
			}
			r.drop()
		case r.has("<![CDATA["):
			p := r.pos()
			r.advance(len("<![CDATA["))
			j := strings.Index(r.src[r.i:], "]]>")
			if j < 0 {
				return r.errorf(p, "unterminated CDATA section")
			}
			r.noteText(n, &text, p, r.i)
			text.WriteString(r.src[r.i : r.i+j])
			r.advance(j + 3)
		case r.src[r.i] == '<':
			r.claim(n, "")
			child, err := r.element(depth + 1)
			if err != nil {
				return err
			}
			n.Children = append(n.Children, child)
		default:
			if err := r.text(n, &text); err != nil {
				return err
			}
		}
	}
}

func (r *reader) noteText(n *Node, text *strings.Builder, p Pos, off int) {
	if strings.TrimSpace(text.String()) == "" {
		n.TextPos, n.textOff = p, off
	}
}

// text reads character data up to the next '<', reading expressions
// whole.
func (r *reader) text(n *Node, text *strings.Builder) error {
	start := r.i
	for !r.eof() && r.src[r.i] != '<' {
		if r.has("@(") || r.has("@{") {
			if strings.TrimSpace(r.src[start:r.i]) == "" && strings.TrimSpace(text.String()) == "" {
				n.TextPos, n.textOff = r.pos(), r.i
			}
			text.WriteString(decodeEntities(r.src[start:r.i]))
			cs := r.i
			if err := r.code(r.pos()); err != nil {
				return err
			}
			// Entities are decoded in an expression in text as in an
			// attribute: APIM's policy XML (format rawxml) is XML, where
			// &amp;, &lt; and &quot; stand for &, < and ".
			text.WriteString(decodeEntities(r.src[cs:r.i]))
			start = r.i
			continue
		}
		if strings.TrimSpace(text.String()) == "" && strings.IndexByte(" \t\r\n", r.src[r.i]) < 0 && n.TextPos == (Pos{}) {
			n.TextPos, n.textOff = r.pos(), r.i
		}
		r.advance(1)
	}
	text.WriteString(decodeEntities(r.src[start:r.i]))
	return nil
}

// decodeEntities decodes the XML entities in s and leaves any other '&'
// as written (expressions hold && as often as &amp;&amp;).
func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, ';')
		if j < 0 || j > 10 {
			b.WriteByte('&')
			s = s[1:]
			continue
		}
		if r, ok := entity(s[1:j]); ok {
			b.WriteString(r)
			s = s[j+1:]
			continue
		}
		b.WriteByte('&')
		s = s[1:]
	}
}

func entity(name string) (string, bool) {
	switch name {
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "amp":
		return "&", true
	case "quot":
		return `"`, true
	case "apos":
		return "'", true
	}
	if num, ok := strings.CutPrefix(name, "#"); ok {
		base := 10
		if h, ok := strings.CutPrefix(num, "x"); ok {
			num, base = h, 16
		}
		v, err := strconv.ParseUint(num, base, 32)
		if err == nil && v > 0 && v <= 0x10FFFF {
			return string(rune(v)), true
		}
	}
	return "", false
}
