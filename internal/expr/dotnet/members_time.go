package dotnet

import (
	"math"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

func dur(f float64, unit time.Duration) (any, error) {
	d := f * float64(unit)
	if math.IsNaN(d) || d > math.MaxInt64 || d < math.MinInt64 {
		return nil, fail("TimeSpan overflowed because the duration is too long")
	}
	return time.Duration(d), nil
}

func addTime(unit time.Duration) *expr.Member {
	return fn(tyDateTime, 1, 1, func(r any, a []any) (any, error) {
		f, ok := expr.ToFloat(a[0])
		if !ok {
			return nil, fail("expected a number, not %s", expr.TypeName(a[0]))
		}
		d, err := dur(f, unit)
		if err != nil {
			return nil, err
		}
		t := r.(time.Time).Add(d.(time.Duration))
		if t.Year() < 1 || t.Year() > 9999 {
			return nil, fail("the added or subtracted value results in an un-representable DateTime")
		}
		return t, nil
	})
}

func fromUnit(unit time.Duration) *expr.Member {
	return fn(tyTimeSpan, 1, 1, func(_ any, a []any) (any, error) {
		f, ok := expr.ToFloat(a[0])
		if !ok {
			return nil, fail("expected a number, not %s", expr.TypeName(a[0]))
		}
		return dur(f, unit)
	})
}

func addTimeMembers(m map[string]expr.Members) {
	tm := func(r any) time.Time { return r.(time.Time) }
	m["DateTime"] = expr.Members{
		"Year":        val(tyInt, func(r any) any { return tm(r).Year() }),
		"Month":       val(tyInt, func(r any) any { return int(tm(r).Month()) }),
		"Day":         val(tyInt, func(r any) any { return tm(r).Day() }),
		"Hour":        val(tyInt, func(r any) any { return tm(r).Hour() }),
		"Minute":      val(tyInt, func(r any) any { return tm(r).Minute() }),
		"Second":      val(tyInt, func(r any) any { return tm(r).Second() }),
		"Millisecond": val(tyInt, func(r any) any { return tm(r).Nanosecond() / 1e6 }),
		"DayOfYear":   val(tyInt, func(r any) any { return tm(r).YearDay() }),
		"DayOfWeek": val(named("DayOfWeek"), func(r any) any {
			d := tm(r).Weekday()
			return expr.Enum{Type: "DayOfWeek", Name: dayNames[d], Value: int(d)}
		}),
		"Date": val(tyDateTime, func(r any) any {
			t := tm(r)
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
		}),
		"TimeOfDay": val(tyTimeSpan, func(r any) any {
			t := tm(r)
			return t.Sub(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()))
		}),
		"Ticks": val(tyLong, func(r any) any { return ticks(tm(r)) }),
		"Kind": val(named("DateTimeKind"), func(r any) any {
			switch tm(r).Location() {
			case time.UTC:
				return expr.Enum{Type: "DateTimeKind", Name: "Utc", Value: 1}
			case unspecified:
				return expr.Enum{Type: "DateTimeKind", Name: "Unspecified"}
			}
			return expr.Enum{Type: "DateTimeKind", Name: "Local", Value: 2}
		}),
		"UtcDateTime":     val(tyDateTime, func(r any) any { return tm(r).UTC() }),
		"DateTime":        val(tyDateTime, func(r any) any { return tm(r) }),
		"AddMilliseconds": addTime(time.Millisecond),
		"AddSeconds":      addTime(time.Second),
		"AddMinutes":      addTime(time.Minute),
		"AddHours":        addTime(time.Hour),
		"AddDays":         addTime(24 * time.Hour),
		"AddTicks": fn(tyDateTime, 1, 1, func(r any, a []any) (any, error) {
			i, _, _, ok := expr.Numeric(a[0])
			if !ok {
				return nil, fail("expected a number")
			}
			return tm(r).Add(time.Duration(i) * 100), nil
		}),
		"AddMonths": fn(tyDateTime, 1, 1, func(r any, a []any) (any, error) {
			n, err := intArg(a[0], "months")
			if err != nil {
				return nil, err
			}
			t := tm(r)
			y, mo := t.Year(), int(t.Month())-1+n
			y += mo / 12
			mo %= 12
			if mo < 0 {
				mo += 12
				y--
			}
			d := min(t.Day(), daysIn(y, time.Month(mo+1)))
			return time.Date(y, time.Month(mo+1), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location()), nil
		}),
		"AddYears": fn(tyDateTime, 1, 1, func(r any, a []any) (any, error) {
			n, err := intArg(a[0], "years")
			if err != nil {
				return nil, err
			}
			t := tm(r)
			d := min(t.Day(), daysIn(t.Year()+n, t.Month()))
			return time.Date(t.Year()+n, t.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location()), nil
		}),
		"Add": fn(tyDateTime, 1, 1, func(r any, a []any) (any, error) {
			d, ok := a[0].(time.Duration)
			if !ok {
				return nil, fail("Add needs a TimeSpan")
			}
			return tm(r).Add(d), nil
		}),
		"Subtract": fn(tyObject, 1, 1, func(r any, a []any) (any, error) {
			switch x := a[0].(type) {
			case time.Duration:
				return tm(r).Add(-x), nil
			case time.Time:
				return tm(r).Sub(x), nil
			}
			return nil, fail("Subtract needs a DateTime or TimeSpan")
		}),
		"ToUniversalTime":        val(tyDateTime, nil),
		"ToLocalTime":            val(tyDateTime, nil),
		"ToUnixTimeSeconds":      fn(tyLong, 0, 0, func(r any, _ []any) (any, error) { return tm(r).Unix(), nil }),
		"ToUnixTimeMilliseconds": fn(tyLong, 0, 0, func(r any, _ []any) (any, error) { return tm(r).UnixMilli(), nil }),
		"ToShortDateString":      fn(tyString, 0, 0, func(r any, _ []any) (any, error) { return formatDateTime(tm(r), "d"), nil }),
		"ToShortTimeString":      fn(tyString, 0, 0, func(r any, _ []any) (any, error) { return formatDateTime(tm(r), "t"), nil }),
		"ToLongDateString":       fn(tyString, 0, 0, func(r any, _ []any) (any, error) { return formatDateTime(tm(r), "D"), nil }),
		"ToLongTimeString":       fn(tyString, 0, 0, func(r any, _ []any) (any, error) { return formatDateTime(tm(r), "T"), nil }),
		"ToFileTimeUtc":          fn(tyLong, 0, 0, func(r any, _ []any) (any, error) { return ticks(tm(r)) - 504911232000000000, nil }),
		"ToOffset":               fn(tyDateTime, 1, 1, func(r any, _ []any) (any, error) { return tm(r), nil }),
	}
	utc := fn(tyDateTime, 0, 0, func(r any, _ []any) (any, error) { return tm(r).UTC(), nil })
	m["DateTime"]["ToUniversalTime"] = utc
	m["DateTime"]["ToLocalTime"] = utc
	d := func(r any) time.Duration { return r.(time.Duration) }
	m["TimeSpan"] = expr.Members{
		"TotalMilliseconds": val(tyDouble, func(r any) any { return float64(d(r)) / float64(time.Millisecond) }),
		"TotalSeconds":      val(tyDouble, func(r any) any { return d(r).Seconds() }),
		"TotalMinutes":      val(tyDouble, func(r any) any { return d(r).Minutes() }),
		"TotalHours":        val(tyDouble, func(r any) any { return d(r).Hours() }),
		"TotalDays":         val(tyDouble, func(r any) any { return d(r).Hours() / 24 }),
		"Days":              val(tyInt, func(r any) any { return int(d(r) / (24 * time.Hour)) }),
		"Hours":             val(tyInt, func(r any) any { return int(d(r) % (24 * time.Hour) / time.Hour) }),
		"Minutes":           val(tyInt, func(r any) any { return int(d(r) % time.Hour / time.Minute) }),
		"Seconds":           val(tyInt, func(r any) any { return int(d(r) % time.Minute / time.Second) }),
		"Milliseconds":      val(tyInt, func(r any) any { return int(d(r) % time.Second / time.Millisecond) }),
		"Ticks":             val(tyLong, func(r any) any { return int64(d(r) / 100) }),
		"Duration": fn(tyTimeSpan, 0, 0, func(r any, _ []any) (any, error) {
			if d(r) < 0 {
				return -d(r), nil
			}
			return d(r), nil
		}),
		"Negate": fn(tyTimeSpan, 0, 0, func(r any, _ []any) (any, error) { return -d(r), nil }),
		"Add": fn(tyTimeSpan, 1, 1, func(r any, a []any) (any, error) {
			o, ok := a[0].(time.Duration)
			if !ok {
				return nil, fail("Add needs a TimeSpan")
			}
			return d(r) + o, nil
		}),
		"Subtract": fn(tyTimeSpan, 1, 1, func(r any, a []any) (any, error) {
			o, ok := a[0].(time.Duration)
			if !ok {
				return nil, fail("Subtract needs a TimeSpan")
			}
			return d(r) - o, nil
		}),
	}
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func clock(r any) time.Time {
	if c, ok := r.(*expr.Context); ok && c != nil {
		return now(c)
	}
	return time.Now()
}

func addTimeStatics(s map[string]expr.Members) {
	s["DateTime"] = expr.Members{
		"UtcNow": val(tyDateTime, func(r any) any { return clock(r).UTC() }),
		"Now":    val(tyDateTime, func(r any) any { return clock(r).UTC() }),
		"Today": val(tyDateTime, func(r any) any {
			t := clock(r).UTC()
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		}),
		"MinValue":  constant(tyDateTime, time.Date(1, 1, 1, 0, 0, 0, 0, unspecified)),
		"MaxValue":  constant(tyDateTime, time.Date(9999, 12, 31, 23, 59, 59, 999999900, unspecified)),
		"UnixEpoch": constant(tyDateTime, time.Unix(0, 0).UTC()),
		"Parse": fn(tyDateTime, 1, 3, func(_ any, a []any) (any, error) {
			s, err := str(a[0], "s")
			if err != nil {
				return nil, err
			}
			return parseDateTime(s)
		}),
		"ParseExact": fn(tyDateTime, 2, 4, func(_ any, a []any) (any, error) {
			s, err := str(a[0], "s")
			if err != nil {
				return nil, err
			}
			f, err := str(a[1], "format")
			if err != nil {
				return nil, err
			}
			return parseExact(s, f)
		}),
		"TryParse": fn(tyBool, 2, 4, func(_ any, a []any) (any, error) {
			o, ok := a[len(a)-1].(expr.Out)
			if !ok {
				return nil, fail("TryParse needs an out argument")
			}
			s, _ := a[0].(string)
			t, err := parseDateTime(s)
			if err != nil {
				o.Set(time.Time{})
				return false, nil
			}
			o.Set(t)
			return true, nil
		}),
		"Compare": fn(tyInt, 2, 2, func(_ any, a []any) (any, error) { return expr.Compare(a[0], a[1]) }),
		"DaysInMonth": fn(tyInt, 2, 2, func(_ any, a []any) (any, error) {
			y, err1 := intArg(a[0], "year")
			mo, err2 := intArg(a[1], "month")
			if err1 != nil || err2 != nil || mo < 1 || mo > 12 {
				return nil, fail("DaysInMonth needs a year and a month 1-12")
			}
			return daysIn(y, time.Month(mo)), nil
		}),
		"IsLeapYear": fn(tyBool, 1, 1, func(_ any, a []any) (any, error) {
			y, err := intArg(a[0], "year")
			return daysIn(y, 2) == 29, err
		}),
		"FromUnixTimeSeconds": fn(tyDateTime, 1, 1, func(_ any, a []any) (any, error) {
			i, _, _, ok := expr.Numeric(a[0])
			if !ok {
				return nil, fail("expected a number")
			}
			return time.Unix(i, 0).UTC(), nil
		}),
		"FromUnixTimeMilliseconds": fn(tyDateTime, 1, 1, func(_ any, a []any) (any, error) {
			i, _, _, ok := expr.Numeric(a[0])
			if !ok {
				return nil, fail("expected a number")
			}
			return time.UnixMilli(i).UTC(), nil
		}),
		"SpecifyKind": fn(tyDateTime, 2, 2, func(_ any, a []any) (any, error) {
			t, ok := a[0].(time.Time)
			k, ok2 := a[1].(expr.Enum)
			if !ok || !ok2 {
				return nil, fail("SpecifyKind needs a DateTime and a DateTimeKind")
			}
			loc := unspecified
			if k.Name != "Unspecified" {
				loc = time.UTC
			}
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc), nil
		}),
	}
	s["TimeSpan"] = expr.Members{
		"Zero":             constant(tyTimeSpan, time.Duration(0)),
		"FromMilliseconds": fromUnit(time.Millisecond),
		"FromSeconds":      fromUnit(time.Second),
		"FromMinutes":      fromUnit(time.Minute),
		"FromHours":        fromUnit(time.Hour),
		"FromDays":         fromUnit(24 * time.Hour),
		"FromTicks":        fromUnit(100),
		"Parse": fn(tyTimeSpan, 1, 2, func(_ any, a []any) (any, error) {
			s, err := str(a[0], "s")
			if err != nil {
				return nil, err
			}
			return parseTimeSpan(s)
		}),
	}
	s["DayOfWeek"] = enumTable("DayOfWeek", dayNames...)
	s["DateTimeKind"] = enumTable("DateTimeKind", "Unspecified", "Utc", "Local")
	s["DateTimeStyles"] = enumTable("DateTimeStyles", "None", "AdjustToUniversal", "AssumeUniversal", "AssumeLocal", "RoundtripKind")
	s["CultureInfo"] = expr.Members{
		"InvariantCulture": constant(named("CultureInfo"), expr.Enum{Type: "CultureInfo", Name: "InvariantCulture"}),
		"CurrentCulture":   constant(named("CultureInfo"), expr.Enum{Type: "CultureInfo", Name: "InvariantCulture"}),
	}
}

// now reads the clock of c.
func now(c *expr.Context) time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
