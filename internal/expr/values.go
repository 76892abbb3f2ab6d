package expr

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Guid is a System.Guid value.
type Guid [16]byte

// String formats g as C# does: 8-4-4-4-12 lower-case hex digits.
func (g Guid) String() string {
	const hex = "0123456789abcdef"
	var b [36]byte
	j := 0
	for i, c := range g {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hex[c>>4], hex[c&15]
		j += 2
	}
	return string(b[:])
}

// ParseGuid parses s in the 8-4-4-4-12 form, with or without braces or
// hyphens.
func ParseGuid(s string) (Guid, error) {
	var g Guid
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}")
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 || len(s) != 32 && len(s) != 36 {
		return g, fmt.Errorf("guid %q: unrecognized format", s)
	}
	for i := 0; i < 16; i++ {
		if !isHex(h[2*i]) || !isHex(h[2*i+1]) {
			return g, fmt.Errorf("guid %q: unrecognized format", s)
		}
		g[i] = byte(hexVal(h[2*i])<<4 | hexVal(h[2*i+1]))
	}
	return g, nil
}

// Exception is the value of a caught exception (catch (Exception ex)).
type Exception struct {
	Message string
}

// kvPair is a KeyValuePair: an entry of a dictionary, header collection or JObject.
type kvPair struct {
	key   string
	value any
}

// typeName returns the C# type name of a run-time value.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "bool"
	case int:
		return "int"
	case int64:
		return "long"
	case float64:
		return "double"
	case rune:
		return "char"
	case byte:
		return "byte"
	case []byte:
		return "byte[]"
	case []string:
		return "string[]"
	case []any:
		return "array"
	case []Group:
		return "array"
	case time.Time:
		return "DateTime"
	case time.Duration:
		return "TimeSpan"
	case Guid:
		return "Guid"
	case *Context:
		return "IContext"
	case *Request:
		return "IRequest"
	case *Response:
		return "IResponse"
	case *URL:
		return "IUrl"
	case http.Header:
		return "IHeaders"
	case url.Values:
		return "IQuery"
	case map[string]string:
		return "IParameters"
	case *dictVal:
		return "Dictionary"
	case map[string]any:
		return "IVariables"
	case *Body:
		return "IMessageBody"
	case *Subscription:
		return "ISubscription"
	case *User:
		return "IUser"
	case Group:
		return "IGroup"
	case *Product:
		return "IProduct"
	case *API:
		return "IApi"
	case *Operation:
		return "IOperation"
	case *Deployment:
		return "IDeployment"
	case *DeploymentGateway:
		return "IDeploymentGateway"
	case *LastError:
		return "ILastError"
	case *JObject:
		return "JObject"
	case *JArray:
		return "JArray"
	case *JValue:
		return "JValue"
	case *JProperty:
		return "JProperty"
	case *Jwt:
		return "Jwt"
	case *BasicAuthCredentials:
		return "BasicAuthCredentials"
	case *Uri:
		return "Uri"
	case *XElement:
		if v.(*XElement).doc {
			return "XDocument"
		}
		return "XElement"
	case *XAttribute:
		return "XAttribute"
	case XNamespace:
		return "XNamespace"
	case *Exception:
		return "Exception"
	case kvPair:
		return "KeyValuePair"
	case *lambdaVal:
		return "lambda"
	case *reMatch:
		return "Match"
	case *reGroup:
		return "Group"
	case reGroups:
		return "GroupCollection"
	case encodingVal:
		return "Encoding"
	case *hashAlg:
		return "HashAlgorithm"
	case enumVal:
		return v.(enumVal).typ
	case *strBuilder:
		return "StringBuilder"
	case randomVal:
		return "Random"
	case *listVal:
		return "List"
	case *regexVal:
		return "Regex"
	case claims:
		return "IClaims"
	case *outRef:
		return "out"
	}
	return fmt.Sprintf("%T", v)
}

// ToString converts a value as C#'s ToString() and string interpolation
// do: null → "", bool → "True"/"False", numbers in the invariant
// culture, DateTime as "MM/dd/yyyy HH:mm:ss", TimeSpan as
// "[d.]hh:mm:ss[.fffffff]", JObject and JArray as indented JSON, a JValue
// as its value, byte[] as "System.Byte[]" (as .NET does).
func ToString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatDouble(x)
	case rune:
		return string(x)
	case byte:
		return strconv.Itoa(int(x))
	case []byte:
		return "System.Byte[]"
	case []string:
		return "System.String[]"
	case []any:
		return "System.Object[]"
	case time.Time:
		return formatDateTime(x, "")
	case time.Duration:
		return formatTimeSpan(x)
	case Guid:
		return x.String()
	case *URL:
		return x.String()
	case *JObject, *JArray, *JProperty:
		return jsonString(v.(JToken), true)
	case *JValue:
		return jvalueString(x)
	case *Uri:
		return x.u.String()
	case *XElement:
		return x.String()
	case *XAttribute:
		return x.Name + "=\"" + xmlEscape(x.Value) + "\""
	case XNamespace:
		return x.URI
	case *Exception:
		return "System.Exception: " + x.Message
	case kvPair:
		return "[" + x.key + ", " + ToString(x.value) + "]"
	case *reMatch:
		return x.value()
	case *reGroup:
		return x.value
	case enumVal:
		return x.name
	case *strBuilder:
		return x.b.String()
	case *Jwt:
		return x.raw
	case *Response:
		return "Gatehouse.Response"
	}
	return typeName(v)
}

