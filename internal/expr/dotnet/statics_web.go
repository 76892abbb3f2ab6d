package dotnet

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"math/rand/v2"
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/expr"
)

func hashStatic(h func() hash.Hash) expr.Members {
	return expr.Members{
		"Create": fn(named("HashAlgorithm"), 0, 0, func(any, []any) (any, error) { return &hashAlg{h: h}, nil }),
		"HashData": fn(tyBytes, 1, 1, func(_ any, a []any) (any, error) {
			b, err := toBytes(a[0])
			if err != nil {
				return nil, err
			}
			x := h()
			x.Write(b)
			return x.Sum(nil), nil
		}),
	}
}

func addMiscStatics(s map[string]expr.Members) {
	s["Encoding"] = expr.Members{
		"UTF8":    constant(named("Encoding"), encodingVal{"UTF8"}),
		"ASCII":   constant(named("Encoding"), encodingVal{"ASCII"}),
		"Unicode": constant(named("Encoding"), encodingVal{"Unicode"}),
		"Default": constant(named("Encoding"), encodingVal{"UTF8"}),
	}
	s["Guid"] = expr.Members{
		"NewGuid": fn(tyGuid, 0, 0, func(any, []any) (any, error) {
			var g expr.Guid
			for i := 0; i < 16; i += 8 {
				v := rand.Uint64()
				for j := 0; j < 8; j++ {
					g[i+j] = byte(v >> (8 * j))
				}
			}
			g[6] = g[6]&0x0f | 0x40
			g[8] = g[8]&0x3f | 0x80
			return g, nil
		}),
		"Empty": constant(tyGuid, expr.Guid{}),
		"Parse": fn(tyGuid, 1, 1, func(_ any, a []any) (any, error) {
			v, err := str(a[0], "input")
			if err != nil {
				return nil, err
			}
			g, err := expr.ParseGuid(v)
			if err != nil {
				return nil, fail("%v", err)
			}
			return g, nil
		}),
		"TryParse": fn(tyBool, 2, 2, func(_ any, a []any) (any, error) {
			o, ok := a[1].(expr.Out)
			if !ok {
				return nil, fail("TryParse needs an out argument")
			}
			v, _ := a[0].(string)
			g, err := expr.ParseGuid(v)
			o.Set(g)
			return err == nil, nil
		}),
	}
	s["Uri"] = expr.Members{
		"EscapeDataString": fn(tyString, 1, 1, func(_ any, a []any) (any, error) {
			v, err := str(a[0], "stringToEscape")
			if err != nil {
				return nil, err
			}
			return escapeData(v), nil
		}),
		"EscapeUriString": fn(tyString, 1, 1, func(_ any, a []any) (any, error) {
			v, err := str(a[0], "stringToEscape")
			if err != nil {
				return nil, err
			}
			return (&url.URL{Path: v}).EscapedPath(), nil
		}),
		"UnescapeDataString": fn(tyString, 1, 1, func(_ any, a []any) (any, error) {
			v, err := str(a[0], "stringToUnescape")
			if err != nil {
				return nil, err
			}
			return unescapeData(v), nil
		}),
		"IsWellFormedUriString": fn(tyBool, 2, 2, func(_ any, a []any) (any, error) {
			v, _ := a[0].(string)
			k, _ := a[1].(expr.Enum)
			u, err := url.Parse(v)
			if err != nil || strings.ContainsAny(v, " \"<>") {
				return false, nil
			}
			if k.Name == "Absolute" {
				return u.IsAbs() && u.Host != "", nil
			}
			if k.Name == "Relative" {
				return !u.IsAbs(), nil
			}
			return true, nil
		}),
		"TryCreate": fn(tyBool, 3, 3, func(_ any, a []any) (any, error) {
			o, ok := a[2].(expr.Out)
			if !ok {
				return nil, fail("TryCreate needs an out argument")
			}
			v, _ := a[0].(string)
			u, err := parseURI(v)
			if err != nil {
				o.Set(nil)
				return false, nil
			}
			o.Set(u)
			return true, nil
		}),
	}
	s["UriKind"] = enumTable("UriKind", "RelativeOrAbsolute", "Absolute", "Relative")
	s["UriPartial"] = enumTable("UriPartial", "Scheme", "Authority", "Path", "Query")
	s["WebUtility"] = expr.Members{
		"UrlEncode": fn(tyString, 1, 1, func(_ any, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			v, err := str(a[0], "value")
			if err != nil {
				return nil, err
			}
			return url.QueryEscape(v), nil
		}),
		"UrlDecode": fn(tyString, 1, 1, func(_ any, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			v, err := str(a[0], "value")
			if err != nil {
				return nil, err
			}
			return unescapeData(strings.ReplaceAll(v, "+", " ")), nil
		}),
		"HtmlEncode": fn(tyString, 1, 1, func(_ any, a []any) (any, error) { return xmlEscape(expr.ToString(a[0])), nil }),
		"HtmlDecode": fn(tyString, 1, 1, func(_ any, a []any) (any, error) { return htmlUnescape(expr.ToString(a[0])), nil }),
	}
	s["BitConverter"] = expr.Members{
		"ToString": fn(tyString, 1, 3, func(_ any, a []any) (any, error) {
			b, err := toBytes(a[0])
			if err != nil {
				return nil, err
			}
			parts := make([]string, len(b))
			for i, c := range b {
				parts[i] = strings.ToUpper(pad2hex(c))
			}
			return strings.Join(parts, "-"), nil
		}),
		"GetBytes": fn(tyBytes, 1, 1, func(_ any, a []any) (any, error) {
			var n uint64
			size := 4
			switch v := a[0].(type) {
			case int:
				n = uint64(uint32(v))
			case int64:
				n, size = uint64(v), 8
			case bool:
				size = 1
				if v {
					n = 1
				}
			default:
				return nil, fail("BitConverter.GetBytes does not support %s", expr.TypeName(a[0]))
			}
			out := make([]byte, size)
			for i := range out {
				out[i] = byte(n >> (8 * i))
			}
			return out, nil
		}),
	}
	s["SHA256"] = hashStatic(sha256.New)
	s["SHA1"] = hashStatic(sha1.New)
	s["SHA512"] = hashStatic(sha512.New)
	s["SHA384"] = hashStatic(sha512.New384)
	s["MD5"] = hashStatic(md5.New)
	s["Formatting"] = enumTable("Formatting", "None", "Indented")
	s["MidpointRounding"] = enumTable("MidpointRounding", "ToEven", "AwayFromZero")
}

