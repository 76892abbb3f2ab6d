package builtin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/expr/dotnet"
	"github.com/gatehouse/gatehouse/internal/oidctest"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// countingTransport counts the requests validate-jwt sends.
type countingTransport struct{ n atomic.Int32 }

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ct.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// registryWith returns the built-in registry whose HTTP client counts
// its requests in ct.
func registryWith(ct *countingTransport) *policy.Registry {
	r := policy.NewRegistry()
	Register(r, Deps{HTTPClient: &http.Client{Transport: ct}})
	return r
}

// jwtTest runs a compiled validate-jwt pipeline on a request with an
// Authorization header, at a given time.
type jwtTest struct {
	t   *testing.T
	p   *policy.Pipeline
	now time.Time
}

func (jt *jwtTest) run(authorization string) *policy.Context {
	jt.t.Helper()
	return runInbound(jt.t, jt.p, func(c *policy.Context) {
		if authorization != "" {
			c.Request.Headers.Set("Authorization", authorization)
		}
		c.Now = func() time.Time { return jt.now }
	})
}

// wantValid checks that the token passed.
func wantValid(t *testing.T, c *policy.Context) {
	t.Helper()
	if c.Ended() {
		body, _ := c.Response.Body.Bytes()
		t.Fatalf("the token was refused: %d %s", c.Response.StatusCode, body)
	}
}

// wantRefused checks APIM's 401 refusal and WWW-Authenticate.
func wantRefused(t *testing.T, c *policy.Context, msg, challenge string) {
	t.Helper()
	refusedWith(t, c, 401, msg)
	if got := c.Response.Headers.Get("WWW-Authenticate"); got != challenge {
		t.Errorf("WWW-Authenticate = %q, want %q", got, challenge)
	}
}

// noneToken is an unsigned token ("alg": "none") with valid claims.
func noneToken(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "."
}

func TestValidateJWTOpenIDConfig(t *testing.T) {
	is := oidctest.NewIssuer(t)
	other := oidctest.NewIssuer(t)
	ct := &countingTransport{}
	doc := inbound(`<validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-error-message="Unauthorized. Access token is missing or invalid." output-token-variable-name="jwt">
	<openid-config url="` + is.URL + `/.well-known/openid-configuration" />
	<audiences><audience>api://orders</audience><audience>api://other</audience></audiences>
	<issuers><issuer>` + is.URL + `</issuer></issuers>
</validate-jwt>`)
	jt := &jwtTest{t: t, p: mustCompile(t, registryWith(ct), doc), now: time.Now()}
	if ct.n.Load() != 0 {
		t.Fatalf("compiling fetched %d documents", ct.n.Load())
	}
	const msg = "Unauthorized. Access token is missing or invalid."
	const invalid = `Bearer error="invalid_token"`

	valid := is.Token(t, is.Claims("user-1", "api://orders"))
	expired := is.Claims("user-1", "api://orders")
	expired.Expiry = jwt.NewNumericDate(time.Now().Add(-time.Minute))
	notYet := is.Claims("user-1", "api://orders")
	notYet.NotBefore = jwt.NewNumericDate(time.Now().Add(time.Hour))
	noExp := is.Claims("user-1", "api://orders")
	noExp.Expiry = nil
	wrongIss := is.Claims("user-1", "api://orders")
	wrongIss.Issuer = "https://evil.example.com"
	parts := strings.Split(valid, ".")
	sig := []byte(parts[2])
	sig[5] ^= 1 // still base64url, another signature
	tampered := parts[0] + "." + parts[1] + "." + string(sig)

	tests := []struct {
		name, auth, challenge string // challenge empty: valid
	}{
		{"valid", "Bearer " + valid, ""},
		{"scheme is case-insensitive", "bearer " + valid, ""},
		{"second audience", "Bearer " + is.Token(t, is.Claims("user-1", "api://other")), ""},
		{"missing", "", "Bearer"},
		{"wrong scheme", "Token " + valid, "Bearer"},
		{"no scheme", valid, "Bearer"},
		{"expired", "Bearer " + is.Token(t, expired), invalid},
		{"not yet valid", "Bearer " + is.Token(t, notYet), invalid},
		{"no expiration time", "Bearer " + is.Token(t, noExp), invalid},
		{"wrong audience", "Bearer " + is.Token(t, is.Claims("user-1", "api://billing")), invalid},
		{"wrong issuer", "Bearer " + is.Token(t, wrongIss), invalid},
		{"wrong signature", "Bearer " + tampered, invalid},
		{"another issuer's key", "Bearer " + other.Token(t, is.Claims("user-1", "api://orders")), invalid},
		{"alg none", "Bearer " + noneToken(`{"iss":"`+is.URL+`","aud":"api://orders","exp":4102444800}`), invalid},
		{"garbage", "Bearer not.a.token", invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jt.t = t
			c := jt.run(tt.auth)
			if tt.challenge == "" {
				wantValid(t, c)
				if j, ok := c.Variables["jwt"].(*dotnet.Jwt); !ok || j.Claims()["sub"][0] != "user-1" {
					t.Errorf("output-token-variable-name holds %#v", c.Variables["jwt"])
				}
				return
			}
			wantRefused(t, c, msg, tt.challenge)
		})
	}
	// One discovery document and one key set for all of that: another
	// issuer's key id was unknown, but a fetch had just happened.
	if n := ct.n.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (discovery and keys, once)", n)
	}
}

