package dotnet

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// constructors returns what new T(...) makes for the library's types.
func constructors() map[string]*expr.Constructor {
	return map[string]*expr.Constructor{
		// new JObject { { "name", value }, ... } calls Add(name, value).
		"JObject": {Min: 0, Max: -1, Result: tyJObject, Make: func(a []any) (any, error) { return newJObject(a) }, OrElements: true,
			Entries: func(v, key, value any) error { return addProperty(v.(*JObject), key, value) }},
		"JArray":    {Min: 0, Max: -1, Result: tyJArray, Make: func(a []any) (any, error) { return newJArray(a) }},
		"JProperty": {Min: 2, Max: 2, Result: named("JProperty"), Make: func(a []any) (any, error) { return newJProperty(a[0], a[1]) }},
		"JValue":    {Min: 1, Max: 1, Result: tyJValue, Make: func(a []any) (any, error) { return jsonFromValue(a[0]) }},
		"Uri": {Min: 1, Max: 2, Result: named("Uri"), Make: func(a []any) (any, error) {
			if len(a) == 2 {
				if b, ok := a[0].(*Uri); ok {
					return b.resolve(expr.ToString(a[1]))
				}
			}
			return parseURI(expr.ToString(a[0]))
		}},
		"HMACSHA256": hmacCtor(sha256.New), "HMACSHA1": hmacCtor(sha1.New), "HMACSHA512": hmacCtor(sha512.New), "HMACMD5": hmacCtor(md5.New), "HMACSHA384": hmacCtor(sha512.New384),
		"DateTime":      {Min: 1, Max: 7, Result: tyDateTime, Make: newDateTime},
		"TimeSpan":      {Min: 3, Max: 5, Result: tyTimeSpan, Make: newTimeSpan},
		"Guid":          {Min: 1, Max: 1, Result: named("Guid"), Make: func(a []any) (any, error) { return expr.ParseGuid(expr.ToString(a[0])) }},
		"StringBuilder": {Min: 0, Max: 1, Result: named("StringBuilder"), Make: newStringBuilder},
		"XElement":      {Min: 1, Max: -1, Result: named("XElement"), Make: func(a []any) (any, error) { return newXElement(a) }},
		"XAttribute": {Min: 2, Max: 2, Result: named("XAttribute"), Make: func(a []any) (any, error) {
			return &XAttribute{Name: expr.ToString(a[0]), Value: expr.ToString(a[1])}, nil
		}},
		"Regex":             {Min: 1, Max: 2, Result: named("Regex"), Make: newRegex},
		"X509Certificate2":  {Min: 1, Max: 1, Result: named("X509Certificate2"), Make: newCertificate},
		"X509Certificate":   {Min: 1, Max: 1, Result: named("X509Certificate2"), Make: newCertificate},
		"HashAlgorithmName": {Min: 1, Max: 1, Result: named("HashAlgorithmName"), Make: newHashAlgorithmName},
		"Random":            {Min: 0, Max: 1, Result: named("Random"), Make: func([]any) (any, error) { return randomVal{}, nil }},
		"HashSet":           {Min: 0, Max: -1, Make: newHashSet},
		"Queue":             {Min: 0, Max: 1, Make: newSeqColl(false)},
		"Stack":             {Min: 0, Max: 1, Make: newSeqColl(true)},
		"Dictionary":        {Min: 0, Max: -1, Make: newDict, Entries: func(d, k, v any) error { return d.(*dictVal).add(k, v) }},
	}
}

func hmacCtor(h func() hash.Hash) *expr.Constructor {
	return &expr.Constructor{Min: 1, Max: 1, Result: named("HashAlgorithm"), Make: func(a []any) (any, error) {
		key, ok := a[0].([]byte)
		if !ok {
			return nil, fail("HMAC key must be byte[], not %s", expr.TypeName(a[0]))
		}
		k := append([]byte(nil), key...)
		return &hashAlg{h: func() hash.Hash { return hmac.New(h, k) }}, nil
	}}
}

// newDateTime is new DateTime(year, month, day[, hour, minute, second[, kind]]).
//
// As DateTimeOffset is DateTime here, it also builds new
// DateTimeOffset(dateTime) and new DateTimeOffset(year, month, day, hour,
// minute, second, offset): the instant, in UTC.
func newDateTime(a []any) (any, error) {
	if len(a) == 1 {
		if t, ok := a[0].(time.Time); ok {
			return t, nil
		}
		return nil, fail("DateTimeOffset constructor takes a DateTime, or year, month, day, hour, minute, second and an offset")
	}
	if len(a) < 3 {
		return nil, fail("DateTime constructor takes year, month, day[, hour, minute, second[, kind]]")
	}
	var offset time.Duration
	if d, ok := a[len(a)-1].(time.Duration); ok {
		if len(a) != 7 {
			return nil, fail("DateTimeOffset constructor takes year, month, day, hour, minute, second and an offset")
		}
		offset, a = d, a[:6]
	}
	var p [7]int
	for i, x := range a {
		n, ok := x.(int)
		if !ok {
			if _, isKind := x.(expr.Enum); isKind && i == len(a)-1 {
				continue
			}
			return nil, fail("DateTime constructor needs int arguments")
		}
		p[i] = n
	}
	if len(a) == 4 || len(a) == 5 {
		return nil, fail("DateTime constructor takes year, month, day[, hour, minute, second[, kind]]")
	}
	t := time.Date(p[0], time.Month(p[1]), p[2], p[3], p[4], p[5], 0, time.UTC)
	if t.Day() != p[2] || t.Month() != time.Month(p[1]) || p[0] < 1 || p[0] > 9999 {
		return nil, fail("year, month and day parameters describe an unrepresentable DateTime")
	}
	return t.Add(-offset), nil
}

// newTimeSpan is new TimeSpan(hours, minutes, seconds) or
// (days, hours, minutes, seconds, milliseconds).
func newTimeSpan(a []any) (any, error) {
	var p [5]int64
	for i, x := range a {
		n, ok := x.(int)
		if !ok {
			return nil, fail("TimeSpan constructor needs int arguments")
		}
		p[i] = int64(n)
	}
	if len(a) == 3 {
		return time.Duration(p[0])*time.Hour + time.Duration(p[1])*time.Minute + time.Duration(p[2])*time.Second, nil
	}
	return time.Duration(p[0])*24*time.Hour + time.Duration(p[1])*time.Hour + time.Duration(p[2])*time.Minute +
		time.Duration(p[3])*time.Second + time.Duration(p[4])*time.Millisecond, nil
}

func newStringBuilder(a []any) (any, error) {
	sb := &strBuilder{}
	if len(a) == 1 {
		if s, ok := a[0].(string); ok {
			sb.b.WriteString(s)
		}
	}
	return sb, nil
}

func newRegex(a []any) (any, error) {
	var o any
	if len(a) == 2 {
		o = a[1]
	}
	re, err := compileRegex(a[0], o)
	if err != nil {
		return nil, err
	}
	return &regexVal{re: re}, nil
}
