package dotnet

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// formatValue formats v with a .NET format string, as ToString(format)
// and interpolation holes {x:format} do.
func formatValue(v any, f string) (string, error) {
	if f == "" {
		return expr.ToString(v), nil
	}
	switch x := v.(type) {
	case *JValue:
		return formatValue(x.v, f)
	case int:
		return formatNumber(float64(x), int64(x), false, f)
	case int64:
		return formatNumber(float64(x), x, false, f)
	case byte:
		return formatNumber(float64(x), int64(x), false, f)
	case float64:
		return formatNumber(x, 0, true, f)
	case time.Time:
		return formatDateTime(x, f), nil
	case time.Duration:
		return formatTimeSpanCustom(x, f)
	case expr.Guid:
		switch f {
		case "N", "n":
			return strings.ReplaceAll(x.String(), "-", ""), nil
		case "B", "b":
			return "{" + x.String() + "}", nil
		case "P", "p":
			return "(" + x.String() + ")", nil
		}
		return x.String(), nil
	}
	return expr.ToString(v), nil
}

// formatNumber implements the standard numeric formats C, D, E, F, G, N,
// P, X and simple custom formats made of 0, #, ',' and '.'.
func formatNumber(f float64, i int64, isFloat bool, spec string) (string, error) {
	c := spec[0]
	prec := -1
	if len(spec) > 1 {
		if p, err := strconv.Atoi(spec[1:]); err == nil && p >= 0 && p < 100 {
			prec = p
		} else if strings.ContainsAny(spec[:1], "CcDdEeFfGgNnPpXxRr") && isDigits(spec[1:]) {
			return "", fail("format specifier %q is invalid", spec)
		} else {
			return customNumber(f, spec), nil
		}
	}
	switch c {
	case 'D', 'd':
		if isFloat {
			return "", fail("format specifier D is only for integers")
		}
		s := strconv.FormatInt(abs64(i), 10)
		for len(s) < prec {
			s = "0" + s
		}
		if i < 0 {
			s = "-" + s
		}
		return s, nil
	case 'X', 'x':
		if isFloat {
			return "", fail("format specifier X is only for integers")
		}
		u := uint64(i)
		if i < 0 && i >= math.MinInt32 {
			u = uint64(uint32(i))
		}
		s := strconv.FormatUint(u, 16)
		if c == 'X' {
			s = strings.ToUpper(s)
		}
		for len(s) < prec {
			s = "0" + s
		}
		return s, nil
	case 'F', 'f', 'N', 'n', 'C', 'c', 'P', 'p':
		if prec < 0 {
			prec = 2
		}
		if c == 'P' || c == 'p' {
			f *= 100
		}
		s := strconv.FormatFloat(roundHalfAway(f, prec), 'f', prec, 64)
		if c != 'F' && c != 'f' {
			s = group(s)
		}
		switch c {
		case 'P', 'p':
			s += " %"
		case 'C', 'c':
			if strings.HasPrefix(s, "-") {
				s = "-¤" + s[1:]
			} else {
				s = "¤" + s
			}
		}
		return s, nil
	case 'E', 'e':
		if prec < 0 {
			prec = 6
		}
		s := strconv.FormatFloat(f, 'e', prec, 64)
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		exp = exp[1:]
		for len(exp) < 3 {
			exp = "0" + exp
		}
		return mant + string(c) + string(sign) + exp, nil
	case 'G', 'g', 'R', 'r':
		if !isFloat {
			return strconv.FormatInt(i, 10), nil
		}
		if prec > 0 {
			return strconv.FormatFloat(f, 'g', prec, 64), nil
		}
		return expr.ToString(f), nil
	}
	return customNumber(f, spec), nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func abs64(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

func roundHalfAway(f float64, prec int) float64 {
	p := math.Pow(10, float64(prec))
	r := math.Round(f*p) / p
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return f
	}
	return r
}

// group inserts thousands separators into a formatted number.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// customNumber implements custom numeric formats such as "0.00", "#,##0" and "000".
func customNumber(f float64, spec string) string {
	intSpec, fracSpec, _ := strings.Cut(spec, ".")
	var prefix, suffix strings.Builder
	core := false
	minInt, grouping := 0, false
	for _, c := range intSpec {
		switch c {
		case '0':
			minInt++
			core = true
		case '#':
			core = true
		case ',':
			grouping = true
		default:
			if core {
				suffix.WriteRune(c)
			} else {
				prefix.WriteRune(c)
			}
		}
	}
	minFrac, maxFrac := 0, 0
	for _, c := range fracSpec {
		switch c {
		case '0':
			minFrac++
			maxFrac++
		case '#':
			maxFrac++
		default:
			suffix.WriteRune(c)
		}
	}
	if strings.Contains(spec, "%") {
		f *= 100
	}
	s := strconv.FormatFloat(roundHalfAway(math.Abs(f), maxFrac), 'f', maxFrac, 64)
	ip, fp, _ := strings.Cut(s, ".")
	for len(fp) > minFrac && strings.HasSuffix(fp, "0") {
		fp = fp[:len(fp)-1]
	}
	if ip == "0" && minInt == 0 {
		ip = ""
	}
	for len(ip) < minInt {
		ip = "0" + ip
	}
	if grouping {
		ip = group(ip)
	}
	out := ip
	if fp != "" {
		out += "." + fp
	}
	if f < 0 && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return prefix.String() + out + suffix.String()
}

// compositeFormat implements String.Format.
func compositeFormat(f string, args []any) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '{' && i+1 < len(f) && f[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(f) && f[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(f[i:], '}')
			if end < 0 {
				return "", fail("input string was not in a correct format")
			}
			item := f[i+1 : i+end]
			i += end
			spec, format, _ := strings.Cut(item, ":")
			idxS, alignS, hasAlign := strings.Cut(spec, ",")
			idx, err := strconv.Atoi(strings.TrimSpace(idxS))
			if err != nil || idx < 0 {
				return "", fail("input string was not in a correct format")
			}
			if idx >= len(args) {
				return "", fail("index (zero based) must be greater than or equal to zero and less than the size of the argument list")
			}
			s, err := formatValue(args[idx], format)
			if err != nil {
				return "", err
			}
			if hasAlign {
				w, err := strconv.Atoi(strings.TrimSpace(alignS))
				if err != nil {
					return "", fail("input string was not in a correct format")
				}
				s = align(s, w)
			}
			b.WriteString(s)
			if b.Len() > expr.MaxString {
				return "", errTooLong
			}
		case c == '}':
			return "", fail("input string was not in a correct format")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// align pads s to width w (negative: left-aligned), as composite formatting does.
func align(s string, w int) string {
	n := len([]rune(s))
	switch {
	case w > 0 && n < w && w < expr.MaxString:
		return strings.Repeat(" ", w-n) + s
	case w < 0 && n < -w && -w < expr.MaxString:
		return s + strings.Repeat(" ", -w-n)
	}
	return s
}