func pad2hex(c byte) string {
	const hex = "0123456789abcdef"
	return string([]byte{hex[c>>4], hex[c&15]})
}

// escapeData implements Uri.EscapeDataString (RFC 3986 unreserved characters stay).
func escapeData(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteString(strings.ToUpper(pad2hex(c)))
	}
	return b.String()
}

// unescapeData implements Uri.UnescapeDataString: invalid escapes stay as they are.
func unescapeData(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, byte(hexVal(s[i+1])<<4|hexVal(s[i+2])))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func htmlUnescape(s string) string {
	r := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", "\"", "&#39;", "'", "&apos;", "'", "&amp;", "&")
	return r.Replace(s)
}

func encode(enc string, s string) []byte {
	switch enc {
	case "ASCII":
		out := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 127 {
				r = '?'
			}
			out = append(out, byte(r))
		}
		return out
	case "Unicode":
		u := utf16.Encode([]rune(s))
		out := make([]byte, 2*len(u))
		for i, c := range u {
			out[2*i], out[2*i+1] = byte(c), byte(c>>8)
		}
		return out
	}
	return []byte(s)
}

func decode(enc string, b []byte) string {
	switch enc {
	case "ASCII":
		rs := make([]rune, len(b))
		for i, c := range b {
			if c > 127 {
				c = '?'
			}
			rs[i] = rune(c)
		}
		return string(rs)
	case "Unicode":
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return string(utf16.Decode(u))
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