func TestValidateJWTKeyRotation(t *testing.T) {
	is := oidctest.NewIssuer(t)
	ct := &countingTransport{}
	doc := inbound(`<validate-jwt><openid-config url="` + is.URL + `/.well-known/openid-configuration" /><audiences><audience>api://orders</audience></audiences></validate-jwt>`)
	jt := &jwtTest{t: t, p: mustCompile(t, registryWith(ct), doc), now: time.Now()}
	old := is.Token(t, is.Claims("user-1", "api://orders"))
	wantValid(t, jt.run("Bearer "+old))
	wantValid(t, jt.run("Bearer "+old))
	if n := ct.n.Load(); n != 2 {
		t.Fatalf("%d fetches after two requests, want 2", n)
	}

	is.Rotate(t)
	fresh := is.Token(t, is.Claims("user-1", "api://orders"))
	// Right after a fetch, an unknown key id does not fetch again.
	wantRefused(t, jt.run("Bearer "+fresh), "Unauthorized", `Bearer error="invalid_token"`)
	if n := ct.n.Load(); n != 2 {
		t.Fatalf("%d fetches, want still 2", n)
	}
	// Later it does, and finds the new key; the old key is gone.
	jt.now = jt.now.Add(time.Minute)
	wantValid(t, jt.run("Bearer "+fresh))
	if n := ct.n.Load(); n != 4 {
		t.Fatalf("%d fetches after the rotation, want 4", n)
	}
	wantRefused(t, jt.run("Bearer "+old), "Unauthorized", `Bearer error="invalid_token"`)
	wantValid(t, jt.run("Bearer "+fresh))
	if n := ct.n.Load(); n != 4 {
		t.Errorf("%d fetches, want still 4", n)
	}
}

func TestValidateJWTConcurrentFirstUse(t *testing.T) {
	is := oidctest.NewIssuer(t)
	ct := &countingTransport{}
	p := mustCompile(t, registryWith(ct), inbound(`<validate-jwt><openid-config url="`+is.URL+`/.well-known/openid-configuration" /></validate-jwt>`))
	token := is.Token(t, is.Claims("user-1", "api://orders"))
	var wg sync.WaitGroup
	refused := atomic.Int32{}
	for range 16 {
		wg.Go(func() {
			c := newAccessContext()
			c.Request.Headers.Set("Authorization", "Bearer "+token)
			if err := p.Run(policy.Inbound, c); err != nil || c.Ended() {
				refused.Add(1)
			}
		})
	}
	wg.Wait()
	if refused.Load() != 0 || ct.n.Load() != 2 {
		t.Errorf("%d of 16 refused, %d fetches; want 0 and 2", refused.Load(), ct.n.Load())
	}
}

