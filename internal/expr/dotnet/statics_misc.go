package dotnet

import (
	"encoding/base64"
	"hash"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// encodingVal is a System.Text.Encoding (UTF8, ASCII, Unicode).
type encodingVal struct{ name string }

// hashAlg is a hash algorithm or HMAC from System.Security.Cryptography.
type hashAlg struct{ h func() hash.Hash }

// randomVal is a System.Random.
type randomVal struct{}

// TypeName returns "Encoding".
func (encodingVal) TypeName() string { return "Encoding" }

// String returns the type name.
func (e encodingVal) String() string { return e.TypeName() }

// TypeName returns "HashAlgorithm".
func (*hashAlg) TypeName() string { return "HashAlgorithm" }

// ConvertTo lets a HashAlgorithm be held in a variable of its class
// (SHA256, HMACSHA256, ...): one type stands for them all.
func (a *hashAlg) ConvertTo(t *expr.Type) (any, bool, error) {
	return a, hashTypes[t.Name()], nil
}

// String returns the type name.
func (h *hashAlg) String() string { return h.TypeName() }

// TypeName returns "Random".
func (randomVal) TypeName() string { return "Random" }

// String returns the type name.
func (r randomVal) String() string { return r.TypeName() }

// parseNumber parses s as an integral or floating-point type with the invariant culture.
func parseNumber(t, s string) (any, error) {
	s = strings.TrimSpace(s)
	switch t {
	case "int", "long", "byte":
		bits := 32
		if t == "long" {
			bits = 64
		}
		n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, bits)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, fail("value '%s' was either too large or too small for %s", s, t)
			}
			return nil, fail("the input string '%s' was not in a correct format", s)
		}
		switch t {
		case "int":
			return int(n), nil
		case "byte":
			if n < 0 || n > 255 {
				return nil, fail("value '%s' was either too large or too small for byte", s)
			}
			return byte(n), nil
		}
		return n, nil
	case "double":
		if strings.ContainsAny(s, "xXpP_") || strings.EqualFold(s, "inf") || strings.EqualFold(s, "infinity") {
			return nil, fail("the input string '%s' was not in a correct format", s)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fail("the input string '%s' was not in a correct format", s)
		}
		return f, nil
	}
	return nil, fail("cannot parse %s", t)
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fail("string '%s' was not recognized as a valid Boolean", s)
}

func numberStatics(t string, minV, maxV any) expr.Members {
	st := expr.Members{
		"Parse": fn(expr.Builtin(t), 1, 3, func(_ any, a []any) (any, error) {
			s, err := str(a[0], "s")
			if err != nil {
				return nil, err
			}
			return parseNumber(t, s)
		}),
		"TryParse": fn(tyBool, 2, 4, func(_ any, a []any) (any, error) {
			o, ok := a[len(a)-1].(expr.Out)
			if !ok {
				return nil, fail("TryParse needs an out argument")
			}
			s, _ := a[0].(string)
			v, err := parseNumber(t, s)
			if err != nil {
				o.Set(expr.Zero(expr.Builtin(t)))
				return false, nil
			}
			o.Set(v)
			return true, nil
		}),
	}
	if minV != nil {
		st["MinValue"] = constant(expr.Builtin(t), minV)
		st["MaxValue"] = constant(expr.Builtin(t), maxV)
	}
	return st
}

