package dotnet

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// fileTimeEpoch is 1601-01-01 in Unix seconds: Windows file times count
// 100-nanosecond ticks from it.
const fileTimeEpoch = -11644473600

// addCommonExtras adds a few members of the common .NET types: Math.Clamp
// and DivRem, Encoding.GetByteCount, WebUtility.UrlEncodeToBytes and
// UrlDecodeToBytes, TimeSpan.Compare, DateTime.FromFileTimeUtc, and Uri's
// LocalPath, IsDefaultPort and DnsSafeHost.
func addCommonExtras(m, s map[string]expr.Members) {
	mmax, mmin := s["Math"]["Max"], s["Math"]["Min"]
	s["Math"]["Clamp"] = &expr.Member{Result: mmax.Result, ResultOf: mmax.ResultOf, Min: 3, Max: 3, Call: func(e *expr.Env, _ any, a []any, targs []*expr.Type) (any, error) {
		if c, err := expr.Compare(a[1], a[2]); err == nil && c > 0 {
			return nil, fail("Math.Clamp: min %s cannot be greater than max %s", expr.ToString(a[1]), expr.ToString(a[2]))
		}
		low, err := mmin.Call(e, nil, []any{a[0], a[2]}, targs)
		if err != nil {
			return nil, err
		}
		return mmax.Call(e, nil, []any{low, a[1]}, targs)
	}}
	s["Math"]["DivRem"] = fn(tyInt, 3, 3, func(_ any, a []any) (any, error) {
		x, err1 := intArg(a[0], "a")
		y, err2 := intArg(a[1], "b")
		o, ok := a[2].(expr.Out)
		if err1 != nil || err2 != nil || !ok {
			return nil, fail("Math.DivRem takes two ints and an out int")
		}
		if y == 0 {
			return nil, fail("attempted to divide by zero")
		}
		o.Set(int(int32(x) % int32(y)))
		return int(int32(x) / int32(y)), nil
	})
	m["Encoding"]["GetByteCount"] = fn(tyInt, 1, 1, func(r any, a []any) (any, error) {
		v, err := str(a[0], "s")
		if err != nil {
			return nil, err
		}
		return len(encode(r.(encodingVal).name, v)), nil
	})
	s["WebUtility"]["UrlEncodeToBytes"] = fn(tyBytes, 3, 3, func(_ any, a []any) (any, error) {
		b, err := webBytes(a, "UrlEncodeToBytes")
		if b == nil || err != nil {
			return nil, err
		}
		return []byte(url.QueryEscape(string(b))), nil
	})
	s["WebUtility"]["UrlDecodeToBytes"] = fn(tyBytes, 3, 3, func(_ any, a []any) (any, error) {
		b, err := webBytes(a, "UrlDecodeToBytes")
		if b == nil || err != nil {
			return nil, err
		}
		v, err := url.QueryUnescape(string(b))
		if err != nil {
			return []byte(unescapeData(string(b))), nil
		}
		return []byte(v), nil
	})
	s["TimeSpan"]["Compare"] = fn(tyInt, 2, 2, func(_ any, a []any) (any, error) {
		x, ok1 := a[0].(time.Duration)
		y, ok2 := a[1].(time.Duration)
		if !ok1 || !ok2 {
			return nil, fail("TimeSpan.Compare takes two TimeSpans")
		}
		switch {
		case x < y:
			return -1, nil
		case x > y:
			return 1, nil
		}
		return 0, nil
	})
	s["DateTime"]["FromFileTimeUtc"] = fn(tyDateTime, 1, 1, func(_ any, a []any) (any, error) {
		ft, _, _, ok := expr.Numeric(a[0])
		if !ok || ft < 0 {
			return nil, fail("DateTime.FromFileTimeUtc: not a valid Win32 file time: %s", expr.ToString(a[0]))
		}
		return time.Unix(fileTimeEpoch+ft/1e7, (ft%1e7)*100).UTC(), nil
	})
	u := func(r any) *Uri { return r.(*Uri) }
	m["Uri"]["LocalPath"] = val(tyString, func(r any) any {
		if p := u(r).u.Path; p != "" {
			return p
		}
		return "/"
	})
	m["Uri"]["IsDefaultPort"] = val(tyBool, func(r any) any {
		p := u(r).u.Port()
		if p == "" {
			return true
		}
		n, _ := strconv.Atoi(p)
		return n == (&Uri{u: &url.URL{Scheme: u(r).u.Scheme}}).port()
	})
	m["Uri"]["DnsSafeHost"] = val(tyString, func(r any) any { return u(r).u.Hostname() })
}

// webBytes reads the (bytes, offset, count) arguments of WebUtility's byte
// methods; a null array gives null.
func webBytes(a []any, name string) ([]byte, error) {
	if a[0] == nil {
		return nil, nil
	}
	b, err := toBytes(a[0])
	if err != nil {
		return nil, err
	}
	b, err = byteRange(b, a[1:], "WebUtility."+name)
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}
