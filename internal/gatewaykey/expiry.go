package gatewaykey

import (
	"errors"
	"time"
)

// MinLifetime is the shortest a token may be valid when it is minted.
const MinLifetime = time.Minute

// Errors of CheckExpiry.
var (
	ErrExpirySoon = errors.New("a token's expiry, kept to the minute, must be at least a minute ahead")
	ErrExpiryLate = errors.New("a token's expiry must be at most 30 days ahead")
)

// CheckExpiry returns the expiry that a token minted at now for expiry
// carries: expiry truncated to the minute, in UTC. It returns
// ErrExpirySoon when that is less than MinLifetime after now (so no token
// is minted already expired, or about to be), and ErrExpiryLate when it
// is more than MaxLifetime after now.
func CheckExpiry(expiry, now time.Time) (time.Time, error) {
	kept := expiry.UTC().Truncate(time.Minute)
	switch ahead := kept.Sub(now); {
	case ahead < MinLifetime:
		return kept, ErrExpirySoon
	case ahead > MaxLifetime:
		return kept, ErrExpiryLate
	}
	return kept, nil
}
