package expr

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// ToString converts a value as C#'s ToString() and string interpolation
// do: null → "", bool → "True"/"False", numbers in the invariant
// culture, DateTime as "MM/dd/yyyy HH:mm:ss", TimeSpan as
// "[d.]hh:mm:ss[.fffffff]", byte[] as "System.Byte[]" (as .NET does), an
// Object as its String method says (JObject as indented JSON).
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
		return formatDateTime(x)
	case time.Duration:
		return FormatTimeSpan(x)
	case Guid:
		return x.String()
	case *URL:
		return x.String()
	case *Exception:
		return "System.Exception: " + x.Message
	case KeyValuePair:
		return "[" + x.Key + ", " + ToString(x.Value) + "]"
	case Enum:
		return x.Name
	case *Response:
		return "Gatehouse.Response"
	case Object:
		return x.String()
	}
	return TypeName(v)
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

// formatDateTime formats t as DateTime.ToString() does in the invariant
// culture: "MM/dd/yyyy HH:mm:ss".
func formatDateTime(t time.Time) string {
	return pad0(int(t.Month()), 2) + "/" + pad0(t.Day(), 2) + "/" + pad0(t.Year(), 4) + " " +
		pad0(t.Hour(), 2) + ":" + pad0(t.Minute(), 2) + ":" + pad0(t.Second(), 2)
}

// FormatTimeSpan formats d as .NET's TimeSpan.ToString() does:
// [-][d.]hh:mm:ss[.fffffff].
func FormatTimeSpan(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	if days > 0 {
		b.WriteString(strconv.FormatInt(int64(days), 10))
		b.WriteByte('.')
	}
	h, m, s := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	b.WriteString(pad0(int(h), 2) + ":" + pad0(int(m), 2) + ":" + pad0(int(s), 2))
	if frac := d % time.Second / 100; frac > 0 {
		b.WriteString("." + pad0(int(frac), 7))
	}
	return b.String()
}

// pad0 writes n with at least w digits, padding with zeros on the left.
func pad0(n, w int) string {
	s := strconv.Itoa(n)
	for len(s) < w {
		s = "0" + s
	}
	return s
}