// formatDouble formats f as .NET's double.ToString() does.
func formatDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "∞"
	case math.IsInf(f, -1):
		return "-∞"
	case f == 0:
		return "0"
	}
	exp := int(math.Floor(math.Log10(math.Abs(f))))
	if exp >= 15 || exp < -4 {
		s := strconv.FormatFloat(f, 'E', -1, 64)
		i := strings.IndexByte(s, 'E')
		mant, e := s[:i], s[i+1:]
		sign := e[0]
		e = strings.TrimLeft(e[1:], "0")
		for len(e) < 2 {
			e = "0" + e
		}
		return mant + "E" + string(sign) + e
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// String returns the URL as APIM prints context.Request.Url.
func (u *URL) String() string {
	if u == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(u.Host)
	if u.Port != 0 && !(u.Port == 443 && u.Scheme == "https" || u.Port == 80 && u.Scheme == "http") {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(u.Port))
	}
	b.WriteString(u.Path)
	b.WriteString(u.queryString())
	return b.String()
}

func (u *URL) queryString() string {
	if len(u.Query) == 0 {
		return ""
	}
	return "?" + u.Query.Encode()
}

// ToBool converts the result of a condition (a `when condition`): a bool
// is returned as is; anything else is an error.
func ToBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case *JValue:
		if b, ok := x.v.(bool); ok {
			return b, nil
		}
	}
	return false, fmt.Errorf("condition is %s, not bool", typeName(v))
}

// valuesEqual implements == for run-time values.
func valuesEqual(a, b any) bool {
	if ja, ok := a.(*JValue); ok {
		if _, isJ := b.(*JValue); !isJ {
			a = ja.v
		}
	}
	if jb, ok := b.(*JValue); ok {
		if _, isJ := a.(*JValue); !isJ {
			b = jb.v
		}
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := a.(enumVal); ok {
		y, ok := b.(enumVal)
		return ok && x.typ == y.typ && x.name == y.name
	}
	if isNumber(a) && isNumber(b) {
		c, ok := compareNumbers(a, b)
		return ok && c == 0
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case *JValue:
		y, ok := b.(*JValue)
		return ok && (x == y || valuesEqual(x.v, y.v))
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	if ta != tb {
		return false
	}
	if ta.Comparable() {
		return a == b
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	switch va.Kind() {
	case reflect.Slice, reflect.Map:
		return va.Pointer() == vb.Pointer() && (va.Kind() == reflect.Map || va.Len() == vb.Len())
	}
	return false
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, int64, float64, rune, byte:
		return true
	}
	return false
}

// numeric returns v as int64 or float64.
func numeric(v any) (i int64, f float64, isFloat, ok bool) {
	switch x := v.(type) {
	case int:
		return int64(x), 0, false, true
	case int64:
		return x, 0, false, true
	case float64:
		return 0, x, true, true
	case rune:
		return int64(x), 0, false, true
	case byte:
		return int64(x), 0, false, true
	case *JValue:
		return numeric(x.v)
	}
	return 0, 0, false, false
}

func toFloat(v any) (float64, bool) {
	i, f, isF, ok := numeric(v)
	if isF {
		return f, ok
	}
	return float64(i), ok
}

// compareNumbers compares two numbers: -1, 0 or 1.
func compareNumbers(a, b any) (int, bool) {
	ia, fa, afl, ok1 := numeric(a)
	ib, fb, bfl, ok2 := numeric(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	if afl || bfl {
		if !afl {
			fa = float64(ia)
		}
		if !bfl {
			fb = float64(ib)
		}
		switch {
		case fa < fb:
			return -1, true
		case fa > fb:
			return 1, true
		case fa == fb:
			return 0, true
		}
		return 2, true // NaN: unordered
	}
	switch {
	case ia < ib:
		return -1, true
	case ia > ib:
		return 1, true
	}
	return 0, true
}

// compareValues orders two values of the same kind (numbers, strings,
// dates, time spans), as IComparable does.
func compareValues(a, b any) (int, error) {
	if ja, ok := a.(*JValue); ok {
		a = ja.v
	}
	if jb, ok := b.(*JValue); ok {
		b = jb.v
	}
	if c, ok := compareNumbers(a, b); ok {
		return c, nil
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return compareStrings(x, y, false), nil
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y), nil
		}
	case time.Duration:
		if y, ok := b.(time.Duration); ok {
			return cmpInt(int64(x), int64(y)), nil
		}
	case bool:
		if y, ok := b.(bool); ok {
			return cmpInt(b2i(x), b2i(y)), nil
		}
	case Guid:
		if y, ok := b.(Guid); ok {
			return bytes.Compare(x[:], y[:]), nil
		}
	case nil:
		if b == nil {
			return 0, nil
		}
		return -1, nil
	}
	if b == nil {
		return 1, nil
	}
	return 0, fail("cannot compare %s with %s", typeName(a), typeName(b))
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareStrings compares as string.Compare does with the invariant
// culture: case-insensitively first, lower case before upper case on ties.
func compareStrings(a, b string, ignoreCase bool) int {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	if c := strings.Compare(la, lb); c != 0 || ignoreCase {
		return c
	}
	return -strings.Compare(a, b)
}
