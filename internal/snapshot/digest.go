package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
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

// Parts are digests of the parts of a snapshot that a gateway compiles
// apart: what every API's pipelines depend on, and what each API's own
// depend on besides. Two snapshots with the same Shared digest compile
// each API whose APIs digest is the same into the same routes and
// pipelines, so a gateway recompiles only the APIs whose digest changed.
type Parts struct {
	// Shared digests everything but the version, the subscriptions and
	// their owners, the APIs, and which APIs each product holds: the
	// global policy, fragments, named values, backends, certificates,
	// schemas, version sets, loggers and diagnostics, and each product
	// with a policy, by id and policy, in order.
	Shared string
	// APIs holds, by lower-case id, a digest of each API's record
	// (operations and policies included) and of the ids of the products
	// with a policy that hold it, in order.
	APIs map[string]string
}

// DigestParts returns the Parts of s. Any change to s that can change a
// compiled route or pipeline changes Shared or the digest of each API it
// affects.
func DigestParts(s *Snapshot) (*Parts, error) {
	c := *s
	c.Version, c.Subscriptions, c.Users, c.RoutesDigest, c.APIs, c.Products = 0, nil, nil, "", nil, nil
	holders := map[string][]string{} // lower-case API id → products with a policy holding it
	for _, p := range s.Products {
		if p.Policy == "" {
			continue
		}
		c.Products = append(c.Products, Product{ID: p.ID, Policy: p.Policy})
		for _, id := range p.APIs {
			k := strings.ToLower(id)
			holders[k] = append(holders[k], p.ID)
		}
	}
	shared, err := digestOf(&c)
	if err != nil {
		return nil, fmt.Errorf("digest the shared configuration of gateway %s: %w", s.Gateway, err)
	}
	parts := &Parts{Shared: shared, APIs: make(map[string]string, len(s.APIs))}
	for i := range s.APIs {
		a := &s.APIs[i]
		k := strings.ToLower(a.ID)
		d, err := digestOf(struct {
			API      *API     `json:"api"`
			Products []string `json:"products"`
		}{a, holders[k]})
		if err != nil {
			return nil, fmt.Errorf("digest api %s of gateway %s: %w", a.ID, s.Gateway, err)
		}
		parts.APIs[k] = d
	}
	return parts, nil
}

// digestOf returns the hex SHA-256 digest of v's JSON encoding.
func digestOf(v any) (string, error) {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(v); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
