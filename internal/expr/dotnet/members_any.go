package dotnet

import (
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// addSearchAndParseMembers adds string.IndexOfAny and LastIndexOfAny,
// DateTime.IsDaylightSavingTime (false: the gateway's times are UTC) and
// TimeSpan.TryParse.
func addSearchAndParseMembers(m, s map[string]expr.Members) {
	m["string"]["IndexOfAny"] = fn(tyInt, 1, 3, func(r any, a []any) (any, error) { return indexOfAny(r.(string), a, false) })
	m["string"]["LastIndexOfAny"] = fn(tyInt, 1, 3, func(r any, a []any) (any, error) { return indexOfAny(r.(string), a, true) })
	m["DateTime"]["IsDaylightSavingTime"] = fn(tyBool, 0, 0, func(any, []any) (any, error) { return false, nil })
	s["TimeSpan"]["TryParse"] = fn(tyBool, 2, 3, func(_ any, a []any) (any, error) {
		o, ok := a[len(a)-1].(expr.Out)
		if !ok {
			return nil, fail("TimeSpan.TryParse needs an out argument")
		}
		v, _ := a[0].(string)
		d, err := parseTimeSpan(v)
		if a[0] == nil || err != nil {
			o.Set(time.Duration(0))
			return false, nil
		}
		o.Set(d)
		return true, nil
	})
}

// indexOfAny finds the first (or last) character of s that is one of the
// chars in a[0], searching from startIndex a[1] over count a[2]
// characters; the index counts characters, as .NET does.
func indexOfAny(s string, a []any, last bool) (any, error) {
	set, err := charSet(a[0])
	if err != nil {
		return nil, err
	}
	rs := []rune(s)
	lo, hi := 0, len(rs)
	if len(a) > 1 {
		start, err := intArg(a[1], "startIndex")
		if err != nil {
			return nil, err
		}
		if start < 0 || start > len(rs) || last && start >= len(rs) && len(rs) > 0 {
			return nil, fail("startIndex %d is out of range", start)
		}
		if last {
			hi = start + 1
		} else {
			lo = start
		}
		if len(a) > 2 {
			n, err := intArg(a[2], "count")
			if err != nil {
				return nil, err
			}
			if n < 0 || (!last && lo+n > len(rs)) || (last && hi-n < 0) {
				return nil, fail("count %d is out of range", n)
			}
			if last {
				lo = hi - n
			} else {
				hi = lo + n
			}
		}
	}
	if hi > len(rs) {
		hi = len(rs)
	}
	if last {
		for i := hi - 1; i >= lo; i-- {
			if strings.ContainsRune(set, rs[i]) {
				return i, nil
			}
		}
		return -1, nil
	}
	for i := lo; i < hi; i++ {
		if strings.ContainsRune(set, rs[i]) {
			return i, nil
		}
	}
	return -1, nil
}

// charSet reads a char[] argument as a string of its characters.
func charSet(v any) (string, error) {
	items, err := expr.Enumerate(v)
	if err != nil || v == nil {
		return "", fail("anyOf must be a char[], not %s", expr.TypeName(v))
	}
	var b strings.Builder
	for _, x := range items {
		c, ok := x.(rune)
		if !ok {
			return "", fail("anyOf must be a char[], not an array of %s", expr.TypeName(x))
		}
		b.WriteRune(c)
	}
	return b.String(), nil
}