func TestValidateJWTOpenIDConfigUnreachable(t *testing.T) {
	is := oidctest.NewIssuer(t)
	p := mustCompile(t, nil, inbound(`<validate-jwt><openid-config url="`+is.URL+`/nope" /></validate-jwt>`))
	c := newAccessContext()
	c.Request.Headers.Set("Authorization", "Bearer "+is.Token(t, is.Claims("u", "a")))
	err := p.Run(policy.Inbound, c)
	if err == nil || !strings.Contains(err.Error(), "openid-config") {
		t.Errorf("err = %v, want an openid-config error (on-error handles it)", err)
	}
}

// hsToken signs claims and extra with secret (HS256).
func hsToken(t *testing.T, alg jose.SignatureAlgorithm, secret []byte, claims jwt.Claims, extra map[string]any) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: secret}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(claims).Claims(extra).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func TestValidateJWTSymmetricAndClaims(t *testing.T) {
	now := time.Now()
	claims := jwt.Claims{Issuer: "https://issuer.example", Audience: jwt.Audience{"api://orders"}, Subject: "user-1", Expiry: jwt.NewNumericDate(now.Add(time.Hour))}
	key := base64.StdEncoding.EncodeToString(testSecret)
	doc := func(extra string) string {
		return inbound(`<validate-jwt header-name="Authorization" failed-validation-httpcode="403" failed-validation-error-message="denied" clock-skew="60"><issuer-signing-keys><key>` + key + `</key></issuer-signing-keys>` + extra + `</validate-jwt>`)
	}
	long := append(append([]byte{}, testSecret...), testSecret...)
	longDoc := strings.Replace(doc(""), key, base64.StdEncoding.EncodeToString(long), 1)
	allClaims := doc(`<required-claims><claim name="roles" match="all"><value>reader</value><value>writer</value></claim></required-claims>`)
	anyClaims := doc(`<required-claims><claim name="scp" match="any" separator=" "><value>orders.read</value><value>orders.admin</value></claim><claim name="tid" /></required-claims>`)
	expiredInSkew := claims
	expiredInSkew.Expiry = jwt.NewNumericDate(now.Add(-30 * time.Second))
	expired := claims
	expired.Expiry = jwt.NewNumericDate(now.Add(-2 * time.Minute))
	noExp := claims
	noExp.Expiry = nil
	tests := []struct {
		name, doc, token string
		reason           string // APIM's reason for the refusal; "": valid
	}{
		{"HS256", doc(""), hsToken(t, jose.HS256, testSecret, claims, nil), ""},
		{"HS384", longDoc, hsToken(t, jose.HS384, long, claims, nil), ""},
		{"HS512", longDoc, hsToken(t, jose.HS512, long, claims, nil), ""},
		{"HS512 with another key", doc(""), hsToken(t, jose.HS512, long, claims, nil), "TokenSignatureInvalid"},
		{"wrong secret", doc(""), hsToken(t, jose.HS256, []byte("another secret of thirty-two by!"), claims, nil), "TokenSignatureInvalid"},
		{"expired within clock skew", doc(""), hsToken(t, jose.HS256, testSecret, expiredInSkew, nil), ""},
		{"expired beyond clock skew", doc(""), hsToken(t, jose.HS256, testSecret, expired, nil), "TokenExpired"},
		{"no exp allowed", strings.Replace(doc(""), `clock-skew="60"`, `require-expiration-time="false"`, 1), hsToken(t, jose.HS256, testSecret, noExp, nil), ""},
		{"no exp required", doc(""), hsToken(t, jose.HS256, testSecret, noExp, nil), "JwtInvalid"},
		{"claims all present", allClaims, hsToken(t, jose.HS256, testSecret, claims, map[string]any{"roles": []string{"writer", "reader", "x"}}), ""},
		{"claims all missing one", allClaims, hsToken(t, jose.HS256, testSecret, claims, map[string]any{"roles": []string{"reader"}}), "TokenClaimValueNotAllowed"},
		{"claims all absent", allClaims, hsToken(t, jose.HS256, testSecret, claims, nil), "TokenClaimNotFound"},
		{"claims any with separator", anyClaims, hsToken(t, jose.HS256, testSecret, claims, map[string]any{"scp": "profile orders.admin", "tid": 7}), ""},
		{"claims any none", anyClaims, hsToken(t, jose.HS256, testSecret, claims, map[string]any{"scp": "profile", "tid": "t"}), "TokenClaimValueNotAllowed"},
		{"claims any, presence missing", anyClaims, hsToken(t, jose.HS256, testSecret, claims, map[string]any{"scp": "orders.read"}), "TokenClaimNotFound"},
		{"alg none", doc(""), noneToken(`{"exp":4102444800}`), "JwtInvalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			jt := &jwtTest{t: t, p: mustCompile(t, nil, tt.doc), now: now}
			c := jt.run("Bearer " + tt.token)
			if tt.reason == "" {
				wantValid(t, c)
				return
			}
			refusedWith(t, c, 403, "denied")
			if c.LastError == nil || c.LastError.Source != "validate-jwt" || c.LastError.Reason != tt.reason {
				t.Errorf("LastError %+v, want validate-jwt's %s", c.LastError, tt.reason)
			}
			if c.Response.Headers.Get("WWW-Authenticate") != "" {
				t.Error("a 403 carries WWW-Authenticate")
			}
		})
	}
}

