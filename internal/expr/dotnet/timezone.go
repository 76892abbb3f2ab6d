package dotnet

import (
	"strings"
	"time"
	_ "time/tzdata" // FindSystemTimeZoneById must not depend on the host's zoneinfo files

	"github.com/gatehouse/gatehouse/internal/expr"
)

// tzVal is a System.TimeZoneInfo. The zones come from the IANA database
// embedded in the binary (time/tzdata); a Windows id, which policies
// written for APIM's managed gateway use, is mapped to its IANA zone and
// keeps the id as written. The local zone is UTC, as on APIM's gateways.
type tzVal struct {
	id  string
	loc *time.Location
}

// TypeName returns "TimeZoneInfo".
func (*tzVal) TypeName() string { return "TimeZoneInfo" }

// String returns the zone's id (.NET returns its display name, which
// for a zone read from the IANA database is built from the id).
func (z *tzVal) String() string { return z.id }

var utcZone = &tzVal{id: "UTC", loc: time.UTC}

// tzReferenceYear is the year whose rules BaseUtcOffset and
// SupportsDaylightSavingTime read, so that they do not change with the
// clock.
const tzReferenceYear = 2025

// windowsZones maps the Windows ids of common zones to IANA, after the
// CLDR windowsZones table (territory "001"), compared without case.
var windowsZones = map[string]string{
	"utc": "UTC", "gmt standard time": "Europe/London", "greenwich standard time": "Atlantic/Reykjavik",
	"w. europe standard time": "Europe/Berlin", "central europe standard time": "Europe/Budapest",
	"romance standard time": "Europe/Paris", "central european standard time": "Europe/Warsaw",
	"e. europe standard time": "Europe/Chisinau", "fle standard time": "Europe/Kiev", "gtb standard time": "Europe/Bucharest",
	"russian standard time": "Europe/Moscow", "turkey standard time": "Europe/Istanbul", "israel standard time": "Asia/Jerusalem",
	"south africa standard time": "Africa/Johannesburg", "egypt standard time": "Africa/Cairo", "arabian standard time": "Asia/Dubai",
	"arab standard time": "Asia/Riyadh", "iran standard time": "Asia/Tehran", "pakistan standard time": "Asia/Karachi",
	"india standard time": "Asia/Calcutta", "nepal standard time": "Asia/Katmandu", "bangladesh standard time": "Asia/Dhaka",
	"se asia standard time": "Asia/Bangkok", "singapore standard time": "Asia/Singapore", "china standard time": "Asia/Shanghai",
	"taipei standard time": "Asia/Taipei", "tokyo standard time": "Asia/Tokyo", "korea standard time": "Asia/Seoul",
	"aus eastern standard time": "Australia/Sydney", "e. australia standard time": "Australia/Brisbane",
	"cen. australia standard time": "Australia/Adelaide", "w. australia standard time": "Australia/Perth",
	"new zealand standard time": "Pacific/Auckland", "hawaiian standard time": "Pacific/Honolulu",
	"alaskan standard time": "America/Anchorage", "pacific standard time": "America/Los_Angeles",
	"us mountain standard time": "America/Phoenix", "mountain standard time": "America/Denver",
	"central standard time": "America/Chicago", "eastern standard time": "America/New_York",
	"canada central standard time": "America/Regina", "atlantic standard time": "America/Halifax",
	"newfoundland standard time": "America/St_Johns", "central america standard time": "America/Guatemala",
	"central standard time (mexico)": "America/Mexico_City", "sa pacific standard time": "America/Bogota",
	"venezuela standard time": "America/Caracas", "sa western standard time": "America/La_Paz",
	"pacific sa standard time": "America/Santiago", "argentina standard time": "America/Buenos_Aires",
	"e. south america standard time": "America/Sao_Paulo", "w. central africa standard time": "Africa/Lagos",
	"e. africa standard time": "Africa/Nairobi", "morocco standard time": "Africa/Casablanca",
	"arabic standard time": "Asia/Baghdad", "west asia standard time": "Asia/Tashkent", "n. central asia standard time": "Asia/Novosibirsk",
	"sri lanka standard time": "Asia/Colombo", "myanmar standard time": "Asia/Rangoon", "north asia standard time": "Asia/Krasnoyarsk",
	"w. mongolia standard time": "Asia/Hovd", "fiji standard time": "Pacific/Fiji", "tonga standard time": "Pacific/Tongatapu",
	"cape verde standard time": "Atlantic/Cape_Verde", "azores standard time": "Atlantic/Azores",
}

// findZone is TimeZoneInfo.FindSystemTimeZoneById.
func findZone(a any) (*tzVal, error) {
	id, err := str(a, "id")
	if err != nil {
		return nil, err
	}
	if id == "" || strings.TrimSpace(id) != id || strings.Contains(id, "..") {
		return nil, fail("TimeZoneNotFoundException: The time zone ID '%s' was not found on the local computer.", id)
	}
	if strings.EqualFold(id, "UTC") {
		return utcZone, nil
	}
	name := id
	if iana, ok := windowsZones[strings.ToLower(id)]; ok {
		name = iana
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fail("TimeZoneNotFoundException: The time zone ID '%s' was not found on the local computer.", id)
	}
	return &tzVal{id: id, loc: loc}, nil
}

// zoneArg reads a TimeZoneInfo argument.
func zoneArg(a any) (*tzVal, error) {
	z, ok := a.(*tzVal)
	if !ok || z == nil {
		return nil, fail("ArgumentNullException: a TimeZoneInfo is required, not %s", expr.TypeName(a))
	}
	return z, nil
}

