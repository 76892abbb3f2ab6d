// Package oidctest serves an OpenID Connect issuer for tests: a discovery
// document and a JWKS, with a signing key the test can rotate, like a
// Kubernetes cluster's service-account issuer.
package oidctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer is a running test issuer. Its URL is the issuer identifier.
type Issuer struct {
	URL  string
	mu   sync.Mutex
	keys []jose.JSONWebKey // public keys served
	priv *ecdsa.PrivateKey
	kid  string
}

// NewIssuer starts an issuer on loopback; it stops when the test ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	is := &Issuer{}
	srv := httptest.NewServer(http.HandlerFunc(is.serve))
	t.Cleanup(srv.Close)
	is.URL = srv.URL
	is.Rotate(t)
	return is
}

func (is *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		json.NewEncoder(w).Encode(map[string]any{"issuer": is.URL, "jwks_uri": is.URL + "/openid/v1/jwks",
			"id_token_signing_alg_values_supported": []string{"ES256"}})
	case "/openid/v1/jwks":
		is.mu.Lock()
		defer is.mu.Unlock()
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: is.keys})
	default:
		http.NotFound(w, r)
	}
}

// Rotate replaces the signing key; the JWKS then serves only the new one.
func (is *Issuer) Rotate(t testing.TB) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.priv, is.kid = priv, rand.Text()
	is.keys = []jose.JSONWebKey{{Key: &priv.PublicKey, KeyID: is.kid, Algorithm: "ES256", Use: "sig"}}
}

// Claims returns the claims of a valid token for subject and audience,
// valid from a minute ago for an hour.
func (is *Issuer) Claims(subject, audience string) jwt.Claims {
	now := time.Now()
	return jwt.Claims{Issuer: is.URL, Subject: subject, Audience: jwt.Audience{audience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}
}

// Token signs c with the current key.
func (is *Issuer) Token(t testing.TB, c jwt.Claims) string {
	t.Helper()
	is.mu.Lock()
	defer is.mu.Unlock()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: is.priv, KeyID: is.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
