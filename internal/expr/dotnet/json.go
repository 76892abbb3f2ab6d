package dotnet

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// JToken is a Newtonsoft.Json.Linq token: *JObject, *JArray, *JValue or
// *JProperty. Tokens are mutable, like their .NET counterparts, and
// belong to one request.
type JToken interface {
	expr.Object
	jtoken()
}

// JObject is a JSON object whose properties keep their order.
type JObject struct {
	props  []*JProperty
	parent JToken // see parentOf
}

// JArray is a JSON array.
type JArray struct {
	items  []JToken
	parent JToken
}

// JValue is a JSON scalar: its Value is nil, string, int64, float64,
// bool or time.Time.
type JValue struct {
	v      any
	parent JToken
}

// JProperty is a name and value of a JObject.
type JProperty struct {
	Name   string
	Value  JToken
	parent *JObject // the object holding the property, for Remove()
}

func (*JObject) jtoken()   {}
func (*JArray) jtoken()    {}
func (*JValue) jtoken()    {}
func (*JProperty) jtoken() {}

// Value returns the scalar of v.
func (v *JValue) Value() any { return v.v }

// Items returns the elements of a; the slice must not be modified.
func (a *JArray) Items() []JToken { return a.items }

// Properties returns the properties of o in order; the slice must not be modified.
func (o *JObject) Properties() []*JProperty { return o.props }

// Get returns the value of property name, or nil.
func (o *JObject) Get(name string) JToken {
	for _, p := range o.props {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}

// Set adds or replaces property name.
func (o *JObject) Set(name string, v JToken) {
	for _, p := range o.props {
		if p.Name == name {
			p.Value = v
			setParent(v, p)
			return
		}
	}
	p := &JProperty{Name: name, Value: v, parent: o}
	setParent(v, p)
	o.props = append(o.props, p)
}

func (o *JObject) remove(name string) bool {
	for i, p := range o.props {
		if p.Name == name {
			o.props = append(o.props[:i], o.props[i+1:]...)
			return true
		}
	}
	return false
}

// ParseJSON parses data into a JToken as JToken.Parse does.
func ParseJSON(data []byte) (JToken, error) { return parseJSON(data) }

func parseJSON(data []byte) (JToken, error) {
	p := &jsonParser{data: data}
	t, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.data) {
		return nil, fail("JSON reader error: additional text found after the JSON value")
	}
	return t, nil
}

// jsonFromValue converts a value to a token as Newtonsoft's implicit
// conversions and JToken.FromObject do.
func jsonFromValue(v any) (JToken, error) {
	switch x := v.(type) {
	case JToken:
		return x, nil
	case nil, string, bool, int64, float64, time.Time:
		return &JValue{v: x}, nil
	case int:
		return &JValue{v: int64(x)}, nil
	case rune:
		return &JValue{v: string(x)}, nil
	case byte:
		return &JValue{v: int64(x)}, nil
	case expr.Guid:
		return &JValue{v: x.String()}, nil
	case time.Duration:
		return &JValue{v: expr.FormatTimeSpan(x)}, nil
	case []byte:
		return &JValue{v: expr.ToString(x)}, nil
	case *Uri:
		return &JValue{v: x.u.String()}, nil
	case *expr.Anonymous:
		o := &JObject{}
		for i, name := range x.Names {
			val, err := jsonFromValue(x.Values[i])
			if err != nil {
				return nil, err
			}
			o.Set(name, val)
		}
		return o, nil
	case expr.KeyValuePair:
		val, err := jsonFromValue(x.Value)
		if err != nil {
			return nil, err
		}
		p := &JProperty{Name: x.Key, Value: val}
		setParent(val, p)
		return p, nil
	}
	items, err := expr.Enumerate(v)
	if err != nil {
		return nil, fail("cannot convert %s to a JSON token", expr.TypeName(v))
	}
	a := &JArray{}
	for _, it := range items {
		t, err := jsonFromValue(it)
		if err != nil {
			return nil, err
		}
		setParent(t, a)
		a.items = append(a.items, t)
	}
	return a, nil
}