func TestValidateJWTSources(t *testing.T) {
	token := hsToken(t, jose.HS256, testSecret, jwt.Claims{Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}, nil)
	keys := `<issuer-signing-keys><key>` + base64.StdEncoding.EncodeToString(testSecret) + `</key></issuer-signing-keys>`
	tests := []struct {
		name, attrs string
		prepare     func(c *policy.Context)
		valid       bool
	}{
		{"query parameter", `query-parameter-name="access_token"`, func(c *policy.Context) { c.Request.URL.Query.Set("access_token", token) }, true},
		{"query parameter missing", `query-parameter-name="access_token"`, func(c *policy.Context) { c.Request.Headers.Set("Authorization", "Bearer "+token) }, false},
		{"other header", `header-name="X-Token"`, func(c *policy.Context) { c.Request.Headers.Set("X-Token", token) }, true},
		{"token-value expression", `token-value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Token&quot;, &quot;&quot;))"`, func(c *policy.Context) { c.Request.Headers.Set("X-Token", token) }, true},
		{"default Authorization, Bearer dropped", ``, func(c *policy.Context) { c.Request.Headers.Set("Authorization", "Bearer "+token) }, true},
		{"default Authorization, bare token", ``, func(c *policy.Context) { c.Request.Headers.Set("Authorization", token) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustCompile(t, nil, inbound(`<validate-jwt `+tt.attrs+`>`+keys+`</validate-jwt>`))
			c := runInbound(t, p, tt.prepare)
			if tt.valid {
				wantValid(t, c)
				return
			}
			wantRefused(t, c, "Unauthorized", "Bearer")
		})
	}
}

func TestValidateJWTRSAKey(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	n, e := enc(priv.N.Bytes()), enc(big.NewInt(int64(priv.E)).Bytes())
	p := mustCompile(t, nil, inbound(`<validate-jwt><issuer-signing-keys><key id="k1" n="`+n+`" e="`+e+`" /></issuer-signing-keys></validate-jwt>`))
	claims := jwt.Claims{Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.RS512, jose.PS256} {
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: priv, KeyID: "k1"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := jwt.Signed(sig).Claims(claims).Serialize()
		wantValid(t, runInbound(t, p, func(c *policy.Context) { c.Request.Headers.Set("Authorization", "Bearer "+raw) }))
	}
	// The RSA public key used as an HMAC secret (algorithm confusion).
	forged := hsToken(t, jose.HS256, priv.N.Bytes(), claims, nil)
	wantRefused(t, runInbound(t, p, func(c *policy.Context) { c.Request.Headers.Set("Authorization", "Bearer "+forged) }), "Unauthorized", `Bearer error="invalid_token"`)
}

