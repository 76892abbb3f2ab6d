package managedidentity_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/managedidentity"
	"github.com/gatehouse/gatehouse/internal/oauthtest"
)

const (
	clientID = "11111111-aaaa-4bbb-8ccc-000000000001"
	secret   = "s3cret-value-never-logged"
	vault    = "https://vault.azure.net"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newProvider returns a provider of a client with a secret, registered
// at ep, on clk, logging into logs.
func newProvider(t *testing.T, ep *oauthtest.Endpoint, clk *clock, logs *syncBuffer, tweak ...func(*managedidentity.Config)) *managedidentity.Provider {
	t.Helper()
	ep.AddClient(clientID, secret)
	cfg := managedidentity.Config{TokenURL: ep.URL, ClientID: clientID, ClientSecret: secret, Now: clk.Now}
	if logs != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	for _, f := range tweak {
		f(&cfg)
	}
	p, err := managedidentity.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustToken(t *testing.T, p *managedidentity.Provider, client, resource, want string) {
	t.Helper()
	got, err := p.Token(context.Background(), client, resource)
	if err != nil {
		t.Fatalf("Token(%q, %q): %v", client, resource, err)
	}
	if got != want {
		t.Fatalf("Token(%q, %q) = %q, want %q", client, resource, got, want)
	}
}

func TestManagedIdentityCachesTokens(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	p := newProvider(t, ep, newClock(), nil)
	for range 100 {
		mustToken(t, p, "", vault, oauthtest.Token(1, clientID, vault+"/.default"))
	}
	if n := ep.Calls(); n != 1 {
		t.Fatalf("100 calls made %d token requests, want 1", n)
	}
	r := ep.Requests()[0]
	if r.ClientID != clientID || !r.Secret || r.Assertion || r.Scope != vault+"/.default" || r.Path != "/tenant-1/oauth2/v2.0/token" {
		t.Errorf("token request %+v", r)
	}
	// Another resource is another token; the first stays cached.
	mustToken(t, p, "", "https://graph.microsoft.com/", oauthtest.Token(2, clientID, "https://graph.microsoft.com/.default"))
	mustToken(t, p, "", vault, oauthtest.Token(1, clientID, vault+"/.default"))
	if n := ep.Calls(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestManagedIdentityRefreshBeforeExpiry(t *testing.T) {
	tests := []struct {
		expiresIn int
		refresh   time.Duration // when the token is fetched again
	}{
		{3600, 55 * time.Minute}, // 5 minutes before expiry
		{600, 9 * time.Minute},   // a tenth of the lifetime before
		{0, 270 * time.Second},   // no expires_in: a 5-minute lifetime assumed
	}
	for _, tt := range tests {
		ep := oauthtest.NewEndpoint(t)
		ep.SetExpiresIn(tt.expiresIn)
		clk := newClock()
		p := newProvider(t, ep, clk, nil, func(c *managedidentity.Config) { c.ResourceParameter = managedidentity.ResourceScope })
		mustToken(t, p, "", vault, oauthtest.Token(1, clientID, vault))
		clk.Advance(tt.refresh - time.Second)
		mustToken(t, p, "", vault, oauthtest.Token(1, clientID, vault))
		clk.Advance(time.Second)
		mustToken(t, p, "", vault, oauthtest.Token(2, clientID, vault))
		if n := ep.Calls(); n != 2 {
			t.Errorf("expires_in %d: %d token requests, want 2", tt.expiresIn, n)
		}
	}
}

func TestManagedIdentityConcurrentFirstUse(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	p := newProvider(t, ep, newClock(), nil)
	ep.Hold()
	const callers = 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			tok, err := p.Token(context.Background(), "", vault)
			if err == nil && tok != oauthtest.Token(1, clientID, vault+"/.default") {
				err = &tokenError{tok}
			}
			errs <- err
		})
	}
	deadline := time.Now().Add(5 * time.Second)
	for ep.Calls() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the other callers arrive
	ep.Release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := ep.Calls(); n != 1 {
		t.Errorf("%d concurrent first calls made %d token requests, want 1", callers, n)
	}
}

type tokenError struct{ tok string }

func (e *tokenError) Error() string { return "unexpected token " + e.tok }

func TestManagedIdentityFederatedTokenFileRotation(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	file := filepath.Join(t.TempDir(), "azure-identity-token")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("eyJ.first.sig")
	ep.SetAssertion(clientID, "eyJ.first.sig")
	clk, logs := newClock(), &syncBuffer{}
	p := newProvider(t, ep, clk, logs, func(c *managedidentity.Config) { c.ClientSecret, c.FederatedTokenFile = "", file })
	mustToken(t, p, "", vault, oauthtest.Token(1, clientID, vault+"/.default"))
	if r := ep.Requests()[0]; !r.Assertion || r.Secret {
		t.Errorf("federated request %+v: want an assertion and no secret", r)
	}

	// The kubelet rotates the token; the endpoint accepts only the new one.
	write("eyJ.second.sig")
	ep.SetAssertion(clientID, "eyJ.second.sig")
	clk.Advance(time.Hour)
	mustToken(t, p, "", vault, oauthtest.Token(2, clientID, vault+"/.default"))

	// An assertion the endpoint refuses is an error that does not carry it.
	write("eyJ.stale.sig")
	clk.Advance(time.Hour)
	_, err := p.Token(context.Background(), "", vault)
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || strings.Contains(err.Error(), "eyJ.stale.sig") {
		t.Errorf("refused assertion: err %v", err)
	}
	if strings.Contains(logs.String(), "eyJ.") {
		t.Errorf("a log line carries the assertion:\n%s", logs)
	}
	os.Remove(file)
	clk.Advance(time.Minute)
	if _, err := p.Token(context.Background(), "", vault); err == nil || !strings.Contains(err.Error(), "federated token file") {
		t.Errorf("missing token file: err %v", err)
	}
}

func TestManagedIdentityEndpointErrors(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	logs := &syncBuffer{}
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + dead.Addr().String() + "/token"
	dead.Close()
	tests := []struct {
		name  string
		tweak func(*managedidentity.Config)
		fail  int
		want  string
	}{
		{"invalid client", func(c *managedidentity.Config) { c.ClientSecret = "wrong-" + secret }, 0, "400 Bad Request: invalid_client"},
		{"server error", nil, http.StatusInternalServerError, "token endpoint answered 500 Internal Server Error"},
		{"unreachable", func(c *managedidentity.Config) { c.TokenURL = deadURL }, 0, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tweaks []func(*managedidentity.Config)
			if tt.tweak != nil {
				tweaks = append(tweaks, tt.tweak)
			}
			p := newProvider(t, ep, newClock(), logs, tweaks...)
			ep.Fail(tt.fail)
			defer ep.Fail(0)
			_, err := p.Token(context.Background(), "", vault)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error carries the secret: %v", err)
			}
		})
	}
	if !strings.Contains(logs.String(), "token fetch failed") || strings.Contains(logs.String(), secret) {
		t.Errorf("logs: want the failures without the secret:\n%s", logs)
	}
}

