package selfhosted

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// authRecorder is a configuration endpoint that refuses every request and
// records the Authorization header of each.
type authRecorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
	got  chan struct{} // closed at the first request
	once sync.Once
}

func newAuthRecorder(t *testing.T) *authRecorder {
	t.Helper()
	rec := &authRecorder{got: make(chan struct{})}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen = append(rec.seen, r.Header.Get("Authorization"))
		rec.mu.Unlock()
		rec.once.Do(func() { close(rec.got) })
		http.Error(w, `{"error":{"code":"Unauthorized","message":"no"}}`, http.StatusUnauthorized)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *authRecorder) headers() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.seen...)
}

// runGateway runs the gateway command with args against rec until rec
// has seen a request (or, when wantStart is false, until the command
// returns), and returns the command's error.
func runGateway(t *testing.T, rec *authRecorder, wantStart bool, args ...string) error {
	t.Helper()
	cmd := NewCommand("test", nil)
	cmd.SetArgs(append([]string{"--config-endpoint", rec.URL, "--gateway-id", "edge", "--gateway-http", "127.0.0.1:0",
		"--backup", "", "--log-level", "error"}, args...))
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	if wantStart {
		select {
		case <-rec.got:
		case err := <-done:
			t.Fatalf("the gateway stopped before calling the configuration endpoint: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("the gateway did not call the configuration endpoint")
		}
		cancel()
	}
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the gateway did not stop")
	}
	return nil
}

// TestGatewayNeverSendsTheCLIToken: in a shell set up for the CLI
// (GATEHOUSE_TOKEN holds an admin token) a gateway without a token of its
// own refuses to start and calls nobody; given GATEHOUSE_GATEWAY_TOKEN or
// APIM's config.service.auth, it sends that and never the admin token.
func TestGatewayNeverSendsTheCLIToken(t *testing.T) {
	const admin = "admin-secret-of-the-cli"
	t.Setenv("GATEHOUSE_TOKEN", admin)

	rec := newAuthRecorder(t)
	err := runGateway(t, rec, false)
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_GATEWAY_TOKEN") {
		t.Errorf("gateway without a token of its own: %v, want a refusal naming GATEHOUSE_GATEWAY_TOKEN", err)
	}
	if got := rec.headers(); len(got) != 0 {
		t.Errorf("a gateway that did not start called the endpoint with %q", got)
	}

	tests := []struct {
		name, env, value, want string
	}{
		{"GATEHOUSE_GATEWAY_TOKEN", "GATEHOUSE_GATEWAY_TOKEN", gatewayToken("E"), gatewayToken("E")},
		{"config.service.auth", "config.service.auth", gatewayToken("C"), gatewayToken("C")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(tt.env, tt.value)
			rec := newAuthRecorder(t)
			runGateway(t, rec, true)
			got := rec.headers()
			for _, h := range got {
				if h != tt.want || strings.Contains(h, admin) {
					t.Errorf("the endpoint got Authorization %q, want %q", h, tt.want)
				}
			}
		})
	}

	t.Run("--token wins", func(t *testing.T) {
		t.Setenv("GATEHOUSE_GATEWAY_TOKEN", gatewayToken("E"))
		rec := newAuthRecorder(t)
		runGateway(t, rec, true, "--token", gatewayToken("F"))
		for _, h := range rec.headers() {
			if h != gatewayToken("F") {
				t.Errorf("the endpoint got Authorization %q, want the --token", h)
			}
		}
	})
}

// gatewayToken returns a well-formed GatewayKey token for gateway edge
// whose signature is the character c repeated.
func gatewayToken(c string) string {
	return "GatewayKey edge&203001010000&" + strings.Repeat(c, 85) + "A=="
}

// TestGatewayNameFromToken: given APIM's config.service.endpoint and
// config.service.auth alone, without gateway.name, the gateway follows the
// gateway its token names, as APIM's does; with workload identity there is
// no token to name it, and the gateway refuses to start.
func TestGatewayNameFromToken(t *testing.T) {
	paths := make(chan string, 16)
	plane := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case paths <- r.URL.Path:
		default:
		}
		http.Error(w, `{"error":{"code":"Unauthorized","message":"no"}}`, http.StatusUnauthorized)
	}))
	t.Cleanup(plane.Close)
	t.Setenv("config.service.endpoint", plane.URL)

	run := func(t *testing.T) (chan error, context.CancelFunc) {
		t.Helper()
		cmd := NewCommand("test", nil)
		cmd.SetArgs([]string{"--gateway-http", "127.0.0.1:0", "--backup", "", "--log-level", "error"})
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- cmd.ExecuteContext(ctx) }()
		return done, cancel
	}

	t.Run("token", func(t *testing.T) {
		t.Setenv("config.service.auth", gatewayToken("T"))
		done, cancel := run(t)
		defer cancel()
		select {
		case p := <-paths:
			if !strings.HasPrefix(p, "/configuration/gateways/edge/") {
				t.Errorf("the gateway called %s, want the token's gateway edge", p)
			}
		case err := <-done:
			t.Fatalf("the gateway stopped before calling the configuration endpoint: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("the gateway did not call the configuration endpoint")
		}
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the gateway did not stop")
		}
	})

	t.Run("workload identity", func(t *testing.T) {
		t.Setenv("config.service.auth", "workloadIdentity")
		done, cancel := run(t)
		defer cancel()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "--gateway-id") {
				t.Errorf("workload identity without gateway.name: %v, want a refusal naming --gateway-id", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the gateway started without a gateway name")
		}
	})
}
