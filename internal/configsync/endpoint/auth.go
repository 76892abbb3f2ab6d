package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/gatewaykey"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// errUnauthenticated is what every authentication failure becomes; the
// precise reason is logged, not sent.
var errUnauthenticated = errors.New("unauthenticated")

// signingAlgs are the algorithms accepted for workload-identity tokens.
var signingAlgs = []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.ES256, oidc.ES384, oidc.ES512}

// authenticate checks that r carries a credential of gateway: a
// GatewayKey token signed with one of its keys, or a workload-identity JWT
// matching one of its federated credentials. It returns the reason for a
// refusal, for the log.
func (s *Server) authenticate(r *http.Request, gateway string) error {
	auth := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(auth, gatewaykey.Prefix):
		return s.checkToken(r.Context(), auth, gateway)
	case strings.HasPrefix(auth, "Bearer "):
		return s.checkWorkload(r.Context(), strings.TrimSpace(strings.TrimPrefix(auth, "Bearer ")), gateway)
	case auth == "":
		return errors.New("no Authorization header")
	}
	return errors.New("unsupported Authorization scheme")
}

func (s *Server) checkToken(ctx context.Context, auth, gateway string) error {
	tok, err := gatewaykey.Parse(auth)
	if err != nil {
		return err
	}
	var rec *store.Record
	err = s.store.View(ctx, func(r store.Reader) error {
		rec, err = r.Get(ctx, model.KindGateway, "", gateway)
		return err
	})
	if err != nil {
		return fmt.Errorf("gateway %s: %w", gateway, err)
	}
	var keys gatewaykey.Keys
	if len(rec.Secret) > 0 {
		if err := json.Unmarshal(rec.Secret, &keys); err != nil {
			return fmt.Errorf("gateway %s keys: %w", gateway, err)
		}
	}
	return tok.Verify(gateway, keys, s.now())
}

// checkWorkload verifies a workload-identity JWT against the gateway's
// federated credentials: signature (issuer's JWKS), issuer, expiry and
// not-before by go-oidc; subject and audience here.
func (s *Server) checkWorkload(ctx context.Context, raw, gateway string) error {
	parsed, err := jwt.ParseSigned(raw, jwaAlgs)
	if err != nil {
		return fmt.Errorf("workload token: %w", err)
	}
	var unverified jwt.Claims
	if err := parsed.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return fmt.Errorf("workload token claims: %w", err)
	}
	var creds []*store.Record
	err = s.store.View(ctx, func(r store.Reader) error {
		creds, err = r.List(ctx, store.Query{Kind: model.KindFederatedCredential, Parent: gateway})
		return err
	})
	if err != nil {
		return err
	}
	issuer := strings.TrimSuffix(unverified.Issuer, "/")
	var lastErr error = fmt.Errorf("no federated credential of gateway %s trusts issuer %q", gateway, unverified.Issuer)
	for _, rec := range creds {
		var fc model.FederatedCredential
		if err := json.Unmarshal(rec.Props, &fc); err != nil {
			return fmt.Errorf("federated credential %s: %w", rec.ID, err)
		}
		if fc.Issuer != issuer {
			continue
		}
		verifier, err := s.issuers.verifier(fc.Issuer)
		if err != nil {
			lastErr = err
			continue
		}
		idt, err := verifier.Verify(ctx, raw)
		if err != nil {
			lastErr = fmt.Errorf("workload token: %w", err)
			continue
		}
		if idt.Subject != fc.Subject {
			lastErr = fmt.Errorf("workload token subject %q is not %q (credential %s)", idt.Subject, fc.Subject, rec.ID)
			continue
		}
		if !slices.ContainsFunc(idt.Audience, func(a string) bool { return slices.Contains(fc.Audiences, a) }) {
			lastErr = fmt.Errorf("workload token audiences %q include none of %q (credential %s)", idt.Audience, fc.Audiences, rec.ID)
			continue
		}
		return nil
	}
	return lastErr
}

var jwaAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512}

// issuerCache keeps one OIDC verifier per issuer. The discovery document
// is fetched once; go-oidc's key set refetches the JWKS when a token names
// an unknown key id. A failed discovery is retried at most every
// retryAfter. It is safe for concurrent use.
type issuerCache struct {
	ctx        context.Context // lives as long as the Server; used for JWKS fetches
	now        func() time.Time
	retryAfter time.Duration
	mu         sync.Mutex
	byIssuer   map[string]*issuerEntry
}

type issuerEntry struct {
	verifier *oidc.IDTokenVerifier
	err      error
	at       time.Time
}

func (ic *issuerCache) verifier(issuer string) (*oidc.IDTokenVerifier, error) {
	ic.mu.Lock()
	e := ic.byIssuer[issuer]
	if e != nil && (e.err == nil || ic.now().Sub(e.at) < ic.retryAfter) {
		ic.mu.Unlock()
		return e.verifier, e.err
	}
	ic.mu.Unlock()

	ctx, cancel := context.WithTimeout(ic.ctx, 10*time.Second)
	defer cancel()
	e = &issuerEntry{at: ic.now()}
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		e.err = fmt.Errorf("issuer %s discovery: %w", issuer, err)
	} else {
		// The key set must outlive this call: rebuild it on the long-lived context.
		var meta struct {
			JWKSURL string `json:"jwks_uri"`
		}
		if err := p.Claims(&meta); err != nil || meta.JWKSURL == "" {
			e.err = fmt.Errorf("issuer %s discovery has no jwks_uri", issuer)
		} else {
			keys := oidc.NewRemoteKeySet(ic.ctx, meta.JWKSURL)
			e.verifier = oidc.NewVerifier(issuer, keys, &oidc.Config{
				SkipClientIDCheck: true, SupportedSigningAlgs: signingAlgs, Now: ic.now,
			})
		}
	}
	ic.mu.Lock()
	ic.byIssuer[issuer] = e
	ic.mu.Unlock()
	return e.verifier, e.err
}
