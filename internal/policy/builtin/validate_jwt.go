package builtin

import (
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/expr/dotnet"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// jwtAlgs are the signature algorithms validate-jwt accepts. "none" is
// never among them: an unsigned token is always refused.
var jwtAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.HS256, jose.HS384, jose.HS512,
}

// validateJWT implements <validate-jwt>: the token comes from header-name
// (default Authorization; with require-scheme its value must be "SCHEME
// token", else a "Bearer " prefix is dropped), query-parameter-name or
// token-value. Its signature must verify with a key of <openid-config
// url="..."/> or <issuer-signing-keys> (<key>base64</key> for HS256/384/512,
// <key id="..." n="..." e="..."/> for RSA); it must not be expired or not
// yet valid (clock-skew seconds of tolerance) and, unless
// require-expiration-time="false", must have an expiry. Its issuer must be
// one of <issuers> and of the openid-configs' issuers (when any are
// given), its audiences must include one of <audiences> (when given), and
// its claims must satisfy <required-claims>. A refused token ends the
// pipeline with failed-validation-httpcode (401) and {"statusCode": 401,
// "message": failed-validation-error-message}; a 401 carries
// WWW-Authenticate. output-token-variable-name receives the token as an
// *dotnet.Jwt, what AsJwt() returns.
type validateJWT struct {
	source     tokenSource
	code       int
	message    policy.Value
	requireExp bool
	skew       time.Duration
	output     string
	keys       []jwtKey
	openID     []*openIDKeys
	issuers    []string
	audiences  []string
	claims     []requiredClaim
	accepted   acceptedTokens
	// check, when set, replaces the issuer check: it gets the verified
	// token's claims and the openid-configs' issuers (validate-azure-ad-token).
	check func(std *jwt.Claims, all map[string]any, discovered []string) jwtFailure
}

var _ policy.Step = (*validateJWT)(nil)

// jwtKey is one key of <issuer-signing-keys>: []byte or *rsa.PublicKey.
type jwtKey struct {
	id  string
	key any
}

func compileValidateJWT(client *http.Client) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "header-name", "query-parameter-name", "token-value", "require-scheme",
			"failed-validation-httpcode", "failed-validation-error-message", "require-expiration-time",
			"require-signed-tokens", "clock-skew", "output-token-variable-name")
		requireInbound(n, c)
		v := &validateJWT{source: compileTokenSource(n, c)}
		v.code = compileStatus(n, c, "failed-validation-httpcode", http.StatusUnauthorized, false)
		v.message, _ = c.Attr(n, "failed-validation-error-message", false)
		v.requireExp = compileBool(n, c, "require-expiration-time", true)
		if !compileBool(n, c, "require-signed-tokens", true) {
			a, _ := n.Attr("require-signed-tokens")
			c.AttrErrorf(n, a, "unsigned tokens are always refused; remove the attribute or set it to true")
		}
		if s, a, ok := c.Literal(n, "clock-skew", false); ok {
			secs, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || secs < 0 {
				c.AttrErrorf(n, a, "%q: want whole seconds, 0 or more", s)
			}
			v.skew = time.Duration(secs) * time.Second
		}
		v.output, _, _ = c.Literal(n, "output-token-variable-name", false)
		v.compileChildren(n, c, client)
		if len(v.keys)+len(v.openID) == 0 {
			c.Errorf(n, "no signing keys: add <openid-config url=\"...\"/> or <issuer-signing-keys>")
		}
		return v
	}
}

// compileChildren compiles the child elements of <validate-jwt>.
func (v *validateJWT) compileChildren(n *policy.Node, c *policy.Compiler, client *http.Client) {
	seen := map[string]bool{}
	for _, ch := range n.Children {
		if seen[ch.Name] && ch.Name != "openid-config" {
			c.Errorf(ch, "<%s> appears twice", ch.Name)
			continue
		}
		seen[ch.Name] = true
		switch ch.Name {
		case "openid-config":
			c.Only(ch, "url")
			raw, a, ok := c.Literal(ch, "url", true)
			if u, err := url.Parse(raw); ok && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
				c.AttrErrorf(ch, a, "%q is not an absolute http or https URL", raw)
			}
			v.openID = append(v.openID, &openIDKeys{url: raw, client: client})
		case "issuer-signing-keys":
			c.Only(ch)
			for _, k := range ch.Children {
				if key, ok := compileJWTKey(k, c); ok {
					v.keys = append(v.keys, key)
				}
			}
		case "audiences":
			c.Only(ch)
			v.audiences = textList(ch, c, "audience")
		case "issuers":
			c.Only(ch)
			v.issuers = textList(ch, c, "issuer")
		case "required-claims":
			c.Only(ch)
			v.claims = compileRequiredClaims(ch, c)
		case "decryption-keys":
			c.Errorf(ch, "encrypted tokens are not supported")
		default:
			c.Errorf(ch, "only <openid-config>, <issuer-signing-keys>, <audiences>, <issuers> and <required-claims> belong in <validate-jwt>")
		}
	}
}

