package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// TestSemanticCacheWithoutEmbeddings: when the embeddings backend fails,
// requests go on to the model uncached; once it answers, they are cached.
func TestSemanticCacheWithoutEmbeddings(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	var chats atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/embeddings") {
			if down.Load() {
				http.Error(w, "overloaded", http.StatusServiceUnavailable)
				return
			}
			embeddings(w, r)
			return
		}
		io.Copy(io.Discard, r.Body)
		chats.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[{"message":{"content":"ok"}}]}`)
	}))
	defer backend.Close()
	emb := backend.URL + "/embeddings"
	s := NewServer(Options{})
	defer s.Close()
	rt, err := s.Compile(&snapshot.Snapshot{Version: 1,
		APIs: []snapshot.API{{ID: "orders", Path: "orders", ServiceURL: backend.URL, KeyHeader: "Ocp-Apim-Subscription-Key", KeyQuery: "subscription-key",
			Policy: `<policies><inbound><base /><llm-semantic-cache-lookup score-threshold="0.01" embeddings-backend-id="emb" /></inbound>
<backend><base /></backend><outbound><base /><llm-semantic-cache-store duration="300" /></outbound></policies>`,
			Operations: []snapshot.Operation{{ID: "any", Method: "*", URLTemplate: "/*"}}}},
		Backends: map[string]snapshot.Backend{"emb": {URL: emb}},
		Policy:   snapshot.PolicyEnv{Backends: map[string]string{"emb": emb}},
	})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s.Install(rt)
	hs := httptest.NewServer(s)
	defer hs.Close()
	ask := func() {
		t.Helper()
		res, body := post(t, hs.URL, `{"messages":[{"role":"user","content":"Hello"}]}`)
		if res.StatusCode != 200 || body != `{"choices":[{"message":{"content":"ok"}}]}` {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	}
	ask()
	ask()
	if n := chats.Load(); n != 2 {
		t.Fatalf("model called %d times without embeddings, want 2", n)
	}
	down.Store(false)
	ask() // stored
	ask() // from the cache
	if n := chats.Load(); n != 3 {
		t.Errorf("model called %d times, want 3", n)
	}
}
