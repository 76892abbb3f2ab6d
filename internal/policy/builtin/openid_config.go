package builtin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/policy"
)

const (
	// openIDFetchTimeout bounds one discovery + JWKS fetch.
	openIDFetchTimeout = 10 * time.Second
	// openIDMinRefresh is how long after a fetch a token naming an
	// unknown key id does not cause another: a stream of tokens with
	// made-up key ids cannot turn into a stream of fetches.
	openIDMinRefresh = 30 * time.Second
	// openIDRetryAfter is how long a failed fetch is remembered before
	// the next token tries again.
	openIDRetryAfter = 10 * time.Second
	// maxOpenIDDocument bounds a discovery document or key set.
	maxOpenIDDocument = 1 << 20
)

// openIDKeys is the signing keys of one <openid-config url="...">: the
// discovery document's issuer and the keys of its jwks_uri. Nothing is
// fetched when the policy compiles; the first token fetches, and the keys
// are kept. A token whose key id is not among them fetches again, at
// most once every openIDMinRefresh; other tokens never fetch. It is safe
// for concurrent use.
type openIDKeys struct {
	url    string
	client *http.Client

	fetching sync.Mutex // held for a whole fetch, so that one runs at a time

	mu      sync.Mutex // guards what follows
	issuer  string
	keys    []jose.JSONWebKey
	fetched time.Time // of the last successful fetch; zero: none yet
	err     error     // of the last fetch, when it failed
	errAt   time.Time
}

// openIDDocument is the part of a discovery document used here.
type openIDDocument struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

// lookup returns the issuer and keys to check a token whose header names
// kid (empty: none), fetching them when there are none yet or kid is
// unknown and the last fetch is old enough. c.Ctx (its values; not its
// cancellation, as other requests may wait for the same fetch) is the
// parent of the fetch's context.
func (o *openIDKeys) lookup(c *policy.Context, kid string, now time.Time) (string, []jose.JSONWebKey, error) {
	o.mu.Lock()
	issuer, keys, fetched, err, errAt := o.issuer, o.keys, o.fetched, o.err, o.errAt
	o.mu.Unlock()
	known := kid == "" || slices.ContainsFunc(keys, func(k jose.JSONWebKey) bool { return k.KeyID == kid })
	switch {
	case !fetched.IsZero() && known:
		return issuer, keys, nil
	case err != nil && errAt.After(fetched) && now.Sub(errAt) < openIDRetryAfter:
		if fetched.IsZero() {
			return "", nil, err
		}
		return issuer, keys, nil
	case !fetched.IsZero() && now.Sub(fetched) < openIDMinRefresh:
		return issuer, keys, nil
	}

	o.fetching.Lock()
	defer o.fetching.Unlock()
	o.mu.Lock()
	again := o.fetched != fetched || o.errAt != errAt // someone fetched while we waited
	o.mu.Unlock()
	if !again {
		parent := context.Background()
		if c.Ctx != nil {
			parent = context.WithoutCancel(c.Ctx)
		}
		ctx, cancel := context.WithTimeout(parent, openIDFetchTimeout)
		defer cancel()
		iss, ks, ferr := o.fetch(ctx)
		o.mu.Lock()
		if ferr != nil {
			o.err, o.errAt = ferr, now
		} else {
			o.issuer, o.keys, o.fetched, o.err = iss, ks, now, nil
		}
		o.mu.Unlock()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fetched.IsZero() {
		return "", nil, o.err
	}
	return o.issuer, o.keys, nil
}

// fetch reads the discovery document and then its key set.
func (o *openIDKeys) fetch(ctx context.Context) (string, []jose.JSONWebKey, error) {
	var doc openIDDocument
	if err := o.getJSON(ctx, o.url, &doc); err != nil {
		return "", nil, fmt.Errorf("openid-config %s: %w", o.url, err)
	}
	if doc.JWKSURI == "" {
		return "", nil, fmt.Errorf("openid-config %s: no jwks_uri", o.url)
	}
	var set jose.JSONWebKeySet
	if err := o.getJSON(ctx, doc.JWKSURI, &set); err != nil {
		return "", nil, fmt.Errorf("openid-config %s: keys: %w", o.url, err)
	}
	keys := make([]jose.JSONWebKey, 0, len(set.Keys))
	for _, k := range set.Keys {
		if k.IsPublic() && (k.Use == "" || k.Use == "sig") {
			keys = append(keys, k)
		}
	}
	return doc.Issuer, keys, nil
}

// getJSON decodes the JSON document at url into v.
func (o *openIDKeys) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := o.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOpenIDDocument+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if len(body) > maxOpenIDDocument {
		return fmt.Errorf("GET %s: larger than %d bytes", url, maxOpenIDDocument)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}
