package gatewaykey

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Prefix starts every token.
const Prefix = "GatewayKey "

// MaxLifetime is the longest a token may be valid, as in APIM.
const MaxLifetime = 30 * 24 * time.Hour

// expiryLayout is yyyyMMddHHmm in UTC.
const expiryLayout = "200601021504"

// Errors of Verify. They are for logs; a client is told only that its
// token was refused.
var (
	ErrMalformed = errors.New("gateway token is malformed")
	ErrExpired   = errors.New("gateway token has expired")
	ErrGateway   = errors.New("gateway token belongs to another gateway")
	ErrSignature = errors.New("gateway token signature does not match either key")
)

// Keys are a gateway's two signing keys. They are secrets.
type Keys struct {
	Primary   []byte `json:"primary"`
	Secondary []byte `json:"secondary"`
}

// NewKey returns a random 64-byte signing key.
func NewKey() []byte {
	k := make([]byte, 64)
	rand.Read(k) // never fails; see crypto/rand
	return k
}

// NewKeys returns two fresh signing keys.
func NewKeys() Keys { return Keys{Primary: NewKey(), Secondary: NewKey()} }

// Token is a parsed gateway token.
type Token struct {
	Gateway   string
	Expiry    time.Time
	signature []byte
	signed    string // the part the signature covers
}

// Mint returns a token for gateway valid until expiry (truncated to the
// minute), signed with key.
func Mint(gateway string, expiry time.Time, key []byte) string {
	exp := expiry.UTC().Format(expiryLayout)
	sig := sign(key, gateway, exp)
	return Prefix + gateway + "&" + exp + "&" + base64.StdEncoding.EncodeToString(sig)
}

func sign(key []byte, gateway, exp string) []byte {
	m := hmac.New(sha512.New, key)
	m.Write([]byte(gateway + "\n" + exp))
	return m.Sum(nil)
}

// Parse parses a token, with or without its "GatewayKey " prefix. It
// does not check the signature or expiry; see Verify.
func Parse(s string) (*Token, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), Prefix)
	parts := strings.Split(s, "&")
	if len(parts) != 3 || parts[0] == "" || len(s) > 1024 {
		return nil, fmt.Errorf("%w: want GatewayKey <gateway>&<yyyyMMddHHmm>&<signature>", ErrMalformed)
	}
	exp, err := time.Parse(expiryLayout, parts[1])
	if err != nil || len(parts[1]) != len(expiryLayout) {
		return nil, fmt.Errorf("%w: expiry %q is not yyyyMMddHHmm", ErrMalformed, parts[1])
	}
	sig, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != sha512.Size {
		return nil, fmt.Errorf("%w: the signature is not a base64 HMAC-SHA512", ErrMalformed)
	}
	return &Token{Gateway: parts[0], Expiry: exp, signature: sig, signed: parts[0] + "\n" + parts[1]}, nil
}

// Verify checks that t belongs to gateway (ignoring case), has not
// expired at now, and is signed with one of keys. Signatures are compared
// in constant time.
func (t *Token) Verify(gateway string, keys Keys, now time.Time) error {
	if !strings.EqualFold(t.Gateway, gateway) {
		return ErrGateway
	}
	if !now.Before(t.Expiry) {
		return ErrExpired
	}
	for _, k := range [][]byte{keys.Primary, keys.Secondary} {
		if len(k) == 0 {
			continue
		}
		m := hmac.New(sha512.New, k)
		m.Write([]byte(t.signed))
		if hmac.Equal(m.Sum(nil), t.signature) {
			return nil
		}
	}
	return ErrSignature
}
