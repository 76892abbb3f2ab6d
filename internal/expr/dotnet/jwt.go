package dotnet

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Jwt is the result of AsJwt()/TryParseJwt(): a JSON Web Token parsed
// without validating its signature.
type Jwt struct {
	raw      string
	alg, typ string
	claims   map[string][]string
	exp, nbf *time.Time
	iat      *time.Time
}

// claims is Jwt.Claims: IReadOnlyDictionary<string, string[]>.
type claims map[string][]string

// BasicAuthCredentials is the result of AsBasic()/TryParseBasic().
type BasicAuthCredentials struct {
	UserID   string
	Password string
}

// Uri is a System.Uri.
type Uri struct{ u *url.URL }

// TypeName returns "Jwt".
func (*Jwt) TypeName() string { return "Jwt" }

// String returns the token as it was written.
func (j *Jwt) String() string { return j.raw }

// TypeName returns "IClaims".
func (claims) TypeName() string { return "IClaims" }

// String returns the type name, as .NET does for a dictionary.
func (c claims) String() string { return c.TypeName() }

// Enumerate returns the claims as KeyValuePairs of string[], by name.
func (c claims) Enumerate() []any { return expr.Pairs(c) }

// TypeName returns "BasicAuthCredentials".
func (*BasicAuthCredentials) TypeName() string { return "BasicAuthCredentials" }

// String returns the type name.
func (b *BasicAuthCredentials) String() string { return b.TypeName() }

// TypeName returns "Uri".
func (*Uri) TypeName() string { return "Uri" }

// String returns the URI, as Uri.ToString() does.
func (u *Uri) String() string { return u.u.String() }

var jwtAlgs = []jose.SignatureAlgorithm{
	jose.EdDSA, jose.HS256, jose.HS384, jose.HS512, jose.RS256, jose.RS384, jose.RS512,
	jose.ES256, jose.ES384, jose.ES512, jose.PS256, jose.PS384, jose.PS512,
}

// ParseJwt parses a compact JWS, with or without a "Bearer " prefix,
// without validating its signature, as AsJwt() does. The validate-jwt
// policy can store the result in Variables for expressions to read.
func ParseJwt(s string) (*Jwt, error) { return parseJwt(s) }

// Claims returns the claims of j by name; a claim with an array value has
// several values. The map must not be modified.
func (j *Jwt) Claims() map[string][]string { return j.claims }

// parseJwt parses a compact JWS, with or without a "Bearer " prefix.
func parseJwt(s string) (*Jwt, error) {
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "bearer ") {
		s = strings.TrimSpace(s[7:])
	}
	tok, err := jwt.ParseSigned(s, jwtAlgs)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := tok.UnsafeClaimsWithoutVerification(&raw); err != nil {
		return nil, err
	}
	j := &Jwt{raw: s, claims: map[string][]string{}}
	if len(tok.Headers) > 0 {
		j.alg = tok.Headers[0].Algorithm
		if t, ok := tok.Headers[0].ExtraHeaders["typ"].(string); ok {
			j.typ = t
		}
	}
	for k, v := range raw {
		j.claims[k] = claimStrings(v)
	}
	j.exp, j.nbf, j.iat = numericDate(raw["exp"]), numericDate(raw["nbf"]), numericDate(raw["iat"])
	return j, nil
}

func claimStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, claimStrings(e)...)
		}
		return out
	case float64:
		if x == float64(int64(x)) {
			return []string{strconv.FormatInt(int64(x), 10)}
		}
		return []string{expr.ToString(x)}
	case bool:
		return []string{strconv.FormatBool(x)}
	case nil:
		return []string{""}
	}
	b, _ := json.Marshal(v)
	return []string{string(b)}
}

func numericDate(v any) *time.Time {
	f, ok := v.(float64)
	if !ok {
		return nil
	}
	t := time.Unix(int64(f), 0).UTC()
	return &t
}

func (j *Jwt) first(name string) any {
	if v := j.claims[name]; len(v) > 0 {
		return v[0]
	}
	return nil
}

