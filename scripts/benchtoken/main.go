// Command benchtoken prints an HS256-signed JWT for scripts/bench.sh, which
// sends it on every request to an API whose validate-jwt policy has the
// same key in <issuer-signing-keys>, the audience in <audiences> and the
// issuer in <issuers>.
//
//	benchtoken -key BASE64 -issuer https://bench.invalid/ -audience api://bench -ttl 1h
//
// The key is standard base64, as in <key>BASE64</key>; at least 32 bytes
// once decoded (HS256 wants a key as long as its hash).
package main

import (
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func main() {
	key := flag.String("key", "", "signing key, standard base64 (required)")
	issuer := flag.String("issuer", "https://bench.gatehouse.invalid/", "iss claim")
	audience := flag.String("audience", "api://gatehouse-bench", "aud claim")
	subject := flag.String("subject", "bench-user", "sub claim")
	ttl := flag.Duration("ttl", time.Hour, "lifetime: exp is now + ttl")
	flag.Parse()

	if err := run(*key, *issuer, *audience, *subject, *ttl); err != nil {
		fmt.Fprintln(os.Stderr, "benchtoken:", err)
		os.Exit(1)
	}
}

func run(key, issuer, audience, subject string, ttl time.Duration) error {
	secret, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		return fmt.Errorf("-key: %w", err)
	}
	if len(secret) < 32 {
		return fmt.Errorf("-key: %d bytes, want at least 32 for HS256", len(secret))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return err
	}
	now := time.Now()
	claims := jwt.Claims{
		Issuer:    issuer,
		Audience:  jwt.Audience{audience},
		Subject:   subject,
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		Expiry:    jwt.NewNumericDate(now.Add(ttl)),
	}
	token, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return err
	}
	fmt.Println(token)
	return nil
}
