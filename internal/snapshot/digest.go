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
// apart: what every API's pipelines depend on, what each API's own
// depend on besides, and each named value and fragment, which only the
// APIs that use them depend on. Two snapshots with the same Shared
// digest compile each API whose Inputs are the same into the same routes
// and pipelines, so a gateway recompiles only the APIs whose Inputs
// changed.
type Parts struct {
	// Shared digests everything but the version, the subscriptions and
	// their owners, the APIs, which APIs each product holds, the named
	// values and the fragments: the global policy, backends,
	// certificates, schemas, version sets, loggers and diagnostics, and
	// each product with a policy, by id and policy, in order.
	Shared string
	// APIs holds, by lower-case id, a digest of each API's record
	// (operations and policies included) and of the ids of the products
	// with a policy that hold it, in order.
	APIs map[string]string
	// NamedValues holds, by lower-case name, a digest of each named
	// value's value and of whether it is a secret.
	NamedValues map[string]string
	// Fragments holds, by lower-case id, a digest of each policy
	// fragment's document.
	Fragments map[string]string
}

// Uses are the named values and policy fragments that an API's
// effective policies (global, product, API and operation scopes, and the
// fragments these include, directly or through other fragments) may
// read, as the compiler found them.
type Uses struct {
	// NamedValues are lower-case names, sorted, without duplicates.
	NamedValues []string
	// Fragments are lower-case ids, sorted, without duplicates.
	Fragments []string
}

// DigestParts returns the Parts of s. Any change to s that can change a
// compiled route or pipeline changes Shared, the digest of each API it
// affects, or the digest of a named value or fragment.
func DigestParts(s *Snapshot) (*Parts, error) {
	c := *s
	c.Version, c.Subscriptions, c.Users, c.RoutesDigest, c.APIs, c.Products = 0, nil, nil, "", nil, nil
	c.Policy.NamedValues, c.Policy.Fragments, c.Policy.Secrets = nil, nil, nil
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
	parts := &Parts{Shared: shared, APIs: make(map[string]string, len(s.APIs)),
		NamedValues: make(map[string]string, len(s.Policy.NamedValues)), Fragments: make(map[string]string, len(s.Policy.Fragments))}
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
	secret := make(map[string]bool, len(s.Policy.Secrets))
	for _, name := range s.Policy.Secrets {
		secret[strings.ToLower(name)] = true
	}
	for name, v := range s.Policy.NamedValues {
		k := strings.ToLower(name)
		parts.NamedValues[k] = textDigest(fmt.Sprint(secret[k]), v)
	}
	for id, src := range s.Policy.Fragments {
		parts.Fragments[strings.ToLower(id)] = textDigest(src)
	}
	return parts, nil
}

// Inputs returns a digest of everything API id (lower case) compiles
// from besides the shared inputs, given what it uses: its own digest and
// those of the named values and fragments in u. A named value or
// fragment that does not exist counts as a value of its own, so that
// creating or deleting one changes the digest of the APIs that name it.
func (p *Parts) Inputs(id string, u Uses) string {
	h := sha256.New()
	h.Write([]byte(p.APIs[id]))
	for _, name := range u.NamedValues {
		fmt.Fprintf(h, "\nv %q %s", name, p.NamedValues[name])
	}
	for _, f := range u.Fragments {
		fmt.Fprintf(h, "\nf %q %s", f, p.Fragments[f])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DigestText returns the hex SHA-256 digest of the strings, each
// preceded by its length.
func DigestText(ss ...string) string { return textDigest(ss...) }

// textDigest is DigestText.
func textDigest(ss ...string) string {
	h := sha256.New()
	for _, s := range ss {
		fmt.Fprintf(h, "%d:", len(s))
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digestOf returns the hex SHA-256 digest of v's JSON encoding.
func digestOf(v any) (string, error) {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(v); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
