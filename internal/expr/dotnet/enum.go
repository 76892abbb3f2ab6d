package dotnet

import (
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// addEnum adds Enum.Parse<T>(value[, ignoreCase]) and
// Enum.TryParse<T>(value, [ignoreCase,] out result), which APIM's table
// allows, over the enums of the library (DayOfWeek, StringComparison,
// RegexOptions, ...): statics must hold every enum's constants; they are
// read when the expression runs. The forms with typeof(T) are refused,
// as typeof is.
func addEnum(statics map[string]expr.Members) {
	parse := func(targs []*expr.Type, s any, ignoreCase any) (expr.Enum, error) {
		t := targs[0].Name()
		v, err := str(s, "value")
		if err != nil {
			return expr.Enum{}, err
		}
		fold := false
		if ignoreCase != nil {
			b, ok := ignoreCase.(bool)
			if !ok {
				return expr.Enum{}, fail("ignoreCase must be a bool")
			}
			fold = b
		}
		return parseEnum(statics[t], t, v, fold)
	}
	resultOf := func(targs []*expr.Type, _ *expr.Type) *expr.Type { return targs[0] }
	statics["Enum"] = expr.Members{
		"Parse": {Min: 1, Max: 2, Generic: expr.RequiredTypeArg, ResultOf: resultOf,
			Call: func(_ *expr.Env, _ any, a []any, targs []*expr.Type) (any, error) {
				var ic any
				if len(a) == 2 {
					ic = a[1]
				}
				return parse(targs, a[0], ic)
			}},
		"TryParse": {Result: tyBool, Min: 2, Max: 3, Generic: expr.RequiredTypeArg,
			Call: func(_ *expr.Env, _ any, a []any, targs []*expr.Type) (any, error) {
				o, ok := a[len(a)-1].(expr.Out)
				if !ok {
					return nil, fail("Enum.TryParse needs an out argument")
				}
				var ic any
				if len(a) == 3 {
					ic = a[1]
				}
				if a[0] == nil {
					o.Set(expr.Enum{Type: targs[0].Name()})
					return false, nil
				}
				e, err := parse(targs, a[0], ic)
				if err != nil {
					o.Set(expr.Enum{Type: targs[0].Name()})
					return false, nil
				}
				o.Set(e)
				return true, nil
			}},
	}
}

// parseEnum reads v as a value of enum t, whose constants are ms: a
// name, a number, or names and numbers joined with commas (flags), as
// Enum.Parse does.
func parseEnum(ms expr.Members, t, v string, fold bool) (expr.Enum, error) {
	consts := map[string]expr.Enum{}
	for name, m := range ms {
		if m.Get == nil || !m.Pure {
			continue
		}
		if e, err := m.Get(nil); err == nil {
			if en, ok := e.(expr.Enum); ok && en.Type == t {
				consts[name] = en
			}
		}
	}
	if len(consts) == 0 {
		return expr.Enum{}, fail("ArgumentException: type provided must be an Enum: %s is not one", t)
	}
	out := expr.Enum{Type: t}
	parts := strings.Split(v, ",")
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if n, err := strconv.Atoi(p); err == nil {
			out.Value |= n
			out.Name = ""
			for name, e := range consts {
				if e.Value == out.Value && len(parts) == 1 {
					out.Name = name
				}
			}
			if out.Name == "" {
				out.Name = strconv.Itoa(out.Value)
			}
			continue
		}
		found := false
		for name, e := range consts {
			if name == p || fold && strings.EqualFold(name, p) {
				out.Value |= e.Value
				if len(parts) == 1 {
					out.Name = name
				} else if out.Name == "" {
					out.Name = name
				} else {
					out.Name += ", " + name
				}
				found = true
				break
			}
		}
		if !found {
			return expr.Enum{}, fail("ArgumentException: Requested value '%s' was not found.", p)
		}
	}
	return out, nil
}