// instant reads a DateTime as the instant it stands for in zone from
// (nil: UTC, the local zone here): its wall clock in from. A DateTime
// written without a kind is UTC in this library, so a Utc one is not
// refused with a source zone as .NET refuses it: its wall clock is read
// in that zone.
func instant(a any, from *tzVal) (time.Time, error) {
	t, ok := a.(time.Time)
	if !ok {
		return time.Time{}, fail("expected a DateTime, not %s", expr.TypeName(a))
	}
	if from == nil || from.loc == time.UTC {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), from.loc).UTC(), nil
}

// wallClock is instant t in zone to: a Utc DateTime for UTC, else the
// zone's wall clock with Kind Unspecified, as .NET returns it.
func wallClock(t time.Time, to *tzVal) time.Time {
	if to.loc == time.UTC {
		return t.UTC()
	}
	w := t.In(to.loc)
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), unspecified)
}

// convertTime is ConvertTime(dateTime, [source,] destination).
func convertTime(a []any) (any, error) {
	var from *tzVal
	if len(a) == 3 {
		z, err := zoneArg(a[1])
		if err != nil {
			return nil, err
		}
		from = z
	}
	to, err := zoneArg(a[len(a)-1])
	if err != nil {
		return nil, err
	}
	t, err := instant(a[0], from)
	if err != nil {
		return nil, err
	}
	return wallClock(t, to), nil
}

// addTimeZone adds TimeZoneInfo, which APIM's table allows whole.
func addTimeZone(m, s map[string]expr.Members) {
	tyTZ := named("TimeZoneInfo")
	s["TimeZoneInfo"] = expr.Members{
		"Utc":   constant(tyTZ, utcZone),
		"Local": constant(tyTZ, utcZone),
		"FindSystemTimeZoneById": fn(tyTZ, 1, 1, func(_ any, a []any) (any, error) {
			return findZone(a[0])
		}),
		"ConvertTime": fn(tyDateTime, 2, 3, func(_ any, a []any) (any, error) { return convertTime(a) }),
		"ConvertTimeFromUtc": fn(tyDateTime, 2, 2, func(_ any, a []any) (any, error) {
			t, ok := a[0].(time.Time)
			if !ok {
				return nil, fail("expected a DateTime, not %s", expr.TypeName(a[0]))
			}
			if t.Location() != time.UTC && t.Location() != unspecified {
				return nil, fail("ArgumentException: The conversion could not be completed because the supplied DateTime did not have the Kind property set correctly.")
			}
			to, err := zoneArg(a[1])
			if err != nil {
				return nil, err
			}
			return wallClock(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), to), nil
		}),
		"ConvertTimeToUtc": fn(tyDateTime, 1, 2, func(_ any, a []any) (any, error) {
			var from *tzVal
			if len(a) == 2 {
				z, err := zoneArg(a[1])
				if err != nil {
					return nil, err
				}
				from = z
			}
			return instant(a[0], from)
		}),
		"ConvertTimeBySystemTimeZoneId": fn(tyDateTime, 2, 3, func(_ any, a []any) (any, error) {
			zs := make([]any, 0, 3)
			zs = append(zs, a[0])
			for _, id := range a[1:] {
				z, err := findZone(id)
				if err != nil {
					return nil, err
				}
				zs = append(zs, z)
			}
			return convertTime(zs)
		}),
	}
	offset := func(z *tzVal, t time.Time) time.Duration {
		_, off := t.In(z.loc).Zone()
		return time.Duration(off) * time.Second
	}
	at := func(z *tzVal, a any) (time.Time, error) {
		t, ok := a.(time.Time)
		if !ok {
			return time.Time{}, fail("expected a DateTime, not %s", expr.TypeName(a))
		}
		if t.Location() == time.UTC {
			return t, nil
		}
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), z.loc), nil
	}
	m["TimeZoneInfo"] = expr.Members{
		"Id":           val(tyString, func(r any) any { return r.(*tzVal).id }),
		"DisplayName":  val(tyString, func(r any) any { return r.(*tzVal).id }),
		"StandardName": val(tyString, func(r any) any { return r.(*tzVal).id }),
		"BaseUtcOffset": val(tyTimeSpan, func(r any) any {
			z := r.(*tzVal)
			// The offset in the middle of January and of July of
			// tzReferenceYear, the smaller being standard time in either
			// hemisphere.
			y := tzReferenceYear
			a, b := offset(z, time.Date(y, 1, 15, 0, 0, 0, 0, time.UTC)), offset(z, time.Date(y, 7, 15, 0, 0, 0, 0, time.UTC))
			return min(a, b)
		}),
		"SupportsDaylightSavingTime": val(tyBool, func(r any) any {
			z := r.(*tzVal)
			y := tzReferenceYear
			return offset(z, time.Date(y, 1, 15, 0, 0, 0, 0, time.UTC)) != offset(z, time.Date(y, 7, 15, 0, 0, 0, 0, time.UTC))
		}),
		"GetUtcOffset": fn(tyTimeSpan, 1, 1, func(r any, a []any) (any, error) {
			z := r.(*tzVal)
			t, err := at(z, a[0])
			if err != nil {
				return nil, err
			}
			return offset(z, t), nil
		}),
		"IsDaylightSavingTime": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			z := r.(*tzVal)
			t, err := at(z, a[0])
			if err != nil {
				return nil, err
			}
			return t.In(z.loc).IsDST(), nil
		}),
	}
}
