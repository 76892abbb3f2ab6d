package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/oauthtest"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// authzSnapshot serves API orders, whose inbound is policy (up to an
// <on-error> section, which follows), with the
// provider "partner" of the token endpoint e: authorization "svc"
// (client credentials) and "user" (authorization code).
func authzSnapshot(backend string, e *oauthtest.Endpoint, secret, policy string) *snapshot.Snapshot {
	inbound, onError, _ := strings.Cut(policy, "<on-error>")
	if onError != "" {
		onError = "<on-error>" + onError
	}
	return &snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend, KeyHeader: "k", KeyQuery: "k",
			Policy:     `<policies><inbound>` + inbound + `</inbound><backend><forward-request /></backend>` + onError + `</policies>`,
			Operations: []snapshot.Operation{{ID: "get", Method: "GET", URLTemplate: "/{id}"}}}},
		AuthorizationProviders: map[string]snapshot.AuthorizationProvider{"partner": {IdentityProvider: "oauth2", TokenURL: e.URL,
			ClientID: "gw-client", ClientSecret: secret, Scopes: "orders.read",
			Authorizations: map[string]snapshot.ProviderAuthorization{"svc": {GrantType: "ClientCredentials"}, "user": {GrantType: "AuthorizationCode"}}}},
	}
}

const bearerPolicy = `<get-authorization-context provider-id="partner" authorization-id="%s" context-variable-name="auth" ignore-error="%s" />` +
	`<set-header name="Authorization" exists-action="override"><value>@("Bearer " + ((Authorization)context.Variables.GetValueOrDefault("auth"))?.AccessToken)</value></set-header>` +
	`<set-header name="X-Expires-In" exists-action="override"><value>@(((Authorization)context.Variables.GetValueOrDefault("auth"))?.Claims["expires_in"].ToString() ?? "none")</value></set-header>`

func policyFor(authorization, ignore string) string {
	return strings.Replace(strings.Replace(bearerPolicy, "%s", authorization, 1), "%s", ignore, 1)
}

// echoAuth is a backend answering with the Authorization and
// X-Expires-In it got.
func echoAuth(t *testing.T) string {
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("Authorization")+"|"+r.Header.Get("X-Expires-In"))
	}))
	t.Cleanup(b.Close)
	return b.URL
}

func getBody(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestGetAuthorizationContextClientCredentials(t *testing.T) {
	e := oauthtest.NewEndpoint(t)
	e.AddClient("gw-client", "gw-secret")
	s, gw := serveWith(t, Options{}, authzSnapshot(echoAuth(t), e, "gw-secret", policyFor("svc", "false")))
	want := "Bearer " + oauthtest.Token(1, "gw-client", "orders.read") + "|3600"
	for i := 0; i < 3; i++ {
		if code, body := getBody(t, gw+"/orders/1"); code != 200 || body != want {
			t.Fatalf("request %d: %d %q, want 200 %q", i, code, body, want)
		}
	}
	if e.Calls() != 1 {
		t.Errorf("token requests %d, want 1 (cached)", e.Calls())
	}

	// Refresh before expiry: past four fifths of the lifetime, one
	// request fetches a new token.
	src := s.rt.Load().authz["partner/svc"].source
	var offset atomic.Int64
	src.now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	offset.Store(int64(50 * time.Minute))
	want2 := "Bearer " + oauthtest.Token(2, "gw-client", "orders.read") + "|3600"
	if _, body := getBody(t, gw+"/orders/1"); body != want2 || e.Calls() != 2 {
		t.Errorf("after 50 minutes: %q and %d token requests, want %q and 2", body, e.Calls(), want2)
	}
}

// TestGetAuthorizationContextSingleFlight: concurrent first requests
// wait for one token request.
func TestGetAuthorizationContextSingleFlight(t *testing.T) {
	e := oauthtest.NewEndpoint(t)
	e.AddClient("gw-client", "gw-secret")
	e.Hold()
	_, gw := serveWith(t, Options{}, authzSnapshot(echoAuth(t), e, "gw-secret", policyFor("svc", "false")))
	var wg sync.WaitGroup
	bodies := make([]string, 8)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Get(gw + "/orders/1")
			if err != nil {
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			bodies[i] = string(b)
		}()
	}
	waitFor(t, "the token request", func() bool { return e.Calls() == 1 })
	e.Release()
	wg.Wait()
	for i, b := range bodies {
		if !strings.HasPrefix(b, "Bearer at-1.") {
			t.Errorf("request %d got %q", i, b)
		}
	}
	if e.Calls() != 1 {
		t.Errorf("token requests %d, want 1", e.Calls())
	}
}

// TestGetAuthorizationContextErrors: APIM's ignore-error "false: Return
// 500", with context.LastError for on-error; "true: The context variable
// is assigned a value of null."
func TestGetAuthorizationContextErrors(t *testing.T) {
	e := oauthtest.NewEndpoint(t)
	e.AddClient("gw-client", "gw-secret")
	backend := echoAuth(t)
	onError := `<on-error><return-response><set-status code="500" /><set-body>@(context.LastError.Source + "|" + context.LastError.Reason + "|" + context.LastError.Message)</set-body></return-response></on-error>`
	for _, tt := range []struct {
		name, secret, policy string
		wantCode             int
		wantBody             string // contained
	}{
		{"authorization code is not connected", "gw-secret", policyFor("user", "false") + onError, 500,
			"get-authorization-context|AuthorizationNotConnected|Authorization 'user' of authorization provider 'partner' is not connected"},
		{"unknown authorization", "gw-secret", policyFor("nope", "false") + onError, 500, "get-authorization-context|AuthorizationNotFound|"},
		{"wrong client secret", "wrong-secret", policyFor("svc", "false") + onError, 500, "AuthorizationTokenFailed|"},
		{"ignore-error", "gw-secret", policyFor("user", "true"), 200, "Bearer|none"},
		{"no on-error", "gw-secret", policyFor("user", "false"), 500, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, gw := serveWith(t, Options{}, authzSnapshot(backend, e, tt.secret, tt.policy))
			code, body := getBody(t, gw+"/orders/1")
			if code != tt.wantCode || !strings.Contains(body, tt.wantBody) {
				t.Errorf("%d %q, want %d containing %q", code, body, tt.wantCode, tt.wantBody)
			}
			if strings.Contains(body, "secret") {
				t.Errorf("the answer shows the client secret: %q", body)
			}
		})
	}
}
