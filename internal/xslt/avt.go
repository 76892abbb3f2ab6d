package xslt

import (
	"fmt"
	"strings"
)

// avt is an attribute value template: literal parts and {expressions}.
type avt struct {
	parts []avtPart
}

type avtPart struct {
	lit string
	e   *xexpr
}

// literal returns the value of an AVT without expressions.
func (a *avt) literal() (string, bool) {
	var b strings.Builder
	for _, p := range a.parts {
		if p.e != nil {
			return "", false
		}
		b.WriteString(p.lit)
	}
	return b.String(), true
}

// compileAVT compiles s: "{{" and "}}" stand for braces, "{expr}" for
// the string value of expr.
func compileAVT(s string, sc *scope, ns map[string]string, deps func(int)) (*avt, error) {
	a := &avt{}
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{' && i+1 < len(s) && s[i+1] == '{', c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte(c)
			i++
		case c == '{':
			j, err := closeBrace(s, i+1)
			if err != nil {
				return nil, err
			}
			if lit.Len() > 0 {
				a.parts = append(a.parts, avtPart{lit: lit.String()})
				lit.Reset()
			}
			e, err := compileExpr(s[i+1:j], sc, ns, deps)
			if err != nil {
				return nil, err
			}
			a.parts = append(a.parts, avtPart{e: e})
			i = j
		case c == '}':
			return nil, fmt.Errorf("a '}' in %q is not doubled nor closing an expression", s)
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 || len(a.parts) == 0 {
		a.parts = append(a.parts, avtPart{lit: lit.String()})
	}
	return a, nil
}

// closeBrace returns the index of the '}' closing an expression that
// starts at i, skipping string literals.
func closeBrace(s string, i int) (int, error) {
	for ; i < len(s); i++ {
		switch s[i] {
		case '"', '\'':
			j := strings.IndexByte(s[i+1:], s[i])
			if j < 0 {
				return 0, fmt.Errorf("a string literal in %q is not closed", s)
			}
			i += j + 1
		case '}':
			return i, nil
		}
	}
	return 0, fmt.Errorf("an expression in %q has no closing '}'", s)
}

// eval returns the AVT's value at c.
func (a *avt) eval(x *run, c *ctx) (string, error) {
	if len(a.parts) == 1 && a.parts[0].e == nil {
		return a.parts[0].lit, nil
	}
	var b strings.Builder
	for _, p := range a.parts {
		if p.e == nil {
			b.WriteString(p.lit)
			continue
		}
		s, err := x.str(p.e, c)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}
