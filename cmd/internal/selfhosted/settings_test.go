package selfhosted

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/gateway"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// TestKeyFailureLimitSetting: --key-failure-limit defaults to 50 and has
// its GATEHOUSE_ twin; the gateway it configures answers 429 to invalid
// keys past the limit, and never with 0.
func TestKeyFailureLimitSetting(t *testing.T) {
	f := NewCommand("test", nil).Flags().Lookup("key-failure-limit")
	if f == nil || f.DefValue != strconv.Itoa(gateway.DefaultKeyFailureLimit) || !strings.Contains(f.Usage, "GATEHOUSE_KEY_FAILURE_LIMIT") {
		t.Fatalf("--key-failure-limit: %+v", f)
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(backend.Close)
	snap := &snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend.URL,
		SubscriptionRequired: true, KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
		Operations: []snapshot.Operation{{ID: "all", Method: "*", URLTemplate: "/*"}}}}}
	for limit, want := range map[int][]int{2: {401, 401, 429, 429}, 0: {401, 401, 401, 401}} {
		gw, closeGateway, err := GatewaySettings{KeyFailureLimit: limit}.NewServer(slog.New(slog.DiscardHandler), "edge", "node-1", false)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeGateway() })
		gw.Load(snap)
		hs := httptest.NewServer(gw)
		t.Cleanup(hs.Close)
		for i, code := range want {
			req, _ := http.NewRequest("GET", hs.URL+"/orders/1", nil)
			req.Header.Set("Ocp-Apim-Subscription-Key", "guess")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != code {
				t.Errorf("limit %d, invalid key %d: %d, want %d", limit, i+1, resp.StatusCode, code)
			}
		}
	}
}

// TestInvalidRedisURL: an invalid --redis counts limits in memory, or
// with --redis-fail-open=false refuses limited requests (500).
func TestInvalidRedisURL(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(backend.Close)
	snap := &snapshot.Snapshot{Version: 1, APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend.URL,
		KeyHeader: "k", KeyQuery: "k", Policy: `<policies><inbound><rate-limit calls="1" renewal-period="60" /></inbound><backend><forward-request /></backend></policies>`,
		Operations: []snapshot.Operation{{ID: "all", Method: "*", URLTemplate: "/*"}}}}}
	for _, tt := range []struct {
		failOpen bool
		want     string
	}{{true, "200,429"}, {false, "500,500"}} {
		gw, closeGateway, err := GatewaySettings{Redis: "http://not-redis", RedisFailOpen: tt.failOpen}.NewServer(slog.New(slog.DiscardHandler), "edge", "n", false)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeGateway() })
		gw.Load(snap)
		var got []string
		for range 2 {
			w := httptest.NewRecorder()
			gw.ServeHTTP(w, httptest.NewRequest("GET", "/orders/1", nil))
			got = append(got, strconv.Itoa(w.Code))
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("fail-open %v: statuses %v, want %s", tt.failOpen, got, tt.want)
		}
	}
}
