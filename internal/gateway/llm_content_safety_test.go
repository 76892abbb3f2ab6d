package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// TestContentSafetyFailures: when Content Safety fails, or the prompt is
// longer than it analyses, the request fails with 500 and never reaches
// the model, as in APIM.
func TestContentSafetyFailures(t *testing.T) {
	var chats atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/contentsafety/") {
			http.Error(w, "throttled", http.StatusTooManyRequests)
			return
		}
		chats.Add(1)
	}))
	defer backend.Close()
	s := NewServer(Options{})
	defer s.Close()
	rt, err := s.Compile(&snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend.URL, KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
			Policy:     `<policies><inbound><base /><llm-content-safety backend-id="cs" shield-prompt="true" /></inbound><backend><base /></backend></policies>`,
			Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
		Backends: map[string]snapshot.Backend{"cs": {URL: backend.URL}},
		Policy:   snapshot.PolicyEnv{Backends: map[string]string{"cs": backend.URL}},
	})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s.Install(rt)
	hs := httptest.NewServer(s)
	defer hs.Close()
	for _, prompt := range []string{"Hello", strings.Repeat("x", 10001)} {
		if res, body := post(t, hs.URL, `{"messages":[{"role":"user","content":"`+prompt+`"}]}`); res.StatusCode != 500 {
			t.Errorf("prompt of %d characters: %d %s, want 500", len(prompt), res.StatusCode, body)
		}
	}
	if n := chats.Load(); n != 0 {
		t.Errorf("the model was called %d times", n)
	}
}
