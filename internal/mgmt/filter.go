package mgmt

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// A filter is a parsed OData $filter: comparisons joined by "and".
// Supported: `field eq 'x'`, `field ne 'x'`, contains(field,'x'),
// startswith(field,'x'), endswith(field,'x'), with string, number and
// boolean literals. field is `name` or a top-level property, written
// plainly or as `properties/field`. String comparisons ignore case.
type filter []condition

type condition struct {
	field string
	op    string // eq, ne, contains, startswith, endswith
	value any    // string, float64 or bool
}

// maxFilterLength bounds the $filter expressions parseFilter accepts.
const maxFilterLength = 2000

// parseFilter parses a $filter expression.
func parseFilter(s string) (filter, error) {
	if len(s) > maxFilterLength {
		return nil, fmt.Errorf("longer than %d characters", maxFilterLength)
	}
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	var f filter
	for i := 0; ; {
		var c condition
		c, i, err = parseCondition(toks, i)
		if err != nil {
			return nil, err
		}
		f = append(f, c)
		if i == len(toks) {
			return f, nil
		}
		if !strings.EqualFold(toks[i].text, "and") || toks[i].literal {
			return nil, fmt.Errorf("at column %d: want 'and' or the end, got %q", toks[i].col, toks[i].text)
		}
		i++
	}
}

type token struct {
	text    string
	literal bool // a quoted string
	col     int
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')' || c == ',':
			toks = append(toks, token{text: string(c), col: i + 1})
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("at column %d: unterminated string", i+1)
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			toks = append(toks, token{text: b.String(), literal: true, col: i + 1})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t(),'", rune(s[j])) {
				j++
			}
			toks = append(toks, token{text: s[i:j], col: i + 1})
			i = j
		}
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	return toks, nil
}

func parseCondition(toks []token, i int) (condition, int, error) {
	at := func(k int) token {
		if k < len(toks) {
			return toks[k]
		}
		return token{text: "the end", col: -1}
	}
	want := func(k int, text string) error {
		if t := at(k); t.text != text || t.literal {
			return fmt.Errorf("at column %d: want %q, got %q", t.col, text, t.text)
		}
		return nil
	}
	first := at(i)
	if fn := strings.ToLower(first.text); !first.literal && (fn == "contains" || fn == "startswith" || fn == "endswith") {
		if err := want(i+1, "("); err != nil {
			return condition{}, 0, err
		}
		field, err := parseField(at(i + 2))
		if err != nil {
			return condition{}, 0, err
		}
		if err := want(i+3, ","); err != nil {
			return condition{}, 0, err
		}
		lit := at(i + 4)
		if !lit.literal {
			return condition{}, 0, fmt.Errorf("at column %d: %s needs a quoted string", lit.col, fn)
		}
		if err := want(i+5, ")"); err != nil {
			return condition{}, 0, err
		}
		return condition{field: field, op: fn, value: lit.text}, i + 6, nil
	}
	field, err := parseField(first)
	if err != nil {
		return condition{}, 0, err
	}
	op := at(i + 1)
	if o := strings.ToLower(op.text); op.literal || (o != "eq" && o != "ne") {
		return condition{}, 0, fmt.Errorf("at column %d: want eq or ne, got %q", op.col, op.text)
	}
	v, err := parseLiteral(at(i + 2))
	if err != nil {
		return condition{}, 0, err
	}
	return condition{field: field, op: strings.ToLower(op.text), value: v}, i + 3, nil
}

func parseField(t token) (string, error) {
	name := strings.TrimPrefix(t.text, "properties/")
	if t.literal || name == "" || strings.ContainsAny(name, "/()") {
		return "", fmt.Errorf("at column %d: want a field name, got %q", t.col, t.text)
	}
	return name, nil
}

func parseLiteral(t token) (any, error) {
	if t.literal {
		return t.text, nil
	}
	switch strings.ToLower(t.text) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	if n, err := strconv.ParseFloat(t.text, 64); err == nil {
		return n, nil
	}
	return nil, fmt.Errorf("at column %d: want a quoted string, number, true or false, got %q", t.col, t.text)
}

// match reports whether res satisfies every condition.
func (f filter) match(res resource) bool {
	var props map[string]any
	for _, c := range f {
		var v any
		if c.field == "name" {
			v = res.Name
		} else {
			if props == nil {
				props = map[string]any{}
				_ = json.Unmarshal(res.Properties, &props)
			}
			v = props[c.field]
		}
		if !c.holds(v) {
			return false
		}
	}
	return true
}

func (c condition) holds(v any) bool {
	if s, ok := v.(string); ok {
		want, isString := c.value.(string)
		if !isString {
			return c.op == "ne"
		}
		s, want = strings.ToLower(s), strings.ToLower(want)
		switch c.op {
		case "eq":
			return s == want
		case "ne":
			return s != want
		case "contains":
			return strings.Contains(s, want)
		case "startswith":
			return strings.HasPrefix(s, want)
		case "endswith":
			return strings.HasSuffix(s, want)
		}
	}
	switch c.op {
	case "eq":
		return v == c.value
	case "ne":
		return v != c.value
	}
	return false
}
