package dotnet

import (
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// unspecified is the location of a DateTime whose Kind is Unspecified
// (parsed without an offset): it formats without a zone.
var unspecified = time.FixedZone("", 0)

const ticksPerSecond = 10_000_000

// unixEpochTicks is DateTime(1970, 1, 1).Ticks.
const unixEpochTicks = 621355968000000000

func ticks(t time.Time) int64 {
	return unixEpochTicks + t.Unix()*ticksPerSecond + int64(t.Nanosecond()/100)
}

func fromTicks(n int64) time.Time {
	n -= unixEpochTicks
	return time.Unix(n/ticksPerSecond, (n%ticksPerSecond)*100).UTC()
}

var dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// formatDateTime formats t with a .NET standard or custom format string
// in the invariant culture. "" is the default ToString(): "MM/dd/yyyy HH:mm:ss".
func formatDateTime(t time.Time, f string) string {
	switch f {
	case "":
		f = "MM/dd/yyyy HH:mm:ss"
	case "o", "O":
		f = "yyyy-MM-ddTHH:mm:ss.fffffffK"
	case "s":
		f = "yyyy-MM-ddTHH:mm:ss"
	case "u":
		f = "yyyy-MM-dd HH:mm:ssZ"
	case "R", "r":
		f = "ddd, dd MMM yyyy HH:mm:ss 'GMT'"
	case "d":
		f = "MM/dd/yyyy"
	case "D":
		f = "dddd, dd MMMM yyyy"
	case "t":
		f = "HH:mm"
	case "T":
		f = "HH:mm:ss"
	case "g":
		f = "MM/dd/yyyy HH:mm"
	case "G":
		f = "MM/dd/yyyy HH:mm:ss"
	case "f":
		f = "dddd, dd MMMM yyyy HH:mm"
	case "F":
		f = "dddd, dd MMMM yyyy HH:mm:ss"
	case "M", "m":
		f = "MMMM dd"
	case "Y", "y":
		f = "yyyy MMMM"
	}
	var b strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		n := 1
		for i+n < len(f) && f[i+n] == c {
			n++
		}
		switch c {
		case 'y':
			y := t.Year()
			switch {
			case n == 1:
				b.WriteString(strconv.Itoa(y % 100))
			case n == 2:
				b.WriteString(pad0(y%100, 2))
			default:
				b.WriteString(pad0(y, n))
			}
		case 'M':
			switch n {
			case 1, 2:
				b.WriteString(pad0(int(t.Month()), n))
			case 3:
				b.WriteString(t.Month().String()[:3])
			default:
				b.WriteString(t.Month().String())
			}
		case 'd':
			switch n {
			case 1, 2:
				b.WriteString(pad0(t.Day(), n))
			case 3:
				b.WriteString(dayNames[t.Weekday()][:3])
			default:
				b.WriteString(dayNames[t.Weekday()])
			}
		case 'H':
			b.WriteString(pad0(t.Hour(), min(n, 2)))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(pad0(h, min(n, 2)))
		case 'm':
			b.WriteString(pad0(t.Minute(), min(n, 2)))
		case 's':
			b.WriteString(pad0(t.Second(), min(n, 2)))
		case 'f', 'F':
			digits := pad0(t.Nanosecond()/100, 7)[:min(n, 7)]
			if c == 'F' {
				digits = strings.TrimRight(digits, "0")
				if digits == "" && b.Len() > 0 && strings.HasSuffix(b.String(), ".") {
					s := b.String()
					b.Reset()
					b.WriteString(s[:len(s)-1])
				}
			}
			b.WriteString(digits)
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			b.WriteString(ampm[:min(n, 2)])
		case 'K':
			b.WriteString(zoneK(t))
			n = 1
		case 'z':
			_, off := t.Zone()
			sign := "+"
			if off < 0 {
				sign, off = "-", -off
			}
			switch n {
			case 1:
				b.WriteString(sign + strconv.Itoa(off/3600))
			case 2:
				b.WriteString(sign + pad0(off/3600, 2))
			default:
				b.WriteString(sign + pad0(off/3600, 2) + ":" + pad0(off%3600/60, 2))
			}
		case '\'', '"':
			end := strings.IndexByte(f[i+1:], c)
			if end < 0 {
				b.WriteString(f[i+1:])
				return b.String()
			}
			b.WriteString(f[i+1 : i+1+end])
			n = end + 2
		case '\\':
			if i+1 < len(f) {
				b.WriteByte(f[i+1])
			}
			n = 2
		case '%':
			n = 1
		default:
			b.WriteString(f[i : i+n])
		}
		i += n
	}
	return b.String()
}

func zoneK(t time.Time) string {
	switch t.Location() {
	case unspecified:
		return ""
	case time.UTC:
		return "Z"
	}
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return sign + pad0(off/3600, 2) + ":" + pad0(off%3600/60, 2)
}

func pad0(n, w int) string {
	s := strconv.Itoa(n)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

// parseLayouts are the forms DateTime.Parse accepts.
var parseLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05", "2006-01-02", time.RFC1123, time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 MST",
	"01/02/2006 15:04:05", "1/2/2006 15:04:05", "1/2/2006 3:04:05 PM", "01/02/2006", "1/2/2006", "2006/01/02",
	"2 January 2006", "January 2, 2006", "02 Jan 2006 15:04:05",
}

