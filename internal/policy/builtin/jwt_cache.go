package builtin

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr/dotnet"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Clients send the same token with many requests, so validate-jwt keeps
// the tokens it accepted: a repeated token is checked for its lifetime
// only, not parsed and verified again. What is kept depends only on the
// token and the element's configuration (a new configuration compiles a
// new element with an empty cache), except the keys of an openid-config,
// which are kept as long anyway.
const (
	// acceptedFor bounds how long an accepted token is kept.
	acceptedFor = time.Minute
	// maxAccepted bounds how many are kept; past it the cache starts over.
	maxAccepted = 10000
	// maxAcceptedSize is the longest token kept, in bytes.
	maxAcceptedSize = 8 << 10
)

// acceptedTokens are the tokens one validate-jwt element accepted. Reads
// take no lock. The zero value is ready to use.
type acceptedTokens struct {
	m     atomic.Pointer[sync.Map] // raw token → *acceptedToken
	count atomic.Int64
}

// acceptedToken is an accepted token's lifetime, checked on every use,
// and what output-token-variable-name gets.
type acceptedToken struct {
	expiry, notBefore *time.Time
	until             time.Time   // when to forget it
	jwt               *dotnet.Jwt // nil unless an output variable wants it
}

// lifetimeOf returns the time claims of std.
func lifetimeOf(std *jwt.Claims) (expiry, notBefore *time.Time) {
	if std.Expiry != nil {
		t := std.Expiry.Time()
		expiry = &t
	}
	if std.NotBefore != nil {
		t := std.NotBefore.Time()
		notBefore = &t
	}
	return expiry, notBefore
}

// get returns raw's entry when it is kept and not yet to be forgotten.
func (at *acceptedTokens) get(raw string, now time.Time) (*acceptedToken, bool) {
	m := at.m.Load()
	if m == nil {
		return nil, false
	}
	v, ok := m.Load(raw)
	if !ok {
		return nil, false
	}
	e := v.(*acceptedToken)
	if !now.Before(e.until) {
		m.Delete(raw)
		return nil, false
	}
	return e, true
}

// put keeps raw's entry, starting over when the cache is full.
func (at *acceptedTokens) put(raw string, e *acceptedToken) {
	if len(raw) > maxAcceptedSize {
		return
	}
	m := at.m.Load()
	if m == nil || at.count.Add(1) > maxAccepted {
		m = &sync.Map{}
		at.m.Store(m)
		at.count.Store(1)
	}
	m.Store(raw, e)
}
