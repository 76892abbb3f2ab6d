package mgmtclient

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// tokenSink is a server that records the Authorization header of every
// request it gets.
type tokenSink struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

func newTokenSink(t *testing.T) *tokenSink {
	t.Helper()
	s := &tokenSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.mu.Unlock()
		io.WriteString(w, `{"id":"/apis/x","name":"x","type":"apis","properties":{}}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *tokenSink) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

// redirector redirects every request to target plus the request's path.
func redirector(t *testing.T, target string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestTokenGoesOnlyToTheEndpoint: a redirect to another host, or to
// another port of the same host, is not followed, so the admin token goes
// nowhere but --endpoint. net/http alone drops Authorization for another
// host name but keeps it for another port, which is why the client
// refuses both.
func TestTokenGoesOnlyToTheEndpoint(t *testing.T) {
	other := newTokenSink(t)
	sameHost := other.URL // 127.0.0.1, on another port than the redirector
	otherHost := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)

	// What net/http does on its own.
	for target, keeps := range map[string]bool{sameHost: true, otherHost: false} {
		req, _ := http.NewRequest("GET", redirector(t, target).URL+"/mgmt/apis/x", nil)
		req.Header.Set("Authorization", "Bearer probe")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		seen := other.seen()
		if got := seen[len(seen)-1] == "Bearer probe"; got != keeps {
			t.Errorf("net/http redirected to %s with Authorization %q", target, seen[len(seen)-1])
		}
	}
	before := len(other.seen())

	for _, target := range []string{sameHost, otherHost} {
		c, err := New(Options{Endpoint: redirector(t, target).URL, Token: "admin-secret"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Get(t.Context(), "/apis/x")
		if err == nil || !strings.Contains(err.Error(), "the token is sent only to") {
			t.Errorf("redirect to %s: %v, want a refusal", target, err)
		}
	}
	if seen := other.seen()[before:]; len(seen) != 0 {
		t.Errorf("the redirect target got requests with Authorization %q", seen)
	}

	// A redirect within the endpoint is followed, with the token.
	var mu sync.Mutex
	var auth []string
	mux := http.NewServeMux()
	mux.HandleFunc("/mgmt/old/x", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/mgmt/apis/x", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/mgmt/apis/x", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		io.WriteString(w, `{"id":"/apis/x","name":"x","type":"apis","properties":{}}`)
	})
	home := httptest.NewServer(mux)
	t.Cleanup(home.Close)
	c, err := New(Options{Endpoint: home.URL, Token: "admin-secret", HTTPClient: &http.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := c.Get(t.Context(), "/old/x"); err != nil || res.Name != "x" {
		t.Fatalf("redirect within the endpoint: %v, %v", res, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(auth) != 1 || auth[0] != "Bearer admin-secret" {
		t.Errorf("after a redirect within the endpoint, Authorization %q", auth)
	}
}
