package route

import (
	"fmt"
	"strings"
)

// segKind orders segment kinds from most to least specific.
type segKind uint8

const (
	segLiteral  segKind = iota // "users"
	segPartial                 // "{id}.json", "v{n}"
	segParam                   // "{id}"
	segWildcard                // "*" or "{*rest}": the rest of the path, zero or more segments
)

type segment struct {
	kind   segKind
	prefix string // the literal text, or the text before the parameter
	suffix string // text after the parameter (segPartial only)
	name   string // parameter name
}

// Template is a parsed URL template. It is immutable and safe for
// concurrent use.
type Template struct {
	raw  string
	segs []segment
}

// MaxTemplateLength bounds the templates Parse accepts.
const MaxTemplateLength = 1000

// Parse parses an operation URL template. The template must start with
// '/'. A segment is literal text, one {name} parameter with optional
// literal text around it, or a trailing wildcard "*" or "{*name}". A query
// part ("?a={a}") is accepted and ignored for matching.
func Parse(s string) (*Template, error) {
	if len(s) > MaxTemplateLength {
		return nil, fmt.Errorf("template is longer than %d characters", MaxTemplateLength)
	}
	raw := s
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("template %q must start with '/'", raw)
	}
	t := &Template{raw: raw}
	seen := map[string]bool{}
	parts := strings.Split(s[1:], "/")
	for i, p := range parts {
		if p == "" && i == len(parts)-1 {
			break // "/" or a trailing slash
		}
		seg, err := parseSegment(p)
		if err != nil {
			return nil, fmt.Errorf("template %q, segment %d: %w", raw, i+1, err)
		}
		if seg.kind == segWildcard && i != len(parts)-1 {
			return nil, fmt.Errorf("template %q: a wildcard must be the last segment", raw)
		}
		if seg.name != "" {
			if seen[seg.name] {
				return nil, fmt.Errorf("template %q: parameter {%s} appears twice", raw, seg.name)
			}
			seen[seg.name] = true
		}
		t.segs = append(t.segs, seg)
	}
	return t, nil
}

func parseSegment(p string) (segment, error) {
	if p == "" {
		return segment{}, fmt.Errorf("empty segment")
	}
	if p == "*" {
		return segment{kind: segWildcard}, nil
	}
	open := strings.IndexByte(p, '{')
	if open < 0 {
		if strings.ContainsAny(p, "}*") {
			return segment{}, fmt.Errorf("%q: unexpected '}' or '*'", p)
		}
		return segment{kind: segLiteral, prefix: p}, nil
	}
	end := strings.IndexByte(p[open:], '}')
	if end < 0 {
		return segment{}, fmt.Errorf("%q: '{' without '}'", p)
	}
	end += open
	name, rest := p[open+1:end], p[end+1:]
	prefix := p[:open]
	if strings.ContainsAny(prefix, "}*") || strings.ContainsAny(rest, "{}*") {
		return segment{}, fmt.Errorf("%q: at most one parameter per segment", p)
	}
	if wild, ok := strings.CutPrefix(name, "*"); ok {
		if prefix != "" || rest != "" || !validName(wild) {
			return segment{}, fmt.Errorf("%q: a wildcard parameter must be a whole segment like {*path}", p)
		}
		return segment{kind: segWildcard, name: wild}, nil
	}
	if !validName(name) {
		return segment{}, fmt.Errorf("%q: parameter name %q must be letters, digits, '_', '-' or '.'", p, name)
	}
	if prefix == "" && rest == "" {
		return segment{kind: segParam, name: name}, nil
	}
	return segment{kind: segPartial, prefix: prefix, suffix: rest, name: name}, nil
}

func validName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// String returns the template as written.
func (t *Template) String() string { return t.raw }

// Match reports whether path (starting with '/', or empty for the root)
// matches the template. It does not allocate.
func (t *Template) Match(path string) bool {
	return t.walk(path, nil)
}

// Params returns the template's parameter values in path, or nil when path
// does not match. Values are the raw (still escaped) path text.
func (t *Template) Params(path string) map[string]string {
	params := map[string]string{}
	if !t.walk(path, params) {
		return nil
	}
	return params
}

func (t *Template) walk(path string, params map[string]string) bool {
	rest := strings.TrimPrefix(path, "/")
	for _, seg := range t.segs {
		if seg.kind == segWildcard {
			if params != nil && seg.name != "" {
				params[seg.name] = rest
			}
			return true
		}
		if rest == "" {
			return false
		}
		var part string
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			part, rest = rest[:i], rest[i+1:]
			if rest == "" {
				rest = "/" // a trailing slash is one more, empty, step
			}
		} else {
			part, rest = rest, ""
		}
		if !seg.match(part) {
			return false
		}
		if params != nil && seg.name != "" {
			params[seg.name] = part[len(seg.prefix) : len(part)-len(seg.suffix)]
		}
	}
	return rest == "" || rest == "/"
}

func (s *segment) match(part string) bool {
	switch s.kind {
	case segLiteral:
		return part == s.prefix
	case segParam:
		return part != ""
	default:
		return len(part) > len(s.prefix)+len(s.suffix) &&
			strings.HasPrefix(part, s.prefix) && strings.HasSuffix(part, s.suffix)
	}
}

// Compare orders templates by specificity: it returns a negative number
// when a is more specific than b, positive when less, and 0 when they are
// equally specific. Segments are compared left to right (literal text,
// then a parameter with literal text around it, then a parameter, then a
// wildcard); when one template is a prefix of the other, a trailing
// wildcard loses to the exact template, and otherwise more segments win.
func Compare(a, b *Template) int {
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if d := int(a.segs[i].kind) - int(b.segs[i].kind); d != 0 {
			return d
		}
		if a.segs[i].kind == segPartial {
			la := len(a.segs[i].prefix) + len(a.segs[i].suffix)
			lb := len(b.segs[i].prefix) + len(b.segs[i].suffix)
			if la != lb {
				return lb - la
			}
		}
	}
	switch la, lb := len(a.segs), len(b.segs); {
	case la < lb && b.segs[la].kind == segWildcard:
		return -1 // a matches exactly where b's wildcard matches nothing
	case lb < la && a.segs[lb].kind == segWildcard:
		return 1
	default:
		return lb - la
	}
}

// Shape returns the template with parameter names erased, so that two
// templates matching the same paths have the same shape.
func Shape(t *Template) string {
	var b strings.Builder
	for _, s := range t.segs {
		b.WriteByte('/')
		switch s.kind {
		case segLiteral:
			b.WriteString(s.prefix)
		case segWildcard:
			b.WriteString("*")
		default:
			b.WriteString(s.prefix + "{}" + s.suffix)
		}
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}
