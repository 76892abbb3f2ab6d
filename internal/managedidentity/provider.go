package managedidentity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/sync/singleflight"
)

// jwtBearer is the client_assertion_type of a federated client assertion.
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Refresh rule: a token is fetched again when less than refreshMargin or
// a tenth of its lifetime, whichever is smaller, remains.
const refreshMargin = 5 * time.Minute

// ErrNoClientID is returned when neither the call nor the Config names a
// client id.
var ErrNoClientID = errors.New("no client id: configure one (--identity-client-id or AZURE_CLIENT_ID) or set the policy's client-id")

// Provider gets and caches access tokens. Its zero value is not usable;
// use New. It is safe for concurrent use.
type Provider struct {
	cfg   Config
	param string // the resolved ResourceParameter
	log   *slog.Logger
	now   func() time.Time
	group singleflight.Group

	mu    sync.Mutex // guards cache
	cache map[cacheKey]*entry
}

type cacheKey struct{ clientID, resource string }

// entry is what is known about the token of one key.
type entry struct {
	token     string    // empty: none yet
	refreshAt time.Time // fetch again from here on
	expires   time.Time // the token is not used from here on
	err       error     // of the last fetch, when it failed
	errUntil  time.Time // err is returned without a fetch until then
}

// New returns a Provider for cfg, or an error naming what is wrong with
// cfg. Nothing is fetched until the first Token call.
func New(cfg Config) (*Provider, error) {
	param, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	p := &Provider{cfg: cfg, param: param, log: cfg.Logger, now: cfg.Now, cache: map[cacheKey]*entry{}}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.cfg.HTTPClient == nil {
		p.cfg.HTTPClient = http.DefaultClient
	}
	if p.cfg.FetchTimeout <= 0 {
		p.cfg.FetchTimeout = DefaultFetchTimeout
	}
	if p.cfg.FailureMemo <= 0 {
		p.cfg.FailureMemo = DefaultFailureMemo
	}
	return p, nil
}

// LogValue describes the provider's settings for a log line: the token
// URL, the default client id, the kind of credential and the resource
// parameter; never a secret.
func (p *Provider) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token_url", p.cfg.TokenURL),
		slog.String("client_id", p.cfg.ClientID),
		slog.String("credential", p.cfg.credential()),
		slog.String("resource_parameter", p.param),
	)
}

// Token returns an access token for resource of the identity clientID
// (empty: the configured client id). A cached token is returned without
// a request; otherwise one fetch per (client id, resource) runs at a time
// and concurrent callers share its result. ctx bounds only the caller's
// wait: the fetch itself runs to its own timeout, for the other waiters.
func (p *Provider) Token(ctx context.Context, clientID, resource string) (string, error) {
	if clientID == "" {
		clientID = p.cfg.ClientID
	}
	if clientID == "" {
		return "", ErrNoClientID
	}
	if strings.TrimSpace(resource) == "" {
		return "", errors.New("no resource: the policy's resource is empty")
	}
	k := cacheKey{clientID, resource}
	if tok, err, done := p.cached(k); done {
		return tok, err
	}
	ch := p.group.DoChan(clientID+"\x00"+resource, func() (any, error) {
		return p.fetch(context.WithoutCancel(ctx), k)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", fmt.Errorf("managed identity token for %s: %w", resource, ctx.Err())
	}
}

// cached returns the answer for k without a fetch, when there is one: a
// token that needs no refresh, or a remembered failure (with the old
// token while it is still valid).
func (p *Provider) cached(k cacheKey) (string, error, bool) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.cache[k]
	switch {
	case e == nil:
		return "", nil, false
	case e.token != "" && now.Before(e.refreshAt):
		return e.token, nil, true
	case e.err != nil && now.Before(e.errUntil):
		if e.token != "" && now.Before(e.expires) {
			return e.token, nil, true
		}
		return "", e.err, true
	}
	return "", nil, false
}

