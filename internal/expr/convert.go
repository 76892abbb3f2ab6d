package expr

import (
	"math"
	"time"
)

// isType reports whether v is of type t (the `is` operator).
func isType(t *typ, v any) bool {
	if v == nil {
		return false
	}
	switch t.name {
	case "object":
		return true
	case "JToken":
		_, ok := v.(JToken)
		return ok
	case "array":
		switch v.(type) {
		case []any, []string, []byte, []Group:
			return true
		}
		return false
	case "XElement":
		_, ok := v.(*XElement)
		return ok
	}
	return typeName(v) == t.name
}

// castTo converts v to t as an explicit cast (explicit) or an implicit
// conversion on assignment does.
func castTo(t *typ, v any, explicit bool) (any, error) {
	if t.name == "object" || v == nil && t.nullable {
		return v, nil
	}
	if j, ok := v.(*JValue); ok && !isJSONType(t.name) {
		return fromJValue(t, j)
	}
	if v == nil {
		switch t.name {
		case "int", "long", "double", "bool", "char", "byte", "DateTime", "TimeSpan", "Guid":
			return nil, fail("null cannot be converted to %s", t.name)
		}
		return nil, nil
	}
	if isType(t, v) {
		return v, nil
	}
	switch t.name {
	case "int", "long", "double", "char", "byte":
		i, f, isF, ok := numeric(v)
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
	case "string":
		if s, ok := v.(*JProperty); ok {
			return nil, fail("cannot convert JProperty %s to string", s.Name)
		}
	case "JToken", "JValue":
		return jsonFromValue(v)
	case "XNamespace":
		if s, ok := v.(string); ok {
			return XNamespace{URI: s}, nil
		}
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
					return nil, fail("unable to cast %s to string", typeName(x))
				}
				out[i] = s
			}
			return out, nil
		}
	}
	return nil, fail("unable to cast object of type %s to type %s", typeName(v), t.name)
}

func isJSONType(name string) bool {
	switch name {
	case "JToken", "JValue", "JObject", "JArray", "JProperty":
		return true
	}
	return false
}

// fromJValue converts a JSON value as Newtonsoft's explicit operators do.
func fromJValue(t *typ, j *JValue) (any, error) {
	v := j.v
	switch t.name {
	case "string":
		if v == nil {
			return nil, nil
		}
		return jvalueString(j), nil
	case "bool":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			b, err := parseBool(x)
			return b, err
		}
	case "int", "long", "double", "byte", "char":
		if s, ok := v.(string); ok {
			n, err := parseNumber(t.name, s)
			if err != nil {
				return nil, err
			}
			return n, nil
		}
		return castTo(t, v, true)
	case "DateTime":
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case string:
			return parseDateTime(x)
		}
	case "Guid":
		if s, ok := v.(string); ok {
			g, err := ParseGuid(s)
			return g, err
		}
	case "TimeSpan":
		if s, ok := v.(string); ok {
			return parseTimeSpan(s)
		}
	}
	if v == nil {
		return castTo(t, nil, true)
	}
	return nil, fail("cannot convert JSON %s to %s", typeName(v), t.name)
}

// coerce converts v for storing into a variable of static type t, as an
// implicit conversion does (int to long or double; JSON scalars to the
// declared type).
func coerce(t *typ, v any) (any, error) {
	if t.dynamic() {
		return v, nil
	}
	if _, ok := v.(*JValue); ok {
		return castTo(t, v, true)
	}
	return castTo(t, v, false)
}
