package dotnet

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/expr"
)

func replaceFold(s, old, nw string) string {
	ls, lo := strings.ToLower(s), strings.ToLower(old)
	if len(ls) != len(s) {
		return strings.ReplaceAll(s, old, nw)
	}
	var b strings.Builder
	for {
		i := strings.Index(ls, lo)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(nw)
		s, ls = s[i+len(old):], ls[i+len(old):]
	}
}

// enumerable returns the strings of a String.Join/Concat argument.
func joinItems(a []any) ([]string, error) {
	if len(a) == 1 {
		switch a[0].(type) {
		case string, nil:
		default:
			items, err := expr.Enumerate(a[0])
			if err != nil {
				return nil, err
			}
			a = items
		}
	}
	out := make([]string, len(a))
	total := 0
	for i, x := range a {
		out[i] = expr.ToString(x)
		total += len(out[i])
	}
	if total > expr.MaxString {
		return nil, errTooLong
	}
	return out, nil
}

func addStringStatics(s map[string]expr.Members) {
	s["string"] = expr.Members{
		"Empty": constant(tyString, ""),
		"IsNullOrEmpty": fn(tyBool, 1, 1, func(_ any, a []any) (any, error) {
			v, ok := a[0].(string)
			return a[0] == nil || ok && v == "", nil
		}),
		"IsNullOrWhiteSpace": fn(tyBool, 1, 1, func(_ any, a []any) (any, error) {
			v, ok := a[0].(string)
			return a[0] == nil || ok && strings.TrimSpace(v) == "", nil
		}),
		"Format": fn(tyString, 1, -1, func(_ any, a []any) (any, error) {
			f, err := str(a[0], "format")
			if err != nil {
				return nil, err
			}
			args := a[1:]
			if len(args) == 1 {
				if arr, ok := args[0].([]any); ok {
					args = arr
				}
			}
			return compositeFormat(f, args)
		}),
		"Join": fn(tyString, 2, -1, func(_ any, a []any) (any, error) {
			sep, err := needle(a[0])
			if a[0] == nil {
				sep, err = "", nil
			}
			if err != nil {
				return nil, err
			}
			items, err := joinItems(a[1:])
			if err != nil {
				return nil, err
			}
			if len(sep)*len(items) > expr.MaxString {
				return nil, errTooLong
			}
			return strings.Join(items, sep), nil
		}),
		"Concat": fn(tyString, 1, -1, func(_ any, a []any) (any, error) {
			items, err := joinItems(a)
			if err != nil {
				return nil, err
			}
			return strings.Join(items, ""), nil
		}),
		"Compare": fn(tyInt, 2, 3, func(_ any, a []any) (any, error) {
			x, _ := a[0].(string)
			y, _ := a[1].(string)
			switch {
			case a[0] == nil && a[1] == nil:
				return 0, nil
			case a[0] == nil:
				return -1, nil
			case a[1] == nil:
				return 1, nil
			}
			if len(a) == 3 {
				if e, ok := a[2].(expr.Enum); ok && strings.HasPrefix(e.Name, "Ordinal") {
					if strings.HasSuffix(e.Name, "IgnoreCase") {
						x, y = strings.ToUpper(x), strings.ToUpper(y)
					}
					return strings.Compare(x, y), nil
				}
			}
			return expr.CompareStrings(x, y, ignoreCaseArg(a, 2)), nil
		}),
		"CompareOrdinal": fn(tyInt, 2, 2, func(_ any, a []any) (any, error) {
			x, _ := a[0].(string)
			y, _ := a[1].(string)
			return strings.Compare(x, y), nil
		}),
		"Equals": fn(tyBool, 2, 3, func(_ any, a []any) (any, error) {
			x, ok1 := a[0].(string)
			y, ok2 := a[1].(string)
			if !ok1 || !ok2 {
				return a[0] == nil && a[1] == nil, nil
			}
			if ignoreCaseArg(a, 2) {
				return strings.EqualFold(x, y), nil
			}
			return x == y, nil
		}),
	}
	charPred := func(f func(rune) bool) *expr.Member {
		return fn(tyBool, 1, 2, func(_ any, a []any) (any, error) {
			switch c := a[0].(type) {
			case rune:
				return f(c), nil
			case string:
				i, err := intArg(a[1%len(a)], "index")
				if len(a) != 2 || err != nil {
					return nil, fail("Char predicate on a string needs an index")
				}
				sub, err := substring(c, i, 1)
				if err != nil {
					return nil, err
				}
				r, _ := utf8.DecodeRuneInString(sub)
				return f(r), nil
			}
			return nil, fail("expected a char, not %s", expr.TypeName(a[0]))
		})
	}
	s["char"] = expr.Members{
		"IsDigit":         charPred(unicode.IsDigit),
		"IsLetter":        charPred(unicode.IsLetter),
		"IsLetterOrDigit": charPred(func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }),
		"IsWhiteSpace":    charPred(unicode.IsSpace),
		"IsUpper":         charPred(unicode.IsUpper),
		"IsLower":         charPred(unicode.IsLower),
		"IsPunctuation":   charPred(unicode.IsPunct),
		"ToUpper": fn(tyChar, 1, 1, func(_ any, a []any) (any, error) {
			c, ok := a[0].(rune)
			if !ok {
				return nil, fail("expected a char")
			}
			return unicode.ToUpper(c), nil
		}),
		"ToLower": fn(tyChar, 1, 1, func(_ any, a []any) (any, error) {
			c, ok := a[0].(rune)
			if !ok {
				return nil, fail("expected a char")
			}
			return unicode.ToLower(c), nil
		}),
	}
	s["StringComparison"] = enumTable("StringComparison", "CurrentCulture", "CurrentCultureIgnoreCase", "InvariantCulture", "InvariantCultureIgnoreCase", "Ordinal", "OrdinalIgnoreCase")
	s["StringComparer"] = enumTable("StringComparer", "CurrentCulture", "CurrentCultureIgnoreCase", "InvariantCulture", "InvariantCultureIgnoreCase", "Ordinal", "OrdinalIgnoreCase")
	s["StringSplitOptions"] = enumTable("StringSplitOptions", "None", "RemoveEmptyEntries", "TrimEntries")
}

// enumTable returns the static members of an enum; values are 0, 1, 2, ...
// (StringSplitOptions uses flags: None=0, RemoveEmptyEntries=1, TrimEntries=2).
func enumTable(typ string, names ...string) expr.Members {
	t := expr.Members{}
	for i, n := range names {
		v := i
		if typ == "StringSplitOptions" || typ == "RegexOptions" {
			v = 0
			if i > 0 {
				v = 1 << (i - 1)
			}
		}
		t[n] = constant(named(typ), expr.Enum{Type: typ, Name: n, Value: v})
	}
	return t
}
