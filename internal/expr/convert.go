package expr

import (
	"math"
)

// isType reports whether v is of type t (the `is` operator).
func isType(t *Type, v any) bool {
	if v == nil {
		return false
	}
	switch t.name {
	case "object":
		return true
	case "array":
		switch v.(type) {
		case []any, []string, []byte, []Group:
			return true
		}
		return false
	}
	return TypeName(v) == t.name || t.includes != nil && t.includes(v)
}

// Cast converts v to t as an explicit cast (explicit) or an implicit
// conversion on assignment does. A failure is a run-time error for Fail.
func Cast(t *Type, v any, explicit bool) (any, error) {
	if t.name == "object" || v == nil && t.nullable {
		return v, nil
	}
	if cv := asConvertible(v); cv != nil {
		if r, ok, err := cv.ConvertTo(t); ok || err != nil {
			return r, err
		}
	}
	if v == nil {
		switch t.name {
		case "int", "long", "double", "bool", "char", "byte", "DateTime", "TimeSpan", "Guid":
			return nil, Fail("null cannot be converted to %s", t.name)
		}
		return nil, nil
	}
	if isType(t, v) {
		return v, nil
	}
	if e, ok := v.(Enum); ok && explicit {
		// (int)DayOfWeek.Friday: an enum's number, as C#'s explicit cast.
		switch t.name {
		case "int":
			return e.Value, nil
		case "long":
			return int64(e.Value), nil
		}
	}
	switch t.name {
	case "int", "long", "double", "char", "byte":
		i, f, isF, ok := Numeric(v)
		if !ok {
			break
		}
		if isF {
			if !explicit && t.name != "double" {
				break
			}
			if math.IsNaN(f) || math.IsInf(f, 0) {
				i = math.MinInt64
			} else {
				i = int64(f)
			}
		}
		switch t.name {
		case "int":
			return int(int32(i)), nil
		case "long":
			return i, nil
		case "char":
			return rune(uint16(i)), nil
		case "byte":
			return byte(i), nil
		}
		if isF {
			return f, nil
		}
		return float64(i), nil
	case "array":
		if s, ok := v.([]string); ok {
			out := make([]any, len(s))
			for i, x := range s {
				out[i] = x
			}
			return out, nil
		}
	case "string[]":
		if a, ok := v.([]any); ok {
			out := make([]string, len(a))
			for i, x := range a {
				s, ok := x.(string)
				if !ok && x != nil {
					return nil, Fail("unable to cast %s to string", TypeName(x))
				}
				out[i] = s
			}
			return out, nil
		}
	}
	if t.convert != nil {
		if r, ok, err := t.convert(v); ok || err != nil {
			return r, err
		}
	}
	return nil, Fail("unable to cast object of type %s to type %s", TypeName(v), t.name)
}

// coerce converts v for storing into a variable of static type t, as an
// implicit conversion does (int to long or double; JSON scalars to the
// declared type).
func coerce(t *Type, v any) (any, error) {
	if t.dynamic() || sameType(t, v) {
		return v, nil
	}
	if asScalar(v) != nil {
		return Cast(t, v, true)
	}
	return Cast(t, v, false)
}

// asConvertible returns v as a Convertible, or nil; the language's own
// values take the fast way.
func asConvertible(v any) Convertible {
	switch v.(type) {
	case nil, string, bool, int, int64, float64:
		return nil
	case Convertible:
		return v.(Convertible)
	}
	return nil
}

// sameType reports whether v is a value of the language's type t that
// needs no conversion: the fast way for the common assignments.
func sameType(t *Type, v any) bool {
	switch v.(type) {
	case int:
		return t == tyInt
	case string:
		return t == tyString
	case bool:
		return t == tyBool
	case float64:
		return t == tyDouble
	case int64:
		return t == tyLong
	}
	return false
}