// compileJWTKey compiles one <key>: base64 text (a symmetric key), n
// and e attributes (an RSA public key, base64url as in a JWK) or
// certificate-id (the public key, RSA or EC, of a certificate resource).
func compileJWTKey(k *policy.Node, c *policy.Compiler) (jwtKey, bool) {
	if k.Name != "key" {
		c.Errorf(k, "only <key> elements belong in <issuer-signing-keys>")
		return jwtKey{}, false
	}
	c.Only(k, "id", "n", "e", "certificate-id")
	id, _, _ := c.Literal(k, "id", false)
	if certID, a, ok := c.Literal(k, "certificate-id", false); ok {
		env := c.Env()
		c.Refer(k, a.Pos, "certificates", strings.TrimSpace(certID))
		cert := env.Certificates[strings.ToLower(strings.TrimSpace(certID))]
		if cert == nil && !env.AnyCertificate {
			c.AttrErrorf(k, a, "there is no certificate %q", certID)
			return jwtKey{}, false
		}
		if cert == nil || cert.Public == nil {
			// Compiled to be checked only: a key that verifies nothing
			// stands in for the one the gateway will have.
			return jwtKey{id: id}, true
		}
		return jwtKey{id: id, key: cert.Public}, true
	}
	nStr, _, hasN := c.Literal(k, "n", false)
	eStr, _, hasE := c.Literal(k, "e", false)
	if hasN || hasE {
		pub, err := rsaKey(nStr, eStr)
		if err != nil || strings.TrimSpace(k.Text) != "" {
			if err == nil {
				err = errors.New("give either n and e or a base64 text, not both")
			}
			c.Errorf(k, "%v", err)
			return jwtKey{}, false
		}
		return jwtKey{id: id, key: pub}, true
	}
	if opaqueAttr(k, "") {
		// Compiled to be checked only: a key that verifies nothing
		// stands in for the named value's key.
		return jwtKey{id: id}, true
	}
	text, ok := literalText(k, c)
	if !ok {
		return jwtKey{}, false
	}
	secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(secret) == 0 {
		c.Errorf(k, "the key must be base64 (a symmetric key), or have n and e attributes (an RSA key)")
		return jwtKey{}, false
	}
	return jwtKey{id: id, key: secret}, true
}

// rsaKey builds an RSA public key from a JWK's base64url n and e.
func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(n, "="))
	if err != nil || len(nb) < 128 {
		return nil, errors.New("n must be a base64url RSA modulus of at least 1024 bits")
	}
	eb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(e, "="))
	if err != nil || len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("e must be a base64url RSA exponent")
	}
	exp := int(new(big.Int).SetBytes(eb).Int64())
	if exp < 3 || exp%2 == 0 {
		return nil, errors.New("e must be an odd RSA exponent of at least 3")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: exp}, nil
}

// textList compiles the children called item of n, literal texts.
func textList(n *policy.Node, c *policy.Compiler, item string) []string {
	var out []string
	for _, ch := range n.Children {
		if ch.Name != item {
			c.Errorf(ch, "only <%s> elements belong in <%s>", item, n.Name)
			continue
		}
		c.Only(ch)
		if s, ok := literalText(ch, c); ok {
			out = append(out, strings.TrimSpace(s))
		}
	}
	if len(out) == 0 {
		c.Errorf(n, "at least one <%s> is required", item)
	}
	return out
}

