package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"

	"github.com/gatehouse/gatehouse/internal/analytics"
)

// keyedGateway starts a backend and a gateway in front of it on loopback,
// serving testSnapshot (the key "good-key" opens /shop/orders), with its
// metrics served too; it returns the gateway's and the metrics' URLs.
func keyedGateway(t *testing.T, opts Options) (gw, metrics string) {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(backend.Close)
	s := NewServer(opts)
	t.Cleanup(func() { s.Close() })
	s.Load(testSnapshot(backend.URL))
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	reg := analytics.NewRegistry()
	if err := s.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	ms := httptest.NewServer(analytics.Handler(reg))
	t.Cleanup(ms.Close)
	return hs.URL, ms.URL
}

// call sends GET url with the subscription key (none when empty) and
// X-Forwarded-For (none when empty), and returns the response with its
// body read.
func call(t *testing.T, url, key, xff string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("Ocp-Apim-Subscription-Key", key)
	}
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestKeyGuessingIsSlowedDown: past the limit of invalid keys within a
// minute, an address gets 429 for invalid keys, while a valid key from the
// same address is still served; missing keys are not counted; the counter
// says how many of each answer were given.
func TestKeyGuessingIsSlowedDown(t *testing.T) {
	gw, metrics := keyedGateway(t, Options{KeyFailureLimit: 5})
	url := gw + "/shop/orders/42"
	for i := 1; i <= 5; i++ {
		if resp, body := call(t, url, "guess-"+strconv.Itoa(i), ""); resp.StatusCode != 401 {
			t.Fatalf("invalid key %d: %d %s, want 401", i, resp.StatusCode, body)
		}
	}
	resp, body := call(t, url, "guess-6", "")
	var e struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
	}
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || json.Unmarshal([]byte(body), &e) != nil || e.StatusCode != 429 {
		t.Fatalf("invalid key 6: %d %s, Retry-After %q; want 429 in the gateway's error shape", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
	if resp, body := call(t, url, "good-key", ""); resp.StatusCode != 200 || body != "ok" {
		t.Errorf("a valid key from the throttled address: %d %s, want 200", resp.StatusCode, body)
	}
	if resp, _ := call(t, url, "", ""); resp.StatusCode != 401 {
		t.Errorf("no key from the throttled address: %d, want 401 (missing key)", resp.StatusCode)
	}
	wantMetrics(t, metrics, `gatehouse_subscription_key_failures_total{answer="401"} 5`, `gatehouse_subscription_key_failures_total{answer="429"} 1`)
}

// TestKeyGuessingDefaultsAndBehindProxies: the default limit is 50 a
// minute; behind a trusted proxy each client address is counted on its
// own; a negative limit turns the throttle off.
func TestKeyGuessingDefaultsAndBehindProxies(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	gw, _ := keyedGateway(t, Options{TrustedProxies: loopback})
	url := gw + "/shop/orders/42"
	for i := 1; i <= DefaultKeyFailureLimit; i++ {
		if resp, _ := call(t, url, "guess", "203.0.113.1"); resp.StatusCode != 401 {
			t.Fatalf("invalid key %d from a client: %d, want 401", i, resp.StatusCode)
		}
	}
	if resp, _ := call(t, url, "guess", "203.0.113.1"); resp.StatusCode != 429 {
		t.Errorf("invalid key %d from a client: %d, want 429", DefaultKeyFailureLimit+1, resp.StatusCode)
	}
	if resp, _ := call(t, url, "guess", "203.0.113.2"); resp.StatusCode != 401 {
		t.Errorf("invalid key from another client behind the same proxy: %d, want 401", resp.StatusCode)
	}
	if resp, _ := call(t, url, "good-key", "203.0.113.1"); resp.StatusCode != 200 {
		t.Errorf("a valid key from the throttled client: %d, want 200", resp.StatusCode)
	}

	off, _ := keyedGateway(t, Options{KeyFailureLimit: -1})
	for i := 1; i <= DefaultKeyFailureLimit+1; i++ {
		if resp, _ := call(t, off+"/shop/orders/42", "guess", ""); resp.StatusCode != 401 {
			t.Fatalf("invalid key %d with no limit: %d, want 401", i, resp.StatusCode)
		}
	}
}
