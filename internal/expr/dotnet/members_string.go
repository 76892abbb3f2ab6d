package dotnet

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// strBuilder is a System.Text.StringBuilder.
type strBuilder struct{ b strings.Builder }

// TypeName returns "StringBuilder".
func (*strBuilder) TypeName() string { return "StringBuilder" }

// String returns the text built so far.
func (sb *strBuilder) String() string { return sb.b.String() }

func str(a any, what string) (string, error) {
	switch s := a.(type) {
	case string:
		return s, nil
	case nil:
		return "", fail("%s cannot be null", what)
	}
	return "", fail("%s must be a string, not %s", what, expr.TypeName(a))
}

func intArg(a any, what string) (int, error) {
	switch n := a.(type) {
	case int:
		return n, nil
	case rune:
		return int(n), nil
	case byte:
		return int(n), nil
	case int64:
		if n >= -1<<31 && n < 1<<31 {
			return int(n), nil
		}
	}
	return 0, fail("%s must be an int, not %s", what, expr.TypeName(a))
}

// runes returns s as code points; indices into strings count code points.
func runes(s string) []rune { return []rune(s) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func strLen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

// substring implements Substring(start, n); n < 0: to the end.
func substring(s string, start, n int) (string, error) {
	l := strLen(s)
	if n < 0 {
		n = l - start
	}
	if start < 0 || start > l || n < 0 || start+n > l {
		return "", fail("index and length must refer to a location within the string (start %d, length %d, string length %d)", start, n, l)
	}
	if isASCII(s) {
		return s[start : start+n], nil
	}
	return string(runes(s)[start : start+n]), nil
}

// runeIndex converts a byte offset in s to a code point index.
func runeIndex(s string, b int) int {
	if b < 0 {
		return -1
	}
	return utf8.RuneCountInString(s[:b])
}

// byteOffset converts a code point index to a byte offset.
func byteOffset(s string, i int) (int, error) {
	if i < 0 {
		return 0, fail("index %d is out of range", i)
	}
	if isASCII(s) {
		if i > len(s) {
			return 0, fail("index %d is out of range", i)
		}
		return i, nil
	}
	n := 0
	for b := range s {
		if n == i {
			return b, nil
		}
		n++
	}
	if n == i {
		return len(s), nil
	}
	return 0, fail("index %d is out of range", i)
}

// ignoreCaseArg reports whether the last argument asks for a case-insensitive comparison.
func ignoreCaseArg(a []any, from int) bool {
	for _, x := range a[from:] {
		switch v := x.(type) {
		case expr.Enum:
			if strings.HasSuffix(v.Name, "IgnoreCase") {
				return true
			}
		case bool:
			return v
		}
	}
	return false
}

func needle(a any) (string, error) {
	switch v := a.(type) {
	case rune:
		return string(v), nil
	case string:
		return v, nil
	}
	return "", fail("expected a string or char, not %s", expr.TypeName(a))
}

func stringEquals(s string, a []any) (any, error) {
	o, ok := a[0].(string)
	if !ok {
		return false, nil
	}
	if ignoreCaseArg(a, 1) {
		return strings.EqualFold(s, o), nil
	}
	return s == o, nil
}

func indexOf(s string, a []any, last bool) (any, error) {
	n, err := needle(a[0])
	if err != nil {
		return nil, err
	}
	start := -1
	if len(a) > 1 {
		if i, ok := a[1].(int); ok {
			start = i
		}
	}
	hay, nd := s, n
	if ignoreCaseArg(a, 1) {
		hay, nd = strings.ToLower(s), strings.ToLower(n)
	}
	if last {
		if start >= 0 {
			b, err := byteOffset(hay, min(start+1, strLen(hay)))
			if err != nil {
				return nil, err
			}
			hay = hay[:b]
		}
		return runeIndex(hay, strings.LastIndex(hay, nd)), nil
	}
	off := 0
	if start >= 0 {
		if off, err = byteOffset(hay, start); err != nil {
			return nil, err
		}
	}
	i := strings.Index(hay[off:], nd)
	if i < 0 {
		return -1, nil
	}
	return runeIndex(hay, off+i), nil
}

// trimSet returns the characters to trim from the arguments (none: white space).
func trimSet(a []any) (func(rune) bool, error) {
	if len(a) == 0 {
		return unicode.IsSpace, nil
	}
	var set []rune
	for _, x := range a {
		switch v := x.(type) {
		case rune:
			set = append(set, v)
		case string:
			set = append(set, []rune(v)...)
		case []any:
			for _, y := range v {
				if r, ok := y.(rune); ok {
					set = append(set, r)
				}
			}
		default:
			return nil, fail("trim characters must be chars, not %s", expr.TypeName(x))
		}
	}
	return func(r rune) bool {
		for _, c := range set {
			if c == r {
				return true
			}
		}
		return false
	}, nil
}

// split implements String.Split's overloads.
func split(s string, a []any) (any, error) {
	var seps []string
	opts, count := 0, -1
	for _, x := range a {
		switch v := x.(type) {
		case rune:
			seps = append(seps, string(v))
		case string:
			seps = append(seps, v)
		case []string:
			seps = append(seps, v...)
		case []any:
			for _, y := range v {
				n, err := needle(y)
				if err != nil {
					return nil, err
				}
				seps = append(seps, n)
			}
		case expr.Enum:
			opts = v.Value
		case int:
			count = v
		case nil:
		default:
			return nil, fail("Split separator must be a char or string, not %s", expr.TypeName(x))
		}
	}
	var parts []string
	if len(seps) == 0 {
		parts = strings.FieldsFunc(s, unicode.IsSpace)
		if opts&1 == 0 {
			parts = splitFunc(s, unicode.IsSpace)
		}
	} else {
		parts = splitMulti(s, seps)
	}
	out := parts[:0:0]
	for _, p := range parts {
		if opts&2 != 0 {
			p = strings.TrimSpace(p)
		}
		if opts&1 != 0 && p == "" {
			continue
		}
		out = append(out, p)
	}
	if count >= 0 && len(out) > count {
		if count == 0 {
			return []string{}, nil
		}
		out = out[:count]
	}
	return out, nil
}

func splitFunc(s string, f func(rune) bool) []string {
	var out []string
	start := 0
	for i, r := range s {
		if f(r) {
			out = append(out, s[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(out, s[start:])
}

func splitMulti(s string, seps []string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		matched := 0
		for _, sep := range seps {
			if sep != "" && strings.HasPrefix(s[i:], sep) {
				matched = len(sep)
				break
			}
		}
		if matched > 0 {
			out = append(out, s[start:i])
			i += matched
			start = i
			continue
		}
		i++
	}
	return append(out, s[start:])
}

func pad(s string, a []any, left bool) (any, error) {
	n, err := intArg(a[0], "totalWidth")
	if err != nil {
		return nil, err
	}
	if n < 0 || n > expr.MaxString {
		return nil, fail("totalWidth %d is out of range", n)
	}
	c := " "
	if len(a) == 2 {
		r, ok := a[1].(rune)
		if !ok {
			return nil, fail("paddingChar must be a char")
		}
		c = string(r)
	}
	l := strLen(s)
	if l >= n {
		return s, nil
	}
	if left {
		return strings.Repeat(c, n-l) + s, nil
	}
	return s + strings.Repeat(c, n-l), nil
}

// ext is a string extension method that a null string may call (it then sees "").
func ext(t *expr.Type, min, max int, f func(recv any, args []any) (any, error)) *expr.Member {
	m := fn(t, min, max, func(r any, a []any) (any, error) {
		if r == nil {
			r = ""
		}
		return f(r, a)
	})
	m.NullReceiver = true
	return m
}

func addStringMembers(m map[string]expr.Members) {
	s := func(r any) string { return r.(string) }
	m["string"] = expr.Members{
		"Length": val(tyInt, func(r any) any { return strLen(s(r)) }),
		"[]": fn(tyChar, 1, 1, func(r any, a []any) (any, error) {
			i, err := intArg(a[0], "index")
			if err != nil {
				return nil, err
			}
			sub, err := substring(s(r), i, 1)
			if err != nil {
				return nil, fail("index %d was outside the bounds of the string", i)
			}
			c, _ := utf8.DecodeRuneInString(sub)
			return c, nil
		}),
		"Substring": fn(tyString, 1, 2, func(r any, a []any) (any, error) {
			start, err := intArg(a[0], "startIndex")
			if err != nil {
				return nil, err
			}
			n := -1
			if len(a) == 2 {
				if n, err = intArg(a[1], "length"); err != nil {
					return nil, err
				}
				if n < 0 {
					return nil, fail("length cannot be less than zero")
				}
			}
			return substring(s(r), start, n)
		}),
		"IndexOf":     fn(tyInt, 1, 3, func(r any, a []any) (any, error) { return indexOf(s(r), a, false) }),
		"LastIndexOf": fn(tyInt, 1, 3, func(r any, a []any) (any, error) { return indexOf(s(r), a, true) }),
		"Contains": fn(tyBool, 1, 2, func(r any, a []any) (any, error) {
			n, err := needle(a[0])
			if err != nil {
				return nil, err
			}
			if ignoreCaseArg(a, 1) {
				return strings.Contains(strings.ToLower(s(r)), strings.ToLower(n)), nil
			}
			return strings.Contains(s(r), n), nil
		}),
		"StartsWith": fn(tyBool, 1, 3, func(r any, a []any) (any, error) {
			n, err := needle(a[0])
			if err != nil {
				return nil, err
			}
			if ignoreCaseArg(a, 1) {
				return len(s(r)) >= len(n) && strings.EqualFold(s(r)[:len(n)], n), nil
			}
			return strings.HasPrefix(s(r), n), nil
		}),
		"EndsWith": fn(tyBool, 1, 3, func(r any, a []any) (any, error) {
			n, err := needle(a[0])
			if err != nil {
				return nil, err
			}
			if ignoreCaseArg(a, 1) {
				return len(s(r)) >= len(n) && strings.EqualFold(s(r)[len(s(r))-len(n):], n), nil
			}
			return strings.HasSuffix(s(r), n), nil
		}),
		"ToLower":          fn(tyString, 0, 1, func(r any, _ []any) (any, error) { return strings.ToLower(s(r)), nil }),
		"ToUpper":          fn(tyString, 0, 1, func(r any, _ []any) (any, error) { return strings.ToUpper(s(r)), nil }),
		"ToLowerInvariant": fn(tyString, 0, 0, func(r any, _ []any) (any, error) { return strings.ToLower(s(r)), nil }),
		"ToUpperInvariant": fn(tyString, 0, 0, func(r any, _ []any) (any, error) { return strings.ToUpper(s(r)), nil }),
		"Trim": fn(tyString, 0, -1, func(r any, a []any) (any, error) {
			f, err := trimSet(a)
			if err != nil {
				return nil, err
			}
			return strings.TrimFunc(s(r), f), nil
		}),
		"TrimStart": fn(tyString, 0, -1, func(r any, a []any) (any, error) {
			f, err := trimSet(a)
			if err != nil {
				return nil, err
			}
			return strings.TrimLeftFunc(s(r), f), nil
		}),
		"TrimEnd": fn(tyString, 0, -1, func(r any, a []any) (any, error) {
			f, err := trimSet(a)
			if err != nil {
				return nil, err
			}
			return strings.TrimRightFunc(s(r), f), nil
		}),
		"Split": fn(tyStrings, 0, -1, func(r any, a []any) (any, error) { return split(s(r), a) }),
		"Replace": fn(tyString, 2, 3, func(r any, a []any) (any, error) {
			old, err := needle(a[0])
			if err != nil {
				return nil, err
			}
			if old == "" {
				return nil, fail("String.Replace: oldValue cannot be empty")
			}
			nw := ""
			if a[1] != nil {
				if nw, err = needle(a[1]); err != nil {
					return nil, err
				}
			}
			if strings.Count(s(r), old)*len(nw) > expr.MaxString {
				return nil, errTooLong
			}
			if ignoreCaseArg(a, 2) {
				return replaceFold(s(r), old, nw), nil
			}
			return strings.ReplaceAll(s(r), old, nw), nil
		}),
		"PadLeft":  fn(tyString, 1, 2, func(r any, a []any) (any, error) { return pad(s(r), a, true) }),
		"PadRight": fn(tyString, 1, 2, func(r any, a []any) (any, error) { return pad(s(r), a, false) }),
		"Insert": fn(tyString, 2, 2, func(r any, a []any) (any, error) {
			i, err := intArg(a[0], "startIndex")
			if err != nil {
				return nil, err
			}
			v, err := str(a[1], "value")
			if err != nil {
				return nil, err
			}
			b, err := byteOffset(s(r), i)
			if err != nil {
				return nil, err
			}
			return concat(s(r)[:b]+v, s(r)[b:])
		}),
		"Remove": fn(tyString, 1, 2, func(r any, a []any) (any, error) {
			i, err := intArg(a[0], "startIndex")
			if err != nil {
				return nil, err
			}
			head, err := substring(s(r), 0, min(i, strLen(s(r))))
			if err != nil || i > strLen(s(r)) {
				return nil, fail("startIndex %d is out of range", i)
			}
			if len(a) == 1 {
				return head, nil
			}
			n, err := intArg(a[1], "count")
			if err != nil {
				return nil, err
			}
			tail, err := substring(s(r), i+n, -1)
			if err != nil || n < 0 {
				return nil, fail("count %d is out of range", n)
			}
			return head + tail, nil
		}),
		"ToCharArray": fn(tyArray, 0, 0, func(r any, _ []any) (any, error) {
			rs := runes(s(r))
			out := make([]any, len(rs))
			for i, c := range rs {
				out[i] = c
			}
			return out, nil
		}),
		"Equals": fn(tyBool, 1, 2, func(r any, a []any) (any, error) { return stringEquals(s(r), a) }),
		"CompareTo": fn(tyInt, 1, 1, func(r any, a []any) (any, error) {
			if a[0] == nil {
				return 1, nil
			}
			o, err := str(a[0], "value")
			if err != nil {
				return nil, err
			}
			return expr.CompareStrings(s(r), o, false), nil
		}),
		"IsNormalized": fn(tyBool, 0, 0, func(any, []any) (any, error) { return true, nil }),
		"AsJwt": ext(named("Jwt"), 0, 0, func(r any, _ []any) (any, error) {
			j, err := parseJwt(s(r))
			if err != nil {
				return nil, nil
			}
			return j, nil
		}),
		"TryParseJwt": ext(tyBool, 1, 1, func(r any, a []any) (any, error) {
			o, ok := a[0].(expr.Out)
			if !ok {
				return nil, fail("TryParseJwt needs an out argument")
			}
			j, err := parseJwt(s(r))
			if err != nil {
				o.Set(nil)
				return false, nil
			}
			o.Set(j)
			return true, nil
		}),
		"AsBasic": ext(named("BasicAuthCredentials"), 0, 0, func(r any, _ []any) (any, error) {
			b, ok := parseBasic(s(r))
			if !ok {
				return nil, nil
			}
			return b, nil
		}),
		"TryParseBasic": ext(tyBool, 1, 1, func(r any, a []any) (any, error) {
			o, ok := a[0].(expr.Out)
			if !ok {
				return nil, fail("TryParseBasic needs an out argument")
			}
			b, ok := parseBasic(s(r))
			if !ok {
				o.Set(nil)
				return false, nil
			}
			o.Set(b)
			return true, nil
		}),
	}
	m["char"] = expr.Members{}
	addBuilderMembers(m)
}

func concat(a, b string) (any, error) {
	if len(a)+len(b) > expr.MaxString {
		return nil, errTooLong
	}
	return a + b, nil
}