func TestValidateJWTCompileErrors(t *testing.T) {
	const keys = `<issuer-signing-keys><key>c2VjcmV0</key></issuer-signing-keys>`
	checkCompileErrors(t, []compileErrorCase{
		{"no keys", inbound(`<validate-jwt />`), "1:20: <validate-jwt>: no signing keys"},
		{"two sources", inbound(`<validate-jwt header-name="a" query-parameter-name="b">` + keys + `</validate-jwt>`), "give at most one of header-name, query-parameter-name and token-value"},
		{"bad code", inbound(`<validate-jwt failed-validation-httpcode="4o1">` + keys + `</validate-jwt>`), `1:62: <validate-jwt> failed-validation-httpcode: "4o1" is not an HTTP status code`},
		{"unsigned tokens", inbound(`<validate-jwt require-signed-tokens="false">` + keys + `</validate-jwt>`), "<validate-jwt> require-signed-tokens: unsigned tokens are always refused"},
		{"bad clock skew", inbound(`<validate-jwt clock-skew="5m">` + keys + `</validate-jwt>`), `<validate-jwt> clock-skew: "5m": want whole seconds`},
		{"bad base64 key", inbound(`<validate-jwt><issuer-signing-keys><key>not base64!</key></issuer-signing-keys></validate-jwt>`), "1:55: <key>: the key must be base64"},
		{"bad RSA key", inbound(`<validate-jwt><issuer-signing-keys><key n="AQAB" e="AQAB" /></issuer-signing-keys></validate-jwt>`), "<key>: n must be a base64url RSA modulus"},
		{"openid-config URL", inbound(`<validate-jwt><openid-config url="login.example.com" /></validate-jwt>`), `<openid-config> url: "login.example.com" is not an absolute http or https URL`},
		{"openid-config without url", inbound(`<validate-jwt><openid-config /></validate-jwt>`), "<openid-config>: attribute url is required"},
		{"empty audiences", inbound(`<validate-jwt>` + keys + `<audiences /></validate-jwt>`), "<audiences>: at least one <audience> is required"},
		{"bad claim match", inbound(`<validate-jwt>` + keys + `<required-claims><claim name="a" match="some" /></required-claims></validate-jwt>`), `<claim> match: "some": want all or any`},
		{"claim without name", inbound(`<validate-jwt>` + keys + `<required-claims><claim /></required-claims></validate-jwt>`), "<claim>: attribute name is required"},
		{"decryption keys", inbound(`<validate-jwt>` + keys + `<decryption-keys /></validate-jwt>`), "<decryption-keys>: encrypted tokens are not supported"},
		{"unknown child", inbound(`<validate-jwt>` + keys + `<nope /></validate-jwt>`), "<nope>: only <openid-config>"},
		{"outbound", `<policies><outbound><validate-jwt>` + keys + `</validate-jwt></outbound></policies>`, "<validate-jwt>: belongs in the inbound section"},
	})
}