// parseDateTime implements DateTime.Parse with the invariant culture.
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range parseLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if !strings.ContainsAny(l, "Z7M") || l == "2 January 2006" || l == "January 2, 2006" {
				return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), unspecified), nil
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fail("string '%s' was not recognized as a valid DateTime", s)
}

// goLayout converts a .NET custom date format to a Go layout for ParseExact.
func goLayout(f string) string {
	repl := []struct{ net, goL string }{
		{"yyyy", "2006"}, {"yy", "06"}, {"MMMM", "January"}, {"MMM", "Jan"}, {"MM", "01"}, {"M", "1"},
		{"dddd", "Monday"}, {"ddd", "Mon"}, {"dd", "02"}, {"d", "2"}, {"HH", "15"}, {"hh", "03"}, {"h", "3"},
		{"mm", "04"}, {"m", "4"}, {"ss", "05"}, {"s", "5"}, {"fffffff", "0000000"}, {"ffffff", "000000"},
		{"fff", "000"}, {"ff", "00"}, {"tt", "PM"}, {"zzz", "-07:00"}, {"K", "Z07:00"}, {"'T'", "T"}, {"'Z'", "Z"},
	}
	var b strings.Builder
	for i := 0; i < len(f); {
		matched := false
		for _, r := range repl {
			if strings.HasPrefix(f[i:], r.net) {
				b.WriteString(r.goL)
				i += len(r.net)
				matched = true
				break
			}
		}
		if !matched {
			if f[i] == '\'' {
				end := strings.IndexByte(f[i+1:], '\'')
				if end >= 0 {
					b.WriteString(f[i+1 : i+1+end])
					i += end + 2
					continue
				}
			}
			b.WriteByte(f[i])
			i++
		}
	}
	return b.String()
}

func parseExact(s, f string) (time.Time, error) {
	switch f {
	case "o", "O":
		f = "yyyy-MM-ddTHH:mm:ss.fffffffK"
	case "s":
		f = "yyyy-MM-ddTHH:mm:ss"
	case "R", "r":
		f = "ddd, dd MMM yyyy HH:mm:ss 'GMT'"
	case "u":
		f = "yyyy-MM-dd HH:mm:ss'Z'"
	}
	l := goLayout(f)
	t, err := time.Parse(l, s)
	if err != nil {
		return time.Time{}, fail("string '%s' was not recognized as a valid DateTime for format '%s'", s, f)
	}
	if !strings.Contains(l, "07") {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), unspecified), nil
	}
	return t.UTC(), nil
}

// formatTimeSpanCustom supports "c", "g" and custom formats with hh, mm, ss, fff, d.
func formatTimeSpanCustom(d time.Duration, f string) (string, error) {
	if f == "c" || f == "t" || f == "T" || f == "g" || f == "G" {
		return expr.FormatTimeSpan(d), nil
	}
	if d < 0 {
		d = -d
	}
	days := int(d / (24 * time.Hour))
	parts := map[byte]int{'d': days, 'h': int(d % (24 * time.Hour) / time.Hour), 'm': int(d % time.Hour / time.Minute), 's': int(d % time.Minute / time.Second)}
	var b strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		n := 1
		for i+n < len(f) && f[i+n] == c {
			n++
		}
		switch c {
		case 'd', 'h', 'm', 's':
			b.WriteString(pad0(parts[c], n))
		case 'f', 'F':
			b.WriteString(pad0(int(d%time.Second/100), 7)[:min(n, 7)])
		case '\\':
			if i+1 < len(f) {
				b.WriteByte(f[i+1])
			}
			n = 2
		case '\'':
			end := strings.IndexByte(f[i+1:], '\'')
			if end < 0 {
				return "", fail("input string was not in a correct format")
			}
			b.WriteString(f[i+1 : i+1+end])
			n = end + 2
		default:
			return "", fail("input string was not in a correct format (TimeSpan format %q)", f)
		}
		i += n
	}
	return b.String(), nil
}

// parseTimeSpan implements TimeSpan.Parse: [-][d.]hh:mm[:ss[.fffffff]] or d.
func parseTimeSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	bad := fail("string '%s' was not recognized as a valid TimeSpan", s)
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && (strings.IndexByte(s, ':') < 0 || i < strings.IndexByte(s, ':')) {
		d, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil {
			return 0, bad
		}
		days, s = d, s[i+1:]
	} else if !strings.Contains(s, ":") {
		d, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return 0, bad
		}
		days, s = d, "0:0"
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, bad
	}
	var frac time.Duration
	if len(parts) == 3 {
		sec, f, ok := strings.Cut(parts[2], ".")
		parts[2] = sec
		if ok {
			if len(f) > 7 || !isDigits(f) {
				return 0, bad
			}
			n, _ := strconv.Atoi((f + "0000000")[:7])
			frac = time.Duration(n) * 100
		}
	}
	limits := []int64{23, 59, 59}
	d := time.Duration(days) * 24 * time.Hour
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 32)
		if err != nil || n < 0 || n > limits[i] {
			return 0, bad
		}
		d += time.Duration(n) * []time.Duration{time.Hour, time.Minute, time.Second}[i]
	}
	d += frac
	if neg {
		d = -d
	}
	return d, nil
}
