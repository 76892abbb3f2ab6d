// Package oauthtest serves an OAuth 2.0 token endpoint for tests: the
// client-credentials grant (RFC 6749 section 4.4) with the client
// authenticated by a client secret (in the form or HTTP Basic) or by a
// JWT-bearer client assertion (RFC 7523), as Microsoft Entra ID's v2
// endpoint does for workload identity federation. It counts its calls.
package oauthtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// JWTBearer is the client_assertion_type of a federated client assertion.
const JWTBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Endpoint is a running test token endpoint. It answers POSTs to any
// path ending in "/token"; a test usually uses URL (…/oauth2/v2.0/token
// under a tenant, as Entra ID's) or Base.
type Endpoint struct {
	// Base is the server's URL, such as an AZURE_AUTHORITY_HOST.
	Base string
	// URL is Base + "/" + Tenant + "/oauth2/v2.0/token".
	URL string
	// Tenant is the tenant id in URL.
	Tenant string

	mu         sync.Mutex
	secrets    map[string]string // client id → secret
	assertions map[string]string // client id → the assertion it accepts
	expiresIn  int
	fail       int           // status to answer every request with; 0: none
	hold       chan struct{} // when set, requests wait for it to close
	requests   []Request
}

// Request is what a token request asked for.
type Request struct {
	Path      string
	ClientID  string
	Secret    bool // the client sent a client secret
	Assertion bool // the client sent a JWT-bearer client assertion
	Scope     string
	Resource  string
	Audience  string
}

// NewEndpoint starts an endpoint on loopback that stops when the test
// ends. Tokens live for an hour until SetExpiresIn.
func NewEndpoint(t testing.TB) *Endpoint {
	t.Helper()
	e := &Endpoint{Tenant: "tenant-1", secrets: map[string]string{}, assertions: map[string]string{}, expiresIn: 3600}
	srv := httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(func() {
		e.Release()
		srv.Close()
	})
	e.Base = srv.URL
	e.URL = srv.URL + "/" + e.Tenant + "/oauth2/v2.0/token"
	return e
}

// AddClient accepts client id with secret.
func (e *Endpoint) AddClient(id, secret string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.secrets[id] = secret
}

// SetAssertion makes client id accept assertion (only it) as its
// federated credential.
func (e *Endpoint) SetAssertion(id, assertion string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.assertions[id] = assertion
}

// SetExpiresIn sets the expires_in of tokens issued from now on; 0:
// responses have none.
func (e *Endpoint) SetExpiresIn(seconds int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.expiresIn = seconds
}

// Fail makes every request fail with status (a 500 with a non-OAuth
// body); 0 ends that.
func (e *Endpoint) Fail(status int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fail = status
}

// Hold makes requests wait until Release; they are counted on arrival.
func (e *Endpoint) Hold() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.hold == nil {
		e.hold = make(chan struct{})
	}
}

// Release lets held requests and later ones go on.
func (e *Endpoint) Release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.hold != nil {
		close(e.hold)
		e.hold = nil
	}
}

// Calls returns how many token requests arrived.
func (e *Endpoint) Calls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.requests)
}

// Requests returns the token requests that arrived, in order.
func (e *Endpoint) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Request(nil), e.requests...)
}

// Token returns the access token the endpoint issues as the nth (from 1)
// response to client id for scope (or resource or audience): tests
// compare what a backend received with it.
func Token(n int, id, scope string) string { return fmt.Sprintf("at-%d.%s.%s", n, id, scope) }

func (e *Endpoint) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || len(r.URL.Path) < 6 || r.URL.Path[len(r.URL.Path)-6:] != "/token" {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	f := r.PostForm
	req := Request{Path: r.URL.Path, ClientID: f.Get("client_id"), Scope: f.Get("scope"), Resource: f.Get("resource"), Audience: f.Get("audience")}
	secret, hasSecret := f.Get("client_secret"), f.Has("client_secret")
	if id, s, ok := r.BasicAuth(); ok {
		req.ClientID, secret, hasSecret = id, s, true
	}
	req.Secret, req.Assertion = hasSecret, f.Has("client_assertion")
	e.mu.Lock()
	e.requests = append(e.requests, req)
	n, hold, fail, expiresIn := len(e.requests), e.hold, e.fail, e.expiresIn
	wantSecret, isClient := e.secrets[req.ClientID]
	wantAssertion, federated := e.assertions[req.ClientID]
	e.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case fail != 0:
		http.Error(w, "the token service is unwell", fail)
		return
	case f.Get("grant_type") != "client_credentials":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials")
		return
	case req.Assertion && f.Get("client_assertion_type") != JWTBearer:
		oauthError(w, http.StatusBadRequest, "invalid_request", "client_assertion_type must be "+JWTBearer)
		return
	case req.Assertion && hasSecret:
		oauthError(w, http.StatusBadRequest, "invalid_request", "both a client secret and an assertion")
		return
	case req.Assertion && (!federated || f.Get("client_assertion") != wantAssertion):
		// Echo what was sent, as a careless server might: clients must
		// not pass it on into their logs.
		oauthError(w, http.StatusBadRequest, "invalid_client", "assertion "+f.Get("client_assertion")+" is not accepted")
		return
	case !req.Assertion && (!isClient || !hasSecret || secret != wantSecret):
		oauthError(w, http.StatusBadRequest, "invalid_client", "client secret "+secret+" is wrong for client "+req.ClientID)
		return
	}
	what := req.Scope + req.Resource + req.Audience
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	resp := map[string]any{"access_token": Token(n, req.ClientID, what), "token_type": "Bearer"}
	if expiresIn != 0 {
		resp["expires_in"] = expiresIn
	}
	json.NewEncoder(w).Encode(resp)
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