func newJObject(args []any) (any, error) {
	o := &JObject{}
	var add func(a any) error
	add = func(a any) error {
		switch x := a.(type) {
		case *JProperty:
			o.Set(x.Name, x.Value)
		case *JObject:
			for _, p := range x.props {
				o.Set(p.Name, p.Value)
			}
		case nil:
		default:
			items, err := expr.Enumerate(a)
			if err != nil {
				return fail("cannot add %s to a JObject", expr.TypeName(a))
			}
			for _, it := range items {
				if err := add(it); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, a := range args {
		if err := add(a); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func newJArray(args []any) (any, error) {
	a := &JArray{}
	for _, x := range args {
		if _, isStr := x.(string); !isStr {
			if _, isTok := x.(JToken); !isTok {
				if items, err := expr.Enumerate(x); err == nil {
					for _, it := range items {
						t, err := jsonFromValue(it)
						if err != nil {
							return nil, err
						}
						setParent(t, a)
						a.items = append(a.items, t)
					}
					continue
				}
			}
		}
		t, err := jsonFromValue(x)
		if err != nil {
			return nil, err
		}
		setParent(t, a)
		a.items = append(a.items, t)
	}
	return a, nil
}

func newJProperty(name, v any) (any, error) {
	n, err := str(name, "name")
	if err != nil {
		return nil, err
	}
	t, err := jsonFromValue(v)
	if err != nil {
		return nil, err
	}
	p := &JProperty{Name: n, Value: t}
	setParent(t, p)
	return p, nil
}

// jvalueString is JValue.ToString(): the value without JSON quoting.
func jvalueString(j *JValue) string {
	if t, ok := j.v.(time.Time); ok {
		return formatDateTime(t, "")
	}
	return expr.ToString(j.v)
}

// jsonString serializes t as Newtonsoft does: indented with two spaces, or compact.
func jsonString(t JToken, indent bool) string {
	var b strings.Builder
	writeJSON(&b, t, indent, 0)
	return b.String()
}

func newline(b *strings.Builder, indent bool, depth int) {
	if indent {
		b.WriteByte('\n')
		for i := 0; i < depth; i++ {
			b.WriteString("  ")
		}
	}
}

func writeJSON(b *strings.Builder, t JToken, indent bool, depth int) {
	switch x := t.(type) {
	case nil:
		b.WriteString("null")
	case *JObject:
		if len(x.props) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, p := range x.props {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, indent, depth+1)
			writeJSON(b, p, indent, depth+1)
		}
		newline(b, indent, depth)
		b.WriteByte('}')
	case *JArray:
		if len(x.items) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, it := range x.items {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, indent, depth+1)
			writeJSON(b, it, indent, depth+1)
		}
		newline(b, indent, depth)
		b.WriteByte(']')
	case *JProperty:
		writeJSONString(b, x.Name)
		b.WriteByte(':')
		if indent {
			b.WriteByte(' ')
		}
		writeJSON(b, x.Value, indent, depth)
	case *JValue:
		writeScalar(b, x.v)
	}
}

func writeScalar(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		writeJSONString(b, x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		s := expr.ToString(x)
		switch {
		case s == "NaN" || s == "∞" || s == "-∞":
			s = map[string]string{"NaN": `"NaN"`, "∞": `"Infinity"`, "-∞": `"-Infinity"`}[s]
		case !strings.ContainsAny(s, ".E"):
			s += ".0"
		}
		b.WriteString(s)
	case time.Time:
		b.WriteByte('"')
		b.WriteString(formatDateTime(x, "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"))
		b.WriteByte('"')
	default:
		writeJSONString(b, expr.ToString(x))
	}
}

func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteString(`\u`)
			b.WriteString(pad0hex(int(r)))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
}

func pad0hex(n int) string {
	s := strconv.FormatInt(int64(n), 16)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