func (v *validateJWT) Do(c *policy.Context) error {
	raw, err := v.source.token(c)
	if err != nil {
		return err
	}
	if raw == "" {
		return v.refuse(c, jwtFailure{"TokenNotFound", "JWT not present."}, "")
	}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	e, ok := v.accepted.get(raw, now)
	if !ok {
		var f jwtFailure
		if f, e, err = v.validate(c, raw, now); err != nil {
			return err
		}
		if f.reason != "" {
			return v.refuse(c, f, "invalid_token")
		}
		if v.output != "" {
			if e.jwt, err = dotnet.ParseJwt(raw); err != nil {
				return fmt.Errorf("output token: %w", err)
			}
		}
		v.accepted.put(raw, e)
	} else if f := v.checkLifetime(e.expiry, e.notBefore, now); f.reason != "" {
		return v.refuse(c, f, "invalid_token")
	}
	if v.output != "" {
		c.SetVariable(v.output, e.jwt)
	}
	return nil
}

// jwtFailure is why validate-jwt refuses a token: APIM's reason code and
// message, which on-error sees in context.LastError (the client gets only
// failed-validation-error-message). The zero value is no failure.
type jwtFailure struct{ reason, message string }

// refuse refuses the request with the failure response; oauthErr is the
// WWW-Authenticate error code (empty for a missing token).
func (v *validateJWT) refuse(c *policy.Context, f jwtFailure, oauthErr string) error {
	if c.Trace != nil {
		c.Trace("validate-jwt", "token refused: "+f.message)
	}
	msg := "Unauthorized"
	if v.message.IsSet() {
		var err error
		if msg, err = v.message.String(c); err != nil {
			return err
		}
	}
	var h http.Header
	if v.code == http.StatusUnauthorized {
		challenge := v.source.scheme()
		if oauthErr != "" {
			challenge += ` error="` + oauthErr + `"`
		}
		h = http.Header{"Www-Authenticate": {challenge}}
	}
	return refuse(v.code, f.reason, f.message, msg, h)
}

// validate checks raw at now and returns why it is refused (the zero
// failure when valid) or, when valid, what to keep of it. An error is a
// failure to check (the openid-config cannot be fetched).
func (v *validateJWT) validate(c *policy.Context, raw string, now time.Time) (jwtFailure, *acceptedToken, error) {
	tok, err := jwt.ParseSigned(raw, jwtAlgs)
	if err != nil || len(tok.Headers) != 1 {
		return jwtFailure{"JwtInvalid", "JWT is malformed or not signed with a supported algorithm."}, nil, nil
	}
	kid := tok.Headers[0].KeyID
	var std jwt.Claims
	var all map[string]any
	dst := []any{&std}
	if len(v.claims) > 0 || v.check != nil {
		dst = append(dst, &all) // decoded twice: only when claims are required
	}
	verified, kidKnown, issuers := false, false, slices.Clone(v.issuers)
	for _, k := range v.keys {
		if k.key == nil {
			continue // a stand-in of a document compiled to be checked
		}
		if kid == "" || k.id == "" || k.id == kid {
			kidKnown = true
			if tok.Claims(k.key, dst...) == nil {
				verified = true
				break
			}
		}
	}
	for _, o := range v.openID {
		iss, keys, err := o.lookup(c, kid, now)
		if err != nil {
			return jwtFailure{}, nil, err
		}
		if iss != "" {
			issuers = append(issuers, iss)
		}
		for _, k := range keys {
			if kid == "" || k.KeyID == kid {
				kidKnown = true
				if !verified && tok.Claims(k.Key, dst...) == nil {
					verified = true
				}
			}
		}
	}
	switch {
	case !kidKnown:
		return jwtFailure{"TokenSignatureKeyNotFound", "Signature key with kid " + strconv.Quote(kid) + " was not found."}, nil, nil
	case !verified:
		return jwtFailure{"TokenSignatureInvalid", "Signature validation failed."}, nil, nil
	}
	if f := v.checkClaims(&std, all, issuers, now); f.reason != "" {
		return f, nil, nil
	}
	e := &acceptedToken{until: now.Add(acceptedFor)}
	e.expiry, e.notBefore = lifetimeOf(&std)
	if e.expiry != nil && e.expiry.Add(v.skew).Before(e.until) {
		e.until = e.expiry.Add(v.skew)
	}
	return jwtFailure{}, e, nil
}