func addNumberStatics(s map[string]expr.Members) {
	s["int"] = numberStatics("int", math.MinInt32, math.MaxInt32)
	s["long"] = numberStatics("long", int64(math.MinInt64), int64(math.MaxInt64))
	s["double"] = numberStatics("double", -math.MaxFloat64, math.MaxFloat64)
	s["double"]["NaN"] = constant(tyDouble, math.NaN())
	s["double"]["IsNaN"] = fn(tyBool, 1, 1, func(_ any, a []any) (any, error) {
		f, _ := expr.ToFloat(a[0])
		return math.IsNaN(f), nil
	})
	s["byte"] = numberStatics("byte", byte(0), byte(255))
	s["bool"] = expr.Members{
		"Parse": fn(tyBool, 1, 1, func(_ any, a []any) (any, error) {
			v, err := str(a[0], "value")
			if err != nil {
				return nil, err
			}
			return parseBool(v)
		}),
		"TryParse": fn(tyBool, 2, 2, func(_ any, a []any) (any, error) {
			o, ok := a[1].(expr.Out)
			if !ok {
				return nil, fail("TryParse needs an out argument")
			}
			v, _ := a[0].(string)
			b, err := parseBool(v)
			o.Set(b)
			return err == nil, nil
		}),
		"TrueString":  constant(tyString, "True"),
		"FalseString": constant(tyString, "False"),
	}
	s["Math"] = mathStatics()
	s["Convert"] = convertStatics()
}

func num1(f func(float64) float64) *expr.Member {
	return fn(tyDouble, 1, 1, func(_ any, a []any) (any, error) {
		x, ok := expr.ToFloat(a[0])
		if !ok {
			return nil, fail("expected a number, not %s", expr.TypeName(a[0]))
		}
		return f(x), nil
	})
}

func mathStatics() expr.Members {
	pick := func(less bool) *expr.Member {
		return &expr.Member{Min: 2, Max: 2, ResultOf: nil, Call: func(_ *expr.Env, _ any, a []any, _ []*expr.Type) (any, error) {
			c, ok := expr.CompareNumbers(a[0], a[1])
			if !ok {
				return nil, fail("Math.Min/Max need numbers")
			}
			x, y := a[0], a[1]
			if r, err := expr.Binary("+", x, 0); err == nil {
				if _, isF := r.(float64); isF {
					x, _ = expr.Cast(tyDouble, x, true)
					y, _ = expr.Cast(tyDouble, y, true)
				} else if _, l := y.(int64); l {
					x, _ = expr.Cast(tyLong, x, true)
				}
			}
			if _, l := x.(int64); l {
				y, _ = expr.Cast(tyLong, y, true)
			}
			if _, f := y.(float64); f {
				x, _ = expr.Cast(tyDouble, x, true)
			}
			if (c < 0) == less {
				return x, nil
			}
			return y, nil
		}}
	}
	round := fn(tyDouble, 1, 3, func(_ any, a []any) (any, error) {
		x, ok := expr.ToFloat(a[0])
		if !ok {
			return nil, fail("expected a number")
		}
		digits, away := 0, false
		for _, o := range a[1:] {
			switch v := o.(type) {
			case int:
				digits = v
			case expr.Enum:
				away = v.Name == "AwayFromZero"
			}
		}
		if digits < 0 || digits > 15 {
			return nil, fail("rounding digits must be between 0 and 15")
		}
		p := math.Pow(10, float64(digits))
		if away {
			return math.Round(x*p) / p, nil
		}
		return math.RoundToEven(x*p) / p, nil
	})
	return expr.Members{
		"Min": pick(true), "Max": pick(false),
		"Abs": fn(tyObject, 1, 1, func(_ any, a []any) (any, error) {
			switch v := a[0].(type) {
			case int:
				if v < 0 {
					return -v, nil
				}
				return v, nil
			case int64:
				if v < 0 {
					return -v, nil
				}
				return v, nil
			}
			f, ok := expr.ToFloat(a[0])
			if !ok {
				return nil, fail("expected a number")
			}
			return math.Abs(f), nil
		}),
		"Round": round, "Floor": num1(math.Floor), "Ceiling": num1(math.Ceil), "Sqrt": num1(math.Sqrt),
		"Truncate": num1(math.Trunc), "Log": num1(math.Log), "Log10": num1(math.Log10), "Exp": num1(math.Exp),
		"Pow": fn(tyDouble, 2, 2, func(_ any, a []any) (any, error) {
			x, ok1 := expr.ToFloat(a[0])
			y, ok2 := expr.ToFloat(a[1])
			if !ok1 || !ok2 {
				return nil, fail("Math.Pow needs numbers")
			}
			return math.Pow(x, y), nil
		}),
		"Sign": fn(tyInt, 1, 1, func(_ any, a []any) (any, error) {
			f, ok := expr.ToFloat(a[0])
			if !ok {
				return nil, fail("expected a number")
			}
			switch {
			case f > 0:
				return 1, nil
			case f < 0:
				return -1, nil
			}
			return 0, nil
		}),
		"PI": constant(tyDouble, math.Pi),
		"E":  constant(tyDouble, math.E),
	}
}