func optDate(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// parseBasic decodes an Authorization header value "Basic base64(user:password)".
func parseBasic(s string) (*BasicAuthCredentials, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 6 && strings.EqualFold(s[:6], "basic ") {
		s = strings.TrimSpace(s[6:])
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	user, pass, ok := strings.Cut(string(b), ":")
	if !ok {
		return nil, false
	}
	return &BasicAuthCredentials{UserID: user, Password: pass}, true
}

func addJwtMembers(m map[string]expr.Members) {
	j := func(r any) *Jwt { return r.(*Jwt) }
	m["Jwt"] = expr.Members{
		"Id":             val(tyString, func(r any) any { return j(r).first("jti") }),
		"Issuer":         val(tyString, func(r any) any { return j(r).first("iss") }),
		"Subject":        val(tyString, func(r any) any { return j(r).first("sub") }),
		"Audiences":      val(tyStrings, func(r any) any { return append([]string{}, j(r).claims["aud"]...) }),
		"ExpirationTime": val(tyDateTime, func(r any) any { return optDate(j(r).exp) }),
		"NotBefore":      val(tyDateTime, func(r any) any { return optDate(j(r).nbf) }),
		"IssuedAt":       val(tyDateTime, func(r any) any { return optDate(j(r).iat) }),
		"Algorithm":      val(tyString, func(r any) any { return j(r).alg }),
		"Type":           val(tyString, func(r any) any { return j(r).typ }),
		"Claims":         val(expr.NewType("IClaims", expr.TypeOptions{Elem: named("KeyValuePair")}), func(r any) any { return claims(j(r).claims) }),
	}
	cl := func(r any) map[string][]string { return r.(claims) }
	m["IClaims"] = expr.Members{
		"GetValueOrDefault": fn(tyString, 1, 2, func(r any, a []any) (any, error) {
			name, err := str(a[0], "claimName")
			if err != nil {
				return nil, err
			}
			if v := cl(r)[name]; len(v) > 0 {
				return v[0], nil
			}
			return defaultString(a)
		}),
		"[]": fn(tyStrings, 1, 1, func(r any, a []any) (any, error) {
			name, err := str(a[0], "claimName")
			if err != nil {
				return nil, err
			}
			v, ok := cl(r)[name]
			if !ok {
				return nil, fail("the given key '%s' was not present in the dictionary", name)
			}
			return v, nil
		}),
		"ContainsKey": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			name, err := str(a[0], "claimName")
			_, ok := cl(r)[name]
			return ok, err
		}),
		"TryGetValue": fn(tyBool, 2, 2, func(r any, a []any) (any, error) {
			name, err := str(a[0], "claimName")
			if err != nil {
				return nil, err
			}
			o, isOut := a[1].(expr.Out)
			if !isOut {
				return nil, fail("TryGetValue needs an out argument")
			}
			v, ok := cl(r)[name]
			if ok {
				o.Set(v)
			} else {
				o.Set(nil)
			}
			return ok, nil
		}),
		"Keys": val(expr.ArrayOf(tyString), func(r any) any {
			keys := make([]string, 0, len(cl(r)))
			for k := range cl(r) {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return keys
		}),
	}
	m["BasicAuthCredentials"] = expr.Members{
		"UserId":   val(tyString, func(r any) any { return r.(*BasicAuthCredentials).UserID }),
		"Password": val(tyString, func(r any) any { return r.(*BasicAuthCredentials).Password }),
	}
}

// parseURI implements new Uri(s): an absolute URI.
func parseURI(s string) (*Uri, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || !u.IsAbs() {
		return nil, fail("invalid URI: the format of the URI could not be determined (%q)", s)
	}
	return &Uri{u: u}, nil
}

func (b *Uri) resolve(rel string) (*Uri, error) {
	r, err := url.Parse(rel)
	if err != nil {
		return nil, fail("invalid URI %q", rel)
	}
	return &Uri{u: b.u.ResolveReference(r)}, nil
}

func (b *Uri) port() int {
	if p := b.u.Port(); p != "" {
		n, _ := strconv.Atoi(p)
		return n
	}
	switch b.u.Scheme {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	}
	return -1
}

func addURIMembers(m map[string]expr.Members) {
	u := func(r any) *Uri { return r.(*Uri) }
	path := func(r any) string {
		if p := u(r).u.EscapedPath(); p != "" {
			return p
		}
		return "/"
	}
	query := func(r any) string {
		if u(r).u.RawQuery == "" && !u(r).u.ForceQuery {
			return ""
		}
		return "?" + u(r).u.RawQuery
	}
	m["Uri"] = expr.Members{
		"Host":         val(tyString, func(r any) any { return u(r).u.Hostname() }),
		"Scheme":       val(tyString, func(r any) any { return u(r).u.Scheme }),
		"Port":         val(tyInt, func(r any) any { return u(r).port() }),
		"AbsolutePath": val(tyString, func(r any) any { return path(r) }),
		"Query":        val(tyString, func(r any) any { return query(r) }),
		"PathAndQuery": val(tyString, func(r any) any { return path(r) + query(r) }),
		"Fragment": val(tyString, func(r any) any {
			return map[bool]string{true: "#" + u(r).u.EscapedFragment(), false: ""}[u(r).u.Fragment != ""]
		}),
		"AbsoluteUri":    val(tyString, func(r any) any { return u(r).u.String() }),
		"OriginalString": val(tyString, func(r any) any { return u(r).u.String() }),
		"Authority":      val(tyString, func(r any) any { return u(r).u.Host }),
		"IsAbsoluteUri":  val(tyBool, func(r any) any { return u(r).u.IsAbs() }),
		"UserInfo":       val(tyString, func(r any) any { return u(r).u.User.String() }),
		"Segments": val(tyStrings, func(r any) any {
			p := path(r)
			var out []string
			for len(p) > 0 {
				i := strings.IndexByte(p[1:], '/')
				if p == "/" || i < 0 {
					out = append(out, p)
					break
				}
				if len(out) == 0 && p[0] == '/' {
					out = append(out, "/")
					p = p[1:]
					continue
				}
				out = append(out, p[:i+2])
				p = p[i+2:]
			}
			return out
		}),
		"GetLeftPart": fn(tyString, 1, 1, func(r any, a []any) (any, error) {
			k, _ := a[0].(expr.Enum)
			x := u(r).u
			switch k.Name {
			case "Scheme":
				return x.Scheme + "://", nil
			case "Authority":
				return x.Scheme + "://" + x.Host, nil
			case "Path":
				return x.Scheme + "://" + x.Host + path(r), nil
			}
			return x.Scheme + "://" + x.Host + path(r) + query(r), nil
		}),
	}
}

// defaultString returns the optional string default argument of GetValueOrDefault.
func defaultString(a []any) (any, error) {
	if len(a) < 2 || a[1] == nil {
		return nil, nil
	}
	if s, ok := a[1].(string); ok {
		return s, nil
	}
	return nil, fail("defaultValue must be a string, not %s", expr.TypeName(a[1]))
}
