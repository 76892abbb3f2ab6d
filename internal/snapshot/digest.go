package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// RoutesDigest returns a digest of everything in s that a gateway
// compiles into routes and pipelines: all but the version, the
// subscriptions and their owners. Two snapshots with the same digest
// differ at most in their key tables, so a gateway that has compiled one
// serves the other by rebuilding its key tables alone.
func RoutesDigest(s *Snapshot) (string, error) {
	c := *s
	c.Version, c.Subscriptions, c.Users, c.RoutesDigest = 0, nil, nil, ""
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("digest the snapshot of gateway %s: %w", s.Gateway, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