func TestManagedIdentityFailureMemo(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	ep.SetExpiresIn(600)
	clk := newClock()
	p := newProvider(t, ep, clk, nil)
	mustToken(t, p, "", vault, oauthtest.Token(1, clientID, vault+"/.default"))

	// The refresh fails: the still-valid token is used, and the endpoint
	// is asked again only after the memo.
	ep.Fail(http.StatusInternalServerError)
	clk.Advance(9 * time.Minute)
	for range 20 {
		mustToken(t, p, "", vault, oauthtest.Token(1, clientID, vault+"/.default"))
	}
	if n := ep.Calls(); n != 2 {
		t.Fatalf("%d token requests, want 2 (one failed refresh)", n)
	}
	clk.Advance(managedidentity.DefaultFailureMemo)
	mustToken(t, p, "", vault, oauthtest.Token(1, clientID, vault+"/.default"))
	if n := ep.Calls(); n != 3 {
		t.Fatalf("%d token requests, want 3", n)
	}

	// Once it has expired, the failure is the answer, remembered too.
	clk.Advance(time.Minute)
	for range 20 {
		if _, err := p.Token(context.Background(), "", vault); err == nil || !strings.Contains(err.Error(), "500") {
			t.Fatalf("expired token and failing endpoint: err %v", err)
		}
	}
	if n := ep.Calls(); n != 4 {
		t.Fatalf("%d token requests, want 4", n)
	}
	ep.Fail(0)
	clk.Advance(managedidentity.DefaultFailureMemo)
	mustToken(t, p, "", vault, oauthtest.Token(5, clientID, vault+"/.default"))
}

func TestManagedIdentityClientIDOverride(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	const other = "22222222-aaaa-4bbb-8ccc-000000000002"
	ep.AddClient(other, secret)
	p := newProvider(t, ep, newClock(), nil)
	mustToken(t, p, other, vault, oauthtest.Token(1, other, vault+"/.default"))
	mustToken(t, p, "", vault, oauthtest.Token(2, clientID, vault+"/.default"))
	mustToken(t, p, other, vault, oauthtest.Token(1, other, vault+"/.default"))

	noDefault := newProvider(t, ep, newClock(), nil, func(c *managedidentity.Config) { c.ClientID = "" })
	if _, err := noDefault.Token(context.Background(), "", vault); err != managedidentity.ErrNoClientID {
		t.Errorf("no client id: err %v", err)
	}
	mustToken(t, noDefault, other, vault, oauthtest.Token(3, other, vault+"/.default"))
}

func TestManagedIdentityCallerGivesUp(t *testing.T) {
	ep := oauthtest.NewEndpoint(t)
	p := newProvider(t, ep, newClock(), nil)
	ep.Hold()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.Token(ctx, "", vault); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("err %v, want the caller's deadline", err)
	}
	ep.Release()
	// The fetch went on for others: its token is cached.
	deadline := time.Now().Add(5 * time.Second)
	for {
		tok, err := p.Token(context.Background(), "", vault)
		if err != nil {
			t.Fatal(err)
		}
		if tok == oauthtest.Token(1, clientID, vault+"/.default") && ep.Calls() == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("token %q after %d requests", tok, ep.Calls())
		}
	}
}
