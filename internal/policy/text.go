package policy

import (
	"sort"
	"strings"
)

// Named values are substituted into a document's text before the XML is
// read, as APIM does ("the named value reference is replaced by its
// value when the policy is saved"): {{name}} may stand for a typed
// attribute (calls="{{calls}}"), for part of a C# expression
// (@("{{base}}" + x)), for element text, or for whole elements and
// expressions (a named value may hold @(...)). The text keeps a map from
// its offsets back to the text as written, so that every diagnostic
// points at the line and column the author wrote.

// NamedRef is a {{name}} reference to a named value in a document.
type NamedRef struct {
	// Name is the name as written, without braces and spaces.
	Name string
	// Pos is where "{{" is in the text as written.
	Pos Pos
	// Attr is the attribute the reference is in; empty in element text.
	Attr string
	// Missing says no named value has the name: the reference is left as
	// written, and compiling the element refuses it.
	Missing bool
	// Opaque says the value is not known here (Env.AnyNamedValue, or a
	// secret whose value is not given): the reference is left as written
	// and taken as any well-formed value.
	Opaque bool

	at, end int    // the value's span in the substituted text
	secret  string // the value of a secret, kept out of diagnostics
}

// text is a document's text after substitution, with the map back.
type text struct {
	src   string     // after substitution
	lines []int      // offsets of the line starts of the text as written
	refs  []NamedRef // the references, by offset
	delta []int      // for refs[i]: substituted minus written length so far, after it
}

// maxNamedValueName bounds a named value's name, as the management API does.
const maxNamedValueName = 256

// isNamedValueName reports whether s is a named value's name: letters,
// digits, '.', '-' and '_'. Anything else between {{ and }} (Liquid
// {{ body.x | upcase }}, C# $"{{...}}", JSON) is not a reference.
func isNamedValueName(s string) bool {
	if s == "" || len(s) > maxNamedValueName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// substitute replaces each {{name}} of src with its value in env. A name
// env lacks is left as written, Opaque with env.AnyNamedValue and
// Missing otherwise. A value that is its own reference ("{{name}}", the
// stand-in of a secret whose value is not known) is Opaque too.
func substitute(src string, env *Env) *text {
	t := &text{lines: []int{0}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	if env == nil || !strings.Contains(src, "{{") {
		t.src = src
		return t
	}
	var b strings.Builder
	b.Grow(len(src))
	last, delta := 0, 0
	for i := 0; ; {
		k := strings.Index(src[i:], "{{")
		if k < 0 {
			break
		}
		start := i + k
		j := strings.Index(src[start+2:], "}}")
		if j < 0 {
			break
		}
		end := start + 2 + j + 2
		raw := src[start+2 : end-2]
		name := strings.TrimSpace(raw)
		if !isNamedValueName(name) || strings.Contains(raw, "\n") {
			i = start + 1
			continue
		}
		r := NamedRef{Name: name, Pos: t.pos(start)}
		key := strings.ToLower(name)
		v, ok := env.NamedValues[key]
		switch {
		case !ok && env.AnyNamedValue:
			r.Opaque = true
		case !ok:
			r.Missing = true
		case strings.EqualFold(strings.TrimSpace(v), "{{"+name+"}}"):
			r.Opaque = true
		}
		b.WriteString(src[last:start])
		r.at = b.Len()
		if r.Opaque || r.Missing {
			b.WriteString(src[start:end])
		} else {
			b.WriteString(v)
			if env.Secrets[key] {
				r.secret = v
			}
		}
		r.end = b.Len()
		delta += (r.end - r.at) - (end - start)
		t.refs = append(t.refs, r)
		t.delta = append(t.delta, delta)
		last, i = end, end
	}
	b.WriteString(src[last:])
	t.src = b.String()
	return t
}

// written returns the offset in the text as written of offset o of the
// substituted text: inside a substituted value, that of its "{{".
func (t *text) written(o int) int {
	k := sort.Search(len(t.refs), func(i int) bool { return t.refs[i].at > o }) - 1
	if k < 0 {
		return o
	}
	r := t.refs[k]
	before := 0
	if k > 0 {
		before = t.delta[k-1]
	}
	if o < r.end {
		w := r.at - before // where "{{" is written
		if r.Opaque || r.Missing {
			return w + (o - r.at)
		}
		return w
	}
	return o - t.delta[k]
}

// pos returns the line and column, in the text as written, of offset o
// of the text as written.
func (t *text) pos(o int) Pos {
	l := sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > o }) - 1
	if l < 0 {
		l = 0
	}
	return Pos{Line: l + 1, Col: o - t.lines[l] + 1}
}

// at returns the position as written of offset o of the substituted text.
func (t *text) at(o int) Pos { return t.pos(t.written(o)) }

// redact replaces in s every secret value substituted into refs by its
// {{name}}, so that no diagnostic shows a secret's plaintext.
func redact(s string, refs []NamedRef) string {
	for _, r := range refs {
		if r.secret != "" && strings.Contains(s, r.secret) {
			s = strings.ReplaceAll(s, r.secret, "{{"+r.Name+"}}")
		}
	}
	return s
}
