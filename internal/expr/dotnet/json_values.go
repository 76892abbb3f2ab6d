package dotnet

import (
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// JSON tokens as values of expressions: their type names, ToString(),
// enumeration, and Newtonsoft's conversions.

// TypeName returns "JObject".
func (*JObject) TypeName() string { return "JObject" }

// TypeName returns "JArray".
func (*JArray) TypeName() string { return "JArray" }

// TypeName returns "JValue".
func (*JValue) TypeName() string { return "JValue" }

// TypeName returns "JProperty".
func (*JProperty) TypeName() string { return "JProperty" }

// String returns o as indented JSON, as JObject.ToString() does.
func (o *JObject) String() string { return jsonString(o, true) }

// String returns a as indented JSON, as JArray.ToString() does.
func (a *JArray) String() string { return jsonString(a, true) }

// String returns p as indented JSON ("name": value).
func (p *JProperty) String() string { return jsonString(p, true) }

// String returns the scalar as JValue.ToString() does: a string without
// quotes, a number in the invariant culture, "True" or "False".
func (v *JValue) String() string { return jvalueString(v) }

// Scalar returns the plain value of v, which operators, comparisons and
// conditions use.
func (v *JValue) Scalar() any { return v.v }

// Enumerate returns the elements of a.
func (a *JArray) Enumerate() []any {
	out := make([]any, len(a.items))
	for i, t := range a.items {
		out[i] = t
	}
	return out
}

// Enumerate returns the properties of o, as JProperty values.
func (o *JObject) Enumerate() []any {
	out := make([]any, len(o.props))
	for i, p := range o.props {
		out[i] = p
	}
	return out
}

// Enumerate returns the value of p, its only child.
func (p *JProperty) Enumerate() []any { return []any{p.Value} }

// ConvertTo converts v to t as Newtonsoft's explicit operators do
// ((int)token, (string)token); a token type is left to the language.
func (v *JValue) ConvertTo(t *expr.Type) (any, bool, error) {
	if isJSONType(t.Name()) {
		return nil, false, nil
	}
	r, err := fromJValue(t, v)
	return r, true, err
}

// ConvertTo refuses to convert p to a string, as Newtonsoft does.
func (p *JProperty) ConvertTo(t *expr.Type) (any, bool, error) {
	if t.Name() == "string" {
		return nil, true, fail("cannot convert JProperty %s to string", p.Name)
	}
	return nil, false, nil
}

// fromJValue converts a JSON value as Newtonsoft's explicit operators do.
func fromJValue(t *expr.Type, j *JValue) (any, error) {
	v := j.v
	switch t.Name() {
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
			n, err := parseNumber(t.Name(), s)
			if err != nil {
				return nil, err
			}
			return n, nil
		}
		return expr.Cast(t, v, true)
	case "DateTime":
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case string:
			return parseDateTime(x)
		}
	case "Guid":
		if s, ok := v.(string); ok {
			g, err := expr.ParseGuid(s)
			return g, err
		}
	case "TimeSpan":
		if s, ok := v.(string); ok {
			return parseTimeSpan(s)
		}
	}
	if v == nil {
		return expr.Cast(t, nil, true)
	}
	return nil, fail("cannot convert JSON %s to %s", expr.TypeName(v), t.Name())
}

// isJToken reports whether v is a JSON token, for is JToken and casts.
func isJToken(v any) bool {
	_, ok := v.(JToken)
	return ok
}

// toJToken converts v to a token, as (JToken)v and JToken t = v do.
func toJToken(v any) (any, bool, error) {
	t, err := jsonFromValue(v)
	return t, true, err
}

// decodeJSON reads a body as Body.As<JObject>() (want "JObject"),
// As<JArray>() or As<JToken>() does.
func decodeJSON(want string) func([]byte) (any, error) {
	return func(data []byte) (any, error) {
		tok, err := parseJSON(data)
		if err != nil {
			return nil, err
		}
		if want != "JToken" && expr.TypeName(tok) != want {
			return nil, fail("body is JSON %s, not %s", expr.TypeName(tok), want)
		}
		return tok, nil
	}
}

// setTokenValue assigns the Value of a JProperty, or of a JValue.
func setTokenValue(_ *expr.Env, r any, a []any, _ []*expr.Type) (any, error) {
	t, err := jsonFromValue(a[0])
	if err != nil {
		return nil, err
	}
	switch x := r.(type) {
	case *JProperty:
		x.Value = t
		setParent(t, x)
		return nil, nil
	case *JValue:
		if jv, ok := t.(*JValue); ok {
			x.v = jv.v
			return nil, nil
		}
	}
	return nil, fail("Value of %s cannot be assigned", expr.TypeName(r))
}
