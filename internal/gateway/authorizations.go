package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// Token source tuning: how long a token request may take, and the
// lifetime assumed when a token response has no expires_in.
const (
	tokenFetchLimit     = 30 * time.Second
	tokenDefaultSeconds = 600
)

// tokenSource gets and caches the access token of one client-credentials
// authorization. A request reads the cached token without a lock; the
// request that finds it due for refresh (past four fifths of its
// lifetime) fetches a new one while the others keep using the old one
// until it expires; only when there is no valid token do requests wait,
// for that one fetch (single flight). A failed fetch is not cached.
type tokenSource struct {
	key      string // what the source was made from: changed settings, a new source
	provider snapshot.AuthorizationProvider
	client   *http.Client
	now      func() time.Time
	cur      atomic.Pointer[cachedToken]
	flight   atomic.Pointer[tokenFlight]
}

type cachedToken struct {
	auth      *builtin.Authorization
	refreshAt time.Time
	expires   time.Time
}

type tokenFlight struct {
	done chan struct{}
	tok  *cachedToken
	err  error
}

// get returns the authorization's token, fetching it when it is due.
func (ts *tokenSource) get(ctx context.Context) (*builtin.Authorization, error) {
	for {
		now := ts.now()
		t := ts.cur.Load()
		if t != nil && now.Before(t.refreshAt) {
			return t.auth, nil
		}
		if f := ts.flight.Load(); f != nil {
			if t != nil && now.Before(t.expires) {
				return t.auth, nil // being refreshed; this one is still good
			}
			select {
			case <-f.done:
				if f.err != nil {
					return nil, f.err
				}
				return f.tok.auth, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		f := &tokenFlight{done: make(chan struct{})}
		if !ts.flight.CompareAndSwap(nil, f) {
			continue // another request started a fetch
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchLimit)
		f.tok, f.err = ts.fetch(fctx)
		cancel()
		if f.err == nil {
			ts.cur.Store(f.tok)
		}
		ts.flight.Store(nil)
		close(f.done)
		if f.err != nil {
			return nil, f.err
		}
		return f.tok.auth, nil
	}
}

// fetch asks the token endpoint for a token with the client-credentials
// grant (RFC 6749 section 4.4), the client's secret in the form.
func (ts *tokenSource) fetch(ctx context.Context) (*cachedToken, error) {
	p := ts.provider
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {p.ClientID}, "client_secret": {p.ClientSecret}}
	if p.Scopes != "" {
		form.Set("scope", p.Scopes)
	}
	if p.Resource != "" {
		form.Set("resource", p.Resource)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	start := ts.now()
	res, err := ts.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("token request to %s: %w", req.URL.Redacted(), errors.Unwrap(err))
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("token response of %s: %w", req.URL.Redacted(), err)
	}
	var resp map[string]any
	if err := json.Unmarshal(body, &resp); err != nil || res.StatusCode != http.StatusOK {
		// The error code only: a careless server may echo the secret in
		// its description.
		code, _ := resp["error"].(string)
		return nil, fmt.Errorf("token endpoint %s answered %s %s", req.URL.Redacted(), res.Status, code)
	}
	at, _ := resp["access_token"].(string)
	if at == "" {
		return nil, fmt.Errorf("token endpoint %s sent no access_token", req.URL.Redacted())
	}
	secs := float64(tokenDefaultSeconds)
	if v, ok := resp["expires_in"].(float64); ok && v > 0 {
		secs = v
	}
	life := time.Duration(secs * float64(time.Second))
	return &cachedToken{auth: builtin.NewAuthorization(at, resp), refreshAt: start.Add(life * 4 / 5), expires: start.Add(life)}, nil
}

// authorizations are a Runtime's credential manager connections, by
// "provider/authorization" in lower case.
type authorizations map[string]*authzEntry

type authzEntry struct {
	grant  string
	source *tokenSource // nil unless grant is ClientCredentials
}

// compileAuthorizations builds the token sources of snap's
// client-credentials authorizations, keeping those of prev whose
// settings did not change (with their cached tokens).
func (s *Server) compileAuthorizations(snap *snapshot.Snapshot, prev *Runtime) authorizations {
	if len(snap.AuthorizationProviders) == 0 {
		return nil
	}
	out := authorizations{}
	for pid, p := range snap.AuthorizationProviders {
		b, _ := json.Marshal(p)
		sum := sha256.Sum256(b)
		key := hex.EncodeToString(sum[:16])
		for aid, a := range p.Authorizations {
			k := pid + "/" + aid
			e := &authzEntry{grant: a.GrantType}
			if a.GrantType == "ClientCredentials" {
				if prev != nil && prev.authz[k] != nil && prev.authz[k].source != nil && prev.authz[k].source.key == key {
					e.source = prev.authz[k].source
				} else {
					e.source = &tokenSource{key: key, provider: p, client: &http.Client{Transport: sideTransport{s}}, now: time.Now}
				}
			}
			out[k] = e
		}
	}
	return out
}

// authorizationBroker is the gateway's builtin.Authorizations: it reads
// the installed Runtime's connections, without a lock.
type authorizationBroker struct{ s *Server }

func (b authorizationBroker) Authorization(ctx context.Context, provider, authorization string) (*builtin.Authorization, error) {
	rt := b.s.rt.Load()
	var e *authzEntry
	if rt != nil {
		e = rt.authz[strings.ToLower(provider)+"/"+strings.ToLower(authorization)]
	}
	switch {
	case e == nil:
		return nil, &builtin.AuthorizationError{Reason: "AuthorizationNotFound",
			Message: fmt.Sprintf("Authorization '%s' of authorization provider '%s' was not found.", authorization, provider)}
	case e.source == nil:
		return nil, &builtin.AuthorizationError{Reason: "AuthorizationNotConnected",
			Message: fmt.Sprintf("Authorization '%s' of authorization provider '%s' is not connected: its %s grant needs a consent that Gatehouse cannot obtain yet.", authorization, provider, e.grant)}
	}
	auth, err := e.source.get(ctx)
	if err != nil {
		return nil, &builtin.AuthorizationError{Reason: "AuthorizationTokenFailed",
			Message: fmt.Sprintf("Authorization '%s' of authorization provider '%s' could not get a token: %v", authorization, provider, err)}
	}
	return auth, nil
}
