package dotnet

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonParser is a strict recursive-descent JSON parser that keeps the
// order of object properties.
type jsonParser struct {
	data []byte
	i    int
}

const maxJSONDepth = 500

func (p *jsonParser) errf(format string, args ...any) error {
	return fail("JSON reader error at position %d: "+format, append([]any{p.i}, args...)...)
}

func (p *jsonParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (JToken, error) {
	if depth > maxJSONDepth {
		return nil, p.errf("JSON nested too deeply")
	}
	p.space()
	if p.i >= len(p.data) {
		return nil, fail("JSON reader error: unexpected end of content")
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &JValue{v: s}, nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	for _, lit := range []struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if len(p.data)-p.i >= len(lit.text) && string(p.data[p.i:p.i+len(lit.text)]) == lit.text {
			p.i += len(lit.text)
			return &JValue{v: lit.v}, nil
		}
	}
	return nil, p.errf("unexpected character %q", p.data[p.i])
}

func (p *jsonParser) object(depth int) (JToken, error) {
	p.i++
	o := &JObject{}
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return o, nil
	}
	for {
		p.space()
		if p.i >= len(p.data) {
			return nil, fail("JSON reader error: unexpected end of content")
		}
		if p.data[p.i] != '"' {
			return nil, p.errf("expected a property name")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.errf("expected ':' after property name")
		}
		p.i++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		o.Set(k, v)
		p.space()
		if p.i >= len(p.data) {
			return nil, fail("JSON reader error: unexpected end of content")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return o, nil
		default:
			return nil, p.errf("expected ',' or '}'")
		}
	}
}

func (p *jsonParser) array(depth int) (JToken, error) {
	p.i++
	a := &JArray{}
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return a, nil
	}
	for {
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		setParent(v, a)
		a.items = append(a.items, v)
		p.space()
		if p.i >= len(p.data) {
			return nil, fail("JSON reader error: unexpected end of content")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return a, nil
		default:
			return nil, p.errf("expected ',' or ']'")
		}
	}
}

func (p *jsonParser) number() (JToken, error) {
	start := p.i
	if p.data[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	first := p.i
	if n := digits(); n == 0 || n > 1 && p.data[first] == '0' {
		return nil, p.errf("invalid number")
	}
	isFloat := false
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		isFloat = true
		if digits() == 0 {
			return nil, p.errf("invalid number")
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		isFloat = true
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.errf("invalid number")
		}
	}
	s := string(p.data[start:p.i])
	if !isFloat {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return &JValue{v: n}, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return nil, p.errf("invalid number %s", s)
	}
	return &JValue{v: f}, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// str reads a JSON string at the opening quote.
func (p *jsonParser) str() (string, error) {
	p.i++
	start := p.i
	for p.i < len(p.data) {
		c := p.data[p.i]
		if c == '"' {
			s := p.data[start:p.i]
			p.i++
			if utf8.Valid(s) {
				return string(s), nil
			}
			return string([]rune(string(s))), nil
		}
		if c == '\\' || c < 0x20 {
			return p.strSlow(start)
		}
		p.i++
	}
	return "", fail("JSON reader error: unterminated string")
}

func (p *jsonParser) strSlow(start int) (string, error) {
	b := append([]byte(nil), p.data[start:p.i]...)
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			return string(b), nil
		case c < 0x20:
			return "", p.errf("control character in string")
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return "", fail("JSON reader error: unterminated string")
			}
			e := p.data[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.errf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) && p.i+1 < len(p.data) && p.data[p.i] == '\\' && p.data[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if r2, ok := p.hex4(); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
						r = utf16.DecodeRune(r, r2)
					} else {
						p.i = save
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", p.errf("invalid escape \\%c", e)
			}
		default:
			b = append(b, c)
			p.i++
		}
	}
	return "", fail("JSON reader error: unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.i : p.i+4] {
		if !isHex(c) {
			return 0, false
		}
		r = r*16 + rune(hexVal(c))
	}
	p.i += 4
	return r, true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// hexVal is the value of the hex digit c.
func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}