// checkLifetime checks a token's expiry and not-before times at now.
func (v *validateJWT) checkLifetime(expiry, notBefore *time.Time, now time.Time) jwtFailure {
	switch {
	case expiry == nil && v.requireExp:
		return jwtFailure{"JwtInvalid", "Lifetime validation failed. The token has no expiration time."}
	case expiry != nil && now.After(expiry.Add(v.skew)):
		return jwtFailure{"TokenExpired", "Lifetime validation failed. The token is expired."}
	case notBefore != nil && now.Add(v.skew).Before(*notBefore):
		return jwtFailure{"JwtInvalid", "Lifetime validation failed. The token is not yet valid."}
	}
	return jwtFailure{}
}

// checkClaims checks a verified token's registered and required claims.
func (v *validateJWT) checkClaims(std *jwt.Claims, all map[string]any, issuers []string, now time.Time) jwtFailure {
	expiry, notBefore := lifetimeOf(std)
	if f := v.checkLifetime(expiry, notBefore, now); f.reason != "" {
		return f
	}
	if v.check != nil {
		if f := v.check(std, all, issuers); f.reason != "" {
			return f
		}
	}
	switch {
	case v.check == nil && len(issuers) > 0 && !slices.Contains(issuers, std.Issuer):
		return jwtFailure{"TokenIssuerNotAllowed", "Issuer validation failed."}
	case len(v.audiences) > 0 && !slices.ContainsFunc(v.audiences, std.Audience.Contains):
		return jwtFailure{"TokenAudienceNotAllowed", "Audience validation failed."}
	}
	var missing []string
	for _, rc := range v.claims {
		if _, ok := all[rc.name]; !ok {
			missing = append(missing, rc.name)
		}
	}
	if len(missing) > 0 {
		return jwtFailure{"TokenClaimNotFound", "JWT is missing the following claims: " + strings.Join(missing, ", ") + ". Access denied."}
	}
	for _, rc := range v.claims {
		if !rc.satisfied(all) {
			got := strings.Join(claimValues(all[rc.name]), ",")
			return jwtFailure{"TokenClaimValueNotAllowed", "Claim " + rc.name + " value of " + got + " is not allowed. Access denied."}
		}
	}
	return jwtFailure{}
}

// tokenSource is where validate-jwt finds the token.
type tokenSource struct {
	header        string // canonical; empty when another source is used
	requireScheme string // require-scheme; empty: none required
	query         string
	value         policy.Value
}

func compileTokenSource(n *policy.Node, c *policy.Compiler) tokenSource {
	var ts tokenSource
	count := 0
	if h, _, ok := c.Literal(n, "header-name", false); ok {
		ts.header, count = http.CanonicalHeaderKey(strings.TrimSpace(h)), count+1
	}
	if q, _, ok := c.Literal(n, "query-parameter-name", false); ok {
		ts.query, count = q, count+1
	}
	if val, ok := c.Attr(n, "token-value", false); ok {
		ts.value, count = val, count+1
	}
	if count > 1 {
		c.Errorf(n, "give at most one of header-name, query-parameter-name and token-value")
	}
	if count == 0 {
		ts.header = "Authorization"
	}
	ts.requireScheme, _, _ = c.Literal(n, "require-scheme", false)
	return ts
}

// scheme is the WWW-Authenticate challenge's scheme.
func (ts tokenSource) scheme() string {
	if ts.requireScheme != "" {
		return ts.requireScheme
	}
	return "Bearer"
}

// token returns the request's token; "" when it has none.
func (ts tokenSource) token(c *policy.Context) (string, error) {
	switch {
	case ts.value.IsSet():
		s, err := ts.value.String(c)
		return strings.TrimSpace(s), err
	case ts.query != "":
		return strings.TrimSpace(c.Request.URL.QueryValues().Get(ts.query)), nil
	}
	s := strings.TrimSpace(c.Request.Headers.Get(ts.header))
	scheme := ts.requireScheme
	if scheme == "" {
		scheme = "Bearer"
	}
	if len(s) > len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) && s[len(scheme)] == ' ' {
		return strings.TrimSpace(s[len(scheme)+1:]), nil
	}
	if ts.requireScheme != "" {
		return "", nil // the required scheme is missing
	}
	return s, nil
}