func toBytes(a any) ([]byte, error) {
	switch v := a.(type) {
	case []byte:
		return v, nil
	case []any:
		out := make([]byte, len(v))
		for i, x := range v {
			b, err := expr.Cast(tyByte, x, true)
			if err != nil {
				return nil, err
			}
			out[i] = b.(byte)
		}
		return out, nil
	}
	return nil, fail("expected byte[], not %s", expr.TypeName(a))
}

func convertTo(t string) *expr.Member {
	return fn(expr.Builtin(t), 1, 2, func(_ any, a []any) (any, error) {
		v := a[0]
		if j, ok := v.(*JValue); ok {
			v = j.v
		}
		switch x := v.(type) {
		case nil:
			return expr.Zero(expr.Builtin(t)), nil
		case string:
			if len(a) == 2 && t != "bool" {
				base, _ := a[1].(int)
				bits := 32
				if t == "long" {
					bits = 64
				}
				n, err := strconv.ParseInt(x, base, bits)
				if err != nil {
					return nil, fail("could not convert '%s' from base %d", x, base)
				}
				if t == "int" {
					return int(n), nil
				}
				return n, nil
			}
			if t == "bool" {
				return parseBool(x)
			}
			return parseNumber(t, x)
		case bool:
			if t == "bool" {
				return x, nil
			}
			if x {
				return expr.Cast(expr.Builtin(t), 1, true)
			}
			return expr.Cast(expr.Builtin(t), 0, true)
		case float64:
			if t == "bool" {
				return x != 0, nil
			}
			if t != "double" {
				x = math.RoundToEven(x)
				if x > math.MaxInt64 || x < math.MinInt64 || t == "int" && (x > math.MaxInt32 || x < math.MinInt32) {
					return nil, fail("value was either too large or too small for %s", t)
				}
			}
			return expr.Cast(expr.Builtin(t), x, true)
		}
		if expr.IsNumber(v) {
			if t == "bool" {
				i, _, _, _ := expr.Numeric(v)
				return i != 0, nil
			}
			if i, _, _, _ := expr.Numeric(v); t == "int" && (i > math.MaxInt32 || i < math.MinInt32) {
				return nil, fail("value was either too large or too small for an Int32")
			}
			return expr.Cast(expr.Builtin(t), v, true)
		}
		return nil, fail("cannot convert %s to %s", expr.TypeName(v), t)
	})
}