// FuzzValidateJWT feeds arbitrary Authorization values to a validate-jwt
// step: it must not panic or fail, and must decide: pass, or refuse with
// 401.
func FuzzValidateJWT(f *testing.F) {
	key := base64.StdEncoding.EncodeToString(testSecret)
	p, err := compileDoc(nil, inbound(`<validate-jwt><issuer-signing-keys><key>`+key+`</key></issuer-signing-keys><audiences><audience>a</audience></audiences><required-claims><claim name="r" match="any" separator=","><value>x</value></claim></required-claims></validate-jwt>`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("Bearer " + hsToken(&testing.T{}, jose.HS256, testSecret, jwt.Claims{Audience: jwt.Audience{"a"}, Expiry: jwt.NewNumericDate(time.Unix(4102444800, 0))}, map[string]any{"r": "y,x"}))
	f.Add("Bearer " + noneToken(`{"aud":"a","exp":4102444800,"r":"x"}`))
	f.Add("Bearer eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Add("Bearer a.b.c.d.e")
	f.Add("")
	f.Fuzz(func(t *testing.T, auth string) {
		c := newAccessContext()
		c.Request.Headers.Set("Authorization", auth)
		if err := runAnswering(p, c); err != nil {
			t.Fatalf("validate-jwt failed: %v", err)
		}
		if c.Ended() && c.Response.StatusCode != 401 {
			t.Fatalf("refused with %d", c.Response.StatusCode)
		}
	})
}

// TestValidateJWTCertificateKey: <key certificate-id> verifies with the
// public key (RSA or EC) of a certificate resource; an unknown id is
// refused on save.
func TestValidateJWTCertificateKey(t *testing.T) {
	rsaPriv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecPriv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	env := policy.Env{Certificates: map[string]*policy.Certificate{
		"rsa-signer": {ID: "rsa-signer", Public: rsaPriv.Public()},
		"ec-signer":  {ID: "ec-signer", Public: ecPriv.Public()},
	}}
	compile := func(doc string) (*policy.Pipeline, error) {
		d, err := policy.ParseIn(doc, env)
		if err != nil {
			return nil, err
		}
		eff, err := policy.Merge(nil, d)
		if err != nil {
			return nil, err
		}
		return NewRegistry().Compile(eff, env)
	}
	p, err := compile(inbound(`<validate-jwt><issuer-signing-keys><key certificate-id="rsa-signer" /><key certificate-id="EC-Signer" /></issuer-signing-keys></validate-jwt>`))
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.Claims{Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}
	sign := func(alg jose.SignatureAlgorithm, key any) string {
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := jwt.Signed(sig).Claims(claims).Serialize()
		return "Bearer " + raw
	}
	for _, tok := range []string{sign(jose.RS256, rsaPriv), sign(jose.ES256, ecPriv)} {
		wantValid(t, runInbound(t, p, func(c *policy.Context) { c.Request.Headers.Set("Authorization", tok) }))
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c := runInbound(t, p, func(c *policy.Context) { c.Request.Headers.Set("Authorization", sign(jose.ES256, other)) })
	if !c.Ended() || c.LastError == nil || c.LastError.Reason != "TokenSignatureInvalid" {
		t.Errorf("a token signed by another key: ended %v, LastError %+v", c.Ended(), c.LastError)
	}
	env.Certificates["checked-only"] = &policy.Certificate{ID: "checked-only"} // as the management API compiles
	if _, err := compile(inbound(`<validate-jwt><issuer-signing-keys><key certificate-id="checked-only" /></issuer-signing-keys></validate-jwt>`)); err != nil {
		t.Errorf("a certificate known without its key (checking a document): %v", err)
	}
	if _, err := compile(inbound(`<validate-jwt><issuer-signing-keys><key certificate-id="missing" /></issuer-signing-keys></validate-jwt>`)); err == nil || !strings.Contains(err.Error(), `there is no certificate "missing"`) {
		t.Errorf("an unknown certificate-id: %v", err)
	}
}

// TestValidateJWTKeepsAcceptedTokens: a repeated token is taken from the
// element's cache, and still refused once it expires.
func TestValidateJWTKeepsAcceptedTokens(t *testing.T) {
	now := time.Now()
	key := base64.StdEncoding.EncodeToString(testSecret)
	p := mustCompile(t, nil, inbound(`<validate-jwt output-token-variable-name="jwt"><issuer-signing-keys><key>`+key+`</key></issuer-signing-keys><audiences><audience>api://orders</audience></audiences></validate-jwt>`))
	token := hsToken(t, jose.HS256, testSecret, jwt.Claims{Audience: jwt.Audience{"api://orders"}, Subject: "ann", Expiry: jwt.NewNumericDate(now.Add(30 * time.Second))}, nil)
	jt := &jwtTest{t: t, p: p, now: now}
	for range 3 {
		c := jt.run("Bearer " + token)
		wantValid(t, c)
		if j, ok := c.Variables["jwt"].(*dotnet.Jwt); !ok || j == nil {
			t.Fatalf("output variable: %#v", c.Variables["jwt"])
		}
	}
	var v *validateJWT
	policy.Walk(p.Steps(policy.Inbound)[0], func(st policy.Step) {
		if vj, ok := st.(*validateJWT); ok {
			v = vj
		}
	})
	if v == nil {
		t.Fatal("no validate-jwt step")
	}
	if _, ok := v.accepted.get(token, now); !ok {
		t.Error("an accepted token was not kept")
	}
	jt.now = now.Add(45 * time.Second) // past exp, within no clock skew
	c := jt.run("Bearer " + token)
	if !c.Ended() || c.LastError == nil || c.LastError.Reason != "TokenExpired" {
		t.Errorf("a kept token after its expiry: ended %v, LastError %+v", c.Ended(), c.LastError)
	}
}
