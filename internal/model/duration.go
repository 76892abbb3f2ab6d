package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxISODuration bounds the durations ParseISODuration accepts: ten
// years, far beyond any interval or trip duration that makes sense.
const maxISODuration = 10 * 365 * 24 * time.Hour

// ParseISODuration reads an ISO 8601 duration as APIM's backend
// properties take them (.NET's XmlConvert.ToTimeSpan): P, then years,
// months, weeks and days, then T and hours, minutes and seconds, each an
// unsigned number followed by its designator, the seconds possibly with
// a fraction: "PT30S", "PT1M", "P1DT2H", "PT0.5S". A year counts 365
// days and a month 30, as .NET counts them. Negative durations, empty
// ones ("P", "PT") and those longer than ten years are refused.
func ParseISODuration(s string) (time.Duration, error) {
	bad := func(why string) (time.Duration, error) {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT30S or P1DT2H: %s", s, why)
	}
	rest, ok := strings.CutPrefix(s, "P")
	if !ok {
		return bad("it must start with P")
	}
	day := 24 * time.Hour
	dateUnits := []struct {
		designator byte
		unit       time.Duration
	}{{'Y', 365 * day}, {'M', 30 * day}, {'W', 7 * day}, {'D', day}}
	timeUnits := []struct {
		designator byte
		unit       time.Duration
	}{{'H', time.Hour}, {'M', time.Minute}, {'S', time.Second}}
	datePart, timePart, hasT := strings.Cut(rest, "T")
	if hasT && timePart == "" {
		return bad("T must be followed by hours, minutes or seconds")
	}
	var total float64
	parts := 0
	read := func(part string, units []struct {
		designator byte
		unit       time.Duration
	}, fraction bool) error {
		next := 0
		for part != "" {
			i := 0
			for i < len(part) && (part[i] >= '0' && part[i] <= '9' || part[i] == '.') {
				i++
			}
			if i == 0 || i == len(part) {
				return fmt.Errorf("a number must be followed by a designator")
			}
			num, designator := part[:i], part[i]
			part = part[i+1:]
			k := next
			for k < len(units) && units[k].designator != designator {
				k++
			}
			if k == len(units) {
				return fmt.Errorf("%q is out of place or not a designator", designator)
			}
			next = k + 1
			if strings.Contains(num, ".") && (!fraction || designator != 'S' || part != "") {
				return fmt.Errorf("only seconds may have a fraction")
			}
			v, err := strconv.ParseFloat(num, 64)
			if err != nil || strings.HasPrefix(num, ".") || strings.HasSuffix(num, ".") {
				return fmt.Errorf("%q is not a number", num)
			}
			total += v * float64(units[k].unit)
			if total > float64(maxISODuration) || math.IsInf(total, 0) {
				return fmt.Errorf("it is longer than ten years")
			}
			parts++
		}
		return nil
	}
	if err := read(datePart, dateUnits, false); err != nil {
		return bad(err.Error())
	}
	if err := read(timePart, timeUnits, true); err != nil {
		return bad(err.Error())
	}
	if parts == 0 {
		return bad("it has no value")
	}
	return time.Duration(math.Round(total)), nil
}

// FormatISODuration writes d as an ISO 8601 duration of days, hours,
// minutes and seconds ("PT1M", "P1DT2H30M"), the form ParseISODuration
// reads back to d for whole milliseconds.
func FormatISODuration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteByte('P')
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		d -= days * 24 * time.Hour
	}
	if d == 0 {
		return b.String()
	}
	b.WriteByte('T')
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dH", h)
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dM", m)
		d -= m * time.Minute
	}
	if d > 0 {
		b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
		b.WriteByte('S')
	}
	return b.String()
}