func convertStatics() expr.Members {
	return expr.Members{
		"ToBase64String": fn(tyString, 1, 3, func(_ any, a []any) (any, error) {
			b, err := toBytes(a[0])
			if err != nil {
				return nil, err
			}
			return base64.StdEncoding.EncodeToString(b), nil
		}),
		"FromBase64String": fn(tyBytes, 1, 1, func(_ any, a []any) (any, error) {
			s, err := str(a[0], "s")
			if err != nil {
				return nil, err
			}
			b, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, s))
			if err != nil {
				return nil, fail("the input is not a valid Base-64 string")
			}
			return b, nil
		}),
		"ToInt32": convertTo("int"), "ToInt64": convertTo("long"), "ToDouble": convertTo("double"),
		"ToDecimal": convertTo("double"), "ToBoolean": convertTo("bool"), "ToInt16": convertTo("int"),
		"ToByte": convertTo("byte"),
		"ToString": fn(tyString, 1, 2, func(_ any, a []any) (any, error) {
			if len(a) == 2 {
				if base, ok := a[1].(int); ok {
					i, _, isF, ok := expr.Numeric(a[0])
					if !ok || isF || base != 2 && base != 8 && base != 10 && base != 16 {
						return nil, fail("Convert.ToString(value, base) needs an integer and base 2, 8, 10 or 16")
					}
					if i < 0 {
						if _, long := a[0].(int64); !long {
							i = int64(uint32(i))
						}
					}
					return strconv.FormatUint(uint64(i), base), nil
				}
			}
			return expr.ToString(a[0]), nil
		}),
		"ToDateTime": fn(tyDateTime, 1, 2, func(_ any, a []any) (any, error) {
			switch v := a[0].(type) {
			case time.Time:
				return v, nil
			case string:
				return parseDateTime(v)
			}
			return nil, fail("cannot convert %s to DateTime", expr.TypeName(a[0]))
		}),
		"ToChar": fn(tyChar, 1, 1, func(_ any, a []any) (any, error) { return expr.Cast(tyChar, a[0], true) }),
	}
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
		return -1
	}
	return r
}

func addMiscMembers(m map[string]expr.Members) {
	m["Encoding"] = expr.Members{
		"GetBytes": fn(tyBytes, 1, 1, func(r any, a []any) (any, error) {
			s, err := str(a[0], "s")
			if err != nil {
				return nil, err
			}
			return encode(r.(encodingVal).name, s), nil
		}),
		"GetString": fn(tyString, 1, 3, func(r any, a []any) (any, error) {
			b, err := toBytes(a[0])
			if err != nil {
				return nil, err
			}
			if len(a) == 3 {
				i, err1 := intArg(a[1], "index")
				n, err2 := intArg(a[2], "count")
				if err1 != nil || err2 != nil || i < 0 || n < 0 || i+n > len(b) {
					return nil, fail("index and count must refer to a location within the buffer")
				}
				b = b[i : i+n]
			}
			return decode(r.(encodingVal).name, b), nil
		}),
		"WebName": val(tyString, func(r any) any { return strings.ToLower(r.(encodingVal).name) }),
	}
	m["HashAlgorithm"] = expr.Members{
		"ComputeHash": fn(tyBytes, 1, 1, func(r any, a []any) (any, error) {
			b, err := toBytes(a[0])
			if err != nil {
				return nil, err
			}
			x := r.(*hashAlg).h()
			x.Write(b)
			return x.Sum(nil), nil
		}),
		"Dispose": &expr.Member{Result: tyVoid, Call: func(*expr.Env, any, []any, []*expr.Type) (any, error) { return nil, nil }},
	}
	m["Guid"] = expr.Members{
		// ToByteArray gives .NET's layout: the first three groups
		// little-endian, the last two as written.
		"ToByteArray": fn(tyBytes, 0, 0, func(r any, _ []any) (any, error) {
			g := r.(expr.Guid)
			b := make([]byte, 16)
			copy(b, g[:])
			b[0], b[1], b[2], b[3] = g[3], g[2], g[1], g[0]
			b[4], b[5] = g[5], g[4]
			b[6], b[7] = g[7], g[6]
			return b, nil
		}),
	}
	m["Random"] = expr.Members{
		"Next": fn(tyInt, 0, 2, func(_ any, a []any) (any, error) {
			lo, hi := 0, math.MaxInt32
			switch len(a) {
			case 1:
				hi, _ = a[0].(int)
			case 2:
				lo, _ = a[0].(int)
				hi, _ = a[1].(int)
			}
			if hi <= lo {
				return lo, nil
			}
			return lo + rand.IntN(hi-lo), nil
		}),
		"NextDouble": fn(tyDouble, 0, 0, func(any, []any) (any, error) { return rand.Float64(), nil }),
	}
	addJwtMembers(m)
	addURIMembers(m)
	addRegexMembers(m)
	addCaptureMembers(m)
	addCollectionMembers(m)
	addListMethods(m)
}