// fetch gets a token for k from the endpoint and records the outcome. A
// caller that waited for an earlier fetch of k finds its result instead.
func (p *Provider) fetch(ctx context.Context, k cacheKey) (string, error) {
	if tok, err, done := p.cached(k); done {
		return tok, err
	}
	start := p.now()
	ctx, cancel := context.WithTimeout(ctx, p.cfg.FetchTimeout)
	defer cancel()
	tok, lifetime, err := p.request(ctx, k)
	done := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.cache[k]
	if e == nil {
		if len(p.cache) >= maxEntries {
			p.prune(done)
		}
		for old := range p.cache { // still full of live tokens: a hard cap
			if len(p.cache) < maxEntries {
				break
			}
			delete(p.cache, old)
		}
		e = &entry{}
		p.cache[k] = e
	}
	if err != nil {
		err = fmt.Errorf("managed identity token for %s (client %s): %w", k.resource, k.clientID, err)
		e.err, e.errUntil = err, done.Add(p.cfg.FailureMemo)
		p.log.Warn("managed identity: token fetch failed", "client_id", k.clientID, "resource", k.resource, "err", err)
		if e.token != "" && done.Before(e.expires) {
			return e.token, nil // still valid: use it until it expires
		}
		return "", err
	}
	e.token, e.err = tok, nil
	e.expires = start.Add(lifetime)
	e.refreshAt = e.expires.Add(-min(refreshMargin, lifetime/10))
	return tok, nil
}

// maxEntries is the number of cached keys above which expired ones are
// dropped, and then others at random: a resource may be an expression, so
// the keys are not bounded by the configuration.
const maxEntries = 1024

// prune drops the entries that are of no more use at now: no valid token
// and no failure to remember. p.mu is held.
func (p *Provider) prune(now time.Time) {
	for k, e := range p.cache {
		if !now.Before(e.expires) && !now.Before(e.errUntil) {
			delete(p.cache, k)
		}
	}
}

// request sends one token request and returns the token and its lifetime.
func (p *Provider) request(ctx context.Context, k cacheKey) (string, time.Duration, error) {
	cc := clientcredentials.Config{
		ClientID:  k.clientID,
		TokenURL:  p.cfg.TokenURL,
		AuthStyle: oauth2.AuthStyleInParams, // no auto-detection: it sends a failing request twice
	}
	secrets := make([]string, 0, 2)
	switch {
	case p.cfg.FederatedTokenFile != "":
		assertion, err := readFile("federated token file", p.cfg.FederatedTokenFile)
		if err != nil {
			return "", 0, err
		}
		secrets = append(secrets, assertion)
		cc.EndpointParams = map[string][]string{"client_assertion_type": {jwtBearer}, "client_assertion": {assertion}}
	case p.cfg.ClientSecretFile != "":
		secret, err := readFile("client secret file", p.cfg.ClientSecretFile)
		if err != nil {
			return "", 0, err
		}
		cc.ClientSecret = secret
	default:
		cc.ClientSecret = p.cfg.ClientSecret
	}
	if cc.ClientSecret != "" {
		secrets = append(secrets, cc.ClientSecret)
	}
	switch p.param {
	case ResourceAzureV2:
		cc.Scopes = []string{AzureScope(k.resource)}
	case ResourceScope:
		cc.Scopes = []string{k.resource}
	default: // ResourceIndicator, ResourceAudience
		if cc.EndpointParams == nil {
			cc.EndpointParams = map[string][]string{}
		}
		cc.EndpointParams[p.param] = []string{k.resource}
	}
	tok, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, p.cfg.HTTPClient))
	if err != nil {
		return "", 0, redact(describe(err), secrets)
	}
	if t := tok.Type(); !strings.EqualFold(t, "Bearer") {
		return "", 0, fmt.Errorf("token endpoint returned a token of type %q, not Bearer", t)
	}
	lifetime := DefaultLifetime
	if !tok.Expiry.IsZero() {
		// x/oauth2 turns expires_in into a wall-clock Expiry; the
		// round trip just ended, so rounding gives back expires_in.
		lifetime = time.Until(tok.Expiry).Round(time.Second)
	}
	if lifetime <= 0 {
		return "", 0, fmt.Errorf("token endpoint returned a token that has expired (expires_in %v)", lifetime)
	}
	return tok.AccessToken, lifetime, nil
}

// maxDescription bounds the part of an endpoint's error description that
// goes into an error.
const maxDescription = 300

// describe turns an error of x/oauth2 into one that names the endpoint's
// status and error code but carries no response body.
func describe(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("token request: %w", err)
	}
	msg := "token endpoint answered " + re.Response.Status
	if re.ErrorCode != "" {
		msg += ": " + re.ErrorCode
	}
	if d := re.ErrorDescription; d != "" {
		if len(d) > maxDescription {
			d = d[:maxDescription] + "…"
		}
		msg += ": " + d
	}
	return errors.New(msg)
}

// redact replaces every secret in err's message, in case an endpoint
// echoes one.
func redact(err error, secrets []string) error {
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg, changed = strings.ReplaceAll(msg, s, "[redacted]"), true
		}
	}
	if !changed {
		return err
	}
	return errors.New(msg)
}

// readFile returns the trimmed contents of a credential file.
func readFile(what, name string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", what, err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s %s is empty", what, name)
	}
	return s, nil
}
