package expr

import (
	"bytes"
	"crypto/x509"
	"fmt"
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
	if len(s) != 32 && len(s) != 36 {
		return g, fmt.Errorf("guid %q: unrecognized format", s)
	}
	n := 0 // hex digits read; hyphens are skipped wherever they are
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' {
			continue
		}
		if n == 32 || !isHex(c) {
			return Guid{}, fmt.Errorf("guid %q: unrecognized format", s)
		}
		if n%2 == 0 {
			g[n/2] = byte(hexVal(c) << 4)
		} else {
			g[n/2] |= byte(hexVal(c))
		}
		n++
	}
	if n != 32 {
		return Guid{}, fmt.Errorf("guid %q: unrecognized format", s)
	}
	return g, nil
}

// Exception is the value of a caught exception (catch (Exception ex)).
type Exception struct {
	Message string
}

// KeyValuePair is a KeyValuePair<string, T>: an entry of a dictionary, a
// header collection, Variables or a JObject, as foreach and LINQ see it.
type KeyValuePair struct {
	Key   string // the key: a header or variable name
	Value any    // its value: a []string of header values, a variable...
}

// Enum is a value of a .NET enum such as StringComparison.OrdinalIgnoreCase.
// | and & combine the values of one enum type.
type Enum struct {
	Type  string // the enum's type name, "StringComparison"
	Name  string // the member's name, "OrdinalIgnoreCase"
	Value int    // the member's number; flags combine with | and &
}

// List is a List<T>, which new List<T> { ... } and ToList() make. It is
// changed in place by its methods and, like every value an evaluation
// makes, is used by one evaluation at a time.
type List struct {
	Items []any // the elements in order
}

// Object is implemented by the values of the types that a Library adds
// (JObject, XElement, Regex...): the run-time type a member is looked up
// on, and what ToString() and string interpolation write.
type Object interface {
	// TypeName returns the name of the value's type, under which the
	// Library registers its members ("JObject", "XDocument").
	TypeName() string
	// String returns the value as C#'s ToString() does.
	String() string
}

// Scalar is an Object that stands for a plain value in operators,
// comparisons and conditions (a JSON scalar: Newtonsoft's JValue).
type Scalar interface {
	Object
	// Scalar returns the plain value: nil, a string, bool, int64, float64...
	Scalar() any
}

// Convertible is an Object with its own rules for casts and conversions to
// other types ((int)token converts a JSON number or numeric string).
type Convertible interface {
	Object
	// ConvertTo converts the value to t. ok false: the value has no rule
	// for t, and the language's own conversions apply.
	ConvertTo(t *Type) (result any, ok bool, err error)
}

// Enumerable is an Object that foreach and LINQ can enumerate.
type Enumerable interface {
	Object
	// Enumerate returns the elements, in order, in a slice that the caller
	// may keep but must not change.
	Enumerate() []any
}

// Adder is an Object with its own + operator when it is the left operand
// of a + that compiles: with a string, or with a value typed only at run
// time (an XNamespace plus a local name is the XName "{uri}name").
type Adder interface {
	Object
	// Add returns the value plus right.
	Add(right any) (any, error)
}

// TypeName returns the C# type name of a run-time value: "string", "int",
// "IRequest"... and, for an Object, its TypeName.
func TypeName(v any) string {
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
	case *x509.Certificate:
		return "X509Certificate2"
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
	case *Exception:
		return "Exception"
	case KeyValuePair:
		return "KeyValuePair"
	case *lambdaVal:
		return "lambda"
	case Enum:
		return v.(Enum).Type
	case *List:
		return "List"
	case *outRef:
		return "out"
	case Object:
		return v.(Object).TypeName()
	}
	return fmt.Sprintf("%T", v)
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
	q := u.QueryValues()
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// ToBool converts the result of a condition (a `when condition`): a bool
// is returned as is; anything else is an error.
func ToBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case Scalar:
		if b, ok := x.Scalar().(bool); ok {
			return b, nil
		}
	}
	return false, fmt.Errorf("condition is %s, not bool", TypeName(v))
}

// Equal implements == for run-time values: numbers by value across
// types, strings, dates and enums by value, a Scalar as its plain value,
// other values by identity.
func Equal(a, b any) bool {
	if IsNumber(a) && IsNumber(b) {
		c, ok := CompareNumbers(a, b)
		return ok && c == 0
	}
	if ja, jb := asScalar(a), asScalar(b); ja != nil && jb == nil {
		a = ja.Scalar()
	} else if jb != nil && ja == nil {
		b = jb.Scalar()
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := a.(Enum); ok {
		y, ok := b.(Enum)
		return ok && x.Type == y.Type && x.Name == y.Name
	}
	if IsNumber(a) && IsNumber(b) {
		c, ok := CompareNumbers(a, b)
		return ok && c == 0
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case Scalar:
		y, ok := b.(Scalar)
		return ok && (x == y || Equal(x.Scalar(), y.Scalar()))
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

// asScalar returns v as a Scalar, or nil; the language's own values take
// the fast way.
func asScalar(v any) Scalar {
	switch v.(type) {
	case nil, string, bool, int, int64, float64:
		return nil
	case Scalar:
		return v.(Scalar)
	}
	return nil
}

// plain returns the plain value of a Scalar, and any other value as is.
func plain(v any) any {
	if s := asScalar(v); s != nil {
		return s.Scalar()
	}
	return v
}

// IsNumber reports whether v is an int, long, double, char or byte.
func IsNumber(v any) bool {
	switch v.(type) {
	case int, int64, float64, rune, byte:
		return true
	}
	return false
}

// Numeric returns a number (or a Scalar number) as int64, or as float64
// when isFloat; ok false: v is not a number.
func Numeric(v any) (i int64, f float64, isFloat, ok bool) {
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
	case Scalar:
		return Numeric(x.Scalar())
	}
	return 0, 0, false, false
}

// ToFloat returns a number as float64; ok false: v is not a number.
func ToFloat(v any) (float64, bool) {
	i, f, isF, ok := Numeric(v)
	if isF {
		return f, ok
	}
	return float64(i), ok
}

// CompareNumbers compares two numbers: -1, 0 or 1, or 2 when a double is
// NaN; ok false: one of them is not a number.
func CompareNumbers(a, b any) (int, bool) {
	ia, fa, afl, ok1 := Numeric(a)
	ib, fb, bfl, ok2 := Numeric(b)
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

// Compare orders two values of the same kind (numbers, strings,
// dates, time spans), as IComparable does.
func Compare(a, b any) (int, error) {
	if c, ok := CompareNumbers(a, b); ok {
		return c, nil
	}
	a, b = plain(a), plain(b)
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return CompareStrings(x, y, false), nil
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
	return 0, Fail("cannot compare %s with %s", TypeName(a), TypeName(b))
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

// CompareStrings compares as string.Compare does with the invariant
// culture: case-insensitively first, lower case before upper case on ties.
func CompareStrings(a, b string, ignoreCase bool) int {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	if c := strings.Compare(la, lb); c != 0 || ignoreCase {
		return c
	}
	return -strings.Compare(a, b)
}
